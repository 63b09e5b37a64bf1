//! The browser side of the protocol: one `message` listener that hears only the parent window from
//! `serviceOrigin`, `REGISTER`, and calls matched to their answers by promise id.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::MessageEvent;

use super::wire::{self, Call, Context, Incoming, PageLoad};
use crate::host::HostError;

/// How long the CRM has to send its context and `PageLoad` after `REGISTER`.
const CONNECT_LIMIT_MS: i32 = 15_000;

/// The SDK numbers its promises from 100.
const FIRST_PROMISE: u32 = 100;

/// The connection to the CRM page.
pub(super) struct Channel {
    service_origin: String,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    context: Option<Context>,
    page: Option<PageLoad>,
    next_promise: u32,
    /// Calls waiting for their answers: resolve and reject, by promise id.
    pending: Vec<(String, (Function, Function))>,
    /// Resolved with `true` once context and page are known, `false` when the CRM stays silent.
    connected: Option<Function>,
    /// Resolved when `connect` has finished: later calls wait on it.
    ready: Option<(Promise, Function)>,
    listening: bool,
}

impl State {
    /// Takes the call waiting for the answer to `promise_id` (a handful wait at most, so a list serves).
    fn take_pending(&mut self, promise_id: &str) -> Option<(Function, Function)> {
        let at = self.pending.iter().position(|(id, _)| id == promise_id)?;
        Some(self.pending.swap_remove(at).1)
    }
}

impl Channel {
    pub(super) fn new(service_origin: String) -> Self {
        Self { service_origin, state: RefCell::new(State { next_promise: FIRST_PROMISE, ..State::default() }) }
    }

    pub(super) fn context(&self) -> Option<Context> {
        self.state.borrow().context.clone()
    }

    pub(super) fn page(&self) -> Option<PageLoad> {
        self.state.borrow().page.clone()
    }

    /// Listens, posts `REGISTER`, and waits for `SET_CONTEXT` and `PageLoad`.
    pub(super) async fn connect(self: &std::rc::Rc<Self>) -> Result<(), HostError> {
        self.listen()?;
        let connected = Promise::new(&mut |resolve, _| {
            self.state.borrow_mut().connected = Some(resolve);
        });
        let window = web_sys::window().ok_or(HostError::NoHost)?;
        let give_up = Closure::once_into_js({
            let channel = self.clone();
            move || channel.settle_connected(false)
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(give_up.unchecked_ref(), CONNECT_LIMIT_MS);
        self.post(&wire::register(&app_origin()))?;
        let heard = JsFuture::from(connected).await.ok().and_then(|ok| ok.as_bool()).unwrap_or(false);
        if heard { Ok(()) } else { Err(HostError::NoHost) }
    }

    /// Lets the calls waiting in [`Channel::ready`] go on (or fail with the connection).
    pub(super) fn finish_connecting(&self, outcome: &Result<(), HostError>) {
        let (_, resolve) = self.ready_promise();
        let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(outcome.is_ok()));
    }

    /// Waits until `connect` has finished; fails if it failed.
    pub(super) async fn ready(&self) -> Result<(), HostError> {
        let (promise, _) = self.ready_promise();
        match JsFuture::from(promise).await.ok().and_then(|ok| ok.as_bool()) {
            Some(true) => Ok(()),
            _ => Err(HostError::NoHost),
        }
    }

    fn ready_promise(&self) -> (Promise, Function) {
        if let Some((promise, resolve)) = self.state.borrow().ready.clone() {
            return (promise, resolve);
        }
        let mut resolver = None;
        let promise = Promise::new(&mut |resolve, _| resolver = Some(resolve));
        let resolve = resolver.expect("a promise's executor runs at once");
        self.state.borrow_mut().ready = Some((promise.clone(), resolve.clone()));
        (promise, resolve)
    }

    /// Makes a call and waits for its answer (which may be a `Blob`, for files).
    pub(super) async fn call(&self, call: &Call<'_>) -> Result<JsValue, HostError> {
        let answer = self.send(call)?;
        JsFuture::from(answer).await.map_err(|error| HostError::Refused(describe(&error)))
    }

    /// Makes a call and reads its answer as JSON.
    pub(super) async fn call_json(&self, call: &Call<'_>) -> Result<Value, HostError> {
        Ok(json_of(&self.call(call).await?))
    }

    /// Posts a call now; the promise settles with its answer.
    fn send(&self, call: &Call<'_>) -> Result<Promise, HostError> {
        let unique_id = self.context().ok_or(HostError::NoHost)?.unique_id;
        let promise_id = {
            let mut state = self.state.borrow_mut();
            let id = format!("Promise{}", state.next_promise);
            state.next_promise += 1;
            id
        };
        let answer = Promise::new(&mut |resolve, reject| {
            self.state.borrow_mut().pending.push((promise_id.clone(), (resolve, reject)));
        });
        let message = wire::crm_event(&unique_id, js_sys::Date::now(), &promise_id, call, &app_origin());
        if let Err(error) = self.post(&message) {
            self.state.borrow_mut().take_pending(&promise_id);
            return Err(error);
        }
        Ok(answer)
    }

    /// Posts to the parent window, to `serviceOrigin` only.
    fn post(&self, message: &Value) -> Result<(), HostError> {
        let parent = web_sys::window().and_then(|w| w.parent().ok().flatten()).ok_or(HostError::NoHost)?;
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let message = message.serialize(&serializer).map_err(|e| HostError::Malformed(e.to_string()))?;
        parent.post_message(&message, &self.service_origin).map_err(|error| HostError::Refused(describe(&error)))
    }

    /// Installs the one `message` listener (for the panel's lifetime).
    fn listen(self: &std::rc::Rc<Self>) -> Result<(), HostError> {
        if std::mem::replace(&mut self.state.borrow_mut().listening, true) {
            return Ok(());
        }
        let channel = self.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| channel.receive(&event));
        let window = web_sys::window().ok_or(HostError::NoHost)?;
        window
            .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())
            .map_err(|error| HostError::Refused(describe(&error)))?;
        on_message.forget();
        Ok(())
    }

    fn receive(&self, event: &MessageEvent) {
        if !wire::accepts(from_parent(event), &event.origin(), &self.service_origin) {
            return;
        }
        let mut data = event.data();
        // The SDK also takes messages sent as JSON text.
        if let Some(text) = data.as_string() {
            data = js_sys::JSON::parse(&text).unwrap_or(JsValue::UNDEFINED);
        }
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).unwrap_or(JsValue::UNDEFINED);
        let kind = field("type").as_string().unwrap_or_default();
        let event_name = field("eventName").as_string().unwrap_or_default();
        let payload = field("data");
        match Incoming::classify(&kind, &event_name) {
            Incoming::Context => {
                if let Some(context) = Context::from_data(&json_of(&payload)) {
                    self.state.borrow_mut().context = Some(context);
                    self.check_connected();
                }
            }
            Incoming::PageLoad => {
                if let Some(page) = PageLoad::from_data(&json_of(&payload)) {
                    self.state.borrow_mut().page = Some(page);
                    self.check_connected();
                }
            }
            Incoming::Answer { ok } => {
                let promise_id = field("promiseid").as_string().unwrap_or_default();
                let waiting = self.state.borrow_mut().take_pending(&promise_id);
                if let Some((resolve, reject)) = waiting {
                    let _ = if ok { resolve } else { reject }.call1(&JsValue::NULL, &payload);
                }
            }
            Incoming::Other => {}
        }
    }

    fn check_connected(&self) {
        let known = {
            let state = self.state.borrow();
            state.context.is_some() && state.page.is_some()
        };
        if known {
            self.settle_connected(true);
        }
    }

    fn settle_connected(&self, heard: bool) {
        let waiting = self.state.borrow_mut().connected.take();
        if let Some(resolve) = waiting {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_bool(heard));
        }
    }
}

/// Whether the message was posted by this frame's parent window.
fn from_parent(event: &MessageEvent) -> bool {
    let parent = web_sys::window().and_then(|w| w.parent().ok().flatten());
    match (event.source(), parent) {
        (Some(source), Some(parent)) => js_sys::Object::is(&source, parent.as_ref()),
        _ => false,
    }
}

/// The page's URL without query, encoded, as the SDK sends it in `appOrigin`.
fn app_origin() -> String {
    let location = web_sys::window().map(|w| w.location());
    let part = |read: fn(&web_sys::Location) -> Result<String, JsValue>| {
        location.as_ref().and_then(|l| read(l).ok()).unwrap_or_default()
    };
    let url = format!(
        "{}//{}{}",
        part(web_sys::Location::protocol),
        part(web_sys::Location::host),
        part(web_sys::Location::pathname)
    );
    js_sys::encode_uri_component(&url).into()
}

/// A JS value as JSON data (`null` for what JSON cannot hold). Read straight from the JS value: going through
/// `JSON.stringify` and `serde_json::from_str` would bring serde_json's parser into the module.
fn json_of(value: &JsValue) -> Value {
    serde_wasm_bindgen::from_value(value.clone()).unwrap_or(Value::Null)
}

/// An error answer for people: its text, or its JSON.
fn describe(error: &JsValue) -> String {
    error
        .as_string()
        .or_else(|| js_sys::JSON::stringify(error).ok().and_then(|text| text.as_string()))
        .unwrap_or_else(|| "no reason given".to_owned())
}
