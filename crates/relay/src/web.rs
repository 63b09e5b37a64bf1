//! HTTP plumbing shared by the routes: CORS for browser callers, request counting, request ids and spans, the
//! time limit on requests, the JSON 404.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sidechat_domain::wire::ErrorCode;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::AppState;
use crate::config::Config;
use crate::error::ApiError;

/// Whether an origin matches a pattern: exact, or `https://*.example.com` for any subdomain.
pub fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once("://*.") {
        Some((scheme, domain)) => origin
            .strip_prefix(scheme)
            .and_then(|rest| rest.strip_prefix("://"))
            .and_then(|host| host.strip_suffix(domain))
            .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1 && !sub.contains('/')),
        None => pattern == origin,
    }
}

/// CORS for `/api/v1`: the configured origins may call with a bearer credential.
pub fn cors(config: &Config) -> CorsLayer {
    let patterns = config.cors_origins.clone();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|origin| patterns.iter().any(|p| origin_matches(p, origin)))
        }))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, "idempotency-key".parse().expect("a header name")])
        .max_age(std::time::Duration::from_secs(600))
}

/// Counts each request by method, route and status.
pub async fn count_requests(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let response = next.run(request).await;
    state.metrics.request(&method, &route, response.status().as_u16());
    response
}

/// Ends a request that takes longer than `SIDECHAT_REQUEST_TIMEOUT_MS` with 503 `timeout`; the event stream and
/// uploads (which last as long as the panel stays open, or the file takes) are not limited.
pub async fn time_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let unlimited = matches!(route.as_deref(), Some("/api/v1/events" | "/api/v1/uploads"));
    if unlimited {
        return next.run(request).await;
    }
    let limit = state.config.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                route = route.as_deref().unwrap_or("unmatched"),
                limit_ms = limit.as_millis() as u64,
                "a request took too long"
            );
            ApiError::new(
                ErrorCode::Timeout,
                format!("the request took longer than {} ms: try again", limit.as_millis()),
            )
            .into_response()
        }
    }
}

/// The span of one request: its id (`x-request-id`, made here when the caller sent none), method and route
/// pattern (never the path itself, which may hold a webhook's secret, nor the query).
pub fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str());
    tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
}

/// Unknown paths answer with the JSON error body too.
pub async fn not_found() -> Response {
    ApiError::new(ErrorCode::NotFound, "no such endpoint").into_response()
}

#[cfg(test)]
mod tests {
    use super::origin_matches;

    #[test]
    fn origin_patterns() {
        let cases: &[(&str, &str, bool)] = &[
            ("https://*.pipedrive.com", "https://acme.pipedrive.com", true),
            ("https://*.pipedrive.com", "https://a.b.pipedrive.com", true),
            ("https://*.pipedrive.com", "https://pipedrive.com", false),
            ("https://*.pipedrive.com", "https://evilpipedrive.com", false),
            ("https://*.pipedrive.com", "http://acme.pipedrive.com", false),
            ("https://*.pipedrive.com", "https://acme.pipedrive.com.evil.io", false),
            ("https://crm.zoho.eu", "https://crm.zoho.eu", true),
            ("https://crm.zoho.eu", "https://crm.zoho.com", false),
        ];
        for (pattern, origin, expected) in cases {
            assert_eq!(origin_matches(pattern, origin), *expected, "{pattern} vs {origin}");
        }
    }
}
