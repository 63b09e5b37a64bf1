//! `GET /api/v1/records/pipedrive/{person|deal}/{id}`: a Pipedrive record with its phones, files and field
//! values, read with the calling user's own Pipedrive token (a record they cannot see there is not found).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use sidechat_domain::wire::{Record, RecordKind};

use crate::AppState;
use crate::auth::Caller;
use crate::crm::pipedrive;
use crate::error::{ApiError, ApiResult};
use sidechat_domain::Crm;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/records/pipedrive/{kind}/{id}", get(get_pipedrive_record))
}

async fn get_pipedrive_record(
    caller: Caller,
    State(state): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
) -> ApiResult<Json<Record>> {
    if caller.crm != Crm::Pipedrive {
        return Err(ApiError::not_found("Pipedrive record"));
    }
    let kind = RecordKind::parse(&kind).ok_or_else(|| ApiError::not_found("record kind"))?;
    let record = pipedrive::read_record(&state, &caller, kind, &id).await;
    Ok(Json(record.map_err(|error| crate::crm::api_error(&state, error))?))
}
