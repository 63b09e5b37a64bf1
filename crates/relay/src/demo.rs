//! Demo mode (`sidechat-relay serve --demo`): everything a newcomer needs to see the whole flow without any
//! account. None of this exists outside demo mode.
//!
//! - a small CRM served over HTTP in the Pipedrive API's own shape (`/demo/pipedrive/api/…`), so the real
//!   Pipedrive client reads it; the demo company is installed with it as its `api_domain`;
//! - people and deals with realistic numbers (with and without country codes, several per person) and files;
//! - some message history and canned texts;
//! - `GET /demo/token`: a signed panel token, as Pipedrive's `get_signed_token` gives, for the dev host pages;
//!   `GET /demo/records`: the records they offer to open;
//! - a second port serving the dev host pages, allowed to frame the widget.

mod crm;
mod hosts;
mod seed;

use axum::Json;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use jsonwebtoken::{EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::config::DEMO_PIPEDRIVE_SECRET;
use crate::error::{ApiError, ApiResult};

pub use hosts::HostsServer;
pub use seed::seed;

/// The demo's Pipedrive company.
pub const DEMO_COMPANY_ID: u64 = 1;
/// The demo's Pipedrive user.
pub const DEMO_USER_ID: u64 = 1;
/// The access token the demo CRM accepts.
pub const DEMO_ACCESS_TOKEN: &str = "sidechat-demo-access-token";
/// How long a demo panel token lives, as Pipedrive's signed tokens do.
const TOKEN_SECONDS: i64 = 300;

/// The demo's routes: the CRM and the token endpoint.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/token", get(issue_token))
        .route("/demo/records", get(list_records))
        // The dev host pages, on the demo's second port, fetch these as a CRM's own page would.
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::Any)
                .allow_methods([axum::http::Method::GET]),
        )
        .nest("/demo/pipedrive", crm::router())
}

/// The demo CRM's records, for the dev host pages' record picker (names and ids only).
async fn list_records() -> Json<Value> {
    let people = seed::PEOPLE
        .iter()
        .map(|p| json!({"resource": "person", "id": p.id, "name": format!("{} {}", p.first_name, p.last_name)}));
    let deals = seed::DEALS.iter().map(|d| json!({"resource": "deal", "id": d.id, "name": d.title}));
    Json(json!({ "records": people.chain(deals).collect::<Vec<_>>() }))
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(rename = "userId")]
    user_id: Option<u64>,
    #[serde(rename = "companyId")]
    company_id: Option<u64>,
    /// An already expired token, as a panel left open for long carries on its URL.
    #[serde(default)]
    expired: bool,
}

/// A panel token for the demo company (or the one asked for, to show what a company without the install sees).
async fn issue_token(Query(query): Query<TokenQuery>) -> ApiResult<Json<Value>> {
    let issued = jiff::Timestamp::now().as_second();
    // Expired beyond the relay's 60 s of leeway.
    let now = if query.expired { issued - TOKEN_SECONDS - 120 } else { issued };
    let claims = json!({
        "userId": query.user_id.unwrap_or(DEMO_USER_ID),
        "companyId": query.company_id.unwrap_or(DEMO_COMPANY_ID),
        "iat": now,
        "exp": now + TOKEN_SECONDS,
    });
    let token =
        jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(DEMO_PIPEDRIVE_SECRET.as_bytes()))
            .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("signing a demo token")))?;
    Ok(Json(json!({ "token": token })))
}
