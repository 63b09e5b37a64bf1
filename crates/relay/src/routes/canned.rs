//! Canned texts, per workspace: list (filter by module, search by name), create, edit (module locked), delete.
//! Any member creates; a text's owner or an admin edits or deletes it; texts older than workspaces have no
//! owner, so only admins change those.

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
    let rows = state.store.list_canned_texts(&caller.workspace, module, search).await?;
    Ok(Json(CannedTextsResponse { canned_texts: rows.into_iter().map(|row| wire(&caller, row)).collect() }))
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
        owner: Some(caller.author()),
    };
    state.store.insert_canned_text(&caller.workspace, &row, now()).await?;
    Ok((StatusCode::CREATED, Json(wire(&caller, row))))
}

async fn update_canned_text(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<CannedTextInput>, JsonRejection>,
) -> ApiResult<Json<CannedText>> {
    let Json(input) = body?;
    let existing = editable(&state, &caller, &id).await?;
    let current = canned::CannedText::new(&existing.name, &existing.module, &existing.body).map_err(refusal)?;
    let edited = current.edit(&input.name, &input.module, &input.body).map_err(refusal)?;
    let row = CannedRow {
        id,
        name: edited.name().to_owned(),
        module: existing.module,
        body: input.body,
        owner: existing.owner,
    };
    if !state.store.update_canned_text(&caller.workspace, &row, now()).await? {
        return Err(ApiError::not_found("canned text"));
    }
    Ok(Json(wire(&caller, row)))
}

async fn delete_canned_text(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    editable(&state, &caller, &id).await?;
    if state.store.delete_canned_text(&caller.workspace, &id).await? {
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

/// The workspace's canned text `id`, if the caller may change it: `not_found` when the workspace has none,
/// `forbidden` when it is another's and the caller is no admin.
async fn editable(state: &AppState, caller: &Caller, id: &str) -> ApiResult<CannedRow> {
    let row =
        state.store.canned_text(&caller.workspace, id).await?.ok_or_else(|| ApiError::not_found("canned text"))?;
    if may_change(caller, &row) {
        Ok(row)
    } else {
        Err(ApiError::forbidden("only the canned text's owner or an admin may change it"))
    }
}

/// Whether the caller owns the text or administers the workspace.
fn may_change(caller: &Caller, row: &CannedRow) -> bool {
    caller.is_admin() || row.owner.as_ref().is_some_and(|owner| owner.id == caller.user.id)
}

fn wire(caller: &Caller, row: CannedRow) -> CannedText {
    let editable = may_change(caller, &row);
    CannedText { id: row.id, name: row.name, module: row.module, body: row.body, owner: row.owner, editable }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
