//! `GET /api/v1/templates`: the provider's approved templates, for a closed window.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sidechat_domain::wire::{ErrorCode, TemplatesResponse};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/templates", get(list_templates))
}

async fn list_templates(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<TemplatesResponse>> {
    // A workspace without WhatsApp has no templates.
    let Some(connection) = state.connection(&caller.workspace) else {
        return Ok(Json(TemplatesResponse { templates: Vec::new() }));
    };
    let templates = connection.provider.templates().await.map_err(|error| {
        tracing::warn!(error = format!("{error:#}"), "listing templates");
        ApiError::new(ErrorCode::ProviderUnavailable, "the WhatsApp provider did not answer")
    })?;
    Ok(Json(TemplatesResponse { templates }))
}
