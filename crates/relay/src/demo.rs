//! Demo mode (`sidechat-relay serve --demo`): everything a newcomer needs to see the whole flow without any
//! account. None of this exists outside demo mode.
//!
//! - the Pipedrive stand-in (`sidechat-standins`) with its demo data set, nested at `/demo/pipedrive`, so the
//!   real Pipedrive client reads it: people and deals with realistic numbers (with and without country codes,
//!   several per person) and files; the demo company is installed with it as its `api_domain`;
//! - some message history and canned texts;
//! - `GET /demo/token`: a signed panel token, as Pipedrive's `get_signed_token` gives, for the dev host pages;
//!   `GET /demo/records`: the records they offer to open;
//! - a second port serving the dev host pages, allowed to frame the widget.

mod hosts;
mod seed;

use axum::Json;
use axum::Router;
use axum::extract::Query;
use axum::routing::get;
use jsonwebtoken::{EncodingKey, Header};
use serde::Deserialize;
use serde_json::{Value, json};
use sidechat_standins::pipedrive::{self, World};

use crate::AppState;
use crate::config::DEMO_PIPEDRIVE_SECRET;
use crate::error::{ApiError, ApiResult};

pub use hosts::HostsServer;
pub use seed::seed;
pub use sidechat_standins::pipedrive::demo::{DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID, DEMO_USER_ID};

/// How long a demo panel token lives, as Pipedrive's signed tokens do.
const TOKEN_SECONDS: i64 = 300;

/// The demo's routes: the token endpoint, the record list and the CRM.
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
        .nest("/demo/pipedrive", pipedrive::router(World::demo()))
}

/// The demo CRM's records, for the dev host pages' record picker (names and ids only).
async fn list_records() -> Json<Value> {
    let world = World::demo();
    let company = world.company(DEMO_COMPANY_ID);
    let people = company.into_iter().flat_map(|c| &c.persons);
    let people = people.map(|p| json!({"resource": "person", "id": p.id, "name": p.name()}));
    let deals = company.into_iter().flat_map(|c| &c.deals);
    let deals = deals.map(|d| json!({"resource": "deal", "id": d.id, "name": d.title}));
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
