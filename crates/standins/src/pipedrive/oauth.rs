//! `POST /oauth/token`: authorization codes and refresh tokens traded for tokens, with the app's client
//! credentials as HTTP Basic, in the form and answer `crm-sync-apis.md` §1.1 documents. Every deviation from the
//! protocol is noted as a problem.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine;
use serde_json::json;

use super::state::{Holder, Shared};
use crate::assumptions::{
    PIPEDRIVE_ACCESS_TOKEN_SECONDS, PIPEDRIVE_GRANTED_SCOPE, PIPEDRIVE_INVALID_CLIENT, PIPEDRIVE_INVALID_GRANT,
    PIPEDRIVE_REDIRECT_URI_MUST_MATCH,
};
use crate::server::BaseUrl;

fn refusal((status, message): (u16, &str)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({"success": false, "message": message}))).into_response()
}

/// Trades a code or a refresh token for tokens.
pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    BaseUrl(api_domain): BaseUrl,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let app = shared.world().app.clone();
    let expected = app.as_ref().map(|app| {
        let credentials = format!("{}:{}", app.client_id, app.client_secret);
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials))
    });
    let sent = headers.get("authorization").and_then(|v| v.to_str().ok());
    let (Some(app), Some(expected)) = (app, expected) else {
        shared.problem("a token request reached a stand-in without an OAuth app".into());
        return refusal(PIPEDRIVE_INVALID_CLIENT);
    };
    if sent != Some(expected.as_str()) {
        shared.problem("the token request lacks the app's Basic credentials".into());
        return refusal(PIPEDRIVE_INVALID_CLIENT);
    }
    let field = |name: &str| form.get(name).map(String::as_str);
    let holder = match field("grant_type") {
        Some("authorization_code") => {
            if PIPEDRIVE_REDIRECT_URI_MUST_MATCH && field("redirect_uri") != Some(app.redirect_uri.as_str()) {
                shared.problem(format!("redirect_uri was {:?}", field("redirect_uri")));
                return refusal(PIPEDRIVE_INVALID_GRANT);
            }
            let holder = field("code").and_then(|code| shared.trade_code(code));
            holder.inspect(|_| Shared::count(&shared.code_grants))
        }
        Some("refresh_token") => {
            let holder = field("refresh_token").and_then(|token| shared.trade_refresh_token(token));
            holder.inspect(|_| Shared::count(&shared.refresh_grants))
        }
        other => {
            shared.problem(format!("grant_type was {other:?}"));
            return refusal(PIPEDRIVE_INVALID_GRANT);
        }
    };
    match holder {
        Some(holder) => Json(token_answer(&shared, holder, &api_domain)).into_response(),
        None => refusal(PIPEDRIVE_INVALID_GRANT),
    }
}

/// The documented token answer, for new tokens of `holder`.
fn token_answer(shared: &Shared, holder: Holder, api_domain: &str) -> serde_json::Value {
    let tokens = shared.issue_tokens(holder);
    json!({
        "access_token": tokens.access, "token_type": "Bearer", "refresh_token": tokens.refresh,
        "scope": PIPEDRIVE_GRANTED_SCOPE, "expires_in": PIPEDRIVE_ACCESS_TOKEN_SECONDS, "api_domain": api_domain,
    })
}
