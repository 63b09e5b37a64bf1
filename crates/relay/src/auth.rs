//! Who is calling: a Pipedrive user (a JWT Pipedrive signed) or the Zoho installation (its install key).
//!
//! Pipedrive's token is HS256 with the app's JWT secret, claims `userId`, `companyId` (numbers), `iat`, `exp`,
//! 60 s of clock skew allowed; any other algorithm is refused. A valid token from a company that has not
//! installed Sidechat is refused with `not_installed` and sees nothing. The Zoho key identifies the installation,
//! not the user: the widget may name the Zoho user in `X-Sidechat-User`, which is logged but cannot be verified.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sidechat_domain::wire::ErrorCode;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

/// A verified caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The company, as the store scopes data by it: `pipedrive:<companyId>` or `zoho`.
    pub company: String,
    /// The CRM.
    pub crm: Crm,
    /// The CRM's company id (`zoho` for the Zoho installation).
    pub company_id: String,
    /// The user, as far as it is known: the Pipedrive user id (verified) or the Zoho user's email (unverified).
    pub user: Option<String>,
}

/// The CRMs Sidechat serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crm {
    /// Pipedrive.
    Pipedrive,
    /// Zoho CRM.
    Zoho,
}

/// The claims of Pipedrive's panel token.
#[derive(Debug, Deserialize)]
struct PipedriveClaims {
    #[serde(rename = "userId")]
    user_id: u64,
    #[serde(rename = "companyId")]
    company_id: u64,
}

/// Seconds of clock difference tolerated on `exp` and `iat`.
const LEEWAY_SECONDS: u64 = 60;

/// Verifies a bearer credential and checks that its company installed Sidechat.
pub async fn authenticate(state: &AppState, token: &str, user_hint: Option<&str>) -> Result<Caller, ApiError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthorized("missing credentials"));
    }
    if token.split('.').count() == 3
        && let Some(pipedrive) = &state.config.pipedrive
    {
        return authenticate_pipedrive(state, pipedrive.jwt_secret.expose_secret(), token).await;
    }
    if let Some(key) = &state.config.zoho_install_key
        && bool::from(token.as_bytes().ct_eq(key.expose_secret().as_bytes()))
    {
        let user = user_hint.map(|u| u.chars().take(200).collect::<String>());
        tracing::debug!(user = user.as_deref().unwrap_or("unknown"), "zoho caller (user unverified)");
        return Ok(Caller { company: "zoho".to_owned(), crm: Crm::Zoho, company_id: "zoho".to_owned(), user });
    }
    Err(ApiError::unauthorized("the credentials are not valid"))
}

async fn authenticate_pipedrive(state: &AppState, secret: &str, token: &str) -> Result<Caller, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECONDS;
    validation.set_required_spec_claims(&["exp", "iat"]);
    let data =
        jsonwebtoken::decode::<serde_json::Value>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
            .map_err(|error| {
                tracing::debug!(%error, "pipedrive token refused");
                match error.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        ApiError::unauthorized("the token has expired")
                    }
                    _ => ApiError::unauthorized("the token is not valid"),
                }
            })?;
    let issued = data.claims.get("iat").and_then(serde_json::Value::as_u64).unwrap_or(u64::MAX);
    let now = jiff::Timestamp::now().as_second().max(0) as u64;
    if issued > now + LEEWAY_SECONDS {
        return Err(ApiError::unauthorized("the token is not valid yet"));
    }
    let claims: PipedriveClaims = serde_json::from_value(data.claims)
        .map_err(|_| ApiError::unauthorized("the token lacks userId or companyId"))?;
    let company_id = claims.company_id.to_string();
    let allowed = state
        .config
        .pipedrive
        .as_ref()
        .and_then(|p| p.company_ids.as_ref())
        .is_none_or(|ids| ids.contains(&claims.company_id));
    let installed = allowed && state.store.installation("pipedrive", &company_id).await?.is_some();
    if !installed {
        return Err(ApiError::new(ErrorCode::NotInstalled, "this Pipedrive company has not installed Sidechat"));
    }
    Ok(Caller {
        company: format!("pipedrive:{company_id}"),
        crm: Crm::Pipedrive,
        company_id,
        user: Some(claims.user_id.to_string()),
    })
}

fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    Ok(Some(token))
}

fn user_hint(parts: &Parts) -> Option<&str> {
    parts.headers.get("x-sidechat-user").and_then(|v| v.to_str().ok())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?.ok_or_else(|| ApiError::unauthorized("missing credentials"))?;
        authenticate(state, token, user_hint(parts)).await
    }
}

/// A caller of the event stream: `EventSource` cannot set headers, so the credential may come as `?token=`.
#[derive(Debug, Clone)]
pub struct StreamCaller(pub Caller);

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

impl FromRequestParts<AppState> for StreamCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(parts)? {
            return authenticate(state, token, user_hint(parts)).await.map(StreamCaller);
        }
        let Query(query) =
            Query::<TokenQuery>::try_from_uri(&parts.uri).map_err(|_| ApiError::unauthorized("missing credentials"))?;
        let token = query.token.ok_or_else(|| ApiError::unauthorized("missing credentials"))?;
        authenticate(state, &token, user_hint(parts)).await.map(StreamCaller)
    }
}
