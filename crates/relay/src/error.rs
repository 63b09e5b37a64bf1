//! The one error type handlers return, mapped once to `{"error":{"code","message"}}`.
//!
//! Client errors carry a code from the closed set and a message for people. Anything else is internal: logged
//! with its chain, answered as a bare 500 without details.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sidechat_domain::wire::{ErrorBody, ErrorCode};

/// What a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The caller's fault, or the provider's answer to a synchronous call: a code and a message for people.
    #[error("{code:?}: {message}")]
    Client {
        /// From the closed set.
        code: ErrorCode,
        /// For people.
        message: String,
        /// With `invalid_setting`: the field; with `not_connected_user`: where to connect.
        extra: Option<Box<Extra>>,
    },
    /// The relay's fault: logged, never echoed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What some error codes carry beside the message.
#[derive(Debug)]
pub struct Extra {
    /// The setting a request got wrong.
    pub field: Option<String>,
    /// Where the user connects their CRM account.
    pub connect_url: Option<String>,
}

impl ApiError {
    /// A client error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Client { code, message: message.into(), extra: None }
    }

    /// `invalid_request`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// `not_found`.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no such {what}"))
    }

    /// `invalid_setting` about one field of the request.
    pub fn invalid_setting(field: &str, message: impl Into<String>) -> Self {
        Self::about_field(ErrorCode::InvalidSetting, field, message)
    }

    /// A client error about one field of the request (`invalid_setting`, `connection_rejected`…).
    pub fn about_field(code: ErrorCode, field: &str, message: impl Into<String>) -> Self {
        let extra = Extra { field: Some(field.to_owned()), connect_url: None };
        Self::Client { code, message: message.into(), extra: Some(Box::new(extra)) }
    }

    /// `not_connected_user`, with where the user connects their CRM account.
    pub fn not_connected_user(message: impl Into<String>, connect_url: Option<String>) -> Self {
        let extra = Extra { field: None, connect_url };
        Self::Client { code: ErrorCode::NotConnectedUser, message: message.into(), extra: Some(Box::new(extra)) }
    }

    /// `forbidden`: the caller's role does not allow this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// Sets where a `not_connected_user` caller connects.
    pub fn with_connect_url(self, url: String) -> Self {
        match self {
            Self::Client { code: ErrorCode::NotConnectedUser, message, .. } => {
                Self::not_connected_user(message, Some(url))
            }
            other => other,
        }
    }

    /// `unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(error).context("database"))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Client { code, message, extra } => {
                let status = StatusCode::from_u16(code.status()).unwrap_or(StatusCode::BAD_REQUEST);
                let mut body = ErrorBody::new(code, message);
                if let Some(extra) = extra {
                    body.error.field = extra.field;
                    body.error.connect_url = extra.connect_url;
                }
                let mut response = (status, Json(body)).into_response();
                // When to try again: a busy relay in a few seconds, a rate limit within the second.
                let retry = match code {
                    ErrorCode::Busy => Some("5"),
                    ErrorCode::RateLimited => Some("1"),
                    _ => None,
                };
                if let Some(seconds) = retry {
                    response
                        .headers_mut()
                        .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static(seconds));
                }
                response
            }
            Self::Internal(error) => {
                tracing::error!(error = format!("{error:#}"), "internal error");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        }
    }
}

/// The answer to a file the provider would refuse: 413 for a file over its limit, 422 otherwise.
pub fn attachment_refusal(name: &str, error: &sidechat_domain::attachment::AttachmentError) -> ApiError {
    use sidechat_domain::attachment::AttachmentError;
    let code = match error {
        AttachmentError::TooLarge { .. } => ErrorCode::AttachmentTooLarge,
        AttachmentError::Unsupported { .. } | AttachmentError::Empty => ErrorCode::UnsupportedAttachment,
    };
    ApiError::new(code, format!("{name}: {error}"))
}

/// What handlers return.
pub type ApiResult<T> = Result<T, ApiError>;
