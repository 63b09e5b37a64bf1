//! Zoho CRM sign-in: the OAuth web-server flow across Zoho's data centres, and what the relay asks Zoho CRM to
//! know a user (`GET /crm/v8/users?type=CurrentUser`, `GET /crm/v8/org`).
//!
//! Codes and refresh tokens are traded only at the accounts servers of `ZOHO_ACCOUNTS_HOSTS`, whichever the
//! callback names, and the token answer's `api_domain` must be that server's API domain: a forged
//! `accounts-server` cannot make the relay send the client secret elsewhere, nor read a user from elsewhere.
//! Tokens are stored sealed, per user, with the accounts server they refresh at.

use secrecy::ExposeSecret;
use serde::Deserialize;
use sidechat_domain::Crm;
use sidechat_domain::wire::Role;

use crate::AppState;
use crate::config::{Signup, ZohoConfig};
use crate::store::{SealedTokens, UserProfile, UserRow, WorkspaceId};

/// The path Zoho Accounts redirects to.
pub const CALLBACK_PATH: &str = "/oauth/zoho/callback";

/// Every scope Sidechat needs now and for syncing into Zoho and Slack for Zoho, asked at once so users consent once:
/// records (and their search and COQL), field and module metadata, users, the org, notes and attachments.
pub const SCOPES: &str = "ZohoCRM.modules.ALL,ZohoCRM.modules.notes.ALL,ZohoCRM.modules.attachments.ALL,\
ZohoCRM.settings.modules.READ,ZohoCRM.settings.fields.ALL,ZohoCRM.users.ALL,ZohoCRM.org.ALL,ZohoCRM.coql.READ,\
ZohoSearch.securesearch.READ";

/// What went wrong talking to Zoho.
#[derive(Debug, thiserror::Error)]
pub enum ZohoError {
    /// The relay does not serve Zoho.
    #[error("Zoho CRM is not configured on this relay")]
    NotConfigured,
    /// An accounts server the relay does not trust, or an API domain that is not its own.
    #[error("{0}")]
    Untrusted(String),
    /// Zoho said no (a bad or used code, a revoked refresh token, a deactivated user).
    #[error("Zoho refused: {0}")]
    Refused(String),
    /// The org is not admitted to this relay.
    #[error("the Zoho org {0} is not admitted to this relay")]
    OrgNotAllowed(String),
    /// No answer, or one that cannot be read.
    #[error("Zoho did not answer as expected ({what}): {problem}")]
    Unreachable {
        /// Which call.
        what: &'static str,
        /// What happened.
        problem: String,
    },
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Zoho's token answer.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    api_domain: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    error: Option<String>,
}

/// A Zoho CRM user, as `CurrentUser` describes them.
#[derive(Debug, Clone, Deserialize)]
pub struct ZohoUser {
    /// The CRM's user id.
    pub id: String,
    /// Their name.
    #[serde(default)]
    pub full_name: String,
    /// Their email.
    #[serde(default)]
    pub email: Option<String>,
    /// `active`, `disabled`, `deleted`…
    #[serde(default)]
    pub status: String,
    /// Their profile.
    #[serde(default)]
    pub profile: Option<Named>,
}

/// Something Zoho names (a profile).
#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    /// The name.
    #[serde(default)]
    pub name: String,
}

impl ZohoUser {
    /// What Sidechat keeps of the user: administrators by profile, everyone else a member.
    pub fn profile(&self) -> UserProfile {
        let admin = self.profile.as_ref().is_some_and(|profile| profile.name == "Administrator");
        UserProfile {
            name: self.full_name.clone(),
            email: self.email.clone(),
            role: if admin { Role::Admin } else { Role::Member },
        }
    }

    /// Whether Zoho still lets them in.
    pub fn is_active(&self) -> bool {
        self.status.eq_ignore_ascii_case("active")
    }
}

/// A Zoho CRM org.
#[derive(Debug, Clone, Deserialize)]
struct ZohoOrg {
    id: String,
    #[serde(default)]
    company_name: Option<String>,
    #[serde(default)]
    time_zone: Option<String>,
}

/// A user who signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Their workspace.
    pub workspace: WorkspaceId,
    /// The user.
    pub user: UserRow,
}

fn config(state: &AppState) -> Result<&ZohoConfig, ZohoError> {
    state.config.zoho.as_ref().ok_or(ZohoError::NotConfigured)
}

/// Where the browser goes to sign in: the first accounts server (Zoho sends each user on to their own).
pub fn authorize_url(state: &AppState, oauth_state: &str) -> Result<String, ZohoError> {
    let config = config(state)?;
    let first = config.accounts.first().ok_or(ZohoError::NotConfigured)?;
    Ok(format!(
        "{}/oauth/v2/auth?scope={}&client_id={}&response_type=code&access_type=offline&prompt=consent&redirect_uri={}&state={}",
        first.accounts,
        urlencoding::encode(SCOPES),
        urlencoding::encode(&config.client_id),
        urlencoding::encode(&redirect_uri(state)),
        urlencoding::encode(oauth_state)
    ))
}

fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.config.public_url.trim_end_matches('/'))
}

/// What a token is sealed for.
pub fn seal_context(workspace: &WorkspaceId, user_id: &str, which: &str) -> String {
    format!("zoho/{workspace}/{user_id}/{which}")
}

/// Trades the callback's code at `accounts_server` for the user's tokens, learns who they are and their org, admits
/// the org where the relay's signup allows it, and stores the user with their sealed tokens.
pub async fn sign_in(state: &AppState, accounts_server: &str, code: &str) -> Result<SignedIn, ZohoError> {
    let config = config(state)?;
    let api_domain = config
        .api_domain_of(accounts_server)
        .ok_or_else(|| ZohoError::Untrusted(format!("`{accounts_server}` is not an accounts server this relay uses")))?
        .to_owned();
    let accounts_server = accounts_server.trim().trim_end_matches('/').to_owned();
    let redirect = redirect_uri(state);
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", config.client_id.as_str()),
        ("client_secret", config.client_secret.expose_secret()),
        ("redirect_uri", redirect.as_str()),
        ("code", code),
    ];
    let answer = token_request(state, &accounts_server, &form).await?;
    let (access, refresh) = match (&answer.access_token, &answer.refresh_token) {
        (Some(access), Some(refresh)) => (access.clone(), refresh.clone()),
        _ => return Err(ZohoError::Refused(answer.error.clone().unwrap_or_else(|| "no tokens".to_owned()))),
    };
    if answer.api_domain.as_deref().map(|d| d.trim_end_matches('/')) != Some(api_domain.as_str()) {
        return Err(ZohoError::Untrusted(format!(
            "the token answer's api_domain {:?} is not {api_domain}, the domain of {accounts_server}",
            answer.api_domain
        )));
    }
    let user = current_user(state, &api_domain, &access).await?;
    if !user.is_active() {
        return Err(ZohoError::Refused(format!("the user is {}", user.status)));
    }
    let org = org(state, &api_domain, &access).await?;
    let now = jiff::Timestamp::now().as_millisecond();
    let workspace = match state.store.account_workspace(Crm::Zoho, &org.id).await? {
        Some(workspace) => workspace,
        None if state.config.signup == Signup::Open => {
            let name = org.company_name.clone().unwrap_or_else(|| format!("Zoho org {}", org.id));
            let time_zone = crate::admission::time_zone_or_utc(org.time_zone.as_deref());
            state.store.admit_account(Crm::Zoho, &org.id, Some(&api_domain), false, (&name, &time_zone), now).await?
        }
        None => {
            tracing::warn!(org = org.id, "zoho sign-in refused: the org is not admitted to this relay");
            return Err(ZohoError::OrgNotAllowed(org.id));
        }
    };
    let saved = state.store.save_user_profile(&workspace, Crm::Zoho, &user.id, &user.profile(), now).await?;
    if saved.role == Role::Admin {
        let name = org.company_name.clone().unwrap_or_else(|| format!("Zoho org {}", org.id));
        let time_zone = crate::admission::time_zone_or_utc(org.time_zone.as_deref());
        state.store.adopt_crm_defaults(&workspace, &name, &time_zone).await?;
    }
    let tokens = SealedTokens {
        access_token: state.sealer.seal(&access, &seal_context(&workspace, &saved.id, "access")),
        refresh_token: state.sealer.seal(&refresh, &seal_context(&workspace, &saved.id, "refresh")),
        api_domain,
        expires_at: now + answer.expires_in.unwrap_or(3600).max(0) * 1000,
        accounts_server: Some(accounts_server),
    };
    state.store.save_tokens(&workspace, &saved.id, &tokens, now).await?;
    tracing::info!(org = org.id, workspace = %workspace, user = %saved.id, "zoho user signed in");
    Ok(SignedIn { workspace, user: saved })
}

/// Asks Zoho again who the user is, refreshing their access token when it expired: their profile now, or
/// `Refused` when Zoho no longer lets them in (deactivated, tokens revoked).
pub async fn recheck(state: &AppState, workspace: &WorkspaceId, user: &UserRow) -> Result<UserRow, ZohoError> {
    let config = config(state)?;
    let sealed = state
        .store
        .tokens(workspace, &user.id)
        .await?
        .ok_or_else(|| ZohoError::Refused("the user has no Zoho tokens".to_owned()))?;
    let open = |which: &str, value: &str| {
        state
            .sealer
            .open(value, &seal_context(workspace, &user.id, which))
            .map_err(|_| ZohoError::Refused("the user's tokens do not open (another SIDECHAT_SECRET_KEY)".to_owned()))
    };
    let now = jiff::Timestamp::now().as_millisecond();
    let refresh = || async {
        let accounts_server = sealed
            .accounts_server
            .clone()
            .filter(|server| config.api_domain_of(server) == Some(sealed.api_domain.as_str()))
            .ok_or_else(|| ZohoError::Untrusted("the user's accounts server is no longer trusted".to_owned()))?;
        let refresh_token = open("refresh", &sealed.refresh_token)?;
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose_secret()),
            ("refresh_token", refresh_token.as_str()),
        ];
        let answer = token_request(state, &accounts_server, &form).await?;
        let access = answer
            .access_token
            .clone()
            .ok_or_else(|| ZohoError::Refused(answer.error.clone().unwrap_or_else(|| "no access token".to_owned())))?;
        let fresh = SealedTokens {
            access_token: state.sealer.seal(&access, &seal_context(workspace, &user.id, "access")),
            expires_at: now + answer.expires_in.unwrap_or(3600).max(0) * 1000,
            ..sealed.clone()
        };
        state.store.save_tokens(workspace, &user.id, &fresh, now).await?;
        Ok::<_, ZohoError>(access)
    };
    // An expired token is refreshed first; one Zoho refuses before its time (revoked) is refreshed once too.
    let (access, refreshed) = if sealed.expires_at - 60_000 <= now {
        (refresh().await?, true)
    } else {
        (open("access", &sealed.access_token)?, false)
    };
    let zoho_user = match current_user(state, &sealed.api_domain, &access).await {
        Err(ZohoError::Refused(_)) if !refreshed => current_user(state, &sealed.api_domain, &refresh().await?).await?,
        other => other?,
    };
    if !zoho_user.is_active() || zoho_user.id != user.crm_user_id {
        return Err(ZohoError::Refused(format!("the user is {}", zoho_user.status)));
    }
    Ok(state.store.save_user_profile(workspace, Crm::Zoho, &user.crm_user_id, &zoho_user.profile(), now).await?)
}

async fn token_request(
    state: &AppState,
    accounts_server: &str,
    form: &[(&str, &str)],
) -> Result<TokenAnswer, ZohoError> {
    let what = "the token request";
    let response = state
        .http
        .post(format!("{accounts_server}/oauth/v2/token"))
        .form(form)
        .send()
        .await
        .map_err(|error| ZohoError::Unreachable { what, problem: error.to_string() })?;
    let status = response.status();
    if status.is_server_error() {
        return Err(ZohoError::Unreachable { what, problem: format!("HTTP {status}") });
    }
    let answer: TokenAnswer =
        response.json().await.map_err(|error| ZohoError::Unreachable { what, problem: error.to_string() })?;
    if let Some(error) = &answer.error {
        return Err(ZohoError::Refused(error.clone()));
    }
    if !status.is_success() {
        return Err(ZohoError::Refused(format!("HTTP {status}")));
    }
    Ok(answer)
}

/// `GET {api_domain}/crm/v8/users?type=CurrentUser`.
async fn current_user(state: &AppState, api_domain: &str, access: &str) -> Result<ZohoUser, ZohoError> {
    #[derive(Deserialize)]
    struct Users {
        users: Vec<ZohoUser>,
    }
    let users: Users = get(state, api_domain, "/crm/v8/users?type=CurrentUser", access, "GET /crm/v8/users").await?;
    users.users.into_iter().next().ok_or_else(|| ZohoError::Refused("Zoho names no current user".to_owned()))
}

/// `GET {api_domain}/crm/v8/org`.
async fn org(state: &AppState, api_domain: &str, access: &str) -> Result<ZohoOrg, ZohoError> {
    #[derive(Deserialize)]
    struct Orgs {
        org: Vec<ZohoOrg>,
    }
    let orgs: Orgs = get(state, api_domain, "/crm/v8/org", access, "GET /crm/v8/org").await?;
    orgs.org.into_iter().next().ok_or_else(|| ZohoError::Refused("Zoho names no org".to_owned()))
}

async fn get<T: serde::de::DeserializeOwned>(
    state: &AppState,
    api_domain: &str,
    path: &str,
    access: &str,
    what: &'static str,
) -> Result<T, ZohoError> {
    let response = state
        .http
        .get(format!("{api_domain}{path}"))
        .header("authorization", format!("Zoho-oauthtoken {access}"))
        .send()
        .await
        .map_err(|error| ZohoError::Unreachable { what, problem: error.to_string() })?;
    let status = response.status();
    if status.is_client_error() {
        return Err(ZohoError::Refused(format!("{what} answered {status}")));
    }
    if !status.is_success() {
        return Err(ZohoError::Unreachable { what, problem: format!("HTTP {status}") });
    }
    response.json().await.map_err(|error| ZohoError::Unreachable { what, problem: error.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_are_admins() {
        let user = |profile: &str| ZohoUser {
            id: "1".into(),
            full_name: "Zoe".into(),
            email: None,
            status: "active".into(),
            profile: Some(Named { name: profile.into() }),
        };
        assert_eq!(user("Administrator").profile().role, Role::Admin);
        assert_eq!(user("Standard").profile().role, Role::Member);
        assert!(user("Standard").is_active());
        assert!(!ZohoUser { status: "disabled".into(), ..user("Standard") }.is_active());
    }

    #[test]
    fn the_scopes_cover_sync_and_slack() {
        for scope in ["ZohoCRM.modules.ALL", "ZohoCRM.coql.READ", "ZohoSearch.securesearch.READ", "ZohoCRM.org.ALL"] {
            assert!(SCOPES.split(',').any(|s| s == scope), "{scope}");
        }
    }
}
