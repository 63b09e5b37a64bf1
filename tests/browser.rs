//! The widget's components and host adapters in a real browser (headless Chromium through wasm-bindgen-test).
//! Run by `cargo xtask test`; natively this file compiles to nothing. One file starts one browser, so the tests
//! live in modules of this one: `browser/*.rs`.
#![cfg(target_arch = "wasm32")]

#[path = "browser/components.rs"]
mod components;
#[path = "browser/events.rs"]
mod events;
#[path = "browser/pipedrive_sdk.rs"]
mod pipedrive_sdk;
#[path = "browser/zoho.rs"]
mod zoho;

use std::time::Duration;

use sidechat_widget::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/browser/fake-relay.js")]
extern "C" {
    /// Plays the relay in the page: answers `fetch`es to `/api/v1/…` from a table and stands in for
    /// `EventSource` (see the file). Installed by [`FakeRelay::install`].
    type FakeRelay;
    #[wasm_bindgen(constructor)]
    fn new() -> FakeRelay;
    #[wasm_bindgen(method)]
    fn answer(this: &FakeRelay, method: &str, path: &str, status: u16, body: &str);
    #[wasm_bindgen(method, js_name = answerOnce)]
    fn answer_once(this: &FakeRelay, method: &str, path: &str, status: u16, body: &str);
    #[wasm_bindgen(method, js_name = requests)]
    fn request_list(this: &FakeRelay) -> js_sys::Array;
    #[wasm_bindgen(method, js_name = streamCount)]
    fn stream_count(this: &FakeRelay) -> u32;
    #[wasm_bindgen(method, js_name = streamUrl)]
    fn stream_url(this: &FakeRelay, i: u32) -> String;
    #[wasm_bindgen(method, js_name = streamClosed)]
    fn stream_closed(this: &FakeRelay, i: u32) -> bool;
    #[wasm_bindgen(method)]
    fn open(this: &FakeRelay, i: u32);
    #[wasm_bindgen(method)]
    fn emit(this: &FakeRelay, i: u32, kind: &str, data: &str) -> bool;
    #[wasm_bindgen(method)]
    fn fail(this: &FakeRelay, i: u32);
    #[wasm_bindgen(method)]
    fn restore(this: &FakeRelay);
}

/// A [`FakeRelay`] in place until dropped, even when a test fails.
struct FakeRelayGuard(FakeRelay);

impl FakeRelay {
    /// Puts the fake relay in place of the page's `fetch` and `EventSource`.
    fn install() -> FakeRelayGuard {
        FakeRelayGuard(FakeRelay::new())
    }

    /// The requests so far, oldest first, each as `METHOD path Authorization body`.
    fn requests(&self) -> Vec<String> {
        self.request_list().iter().filter_map(|line| line.as_string()).collect()
    }
}

impl std::ops::Deref for FakeRelayGuard {
    type Target = FakeRelay;
    fn deref(&self) -> &FakeRelay {
        &self.0
    }
}

impl Drop for FakeRelayGuard {
    fn drop(&mut self) {
        self.0.restore();
    }
}

/// Resolves after the browser's event loop has turned once (a few milliseconds).
async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().unwrap();
        window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds, re-checking each turn of the event loop; fails after `limit`.
async fn until(what: &str, limit: Duration, condition: impl Fn() -> bool) {
    let started = js_sys::Date::now();
    while !condition() {
        assert!(js_sys::Date::now() - started < limit.as_millis() as f64, "{what} did not happen within {limit:?}");
        next_tick().await;
    }
}

/// Waits until `selector` matches an element, or fails after `limit`.
async fn wait_for(selector: &str, limit: Duration) -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let started = js_sys::Date::now();
    loop {
        if let Some(element) = document.query_selector(selector).unwrap() {
            return element;
        }
        assert!(
            js_sys::Date::now() - started < limit.as_millis() as f64,
            "nothing matched {selector} within {limit:?}"
        );
        next_tick().await;
    }
}

#[wasm_bindgen_test]
async fn panel_mounts_and_reports_an_unreachable_relay() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(host, App);

    let panel = wait_for("[data-testid=panel]", Duration::from_secs(5)).await;
    assert_eq!(panel.get_attribute("aria-label").as_deref(), Some("WhatsApp"));
    // The test runner's server has no relay behind it: the panel must say so rather than hang.
    let status = wait_for("[data-testid=relay-status][data-relay=unreachable]", Duration::from_secs(5)).await;
    assert!(status.text_content().unwrap().contains("cannot be reached"));
}
