//! The Cloud API's webhook body, read into typed events: `{entry: [{changes: [{value: {metadata:
//! {phone_number_id}, messages: […], statuses: […]}}]}]}`. Meta's shape stops here; the route verifies the
//! signature, hands the body over and answers. A message or status missing what the log needs is skipped (with a
//! warning), never a reason to refuse the whole body: Meta would post it again and again.

use serde::Deserialize;
use sidechat_domain::E164;
use sidechat_domain::wire::DeliveryStatus;

/// What one change of a webhook says about one business number.
#[derive(Debug, PartialEq)]
pub struct Change {
    /// The business number it concerns (Meta's phone number id).
    pub phone_number_id: String,
    /// Messages customers sent.
    pub messages: Vec<Inbound>,
    /// Status reports of messages sent.
    pub statuses: Vec<StatusReport>,
}

/// A message a customer sent.
#[derive(Debug, PartialEq)]
pub struct Inbound {
    /// The customer.
    pub contact: E164,
    /// Meta's id of the message (`wamid…`).
    pub provider_id: String,
    /// When it was sent, in ms since the epoch.
    pub at: i64,
    /// Its text: the text, a button's or a reply's title, or the kind of media with its caption.
    pub body: String,
    /// Its file, for a media message.
    pub media: Option<Media>,
}

/// The file of a media message, to be fetched from Meta.
#[derive(Debug, PartialEq)]
pub struct Media {
    /// The message's type (`image`, `document`…).
    pub kind: String,
    /// Meta's media id.
    pub id: String,
    /// Its declared type.
    pub mime: String,
    /// Its file name, for a document.
    pub filename: Option<String>,
}

/// A status report of a sent message.
#[derive(Debug, PartialEq)]
pub struct StatusReport {
    /// Meta's id of the message.
    pub provider_id: String,
    /// Its new status.
    pub status: DeliveryStatus,
    /// Why it failed: Meta's error code and its words.
    pub error: Option<(String, String)>,
}

/// Reads a webhook body; `Err` only when it is not JSON of the documented shape at all.
pub fn parse(body: &[u8]) -> Result<Vec<Change>, serde_json::Error> {
    let envelope: Envelope = serde_json::from_slice(body)?;
    Ok(envelope
        .entry
        .into_iter()
        .flat_map(|entry| entry.changes)
        .filter_map(|change| {
            let value = change.value?;
            let phone_number_id = value.metadata?.phone_number_id?;
            let messages = value.messages.into_iter().filter_map(inbound).collect();
            // `played` and other statuses the log does not track are left out.
            let statuses = value.statuses.into_iter().filter_map(status_report).collect();
            Some(Change { phone_number_id, messages, statuses })
        })
        .collect())
}

fn inbound(message: WireMessage) -> Option<Inbound> {
    let read = || {
        let contact = E164::parse(&format!("+{}", message.from.as_deref()?)).ok()?;
        let seconds: i64 = message.timestamp.as_deref()?.parse().ok()?;
        Some((contact, message.id.clone()?, seconds.saturating_mul(1000)))
    };
    let Some((contact, provider_id, at)) = read() else {
        tracing::warn!("an inbound message without sender, id or time was skipped");
        return None;
    };
    let kind = message.kind.as_deref().unwrap_or("unknown").to_owned();
    let media = match kind.as_str() {
        "image" => message.image.as_ref(),
        "video" => message.video.as_ref(),
        "audio" => message.audio.as_ref(),
        "document" => message.document.as_ref(),
        "sticker" => message.sticker.as_ref(),
        _ => None,
    };
    let title = |reply: &Option<Titled>| reply.as_ref().and_then(|r| r.title.clone());
    let body = match kind.as_str() {
        "text" => message.text.and_then(|text| text.body).unwrap_or_default(),
        "button" => message.button.and_then(|button| button.text).unwrap_or_default(),
        "interactive" => message
            .interactive
            .and_then(|i| title(&i.button_reply).or_else(|| title(&i.list_reply)))
            .unwrap_or_default(),
        other => match media.and_then(|media| media.caption.as_deref()) {
            Some(caption) => format!("[{other}] {caption}"),
            None => format!("[{other}]"),
        },
    };
    let media = media.and_then(|media| {
        Some(Media {
            kind: kind.clone(),
            id: media.id.clone()?,
            mime: media.mime_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned()),
            filename: media.filename.clone(),
        })
    });
    Some(Inbound { contact, provider_id, at, body, media })
}

fn status_report(report: WireStatus) -> Option<StatusReport> {
    let status = DeliveryStatus::parse(report.status.as_deref()?)?;
    let error = report.errors.into_iter().next().and_then(|error| {
        let code = error.code?.to_string();
        let details = error.error_data.and_then(|data| data.details);
        Some((code, details.or(error.message).or(error.title).unwrap_or_default()))
    });
    Some(StatusReport { provider_id: report.id?, status, error })
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<WireChange>,
}

#[derive(Deserialize)]
struct WireChange {
    value: Option<Value>,
}

#[derive(Deserialize)]
struct Value {
    metadata: Option<Metadata>,
    #[serde(default)]
    messages: Vec<WireMessage>,
    #[serde(default)]
    statuses: Vec<WireStatus>,
}

#[derive(Deserialize)]
struct Metadata {
    phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct WireMessage {
    from: Option<String>,
    id: Option<String>,
    timestamp: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    text: Option<Text>,
    button: Option<Button>,
    interactive: Option<Interactive>,
    image: Option<WireMedia>,
    video: Option<WireMedia>,
    audio: Option<WireMedia>,
    document: Option<WireMedia>,
    sticker: Option<WireMedia>,
}

#[derive(Deserialize)]
struct Text {
    body: Option<String>,
}

#[derive(Deserialize)]
struct Button {
    text: Option<String>,
}

#[derive(Deserialize)]
struct Interactive {
    button_reply: Option<Titled>,
    list_reply: Option<Titled>,
}

#[derive(Deserialize)]
struct Titled {
    title: Option<String>,
}

#[derive(Deserialize)]
struct WireMedia {
    id: Option<String>,
    mime_type: Option<String>,
    filename: Option<String>,
    caption: Option<String>,
}

#[derive(Deserialize)]
struct WireStatus {
    id: Option<String>,
    status: Option<String>,
    #[serde(default)]
    errors: Vec<WireError>,
}

#[derive(Deserialize)]
struct WireError {
    code: Option<i64>,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(value: serde_json::Value) -> Vec<Change> {
        let body = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}]});
        parse(&serde_json::to_vec(&body).unwrap()).unwrap()
    }

    #[test]
    fn messages_and_statuses_are_read_and_the_incomplete_skipped() {
        let changes = change(json!({
            "metadata": {"phone_number_id": "100"},
            "messages": [
                {"from": "498963648018", "id": "wamid.1", "timestamp": "1700000000", "type": "text", "text": {"body": "Hi"}},
                {"from": "498963648018", "id": "wamid.2", "timestamp": "1700000001", "type": "document",
                 "document": {"id": "m-1", "mime_type": "application/pdf", "filename": "offer.pdf", "caption": "our offer"}},
                {"from": "498963648018", "id": "wamid.3", "timestamp": "1700000002", "type": "interactive",
                 "interactive": {"type": "list_reply", "list_reply": {"id": "x", "title": "Tuesday"}}},
                {"id": "wamid.4", "timestamp": "1700000003", "type": "text", "text": {"body": "no sender"}}
            ],
            "statuses": [
                {"id": "wamid.9", "status": "failed", "errors": [{"code": 131026, "title": "Undeliverable",
                 "error_data": {"details": "Message undeliverable"}}]},
                {"id": "wamid.8", "status": "played"},
                {"id": "wamid.7", "status": "read"}
            ]
        }));
        assert_eq!(changes.len(), 1);
        let change = &changes[0];
        assert_eq!(change.phone_number_id, "100");
        let bodies: Vec<&str> = change.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["Hi", "[document] our offer", "Tuesday"], "the one without a sender is skipped");
        assert_eq!(change.messages[0].at, 1_700_000_000_000);
        assert_eq!(
            change.messages[1].media,
            Some(Media {
                kind: "document".into(),
                id: "m-1".into(),
                mime: "application/pdf".into(),
                filename: Some("offer.pdf".into())
            })
        );
        assert_eq!(
            change.statuses,
            [
                StatusReport {
                    provider_id: "wamid.9".into(),
                    status: DeliveryStatus::Failed,
                    error: Some(("131026".into(), "Message undeliverable".into()))
                },
                StatusReport { provider_id: "wamid.7".into(), status: DeliveryStatus::Read, error: None },
            ],
            "`played` is not a status the log tracks"
        );
    }

    #[test]
    fn a_change_without_its_number_is_left_out_and_a_body_of_another_shape_refused() {
        assert_eq!(change(json!({"messages": []})), []);
        assert!(parse(b"{\"entry\": 3}").is_err());
        assert!(parse(b"not json").is_err());
    }
}
