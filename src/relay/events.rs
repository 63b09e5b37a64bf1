//! The relay's Server-Sent Events for one number: new messages and status changes, as they happen.
//!
//! A stream is opened with a single-use ticket, so the browser must never connect again by itself: the first
//! error of any kind closes the stream, and the panel opens a new one with a new ticket.

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
    /// The stream fell behind and missed events (`event: reload`): read the history again.
    Reload,
}

/// What happened to the stream itself, beside its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamChange {
    /// Connected.
    Opened,
    /// The relay will end the stream soon (`event: expiring`, 30 s before): open the next one now.
    Expiring,
    /// The stream ended: refused, dropped by the network, or ended by the relay. It is closed for good.
    Closed,
}

/// An open event stream; closed when dropped.
pub struct EventStream {
    source: EventSource,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_status: Closure<dyn Fn(MessageEvent)>,
    _on_expiring: Closure<dyn Fn()>,
    _on_reload: Closure<dyn Fn()>,
    _on_open: Closure<dyn Fn()>,
    _on_error: Closure<dyn Fn()>,
}

impl EventStream {
    /// Opens the stream. `on_change` hears [`StreamChange::Opened`] once connected, [`StreamChange::Expiring`]
    /// when the relay announces the end, and [`StreamChange::Closed`] at the first error, after which the
    /// stream says nothing more (its ticket is spent: the browser is not left to connect again with it).
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
        let told = on_event.clone();
        let on_status = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(status) = event.data().as_string().and_then(|data| json::parse(&data)) {
                told(RelayEvent::Status(status));
            }
        });
        let on_reload = Closure::<dyn Fn()>::new(move || on_event(RelayEvent::Reload));
        let on_change = std::rc::Rc::new(on_change);
        // `ends_at` is not needed: the next stream is opened at once.
        let expiring = on_change.clone();
        let on_expiring = Closure::<dyn Fn()>::new(move || expiring(StreamChange::Expiring));
        source.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref())?;
        source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref())?;
        source.add_event_listener_with_callback("expiring", on_expiring.as_ref().unchecked_ref())?;
        source.add_event_listener_with_callback("reload", on_reload.as_ref().unchecked_ref())?;
        let opened = on_change.clone();
        let on_open = Closure::<dyn Fn()>::new(move || opened(StreamChange::Opened));
        let closing = source.clone();
        let on_error = Closure::<dyn Fn()>::new(move || {
            // A network drop leaves the source `CONNECTING`, and the browser would connect again with the spent
            // ticket: close it whatever the error. A closed source fires nothing more.
            closing.close();
            on_change(StreamChange::Closed);
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            source,
            _on_message: on_message,
            _on_status: on_status,
            _on_expiring: on_expiring,
            _on_reload: on_reload,
            _on_open: on_open,
            _on_error: on_error,
        })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.set_onopen(None);
        self.source.set_onerror(None);
        self.source.close();
    }
}
