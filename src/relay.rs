//! The widget's client for the relay API. The widget is served by the relay, so the relay's base URL is
//! the page's own origin.

use gloo_net::http::Request;
use serde::Deserialize;
use sidechat_domain::wire::{ErrorBody, Record};

use crate::host::RecordRef;

/// What the panel knows of the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// The check is under way.
    Checking,
    /// `/healthz` answered `{"status":"ok"}`.
    Ok,
    /// It did not, or not with that.
    Unreachable,
}

impl Health {
    /// The state's name in `data-relay`.
    pub fn as_attr(self) -> &'static str {
        match self {
            Self::Checking => "checking",
            Self::Ok => "ok",
            Self::Unreachable => "unreachable",
        }
    }

    /// The state for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Checking => "Connecting to Sidechat…",
            Self::Ok => "Connected to Sidechat.",
            Self::Unreachable => "Sidechat's server cannot be reached. Try again in a moment.",
        }
    }
}

#[derive(Deserialize)]
struct HealthBody {
    status: String,
}

/// Reads the relay's health; a network error or an unexpected answer counts as unreachable.
pub async fn check_health() -> Health {
    let Ok(response) = Request::get("/healthz").send().await else {
        return Health::Unreachable;
    };
    match response.json::<HealthBody>().await {
        Ok(body) if response.ok() && body.status == "ok" => Health::Ok,
        _ => Health::Unreachable,
    }
}

/// Reads the record the panel is on (Pipedrive), or the relay's message for people.
pub async fn fetch_record(record: &RecordRef, token: &str) -> Result<Record, String> {
    let url = format!("/api/v1/records/pipedrive/{}/{}", record.kind, record.id);
    let response = Request::get(&url)
        .header("Authorization", &format!("Bearer {token}"))
        .send()
        .await
        .map_err(|_| "Sidechat's server cannot be reached.".to_owned())?;
    if response.ok() {
        return response.json::<Record>().await.map_err(|_| "Sidechat's server sent an unreadable record.".to_owned());
    }
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(body.error.message),
        Err(_) => Err(format!("Sidechat's server answered {}.", response.status())),
    }
}
