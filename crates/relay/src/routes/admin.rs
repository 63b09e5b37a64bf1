//! What admins manage (members get 403 `forbidden` everywhere here):
//! - `GET|POST /api/v1/admin/whatsapp`, `PATCH|DELETE /api/v1/admin/whatsapp/{id}`: the workspace's WhatsApp
//!   connections, never with a secret;
//! - `GET /api/v1/admin/users`: the workspace's users, to choose who may send from a connection;
//! - `GET /api/v1/admin/log`: what admins did;
//! - `DELETE /api/v1/admin/contacts/{e164}`: erases one customer's conversation (messages, files, pending sends)
//!   and ends its open streams.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sidechat_domain::Provider;
use sidechat_domain::wire::{
    AdminLog, AdminLogEntry, ConnectRequest, ConnectionResponse, ConnectionUpdate, Sender, WhatsAppConnection,
    WhatsAppConnections, WorkspaceUser, WorkspaceUsers,
};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::store::{ConnectionRow, provider_name, timestamp};

/// The longest label accepted.
const MAX_LABEL_CHARS: usize = 80;
/// Log entries answered when the caller names no limit, and at most.
const LOG_PAGE: i64 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/whatsapp", get(list_connections).post(create_connection))
        .route("/api/v1/admin/whatsapp/{id}", patch(update_connection).delete(delete_connection))
        .route("/api/v1/admin/users", get(list_users))
        .route("/api/v1/admin/log", get(read_log))
        .route("/api/v1/admin/contacts/{phone}", axum::routing::delete(erase_contact))
}

async fn list_connections(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<WhatsAppConnections>> {
    caller.require_admin()?;
    let connections = state.whatsapp.connections(&caller.workspace).await?;
    let mut listed = Vec::with_capacity(connections.len());
    for connection in connections {
        // TimelinesAI's numbers are its workspace's accounts now; the others' are those connected.
        let live = match connection.row.provider {
            Provider::Timelines => connection.provider.senders().await.ok(),
            _ => None,
        };
        listed.push(present(&state, &connection.row, live));
    }
    Ok(Json(WhatsAppConnections { connections: listed }))
}

async fn create_connection(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<ConnectRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ConnectionResponse>)> {
    caller.require_admin()?;
    let Json(request) = body?;
    let row = crate::whatsapp::connect(&state, &caller.workspace, &caller.user.id, request).await?;
    state.whatsapp.changed(&caller.workspace);
    let numbers: Vec<&str> = row.numbers.iter().map(|n| n.phone.as_str()).collect();
    let details = json!({"provider": provider_name(row.provider), "label": row.label, "numbers": numbers});
    log(&state, &caller, "connect", &row.id, details).await?;
    tracing::info!(workspace = %caller.workspace, connection = %row.id, provider = provider_name(row.provider),
        "a WhatsApp connection was made");
    Ok((StatusCode::CREATED, Json(ConnectionResponse { connection: present(&state, &row, None) })))
}

async fn update_connection(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Result<Json<ConnectionUpdate>, JsonRejection>,
) -> ApiResult<Json<ConnectionResponse>> {
    caller.require_admin()?;
    let Json(update) = body?;
    let row = state
        .store
        .whatsapp_connection(&caller.workspace, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    let label = match update.label {
        Some(label) => {
            let label = label.trim().to_owned();
            if label.is_empty() || label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
                return Err(ApiError::invalid_setting(
                    "label",
                    format!("the label must have 1 to {MAX_LABEL_CHARS} characters"),
                ));
            }
            label
        }
        None => row.label.clone(),
    };
    let allowed_users = match update.allowed_users {
        None => row.allowed_users.clone(),
        Some(None) => None,
        Some(Some(mut ids)) => {
            ids.sort();
            ids.dedup();
            let users = state.store.workspace_users(&caller.workspace).await?;
            if let Some(stranger) = ids.iter().find(|id| !users.iter().any(|user| &user.id == *id)) {
                return Err(ApiError::invalid_setting(
                    "allowed_users",
                    format!("`{stranger}` is not a user of this workspace"),
                ));
            }
            Some(ids)
        }
    };
    let now = jiff::Timestamp::now().as_millisecond();
    if !state.store.update_whatsapp_connection(&caller.workspace, &id, &label, allowed_users.as_deref(), now).await? {
        return Err(ApiError::not_found("connection"));
    }
    state.whatsapp.changed(&caller.workspace);
    if label != row.label {
        log(&state, &caller, "rename", &id, json!({"from": row.label, "to": label})).await?;
    }
    if allowed_users != row.allowed_users {
        log(&state, &caller, "restrict", &id, json!({"allowed_users": allowed_users})).await?;
    }
    let row = state
        .store
        .whatsapp_connection(&caller.workspace, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    Ok(Json(ConnectionResponse { connection: present(&state, &row, None) }))
}

async fn delete_connection(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_admin()?;
    let row = state
        .store
        .whatsapp_connection(&caller.workspace, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    if row.from_settings {
        return Err(ApiError::forbidden(
            "this connection comes from the relay's settings (SIDECHAT_PROVIDER): the relay's operator removes it",
        ));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    if !state.store.delete_whatsapp_connection(&caller.workspace, &id, now).await? {
        return Err(ApiError::not_found("connection"));
    }
    state.whatsapp.changed(&caller.workspace);
    let numbers: Vec<&str> = row.numbers.iter().map(|n| n.phone.as_str()).collect();
    log(&state, &caller, "disconnect", &id, json!({"label": row.label, "numbers": numbers})).await?;
    tracing::info!(workspace = %caller.workspace, connection = %id, "a WhatsApp connection was removed");
    Ok(StatusCode::NO_CONTENT)
}

async fn erase_contact(
    caller: Caller,
    State(state): State<AppState>,
    Path(phone): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_admin()?;
    // The path segment arrives decoded: `%2B49…` is `+49…`.
    let contact = sidechat_domain::E164::parse(phone.trim()).map_err(|error| {
        ApiError::new(
            sidechat_domain::wire::ErrorCode::InvalidPhone,
            format!("`{phone}` is not a number in E.164 (`+` and the country code): {error}"),
        )
    })?;
    let removed = state.store.erase_contact(&caller.workspace, contact.as_str()).await?;
    state.events.publish(&caller.workspace, contact.as_str(), crate::events::Event::Erased);
    let details = json!({"messages": removed.messages, "files": removed.files});
    log(&state, &caller, "erase", contact.as_str(), details).await?;
    tracing::info!(workspace = %caller.workspace, messages = removed.messages, files = removed.files,
        "a conversation was erased");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<WorkspaceUsers>> {
    caller.require_admin()?;
    let users = state.store.workspace_users(&caller.workspace).await?;
    let users = users
        .into_iter()
        .map(|user| WorkspaceUser { id: user.id, name: user.name, email: user.email, role: user.role })
        .collect();
    Ok(Json(WorkspaceUsers { users }))
}

#[derive(Deserialize)]
struct LogQuery {
    limit: Option<String>,
}

async fn read_log(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> ApiResult<Json<AdminLog>> {
    caller.require_admin()?;
    let Query(query) = query?;
    let limit = match query.limit.as_deref() {
        None => LOG_PAGE,
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=LOG_PAGE).contains(n))
            .ok_or_else(|| ApiError::invalid(format!("`limit` must be a number from 1 to {LOG_PAGE}")))?,
    };
    let entries = state
        .store
        .admin_log(&caller.workspace, limit)
        .await?
        .into_iter()
        .map(|row| AdminLogEntry {
            at: timestamp(row.at),
            user: row.user,
            action: row.action,
            subject: row.subject,
            details: row.details,
        })
        .collect();
    Ok(Json(AdminLog { entries }))
}

/// Records what the calling admin did.
pub async fn log(
    state: &AppState,
    caller: &Caller,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> ApiResult<()> {
    let now = jiff::Timestamp::now().as_millisecond();
    state
        .store
        .log_admin_action(&caller.workspace, Some(&caller.user.id), action, Some(subject), &details, now)
        .await?;
    Ok(())
}

/// A connection as admins see it; `live` are its numbers as the provider lists them now, where it was asked.
fn present(state: &AppState, row: &ConnectionRow, live: Option<Vec<Sender>>) -> WhatsAppConnection {
    let public = state.config.public_url.trim_end_matches('/');
    let webhook_url = match row.provider {
        Provider::Cloud => Some(format!("{public}/webhooks/whatsapp")),
        Provider::Timelines => {
            let context = ConnectionRow::webhook_context(&row.workspace, &row.id);
            match row.webhook_secret.as_deref().map(|sealed| state.sealer.open(sealed, &context)) {
                Some(Ok(secret)) => Some(format!("{public}/webhooks/timelines/{secret}")),
                _ => None,
            }
        }
        Provider::Sandbox => None,
    };
    let senders = live.unwrap_or_else(|| row.numbers.iter().map(|number| number.sender(row.provider)).collect());
    WhatsAppConnection {
        id: row.id.clone(),
        provider: row.provider,
        label: row.label.clone(),
        senders,
        webhook_url,
        secret_hint: row.secret_hint.clone(),
        allowed_users: row.allowed_users.clone(),
        created_by: row.created_by.clone(),
        created_at: timestamp(row.created_at),
    }
}
