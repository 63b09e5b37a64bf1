//! The Graph stand-in's endpoints.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{Answer, Answered, BUSINESSES, Business, INBOUND_PHOTO, Scripted, Shared, lock};
use crate::assumptions::{
    GRAPH_API_VERSION, GRAPH_FAULTS, GRAPH_INVALID_TOKEN, GRAPH_UNSUPPORTED_REQUEST, UPLOAD_TOO_LARGE_STATUS,
    graph_display_number, graph_error_body, graph_media_url, graph_not_reachable, graph_subscribed_answer,
    graph_template_page,
};
use crate::faults::Draw;
use crate::multipart;
use crate::server::BaseUrl;

/// The routes under `/v23.0`.
pub(super) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/{id}/messages", post(send))
        // Graph takes documents of up to 100 MB.
        .route("/{id}/media", post(upload))
        .route("/{id}/message_templates", get(templates))
        .route("/{id}/subscribed_apps", post(subscribe))
        .route("/{id}", get(object))
        .route("/files/{id}", get(media_bytes))
        .with_state(shared);
    Router::new().nest(&format!("/{GRAPH_API_VERSION}"), api)
}

/// The business whose token the call carries; else the refusal, counted.
fn business(shared: &Shared, headers: &HeaderMap) -> Result<&'static Business, Box<Response>> {
    let bearer = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if let Some(business) = BUSINESSES.iter().find(|b| Some(b.token) == bearer) {
        return Ok(business);
    }
    lock(&shared.recorded).unauthorized += 1;
    let (status, code, message) = GRAPH_INVALID_TOKEN;
    Err(Box::new(error(status, code, message)))
}

/// `None` when the call carries a token of the stand-in; else the refusal, counted.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    business(shared, headers).err().map(|refusal| *refusal)
}

/// An object the token cannot reach.
fn unreachable_object(method: &str, id: &str) -> Response {
    let (status, code, message) = graph_not_reachable(method, id);
    error(status, code, &message)
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
    let business = match business(&shared, &headers) {
        Ok(business) => business,
        Err(refusal) => return *refusal,
    };
    if !business.numbers.iter().any(|(number_id, _, _)| *number_id == id) {
        return unreachable_object("post", &id);
    }
    if let Some(observer) = &shared.observer {
        observer(&payload);
    }
    let to = payload["to"].as_str().unwrap_or_default().to_owned();
    let answer = next_answer(&shared);
    let answered = match answer {
        Scripted::Error(..) => Answer::Refused,
        Scripted::Slow(delay) if !delay.is_zero() => Answer::Late,
        Scripted::Slow(_) => Answer::Sent,
    };
    let id = {
        let mut recorded = lock(&shared.recorded);
        let id = format!("wamid.TEST{}", recorded.sends.len() + 1);
        let given = (answered != Answer::Refused).then(|| id.clone());
        recorded.sends.push(Answered { payload, answer: answered, id: given });
        id
    };
    match answer {
        Scripted::Error(status, code, message) => return error(status, code, message),
        Scripted::Slow(delay) => tokio::time::sleep(delay).await,
    }
    Json(json!({"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": id}]}))
    .into_response()
}

/// How to answer the next send: from the script, else by the fault mode's draw, else at once with success (a
/// zero delay).
fn next_answer(shared: &Shared) -> Scripted {
    if let Some(scripted) = lock(&shared.script).pop_front() {
        return scripted;
    }
    match lock(&shared.faults).as_mut().map(|draws| draws.draw(GRAPH_FAULTS.len())) {
        Some(Draw::Refuse(which)) => {
            let (status, code, message) = GRAPH_FAULTS[which];
            Scripted::Error(status, code, message)
        }
        Some(Draw::Late(delay)) => Scripted::Slow(delay),
        Some(Draw::Normal) | None => Scripted::Slow(Duration::ZERO),
    }
}

async fn upload(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: axum::body::Body) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let Ok(parts) = multipart::parts(&headers, body).await else {
        return error(UPLOAD_TOO_LARGE_STATUS, GRAPH_UNSUPPORTED_REQUEST, "the file is larger than 100 MB");
    };
    let text = |name: &str| parts.iter().find(|p| p.name == name).map(multipart::Part::text);
    let file = parts.iter().find(|p| p.name == "file");
    let (Some("whatsapp"), Some(declared), Some(file)) = (text("messaging_product").as_deref(), text("type"), file)
    else {
        return error(400, GRAPH_UNSUPPORTED_REQUEST, "messaging_product, type and file are required");
    };
    let mime = file.mime.clone().unwrap_or_default();
    assert_eq!(declared, mime, "the declared type matches the file part's");
    let mut recorded = lock(&shared.recorded);
    recorded.uploads.push((file.file_name.clone().unwrap_or_default(), mime, file.size));
    Json(json!({"id": format!("media-{}", recorded.uploads.len())})).into_response()
}

/// `GET /{phone_number_id}`: a business number's details; `GET /{media_id}`: where to fetch an inbound file (a
/// short-lived URL that also needs the token).
async fn object(
    State(shared): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let business = match business(&shared, &headers) {
        Ok(business) => business,
        Err(refusal) => return *refusal,
    };
    if let Some((number_id, phone, name)) = business.numbers.iter().find(|(number_id, _, _)| *number_id == id) {
        return Json(json!({"verified_name": name, "code_verification_status": "VERIFIED",
            "display_phone_number": graph_display_number(phone), "quality_rating": "GREEN",
            "platform_type": "CLOUD_API", "throughput": {"level": "STANDARD"}, "id": number_id}))
        .into_response();
    }
    if id != "media-in-1" {
        return unreachable_object("get", &id);
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

/// `POST /{waba_id}/subscribed_apps`: the app now receives the account's webhooks.
async fn subscribe(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let business = match business(&shared, &headers) {
        Ok(business) => business,
        Err(refusal) => return *refusal,
    };
    if business.waba_id != id {
        return unreachable_object("post", &id);
    }
    lock(&shared.recorded).subscribed.push(id);
    Json(graph_subscribed_answer()).into_response()
}

async fn templates(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let delay = *lock(&shared.templates_delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let business = match business(&shared, &headers) {
        Ok(business) => business,
        Err(refusal) => return *refusal,
    };
    if business.waba_id != id {
        return unreachable_object("get", &id);
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
