//! The outbox's leases: no error path leaves a message claimed without an outcome, and a claim whose relay died
//! is taken over by any relay once its lease runs out.

use std::time::Duration;

use serde_json::json;

use sidechat_standins::graph::*;

use crate::on_both_backends;
use crate::support::*;

/// The Cloud API settings pointing at the Graph stand-in, with short timeouts so leases run out within a test.
fn cloud(graph_url: &str) -> Vec<(&'static str, String)> {
    let mut settings = cloud_settings(graph_url);
    settings
        .extend([("SIDECHAT_SEND_TIMEOUT_MS", "2000".to_owned()), ("SIDECHAT_PROVIDER_TIMEOUT_MS", "2000".to_owned())]);
    settings
}

on_both_backends!(an_unreadable_queued_row_fails_alone_and_the_outbox_goes_on, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes("sandbox-de", "+4930901820", "+498963648018", "Hi").await;
    // A queued row that cannot be read back (a number the relay cannot parse), as a damaged or hand-edited
    // database may hold.
    let mut db = database(&app.state.config.database_url).await;
    let now = jiff::Timestamp::now().as_millisecond();
    sqlx::query(
        "INSERT INTO messages (workspace_id, id, direction, sender_id, business_phone, contact, body, status,
             created_at, updated_at, attempts, next_attempt_at)
         VALUES ($1, 'damaged', 'out', 'sandbox-de', '+4930901820', 'not a number', 'x', 'queued', $2, $2, 0, $2)",
    )
    .bind(app.state.operator.as_str())
    .bind(now)
    .execute(&mut db)
    .await
    .unwrap();

    let (status, body) = send_as(
        &app,
        &bearer(),
        "after-damage",
        &json!({"from": "sandbox-de", "to": "+498963648018", "body": "still goes out"}),
    )
    .await;
    assert_eq!(status, 202, "{body}");
    let id = body["message"]["id"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(10), || async {
        let (_, page) = json(
            app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap(),
        )
        .await;
        let sent = page["messages"].as_array()?.iter().any(|m| m["id"] == id.as_str() && m["status"] != "queued");
        sent.then_some(())
    })
    .await;
    let (state, code): (String, Option<String>) = eventually(Duration::from_secs(10), || async {
        let row = sqlx::query_as::<_, (String, Option<String>)>(
            "SELECT status, error_code FROM messages WHERE id = 'damaged'",
        )
        .fetch_one(&mut database(&app.state.config.database_url).await)
        .await
        .unwrap();
        (row.0 != "queued").then_some(row)
    })
    .await;
    assert_eq!((state.as_str(), code.as_deref()), ("failed", Some("unreadable")), "failed with why, not held");
    app.stop().await;
});

/// Relay A is killed while the provider holds its sends; relay B, running beside it on the same PostgreSQL and
/// never restarted, takes them over once their leases run out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_takes_over_the_sends_of_a_killed_relay_once_their_leases_run_out() {
    let (dir, database_url) = binary_workspace(Backend::Postgres).await;
    let graph = Graph::start().await;
    let http = reqwest::Client::new();
    let (first, url_a) = start_binary(&database_url, &dir, &cloud(&graph.url));
    let (_second, url_b) = start_binary(&database_url, &dir, &cloud(&graph.url));
    customer_writes_by_webhook(&http, &url_a).await;

    graph.script((0..3).map(|_| Scripted::Slow(Duration::from_secs(30))));
    let ids = send_numbered(&http, &url_a, PHONE_NUMBER_ID, 3).await;
    eventually(Duration::from_secs(10), || async { (graph.sends().len() == 3).then_some(()) }).await;
    drop(first); // SIGKILL, with the three sends in flight

    let page = until_outbound_sent_within(&http, &url_b, 3, Duration::from_secs(60)).await;
    let listed: Vec<&str> = page.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>(), "nothing accepted was lost");
    let sends = graph.sends();
    for i in 0..3 {
        let times = sends.iter().filter(|s| s["text"]["body"] == format!("message {i}")).count();
        assert_eq!(times, 2, "message {i} was in flight at the kill, so it went out again once");
    }
    let metrics = metrics_of(&http, &url_b).await;
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_restart"} 3"#), "{metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_relay_on_one_sqlite_file_refuses_to_start_and_a_killed_ones_lock_is_freed() {
    let (dir, database_url) = binary_workspace(Backend::Sqlite).await;
    let settings = [("SIDECHAT_PROVIDER", "sandbox".to_owned())];
    let (first, _) = start_binary(&database_url, &dir, &settings);
    let second = relay_command(&database_url, &dir, &settings).output().expect("running a second relay");
    assert!(!second.status.success(), "a second relay on the same SQLite file must not start");
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(said.contains("another relay is running on") && said.contains("PostgreSQL"), "{said}");
    drop(first); // SIGKILL: the operating system frees the lock
    let (_again, url) = start_binary(&database_url, &dir, &settings);
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
}
