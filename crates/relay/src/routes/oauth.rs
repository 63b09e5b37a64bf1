//! `GET /oauth/pipedrive/callback?code=…`: where Pipedrive sends a user who allowed Sidechat. The code is traded
//! for that user's tokens, which stay on the server, sealed; the browser gets a short page saying it worked.
//! `DELETE` on the same URL is Pipedrive telling that a user uninstalled the app: their tokens are dropped.

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;
use sidechat_domain::Crm;

use crate::AppState;
use crate::crm::pipedrive::{self, PipedriveError};
use crate::error::{ApiError, ApiResult};

/// The page an admin sees after installing.
const INSTALLED_PAGE: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Sidechat installed</title></head><body><h1>Sidechat is connected</h1>\
<p>Your Pipedrive account is connected to Sidechat: you can use it on persons and deals. You may close this tab.</p>\
</body></html>\n";

pub fn router() -> Router<AppState> {
    Router::new().route(pipedrive::CALLBACK_PATH, get(complete_pipedrive_install).delete(uninstall_pipedrive_user))
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    error: Option<String>,
    /// Set when a top-level page of the relay started the sign-in (`/oauth/pipedrive/start`).
    state: Option<String>,
}

async fn complete_pipedrive_install(
    State(state): State<AppState>,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let Query(query) = query?;
    let now = jiff::Timestamp::now().as_millisecond();
    // A sign-in from a top-level page names its state; an install from Pipedrive's marketplace link names none.
    let sign_in = match query.state.as_deref() {
        Some(oauth_state) => Some(
            state
                .store
                .sign_in_by_state(&crate::routes::sign_in::hash(oauth_state), now)
                .await?
                .filter(|sign_in| sign_in.crm == Crm::Pipedrive)
                .ok_or_else(|| ApiError::invalid("this sign-in is unknown, expired or finished: start again"))?,
        ),
        None => None,
    };
    if let Some(error) = query.error {
        tracing::info!(error = error.chars().take(100).collect::<String>(), "pipedrive install not allowed");
        return Err(ApiError::invalid("the installation was not allowed in Pipedrive"));
    }
    let code = query
        .code
        .filter(|code| !code.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("the `code` parameter is required"))?;
    match pipedrive::install(&state, code.trim()).await {
        Ok(installed) => match sign_in {
            Some(sign_in) => {
                if !state.store.complete_sign_in(&sign_in.id, &installed.workspace, &installed.user.id, now).await? {
                    return Err(ApiError::invalid("this sign-in was finished already"));
                }
                let return_to = sign_in.return_to.unwrap_or_else(|| "/settings".to_owned());
                crate::routes::top_level::sign_in_cookie(&state, &installed.workspace, &installed.user.id, &return_to)
                    .await
            }
            None => Ok(Html(INSTALLED_PAGE).into_response()),
        },
        Err(PipedriveError::Refused(reason)) => {
            tracing::info!(reason, "pipedrive refused the install code");
            Err(ApiError::invalid("Pipedrive refused the authorization code: start the installation again"))
        }
        Err(error) => Err(error.into()),
    }
}

async fn uninstall_pipedrive_user(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: Result<axum::Json<pipedrive::Uninstall>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<axum::http::StatusCode> {
    let axum::Json(body) = body?;
    match pipedrive::uninstall(&state, &headers, &body).await {
        Ok(_) => Ok(axum::http::StatusCode::OK),
        Err(PipedriveError::Refused(_)) => {
            Err(ApiError::unauthorized("the uninstall call's credentials are not the app's"))
        }
        Err(error) => Err(error.into()),
    }
}
