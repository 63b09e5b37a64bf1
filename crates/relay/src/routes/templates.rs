//! `GET /api/v1/templates[?sender=ID]`: the approved templates, for a closed window: those of the sender's
//! connection (a Cloud API number's business account), or without `sender` those of every connection the caller
//! may send from.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use sidechat_domain::wire::{ErrorCode, Template, TemplatesResponse};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/templates", get(list_templates))
}

#[derive(Deserialize)]
struct TemplatesQuery {
    sender: Option<String>,
}

async fn list_templates(
    caller: Caller,
    State(state): State<AppState>,
    query: Result<Query<TemplatesQuery>, QueryRejection>,
) -> ApiResult<Json<TemplatesResponse>> {
    let Query(query) = query?;
    let connections = match query.sender.as_deref() {
        Some(sender) => vec![state.whatsapp.sender(&caller.workspace, &caller.user.id, sender).await?.0],
        // A workspace without WhatsApp has no templates.
        None => state.whatsapp.usable(&caller.workspace, &caller.user.id).await?,
    };
    let mut templates: Vec<Template> = Vec::new();
    for connection in connections {
        let listed = connection.provider.templates().await.map_err(|error| {
            tracing::warn!(connection = %connection.row.id, error = format!("{error:#}"), "listing templates");
            ApiError::new(ErrorCode::ProviderUnavailable, "the WhatsApp provider did not answer")
        })?;
        for template in listed {
            if !templates.iter().any(|t| t.name == template.name && t.language == template.language) {
                templates.push(template);
            }
        }
    }
    Ok(Json(TemplatesResponse { templates }))
}
