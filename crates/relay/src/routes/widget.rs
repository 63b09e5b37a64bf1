//! `GET /widget/…`: the built widget, with a strict Content-Security-Policy and no referrer.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Redirect;
use axum::routing::get;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::config::Config;

/// The widget's policy: its own scripts and WebAssembly only, calls to the relay only, and framing only by the
/// configured CRM origins (`SIDECHAT_FRAME_ANCESTORS`).
pub fn content_security_policy(config: &Config) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self' {}",
        config.frame_ancestors.join(" ")
    )
}

/// The widget's files under `/widget/`, and `/` sending people there.
pub fn router(config: &Config) -> Router<AppState> {
    let csp = HeaderValue::from_str(&content_security_policy(config))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let files = Router::new()
        // `cargo xtask build` writes a gzip -9 copy beside each file.
        .fallback_service(ServeDir::new(&config.widget_dir).precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, csp))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        // The panel's URL carries Pipedrive's token: no request it makes may pass that URL on.
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")));
    Router::new().nest_service("/widget", files).route("/", get(|| async { Redirect::temporary("/widget/") }))
}
