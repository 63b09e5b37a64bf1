//! End-to-end tests: the built relay binary serves the built (wasm-opt'ed) widget, and headless Chromium loads
//! it as a user's browser would. Run by `cargo xtask test`, which builds both first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use fantoccini::Locator;

use support::{Browser, LIMIT, Relay};

#[tokio::test]
async fn built_widget_loads_from_the_relay_and_reaches_it() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;

    // `/` sends people to the widget.
    client.goto(&relay.url).await.unwrap();
    let status = client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css("[data-testid=panel] [data-testid=relay-status][data-relay=ok]"))
        .await
        .expect("the panel never reported a reachable relay");
    assert_eq!(status.text().await.unwrap(), "Connected to Sidechat.");

    browser.client.clone().close().await.unwrap();
}
