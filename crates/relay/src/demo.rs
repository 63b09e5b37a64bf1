//! Demo mode (`sidechat-relay serve --demo`): everything a newcomer needs to see the whole flow without any
//! account. None of this exists outside demo mode.
//!
//! - a small CRM served over HTTP in the Pipedrive API's own shape (`/demo/pipedrive/api/…`), so the real
//!   Pipedrive client reads it; the demo company is installed with it as its `api_domain`;
//! - people and deals with realistic numbers (with and without country codes, several per person) and files;
//! - some message history and canned texts;
//! - `GET /demo/token`: a signed panel token, as Pipedrive's `get_signed_token` gives, for the dev host pages.

mod crm;
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
    Router::new().route("/demo/token", get(issue_token)).nest("/demo/pipedrive", crm::router())
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(rename = "userId")]
    user_id: Option<u64>,
    #[serde(rename = "companyId")]
    company_id: Option<u64>,
}

/// A panel token for the demo company (or the one asked for, to show what a company without the install sees).
async fn issue_token(Query(query): Query<TokenQuery>) -> ApiResult<Json<Value>> {
    let now = jiff::Timestamp::now().as_second();
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
