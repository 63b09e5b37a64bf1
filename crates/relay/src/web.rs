//! HTTP plumbing shared by the routes: CORS for browser callers, request counting, the JSON 404.

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
