//! Calls to one company's Pipedrive API with its stored tokens, refreshing them when they expire or are
//! refused.

use std::sync::Mutex;

use serde::de::DeserializeOwned;

use super::PipedriveError;
use super::oauth::{Grant, request_token};
use super::shapes::read_data;
use crate::AppState;
use crate::config::PipedriveConfig;

/// A token this close to its expiry (ms) is refreshed before use.
const REFRESH_MARGIN_MS: i64 = 60_000;

/// One company's API, for the calls of one request.
pub(super) struct Session<'a> {
    state: &'a AppState,
    config: &'a PipedriveConfig,
    company_id: &'a str,
    api_domain: String,
    token: Mutex<String>,
}

impl<'a> Session<'a> {
    /// Loads the company's tokens, refreshing them first when they are about to expire.
    pub async fn open(state: &'a AppState, company_id: &'a str) -> Result<Self, PipedriveError> {
        let config = state.config.pipedrive.as_ref().ok_or(PipedriveError::NotConfigured)?;
        let installation =
            state.store.installation("pipedrive", company_id).await?.ok_or(PipedriveError::NotConnected)?;
        let (Some(token), Some(api_domain)) = (installation.access_token, installation.api_domain) else {
            return Err(PipedriveError::NotConnected);
        };
        let session = Self { state, config, company_id, api_domain, token: Mutex::new(token.clone()) };
        if expiring(installation.token_expires_at) {
            session.refresh(&token).await?;
        }
        Ok(session)
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
            401 | 403 => Err(PipedriveError::Refused(format!("GET {path} answered {status}"))),
            404 | 410 => Err(PipedriveError::NotFound(what)),
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

    fn current_token(&self) -> String {
        self.token.lock().map(|token| token.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    fn set_token(&self, fresh: &str) {
        let mut token = self.token.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        fresh.clone_into(&mut token);
    }

    /// Replaces `stale` with a fresh access token and stores it; returns the fresh one.
    async fn refresh(&self, stale: &str) -> Result<String, PipedriveError> {
        // One refresh at a time: a call that waited uses the token the one before it stored.
        let _turn = self.state.pipedrive_refresh.lock().await;
        let current =
            self.state.store.installation("pipedrive", self.company_id).await?.ok_or(PipedriveError::NotConnected)?;
        if let Some(token) = current.access_token.as_deref()
            && token != stale
            && !expiring(current.token_expires_at)
        {
            self.set_token(token);
            return Ok(token.to_owned());
        }
        let refresh_token = current.refresh_token.as_deref().ok_or(PipedriveError::NotConnected)?;
        let answer = request_token(&self.state.http, self.config, Grant::Refresh(refresh_token)).await?;
        let now = jiff::Timestamp::now().as_millisecond();
        let renewed = answer.into_installation(self.company_id, current.api_domain, now);
        self.state.store.upsert_installation(&renewed, now).await?;
        let fresh = renewed.access_token.unwrap_or_default();
        self.set_token(&fresh);
        tracing::debug!(company_id = self.company_id, "pipedrive token refreshed");
        Ok(fresh)
    }
}

/// Whether a token expiring at `expires_at` (ms) must be refreshed before use.
fn expiring(expires_at: Option<i64>) -> bool {
    expires_at.is_some_and(|at| at - jiff::Timestamp::now().as_millisecond() < REFRESH_MARGIN_MS)
}
