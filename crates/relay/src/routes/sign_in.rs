//! Zoho users sign in, and their panel keeps a session:
//! - `GET /oauth/zoho/start?origin=…[&handoff=…]` (opened by the panel in a new window or tab) sends the browser to
//!   Zoho Accounts; `origin`, the panel's own, must match `SIDECHAT_CORS_ORIGINS`.
//! - `GET /oauth/zoho/callback` trades the code (at a trusted accounts server only), records the user, and answers
//!   a page that posts `{"type":"sidechat:session","session","expires_at"}` to the opener at that origin and closes.
//! - `POST /api/v1/session/handoff` `{"origin"}` → `{"handoff","claim","start_url"}`, and `POST /api/v1/session/claim`
//!   `{"handoff","claim"}` → the session (202 while the user is still signing in): how a panel that could not open a
//!   window, or whose window lost its opener, gets the session that a tab made. The claim never travels in a URL.
//! - `POST /api/v1/session/renew` with `Authorization: Bearer <session>` (expired up to 30 days ago) asks Zoho
//!   again whether the user is active, and answers a new session (the old one is revoked) or 401.
//!
//! Sessions last an hour; only their SHA-256 is kept.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sidechat_domain::Crm;
use sidechat_domain::wire::ErrorCode;

use crate::AppState;
use crate::auth;
use crate::crm::zoho::{self, ZohoError};
use crate::error::{ApiError, ApiResult};
use crate::store::{Claim, NewSignIn, SessionKind, WorkspaceId, timestamp};
use crate::web::origin_matches;

/// How long a session opens the API (ms).
pub const SESSION_MS: i64 = 3_600_000;
/// How long after it expired a session may still be renewed (ms).
pub const RENEWABLE_MS: i64 = 30 * 24 * 3_600_000;
/// How long a sign-in may take, from the start to the callback and the claim (ms).
const SIGN_IN_MS: i64 = 15 * 60_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/oauth/zoho/start", get(start)).route(zoho::CALLBACK_PATH, get(callback))
}

/// The routes browsers call across origins (with the API's CORS).
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session/handoff", post(handoff))
        .route("/api/v1/session/claim", post(claim))
        .route("/api/v1/session/renew", post(renew))
}

/// A session the panel presents as `Authorization: Bearer`.
#[derive(Debug, Serialize)]
struct SessionAnswer {
    session: String,
    #[serde(with = "sidechat_domain::wire::rfc3339")]
    expires_at: jiff::Timestamp,
}

/// 32 random bytes, URL-safe.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 (hex) of a secret: what the database keeps.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Issues a bearer session for a user.
pub async fn issue_session(state: &AppState, workspace: &WorkspaceId, user_id: &str) -> ApiResult<(String, i64)> {
    let now = state.ingest.clock.millis();
    let session = secret();
    let expires_at = now + SESSION_MS;
    state.store.insert_session(workspace, user_id, &hash(&session), SessionKind::Bearer, expires_at, now).await?;
    Ok((session, expires_at))
}

fn session_answer((session, expires_at): (String, i64)) -> Json<SessionAnswer> {
    Json(SessionAnswer { session, expires_at: timestamp(expires_at) })
}

/// The origin a panel names, if the relay lets it call: exact `scheme://host[:port]`, matching
/// `SIDECHAT_CORS_ORIGINS`.
fn allowed_origin(state: &AppState, origin: Option<&str>) -> ApiResult<String> {
    let origin =
        origin.map(str::trim).filter(|o| !o.is_empty()).ok_or_else(|| ApiError::invalid("the `origin` is required"))?;
    let well_formed = (origin.starts_with("https://") || origin.starts_with("http://"))
        && !origin.trim_start_matches("https://").trim_start_matches("http://").contains(['/', '?', '#', ' ']);
    // The relay's own pages call it from its own origin.
    let own = state.config.public_url.trim_end_matches('/');
    let listed = state.config.cors_origins.iter().any(|pattern| origin_matches(pattern, origin));
    if !well_formed || !(listed || origin == own) {
        return Err(ApiError::invalid(format!(
            "`{origin}` is not an origin this relay serves (SIDECHAT_CORS_ORIGINS)"
        )));
    }
    Ok(origin.to_owned())
}

fn zoho_configured(state: &AppState) -> ApiResult<()> {
    if state.config.zoho.is_none() {
        return Err(ApiError::not_found("endpoint: Zoho CRM is not configured on this relay"));
    }
    Ok(())
}

#[derive(Deserialize)]
struct StartQuery {
    origin: Option<String>,
    handoff: Option<String>,
    /// A top-level page of the relay to return to, signed in with a cookie (instead of `origin`).
    return_to: Option<String>,
}

async fn start(State(state): State<AppState>, query: Result<Query<StartQuery>, QueryRejection>) -> ApiResult<Response> {
    zoho_configured(&state)?;
    let Query(query) = query?;
    let oauth_state = secret();
    let now = state.ingest.clock.millis();
    if query.origin.is_none() && query.return_to.is_some() {
        let new = NewSignIn {
            id: uuid::Uuid::new_v4().to_string(),
            crm: Crm::Zoho,
            origin: None,
            return_to: Some(crate::routes::top_level::return_path(query.return_to.as_deref())?),
            claim_hash: None,
            expires_at: now + SIGN_IN_MS,
        };
        state.store.insert_sign_in(&new, Some(&hash(&oauth_state))).await?;
        let target = zoho::authorize_url(&state, &oauth_state).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(Redirect::to(&target).into_response());
    }
    let origin = allowed_origin(&state, query.origin.as_deref())?;
    match query.handoff {
        Some(handoff) => {
            let started = state.store.start_sign_in(&handoff, &hash(&oauth_state), now).await?;
            let started = started.ok_or_else(|| ApiError::invalid("the sign-in expired or was started already"))?;
            if started.origin.as_deref() != Some(origin.as_str()) {
                return Err(ApiError::invalid("the sign-in was asked for by another origin"));
            }
        }
        None => {
            let new = NewSignIn {
                id: uuid::Uuid::new_v4().to_string(),
                crm: Crm::Zoho,
                origin: Some(origin),
                return_to: None,
                claim_hash: None,
                expires_at: now + SIGN_IN_MS,
            };
            state.store.insert_sign_in(&new, Some(&hash(&oauth_state))).await?;
        }
    }
    let target = zoho::authorize_url(&state, &oauth_state).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    #[serde(rename = "accounts-server")]
    accounts_server: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> ApiResult<Response> {
    zoho_configured(&state)?;
    let Query(query) = query?;
    let now = state.ingest.clock.millis();
    let oauth_state = query.state.as_deref().ok_or_else(|| ApiError::invalid("the `state` parameter is required"))?;
    let sign_in = state
        .store
        .sign_in_by_state(&hash(oauth_state), now)
        .await?
        .filter(|sign_in| sign_in.crm == Crm::Zoho)
        .ok_or_else(|| ApiError::invalid("this sign-in is unknown, expired or finished: start again from the panel"))?;
    if let Some(error) = query.error {
        tracing::info!(error = error.chars().take(100).collect::<String>(), "zoho sign-in not allowed");
        return Ok(page(
            StatusCode::FORBIDDEN,
            "You did not allow Sidechat in Zoho: close this window and try again.",
            None,
        ));
    }
    let (Some(code), Some(accounts_server)) = (query.code.filter(|c| !c.trim().is_empty()), query.accounts_server)
    else {
        return Err(ApiError::invalid("the `code` and `accounts-server` parameters are required"));
    };
    let signed_in = match zoho::sign_in(&state, &accounts_server, code.trim()).await {
        Ok(signed_in) => signed_in,
        Err(ZohoError::Untrusted(reason)) => {
            tracing::warn!(reason, "a zoho sign-in named an accounts server or API domain the relay does not trust");
            return Err(ApiError::invalid("the accounts server is not one this relay uses"));
        }
        Err(ZohoError::OrgNotAllowed(_)) => {
            return Err(ApiError::new(
                ErrorCode::NotInstalled,
                "your Zoho org has not installed Sidechat on this relay",
            ));
        }
        Err(ZohoError::Refused(reason)) => {
            tracing::info!(reason, "zoho refused the sign-in");
            return Err(ApiError::unauthorized("Zoho refused the sign-in: start again from the panel"));
        }
        Err(error) => return Err(error.into()),
    };
    if !state.store.complete_sign_in(&sign_in.id, &signed_in.workspace, &signed_in.user.id, now).await? {
        return Err(ApiError::invalid("this sign-in was finished already"));
    }
    if let Some(return_to) = &sign_in.return_to {
        return crate::routes::top_level::sign_in_cookie(&state, &signed_in.workspace, &signed_in.user.id, return_to)
            .await;
    }
    let (session, expires_at) = issue_session(&state, &signed_in.workspace, &signed_in.user.id).await?;
    let message = serde_json::json!({"type": "sidechat:session", "session": session,
        "expires_at": timestamp(expires_at).to_string()});
    let origin = sign_in.origin.unwrap_or_default();
    Ok(page(
        StatusCode::OK,
        "You are signed in to Sidechat. You can close this window and go back to Zoho CRM.",
        Some((&origin, &message)),
    ))
}

/// A small page for the sign-in window: `text`, and, with a message, a script that posts it to the opener at
/// `origin` and closes the window. The script is allowed by its nonce alone; the message is JSON, with `<` escaped.
fn page(status: StatusCode, text: &str, post: Option<(&str, &serde_json::Value)>) -> Response {
    let nonce = secret();
    let script = post.map_or_else(String::new, |(origin, message)| {
        let message = message.to_string().replace('<', "\\u003c");
        let origin = serde_json::Value::String(origin.to_owned()).to_string().replace('<', "\\u003c");
        format!(
            "<script nonce=\"{nonce}\">if (window.opener) {{ window.opener.postMessage({message}, {origin}); \
             window.close(); }}</script>"
        )
    });
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sidechat</title></head><body>\
         <main><h1>Sidechat</h1><p data-testid=\"sign-in-result\">{text}</p></main>{script}</body></html>\n"
    );
    let csp = format!("default-src 'none'; script-src 'nonce-{nonce}'; base-uri 'none'; form-action 'none'");
    let mut response = (status, axum::response::Html(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[derive(Deserialize)]
struct HandoffRequest {
    origin: String,
}

#[derive(Serialize)]
struct HandoffAnswer {
    handoff: String,
    claim: String,
    start_url: String,
}

async fn handoff(
    State(state): State<AppState>,
    body: Result<Json<HandoffRequest>, JsonRejection>,
) -> ApiResult<Json<HandoffAnswer>> {
    zoho_configured(&state)?;
    let Json(request) = body?;
    let origin = allowed_origin(&state, Some(&request.origin))?;
    let now = state.ingest.clock.millis();
    let claim = secret();
    let new = NewSignIn {
        id: uuid::Uuid::new_v4().to_string(),
        crm: Crm::Zoho,
        origin: Some(origin.clone()),
        return_to: None,
        claim_hash: Some(hash(&claim)),
        expires_at: now + SIGN_IN_MS,
    };
    state.store.insert_sign_in(&new, None).await?;
    let start_url = format!(
        "{}/oauth/zoho/start?origin={}&handoff={}",
        state.config.public_url.trim_end_matches('/'),
        urlencoding::encode(&origin),
        new.id
    );
    Ok(Json(HandoffAnswer { handoff: new.id, claim, start_url }))
}

#[derive(Deserialize)]
struct ClaimRequest {
    handoff: String,
    claim: String,
}

async fn claim(State(state): State<AppState>, body: Result<Json<ClaimRequest>, JsonRejection>) -> ApiResult<Response> {
    zoho_configured(&state)?;
    let Json(request) = body?;
    let now = state.ingest.clock.millis();
    match state.store.claim_sign_in(&request.handoff, &hash(&request.claim), now).await? {
        Claim::Done(workspace, user_id) => {
            Ok(session_answer(issue_session(&state, &workspace, &user_id).await?).into_response())
        }
        Claim::Pending => Ok((StatusCode::ACCEPTED, Json(serde_json::json!({"status": "pending"}))).into_response()),
        Claim::Refused => Err(ApiError::unauthorized("this sign-in is unknown, expired or claimed already")),
    }
}

async fn renew(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Json<SessionAnswer>> {
    zoho_configured(&state)?;
    let token = auth::bearer(&headers)?.ok_or_else(|| ApiError::unauthorized("missing credentials"))?;
    let now = state.ingest.clock.millis();
    let token_hash = hash(token.trim());
    let session = state
        .store
        .session(&token_hash)
        .await?
        .filter(|session| {
            session.kind == SessionKind::Bearer && !session.revoked && session.expires_at + RENEWABLE_MS > now
        })
        .ok_or_else(|| ApiError::unauthorized("the session cannot be renewed: sign in again"))?;
    match zoho::recheck(&state, &session.workspace, &session.user).await {
        Ok(_) => {}
        Err(ZohoError::Refused(reason) | ZohoError::Untrusted(reason)) => {
            tracing::info!(user = %session.user.id, reason, "a zoho session was not renewed");
            state.store.revoke_user_sessions(&session.workspace, &session.user.id, now).await?;
            return Err(ApiError::unauthorized("Zoho no longer lets this user in: sign in again"));
        }
        Err(error) => return Err(error.into()),
    }
    // Only the first of two concurrent renewals of one session gets a new one.
    if !state.store.revoke_session(&token_hash, now).await? {
        return Err(ApiError::unauthorized("the session was renewed already: use the new one"));
    }
    Ok(session_answer(issue_session(&state, &session.workspace, &session.user.id).await?))
}

impl From<ZohoError> for ApiError {
    fn from(error: ZohoError) -> Self {
        match error {
            ZohoError::Unreachable { .. } => {
                tracing::warn!(error = %error, "zoho");
                ApiError::new(ErrorCode::ProviderUnavailable, "Zoho did not answer: try again")
            }
            ZohoError::NotConfigured => ApiError::not_found("endpoint: Zoho CRM is not configured on this relay"),
            other => ApiError::Internal(anyhow::Error::new(other)),
        }
    }
}
