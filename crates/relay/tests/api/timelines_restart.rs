//! Kill the relay binary with SIGKILL while TimelinesAI sends are in flight, start it again on the same
//! database: the messages that went out are found in the chat history, so none reaches TimelinesAI twice.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::mock_timelines::*;
use crate::on_both_backends;
use crate::support::*;

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sidechat-relay serve` against the TimelinesAI stand-in; returns the process and its URL.
fn start_binary(database_url: &str, api_url: &str, widget_dir: &std::path::Path) -> (Process, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sidechat-relay"))
        .arg("serve")
        .env("SIDECHAT_LISTEN", "127.0.0.1:0")
        .env("SIDECHAT_DATABASE_URL", database_url)
        .env("SIDECHAT_WIDGET_DIR", widget_dir)
        .env("SIDECHAT_PROVIDER", "timelines")
        .env("TIMELINES_API_URL", api_url)
        .env("TIMELINES_API_TOKEN", TOKEN)
        .env("TIMELINES_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("ZOHO_INSTALL_KEY", ZOHO_KEY)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the relay binary");
    let stdout = child.stdout.take().unwrap();
    let process = Process(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .find_map(|line| line.ok()?.strip_prefix("sidechat-relay listening on ").map(str::to_owned))
        .expect("the relay exited before telling its address");
    std::thread::spawn(move || lines.for_each(drop));
    (process, url)
}

on_both_backends!(a_relay_killed_mid_send_finds_what_went_out_and_sends_nothing_twice, |backend| async move {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("widget")).unwrap();
    std::fs::write(dir.0.join("widget/index.html"), "<!doctype html>").unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.0.join("relay.db").display()),
        Backend::Postgres => postgres_database().await,
    };
    let mock = Timelines::default();
    let api_url = mock.start().await;
    let http = reqwest::Client::new();
    let zoho = format!("Bearer {ZOHO_KEY}");

    let (first, url) = start_binary(&database_url, &api_url, &dir.0.join("widget"));
    // TimelinesAI sends all three but holds its answers: all three are in flight when the relay is killed.
    mock.script((0..3).map(|_| Scripted::Slow(Duration::from_secs(30))));
    let mut ids = Vec::new();
    for i in 0..3 {
        let (status, body) = json(
            http.post(format!("{url}/api/v1/messages"))
                .header("authorization", &zoho)
                .header("idempotency-key", format!("crash-{i}"))
                .json(&json!({"from": ACCOUNT_ID, "to": "+498963648018", "body": format!("message {i}")}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        ids.push(body["message"]["id"].as_str().unwrap().to_owned());
    }
    eventually(Duration::from_secs(10), || async { (mock.sends().len() == 3).then_some(()) }).await;
    drop(first); // SIGKILL

    let (_second, url) = start_binary(&database_url, &api_url, &dir.0.join("widget"));
    let outbound = eventually(Duration::from_secs(30), || async {
        let (_, page) = json(
            http.get(format!("{url}/api/v1/messages?phone=%2B498963648018&limit=100"))
                .header("authorization", &zoho)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let outbound: Vec<Value> =
            page["messages"].as_array()?.iter().filter(|m| m["direction"] == "out").cloned().collect();
        (outbound.len() == 3 && outbound.iter().all(|m| m["status"] == "sent")).then_some(outbound)
    })
    .await;
    let listed: Vec<&str> = outbound.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>(), "nothing accepted was lost");
    assert_eq!(mock.sends().len(), 3, "each message reached TimelinesAI once");
    let metrics = http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains(r#"outcome="resent_after_restart""#), "{metrics}");
});
