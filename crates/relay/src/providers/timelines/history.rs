//! Whether a message already went out, read from the chat history: TimelinesAI takes no idempotency key, so
//! after a timeout or a crash the relay looks for the same text (and file) from the same account, sent since
//! shortly before the message was accepted, and only sends again when it finds none. Every such entry is a
//! candidate: the outbox leaves out those the log already holds (an earlier message with the same text) and
//! takes the one closest after acceptance ([`crate::providers::pick_sent`]).

use serde_json::Value;

use super::{Timelines, wire};
use crate::providers::{Outgoing, SentCandidate};

/// How far before a message's acceptance a match may be dated (clocks differ).
const CLOCK_SLACK_MS: i64 = 60_000;
/// The most pages of chats or of messages read in one look.
const MAX_PAGES: u32 = 20;

/// The entries of the chat history with its recipient that may be `outgoing`.
pub async fn find_sent(timelines: &Timelines, outgoing: &Outgoing) -> anyhow::Result<Vec<SentCandidate>> {
    let mut candidates = Vec::new();
    // Only what was sent since shortly before acceptance: a long chat's older pages would otherwise hide it.
    let since = outgoing.message.created_at - CLOCK_SLACK_MS;
    let after = jiff::Timestamp::from_millisecond(since).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_string();
    for chat in chats_with(timelines, outgoing).await? {
        let mut page = 1;
        loop {
            let page_number = page.to_string();
            let body = timelines
                .get(
                    &format!("/chats/{}/messages", urlencoding::encode(&chat)),
                    &[("from_me", "true"), ("after", &after), ("page", &page_number)],
                )
                .await?;
            let messages = &body["data"]["messages"];
            candidates.extend(messages.as_array().into_iter().flatten().filter_map(|m| candidate(m, outgoing)));
            if body["data"]["has_more_pages"] != true {
                break;
            }
            // Not having read it all, the relay cannot say the message did not go out: sending again could
            // repeat it.
            anyhow::ensure!(page < MAX_PAGES, "chat {chat} has more than {MAX_PAGES} pages of messages since {after}");
            page += 1;
        }
    }
    Ok(candidates)
}

/// The ids of the recipient's chats on the sending account.
async fn chats_with(timelines: &Timelines, outgoing: &Outgoing) -> anyhow::Result<Vec<String>> {
    let message = &outgoing.message;
    let mut ids = Vec::new();
    for page in 1..=MAX_PAGES {
        let page_number = page.to_string();
        let body = timelines.get("/chats", &[("phone", message.contact.as_str()), ("page", &page_number)]).await?;
        for chat in body["data"]["chats"].as_array().into_iter().flatten() {
            // The phone filter is loose on TimelinesAI's side: check the number and the account here.
            let same_contact = wire::phone(&chat["phone"]).is_some_and(|p| p == message.contact);
            let same_account = chat["whatsapp_account_id"].as_str().is_none_or(|account| account == message.sender_id);
            let id = match &chat["id"] {
                Value::String(id) => Some(id.clone()),
                Value::Number(id) => Some(id.to_string()),
                _ => None,
            };
            if let (true, true, Some(id)) = (same_contact, same_account, id) {
                ids.push(id);
            }
        }
        if body["data"]["has_more_pages"] != true {
            break;
        }
    }
    Ok(ids)
}

/// A history entry that may be `outgoing`: from us, by the same account, same text and file, recent.
fn candidate(entry: &Value, outgoing: &Outgoing) -> Option<SentCandidate> {
    let message = &outgoing.message;
    if entry["from_me"] != true || entry["text"].as_str().unwrap_or_default().trim() != message.body.trim() {
        return None;
    }
    let at = wire::millis(&entry["timestamp"])?;
    if at < message.created_at - CLOCK_SLACK_MS {
        return None;
    }
    if let Some(sender) = wire::phone(&entry["sender_phone"])
        && sender != message.business_phone
    {
        return None;
    }
    let file = entry["attachment_filename"].as_str().filter(|name| !name.is_empty());
    let expected = outgoing.attachments.first().map(|file| file.meta.name.as_str());
    if file != expected {
        return None;
    }
    entry["uid"].as_str().map(|uid| SentCandidate { uid: uid.to_owned(), at })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use sidechat_domain::E164;
    use sidechat_domain::wire::DeliveryStatus;

    use super::*;
    use crate::providers::OutgoingFile;
    use crate::store::{AttachmentMeta, MessageRow};

    fn outgoing(file: Option<&str>) -> Outgoing {
        let message = MessageRow {
            workspace: crate::store::WorkspaceId::trusted("w1".into()),
            author: None,
            id: "m1".into(),
            direction: sidechat_domain::wire::Direction::Out,
            sender_id: "4930901820@s.whatsapp.net".into(),
            business_phone: E164::parse("+4930901820").unwrap(),
            contact: E164::parse("+498963648018").unwrap(),
            body: "Your offer".into(),
            template: None,
            status: DeliveryStatus::Queued,
            error_code: None,
            error_message: None,
            provider_id: None,
            created_at: 1_763_785_800_000,
            attempts: 1,
            attachments: Vec::new(),
        };
        let attachments = file
            .map(|name| {
                let meta =
                    AttachmentMeta { id: "a1".into(), name: name.into(), size: 3, mime: "application/pdf".into() };
                OutgoingFile::bytes(meta, b"pdf".to_vec())
            })
            .into_iter()
            .collect();
        Outgoing { message, attachments, template: None }
    }

    fn entry(text: &str, timestamp: &str, file: Option<&str>) -> Value {
        json!({"uid": "u1", "from_me": true, "text": text, "timestamp": timestamp, "sender_phone": "+4930901820",
               "recipient_phone": "+498963648018", "attachment_filename": file})
    }

    fn matching_uid(entry: &Value, outgoing: &Outgoing) -> Option<String> {
        candidate(entry, outgoing).map(|c| c.uid)
    }

    #[test]
    fn the_same_text_from_the_same_account_since_acceptance_matches() {
        let text = outgoing(None);
        assert_eq!(matching_uid(&entry("Your offer", "2025-11-22T04:29:30Z", None), &text).as_deref(), Some("u1"));
        // too early, other text, other account, a file where none was sent
        assert_eq!(matching_uid(&entry("Your offer", "2025-11-22T04:28:30Z", None), &text), None);
        assert_eq!(matching_uid(&entry("Other", "2025-11-22T04:30:10Z", None), &text), None);
        let mut other_account = entry("Your offer", "2025-11-22T04:30:10Z", None);
        other_account["sender_phone"] = json!("+551133334444");
        assert_eq!(matching_uid(&other_account, &text), None);
        assert_eq!(matching_uid(&entry("Your offer", "2025-11-22T04:30:10Z", Some("a.pdf")), &text), None);
    }

    #[test]
    fn a_file_must_match_by_name() {
        let with_file = outgoing(Some("offer.pdf"));
        let sent = entry("Your offer", "2025-11-22T04:30:10Z", Some("offer.pdf"));
        assert_eq!(matching_uid(&sent, &with_file).as_deref(), Some("u1"));
        assert_eq!(matching_uid(&entry("Your offer", "2025-11-22T04:30:10Z", Some("other.pdf")), &with_file), None);
        assert_eq!(matching_uid(&entry("Your offer", "2025-11-22T04:30:10Z", None), &with_file), None);
    }
}
