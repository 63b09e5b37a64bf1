//! End-to-end tests: the built relay binary serves the built (wasm-opt'ed) widget, and headless Chromium loads
//! it as a user's browser would. Run by `cargo xtask test`, which builds both first.
#![cfg(not(target_arch = "wasm32"))]

mod a11y;
mod panel;
mod support;
mod zoho;
mod zoho_package;

use fantoccini::Locator;

use support::{Browser, LIMIT, Relay, count, enter_panel, open_panel, until, wait};

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

#[tokio::test]
async fn in_the_pipedrive_host_the_panel_initializes_reads_its_record_and_follows_the_theme() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;

    // The dev host marks the panel initialized once `initialize` arrives.
    open_panel(client, &relay, "person:1", "").await;
    let name = wait(client, "[data-testid=record-name]").await;
    assert_eq!(
        name.text().await.unwrap(),
        "Marie Dubois",
        "the record was read through the relay with the host's token"
    );
    let root = client.find(Locator::Css("html")).await.unwrap();
    assert_eq!(root.attr("data-theme").await.unwrap().as_deref(), Some("light"));

    // The host switches to dark: the panel hears `user_settings_change` and follows.
    client.enter_parent_frame().await.unwrap();
    let theme = client.find(Locator::Css("[data-testid=host-theme]")).await.unwrap();
    theme.select_by_value("dark").await.unwrap();
    enter_panel(client).await;
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css("html[data-theme=dark]"))
        .await
        .expect("the panel did not follow the host's theme");

    // The host collapses the panel and expands it again (`visibility`): the panel reads its messages again,
    // since its event stream may have missed something meanwhile.
    wait(client, "[data-testid=message][data-direction=in]").await;
    let reads = "performance.getEntriesByType('resource').filter(e => e.name.includes('/api/v1/messages?')).length";
    let before = client.execute(&format!("return {reads}"), vec![]).await.unwrap().as_u64().unwrap();
    assert!(before >= 1, "the messages were read through the relay");
    client.enter_parent_frame().await.unwrap();
    let collapse = client.find(Locator::Css("[data-testid=host-collapse]")).await.unwrap();
    collapse.click().await.unwrap();
    collapse.click().await.unwrap();
    enter_panel(client).await;
    until(client, "the messages to be read again", &format!("return {reads} > {before}")).await;
    assert!(count(client, "[data-testid=message]").await > 0, "the messages stay shown while they are read again");

    // Every height the panel asked for is within Pipedrive's 100–750 px, and none is asked for twice in a row.
    client.enter_parent_frame().await.unwrap();
    let heights: Vec<f64> = serde_json::from_value(
        client
            .execute(
                "return window.__sidechatHostLog.map(m => m.payload) \
                   .filter(p => p.command === 'initialize' || p.command === 'resize') \
                   .map(p => p.command === 'initialize' ? p.args.size.height : p.args.height)",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(heights.len() >= 2, "initialize and at least one resize: {heights:?}");
    assert!(heights.iter().all(|h| (100.0..=750.0).contains(h) && h.fract() == 0.0), "{heights:?}");
    assert!(heights.windows(2).all(|pair| pair[0] != pair[1]), "a height asked for twice in a row: {heights:?}");
    browser.client.clone().close().await.unwrap();
}
