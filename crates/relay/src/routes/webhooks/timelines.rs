//! `POST /webhooks/timelines/{secret}`: TimelinesAI's message events. TimelinesAI signs nothing, so the secret
//! path segment is the check, and names the connection: each TimelinesAI connection has its own secret, of which
//! the relay keeps only the SHA-256 to look it up (and a sealed copy to show admins the URL). A wrong one is
//! answered like an unknown path. The route is only ever named by its pattern: the secret never reaches a log or a
//! metric.
//!
//! The body is read into a typed event by [`crate::providers::timelines::webhook`]. A received message is logged
//! (deduplicated by its uid, as TimelinesAI retries); a sent one confirms a message the relay sent. Other events
//! are acknowledged and ignored. The answer comes at once: TimelinesAI
//! gives up after 5 s.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use sidechat_domain::wire::DeliveryStatus;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::providers::Provider;
use crate::providers::timelines::webhook::{self, Event};
use crate::store::InboundMessage;

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
    let event = webhook::parse(&body).map_err(|e| ApiError::invalid(format!("not a TimelinesAI webhook: {e}")))?;
    match event {
        Event::Received { uid, contact, business_phone, at, body } => {
            let sender_id = timelines.sender_id_for(&business_phone).await;
            let inbound = InboundMessage {
                id: uuid::Uuid::now_v7().to_string(),
                provider_id: uid,
                sender_id,
                business_phone,
                contact,
                body,
                attachment_ids: Vec::new(),
                at: at.unwrap_or_else(|| state.ingest.clock.millis()),
            };
            state.ingest.inbound(workspace, inbound).await?;
        }
        Event::Sent { uid } => {
            state.ingest.status(workspace, &uid, DeliveryStatus::Sent, None).await?;
        }
        Event::Ignored => {}
    }
    Ok(StatusCode::OK)
}
