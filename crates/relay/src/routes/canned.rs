//! Canned texts, per company: list (filter by module, search by name), create, edit (module locked), delete.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use sidechat_domain::canned::{self, CannedError};
use sidechat_domain::wire::{CannedText, CannedTextInput, CannedTextsResponse, ErrorCode};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::store::CannedRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/canned-texts", get(list_canned_texts).post(create_canned_text))
        .route("/api/v1/canned-texts/{id}", put(update_canned_text).delete(delete_canned_text))
}

#[derive(Deserialize)]
struct ListQuery {
    module: Option<String>,
    q: Option<String>,
}

async fn list_canned_texts(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<CannedTextsResponse>> {
    let Query(query) = query?;
    let module = query.module.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = state.store.list_canned_texts(&caller.company, module, search).await?;
    Ok(Json(CannedTextsResponse { canned_texts: rows.into_iter().map(wire).collect() }))
}

async fn create_canned_text(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<CannedTextInput>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<CannedText>)> {
    let Json(input) = body?;
    let text = canned::CannedText::new(&input.name, &input.module, &input.body).map_err(refusal)?;
    let row = CannedRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: text.name().to_owned(),
        module: text.module().to_string(),
        body: input.body,
    };
    state.store.insert_canned_text(&caller.company, &row, now()).await?;
    Ok((StatusCode::CREATED, Json(wire(row))))
}

async fn update_canned_text(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<CannedTextInput>, JsonRejection>,
) -> ApiResult<Json<CannedText>> {
    let Json(input) = body?;
    let existing =
        state.store.canned_text(&caller.company, &id).await?.ok_or_else(|| ApiError::not_found("canned text"))?;
    let current = canned::CannedText::new(&existing.name, &existing.module, &existing.body).map_err(refusal)?;
    let edited = current.edit(&input.name, &input.module, &input.body).map_err(refusal)?;
    let row = CannedRow { id, name: edited.name().to_owned(), module: existing.module, body: input.body };
    if !state.store.update_canned_text(&caller.company, &row, now()).await? {
        return Err(ApiError::not_found("canned text"));
    }
    Ok(Json(wire(row)))
}

async fn delete_canned_text(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.store.delete_canned_text(&caller.company, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("canned text"))
    }
}

/// The error code for each way a canned text can be wrong.
fn refusal(error: CannedError) -> ApiError {
    let code = match error {
        CannedError::Unclosed { .. }
        | CannedError::EmptyField { .. }
        | CannedError::MissingModule { .. }
        | CannedError::MissingLabel { .. }
        | CannedError::WrongModule { .. } => ErrorCode::InvalidMergeField,
        CannedError::ModuleImmutable { .. } => ErrorCode::ModuleImmutable,
        CannedError::BodyTooLong => ErrorCode::BodyTooLong,
        CannedError::EmptyBody => ErrorCode::EmptyMessage,
        CannedError::InvalidModule(_) | CannedError::EmptyName | CannedError::NameTooLong => ErrorCode::InvalidRequest,
    };
    ApiError::new(code, error.to_string())
}

fn wire(row: CannedRow) -> CannedText {
    CannedText { id: row.id, name: row.name, module: row.module, body: row.body, owner: None, editable: true }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
