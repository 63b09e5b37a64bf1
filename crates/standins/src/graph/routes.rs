//! The Graph stand-in's endpoints.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{INBOUND_PHOTO, PHONE_NUMBER_ID, Scripted, Shared, TOKEN, lock};
use crate::assumptions::{
    GRAPH_API_VERSION, GRAPH_INVALID_TOKEN, GRAPH_UNSUPPORTED_REQUEST, graph_error_body, graph_media_url,
    graph_template_page,
};
use crate::multipart;
use crate::server::BaseUrl;

/// The routes under `/v23.0`.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/{id}/messages", post(send))
        .route("/{id}/media", post(upload))
        .route("/{id}/message_templates", get(templates))
        .route("/{id}", get(media_info))
        .route("/files/{id}", get(media_bytes))
        .with_state(shared);
    Router::new().nest(&format!("/{GRAPH_API_VERSION}"), api)
}

/// `None` when the call carries the token; else the refusal, counted.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {TOKEN}")) {
        return None;
    }
    lock(&shared.recorded).unauthorized += 1;
    let (status, code, message) = GRAPH_INVALID_TOKEN;
    Some(error(status, code, message))
}

fn error(status: u16, code: i64, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(graph_error_body(code, message))).into_response()
}

async fn send(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(payload): Json<Value>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    if id != PHONE_NUMBER_ID {
        return error(400, GRAPH_UNSUPPORTED_REQUEST, "Unsupported post request");
    }
    if let Some(observer) = &shared.observer {
        observer(&payload);
    }
    let to = payload["to"].as_str().unwrap_or_default().to_owned();
    let count = {
        let mut recorded = lock(&shared.recorded);
        recorded.sends.push(payload);
        recorded.sends.len()
    };
    let next = lock(&shared.script).pop_front();
    match next {
        Some(Scripted::Error(status, code, message)) => return error(status, code, message),
        Some(Scripted::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": format!("wamid.TEST{count}")}]}))
    .into_response()
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let parts = multipart::parts(&headers, body).await;
    let text = |name: &str| parts.iter().find(|p| p.name == name).map(multipart::Part::text);
    let file = parts.iter().find(|p| p.name == "file");
    let (Some("whatsapp"), Some(declared), Some(file)) = (text("messaging_product").as_deref(), text("type"), file)
    else {
        return error(400, GRAPH_UNSUPPORTED_REQUEST, "messaging_product, type and file are required");
    };
    let mime = file.mime.clone().unwrap_or_default();
    assert_eq!(declared, mime, "the declared type matches the file part's");
    let mut recorded = lock(&shared.recorded);
    recorded.uploads.push((file.file_name.clone().unwrap_or_default(), mime, file.data.len()));
    Json(json!({"id": format!("media-{}", recorded.uploads.len())})).into_response()
}

/// `GET /{media_id}`: where to fetch an inbound file (a short-lived URL that also needs the token).
async fn media_info(
    State(shared): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    if id != "media-in-1" {
        return error(404, GRAPH_UNSUPPORTED_REQUEST, "Unsupported get request");
    }
    Json(json!({"messaging_product": "whatsapp", "url": graph_media_url(&base, &id), "mime_type": "image/jpeg",
        "sha256": "abc", "file_size": INBOUND_PHOTO.len(), "id": id}))
    .into_response()
}

async fn media_bytes(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    ([("content-type", "image/jpeg")], INBOUND_PHOTO.to_vec()).into_response()
}

async fn templates(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    Json(graph_template_page(json!([
        {"name": "order_update", "language": "en_US", "status": "APPROVED", "category": "UTILITY", "id": "1",
         "components": [{"type": "HEADER", "format": "TEXT", "text": "Order"},
            {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."}]},
        {"name": "draft_promo", "language": "en_US", "status": "PENDING", "category": "MARKETING", "id": "2",
         "components": [{"type": "BODY", "text": "Not yet"}]}
    ])))
    .into_response()
}
