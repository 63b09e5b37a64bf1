//! The relay's own top-level pages (`/settings` now; the full conversation page later) and how their users sign in:
//! with their CRM account (Pipedrive OAuth, reusing `/oauth/pipedrive/callback` with a `state`; Zoho through
//! `/oauth/zoho/start?return_to=…`), after which the relay keeps a first-party session cookie (`HttpOnly`,
//! `SameSite=Lax`, `Secure` on an `https` relay, one hour). Calls from those pages carry the cookie instead of an
//! `Authorization` header; a call that changes something must come from the relay's own origin (`Origin`), so
//! another site cannot make a signed-in browser act.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use sidechat_domain::Crm;

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::routes::sign_in::{SESSION_MS, hash, secret};
use crate::store::{NewSignIn, SessionKind, WorkspaceId};

/// The session cookie's name.
pub const COOKIE: &str = "sidechat_session";
/// The pages a sign-in may return to.
pub const RETURN_PATHS: &[&str] = &["/settings"];
/// How long a sign-in may take (ms).
const SIGN_IN_MS: i64 = 15 * 60_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/settings", get(settings)).route("/oauth/pipedrive/start", get(pipedrive_start))
}

/// `GET /settings`: the settings view for a signed-in user (its module decides what a member sees), else the
/// sign-in choices.
async fn settings(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if cookie_session(&state, &headers).await?.is_some() {
        return Ok(Redirect::to("/widget/?view=settings").into_response());
    }
    let mut choices = String::new();
    if state.config.pipedrive.is_some() && !state.config.demo {
        choices.push_str(
            "<li><a data-testid=\"sign-in-pipedrive\" href=\"/oauth/pipedrive/start?return_to=%2Fsettings\">\
             Sign in with Pipedrive</a></li>",
        );
    }
    if state.config.zoho.is_some() {
        choices.push_str(
            "<li><a data-testid=\"sign-in-zoho\" href=\"/oauth/zoho/start?return_to=%2Fsettings\">Sign in with Zoho CRM</a></li>",
        );
    }
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width, initial-scale=1\"><title>Sidechat settings</title></head><body><main>\
         <h1>Sidechat settings</h1><p>Sign in with the CRM account your company uses Sidechat with.</p><ul>{choices}</ul>\
         </main></body></html>\n"
    );
    let mut response = Html(page).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Deserialize)]
struct StartQuery {
    return_to: Option<String>,
}

/// A page path a sign-in may return to, or `invalid_request`.
pub fn return_path(raw: Option<&str>) -> ApiResult<String> {
    let raw = raw.ok_or_else(|| ApiError::invalid("the `return_to` parameter is required"))?;
    RETURN_PATHS
        .iter()
        .find(|path| **path == raw)
        .map(|path| (*path).to_owned())
        .ok_or_else(|| ApiError::invalid(format!("`{raw}` is not a page of the relay a sign-in returns to")))
}

/// `GET /oauth/pipedrive/start?return_to=/settings`: Pipedrive's consent, then back here with a `state`.
async fn pipedrive_start(
    State(state): State<AppState>,
    query: Result<Query<StartQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(query) = query?;
    let return_to = return_path(query.return_to.as_deref())?;
    let connect = crate::crm::pipedrive::connect_url(&state)
        .ok_or_else(|| ApiError::not_found("endpoint: Pipedrive is not configured on this relay"))?;
    let oauth_state = secret();
    let now = state.ingest.clock.millis();
    let new = NewSignIn {
        id: uuid::Uuid::new_v4().to_string(),
        crm: Crm::Pipedrive,
        origin: None,
        return_to: Some(return_to),
        claim_hash: None,
        expires_at: now + SIGN_IN_MS,
    };
    state.store.insert_sign_in(&new, Some(&hash(&oauth_state))).await?;
    Ok(Redirect::to(&format!("{connect}&state={}", urlencoding::encode(&oauth_state))).into_response())
}

/// After a sign-in from a top-level page: a cookie session, and back to the page.
pub async fn sign_in_cookie(
    state: &AppState,
    workspace: &WorkspaceId,
    user_id: &str,
    return_to: &str,
) -> ApiResult<Response> {
    let now = state.ingest.clock.millis();
    let session = secret();
    state.store.insert_session(workspace, user_id, &hash(&session), SessionKind::Cookie, now + SESSION_MS, now).await?;
    let secure = if state.config.public_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = format!("{COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", SESSION_MS / 1000);
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, return_to.to_owned())]).into_response();
    let value = HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?;
    response.headers_mut().insert(header::SET_COOKIE, value);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The cookie session a request presents, if it is live: its workspace and user.
pub async fn cookie_session(state: &AppState, headers: &HeaderMap) -> ApiResult<Option<crate::store::SessionRow>> {
    let Some(token) = cookie_value(headers) else { return Ok(None) };
    let now = state.ingest.clock.millis();
    Ok(state
        .store
        .session(&hash(&token))
        .await?
        .filter(|session| session.kind == SessionKind::Cookie && !session.revoked && session.expires_at > now))
}

/// The session cookie's value.
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(&format!("{COOKIE}=")).map(str::to_owned))
        .filter(|value| !value.is_empty())
}

/// Whether a request with a cookie may act: a read, or one from the relay's own origin.
pub fn same_origin(state: &AppState, method: &axum::http::Method, headers: &HeaderMap) -> bool {
    if matches!(*method, axum::http::Method::GET | axum::http::Method::HEAD) {
        return true;
    }
    let own = state.config.public_url.trim_end_matches('/');
    headers.get(header::ORIGIN).and_then(|origin| origin.to_str().ok()).is_some_and(|origin| origin == own)
}
