//! The widget's start-up and interaction figures, printed by `cargo xtask bench` (a benchmark, not a test: it
//! asserts nothing and prints numbers). Headless Chromium on loopback, each load in a fresh browser (a cold
//! cache), inside the Pipedrive dev host as in production:
//! - iframe navigation start → `initialize` posted to the host, → the first messages on screen;
//! - main-thread tasks over 50 ms during start-up;
//! - what the iframe downloaded (transfer sizes, as served);
//! - with 100 messages in the panel: the longest frame while scrolling the list and typing.
#![cfg(not(target_arch = "wasm32"))]

// The end-to-end tests' helpers; the benchmark uses only some of them.
#[allow(dead_code)]
#[path = "../e2e/support.rs"]
mod support;

use fantoccini::Client;
use serde_json::Value;
use support::{Browser, Relay, open_panel, wait};

/// How many cold loads the medians are taken over.
const LOADS: usize = 20;

#[tokio::main]
async fn main() {
    let relay = Relay::start_with(&[("SIDECHAT_SEND_RATE_LIMIT", "0")]);
    let mut loads = Vec::new();
    for _ in 0..LOADS {
        let browser = Browser::start().await;
        loads.push(cold_load(&browser.client, &relay).await);
        browser.client.clone().close().await.unwrap();
    }
    let figure = |name: &str| -> Vec<f64> { loads.iter().map(|l| l[name].as_f64().unwrap_or(f64::NAN)).collect() };
    println!("\nWidget start-up in the Pipedrive dev host ({LOADS} cold loads, headless Chromium, loopback)");
    print_row("navigation → initialize posted (ms)", &figure("connect"), Some(300.0));
    print_row("navigation → messages shown (ms)", &figure("messages"), Some(500.0));
    print_row("longest start-up task (ms)", &figure("longest"), Some(50.0));
    print_row("start-up tasks over 50 ms (count)", &figure("tasks"), None);
    print_row("bytes transferred by the iframe", &figure("bytes"), None);

    let browser = Browser::start().await;
    let frames = hundred_messages(&browser.client, &relay).await;
    println!("\nA panel with {} messages (report only: headless timing on shared cores is noisy)", frames["messages"]);
    println!(
        "  scrolling the list: longest frame {:.1} ms, 95th percentile {:.1} ms over {} frames",
        frames["scroll"]["longest"].as_f64().unwrap_or(f64::NAN),
        frames["scroll"]["p95"].as_f64().unwrap_or(f64::NAN),
        frames["scroll"]["frames"]
    );
    println!(
        "  typing in the message box: longest frame {:.1} ms, 95th percentile {:.1} ms over {} frames",
        frames["typing"]["longest"].as_f64().unwrap_or(f64::NAN),
        frames["typing"]["p95"].as_f64().unwrap_or(f64::NAN),
        frames["typing"]["frames"]
    );
    browser.client.clone().close().await.unwrap();
}

/// One load of the panel on Marie Dubois; the figures from inside the panel's frame.
async fn cold_load(client: &Client, relay: &Relay) -> Value {
    open_panel(client, relay, "person:1", "").await;
    wait(client, "[data-testid=message]").await;
    client
        .execute(
            "const at = (name) => (performance.getEntriesByName(name)[0] || {}).startTime;
             const entries = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));
             const tasks = window.__sidechatLongTasks || [];
             return { connect: at('sidechat-connect'), messages: at('sidechat-messages'),
                      longest: Math.max(0, ...tasks), tasks: tasks.length,
                      bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0) };",
            vec![],
        )
        .await
        .unwrap()
}

/// Sends 100 messages to Marie, reopens the panel, and measures frames while scrolling and typing.
async fn hundred_messages(client: &Client, relay: &Relay) -> Value {
    open_panel(client, relay, "person:1", "").await;
    wait(client, "[data-testid=message]").await;
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const token = new URLSearchParams(location.search).get('token');
             (async () => {
               for (let i = 1; i <= 100; i++) {
                 await fetch('/api/v1/messages', { method: 'POST', headers: { 'Authorization': `Bearer ${token}`,
                   'Idempotency-Key': `bench-${i}`, 'Content-Type': 'application/json' },
                   body: JSON.stringify({ from: 'sandbox-de', to: '+33612345678', body: `Message ${i}: ` + 'lorem ipsum '.repeat(i % 7 + 1) }) });
               }
               done(true);
             })();",
            vec![],
        )
        .await
        .unwrap();
    // Open the panel again: it reads the 100 messages at start.
    open_panel(client, relay, "person:1", "").await;
    wait(client, "[data-testid=message]").await;
    client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const list = document.querySelector('[data-testid=message-list]');
             const input = document.querySelector('[data-testid=message-input]');
             const summary = (deltas) => { const s = [...deltas].sort((a, b) => a - b);
               return { longest: s[s.length - 1] || 0, p95: s[Math.floor(s.length * 0.95)] || 0, frames: s.length }; };
             const run = (frames, step) => new Promise((resolve) => {
               const deltas = []; let last = performance.now(); let n = 0;
               const tick = (now) => { deltas.push(now - last); last = now; step(n++);
                 if (n < frames) requestAnimationFrame(tick); else resolve(summary(deltas.slice(1))); };
               requestAnimationFrame(tick);
             });
             (async () => {
               const messages = document.querySelectorAll('[data-testid=message]').length;
               const scroll = await run(120, (n) => { list.scrollTop = (n % 60) * (list.scrollHeight / 60); });
               const typing = await run(120, (n) => { input.value += 'x'; input.dispatchEvent(new Event('input', { bubbles: true })); });
               done({ messages, scroll, typing });
             })();",
            vec![],
        )
        .await
        .unwrap()
}

/// Prints min, median and max of a figure, with its target if it has one.
fn print_row(name: &str, values: &[f64], target: Option<f64>) {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        println!("  {name:<40} not measured");
        return;
    }
    let median = sorted[sorted.len() / 2];
    let verdict = match target {
        Some(target) if median < target => format!("  (target < {target}: met)"),
        Some(target) => format!("  (target < {target}: MISSED)"),
        None => String::new(),
    };
    println!(
        "  {name:<40} median {median:>9.1}   min {:>9.1}   max {:>9.1}{verdict}",
        sorted[0],
        sorted[sorted.len() - 1]
    );
}
