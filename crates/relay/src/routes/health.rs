//! `GET /healthz`: `{"status":"ok"}` while the database answers and the newest stored file can be read.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

use crate::AppState;
use crate::files::Files;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(get_health))
}

async fn get_health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let unavailable =
        |what: &str| (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "failing": what })));
    if let Err(error) = state.store.ping().await {
        tracing::error!(%error, "health check: the database does not answer");
        return unavailable("database");
    }
    // A file store that lost its files (an unmounted share, another relay's directory) fails the check.
    match state.store.newest_stored_file().await {
        Ok(Some((workspace, id))) => {
            if let Err(error) = state.ingest.files.readable(&Files::key(&workspace, &id)).await {
                tracing::error!(%error, files = %state.ingest.files.describe, "health check: a stored file cannot be read");
                return unavailable("files");
            }
        }
        Ok(None) => {}
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            return unavailable("database");
        }
    }
    (StatusCode::OK, Json(json!({ "status": "ok" })))
}
