//! The Pipedrive adapter against `@pipedrive/app-extensions-sdk` itself (the npm package, pinned in
//! package.json): for each call the widget makes, the SDK and the adapter post to the same recording host, and
//! their messages must match in structure and values, panel id and transferred port included.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use sidechat_widget::host::Notice;
use sidechat_widget::host::pipedrive::{PanelContext, Pipedrive};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::until;

/// The SDK's browser build, as npm installs it (`cargo xtask test` runs `npm ci` first).
const SDK_SOURCE: &str = include_str!("../../node_modules/@pipedrive/app-extensions-sdk/dist/index.umd.js");

/// The `id` Pipedrive gives the panel's iframe; both sides send it.
const PANEL_ID: &str = "0b6c2d8e-panel";

/// The token the recording host answers `get_signed_token` with.
const FRESH_TOKEN: &str = "fresh.signed.token";

const LIMIT: Duration = Duration::from_secs(5);

#[wasm_bindgen(module = "/tests/browser/pipedrive-recorder.js")]
extern "C" {
    /// Plays Pipedrive: records what is posted for one panel id, answers commands, feeds listeners.
    pub(crate) type PipedriveRecorder;
    #[wasm_bindgen(constructor)]
    pub(crate) fn new(id: &str, token: &str) -> PipedriveRecorder;
    #[wasm_bindgen(method)]
    fn take(this: &PipedriveRecorder) -> js_sys::Array;
    #[wasm_bindgen(method)]
    fn pending(this: &PipedriveRecorder) -> u32;
    #[wasm_bindgen(method)]
    fn emit(this: &PipedriveRecorder, event: &str, data: &JsValue);
    #[wasm_bindgen(method)]
    pub(crate) fn stop(this: &PipedriveRecorder);

    #[wasm_bindgen(js_name = loadSdk)]
    fn load_sdk(source: &str) -> js_sys::Function;
}

#[wasm_bindgen]
extern "C" {
    /// An `AppExtensionsSDK` instance.
    type Sdk;
    #[wasm_bindgen(method, catch)]
    async fn initialize(this: &Sdk, options: JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    async fn execute(this: &Sdk, command: &str, args: JsValue) -> Result<JsValue, JsValue>;
    /// `execute(command)` with no arguments at all, as one calls `get_signed_token`.
    #[wasm_bindgen(method, catch, js_name = execute)]
    async fn execute_bare(this: &Sdk, command: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method)]
    fn listen(this: &Sdk, event: &str, callback: &js_sys::Function) -> js_sys::Function;
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn field(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |value, name| js_sys::Reflect::get(&value, &(*name).into()).unwrap())
}

impl PipedriveRecorder {
    /// Waits until `count` messages are in the log, then takes them.
    async fn expect(&self, count: u32, what: &str) -> Vec<String> {
        until(what, LIMIT, || self.pending() >= count).await;
        self.take().iter().filter_map(|entry| entry.as_string()).collect()
    }
}

/// The SDK made as a panel makes it, posting to this window (`window.parent` of a top-level page).
fn official_sdk() -> Sdk {
    let options = json(&format!(r#"{{"identifier": "{PANEL_ID}"}}"#));
    js_sys::Reflect::construct(&load_sdk(SDK_SOURCE), &js_sys::Array::of1(&options)).unwrap().unchecked_into()
}

fn adapter() -> Pipedrive {
    let query = format!("?id={PANEL_ID}&userId=1&companyId=1&token=a.b.c&resource=person&selectedIds=1&theme=light");
    Pipedrive::new(PanelContext::from_query(&query).unwrap())
}

/// What a call posted, with the SDK and with the adapter: the same messages, one at least.
fn same(call: &str, sdk: &[String], ours: &[String]) {
    assert!(!sdk.is_empty(), "the SDK posted nothing for {call}");
    assert_eq!(ours, sdk, "the adapter's messages for {call} differ from the SDK's");
}

#[wasm_bindgen_test]
async fn the_adapter_posts_what_the_official_sdk_posts_for_every_call_the_panel_makes() {
    let host = PipedriveRecorder::new(PANEL_ID, FRESH_TOKEN);
    let sdk = official_sdk();
    let ours = adapter();

    // initialize, with the panel's height: a command with its answer port.
    sdk.initialize(json(r#"{"size": {"height": 160}}"#)).await.unwrap();
    let expected = host.take().iter().filter_map(|m| m.as_string()).collect::<Vec<_>>();
    ours.initialize(160.0).await.unwrap();
    same("initialize", &expected, &host.expect(1, "initialize").await);
    assert_eq!(
        expected,
        [format!(
            "{{message: {{id: \"{PANEL_ID}\", payload: {{args: {{size: {{height: 160}}}}, command: \"initialize\", \
             type: \"command\"}}}}, ports: [MessagePort]}}"
        )]
    );

    sdk.execute("resize", json(r#"{"height": 412}"#)).await.unwrap();
    let expected = host.take().iter().filter_map(|m| m.as_string()).collect::<Vec<_>>();
    ours.resize(412.0);
    same("resize", &expected, &host.expect(1, "resize").await);

    sdk.execute("show_snackbar", json(r#"{"message": "Sent to +33612345678"}"#)).await.unwrap();
    let expected = host.take().iter().filter_map(|m| m.as_string()).collect::<Vec<_>>();
    ours.show_snackbar(&Notice { message: "Sent to +33612345678".into(), link: None });
    same("show_snackbar", &expected, &host.expect(1, "show_snackbar").await);

    let link = r#"{"message": "Failed", "link": {"url": "https://wa.me/33612345678", "label": "Open chat"}}"#;
    sdk.execute("show_snackbar", json(link)).await.unwrap();
    let expected = host.take().iter().filter_map(|m| m.as_string()).collect::<Vec<_>>();
    let link = Some(("https://wa.me/33612345678".into(), "Open chat".into()));
    ours.show_snackbar(&Notice { message: "Failed".into(), link });
    same("show_snackbar with a link", &expected, &host.expect(1, "show_snackbar with a link").await);

    // get_signed_token has no arguments: the SDK sends `args: undefined`.
    let answer = sdk.execute_bare("get_signed_token").await.unwrap();
    assert_eq!(field(&answer, &["token"]).as_string().as_deref(), Some(FRESH_TOKEN));
    let expected = host.take().iter().filter_map(|m| m.as_string()).collect::<Vec<_>>();
    assert_eq!(ours.signed_token().await.unwrap(), FRESH_TOKEN);
    same("get_signed_token", &expected, &host.expect(1, "get_signed_token").await);
    assert!(expected[0].contains("args: undefined"), "{expected:?}");

    // Listeners: a port each, and the events the host sends on it reach both.
    let heard = Rc::new(RefCell::new(Vec::<String>::new()));
    let remember = |who: &'static str, path: &'static [&'static str]| {
        let heard = heard.clone();
        Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
            heard.borrow_mut().push(format!("{who} {}", js_sys::JSON::stringify(&field(&event, path)).unwrap()));
        })
        .into_js_value()
        .unchecked_into::<js_sys::Function>()
    };
    for event in ["user_settings_change", "visibility"] {
        sdk.listen(event, &remember("sdk", &["data"]));
        let expected = host.expect(1, event).await;
        let heard = heard.clone();
        ours.listen(event, move |data| {
            heard.borrow_mut().push(format!("ours {}", js_sys::JSON::stringify(&data).unwrap()));
        });
        same(event, &expected, &host.expect(1, event).await);
    }
    host.emit("user_settings_change", &json(r#"{"theme": "dark"}"#));
    host.emit("visibility", &json(r#"{"is_visible": false}"#));
    until("both sides to hear both events", LIMIT, || heard.borrow().len() == 4).await;
    let mut heard = heard.borrow().clone();
    heard.sort();
    assert_eq!(
        heard,
        [
            r#"ours {"is_visible":false}"#,
            r#"ours {"theme":"dark"}"#,
            r#"sdk {"is_visible":false}"#,
            r#"sdk {"theme":"dark"}"#
        ]
    );

    // track `focused`: no port, once per focus until the window loses it again. Both sides hear the same
    // event, so the host gets two identical messages.
    let window = web_sys::window().unwrap();
    let focus = || window.dispatch_event(&web_sys::Event::new("focus").unwrap()).unwrap();
    focus();
    let tracked = host.expect(2, "track on focus").await;
    let track =
        format!("{{message: {{id: \"{PANEL_ID}\", payload: {{event: \"focused\", type: \"track\"}}}}, ports: []}}");
    assert_eq!(tracked, [track.clone(), track.clone()], "the SDK and the adapter each track the focus once");
    focus();
    // A last command marks the end: messages arrive in order, so a second track would come before it.
    ours.resize(413.0);
    let after = host.expect(1, "the marker").await;
    assert!(after.len() == 1 && after[0].contains("\"resize\""), "focus without blur tracked again: {after:?}");
    window.dispatch_event(&web_sys::Event::new("blur").unwrap()).unwrap();
    focus();
    assert_eq!(host.expect(2, "track after blur").await, [track.clone(), track]);
    host.stop();
}
