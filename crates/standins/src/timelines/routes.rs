//! The TimelinesAI stand-in's endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::Rng;
use serde_json::{Value, json};

use super::{API_PATH, Account, Answer, Answered, Scripted, Shared, WORKSPACES, lock};
use crate::assumptions::{
    TIMELINES_API_ORIGIN, TIMELINES_CHATS_FILTER_BY_PHONE, TIMELINES_FAULTS, TIMELINES_MESSAGES_AFTER_RFC3339,
    TIMELINES_PAGE_SIZE, TIMELINES_QUEUED_STATUSES, TIMELINES_RETRY_AFTER, TIMELINES_SENT_STATUS,
    TIMELINES_STATUS_HISTORY_ENVELOPED, TIMELINES_UNKNOWN_ACCOUNT, UPLOAD_TOO_LARGE_STATUS, timelines_error_body,
};
use crate::faults::Draw;
use crate::multipart;

/// The routes under `/integrations/api`.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/whatsapp_accounts", get(accounts))
        .route("/messages", post(send))
        // Files of up to 100 MB, as WhatsApp takes.
        .route("/files_upload", post(upload))
        .route("/chats", get(chats))
        .route("/chats/{id}/messages", get(chat_messages))
        .route("/messages/{uid}/status_history", get(status_history))
        .with_state(shared);
    Router::new().nest(API_PATH, api)
}

/// The accounts of the workspace whose token the call carries; else the documented 401, counted.
fn workspace_accounts(shared: &Shared, headers: &HeaderMap) -> Result<&'static [Account], Box<Response>> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if let Some((_, accounts)) = WORKSPACES.iter().find(|(token, _)| Some(*token) == bearer) {
        return Ok(accounts);
    }
    lock(&shared.recorded).unauthorized += 1;
    Err(Box::new(error(401, "Invalid or expired token")))
}

/// `None` when the call carries a token of the stand-in; else the documented 401, counted.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    workspace_accounts(shared, headers).err().map(|refusal| *refusal)
}

fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(timelines_error_body(message))).into_response()
}

fn ok(data: Value) -> Response {
    Json(json!({"status": "ok", "data": data})).into_response()
}

async fn accounts(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let accounts = match workspace_accounts(&shared, &headers) {
        Ok(accounts) => accounts,
        Err(refusal) => return *refusal,
    };
    lock(&shared.recorded).account_reads += 1;
    let listed: Vec<Value> = accounts
        .iter()
        .map(|(id, phone, status, name, owner)| {
            json!({"id": id, "phone": phone, "status": status, "account_name": name, "owner_name": owner})
        })
        .collect();
    ok(json!({ "whatsapp_accounts": listed }))
}

async fn send(State(shared): State<Arc<Shared>>, headers: HeaderMap, Json(payload): Json<Value>) -> Response {
    let accounts = match workspace_accounts(&shared, &headers) {
        Ok(accounts) => accounts,
        Err(refusal) => return *refusal,
    };
    let (Some(phone), Some(text), Some(account_phone)) =
        (payload["phone"].as_str(), payload["text"].as_str(), payload["whatsapp_account_phone"].as_str())
    else {
        return error(400, "phone, text and whatsapp_account_phone are required");
    };
    let Some((account_id, ..)) =
        accounts.iter().find(|(_, phone, status, ..)| *phone == account_phone && *status == "active")
    else {
        return error(400, TIMELINES_UNKNOWN_ACCOUNT);
    };
    let next = next_answer(&shared);
    let answer = match next {
        Some(Scripted::Error(..)) => Answer::Refused,
        Some(Scripted::Slow(_)) => Answer::Late,
        None => Answer::Sent,
    };
    let uid = {
        let mut recorded = lock(&shared.recorded);
        let uid = format!("tl-msg-{}", recorded.sends.len() + 1);
        let id = (answer != Answer::Refused).then(|| uid.clone());
        recorded.sends.push(Answered { payload: payload.clone(), answer, id });
        uid
    };
    if let Some(Scripted::Error(status, message)) = next {
        let mut refusal = error(status, message);
        if status == 429 {
            let seconds = HeaderValue::from(TIMELINES_RETRY_AFTER.as_secs());
            refusal.headers_mut().insert("retry-after", seconds);
        }
        return refusal;
    }
    let sent = Sent {
        phone: phone.to_owned(),
        account_id: (*account_id).to_owned(),
        account_phone: account_phone.to_owned(),
        text: text.to_owned(),
        file: payload["file_uid"].as_str().map(str::to_owned),
    };
    match turn(&shared, account_id) {
        None => log_sent(&shared, &uid, sent),
        Some(turn) => {
            // Queued: no status yet; it goes out when its turn comes.
            let queued = TIMELINES_QUEUED_STATUSES.iter().map(|status| json!({"status": status})).collect();
            lock(&shared.workspace).statuses.insert(uid.clone(), queued);
            let (shared, uid) = (shared.clone(), uid.clone());
            tokio::spawn(async move {
                tokio::time::sleep_until(turn).await;
                log_sent(&shared, &uid, sent);
            });
        }
    }
    if let Some(Scripted::Slow(delay)) = next {
        tokio::time::sleep(delay).await;
    }
    ok(json!({"message_uid": uid}))
}

/// How to answer the next send: from the script, else by the fault mode's draw (`None`: at once, with success).
fn next_answer(shared: &Shared) -> Option<Scripted> {
    if let Some(scripted) = lock(&shared.script).pop_front() {
        return Some(scripted);
    }
    match lock(&shared.faults).as_mut()?.draw(TIMELINES_FAULTS.len()) {
        Draw::Refuse(which) => {
            let (status, message) = TIMELINES_FAULTS[which];
            Some(Scripted::Error(status, message))
        }
        Draw::Late(delay) => Some(Scripted::Slow(delay)),
        Draw::Normal => None,
    }
}

/// With pacing on, when the account's next message goes out (`None`: now), and the turn after it is reserved.
fn turn(shared: &Shared, account_id: &str) -> Option<tokio::time::Instant> {
    let gap = (*lock(&shared.pacing))?;
    let now = tokio::time::Instant::now();
    let mut turns = lock(&shared.next_turn);
    let turn = turns.get(account_id).copied().unwrap_or(now).max(now);
    turns.insert(account_id.to_owned(), turn + gap.mul_f64(rand::rng().random_range(0.5..1.5)));
    (turn > now).then_some(turn)
}

/// A message sent through the API.
struct Sent {
    phone: String,
    account_id: String,
    account_phone: String,
    text: String,
    file: Option<String>,
}

/// Puts a sent message in its chat's history (opening the chat) and starts its status history.
fn log_sent(shared: &Shared, uid: &str, sent: Sent) {
    let mut workspace = lock(&shared.workspace);
    let file = sent.file.and_then(|f| workspace.files.get(&f).cloned());
    let now = jiff::Timestamp::now().to_string();
    let entry = json!({"uid": uid, "timestamp": now, "from_me": true, "text": sent.text,
        "sender_phone": sent.account_phone, "recipient_phone": sent.phone, "status": TIMELINES_SENT_STATUS,
        "origin": TIMELINES_API_ORIGIN, "message_type": "whatsapp", "has_attachment": file.is_some(),
        "attachment_filename": file});
    workspace.chat(&sent.phone, &sent.account_id).messages.push(entry);
    workspace.statuses.insert(uid.to_owned(), vec![json!({"status": TIMELINES_SENT_STATUS, "timestamp": now})]);
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: axum::body::Body) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let Ok(parts) = multipart::parts(&headers, body).await else {
        return error(UPLOAD_TOO_LARGE_STATUS, "the file is larger than 100 MB");
    };
    let file = parts.iter().rev().find(|p| p.name == "file");
    let Some(file) = file.filter(|f| f.file_name.as_deref().is_some_and(|name| !name.is_empty())) else {
        return error(400, "a file with a file name is required");
    };
    let name = file.file_name.clone().unwrap_or_default();
    let uid = {
        let mut recorded = lock(&shared.recorded);
        recorded.uploads.push((name.clone(), file.mime.clone().unwrap_or_default(), file.size));
        format!("tl-file-{}", recorded.uploads.len())
    };
    lock(&shared.workspace).files.insert(uid.clone(), name);
    ok(json!({"uid": uid}))
}

async fn chats(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let workspace = lock(&shared.workspace);
    let phone = query.get("phone").filter(|_| TIMELINES_CHATS_FILTER_BY_PHONE);
    let account = query.get("whatsapp_account_id");
    let chats: Vec<Value> = workspace
        .chats
        .iter()
        .filter(|c| phone.is_none_or(|p| *p == c.phone) && account.is_none_or(|a| *a == c.account_id))
        .map(|c| {
            let last = c.messages.last();
            json!({"id": c.id, "name": c.phone, "phone": c.phone, "is_group": false, "whatsapp_account_id": c.account_id,
                   "last_message_uid": last.map(|m| m["uid"].clone()),
                   "last_message_timestamp": last.map(|m| m["timestamp"].clone())})
        })
        .collect();
    paged("chats", chats, &query)
}

/// One page (`page`, from 1) of a list, with `has_more_pages`.
fn paged(name: &str, items: Vec<Value>, query: &HashMap<String, String>) -> Response {
    let page = query.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
    let more = items.len() > page * TIMELINES_PAGE_SIZE;
    let items: Vec<Value> =
        items.into_iter().skip((page - 1) * TIMELINES_PAGE_SIZE).take(TIMELINES_PAGE_SIZE).collect();
    ok(json!({name: items, "has_more_pages": more}))
}

async fn chat_messages(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let after = match query.get("after").filter(|_| TIMELINES_MESSAGES_AFTER_RFC3339) {
        Some(after) => match after.parse::<jiff::Timestamp>() {
            Ok(after) => Some(after),
            Err(_) => return error(400, "after must be a date and time"),
        },
        None => None,
    };
    let from_me = query.get("from_me").map(|f| f == "true");
    let workspace = lock(&shared.workspace);
    let Some(chat) = workspace.chats.iter().find(|c| c.id == id) else { return error(404, "Chat not found") };
    let messages: Vec<Value> = chat
        .messages
        .iter()
        .filter(|m| from_me.is_none_or(|wanted| m["from_me"] == wanted))
        .filter(|m| {
            let at = m["timestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
            after.is_none_or(|after| at.is_some_and(|at| at > after))
        })
        .cloned()
        .collect();
    paged("messages", messages, &query)
}

async fn status_history(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(uid): Path<String>) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    lock(&shared.recorded).status_reads.push(uid.clone());
    match lock(&shared.workspace).statuses.get(&uid) {
        Some(history) if TIMELINES_STATUS_HISTORY_ENVELOPED => ok(Value::Array(history.clone())),
        Some(history) => Json(history.clone()).into_response(),
        None => error(404, "Message not found"),
    }
}
