//! `GET /api/v1/senders`: the connected WhatsApp numbers.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sidechat_domain::wire::SendersResponse;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/senders", get(list_senders))
}

async fn list_senders(_caller: Caller, State(state): State<AppState>) -> ApiResult<Json<SendersResponse>> {
    let senders = state.provider.senders().await.map_err(|error| {
        tracing::warn!(error = format!("{error:#}"), "listing senders");
        ApiError::new(sidechat_domain::wire::ErrorCode::ProviderUnavailable, "the WhatsApp provider did not answer")
    })?;
    Ok(Json(SendersResponse { senders }))
}
