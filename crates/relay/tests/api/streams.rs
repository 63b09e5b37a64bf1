//! Live event streams and limits at scale: a cap per user that holds across relays, `event: reload` for a stream
//! that fell behind, events that reach panels connected to any relay on one PostgreSQL, and a send limit that
//! counts the sends through every relay.

use std::time::Duration;

use serde_json::json;

use crate::on_both_backends;
use crate::support::*;

const CUSTOMER: &str = "+498963648018";

on_both_backends!(a_user_holds_at_most_the_configured_streams, |backend| async move {
    let app = TestApp::spawn(backend, |settings| settings.push(("SIDECHAT_MAX_STREAMS_PER_USER", "3".into()))).await;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(open_stream(&app, &bearer(), CUSTOMER).await);
    }
    let (status, body) = buy_ticket(&app, &bearer(), CUSTOMER).await;
    assert_eq!(status, 200, "{body}");
    let refused = stream_with_ticket(&app, CUSTOMER, body["ticket"].as_str().unwrap()).await;
    assert_error(&json(refused).await, 429, "too_many_streams");

    // A panel closes: its stream no longer counts.
    drop(open.pop());
    eventually(Duration::from_secs(10), || async {
        let (_, body) = buy_ticket(&app, &bearer(), CUSTOMER).await;
        let stream = stream_with_ticket(&app, CUSTOMER, body["ticket"].as_str()?).await;
        (stream.status() == 200).then_some(stream)
    })
    .await;
    app.stop().await;
});

on_both_backends!(a_stream_that_falls_behind_is_told_to_reload, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let stream = open_stream(&app, &bearer(), CUSTOMER).await;
    // Far more events than a stream may fall behind by, published faster than it is read.
    let workspace = app.state.operator.clone();
    let events = app.state.events.clone();
    std::thread::spawn(move || {
        for i in 0..20_000 {
            let status = sidechat_domain::wire::StatusEvent {
                id: format!("m{i}"),
                status: sidechat_domain::wire::DeliveryStatus::Delivered,
                error: None,
            };
            events.publish_here(&workspace, CUSTOMER, sidechat_relay::events::Event::Status(status));
        }
    })
    .join()
    .unwrap();
    let read = read_events(stream, |events| events.iter().any(|(kind, _)| kind == "reload")).await;
    assert!(read.len() < 20_000, "some events were missed, and the stream said so");
    app.stop().await;
});

/// Two relays on one PostgreSQL: a panel streaming from relay B sees what is sent through relay A, and the
/// cap per user counts the streams on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_and_the_stream_cap_reach_across_relays() {
    let database_url = postgres_database().await;
    let cap = |settings: &mut Vec<(&'static str, String)>| settings.push(("SIDECHAT_MAX_STREAMS_PER_USER", "2".into()));
    let a = TestApp::spawn_on(&database_url, cap).await;
    let b = TestApp::spawn_on(&database_url, cap).await;
    a.customer_writes("sandbox-de", "+4930901820", CUSTOMER, "Hi").await;

    let on_b = open_stream(&b, &bearer(), CUSTOMER).await;
    let (status, body) = send_as(
        &a,
        &bearer(),
        "across",
        &json!({"from": "sandbox-de", "to": CUSTOMER, "body": "sent through relay A"}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let id = body["message"]["id"].as_str().unwrap().to_owned();
    let seen = read_events(on_b, |events| {
        events.iter().any(|(kind, data)| kind == "status" && data["id"] == id.as_str() && data["status"] == "read")
    })
    .await;
    assert!(
        seen.iter().any(|(kind, data)| kind == "message"
            && data["id"] == id.as_str()
            && data["body"] == "sent through relay A"),
        "{seen:?}"
    );

    // One stream on A and one on B: the user is at the cap of 2 on either relay.
    let _on_a = open_stream(&a, &bearer(), CUSTOMER).await;
    let _on_b = open_stream(&b, &bearer(), CUSTOMER).await;
    let (_, ticket) = buy_ticket(&a, &bearer(), CUSTOMER).await;
    assert_error(
        &json(stream_with_ticket(&a, CUSTOMER, ticket["ticket"].as_str().unwrap()).await).await,
        429,
        "too_many_streams",
    );
    a.stop().await;
    b.stop().await;
}

/// Two relays on one PostgreSQL: the send limit of a workspace counts the sends through both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_send_limit_holds_across_relays() {
    let database_url = postgres_database().await;
    let limit = |settings: &mut Vec<(&'static str, String)>| settings.push(("SIDECHAT_SEND_RATE_LIMIT", "2".into()));
    let a = TestApp::spawn_on(&database_url, limit).await;
    let b = TestApp::spawn_on(&database_url, limit).await;
    a.customer_writes("sandbox-de", "+4930901820", CUSTOMER, "Hi").await;
    let body = |i: usize| json!({"from": "sandbox-de", "to": CUSTOMER, "body": format!("burst {i}")});
    assert_eq!(send_as(&a, &bearer(), "limit-0", &body(0)).await.0, 202);
    assert_eq!(send_as(&b, &bearer(), "limit-1", &body(1)).await.0, 202);
    assert_error(&send_as(&a, &bearer(), "limit-2", &body(2)).await, 429, "rate_limited");
    assert_error(&send_as(&b, &bearer(), "limit-3", &body(3)).await, 429, "rate_limited");
    a.stop().await;
    b.stop().await;
}
