//! What talking to Pipedrive can fail with, and how each failure reaches the caller.

use sidechat_domain::attachment::{self, MAX_ATTACHMENT_BYTES};
use sidechat_domain::wire::ErrorCode;

use crate::error::ApiError;

/// A failed exchange with Pipedrive.
#[derive(Debug, thiserror::Error)]
pub enum PipedriveError {
    /// The relay has no Pipedrive app settings.
    #[error("the relay does not serve Pipedrive")]
    NotConfigured,
    /// The company's installation holds no usable tokens.
    /// The calling user has not connected their Pipedrive account (no tokens, or tokens that no longer open).
    #[error("the user has not connected their Pipedrive account")]
    UserNotConnected,
    /// Pipedrive refused the authorization code, the refresh token or the access token.
    #[error("Pipedrive refused the credentials ({0})")]
    Refused(String),
    /// The company is not on `PIPEDRIVE_COMPANY_IDS`.
    #[error("company {0} may not install Sidechat")]
    CompanyNotAllowed(String),
    /// No such record or file.
    #[error("Pipedrive has no such {0}")]
    NotFound(&'static str),
    /// A file larger than any provider sends.
    #[error("the file has {0} bytes")]
    TooLarge(u64),
    /// A file the sender's provider would refuse.
    #[error("{name}: {error}")]
    Unsendable {
        /// The file's name.
        name: String,
        /// Why the provider would refuse it.
        error: attachment::AttachmentError,
    },
    /// Pipedrive answered with an unexpected status.
    #[error("Pipedrive answered {status} to {what}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The request.
        what: String,
    },
    /// Pipedrive did not answer.
    #[error("Pipedrive did not answer {what}")]
    Unreachable {
        /// The request.
        what: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// Pipedrive's answer is not what its documentation describes.
    #[error("unexpected answer to {what}: {problem}")]
    Malformed {
        /// The request.
        what: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The store failed.
    #[error("database")]
    Store(#[from] sqlx::Error),
    /// The file store failed.
    #[error("file store")]
    Files(#[source] object_store::Error),
}

impl From<PipedriveError> for ApiError {
    fn from(error: PipedriveError) -> Self {
        match error {
            PipedriveError::NotConfigured => ApiError::not_found("Pipedrive installation"),
            PipedriveError::UserNotConnected | PipedriveError::Refused(_) => {
                tracing::info!(error = format!("{error:#}"), "pipedrive user not connected");
                ApiError::not_connected_user(
                    "connect your Pipedrive account to Sidechat to read records and files",
                    None,
                )
            }
            PipedriveError::CompanyNotAllowed(_) => {
                ApiError::new(ErrorCode::NotInstalled, "this Pipedrive company may not install Sidechat")
            }
            PipedriveError::NotFound(what) => ApiError::not_found(what),
            PipedriveError::TooLarge(size) => ApiError::new(
                ErrorCode::AttachmentTooLarge,
                format!(
                    "the file has {}, more than the {} any provider sends",
                    attachment::megabytes(size),
                    attachment::megabytes(MAX_ATTACHMENT_BYTES)
                ),
            ),
            PipedriveError::Status { .. } | PipedriveError::Unreachable { .. } | PipedriveError::Malformed { .. } => {
                tracing::warn!(error = format!("{:#}", anyhow::Error::new(error)), "pipedrive call failed");
                ApiError::new(ErrorCode::ProviderUnavailable, "Pipedrive did not answer as expected")
            }
            PipedriveError::Unsendable { name, error } => crate::error::attachment_refusal(&name, &error),
            PipedriveError::Store(error) => ApiError::from(error),
            PipedriveError::Files(error) => ApiError::Internal(anyhow::Error::new(error).context("file store")),
        }
    }
}
