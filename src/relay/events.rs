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

/// An open event stream; closed when dropped.
pub struct EventStream {
    source: EventSource,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_status: Closure<dyn Fn(MessageEvent)>,
}

impl EventStream {
    /// Opens the stream; the browser reconnects by itself after a drop.
    pub(super) fn open(url: &str, on_event: impl Fn(RelayEvent) + 'static) -> Result<Self, JsValue> {
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
        Ok(Self { source, _on_message: on_message, _on_status: on_status })
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}
