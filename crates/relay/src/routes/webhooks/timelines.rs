//! `POST /webhooks/timelines/{secret}`: TimelinesAI's message events. TimelinesAI signs nothing, so the secret
//! path segment is the check, and names the connection: each TimelinesAI connection has its own secret, of which
//! the relay keeps only the SHA-256 to look it up (and a sealed copy to show admins the URL). A wrong one is
//! answered like an unknown path. The route is only ever named by its pattern: the secret never reaches a log or a
//! metric.
//!
//! A received message is logged (deduplicated by its uid, as TimelinesAI retries); a sent one confirms a
//! message the relay sent. Other events are acknowledged and ignored. The answer comes at once: TimelinesAI
//! gives up after 5 s.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::Value;
use sidechat_domain::wire::DeliveryStatus;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::providers::Provider;
use crate::providers::timelines::{millis, phone};
use crate::store::InboundMessage;

/// The message events the relay reads.
const MESSAGE_EVENTS: [&str; 3] = ["message:received:new", "message:sent:new", "message:new"];

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/timelines/{secret}", post(receive_timelines_event))
}

async fn receive_timelines_event(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Bytes,
) -> ApiResult<StatusCode> {
    // The lookup is by the secret's hash: a guess learns nothing from how long the answer took.
    let Some(connection) = state.whatsapp.timelines_webhook(&secret).await? else {
        tracing::warn!("a TimelinesAI webhook with a wrong secret was refused");
        return Err(ApiError::not_found("endpoint"));
    };
    let Provider::Timelines(timelines) = connection.provider.as_ref() else {
        return Err(ApiError::not_found("endpoint"));
    };
    let workspace = connection.workspace();
    let event: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("not JSON: {e}")))?;
    if !event["event_type"].as_str().is_some_and(|t| MESSAGE_EVENTS.contains(&t)) {
        return Ok(StatusCode::OK);
    }
    let message = &event["message"];
    let Some(uid) = message["message_uid"].as_str().filter(|uid| !uid.is_empty()) else {
        tracing::warn!("a TimelinesAI message event without a message_uid was skipped");
        return Ok(StatusCode::OK);
    };
    match direction(&event) {
        Some("received") => {
            let (Some(contact), Some(business_phone)) =
                (phone(&event["chat"]["phone"]), phone(&event["whatsapp_account"]["phone"]))
            else {
                tracing::warn!("a TimelinesAI message without chat or account phone was skipped");
                return Ok(StatusCode::OK);
            };
            if event["chat"]["is_group"] == true {
                return Ok(StatusCode::OK);
            }
            let sender_id = timelines.sender_id_for(&business_phone).await;
            let at = millis(&message["timestamp"]).unwrap_or_else(|| jiff::Timestamp::now().as_millisecond());
            let inbound = InboundMessage {
                id: uuid::Uuid::now_v7().to_string(),
                provider_id: uid.to_owned(),
                sender_id,
                business_phone,
                contact,
                body: text(message),
                attachment_ids: Vec::new(),
                at,
            };
            state.ingest.inbound(workspace, inbound).await?;
        }
        Some("sent") => {
            state.ingest.status(workspace, uid, DeliveryStatus::Sent, None).await?;
        }
        _ => {}
    }
    Ok(StatusCode::OK)
}

/// `received` or `sent`: the message's direction, or else what the event type says.
fn direction(event: &Value) -> Option<&str> {
    event["message"]["direction"].as_str().or(match event["event_type"].as_str() {
        Some("message:received:new") => Some("received"),
        Some("message:sent:new") => Some("sent"),
        _ => None,
    })
}

/// The message's text, with the names of its files (their temporary URLs are not fetched).
fn text(message: &Value) -> String {
    let mut lines: Vec<String> =
        message["text"].as_str().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).into_iter().collect();
    for file in message["attachments"].as_array().into_iter().flatten() {
        let name = file["filename"].as_str().filter(|n| !n.is_empty()).unwrap_or("file");
        lines.push(format!("[attachment: {name}]"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn files_are_named_in_the_text() {
        let message =
            json!({"text": " See attached ", "attachments": [{"filename": "offer.pdf"}, {"mimetype": "image/jpeg"}]});
        assert_eq!(text(&message), "See attached\n[attachment: offer.pdf]\n[attachment: file]");
        assert_eq!(text(&json!({"text": "Hi"})), "Hi");
    }

    #[test]
    fn the_direction_falls_back_to_the_event_type() {
        assert_eq!(direction(&json!({"event_type": "message:new", "message": {"direction": "sent"}})), Some("sent"));
        assert_eq!(direction(&json!({"event_type": "message:received:new", "message": {}})), Some("received"));
        assert_eq!(direction(&json!({"event_type": "message:new", "message": {}})), None);
    }
}
