//! Provider webhooks. The Cloud API's: `GET /webhooks/whatsapp` answers Meta's verification challenge;
//! `POST /webhooks/whatsapp` takes inbound messages and statuses, signed with `X-Hub-Signature-256` over the
//! raw body (checked in constant time; anything unverifiable is refused). One Meta app serves every Cloud API
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
use serde_json::Value;
use sha2::Sha256;
use sidechat_domain::E164;
use sidechat_domain::wire::DeliveryStatus;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::files::upkeep::MediaRef;
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
    let envelope: Value = serde_json::from_slice(&body).map_err(|e| ApiError::invalid(format!("not JSON: {e}")))?;
    for change in
        envelope["entry"].as_array().into_iter().flatten().flat_map(|e| e["changes"].as_array().into_iter().flatten())
    {
        let value = &change["value"];
        let Some(phone_number_id) = value["metadata"]["phone_number_id"].as_str() else { continue };
        let Some((connection, sender)) = state.whatsapp.cloud_number(phone_number_id).await? else {
            tracing::warn!(phone_number_id, "a webhook for a number no workspace has connected was dropped");
            continue;
        };
        let workspace = connection.workspace();
        for message in value["messages"].as_array().into_iter().flatten() {
            let Some(mut inbound) = inbound(message, &sender.id, &sender.phone) else {
                tracing::warn!("an inbound message without sender, id or time was skipped");
                continue;
            };
            if state.store.message_by_provider_id(workspace, &inbound.provider_id).await?.is_none() {
                attach_media(&state, &connection, message, &mut inbound).await?;
            }
            let with_media = !inbound.attachment_ids.is_empty();
            state.ingest.inbound(workspace, inbound).await?;
            if with_media {
                state.media.notify_one();
            }
        }
        for report in value["statuses"].as_array().into_iter().flatten() {
            let (Some(id), Some(status)) =
                (report["id"].as_str(), report["status"].as_str().and_then(DeliveryStatus::parse))
            else {
                continue; // `played` and other statuses the log does not track
            };
            let error = &report["errors"][0];
            let code = error["code"].as_i64().map(|c| c.to_string());
            let reason = error["error_data"]["details"]
                .as_str()
                .or(error["message"].as_str())
                .or(error["title"].as_str())
                .unwrap_or("");
            state.ingest.status(workspace, id, status, code.as_deref().map(|c| (c, reason))).await?;
        }
    }
    Ok(StatusCode::OK)
}

/// Links the file of a media message, to be fetched from Meta in the background ([`crate::files::upkeep`]): the
/// webhook is answered without waiting for Meta's media servers.
async fn attach_media(
    state: &AppState,
    connection: &crate::whatsapp::Connection,
    message: &Value,
    inbound: &mut InboundMessage,
) -> ApiResult<()> {
    let kind = message["type"].as_str().unwrap_or_default();
    let media = &message[kind];
    let (Some(media_id), crate::providers::Provider::Cloud(_)) = (media["id"].as_str(), connection.provider.as_ref())
    else {
        return Ok(());
    };
    let mime = media["mime_type"].as_str().unwrap_or("application/octet-stream").to_owned();
    let meta = AttachmentMeta {
        id: uuid::Uuid::now_v7().to_string(),
        name: crate::providers::cloud::media_name(kind, media_id, media["filename"].as_str(), &mime),
        size: 0,
        mime,
    };
    let reference = MediaRef { sender: inbound.sender_id.clone(), media: media_id.to_owned() };
    let reference = serde_json::to_string(&reference).map_err(anyhow::Error::from)?;
    state.store.insert_attachment(connection.workspace(), &meta, Some(&reference), inbound.at).await?;
    inbound.attachment_ids.push(meta.id);
    Ok(())
}

/// An inbound message from a Cloud API webhook: text, or a caption and the kind of media for other types.
fn inbound(message: &Value, sender_id: &str, business_phone: &E164) -> Option<InboundMessage> {
    let contact = E164::parse(&format!("+{}", message["from"].as_str()?)).ok()?;
    let provider_id = message["id"].as_str()?.to_owned();
    let seconds: i64 = message["timestamp"].as_str()?.parse().ok()?;
    let kind = message["type"].as_str().unwrap_or("unknown");
    let body = match kind {
        "text" => message["text"]["body"].as_str().unwrap_or_default().to_owned(),
        "button" => message["button"]["text"].as_str().unwrap_or_default().to_owned(),
        "interactive" => message["interactive"]["button_reply"]["title"]
            .as_str()
            .or(message["interactive"]["list_reply"]["title"].as_str())
            .unwrap_or_default()
            .to_owned(),
        other => match message[other]["caption"].as_str() {
            Some(caption) => format!("[{other}] {caption}"),
            None => format!("[{other}]"),
        },
    };
    Some(InboundMessage {
        id: uuid::Uuid::now_v7().to_string(),
        provider_id,
        sender_id: sender_id.to_owned(),
        business_phone: business_phone.clone(),
        contact,
        body,
        attachment_ids: Vec::new(),
        at: seconds.saturating_mul(1000),
    })
}
