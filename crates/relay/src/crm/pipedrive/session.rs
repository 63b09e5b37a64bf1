//! Calls to Pipedrive with one user's own tokens, so Pipedrive's visibility rules apply to what the user reads.
//! A token about to expire is refreshed first; a token Pipedrive refuses (401) is refreshed once and the call
//! retried. Tokens are opened from their sealed form only here, for the calls of one request.

use std::sync::Mutex;

use serde::de::DeserializeOwned;

use super::PipedriveError;
use super::oauth::{Grant, request_token, seal_context};
use super::shapes::read_data;
use crate::AppState;
use crate::config::PipedriveConfig;
use crate::store::{UserRow, WorkspaceId};

/// A token this close to its expiry (ms) is refreshed before use.
const REFRESH_MARGIN_MS: i64 = 60_000;

/// One user's Pipedrive API, for the calls of one request.
pub(super) struct Session<'a> {
    state: &'a AppState,
    config: &'a PipedriveConfig,
    workspace: &'a WorkspaceId,
    user_id: &'a str,
    api_domain: String,
    token: Mutex<String>,
}

impl<'a> Session<'a> {
    /// Opens the user's tokens, refreshing them first when they are about to expire; `UserNotConnected` when the
    /// user has not connected their Pipedrive account.
    pub async fn open(
        state: &'a AppState,
        workspace: &'a WorkspaceId,
        user: &'a UserRow,
    ) -> Result<Self, PipedriveError> {
        let config = state.config.pipedrive.as_ref().ok_or(PipedriveError::NotConfigured)?;
        let sealed = state.store.tokens(workspace, &user.id).await?.ok_or(PipedriveError::UserNotConnected)?;
        let token = state
            .sealer
            .open(&sealed.access_token, &seal_context(workspace, &user.id, "access"))
            .map_err(|_| PipedriveError::UserNotConnected)?;
        let session = Self {
            state,
            config,
            workspace,
            user_id: &user.id,
            api_domain: sealed.api_domain,
            token: Mutex::new(token.clone()),
        };
        if expiring(Some(sealed.expires_at)) {
            session.refresh(&token).await?;
        }
        Ok(session)
    }

    /// Where the user's company's API lives.
    pub fn api_domain(&self) -> &str {
        &self.api_domain
    }

    /// The access token in use.
    pub fn current_token(&self) -> String {
        self.token.lock().map(|token| token.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    /// `GET path` and the `data` of its answer; a 404 is `NotFound(what)`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, what: &'static str) -> Result<T, PipedriveError> {
        let response = self.send(path, what).await?;
        read_data(response, &format!("GET {path}")).await
    }

    /// `GET path`, retried once with a fresh token when Pipedrive refuses the current one.
    pub async fn send(&self, path: &str, what: &'static str) -> Result<reqwest::Response, PipedriveError> {
        let token = self.current_token();
        let mut response = self.request(path, &token).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            let fresh = self.refresh(&token).await?;
            response = self.request(path, &fresh).await?;
        }
        let status = response.status();
        match status.as_u16() {
            200..=299 => Ok(response),
            401 => Err(PipedriveError::Refused(format!("GET {path} answered {status}"))),
            // Pipedrive answers a record the user may not see as missing (or forbidden): not theirs to read.
            403 | 404 | 410 => Err(PipedriveError::NotFound(what)),
            _ => Err(PipedriveError::Status { status: status.as_u16(), what: format!("GET {path}") }),
        }
    }

    async fn request(&self, path: &str, token: &str) -> Result<reqwest::Response, PipedriveError> {
        self.state
            .http
            .get(format!("{}{path}", self.api_domain))
            .bearer_auth(token)
            .send()
            .await
            .map_err(|source| PipedriveError::Unreachable { what: format!("GET {path}"), source })
    }

    fn set_token(&self, fresh: &str) {
        let mut token = self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        fresh.clone_into(&mut token);
    }

    /// Replaces `stale` with a fresh access token and stores it sealed; returns the fresh one.
    async fn refresh(&self, stale: &str) -> Result<String, PipedriveError> {
        // One refresh at a time: a call that waited uses the token the one before it stored.
        let _turn = self.state.pipedrive_refresh.lock().await;
        let (workspace, user_id) = (self.workspace, self.user_id);
        let current = self.state.store.tokens(workspace, user_id).await?.ok_or(PipedriveError::UserNotConnected)?;
        let open = |sealed: &str, which: &str| {
            self.state
                .sealer
                .open(sealed, &seal_context(workspace, user_id, which))
                .map_err(|_| PipedriveError::UserNotConnected)
        };
        let access = open(&current.access_token, "access")?;
        if access != stale && !expiring(Some(current.expires_at)) {
            self.set_token(&access);
            return Ok(access);
        }
        let refresh_token = open(&current.refresh_token, "refresh")?;
        let answer = request_token(&self.state.http, self.config, Grant::Refresh(&refresh_token)).await?;
        let now = jiff::Timestamp::now().as_millisecond();
        let fresh = answer.access_token().to_owned();
        let renewed = answer.seal(self.state, workspace, user_id, Some(current.api_domain), now);
        self.state.store.save_tokens(workspace, user_id, &renewed, now).await?;
        self.set_token(&fresh);
        tracing::debug!(workspace = %workspace, user = user_id, "pipedrive token refreshed");
        Ok(fresh)
    }
}

/// Whether a token expiring at `expires_at` (ms) must be refreshed before use.
fn expiring(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|at| at - jiff::Timestamp::now().as_millisecond() < REFRESH_MARGIN_MS)
}
