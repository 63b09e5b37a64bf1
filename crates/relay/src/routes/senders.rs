//! `GET /api/v1/senders`: the WhatsApp numbers the caller may send from (every number of the workspace's
//! connections, but those an admin kept for other users).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sidechat_domain::wire::SendersResponse;

use crate::AppState;
use crate::auth::Caller;
use crate::error::ApiResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/senders", get(list_senders))
}

async fn list_senders(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<SendersResponse>> {
    Ok(Json(SendersResponse { senders: state.whatsapp.senders(&caller.workspace, &caller.user.id).await? }))
}
