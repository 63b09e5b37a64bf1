//! The relay binary stopped mid-send. Killed with SIGKILL and started again on the same database: every
//! accepted message is sent; only messages in flight at the kill may reach the provider twice, and are counted.
//! Stopped with SIGTERM: it finishes the sends under way and ends open event streams before exiting.

use std::process::Command;
use std::time::Duration;

use serde_json::json;

use sidechat_standins::graph::*;

use crate::on_both_backends;
use crate::support::*;

/// The Cloud API settings pointing at the Graph stand-in. Short timeouts: on PostgreSQL a killed relay's sends
/// wait for their leases to run out (on SQLite the restarted relay, which owns the file, ends them at start).
fn cloud(graph_url: &str) -> Vec<(&'static str, String)> {
    let mut settings = cloud_settings(graph_url);
    settings
        .extend([("SIDECHAT_SEND_TIMEOUT_MS", "3000".to_owned()), ("SIDECHAT_PROVIDER_TIMEOUT_MS", "3000".to_owned())]);
    settings
}

on_both_backends!(a_relay_killed_mid_send_resumes_its_outbox, |backend| async move {
    let (dir, database_url) = binary_workspace(backend).await;
    let graph = Graph::start().await;
    let graph_url = graph.url.clone();
    let http = reqwest::Client::new();

    let (first, url) = start_binary(&database_url, &dir, &cloud(&graph_url));
    customer_writes_by_webhook(&http, &url).await;

    // Five sends the provider holds for a long time: all five are in flight when the relay is killed.
    graph.script((0..5).map(|_| Scripted::Slow(Duration::from_secs(30))));
    let ids = send_numbered(&http, &url, PHONE_NUMBER_ID, 5).await;
    eventually(Duration::from_secs(10), || async { (graph.sends().len() == 5).then_some(()) }).await;
    drop(first); // SIGKILL

    let (_second, url) = start_binary(&database_url, &dir, &cloud(&graph_url));
    let page = until_outbound_sent(&http, &url, 5).await;
    let listed: Vec<&str> = page.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>(), "nothing accepted was lost");

    // Every message reached the provider; the repeats are exactly the messages in flight at the kill.
    let sends = graph.sends();
    for i in 0..5 {
        let times = sends.iter().filter(|s| s["text"]["body"] == format!("message {i}")).count();
        assert_eq!(times, 2, "message {i} was in flight at the kill, so it went out again once");
    }
    let metrics = metrics_of(&http, &url).await;
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_restart"} 5"#), "{metrics}");
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_unknown"} 0"#), "{metrics}");
    println!("restart ({backend:?}): 5 accepted, 5 in flight at SIGKILL, 5 repeats counted, 0 lost");
});

on_both_backends!(sigterm_finishes_the_sends_under_way, |backend| async move {
    let (dir, database_url) = binary_workspace(backend).await;
    let graph = Graph::start().await;
    let graph_url = graph.url.clone();
    let http = reqwest::Client::new();
    let zoho = bearer();
    let (mut relay, url) = start_binary(&database_url, &dir, &cloud(&graph_url));
    customer_writes_by_webhook(&http, &url).await;
    // An open panel's event stream must not hold the shutdown up.
    let stream = http
        .get(format!("{url}/api/v1/events?phone=%2B498963648018"))
        .header("authorization", &zoho)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    graph.script([Scripted::Slow(Duration::from_millis(1_500))]);
    let (status, sent) = json(
        http.post(format!("{url}/api/v1/messages"))
            .header("authorization", &zoho)
            .header("idempotency-key", "term")
            .json(&json!({"from": PHONE_NUMBER_ID, "to": "+498963648018", "body": "in flight at SIGTERM"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    eventually(Duration::from_secs(10), || async { (graph.sends().len() == 1).then_some(()) }).await;
    let terminated = Command::new("kill").args(["-TERM", &relay.0.id().to_string()]).status().unwrap();
    assert!(terminated.success());
    let stopping = std::time::Instant::now();
    let exit = loop {
        if let Some(exit) = relay.0.try_wait().unwrap() {
            break exit;
        }
        assert!(stopping.elapsed() < Duration::from_secs(20), "the relay did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(exit.success(), "a clean exit: {exit:?}");

    // Started again, it finds the message sent, and sends nothing more.
    let (_again, url) = start_binary(&database_url, &dir, &cloud(&graph_url));
    let (_, page) = json(
        http.get(format!("{url}/api/v1/messages?phone=%2B498963648018"))
            .header("authorization", &zoho)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let outbound: Vec<&serde_json::Value> =
        page["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "out").collect();
    assert_eq!(outbound.len(), 1);
    assert_eq!(outbound[0]["status"], "sent", "the send under way was finished and recorded before the exit");
    assert_eq!(graph.sends().len(), 1, "nothing was sent twice");
    drop(stream);
});
