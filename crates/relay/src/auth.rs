//! Who is calling: a known user of one workspace, with their role.
//!
//! - A Pipedrive user presents the JWT Pipedrive puts on the panel's URL: HS256 with the app's JWT secret,
//!   `userId` and `companyId` (numbers), `iat`, `exp`, 60 s of clock skew; any other algorithm is refused. The
//!   company must be admitted (see `admission`), else `not_installed`. The user is recorded on their first call;
//!   their name, email and role come from Pipedrive (`/users/me`) once they connected their account, and are read
//!   again at most every 15 minutes.
//! - A Zoho user presents the session their sign-in made (`routes::sign_in`): an opaque token of which the relay
//!   keeps the SHA-256, valid an hour. Their role is Zoho's (`Administrator` profile: admin), asked again at most
//!   every 15 minutes; a user Zoho no longer lets in loses their sessions.
//! - The event stream also takes a single-use ticket (see `routes::events`).
//! - The relay's own top-level pages present a session cookie (see `routes::top_level`).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use secrecy::ExposeSecret;
use serde::Deserialize;
use sidechat_domain::Crm;
use sidechat_domain::wire::{Author, ErrorCode, Role};

use crate::AppState;
use crate::crm::pipedrive;
use crate::error::ApiError;
use crate::store::{SessionKind, UserProfile, UserRow, WorkspaceId};

/// A verified caller: a user of one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The workspace every read and write of this call is scoped to.
    pub workspace: WorkspaceId,
    /// The user.
    pub user: UserRow,
    /// The CRM the user comes from.
    pub crm: Crm,
    /// When the credential the call presented expires (ms), if it does.
    pub credential_expires_at: Option<i64>,
}

impl Caller {
    /// Whether the caller administers the workspace.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// `forbidden` unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() { Ok(()) } else { Err(ApiError::forbidden("only an admin of the workspace may do this")) }
    }

    /// The caller as the author of what they write.
    pub fn author(&self) -> Author {
        Author { id: self.user.id.clone(), name: self.user.name.clone() }
    }
}

/// The claims of Pipedrive's panel token.
#[derive(Debug, Deserialize)]
struct PipedriveClaims {
    #[serde(rename = "userId")]
    user_id: u64,
    #[serde(rename = "companyId")]
    company_id: u64,
    exp: i64,
}

/// Seconds of clock difference tolerated on `exp` and `iat`.
pub const LEEWAY_SECONDS: i64 = 60;
/// How long a user's role is trusted before it is read from the CRM again (ms).
const ROLE_FRESH_MS: i64 = 15 * 60 * 1000;

/// Verifies a bearer credential and finds the user and their workspace.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ApiError::unauthorized("missing credentials"));
    }
    if token.split('.').count() == 3
        && let Some(pipedrive) = &state.config.pipedrive
    {
        return authenticate_pipedrive(state, pipedrive.jwt_secret.expose_secret(), token).await;
    }
    if state.config.zoho.is_some() {
        return authenticate_session(state, token).await;
    }
    Err(ApiError::unauthorized("the credentials are not valid"))
}

async fn authenticate_session(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let now = state.ingest.clock.millis();
    let session = state
        .store
        .session(&crate::routes::sign_in::hash(token))
        .await?
        .filter(|session| session.kind == SessionKind::Bearer && !session.revoked)
        .ok_or_else(|| ApiError::unauthorized("the credentials are not valid"))?;
    if session.expires_at <= now {
        return Err(ApiError::unauthorized("the session has expired: renew it"));
    }
    let mut user = session.user;
    if user.role_checked_at.is_none_or(|checked| now - checked > ROLE_FRESH_MS) {
        match crate::crm::zoho::recheck(state, &session.workspace, &user).await {
            Ok(fresh) => user = fresh,
            Err(crate::crm::zoho::ZohoError::Refused(reason)) => {
                tracing::info!(user = %user.id, reason, "a zoho user is no longer let in");
                state.store.revoke_user_sessions(&session.workspace, &user.id, now).await?;
                return Err(ApiError::unauthorized("Zoho no longer lets this user in: sign in again"));
            }
            Err(error) => tracing::warn!(user = %user.id, error = %error, "reading a zoho user's role"),
        }
    }
    Ok(Caller { workspace: session.workspace, user, crm: Crm::Zoho, credential_expires_at: Some(session.expires_at) })
}

async fn authenticate_pipedrive(state: &AppState, secret: &str, token: &str) -> Result<Caller, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = LEEWAY_SECONDS as u64;
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
    let issued = data.claims.get("iat").and_then(serde_json::Value::as_i64).unwrap_or(i64::MAX);
    let now = jiff::Timestamp::now();
    if issued > now.as_second() + LEEWAY_SECONDS {
        return Err(ApiError::unauthorized("the token is not valid yet"));
    }
    let claims: PipedriveClaims = serde_json::from_value(data.claims)
        .map_err(|_| ApiError::unauthorized("the token lacks userId or companyId"))?;
    let company_id = claims.company_id.to_string();
    let crm_user_id = claims.user_id.to_string();
    let (workspace, known) =
        state.store.account_user(Crm::Pipedrive, &company_id, &crm_user_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::NotInstalled, "this Pipedrive company has not installed Sidechat on this relay")
        })?;
    let now_ms = now.as_millisecond();
    // A user's first call records them.
    let mut user = match known {
        Some(user) => user,
        None => state.store.user_by_crm_id(&workspace, Crm::Pipedrive, &crm_user_id, now_ms).await?,
    };
    if user.role_checked_at.is_none_or(|checked| now_ms - checked > ROLE_FRESH_MS) {
        // The role may have changed in Pipedrive. A user who has not connected keeps the member role.
        match pipedrive::refresh_profile(state, &workspace, &user).await {
            Ok(fresh) => user = fresh,
            Err(pipedrive::PipedriveError::UserNotConnected) => {
                // Nothing to ask Pipedrive with: a member until they connect, asked again in 15 minutes.
                let profile = UserProfile { name: user.name.clone(), email: user.email.clone(), role: Role::Member };
                user = state
                    .store
                    .save_user_profile(&workspace, Crm::Pipedrive, &user.crm_user_id, &profile, now_ms)
                    .await?;
            }
            Err(error) => tracing::warn!(user = %user.id, error = %error, "reading a pipedrive user's role"),
        }
    }
    Ok(Caller {
        workspace,
        user,
        crm: Crm::Pipedrive,
        credential_expires_at: Some(claims.exp.saturating_add(LEEWAY_SECONDS).saturating_mul(1000)),
    })
}

/// The bearer token of the `Authorization` header, if there is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(axum::http::header::AUTHORIZATION) else { return Ok(None) };
    let value = value.to_str().map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
    Ok(Some(token))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = bearer(&parts.headers)? {
            return authenticate(state, token).await;
        }
        // A top-level page of the relay: its session cookie, for requests from its own origin.
        let session = crate::routes::top_level::cookie_session(state, &parts.headers)
            .await?
            .ok_or_else(|| ApiError::unauthorized("missing credentials"))?;
        if !crate::routes::top_level::same_origin(state, &parts.method, &parts.headers) {
            return Err(ApiError::forbidden("a signed-in page's changes must come from the relay's own pages"));
        }
        Ok(Caller {
            workspace: session.workspace,
            crm: session.user.crm,
            user: session.user,
            credential_expires_at: Some(session.expires_at),
        })
    }
}
