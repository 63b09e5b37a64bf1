//! A local Pipedrive for the API tests: its OAuth token endpoint and the REST endpoints the relay reads,
//! answering in the JSON shapes Pipedrive documents. It checks what it receives (Basic client credentials,
//! grant types, the redirect URI, Bearer tokens) and notes every deviation, so tests can assert there was none.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine;
use serde_json::{Value, json};

use crate::support::PIPEDRIVE_SECRET;

mod data;

pub use data::file_bytes;

/// The app's client id, as the test relays are configured.
pub const CLIENT_ID: &str = "test-client";
/// Where the test relays say Pipedrive redirects after an install.
pub const REDIRECT_URI: &str = "http://relay.test/oauth/pipedrive/callback";
/// A running mock Pipedrive.
pub struct MockPipedrive {
    /// Its base URL: the OAuth server and every company's `api_domain`.
    pub url: String,
    inner: Arc<Inner>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Default)]
struct Inner {
    url: String,
    next: AtomicUsize,
    codes: Mutex<HashMap<String, u64>>,
    access: Mutex<HashMap<String, u64>>,
    refresh: Mutex<HashMap<String, u64>>,
    code_grants: AtomicUsize,
    refresh_grants: AtomicUsize,
    unauthorized: AtomicUsize,
    calls: Mutex<Vec<(String, u64)>>,
    downloads: Mutex<HashMap<u64, usize>>,
    problems: Mutex<Vec<String>>,
}

impl MockPipedrive {
    /// Starts the mock on a loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Inner { url: url.clone(), ..Inner::default() });
        let router = Router::new()
            .route("/oauth/token", post(token))
            .route("/api/v1/users/me", get(users_me))
            .route("/api/v2/persons/{id}", get(person))
            .route("/api/v2/deals/{id}", get(deal))
            .route("/api/v2/personFields", get(person_fields))
            .route("/api/v2/dealFields", get(deal_fields))
            .route("/api/v1/persons/{id}/files", get(person_files))
            .route("/api/v1/deals/{id}/files", get(deal_files))
            .route("/api/v1/files/{id}", get(file))
            .route("/api/v1/files/{id}/download", get(download))
            .with_state(inner.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, inner, server }
    }

    /// An authorization code for `company`, as Pipedrive puts on the install redirect.
    pub fn issue_code(&self, company: u64) -> String {
        let code = format!("code-{company}-{}", self.inner.next.fetch_add(1, Ordering::SeqCst));
        self.inner.codes.lock().unwrap().insert(code.clone(), company);
        code
    }

    /// Makes every access token invalid, as when Pipedrive expires them early; refresh tokens still work.
    pub fn revoke_access_tokens(&self) {
        self.inner.access.lock().unwrap().clear();
    }

    /// Makes every token invalid, as when the company uninstalled the app.
    pub fn revoke_everything(&self) {
        self.revoke_access_tokens();
        self.inner.refresh.lock().unwrap().clear();
    }

    /// The company an access token belongs to, if it is valid.
    pub fn company_of(&self, access_token: &str) -> Option<u64> {
        self.inner.access.lock().unwrap().get(access_token).copied()
    }

    /// How many codes were traded for tokens.
    pub fn code_grants(&self) -> usize {
        self.inner.code_grants.load(Ordering::SeqCst)
    }

    /// How many refresh tokens were traded for tokens.
    pub fn refresh_grants(&self) -> usize {
        self.inner.refresh_grants.load(Ordering::SeqCst)
    }

    /// How many API calls were refused for their token.
    pub fn unauthorized(&self) -> usize {
        self.inner.unauthorized.load(Ordering::SeqCst)
    }

    /// The companies whose tokens called `path` (without query).
    pub fn callers_of(&self, path: &str) -> Vec<u64> {
        self.inner.calls.lock().unwrap().iter().filter(|(p, _)| p == path).map(|(_, c)| *c).collect()
    }

    /// How often a file was downloaded.
    pub fn downloads(&self, id: u64) -> usize {
        self.inner.downloads.lock().unwrap().get(&id).copied().unwrap_or(0)
    }

    /// Asserts that every request followed Pipedrive's protocol.
    pub fn assert_no_problems(&self) {
        let problems = self.inner.problems.lock().unwrap();
        assert!(problems.is_empty(), "the relay broke Pipedrive's protocol: {problems:?}");
    }
}

impl Drop for MockPipedrive {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Inner {
    fn problem(&self, problem: String) {
        self.problems.lock().unwrap().push(problem);
    }

    fn tokens_for(&self, company: u64) -> Value {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let (access, refresh) = (format!("access-{company}-{n}"), format!("refresh-{company}-{n}"));
        self.access.lock().unwrap().insert(access.clone(), company);
        self.refresh.lock().unwrap().insert(refresh.clone(), company);
        json!({
            "access_token": access, "token_type": "Bearer", "refresh_token": refresh,
            "scope": "base,deals:read,contacts:read", "expires_in": 3599, "api_domain": self.url,
        })
    }

    /// The company of the call's Bearer token; `None` (counted) when Pipedrive would answer 401.
    fn authorize(&self, headers: &HeaderMap, path: &str) -> Option<u64> {
        let token = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        let company = token.and_then(|t| self.access.lock().unwrap().get(t).copied());
        match company {
            Some(company) => self.calls.lock().unwrap().push((path.to_owned(), company)),
            None => {
                self.unauthorized.fetch_add(1, Ordering::SeqCst);
            }
        }
        company
    }
}

/// Pipedrive's answer to a missing, expired or revoked access token.
fn unauthorized() -> Response {
    let body = json!({"success": false, "error": "unauthorized access", "errorCode": 401,
        "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API."});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

fn not_found(what: &str) -> Response {
    let body = json!({"success": false, "error": format!("{what} not found"), "error_info": "", "data": null});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

fn ok(data: Value) -> Response {
    Json(json!({"success": true, "data": data})).into_response()
}

async fn token(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{PIPEDRIVE_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        inner.problem("the token request lacks the app's Basic credentials".into());
        return (StatusCode::UNAUTHORIZED, Json(json!({"success": false, "message": "Invalid client"})))
            .into_response();
    }
    let invalid_grant =
        || (StatusCode::BAD_REQUEST, Json(json!({"success": false, "message": "Invalid grant"}))).into_response();
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            if form.get("redirect_uri").map(String::as_str) != Some(REDIRECT_URI) {
                inner.problem(format!("redirect_uri was {:?}", form.get("redirect_uri")));
                return invalid_grant();
            }
            let company = form.get("code").and_then(|code| inner.codes.lock().unwrap().remove(code));
            let Some(company) = company else { return invalid_grant() };
            inner.code_grants.fetch_add(1, Ordering::SeqCst);
            Json(inner.tokens_for(company)).into_response()
        }
        Some("refresh_token") => {
            let company = form.get("refresh_token").and_then(|token| inner.refresh.lock().unwrap().remove(token));
            let Some(company) = company else { return invalid_grant() };
            inner.refresh_grants.fetch_add(1, Ordering::SeqCst);
            Json(inner.tokens_for(company)).into_response()
        }
        other => {
            inner.problem(format!("grant_type was {other:?}"));
            invalid_grant()
        }
    }
}

async fn users_me(State(inner): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    let Some(company) = inner.authorize(&headers, "/api/v1/users/me") else { return unauthorized() };
    ok(json!({
        "id": 42, "name": "Ada Admin", "email": "ada@example.com", "lang": 1, "locale": "en_US",
        "timezone_name": "Europe/Berlin", "company_id": company, "company_name": format!("Company {company}"),
        "company_domain": format!("company{company}"), "is_admin": 1, "active_flag": true,
    }))
}

async fn person(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v2/persons/{id}")).is_none() {
        return unauthorized();
    }
    match id {
        503 => (StatusCode::SERVICE_UNAVAILABLE, "upstream overloaded").into_response(),
        _ => data::person(id).map_or_else(|| not_found("Person"), ok),
    }
}

async fn deal(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v2/deals/{id}")).is_none() {
        return unauthorized();
    }
    data::deal(id).map_or_else(|| not_found("Deal"), ok)
}

async fn person_fields(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if inner.authorize(&headers, "/api/v2/personFields").is_none() {
        return unauthorized();
    }
    // Two pages, to prove the relay follows the cursor.
    let (data, next) = match query.get("cursor").map(String::as_str) {
        None => (
            vec![
                data::definition("name", "Name", "varchar", Value::Null, false),
                data::definition("first_name", "First name", "varchar", Value::Null, false),
            ],
            json!("cGFnZTI="),
        ),
        Some("cGFnZTI=") => (
            vec![
                data::definition("last_name", "Last name", "varchar", Value::Null, false),
                data::definition("phones", "Phone", "phone", Value::Null, false),
                data::definition(
                    data::TIER_KEY,
                    "Customer tier",
                    "enum",
                    json!([{"id": 12, "label": "Gold"}, {"id": 13, "label": "Silver"}]),
                    true,
                ),
                data::definition(data::LANGUAGE_KEY, "Preferred language", "varchar", Value::Null, true),
            ],
            Value::Null,
        ),
        Some(other) => {
            inner.problem(format!("unknown cursor {other}"));
            return (StatusCode::BAD_REQUEST, Json(json!({"success": false, "error": "bad cursor"}))).into_response();
        }
    };
    Json(json!({"success": true, "data": data, "additional_data": {"next_cursor": next}})).into_response()
}

async fn deal_fields(State(inner): State<Arc<Inner>>, headers: HeaderMap) -> Response {
    if inner.authorize(&headers, "/api/v2/dealFields").is_none() {
        return unauthorized();
    }
    let data = vec![
        data::definition("title", "Title", "varchar", Value::Null, false),
        data::definition("value", "Value", "monetary", Value::Null, false),
        data::definition("status", "Status", "status", Value::Null, false),
        data::definition(data::FEE_KEY, "Installation fee", "monetary", Value::Null, true),
    ];
    Json(json!({"success": true, "data": data, "additional_data": {"next_cursor": null}})).into_response()
}

fn file_list(ids: &[u64]) -> Response {
    let data: Vec<Value> = ids.iter().filter_map(|id| data::file_item(*id)).collect();
    let data = if data.is_empty() { Value::Null } else { Value::Array(data) };
    Json(json!({"success": true, "data": data,
        "additional_data": {"pagination": {"start": 0, "limit": 100, "more_items_in_collection": false}}}))
    .into_response()
}

async fn person_files(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v1/persons/{id}/files")).is_none() {
        return unauthorized();
    }
    file_list(if id == 101 { &[9001, 9002, 9009] } else { &[] })
}

async fn deal_files(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v1/deals/{id}/files")).is_none() {
        return unauthorized();
    }
    file_list(if id == 501 { &[9003] } else { &[] })
}

async fn file(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v1/files/{id}")).is_none() {
        return unauthorized();
    }
    data::file_item(id).map_or_else(|| not_found("File"), ok)
}

async fn download(State(inner): State<Arc<Inner>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if inner.authorize(&headers, &format!("/api/v1/files/{id}/download")).is_none() {
        return unauthorized();
    }
    *inner.downloads.lock().unwrap().entry(id).or_default() += 1;
    match data::file_bytes(id) {
        Some(bytes) => ([("content-type", "application/octet-stream")], bytes).into_response(),
        None if id == 9009 => {
            inner.problem("the relay downloaded a file over the size limit".into());
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => not_found("File"),
    }
}
