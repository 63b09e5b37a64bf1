//! OAuth with Pipedrive: the authorization code exchanged when a company installs Sidechat, and the refresh of
//! expired access tokens. Both go to `{PIPEDRIVE_OAUTH_URL}/oauth/token` with the app's client id and secret
//! as HTTP Basic credentials.

use secrecy::ExposeSecret;
use serde::Deserialize;

use super::PipedriveError;
use super::shapes::{Me, read_data, read_json};
use crate::AppState;
use crate::config::PipedriveConfig;
use crate::store::Installation;

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

/// A company that completed the installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledCompany {
    /// Pipedrive's company id.
    pub company_id: String,
    /// Its subdomain, when Pipedrive names it.
    pub company_domain: Option<String>,
}

/// Trades the install redirect's code for tokens, learns the company and stores its installation.
pub async fn install(state: &AppState, code: &str) -> Result<InstalledCompany, PipedriveError> {
    let config = state.config.pipedrive.as_ref().ok_or(PipedriveError::NotConfigured)?;
    let redirect_uri = format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/'));
    let answer = request_token(&state.http, config, Grant::Code { code, redirect_uri: &redirect_uri }).await?;
    let api_domain = api_domain(answer.api_domain.as_deref())?;
    let me = users_me(&state.http, &api_domain, &answer.access_token).await?;
    let allowed = config.company_ids.as_ref().is_none_or(|ids| ids.contains(&me.company_id));
    let company_id = me.company_id.to_string();
    if !allowed {
        tracing::warn!(company_id, "pipedrive install refused: not on PIPEDRIVE_COMPANY_IDS");
        return Err(PipedriveError::CompanyNotAllowed(company_id));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let installation = answer.into_installation(&company_id, Some(api_domain), now);
    state.store.upsert_installation(&installation, now).await?;
    tracing::info!(company_id, "pipedrive company installed");
    Ok(InstalledCompany { company_id, company_domain: me.company_domain })
}

impl TokenAnswer {
    /// The installation these tokens make, `api_domain` being the answer's or, when it names none, `fallback`.
    pub(super) fn into_installation(self, company_id: &str, fallback: Option<String>, now: i64) -> Installation {
        let api_domain = api_domain(self.api_domain.as_deref()).ok().or(fallback);
        Installation {
            crm: "pipedrive".to_owned(),
            company_id: company_id.to_owned(),
            access_token: Some(self.access_token),
            refresh_token: Some(self.refresh_token),
            api_domain,
            token_expires_at: Some(now.saturating_add(self.expires_in.max(0).saturating_mul(1000))),
        }
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
    fn tokens_expire_after_expires_in_seconds() {
        let answer =
            TokenAnswer { access_token: "a".into(), refresh_token: "r".into(), expires_in: 3599, api_domain: None };
        let installation = answer.into_installation("7", Some("https://kept.example".into()), 1_000);
        assert_eq!(installation.token_expires_at, Some(3_600_000));
        assert_eq!(installation.api_domain.as_deref(), Some("https://kept.example"));
    }
}
