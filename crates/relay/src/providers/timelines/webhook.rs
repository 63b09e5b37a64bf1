//! TimelinesAI's webhook body, read into a typed event: `{event_type, message: {message_uid, direction,
//! timestamp, text, attachments}, chat: {phone, is_group}, whatsapp_account: {phone}}`. TimelinesAI's shape stops
//! here; the route checks the secret, hands the body over and answers.

use serde::Deserialize;
use serde_json::Value;
use sidechat_domain::E164;

use super::wire::{millis, phone};

/// The message events the relay reads; any other is acknowledged and ignored.
const MESSAGE_EVENTS: [&str; 3] = ["message:received:new", "message:sent:new", "message:new"];

/// What a webhook says.
#[derive(Debug, PartialEq)]
pub enum Event {
    /// A customer wrote to one of the connection's accounts.
    Received {
        /// TimelinesAI's id of the message.
        uid: String,
        /// The customer.
        contact: E164,
        /// The account's number.
        business_phone: E164,
        /// When it was written (ms since the epoch), when the event says.
        at: Option<i64>,
        /// Its text, with the names of its files (their temporary URLs are not fetched).
        body: String,
    },
    /// A message went out from one of the connection's accounts.
    Sent {
        /// TimelinesAI's id of the message.
        uid: String,
    },
    /// Nothing the log keeps (another event, a group chat, or a message missing what the log needs: logged).
    Ignored,
}

/// Reads a webhook body; `Err` only when it is not JSON of the documented shape at all.
pub fn parse(body: &[u8]) -> Result<Event, serde_json::Error> {
    let event: WireEvent = serde_json::from_slice(body)?;
    if !event.event_type.as_deref().is_some_and(|t| MESSAGE_EVENTS.contains(&t)) {
        return Ok(Event::Ignored);
    }
    let message = event.message.unwrap_or_default();
    let Some(uid) = message.message_uid.clone().filter(|uid| !uid.is_empty()) else {
        tracing::warn!("a TimelinesAI message event without a message_uid was skipped");
        return Ok(Event::Ignored);
    };
    // The message's direction, or else what the event type says.
    let direction = message.direction.as_deref().or(match event.event_type.as_deref() {
        Some("message:received:new") => Some("received"),
        Some("message:sent:new") => Some("sent"),
        _ => None,
    });
    Ok(match direction {
        Some("received") => {
            let chat = event.chat.unwrap_or_default();
            let account = event.whatsapp_account.unwrap_or_default();
            let (Some(contact), Some(business_phone)) = (phone(&chat.phone), phone(&account.phone)) else {
                tracing::warn!("a TimelinesAI message without chat or account phone was skipped");
                return Ok(Event::Ignored);
            };
            if chat.is_group == Some(true) {
                return Ok(Event::Ignored);
            }
            Event::Received { uid, contact, business_phone, at: millis(&message.timestamp), body: text(&message) }
        }
        Some("sent") => Event::Sent { uid },
        _ => Event::Ignored,
    })
}

/// The message's text, with the names of its files.
fn text(message: &WireMessage) -> String {
    let mut lines: Vec<String> =
        message.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).into_iter().collect();
    for file in &message.attachments {
        let name = file.filename.as_deref().filter(|n| !n.is_empty()).unwrap_or("file");
        lines.push(format!("[attachment: {name}]"));
    }
    lines.join("\n")
}

#[derive(Deserialize)]
struct WireEvent {
    event_type: Option<String>,
    message: Option<WireMessage>,
    chat: Option<Chat>,
    whatsapp_account: Option<Account>,
}

#[derive(Deserialize, Default)]
struct WireMessage {
    message_uid: Option<String>,
    direction: Option<String>,
    /// Seconds, milliseconds or a date, as a number or a string: read by [`millis`].
    #[serde(default)]
    timestamp: Value,
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<Attachment>,
}

#[derive(Deserialize)]
struct Attachment {
    filename: Option<String>,
}

#[derive(Deserialize, Default)]
struct Chat {
    /// Read by [`phone`], which takes any way TimelinesAI writes a number.
    #[serde(default)]
    phone: Value,
    is_group: Option<bool>,
}

#[derive(Deserialize, Default)]
struct Account {
    #[serde(default)]
    phone: Value,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(event: serde_json::Value) -> Event {
        parse(&serde_json::to_vec(&event).unwrap()).unwrap()
    }

    #[test]
    fn a_received_message_names_its_files_in_the_text() {
        let event = read(json!({"event_type": "message:received:new",
            "message": {"message_uid": "u1", "timestamp": "2026-01-01T10:00:00Z", "text": " See attached ",
                        "attachments": [{"filename": "offer.pdf"}, {"mimetype": "image/jpeg"}]},
            "chat": {"phone": "+49 89 63648018", "is_group": false}, "whatsapp_account": {"phone": "4930901820"}}));
        assert_eq!(
            event,
            Event::Received {
                uid: "u1".into(),
                contact: E164::parse("+498963648018").unwrap(),
                business_phone: E164::parse("+4930901820").unwrap(),
                at: Some(1_767_261_600_000),
                body: "See attached\n[attachment: offer.pdf]\n[attachment: file]".into(),
            }
        );
    }

    #[test]
    fn the_direction_falls_back_to_the_event_type_and_the_rest_is_ignored() {
        let sent = json!({"event_type": "message:new", "message": {"message_uid": "u2", "direction": "sent"}});
        assert_eq!(read(sent), Event::Sent { uid: "u2".into() });
        assert_eq!(
            read(json!({"event_type": "message:sent:new", "message": {"message_uid": "u3"}})),
            Event::Sent { uid: "u3".into() }
        );
        assert_eq!(read(json!({"event_type": "message:new", "message": {"message_uid": "u4"}})), Event::Ignored);
        assert_eq!(read(json!({"event_type": "chat:new"})), Event::Ignored);
        let group = json!({"event_type": "message:received:new", "message": {"message_uid": "u5"},
            "chat": {"phone": "+498963648018", "is_group": true}, "whatsapp_account": {"phone": "+4930901820"}});
        assert_eq!(read(group), Event::Ignored);
        assert!(parse(b"[1, 2]").is_err());
    }
}
