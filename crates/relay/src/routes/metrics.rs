//! `GET /metrics`: Prometheus text. On the main address it answers 404 unless `SIDECHAT_METRICS_TOKEN` is set
//! (then it needs it as a bearer token, else 401) or the relay runs in demo mode; `SIDECHAT_METRICS_LISTEN`
//! serves it on a separate address without a token.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;
use crate::metrics::Metrics;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(main_address))
}

/// The separate metrics address's routes: `/metrics`, open.
pub fn separate(metrics: std::sync::Arc<Metrics>) -> Router {
    Router::new().route("/metrics", get(move || async move { text(&metrics) }))
}

async fn main_address(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let access = &state.config.metrics;
    if let Some(token) = &access.token {
        let presented = crate::auth::bearer(&headers).ok().flatten().unwrap_or_default();
        if !bool::from(presented.as_bytes().ct_eq(token.expose_secret().as_bytes())) {
            return ApiError::unauthorized("`/metrics` needs the SIDECHAT_METRICS_TOKEN as a bearer token")
                .into_response();
        }
    } else if !access.open {
        return crate::web::not_found().await;
    }
    text(&state.metrics)
}

fn text(metrics: &Metrics) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], metrics.render()).into_response()
}
