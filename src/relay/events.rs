//! The relay's Server-Sent Events for one number: new messages and status changes, as they happen.

use sidechat_domain::wire::{Message, StatusEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{EventSource, MessageEvent};

use super::json;

/// Something that happened to the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// A message, new (an inbound reply) or sent from elsewhere.
    Message(Message),
    /// A message's delivery status moved.
    Status(StatusEvent),
}

/// What happened to the stream itself, beside its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamChange {
    /// Connected for the first time.
    Opened,
    /// The browser connected again after a drop: whatever happened in between was not told.
    Reconnected,
    /// The relay refused the stream (an expired credential, a relay error): the browser does not try again.
    Closed,
}

/// An open event stream; closed when dropped.
pub struct EventStream {
    source: EventSource,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_status: Closure<dyn Fn(MessageEvent)>,
    _on_open: Closure<dyn Fn()>,
    _on_error: Closure<dyn Fn()>,
}

impl EventStream {
    /// Opens the stream. The browser reconnects by itself after a network drop (`on_change` hears
    /// [`StreamChange::Reconnected`]), but not after an HTTP error ([`StreamChange::Closed`]).
    pub fn open(
        url: &str,
        on_event: impl Fn(RelayEvent) + 'static,
        on_change: impl Fn(StreamChange) + 'static,
    ) -> Result<Self, JsValue> {
        let source = EventSource::new(url)?;
        let on_event = std::rc::Rc::new(on_event);
        let deliver = on_event.clone();
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(message) = event.data().as_string().and_then(|data| json::parse(&data)) {
                deliver(RelayEvent::Message(message));
            }
        });
        let on_status = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(status) = event.data().as_string().and_then(|data| json::parse(&data)) {
                on_event(RelayEvent::Status(status));
            }
        });
        source.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
        source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref())?;
        let on_change = std::rc::Rc::new(on_change);
        let opened_before = std::cell::Cell::new(false);
        let opened = on_change.clone();
        let on_open = Closure::<dyn Fn()>::new(move || {
            opened(if opened_before.replace(true) { StreamChange::Reconnected } else { StreamChange::Opened });
        });
        let closing = source.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            // A network drop leaves the source `CONNECTING` (the browser retries); a refusal leaves it `CLOSED`.
            if closing.ready_state() == EventSource::CLOSED {
                on_change(StreamChange::Closed);
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self { source, _on_message: on_message, _on_status: on_status, _on_open: on_open, _on_error: on_error })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.set_onopen(None);
        self.source.set_onerror(None);
        self.source.close();
    }
}
