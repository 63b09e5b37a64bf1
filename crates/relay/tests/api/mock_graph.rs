//! A local stand-in for Meta's Graph API (WhatsApp Cloud API), following its documented request and answer
//! shapes: `POST /{phone_number_id}/messages`, `POST /{phone_number_id}/media`, `GET /{waba_id}/message_templates`.
//! It records what it receives and answers from a script, then with success.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

pub const TOKEN: &str = "graph-test-token";
pub const WABA_ID: &str = "880001";
pub const PHONE_NUMBER_ID: &str = "100200300";
pub const SENDER_PHONE: &str = "+4930901820";
pub const APP_SECRET: &str = "graph-app-secret";
pub const VERIFY_TOKEN: &str = "graph-verify-token";

/// A scripted answer to a send.
#[derive(Clone)]
pub enum Scripted {
    /// A Graph error with this HTTP status and error code.
    Error(u16, i64, &'static str),
    /// Success, after a delay (to make the relay time out).
    Slow(Duration),
}

#[derive(Default)]
pub struct Recorded {
    /// Every send payload received, in order.
    pub sends: Vec<Value>,
    /// Every media upload: (file name, declared type, bytes).
    pub uploads: Vec<(String, String, usize)>,
    /// Requests with a wrong or missing token.
    pub unauthorized: usize,
}

#[derive(Clone, Default)]
pub struct Graph {
    pub recorded: Arc<Mutex<Recorded>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
    base: Arc<Mutex<String>>,
}

/// The bytes of the inbound photo the stand-in holds as media `media-in-1`.
pub const INBOUND_PHOTO: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];

impl Graph {
    /// Queues answers for the next sends.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.script.lock().unwrap().extend(answers);
    }

    pub fn sends(&self) -> Vec<Value> {
        self.recorded.lock().unwrap().sends.clone()
    }

    /// Serves on a loopback port; returns its base URL.
    pub async fn start(&self) -> String {
        let app = Router::new()
            .route("/{id}/messages", post(send))
            .route("/{id}/media", post(upload))
            .route("/{id}/message_templates", get(templates))
            .route("/{id}", get(media_info))
            .route("/files/{id}", get(media_bytes))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/v23.0", listener.local_addr().unwrap());
        *self.base.lock().unwrap() = url.clone();
        tokio::spawn(async move { axum::serve(listener, Router::new().nest("/v23.0", app)).await.unwrap() });
        url
    }
}

fn authorized(graph: &Graph, headers: &HeaderMap) -> Option<Response> {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}")) {
        return None;
    }
    graph.recorded.lock().unwrap().unauthorized += 1;
    Some(error(401, 190, "Invalid OAuth access token"))
}

fn error(status: u16, code: i64, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "OAuthException", "code": code, "error_data": {"messaging_product": "whatsapp", "details": message}, "fbtrace_id": "AbCdEf"}});
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

async fn send(
    State(graph): State<Graph>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(payload): Json<Value>,
) -> Response {
    if let Some(refusal) = authorized(&graph, &headers) {
        return refusal;
    }
    if id != PHONE_NUMBER_ID {
        return error(400, 100, "Unsupported post request");
    }
    let count = {
        let mut recorded = graph.recorded.lock().unwrap();
        recorded.sends.push(payload.clone());
        recorded.sends.len()
    };
    let next = graph.script.lock().unwrap().pop_front();
    match next {
        Some(Scripted::Error(status, code, message)) => return error(status, code, message),
        Some(Scripted::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    let to = payload["to"].as_str().unwrap_or_default().to_owned();
    Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}], "messages": [{"id": format!("wamid.TEST{count}")}]})).into_response()
}

async fn upload(State(graph): State<Graph>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = authorized(&graph, &headers) {
        return refusal;
    }
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default().to_owned();
    let mut multipart =
        multer::Multipart::new(futures::stream::once(async move { Ok::<_, std::io::Error>(body) }), boundary);
    let (mut product, mut declared, mut file) = (None, None, None);
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("messaging_product") => product = field.text().await.ok(),
            Some("type") => declared = field.text().await.ok(),
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let mime = field.content_type().map(|m| m.to_string()).unwrap_or_default();
                let bytes = field.bytes().await.map(|b| b.len()).unwrap_or(0);
                file = Some((name, mime, bytes));
            }
            _ => {}
        }
    }
    let (Some("whatsapp"), Some(declared), Some((name, mime, bytes))) = (product.as_deref(), declared, file) else {
        return error(400, 100, "messaging_product, type and file are required");
    };
    assert_eq!(declared, mime, "the declared type matches the file part's");
    let mut recorded = graph.recorded.lock().unwrap();
    recorded.uploads.push((name, mime, bytes));
    Json(json!({"id": format!("media-{}", recorded.uploads.len())})).into_response()
}

/// `GET /{media_id}`: where to fetch an inbound file (a short-lived URL that also needs the token).
async fn media_info(State(graph): State<Graph>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if let Some(refusal) = authorized(&graph, &headers) {
        return refusal;
    }
    if id != "media-in-1" {
        return error(404, 100, "Unsupported get request");
    }
    let url = format!("{}/files/{id}", graph.base.lock().unwrap());
    Json(json!({"messaging_product": "whatsapp", "url": url, "mime_type": "image/jpeg", "sha256": "abc",
        "file_size": INBOUND_PHOTO.len(), "id": id}))
    .into_response()
}

async fn media_bytes(State(graph): State<Graph>, headers: HeaderMap) -> Response {
    if let Some(refusal) = authorized(&graph, &headers) {
        return refusal;
    }
    ([("content-type", "image/jpeg")], INBOUND_PHOTO.to_vec()).into_response()
}

async fn templates(State(graph): State<Graph>, headers: HeaderMap) -> Response {
    if let Some(refusal) = authorized(&graph, &headers) {
        return refusal;
    }
    Json(json!({
        "data": [
            {"name": "order_update", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "1",
             "components": [{"type": "HEADER", "format": "TEXT", "text": "Order"}, {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."}]},
            {"name": "draft_promo", "language": "en_US", "status": "PENDING", "category": "MARKETING", "id": "2",
             "components": [{"type": "BODY", "text": "Not yet"}]}
        ],
        "paging": {"cursors": {"before": "a", "after": "b"}}
    }))
    .into_response()
}
