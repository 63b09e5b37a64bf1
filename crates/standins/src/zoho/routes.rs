//! The Zoho stand-in's endpoints.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{CLIENT_ID, CLIENT_SECRET, Holder, Shared};
use crate::assumptions::{
    ZOHO_ACCESS_TOKEN_SECONDS, ZOHO_DEACTIVATED_USER_REFRESH_FAILS, ZOHO_INVALID_TOKEN, zoho_token_error,
};
use crate::server::BaseUrl;

pub(super) fn router<S: Clone + Send + Sync + 'static>(shared: Arc<Shared>) -> Router<S> {
    Router::new()
        .route("/oauth/v2/auth", get(consent))
        .route("/oauth/v2/allow", get(allow))
        .route("/oauth/v2/token", post(token))
        .route("/crm/v8/users", get(users))
        .route("/crm/v8/org", get(org))
        .with_state(shared)
}

/// Text for an HTML page: `&`, `<`, `>` and quotes escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// `GET /oauth/v2/auth`: the consent page, a button per user of the data centre.
async fn consent(State(shared): State<Arc<Shared>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != CLIENT_ID || field("response_type") != "code" || field("redirect_uri").is_empty() {
        return (StatusCode::BAD_REQUEST, Html("<p>Invalid client or request</p>")).into_response();
    }
    let scopes = escape(field("scope"));
    let mut buttons = String::new();
    for org in &shared.centre().orgs {
        for user in &org.users {
            let link = format!(
                "allow?user={}&redirect_uri={}&state={}",
                urlencoding::encode(&user.id),
                urlencoding::encode(field("redirect_uri")),
                urlencoding::encode(field("state"))
            );
            buttons.push_str(&format!(
                "<li><a href=\"{}\" data-testid=\"zoho-allow-{}\">Allow as {} ({}, {})</a></li>",
                escape(&link),
                escape(&user.id),
                escape(&user.full_name),
                escape(&org.company_name),
                escape(&user.profile)
            ));
        }
    }
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Zoho Accounts (stand-in)</title></head>\
         <body><main><h1>Sidechat would like to access your Zoho CRM</h1><p>Scopes: {scopes}</p><ul>{buttons}</ul>\
         </main></body></html>"
    ))
    .into_response()
}

/// `GET /oauth/v2/allow`: the user allowed; back to the client with a code, the location and this server.
async fn allow(
    State(shared): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    let Some((org, user)) = shared.find(field("user")) else {
        return (StatusCode::BAD_REQUEST, Html("<p>No such user</p>")).into_response();
    };
    let code = shared.issue("code", Holder { org: org.id, user: user.id });
    let location = shared.centre().location.clone();
    let target = format!(
        "{}?code={}&location={location}&accounts-server={}&state={}",
        field("redirect_uri"),
        urlencoding::encode(&code),
        urlencoding::encode(&base),
        urlencoding::encode(field("state"))
    );
    Redirect::to(&target).into_response()
}

/// `POST /oauth/v2/token`: a code or a refresh token for tokens. Zoho documents the parameters in the query
/// string; a form body is read too.
async fn token(
    State(shared): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    Query(query): Query<HashMap<String, String>>,
    RawForm(body): RawForm,
) -> Response {
    let mut fields = query;
    fields.extend(url::form_urlencoded::parse(&body).into_owned());
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return zoho_token_error("invalid_client");
    }
    match field("grant_type") {
        "authorization_code" => {
            let Some(holder) = shared.code_holder(field("code")) else { return zoho_token_error("invalid_code") };
            let access = shared.issue("access", holder.clone());
            let refresh = shared.issue("refresh", holder);
            Json(json!({"access_token": access, "refresh_token": refresh, "api_domain": base,
                "token_type": "Bearer", "expires_in": ZOHO_ACCESS_TOKEN_SECONDS}))
            .into_response()
        }
        "refresh_token" => {
            let Some(holder) = shared.refresh_holder(field("refresh_token")) else {
                return zoho_token_error("invalid_code");
            };
            let active = shared.find(&holder.user).is_some_and(|(_, user)| user.status == "active");
            if ZOHO_DEACTIVATED_USER_REFRESH_FAILS && !active {
                return zoho_token_error("invalid_code");
            }
            let access = shared.issue("access", holder);
            Json(json!({"access_token": access, "api_domain": base, "token_type": "Bearer",
                "expires_in": ZOHO_ACCESS_TOKEN_SECONDS}))
            .into_response()
        }
        _ => zoho_token_error("unsupported_grant_type"),
    }
}

/// The holder of the call's `Authorization: Zoho-oauthtoken …`, or the documented 401.
fn caller(shared: &Shared, headers: &HeaderMap) -> Result<Holder, Box<Response>> {
    let token =
        headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Zoho-oauthtoken "));
    token.and_then(|token| shared.access_holder(token)).ok_or_else(|| {
        let (code, message) = ZOHO_INVALID_TOKEN;
        let body = json!({"code": code, "details": {}, "message": message, "status": "error"});
        Box::new((StatusCode::UNAUTHORIZED, Json(body)).into_response())
    })
}

/// `GET /crm/v8/users?type=CurrentUser`.
async fn users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let holder = match caller(&shared, &headers) {
        Ok(holder) => holder,
        Err(refusal) => return *refusal,
    };
    if query.get("type").map(String::as_str) != Some("CurrentUser") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"code": "INVALID_DATA", "details": {"param_name": "type"},
            "message": "only CurrentUser is served by the stand-in", "status": "error"})),
        )
            .into_response();
    }
    let Some((_, user)) = shared.find(&holder.user) else { return StatusCode::NO_CONTENT.into_response() };
    let profile_id = if user.profile == "Administrator" { "4150868000000026011" } else { "4150868000000026014" };
    Json(json!({"users": [{"id": user.id, "full_name": user.full_name, "email": user.email, "status": user.status,
        "confirm": true, "zuid": format!("7{}", user.id.len()), "profile": {"name": user.profile, "id": profile_id},
        "role": {"name": "CEO", "id": "4150868000000026005"}}],
        "info": {"per_page": 200, "count": 1, "page": 1, "more_records": false}}))
    .into_response()
}

/// `GET /crm/v8/org`.
async fn org(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let holder = match caller(&shared, &headers) {
        Ok(holder) => holder,
        Err(refusal) => return *refusal,
    };
    let centre = shared.centre();
    let Some(org) = centre.orgs.iter().find(|org| org.id == holder.org) else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let answer: Value = json!({"org": [{"id": org.id, "company_name": org.company_name, "time_zone": org.time_zone,
        "country_code": "US", "currency": "US Dollar - USD", "primary_email": "admin@zylker.example"}]});
    Json(answer).into_response()
}
