//! `GET /api/v1/messages`: the conversation with a number; `POST /api/v1/messages`: a durable, idempotent send.

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sidechat_domain::E164;
use sidechat_domain::attachment;
use sidechat_domain::phone::{Phone, PhoneError};
use sidechat_domain::window::ServiceWindow;
use sidechat_domain::wire::{
    self, AttachmentRef, Direction, ErrorCode, MessagesResponse, SendRequest, SendResponse, Sender,
};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, attachment_refusal};
use crate::present;
use crate::store::{Accepted, AttachmentMeta, Before, MessageRow, NewOutbound, WorkspaceId, timestamp};

/// Messages listed when the caller names no limit.
const DEFAULT_LIMIT: i64 = 20;
/// The most messages one page may hold.
const MAX_LIMIT: i64 = 100;
/// The longest idempotency key accepted.
const MAX_KEY_LENGTH: usize = 200;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/messages", get(list_messages).post(send_message))
}

#[derive(Deserialize)]
struct ListQuery {
    phone: Option<String>,
    sender: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

async fn list_messages(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<MessagesResponse>> {
    let Query(query) = query?;
    let phone = query.phone.as_deref().ok_or_else(|| ApiError::invalid("the `phone` parameter is required"))?;
    let contact = E164::parse(phone.trim()).map_err(|e| ApiError::new(ErrorCode::InvalidPhone, e.to_string()))?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| ApiError::invalid(format!("`limit` must be a number from 1 to {MAX_LIMIT}")))?,
    };
    let workspace = &caller.workspace;
    let before = query.before.as_deref().map(|raw| read_cursor(raw, workspace, &contact)).transpose()?;
    // The log first, and the numbers as stored: the history never waits for a provider. One message more than the
    // page tells whether older ones remain.
    let mut rows = state.store.recent_messages(workspace, contact.as_str(), limit + 1, before.as_ref()).await?;
    let older_remain = rows.len() as i64 > limit;
    if older_remain {
        rows.remove(0);
    }
    let next_before = if older_remain { rows.first().map(|oldest| cursor(workspace, &contact, oldest)) } else { None };
    let senders = state.whatsapp.stored_senders(workspace, &caller.user.id).await?;
    // The newest message is the conversation's: its sender is the one that last talked with the number.
    let last_sender = match before {
        None => rows.last().map(|row| row.sender_id.clone()),
        Some(_) => {
            state.store.recent_messages(workspace, contact.as_str(), 1, None).await?.pop().map(|row| row.sender_id)
        }
    };
    // The number that last talked with the customer, where the user may still send from it.
    let usable_last = last_sender.clone().filter(|id| senders.iter().any(|s| &s.id == id));
    let sender_id = query.sender.or(usable_last).or_else(|| senders.first().map(|s| s.id.clone()));
    let window = match sender_id {
        Some(sender_id) => {
            let listed;
            let sender = match senders.iter().find(|s| s.id == sender_id) {
                Some(sender) => sender,
                // A number the connection gained since it was stored: only then is the provider asked.
                None => {
                    listed = state.whatsapp.senders(workspace, &caller.user.id).await?;
                    find_sender(&listed, &sender_id)?
                }
            };
            let newest_page = if before.is_none() { rows.as_slice() } else { &[] };
            let last_inbound = match last_inbound_from_page(newest_page, !older_remain && before.is_none(), &sender.id)
            {
                Some(on_page) => on_page,
                None => state.store.last_inbound_at(workspace, contact.as_str(), &sender.id).await?,
            };
            ServiceWindow::at(sender.provider, last_inbound.map(timestamp), state.ingest.clock.now())
        }
        // No number to send from: the window of a number that never talked with the customer.
        None => ServiceWindow::at(sidechat_domain::Provider::Cloud, None, state.ingest.clock.now()),
    };
    let messages = rows.iter().map(|row| present::message(row, &state.signer)).collect();
    Ok(Json(MessagesResponse { messages, window, last_sender, next_before }))
}

/// When the customer last wrote to `sender_id` (ms), where the newest page settles it: an inbound message from
/// that sender on the page is the newest there is, and a `whole` page holds the whole conversation. `None` when the
/// page cannot tell and the store must be asked.
fn last_inbound_from_page(page: &[MessageRow], whole: bool, sender_id: &str) -> Option<Option<i64>> {
    let newest = page.iter().rev().find(|m| m.direction == Direction::In && m.sender_id == sender_id);
    match newest {
        Some(message) => Some(Some(message.created_at)),
        None if whole => Some(None),
        None => None,
    }
}

/// The cursor of the messages before `oldest`, opaque to callers: base64url of the conversation's tag, the
/// message's created time and its id. The tag (the start of the SHA-256 of the workspace and the number) lets a
/// cursor of another conversation be refused.
fn cursor(workspace: &WorkspaceId, contact: &E164, oldest: &MessageRow) -> String {
    let raw = format!("{}.{}.{}", conversation_tag(workspace, contact), oldest.created_at, oldest.id);
    URL_SAFE_NO_PAD.encode(raw)
}

/// The position a `before` cursor names, if it is one of this conversation's.
fn read_cursor(raw: &str, workspace: &WorkspaceId, contact: &E164) -> ApiResult<Before> {
    let malformed = || ApiError::invalid("`before` is not a cursor this relay gave (use `next_before` as it came)");
    let decoded = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let mut parts = decoded.splitn(3, '.');
    let (Some(tag), Some(created_at), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    let created_at = created_at.parse::<i64>().map_err(|_| malformed())?;
    if id.is_empty() {
        return Err(malformed());
    }
    if tag != conversation_tag(workspace, contact) {
        return Err(ApiError::invalid("`before` is a cursor of another conversation"));
    }
    Ok(Before { created_at, id: id.to_owned() })
}

fn conversation_tag(workspace: &WorkspaceId, contact: &E164) -> String {
    let digest = Sha256::digest(format!("{}\n{}", workspace.as_str(), contact.as_str()));
    hex::encode(&digest[..8])
}

async fn send_message(
    caller: Caller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<SendResponse>)> {
    let key = idempotency_key(&headers)?;
    let request: SendRequest =
        serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("the body is not a send request: {e}")))?;
    let request_hash = hex::encode(Sha256::digest(serde_json::to_vec(&request).map_err(anyhow::Error::from)?));

    // A retry is answered from the log, whatever has changed since (a closed window, a removed upload).
    let workspace = &caller.workspace;
    if let Some(existing) = state.store.idempotent_message(workspace, &key).await? {
        return answer_existing(&state, existing, &request_hash);
    }
    state.send_limit.check(workspace, state.ingest.clock.millis()).await?;

    wire::check_body(&request).map_err(|code| {
        let message = match code {
            ErrorCode::BodyTooLong => format!("the message is longer than {} characters", wire::MAX_BODY_CHARS),
            _ => "there is nothing to send: write a message, attach a file or choose a template".to_owned(),
        };
        ApiError::new(code, message)
    })?;
    let has_record_file = request.attachments.iter().any(|a| matches!(a, AttachmentRef::RecordFile { .. }));
    if has_record_file && request.record.is_none() {
        return Err(ApiError::invalid("a send with a `record_file` must name its `record` (`{\"kind\",\"id\"}`)"));
    }
    let (connection, sender) = state.whatsapp.sender(workspace, &caller.user.id, &request.from).await?;
    let sender = &sender;
    let to = Phone::parse(&request.to, request.country).map_err(phone_refusal)?;
    let contact = to.e164().clone();

    let now = state.ingest.clock.now();
    if request.template.is_none() && sender.provider.enforces_window() {
        let last_inbound = state.store.last_inbound_at(workspace, contact.as_str(), &sender.id).await?.map(timestamp);
        let window = ServiceWindow::at(sender.provider, last_inbound, now);
        if !window.allows_free_form() {
            let message = match window.closes_at {
                Some(closed) => format!("the 24-hour window closed at {closed}: send an approved template"),
                None => "the customer has not written yet: the first message must be an approved template".to_owned(),
            };
            return Err(ApiError::new(ErrorCode::WindowClosed, message));
        }
    }
    if let Some(template) = &request.template {
        // The templates of the sender's own connection (a Cloud API number's business account).
        let templates = connection.provider.templates().await.map_err(|_| {
            ApiError::new(ErrorCode::ProviderUnavailable, "the WhatsApp provider did not list its templates")
        })?;
        if !templates.iter().any(|t| t.name == template.name && t.language == template.language) {
            return Err(ApiError::invalid(format!(
                "no approved template `{}` in `{}`",
                template.name, template.language
            )));
        }
    }
    if request.attachments.len() > 1 {
        return Err(ApiError::new(
            ErrorCode::UnsupportedAttachment,
            "WhatsApp carries one file per message: send each file on its own",
        ));
    }
    let attachments = check_attachments(&state, &caller, sender, &request).await?;

    let new = NewOutbound {
        author: caller.author(),
        id: uuid::Uuid::now_v7().to_string(),
        sender_id: sender.id.clone(),
        business_phone: sender.phone.clone(),
        contact,
        body: request.body.clone(),
        template: request.template.as_ref().map(serde_json::to_string).transpose().map_err(anyhow::Error::from)?,
        attachments,
        now: now.as_millisecond(),
    };
    match state.store.accept_outbound(workspace, &key, &request_hash, &new).await? {
        Accepted::Created(row) => {
            state.outbox.notify_one();
            state.ingest.publish_message(&row);
            Ok((StatusCode::ACCEPTED, Json(SendResponse { message: present::message(&row, &state.signer) })))
        }
        Accepted::Existing(row) => {
            Ok((StatusCode::OK, Json(SendResponse { message: present::message(&row, &state.signer) })))
        }
        Accepted::Conflict => Err(conflict()),
    }
}

fn answer_existing(
    state: &AppState,
    (hash, row): (String, MessageRow),
    request_hash: &str,
) -> ApiResult<(StatusCode, Json<SendResponse>)> {
    if hash != request_hash {
        return Err(conflict());
    }
    Ok((StatusCode::OK, Json(SendResponse { message: present::message(&row, &state.signer) })))
}

fn conflict() -> ApiError {
    ApiError::new(ErrorCode::IdempotencyConflict, "this Idempotency-Key was already used for a different message")
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<String> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| ApiError::invalid("the Idempotency-Key header is required"))?
        .to_str()
        .map_err(|_| ApiError::invalid("the Idempotency-Key header must be plain text"))?
        .trim();
    if key.is_empty() || key.len() > MAX_KEY_LENGTH {
        return Err(ApiError::invalid(format!(
            "the Idempotency-Key header must have 1 to {MAX_KEY_LENGTH} characters"
        )));
    }
    Ok(key.to_owned())
}

fn find_sender<'a>(senders: &'a [Sender], id: &str) -> ApiResult<&'a Sender> {
    senders.iter().find(|s| s.id == id).ok_or_else(|| unknown_sender(id))
}

fn unknown_sender(id: &str) -> ApiError {
    ApiError::new(ErrorCode::UnknownSender, format!("no connected sender number has the id `{id}`"))
}

fn phone_refusal(error: PhoneError) -> ApiError {
    ApiError::new(ErrorCode::InvalidPhone, format!("the recipient's number cannot be used: {error}"))
}

/// Checks each attachment against the sender's provider; returns the stored attachments.
async fn check_attachments(
    state: &AppState,
    caller: &Caller,
    sender: &Sender,
    request: &SendRequest,
) -> ApiResult<Vec<AttachmentMeta>> {
    let mut checked = Vec::with_capacity(request.attachments.len());
    for reference in &request.attachments {
        let meta = match (reference, &request.record) {
            (AttachmentRef::Upload { upload }, _) => state
                .store
                .attachment_meta(&caller.workspace, upload)
                .await?
                .ok_or_else(|| ApiError::not_found("upload"))?,
            (AttachmentRef::RecordFile { record_file }, Some(record)) => {
                crate::crm::fetch_record_file(state, caller, record, record_file, sender.provider).await?
            }
            (AttachmentRef::RecordFile { .. }, None) => {
                return Err(ApiError::invalid("a send with a `record_file` must name its `record`"));
            }
        };
        attachment::check(sender.provider, &meta.name, Some(&meta.mime), meta.size.max(0) as u64)
            .map_err(|error| attachment_refusal(&meta.name, &error))?;
        checked.push(meta);
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use sidechat_domain::wire::DeliveryStatus;

    use super::*;

    fn row(id: &str, direction: Direction, sender_id: &str, created_at: i64) -> MessageRow {
        MessageRow {
            workspace: crate::store::WorkspaceId::trusted("w".to_owned()),
            author: None,
            id: id.to_owned(),
            direction,
            sender_id: sender_id.to_owned(),
            business_phone: E164::parse("+4930901820").unwrap(),
            contact: E164::parse("+498963648018").unwrap(),
            body: "hello".to_owned(),
            template: None,
            status: DeliveryStatus::Delivered,
            error_code: None,
            error_message: None,
            provider_id: None,
            created_at,
            attempts: 0,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn the_newest_inbound_on_the_page_is_the_last_inbound() {
        let page = [
            row("a", Direction::In, "s1", 10),
            row("b", Direction::Out, "s1", 20),
            row("c", Direction::In, "s1", 30),
            row("d", Direction::Out, "s1", 40),
        ];
        assert_eq!(last_inbound_from_page(&page, false, "s1"), Some(Some(30)));
    }

    #[test]
    fn inbound_to_another_sender_does_not_count() {
        let page = [row("a", Direction::In, "s2", 10), row("b", Direction::Out, "s1", 20)];
        assert_eq!(last_inbound_from_page(&page, false, "s1"), None, "older messages may hold one");
        assert_eq!(last_inbound_from_page(&page, true, "s1"), Some(None), "the whole conversation holds none");
    }

    #[test]
    fn a_full_page_without_inbound_leaves_the_store_to_ask() {
        let page = [row("a", Direction::Out, "s1", 10), row("b", Direction::Out, "s1", 20)];
        assert_eq!(last_inbound_from_page(&page, false, "s1"), None);
        assert_eq!(last_inbound_from_page(&[], true, "s1"), Some(None));
    }
}
