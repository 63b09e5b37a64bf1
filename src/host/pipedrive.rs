//! Pipedrive's custom panel protocol, as `@pipedrive/app-extensions-sdk` speaks it, without the SDK: the panel
//! posts `{payload: {command, args, type: 'command'}, id}` to its parent with a `MessageChannel` port, and the
//! answer comes back on that port as `{data}` or `{error}`; listeners (`{type: 'listener', event}`) get every
//! event on their port; `{type: 'track', event: 'focused'}` goes without a port each time the panel gains focus.
//! `tests/browser/pipedrive_sdk.rs` checks each message against what the SDK itself posts.

use std::cell::Cell;
use std::rc::Rc;

use serde::Serialize;
use sidechat_domain::wire::RecordKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageChannel, MessageEvent, MessagePort};

use super::{HostError, Notice, RecordRef};

/// What Pipedrive puts on the panel's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelContext {
    /// The iframe's runtime id, sent with every message.
    pub id: String,
    /// The Pipedrive user.
    pub user_id: String,
    /// The Pipedrive company.
    pub company_id: String,
    /// The signed JWT identifying both.
    pub token: String,
    /// `person`, `deal` or `organization`.
    pub resource: Option<String>,
    /// The record's id.
    pub selected_ids: Option<String>,
    /// `details`.
    pub view: Option<String>,
    /// `light` or `dark`.
    pub theme: Option<String>,
}

impl PanelContext {
    /// Reads the URL's query string; `None` when it is not a Pipedrive panel URL (no `id` or no `token`).
    pub fn from_query(search: &str) -> Option<Self> {
        let params: Vec<(String, String)> = search
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        let get = |name: &str| params.iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.clone());
        Some(Self {
            id: get("id")?,
            token: get("token")?,
            user_id: get("userId").unwrap_or_default(),
            company_id: get("companyId").unwrap_or_default(),
            resource: get("resource"),
            selected_ids: get("selectedIds"),
            view: get("view"),
            theme: get("theme").filter(|t| t == "light" || t == "dark"),
        })
    }
}

/// Percent-decoding of a query component (`+` is a space); malformed escapes stay as they are.
fn decode(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    urlencoding::decode(&spaced).map(|text| text.into_owned()).unwrap_or(spaced)
}

/// The Pipedrive host.
#[derive(Clone)]
pub struct Pipedrive {
    context: PanelContext,
    /// The height last asked for, so the same height is not asked for again.
    height: Rc<Cell<f64>>,
}

/// The heights Pipedrive gives a custom panel (its documentation: 100 to 750 px; only the height changes).
pub const PANEL_HEIGHTS: std::ops::RangeInclusive<f64> = 100.0..=750.0;

/// The height to ask for a panel whose content is `content` px high: whole pixels, within Pipedrive's limits
/// (taller content scrolls inside the panel).
pub fn panel_height(content: f64) -> f64 {
    if content.is_nan() {
        return *PANEL_HEIGHTS.start();
    }
    content.round().clamp(*PANEL_HEIGHTS.start(), *PANEL_HEIGHTS.end())
}

#[derive(Serialize)]
struct Envelope<'a, P: Serialize> {
    payload: P,
    id: &'a str,
}

#[derive(Serialize)]
struct Command<'a, A: Serialize> {
    command: &'a str,
    args: A,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Listener<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    event: &'a str,
}

#[derive(Serialize)]
struct Track {
    #[serde(rename = "type")]
    kind: &'static str,
    event: &'static str,
}

#[derive(Serialize)]
struct Size {
    height: f64,
}

#[derive(Serialize)]
struct SnackbarArgs {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<SnackbarLink>,
}

#[derive(Serialize)]
struct SnackbarLink {
    url: String,
    label: String,
}

#[derive(Serialize)]
struct InitializeArgs {
    size: Size,
}

impl Pipedrive {
    /// The host for a panel URL.
    pub fn new(context: PanelContext) -> Self {
        Self { context, height: Rc::new(Cell::new(f64::NAN)) }
    }

    /// What the URL said.
    pub fn context(&self) -> &PanelContext {
        &self.context
    }

    /// The record the panel is on.
    pub fn record(&self) -> Option<RecordRef> {
        // Sidechat's panels sit on persons and deals only.
        let kind = RecordKind::parse(self.context.resource.as_deref()?)?;
        let id = self.context.selected_ids.as_deref()?.split(',').next()?.to_owned();
        Some(RecordRef { kind, id })
    }

    /// `initialize` with the panel's height; waits for Pipedrive's answer. From then on the panel also tells
    /// Pipedrive when it gains focus, as the SDK does from its start.
    pub async fn initialize(&self, height: f64) -> Result<(), HostError> {
        self.track_focus();
        let height = panel_height(height);
        self.height.set(height);
        self.command("initialize", InitializeArgs { size: Size { height } }).await.map(drop)
    }

    /// `get_signed_token`: a fresh JWT (valid 5 minutes) for the relay.
    pub async fn signed_token(&self) -> Result<String, HostError> {
        // The SDK's `execute('get_signed_token')` sends `args: undefined`, which `()` becomes.
        let answer = self.command("get_signed_token", ()).await?;
        js_sys::Reflect::get(&answer, &"token".into())
            .ok()
            .and_then(|token| token.as_string())
            .ok_or_else(|| HostError::Malformed("get_signed_token answered without a token".to_owned()))
    }

    /// `show_snackbar` with the notice's message and link (fire and forget).
    pub fn show_snackbar(&self, notice: &Notice) {
        let host = self.clone();
        let args = SnackbarArgs {
            message: notice.message.clone(),
            link: notice.link.clone().map(|(url, label)| SnackbarLink { url, label }),
        };
        wasm_bindgen_futures::spawn_local(async move {
            let _ = host.command("show_snackbar", args).await;
        });
    }

    /// `resize` to the panel's height, within Pipedrive's limits, unless that is the height already asked for
    /// (fire and forget).
    pub fn resize(&self, height: f64) {
        let height = panel_height(height);
        if self.height.replace(height) == height {
            return;
        }
        let host = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = host.command("resize", Size { height }).await;
        });
    }

    /// Listens to `user_settings_change` and reports the new theme.
    pub fn listen_theme(&self, on_theme: impl Fn(String) + 'static) {
        self.listen("user_settings_change", move |data| {
            if let Some(theme) = js_sys::Reflect::get(&data, &"theme".into()).ok().and_then(|t| t.as_string()) {
                on_theme(theme);
            }
        });
    }

    /// Subscribes to a Pipedrive event (`user_settings_change`, `visibility`…) for the panel's lifetime;
    /// `on_data` gets each event's `data`. An `{error}` on the port ends the subscription, as in the SDK.
    pub fn listen(&self, event: &str, on_data: impl Fn(JsValue) + 'static) {
        let handler = Closure::<dyn Fn(MessageEvent)>::new(move |message: MessageEvent| {
            let field = |name: &str| js_sys::Reflect::get(&message.data(), &name.into()).unwrap_or(JsValue::UNDEFINED);
            let error = field("error");
            if error.is_undefined() || error.is_null() {
                on_data(field("data"));
            } else if let Some(port) = message.target().and_then(|target| target.dyn_into::<MessagePort>().ok()) {
                port.close();
            }
        });
        let _ = self.post_with_channel(&Listener { kind: "listener", event }, handler.as_ref().unchecked_ref());
        // The listener lives as long as the panel.
        handler.forget();
    }

    /// Posts `track` `focused` whenever the panel's window gains focus, once until it loses it again.
    fn track_focus(&self) {
        let Some(window) = web_sys::window() else { return };
        let armed = Rc::new(Cell::new(true));
        let host = self.clone();
        let on_focus = Closure::<dyn Fn()>::new({
            let armed = armed.clone();
            move || {
                if armed.replace(false) {
                    let _ = host.post(&Track { kind: "track", event: "focused" }, None);
                }
            }
        });
        let on_blur = Closure::<dyn Fn()>::new(move || armed.set(true));
        let _ = window.add_event_listener_with_callback("focus", on_focus.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("blur", on_blur.as_ref().unchecked_ref());
        // Both live as long as the panel.
        on_focus.forget();
        on_blur.forget();
    }

    /// Sends a command and waits for its answer on a fresh port.
    async fn command<A: Serialize>(&self, command: &str, args: A) -> Result<JsValue, HostError> {
        let promise = js_sys::Promise::new(&mut |resolve, reject: js_sys::Function| {
            let refuse = reject.clone();
            let answer = Closure::once_into_js(move |event: MessageEvent| {
                // One answer per command: the SDK closes the port once it has it.
                if let Some(port) = event.target().and_then(|target| target.dyn_into::<MessagePort>().ok()) {
                    port.close();
                }
                let data = event.data();
                let error = js_sys::Reflect::get(&data, &"error".into()).unwrap_or(JsValue::UNDEFINED);
                if error.is_undefined() || error.is_null() {
                    let _ = resolve.call1(
                        &JsValue::NULL,
                        &js_sys::Reflect::get(&data, &"data".into()).unwrap_or(JsValue::UNDEFINED),
                    );
                } else {
                    let _ = refuse.call1(&JsValue::NULL, &error);
                }
            });
            if let Err(error) =
                self.post_with_channel(&Command { command, args: &args, kind: "command" }, answer.unchecked_ref())
            {
                let _ = reject.call1(&JsValue::NULL, &error);
            }
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|error| {
            let reason = error.as_string().or_else(|| js_sys::JSON::stringify(&error).ok().map(String::from));
            HostError::Refused(reason.unwrap_or_else(|| format!("`{command}` failed")))
        })
    }

    /// Posts `{payload, id}` with the second port of a new channel; `on_message` hears the first.
    fn post_with_channel<P: Serialize>(&self, payload: &P, on_message: &js_sys::Function) -> Result<(), JsValue> {
        let channel = MessageChannel::new()?;
        channel.port1().set_onmessage(Some(on_message));
        self.post(payload, Some(channel.port2()))
    }

    /// Posts `{payload, id}` to the parent window (to any origin, as the SDK does), with `port` if given.
    fn post<P: Serialize>(&self, payload: &P, port: Option<MessagePort>) -> Result<(), JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let parent = window.parent()?.ok_or_else(|| JsValue::from_str("no parent window"))?;
        let message = serde_wasm_bindgen::to_value(&Envelope { payload, id: &self.context.id })?;
        match port {
            Some(port) => parent.post_message_with_transfer(&message, "*", &js_sys::Array::of1(&port)),
            None => parent.post_message(&message, "*"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_panel_url() {
        let context = PanelContext::from_query(
            "?id=5f1a&userId=12345&companyId=54321&token=a.b.c&resource=deal&view=details&selectedIds=3&theme=dark",
        )
        .unwrap();
        assert_eq!(context.id, "5f1a");
        assert_eq!(context.company_id, "54321");
        assert_eq!(context.theme.as_deref(), Some("dark"));
        let host = Pipedrive::new(context);
        assert_eq!(host.record(), Some(RecordRef { kind: RecordKind::Deal, id: "3".into() }));
    }

    #[test]
    fn panel_heights_are_whole_pixels_within_pipedrives_limits() {
        assert_eq!(panel_height(412.4), 412.0);
        assert_eq!(panel_height(40.0), 100.0);
        assert_eq!(panel_height(2_000.0), 750.0);
        assert_eq!(panel_height(f64::NAN), 100.0);
    }

    #[test]
    fn not_a_panel_url_without_id_or_token() {
        assert_eq!(PanelContext::from_query("?token=a.b.c"), None);
        assert_eq!(PanelContext::from_query("?id=1"), None);
        assert_eq!(PanelContext::from_query(""), None);
    }

    #[test]
    fn query_values_are_decoded_and_bad_themes_ignored() {
        let context = PanelContext::from_query("?id=a%2Fb&token=x%2By&theme=blue&resource=person").unwrap();
        assert_eq!(context.id, "a/b");
        assert_eq!(context.token, "x+y");
        assert_eq!(context.theme, None);
        assert_eq!(decode("50%"), "50%");
        assert_eq!(decode("a+b%20c"), "a b c");
    }
}
