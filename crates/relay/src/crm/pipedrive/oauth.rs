//! OAuth with Pipedrive, which is per user: the authorization code exchanged when a user installs Sidechat
//! (the first user of a company on an open relay also makes its workspace), the refresh of expired access
//! tokens, and the uninstall call. Token requests go to `{PIPEDRIVE_OAUTH_URL}/oauth/token` with the app's client
//! id and secret as HTTP Basic credentials. Tokens are stored sealed, per user.

use secrecy::ExposeSecret;
use serde::Deserialize;
use sidechat_domain::Crm;

use super::PipedriveError;
use super::shapes::{Me, read_data, read_json};
use crate::AppState;
use crate::config::{PipedriveConfig, Signup};
use crate::store::{SealedTokens, UserRow, WorkspaceId};

/// The path Pipedrive redirects to after the user allowed the installation.
pub const CALLBACK_PATH: &str = "/oauth/pipedrive/callback";

/// Pipedrive's token answer (`token_type` and `scope` are not needed).
#[derive(Debug, Deserialize)]
pub(super) struct TokenAnswer {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
    #[serde(default)]
    api_domain: Option<String>,
}

/// What is traded for tokens.
pub(super) enum Grant<'a> {
    /// The code of the install redirect.
    Code {
        /// The code.
        code: &'a str,
        /// The callback URL the code was issued for.
        redirect_uri: &'a str,
    },
    /// A refresh token.
    Refresh(&'a str),
}

/// A user who completed the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledUser {
    /// Pipedrive's company id.
    pub company_id: String,
    /// The workspace the company is in.
    pub workspace: WorkspaceId,
    /// The user.
    pub user: UserRow,
}

/// Trades the install redirect's code for the user's tokens, learns who they are and which company, admits the
/// company where the relay's signup allows it, and stores the user with their sealed tokens.
pub async fn install(state: &AppState, code: &str) -> Result<InstalledUser, PipedriveError> {
    let config = state.config.pipedrive.as_ref().ok_or(PipedriveError::NotConfigured)?;
    let redirect_uri = format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/'));
    let answer = request_token(&state.http, config, Grant::Code { code, redirect_uri: &redirect_uri }).await?;
    let api_domain = api_domain(answer.api_domain.as_deref())?;
    let me = users_me(&state.http, &api_domain, &answer.access_token).await?;
    let company_id = me.company_id.to_string();
    let now = jiff::Timestamp::now().as_millisecond();
    let workspace = match state.store.account_workspace(Crm::Pipedrive, &company_id).await? {
        Some(workspace) => workspace,
        None if state.config.signup == Signup::Open => {
            let name = me.company_name.clone().unwrap_or_else(|| format!("Pipedrive company {company_id}"));
            let time_zone = crate::admission::time_zone_or_utc(me.timezone_name.as_deref());
            state
                .store
                .admit_account(Crm::Pipedrive, &company_id, Some(&api_domain), false, (&name, &time_zone), now)
                .await?
        }
        None => {
            tracing::warn!(company_id, "pipedrive install refused: the company is not admitted to this relay");
            return Err(PipedriveError::CompanyNotAllowed(company_id));
        }
    };
    let user =
        state.store.save_user_profile(&workspace, Crm::Pipedrive, &me.id.to_string(), &me.profile(), now).await?;
    if user.role == sidechat_domain::wire::Role::Admin {
        // Until an admin names the workspace, it takes the company's name and the admin's time zone.
        let name = me.company_name.clone().unwrap_or_else(|| format!("Pipedrive company {company_id}"));
        let time_zone = crate::admission::time_zone_or_utc(me.timezone_name.as_deref());
        state.store.adopt_crm_defaults(&workspace, &name, &time_zone).await?;
    }
    let tokens = answer.seal(state, &workspace, &user.id, Some(api_domain), now);
    state.store.save_tokens(&workspace, &user.id, &tokens, now).await?;
    tracing::info!(company_id, workspace = %workspace, user = %user.id, "pipedrive user connected");
    Ok(InstalledUser { company_id, workspace, user })
}

/// Reads the user's profile again with their token: name, email and role, as Pipedrive says now.
pub(super) async fn profile(
    http: &reqwest::Client,
    api_domain: &str,
    token: &str,
) -> Result<crate::store::UserProfile, PipedriveError> {
    Ok(users_me(http, api_domain, token).await?.profile())
}

/// What a token is sealed for: the user and which token, so a sealed value cannot stand in for another.
pub fn seal_context(workspace: &WorkspaceId, user_id: &str, which: &str) -> String {
    format!("pipedrive/{workspace}/{user_id}/{which}")
}

impl TokenAnswer {
    /// The tokens sealed for storage, `api_domain` being the answer's or, when it names none, `fallback`.
    pub(super) fn seal(
        self,
        state: &AppState,
        workspace: &WorkspaceId,
        user_id: &str,
        fallback: Option<String>,
        now: i64,
    ) -> SealedTokens {
        let api_domain = api_domain(self.api_domain.as_deref()).ok().or(fallback).unwrap_or_default();
        SealedTokens {
            access_token: state.sealer.seal(&self.access_token, &seal_context(workspace, user_id, "access")),
            refresh_token: state.sealer.seal(&self.refresh_token, &seal_context(workspace, user_id, "refresh")),
            api_domain,
            expires_at: now.saturating_add(self.expires_in.max(0).saturating_mul(1000)),
            accounts_server: None,
        }
    }

    /// The access token, for use at once.
    pub(super) fn access_token(&self) -> &str {
        &self.access_token
    }
}

/// Asks Pipedrive's OAuth server for tokens.
pub(super) async fn request_token(
    http: &reqwest::Client,
    config: &PipedriveConfig,
    grant: Grant<'_>,
) -> Result<TokenAnswer, PipedriveError> {
    let form: Vec<(&str, &str)> = match grant {
        Grant::Code { code, redirect_uri } => {
            vec![("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect_uri)]
        }
        Grant::Refresh(token) => vec![("grant_type", "refresh_token"), ("refresh_token", token)],
    };
    let what = "the token request";
    let response = http
        .post(format!("{}/oauth/token", config.oauth_url))
        .basic_auth(&config.client_id, Some(config.client_secret.expose_secret()))
        .form(&form)
        .send()
        .await
        .map_err(|source| PipedriveError::Unreachable { what: what.to_owned(), source })?;
    let status = response.status();
    if status.is_client_error() {
        return Err(PipedriveError::Refused(format!("the token endpoint answered {status}")));
    }
    if !status.is_success() {
        return Err(PipedriveError::Status { status: status.as_u16(), what: what.to_owned() });
    }
    read_json(response, what).await
}

/// Who installed, from the new access token.
async fn users_me(http: &reqwest::Client, api_domain: &str, token: &str) -> Result<Me, PipedriveError> {
    let what = "GET /api/v1/users/me";
    let response = http
        .get(format!("{api_domain}/api/v1/users/me"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|source| PipedriveError::Unreachable { what: what.to_owned(), source })?;
    let status = response.status();
    if status.is_client_error() {
        return Err(PipedriveError::Refused(format!("{what} answered {status}")));
    }
    if !status.is_success() {
        return Err(PipedriveError::Status { status: status.as_u16(), what: what.to_owned() });
    }
    read_data(response, what).await
}

/// The company's API base URL, from the token answer.
fn api_domain(raw: Option<&str>) -> Result<String, PipedriveError> {
    let raw = raw.map(str::trim).unwrap_or_default();
    let ok = (raw.starts_with("https://") || raw.starts_with("http://")) && raw.len() > "https://".len();
    if !ok {
        return Err(PipedriveError::Malformed {
            what: "the token answer".to_owned(),
            problem: "`api_domain` is not an http(s) URL".to_owned(),
        });
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_domain_must_be_a_url() {
        assert_eq!(api_domain(Some("https://acme.pipedrive.com/")).unwrap(), "https://acme.pipedrive.com");
        assert!(api_domain(Some("acme.pipedrive.com")).is_err());
        assert!(api_domain(None).is_err());
    }

    #[test]
    fn a_seal_context_names_the_workspace_user_and_token() {
        let workspace = WorkspaceId::trusted("w1".into());
        assert_eq!(seal_context(&workspace, "u1", "access"), "pipedrive/w1/u1/access");
        assert_ne!(seal_context(&workspace, "u1", "access"), seal_context(&workspace, "u1", "refresh"));
    }
}
