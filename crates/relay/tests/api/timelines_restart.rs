//! Kill the relay binary with SIGKILL while TimelinesAI sends are in flight, start it again on the same
//! database: the messages that went out are found in the chat history, so none reaches TimelinesAI twice.

use std::time::Duration;

use sidechat_standins::timelines::*;

use crate::on_both_backends;
use crate::support::*;

/// The TimelinesAI settings pointing at the stand-in.
fn timelines(api_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SIDECHAT_SEND_TIMEOUT_MS", "3000".to_owned()),
        ("SIDECHAT_PROVIDER_TIMEOUT_MS", "3000".to_owned()),
        ("SIDECHAT_PROVIDER", "timelines".to_owned()),
        ("TIMELINES_API_URL", api_url.to_owned()),
        ("TIMELINES_API_TOKEN", TOKEN.to_owned()),
        ("TIMELINES_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
    ]
}

on_both_backends!(a_relay_killed_mid_send_finds_what_went_out_and_sends_nothing_twice, |backend| async move {
    let (dir, database_url) = binary_workspace(backend).await;
    let mock = Timelines::start().await;
    let api_url = mock.url.clone();
    let http = reqwest::Client::new();

    let (first, url) = start_binary(&database_url, &dir, &timelines(&api_url));
    // TimelinesAI sends all three but holds its answers: all three are in flight when the relay is killed.
    mock.script((0..3).map(|_| Scripted::Slow(Duration::from_secs(30))));
    let ids = send_numbered(&http, &url, ACCOUNT_ID, 3).await;
    eventually(Duration::from_secs(10), || async { (mock.sends().len() == 3).then_some(()) }).await;
    drop(first); // SIGKILL

    let (_second, url) = start_binary(&database_url, &dir, &timelines(&api_url));
    let outbound = until_outbound_sent(&http, &url, 3).await;
    let listed: Vec<&str> = outbound.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>(), "nothing accepted was lost");
    assert_eq!(mock.sends().len(), 3, "each message reached TimelinesAI once");
    let metrics = metrics_of(&http, &url).await;
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_restart"} 0"#), "{metrics}");
});
