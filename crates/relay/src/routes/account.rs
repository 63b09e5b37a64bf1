//! The calling user and their workspace: `GET /api/v1/me`; `GET|PUT /api/v1/admin/workspace`, the workspace's
//! name and time zone (admins only).

use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::routing::get;
use axum::{Json, Router};
use sidechat_domain::wire::{MeResponse, MeUser, MeWorkspace, WorkspaceSettings};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

/// The longest workspace name accepted.
const MAX_NAME_CHARS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me", get(read_me))
        .route("/api/v1/admin/workspace", get(read_workspace).put(update_workspace))
}

async fn read_me(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<MeResponse>> {
    let workspace = state.store.workspace(&caller.workspace).await?;
    let whatsapp_connected = !state.whatsapp.connections(&caller.workspace).await?.is_empty();
    let user = caller.user;
    Ok(Json(MeResponse {
        user: MeUser { id: user.id, name: user.name, email: user.email, role: user.role },
        workspace: MeWorkspace {
            id: workspace.id.to_string(),
            name: workspace.name,
            time_zone: workspace.time_zone,
            whatsapp_connected,
        },
    }))
}

async fn read_workspace(caller: Caller, State(state): State<AppState>) -> ApiResult<Json<WorkspaceSettings>> {
    caller.require_admin()?;
    let workspace = state.store.workspace(&caller.workspace).await?;
    Ok(Json(WorkspaceSettings { name: workspace.name, time_zone: workspace.time_zone }))
}

async fn update_workspace(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<WorkspaceSettings>, JsonRejection>,
) -> ApiResult<Json<WorkspaceSettings>> {
    caller.require_admin()?;
    let Json(settings) = body?;
    let settings = check(settings)?;
    let before = state.store.workspace(&caller.workspace).await?;
    state.store.update_workspace(&caller.workspace, &settings.name, &settings.time_zone).await?;
    if before.name != settings.name || before.time_zone != settings.time_zone {
        let details = serde_json::json!({
            "name": {"from": before.name, "to": settings.name},
            "time_zone": {"from": before.time_zone, "to": settings.time_zone},
        });
        crate::routes::admin::log(&state, &caller, "settings", caller.workspace.as_str(), details).await?;
    }
    Ok(Json(settings))
}

/// A name of 1 to 100 characters and an IANA time zone the relay knows; `invalid_setting` naming the field.
fn check(settings: WorkspaceSettings) -> ApiResult<WorkspaceSettings> {
    let name = settings.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_setting("name", format!("the name must have 1 to {MAX_NAME_CHARS} characters")));
    }
    let time_zone = settings.time_zone.trim().to_owned();
    if jiff::tz::TimeZone::get(&time_zone).is_err() || time_zone.is_empty() {
        return Err(ApiError::invalid_setting(
            "time_zone",
            format!("`{time_zone}` is not an IANA time zone such as Europe/Berlin"),
        ));
    }
    Ok(WorkspaceSettings { name, time_zone })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(name: &str, time_zone: &str) -> WorkspaceSettings {
        WorkspaceSettings { name: name.into(), time_zone: time_zone.into() }
    }

    #[test]
    fn settings_need_a_name_and_a_known_time_zone() {
        assert_eq!(check(settings(" Acme ", "Europe/Berlin")).unwrap(), settings("Acme", "Europe/Berlin"));
        assert!(check(settings("", "UTC")).is_err());
        assert!(check(settings(&"x".repeat(101), "UTC")).is_err());
        assert!(check(settings("Acme", "Mars/Olympus")).is_err());
        assert!(check(settings("Acme", "")).is_err());
    }
}
