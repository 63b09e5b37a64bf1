//! `GET /healthz`.

use axum::{Json, Router, routing::get};
use serde_json::{Value, json};

use crate::AppState;

/// `GET /healthz` answers `{"status":"ok"}` while the relay can serve.
pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(get_health))
}

async fn get_health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}
