//! Provider webhooks. The Cloud API's: `GET /webhooks/whatsapp` answers Meta's verification challenge;
//! `POST /webhooks/whatsapp` takes inbound messages and statuses, signed with `X-Hub-Signature-256` over the
//! raw body (checked in constant time; anything unverifiable is refused), and read into typed events by
//! [`crate::providers::cloud::webhook`]. One Meta app serves every Cloud API
//! connection: each change is routed by its `metadata.phone_number_id` to the workspace whose connection has that
//! number; a number no workspace has is acknowledged, logged and dropped. TimelinesAI's are in [`timelines`].

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::files::upkeep::MediaRef;
use crate::providers::cloud::webhook;
use crate::store::{AttachmentMeta, InboundMessage};

mod timelines;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/whatsapp", get(verify_subscription).post(receive_cloud_events))
        .merge(timelines::router())
}

#[derive(Deserialize)]
struct Challenge {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

async fn verify_subscription(State(state): State<AppState>, Query(query): Query<Challenge>) -> Response {
    let Some(app) = &state.config.meta_app else {
        return ApiError::not_found("webhook").into_response();
    };
    let token_matches = query
        .verify_token
        .as_deref()
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(app.verify_token.expose_secret().as_bytes())));
    match (query.mode.as_deref(), token_matches, query.challenge) {
        (Some("subscribe"), true, Some(challenge)) => (StatusCode::OK, challenge).into_response(),
        _ => (StatusCode::FORBIDDEN, "verification refused").into_response(),
    }
}

/// Whether `X-Hub-Signature-256: sha256=<hex>` is the HMAC-SHA256 of the raw body with the app secret.
pub fn signature_is_valid(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(hex_signature) =
        headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("sha256="))
    else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_signature.trim()) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

async fn receive_cloud_events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<StatusCode> {
    let Some(app) = &state.config.meta_app else {
        return Err(ApiError::not_found("webhook"));
    };
    if !signature_is_valid(app.app_secret.expose_secret(), &headers, &body) {
        tracing::warn!("a Cloud API webhook with a bad or missing signature was refused");
        return Err(ApiError::unauthorized("the X-Hub-Signature-256 signature does not match"));
    }
    let changes = webhook::parse(&body).map_err(|e| ApiError::invalid(format!("not a Cloud API webhook: {e}")))?;
    for change in changes {
        let phone_number_id = change.phone_number_id.as_str();
        let Some((connection, sender)) = state.whatsapp.cloud_number(phone_number_id).await? else {
            tracing::warn!(phone_number_id, "a webhook for a number no workspace has connected was dropped");
            continue;
        };
        let workspace = connection.workspace();
        for message in change.messages {
            let mut inbound = InboundMessage {
                id: uuid::Uuid::now_v7().to_string(),
                provider_id: message.provider_id,
                sender_id: sender.id.clone(),
                business_phone: sender.phone.clone(),
                contact: message.contact,
                body: message.body,
                attachment_ids: Vec::new(),
                at: message.at,
            };
            if let Some(media) = message.media
                && state.store.message_by_provider_id(workspace, &inbound.provider_id).await?.is_none()
            {
                attach_media(&state, &connection, media, &mut inbound).await?;
            }
            let with_media = !inbound.attachment_ids.is_empty();
            state.ingest.inbound(workspace, inbound).await?;
            if with_media {
                state.media.notify_one();
            }
        }
        for report in change.statuses {
            let error = report.error.as_ref().map(|(code, reason)| (code.as_str(), reason.as_str()));
            state.ingest.status(workspace, &report.provider_id, report.status, error).await?;
        }
    }
    Ok(StatusCode::OK)
}

/// Links the file of a media message, to be fetched from Meta in the background ([`crate::files::upkeep`]): the
/// webhook is answered without waiting for Meta's media servers.
async fn attach_media(
    state: &AppState,
    connection: &crate::whatsapp::Connection,
    media: webhook::Media,
    inbound: &mut InboundMessage,
) -> ApiResult<()> {
    let crate::providers::Provider::Cloud(_) = connection.provider.as_ref() else { return Ok(()) };
    let meta = AttachmentMeta {
        id: uuid::Uuid::now_v7().to_string(),
        name: crate::providers::cloud::media_name(&media.kind, &media.id, media.filename.as_deref(), &media.mime),
        size: 0,
        mime: media.mime,
    };
    let reference = MediaRef { sender: inbound.sender_id.clone(), media: media.id };
    let reference = serde_json::to_string(&reference).map_err(anyhow::Error::from)?;
    state.store.insert_attachment(connection.workspace(), &meta, Some(&reference), inbound.at).await?;
    inbound.attachment_ids.push(meta.id);
    Ok(())
}
