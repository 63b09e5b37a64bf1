//! A local stand-in for TimelinesAI's public API, following its documented shapes under
//! `/integrations/api`: `GET /whatsapp_accounts`, `POST /messages`, `POST /files_upload`, `GET /chats?phone=`,
//! `GET /chats/{id}/messages`, `GET /messages/{uid}/status_history`. It checks the bearer token, records what
//! it receives, keeps a chat history of what it sent, and answers sends from a script, then with success.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub const TOKEN: &str = "timelines-test-token";
pub const WEBHOOK_SECRET: &str = "timelines-webhook-secret-0123456789";
/// The active account the tests send from.
pub const ACCOUNT_ID: &str = "4930901820@s.whatsapp.net";
pub const SENDER_PHONE: &str = "+4930901820";
/// A second active account, without a name.
pub const OTHER_ACCOUNT_ID: &str = "551133334444@s.whatsapp.net";
pub const OTHER_PHONE: &str = "+551133334444";
/// A disconnected account: never a sender.
pub const DISCONNECTED_ID: &str = "4915112345678@s.whatsapp.net";

/// A scripted answer to a send.
#[derive(Clone)]
pub enum Scripted {
    /// An error with this HTTP status and message (429 comes with `Retry-After: 1`); nothing is sent.
    Error(u16, &'static str),
    /// The message is sent (it shows in the chat history) but the answer comes only after a delay.
    Slow(Duration),
}

#[derive(Default)]
pub struct Recorded {
    /// Every send payload received, in order.
    pub sends: Vec<Value>,
    /// Every upload: (file name, declared type, bytes).
    pub uploads: Vec<(String, String, usize)>,
    /// Requests with a wrong or missing token.
    pub unauthorized: usize,
    /// How often the account list was read.
    pub account_reads: usize,
}

/// One chat and the messages sent in it.
struct Chat {
    id: u64,
    phone: String,
    account_id: String,
    messages: Vec<Value>,
}

#[derive(Default)]
struct World {
    chats: Vec<Chat>,
    /// uid → status history.
    statuses: HashMap<String, Vec<Value>>,
    /// file uid → file name.
    files: HashMap<String, String>,
}

#[derive(Clone, Default)]
pub struct Timelines {
    pub recorded: Arc<Mutex<Recorded>>,
    world: Arc<Mutex<World>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
}

impl Timelines {
    /// Queues answers for the next sends.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.script.lock().unwrap().extend(answers);
    }

    pub fn sends(&self) -> Vec<Value> {
        self.recorded.lock().unwrap().sends.clone()
    }

    /// Adds a status (`"Delivered"`, `"read"`…) to a sent message's history, as WhatsApp would report it.
    pub fn report(&self, uid: &str, status: &str) {
        let entry = json!({"status": status, "timestamp": jiff::Timestamp::now().to_string()});
        self.world.lock().unwrap().statuses.entry(uid.to_owned()).or_default().push(entry);
    }

    /// Serves on a loopback port; returns its base URL.
    pub async fn start(&self) -> String {
        let api = Router::new()
            .route("/whatsapp_accounts", get(accounts))
            .route("/messages", post(send))
            .route("/files_upload", post(upload))
            .route("/chats", get(chats))
            .route("/chats/{id}/messages", get(chat_messages))
            .route("/messages/{uid}/status_history", get(status_history))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/integrations/api", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, Router::new().nest("/integrations/api", api)).await.unwrap() });
        url
    }
}

fn authorized(mock: &Timelines, headers: &HeaderMap) -> Option<Response> {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}")) {
        return None;
    }
    mock.recorded.lock().unwrap().unauthorized += 1;
    Some(error(401, "Invalid or expired token"))
}

fn error(status: u16, message: &str) -> Response {
    (StatusCode::from_u16(status).unwrap(), Json(json!({"status": "error", "message": message}))).into_response()
}

fn ok(data: Value) -> Response {
    Json(json!({"status": "ok", "data": data})).into_response()
}

async fn accounts(State(mock): State<Timelines>, headers: HeaderMap) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    mock.recorded.lock().unwrap().account_reads += 1;
    ok(json!({"whatsapp_accounts": [
        {"id": ACCOUNT_ID, "phone": SENDER_PHONE, "status": "active", "account_name": "Berlin desk", "owner_name": "Anna"},
        {"id": OTHER_ACCOUNT_ID, "phone": OTHER_PHONE, "status": "active", "account_name": "", "owner_name": "Bruno"},
        {"id": DISCONNECTED_ID, "phone": "+4915112345678", "status": "disconnected", "account_name": "Old phone", "owner_name": "Anna"}
    ]}))
}

async fn send(State(mock): State<Timelines>, headers: HeaderMap, Json(payload): Json<Value>) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    let (Some(phone), Some(text), Some(account_phone)) =
        (payload["phone"].as_str(), payload["text"].as_str(), payload["whatsapp_account_phone"].as_str())
    else {
        return error(400, "phone, text and whatsapp_account_phone are required");
    };
    let account_id = match account_phone {
        SENDER_PHONE => ACCOUNT_ID,
        OTHER_PHONE => OTHER_ACCOUNT_ID,
        _ => return error(400, "No active WhatsApp account with this phone"),
    };
    let count = {
        let mut recorded = mock.recorded.lock().unwrap();
        recorded.sends.push(payload.clone());
        recorded.sends.len()
    };
    let next = mock.script.lock().unwrap().pop_front();
    if let Some(Scripted::Error(status, message)) = next {
        let mut refusal = error(status, message);
        if status == 429 {
            refusal.headers_mut().insert("retry-after", "1".parse().unwrap());
        }
        return refusal;
    }
    let uid = format!("tl-msg-{count}");
    {
        let mut world = mock.world.lock().unwrap();
        let file = payload["file_uid"].as_str().and_then(|f| world.files.get(f).cloned());
        let now = jiff::Timestamp::now().to_string();
        let entry = json!({"uid": uid, "timestamp": now, "from_me": true, "text": text, "sender_phone": account_phone,
            "recipient_phone": phone, "status": "Sent", "origin": "Public API", "message_type": "whatsapp",
            "has_attachment": file.is_some(), "attachment_filename": file});
        let next_id = world.chats.len() as u64 + 9001;
        let chat = match world.chats.iter().position(|c| c.phone == phone && c.account_id == account_id) {
            Some(index) => &mut world.chats[index],
            None => {
                world.chats.push(Chat {
                    id: next_id,
                    phone: phone.to_owned(),
                    account_id: account_id.to_owned(),
                    messages: vec![],
                });
                world.chats.last_mut().unwrap()
            }
        };
        chat.messages.push(entry);
        world.statuses.insert(uid.clone(), vec![json!({"status": "Sent", "timestamp": now})]);
    }
    if let Some(Scripted::Slow(delay)) = next {
        tokio::time::sleep(delay).await;
    }
    ok(json!({"message_uid": uid}))
}

async fn upload(State(mock): State<Timelines>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default().to_owned();
    let mut multipart =
        multer::Multipart::new(futures::stream::once(async move { Ok::<_, std::io::Error>(body) }), boundary);
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let mime = field.content_type().map(|m| m.to_string()).unwrap_or_default();
            let bytes = field.bytes().await.map(|b| b.len()).unwrap_or(0);
            file = Some((name, mime, bytes));
        }
    }
    let Some((name, mime, bytes)) = file.filter(|(name, _, _)| !name.is_empty()) else {
        return error(400, "a file with a file name is required");
    };
    let uid = {
        let mut recorded = mock.recorded.lock().unwrap();
        recorded.uploads.push((name.clone(), mime, bytes));
        format!("tl-file-{}", recorded.uploads.len())
    };
    mock.world.lock().unwrap().files.insert(uid.clone(), name);
    ok(json!({"uid": uid}))
}

async fn chats(
    State(mock): State<Timelines>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    let world = mock.world.lock().unwrap();
    let chats: Vec<Value> = world
        .chats
        .iter()
        .filter(|c| query.get("phone").is_none_or(|p| *p == c.phone))
        .map(|c| json!({"id": c.id, "name": c.phone, "phone": c.phone, "is_group": false, "whatsapp_account_id": c.account_id}))
        .collect();
    ok(json!({"chats": chats, "has_more_pages": false}))
}

async fn chat_messages(
    State(mock): State<Timelines>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    let world = mock.world.lock().unwrap();
    let Some(chat) = world.chats.iter().find(|c| c.id == id) else { return error(404, "Chat not found") };
    // Everything in this stand-in's history is from us, so `from_me=false` finds nothing.
    let messages = if query.get("from_me").is_some_and(|f| f == "false") { vec![] } else { chat.messages.clone() };
    ok(json!({"messages": messages}))
}

async fn status_history(State(mock): State<Timelines>, headers: HeaderMap, Path(uid): Path<String>) -> Response {
    if let Some(refusal) = authorized(&mock, &headers) {
        return refusal;
    }
    match mock.world.lock().unwrap().statuses.get(&uid) {
        Some(history) => Json(json!({"status": "ok", "data": history})).into_response(),
        None => error(404, "Message not found"),
    }
}
