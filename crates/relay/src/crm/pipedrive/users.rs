//! Pipedrive users: where one connects their account, their profile read again (role changes reach Sidechat
//! within 15 minutes), and the uninstall call that drops a user's tokens.

use axum::http::HeaderMap;
use base64::Engine;
use secrecy::ExposeSecret;
use serde::Deserialize;
use sidechat_domain::Crm;
use subtle::ConstantTimeEq;

use super::PipedriveError;
use super::oauth::{CALLBACK_PATH, profile};
use super::session::Session;
use crate::AppState;
use crate::store::{UserRow, WorkspaceId};

/// Where a user connects their Pipedrive account: the app's authorization page, which sends them back to the
/// callback. `None` when the relay does not serve Pipedrive.
pub fn connect_url(state: &AppState) -> Option<String> {
    let config = state.config.pipedrive.as_ref()?;
    let redirect_uri = format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/'));
    Some(format!(
        "{}/oauth/authorize?client_id={}&redirect_uri={}",
        config.oauth_url,
        urlencoding::encode(&config.client_id),
        urlencoding::encode(&redirect_uri)
    ))
}

/// Reads the user's name, email and role again from Pipedrive with their own token and stores them.
pub async fn refresh_profile(
    state: &AppState,
    workspace: &WorkspaceId,
    user: &UserRow,
) -> Result<UserRow, PipedriveError> {
    let session = Session::open(state, workspace, user).await?;
    let profile = profile(&state.http, session.api_domain(), &session.current_token()).await?;
    let now = jiff::Timestamp::now().as_millisecond();
    Ok(state.store.save_user_profile(workspace, Crm::Pipedrive, &user.crm_user_id, &profile, now).await?)
}

/// The body of Pipedrive's uninstall call.
#[derive(Debug, Deserialize)]
pub struct Uninstall {
    client_id: String,
    company_id: u64,
    user_id: u64,
}

/// Pipedrive's call after a user uninstalled the app (`DELETE` on the callback URL): their tokens are dropped.
/// The call is taken to carry the app's client credentials as HTTP Basic (assumption
/// `PIPEDRIVE_UNINSTALL_BASIC_AUTH` of the stand-ins); one without them is refused. Answers whether the user had
/// tokens.
pub async fn uninstall(state: &AppState, headers: &HeaderMap, body: &Uninstall) -> Result<bool, PipedriveError> {
    let config = state.config.pipedrive.as_ref().ok_or(PipedriveError::NotConfigured)?;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        config.client_id,
        config.client_secret.expose_secret()
    ));
    let presented = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) || body.client_id != config.client_id {
        return Err(PipedriveError::Refused("the uninstall call's credentials".to_owned()));
    }
    let company_id = body.company_id.to_string();
    let Some(workspace) = state.store.account_workspace(Crm::Pipedrive, &company_id).await? else { return Ok(false) };
    let now = jiff::Timestamp::now().as_millisecond();
    let user = state.store.user_by_crm_id(&workspace, Crm::Pipedrive, &body.user_id.to_string(), now).await?;
    let dropped = state.store.delete_tokens(&workspace, &user.id).await?;
    tracing::info!(company_id, workspace = %workspace, user = %user.id, dropped, "pipedrive user uninstalled");
    Ok(dropped)
}
