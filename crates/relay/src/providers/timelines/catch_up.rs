//! Catch-up: TimelinesAI gives up on a webhook after a few tries, so at start and every [`EVERY`] the relay reads,
//! for each TimelinesAI connection, the chats with messages newer than the newest it holds from them, and logs
//! what it missed (deduplicated by uid, like a repeated webhook). Nothing a customer wrote while the relay was
//! down, or while TimelinesAI could not reach it, is missing afterwards.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sidechat_domain::E164;
use sidechat_domain::wire::Sender;
use tokio_util::sync::CancellationToken;

use super::{Timelines, wire};
use crate::ingest::Ingest;
use crate::providers::Provider;
use crate::store::InboundMessage;
use crate::whatsapp::{Connection, WhatsApp};

/// How often the relay catches up (besides at start).
pub const EVERY: Duration = Duration::from_secs(300);
/// How far back the first catch-up of a chat the log holds nothing of looks.
const LOOK_BACK: Duration = Duration::from_secs(7 * 24 * 3600);
/// The most pages of chats read per number, and of messages per chat, in one catch-up.
const MAX_PAGES: u32 = 10;

/// Catches up at start, then every [`EVERY`], until `stop` is cancelled.
pub async fn run(ingest: Ingest, whatsapp: Arc<WhatsApp>, stop: CancellationToken) {
    loop {
        let connections = whatsapp.all_of(sidechat_domain::Provider::Timelines).await;
        match connections {
            Ok(connections) => {
                for connection in connections {
                    tokio::select! {
                        () = stop.cancelled() => return,
                        caught = catch_up(&ingest, &connection) => match caught {
                            Ok(0) => {}
                            Ok(logged) => tracing::info!(connection = %connection.row.id, logged,
                                "caught up with TimelinesAI messages no webhook brought"),
                            Err(error) => tracing::warn!(connection = %connection.row.id,
                                error = format!("{error:#}"), "catching up with TimelinesAI"),
                        },
                    }
                }
            }
            Err(error) => tracing::error!(error = %error, "reading the connections to catch up"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// Logs the messages of one connection's chats that the log does not hold; returns how many were new.
async fn catch_up(ingest: &Ingest, connection: &Connection) -> anyhow::Result<usize> {
    let Provider::Timelines(timelines) = connection.provider.as_ref() else { return Ok(0) };
    let workspace = connection.workspace();
    let numbers = connection.known_senders().await;
    let look_back = ingest.clock.millis() - LOOK_BACK.as_millis() as i64;
    let mut logged = 0;
    for number in &numbers {
        for page in 1..=MAX_PAGES {
            let page_number = page.to_string();
            let query = [("whatsapp_account_id", number.id.as_str()), ("page", page_number.as_str())];
            let body = timelines.get("/chats", &query).await?;
            for chat in body["data"]["chats"].as_array().into_iter().flatten() {
                logged += catch_up_chat(ingest, timelines, workspace, number, chat, look_back).await?;
            }
            if body["data"]["has_more_pages"] != true {
                break;
            }
        }
    }
    Ok(logged)
}

/// Logs one chat's messages from the customer newer than the newest the log holds.
async fn catch_up_chat(
    ingest: &Ingest,
    timelines: &Timelines,
    workspace: &crate::store::WorkspaceId,
    number: &Sender,
    chat: &Value,
    look_back: i64,
) -> anyhow::Result<usize> {
    // The account filter is TimelinesAI's to apply: check it here too. Groups are not conversations with a
    // customer.
    let account = chat["whatsapp_account_id"].as_str();
    if chat["is_group"] == true || account.is_some_and(|account| account != number.id) {
        return Ok(0);
    }
    let (Some(contact), Some(chat_id)) = (wire::phone(&chat["phone"]), chat_id(&chat["id"])) else { return Ok(0) };
    let held = ingest.store.last_inbound_at(workspace, contact.as_str(), &number.id).await?;
    let since = held.unwrap_or(look_back);
    if wire::millis(&chat["last_message_timestamp"]).is_some_and(|last| last <= since) {
        return Ok(0);
    }
    let after = jiff::Timestamp::from_millisecond(since).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_string();
    let mut logged = 0;
    for page in 1..=MAX_PAGES {
        let page_number = page.to_string();
        let query = [("from_me", "false"), ("after", after.as_str()), ("page", page_number.as_str())];
        let body = timelines.get(&format!("/chats/{}/messages", urlencoding::encode(&chat_id)), &query).await?;
        for entry in body["data"]["messages"].as_array().into_iter().flatten() {
            if let Some(inbound) = inbound(entry, number, &contact, since)
                && ingest.inbound(workspace, inbound).await?
            {
                logged += 1;
            }
        }
        if body["data"]["has_more_pages"] != true {
            break;
        }
    }
    Ok(logged)
}

/// A chat history entry from the customer, newer than `since`, as an inbound message.
fn inbound(entry: &Value, number: &Sender, contact: &E164, since: i64) -> Option<InboundMessage> {
    if entry["from_me"] != false || entry["message_type"].as_str().is_some_and(|kind| kind != "whatsapp") {
        return None;
    }
    let uid = entry["uid"].as_str().filter(|uid| !uid.is_empty())?;
    let at = wire::millis(&entry["timestamp"])?;
    // The same time as the newest held may be another message: the uid tells repeats apart.
    if at < since {
        return None;
    }
    Some(InboundMessage {
        id: uuid::Uuid::now_v7().to_string(),
        provider_id: uid.to_owned(),
        sender_id: number.id.clone(),
        business_phone: number.phone.clone(),
        contact: contact.clone(),
        body: text(entry),
        attachment_ids: Vec::new(),
        at,
    })
}

/// A chat id, a number or a string.
fn chat_id(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// The entry's text, with the name of its file.
fn text(entry: &Value) -> String {
    let mut lines: Vec<String> =
        entry["text"].as_str().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).into_iter().collect();
    if entry["has_attachment"] == true {
        let name = entry["attachment_filename"].as_str().filter(|n| !n.is_empty()).unwrap_or("file");
        lines.push(format!("[attachment: {name}]"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_the_customers_newer_messages_are_caught_up() {
        let number = Sender {
            id: "4930901820@s.whatsapp.net".into(),
            phone: E164::parse("+4930901820").unwrap(),
            label: "Berlin".into(),
            provider: sidechat_domain::Provider::Timelines,
        };
        let contact = E164::parse("+498963648018").unwrap();
        let entry = |uid: &str, from_me: bool, at: &str| {
            json!({"uid": uid, "from_me": from_me, "timestamp": at, "text": "Hi", "message_type": "whatsapp",
                   "has_attachment": uid == "with-file", "attachment_filename": "offer.pdf"})
        };
        let since = 1_763_785_800_000; // 2025-11-22T04:30:00Z
        let newer = inbound(&entry("u2", false, "2025-11-22T04:31:00Z"), &number, &contact, since).unwrap();
        assert_eq!((newer.provider_id.as_str(), newer.body.as_str()), ("u2", "Hi"));
        assert!(inbound(&entry("u1", false, "2025-11-22T04:29:59Z"), &number, &contact, since).is_none());
        assert!(inbound(&entry("u3", true, "2025-11-22T04:31:00Z"), &number, &contact, since).is_none());
        let file = inbound(&entry("with-file", false, "2025-11-22T04:32:00Z"), &number, &contact, since).unwrap();
        assert_eq!(file.body, "Hi\n[attachment: offer.pdf]");
    }
}
