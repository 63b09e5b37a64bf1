//! The WhatsApp providers, one file each. Their wire formats stop here: the rest of the relay sees senders,
//! outgoing messages, and what became of a send.

pub mod cloud;
pub mod sandbox;
pub mod timelines;

use std::time::Duration;

use sidechat_domain::wire::{DeliveryStatus, Sender, Template, TemplateSend};

use crate::files::Files;
use crate::store::{AttachmentMeta, MessageRow};

/// A message to hand to a provider.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The stored message (sender, recipient, body).
    pub message: MessageRow,
    /// Its files, opened when the provider uploads them.
    pub attachments: Vec<OutgoingFile>,
    /// The approved template, for a send outside the window.
    pub template: Option<TemplateSend>,
}

/// A file to send: its description, and where its bytes are read from, as a stream, when it is uploaded.
#[derive(Debug, Clone)]
pub struct OutgoingFile {
    /// Name, size, type.
    pub meta: AttachmentMeta,
    source: FileSource,
}

#[derive(Debug, Clone)]
enum FileSource {
    /// In the file store.
    Files(Files, object_store::path::Path),
    /// In memory (a file an earlier release kept in the database, not moved out yet).
    Bytes(bytes::Bytes),
}

impl OutgoingFile {
    /// A file in the file store, under `key`.
    pub fn in_files(meta: AttachmentMeta, files: Files, key: object_store::path::Path) -> Self {
        Self { meta, source: FileSource::Files(files, key) }
    }

    /// A file whose bytes are at hand.
    pub fn bytes(meta: AttachmentMeta, data: Vec<u8>) -> Self {
        Self { meta, source: FileSource::Bytes(data.into()) }
    }

    /// The file as a multipart part of type `mime`, its bytes streamed from where they are kept.
    pub async fn part(&self, mime: &str) -> Result<reqwest::multipart::Part, SendError> {
        let part = match &self.source {
            FileSource::Bytes(data) => reqwest::multipart::Part::stream_with_length(data.clone(), data.len() as u64),
            FileSource::Files(files, key) => {
                let opened = files.open(key).await.map_err(|error| match error {
                    object_store::Error::NotFound { .. } => SendError::Permanent {
                        code: "attachment_missing".to_owned(),
                        message: format!("the file {} is no longer stored", self.meta.name),
                    },
                    other => SendError::Retryable {
                        reason: format!("reading the file {} from the file store: {other}", self.meta.name),
                        retry_after: None,
                    },
                })?;
                reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(opened.bytes), opened.size)
            }
        };
        part.file_name(self.meta.name.clone())
            .mime_str(mime)
            .map_err(|e| SendError::Permanent { code: "unsupported_attachment".to_owned(), message: e.to_string() })
    }
}

/// Why a send did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The provider refused for now (throttling, 429): safe to try again later.
    Retryable {
        /// What it said.
        reason: String,
        /// When it asked to be called again, if it said.
        retry_after: Option<Duration>,
    },
    /// No answer (timeout, 5xx, broken connection): the message may or may not have gone out.
    Unknown {
        /// What happened.
        reason: String,
    },
    /// The provider refused for good.
    Permanent {
        /// Its code, as a string (`"131026"`).
        code: String,
        /// Its words.
        message: String,
    },
}

impl SendError {
    /// The same failure of a call that cannot have sent the message (a file upload before the send): an unknown
    /// outcome there is only a reason to try again.
    pub fn not_sent(self) -> Self {
        match self {
            Self::Unknown { reason } => Self::Retryable { reason, retry_after: None },
            other => other,
        }
    }
}

/// An error with its causes, `outer: inner: …` (reqwest's own text leaves the causes out).
pub fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The provider in use.
pub enum Provider {
    /// The built-in counterpart.
    Sandbox(sandbox::Sandbox),
    /// Meta's Cloud API.
    Cloud(cloud::Cloud),
    /// TimelinesAI (WhatsApp Web numbers).
    Timelines(timelines::Timelines),
}

impl Provider {
    /// Which provider this is.
    pub fn kind(&self) -> sidechat_domain::Provider {
        match self {
            Self::Sandbox(_) => sidechat_domain::Provider::Sandbox,
            Self::Cloud(_) => sidechat_domain::Provider::Cloud,
            Self::Timelines(_) => sidechat_domain::Provider::Timelines,
        }
    }

    /// The connected sender numbers.
    pub async fn senders(&self) -> anyhow::Result<Vec<Sender>> {
        match self {
            Self::Sandbox(sandbox) => Ok(sandbox.senders()),
            Self::Cloud(cloud) => Ok(cloud.senders()),
            Self::Timelines(timelines) => timelines.senders().await,
        }
    }

    /// Sends one message; returns the provider's id for it.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<String, SendError> {
        match self {
            Self::Sandbox(sandbox) => sandbox.send(outgoing).await,
            Self::Cloud(cloud) => cloud.send(outgoing).await,
            Self::Timelines(timelines) => timelines.send(outgoing).await,
        }
    }

    /// After a send with an unknown outcome: what the provider shows that may be this message, where it lets us
    /// look ([`pick_sent`] chooses). Empty means it did not go out, or that the provider cannot tell.
    pub async fn find_sent(&self, outgoing: &Outgoing) -> anyhow::Result<Vec<SentCandidate>> {
        match self {
            // Neither lets us look up what was sent: an unknown outcome is sent again.
            Self::Sandbox(_) | Self::Cloud(_) => Ok(Vec::new()),
            Self::Timelines(timelines) => timelines.find_sent(outgoing).await,
        }
    }

    /// How often delivery statuses must be polled, for providers that report none by webhook.
    pub fn status_poll_interval(&self) -> Option<Duration> {
        match self {
            Self::Sandbox(_) | Self::Cloud(_) => None,
            Self::Timelines(timelines) => Some(timelines.poll_interval()),
        }
    }

    /// The provider's current status for one of its message ids, where it can be asked.
    pub async fn status(&self, provider_id: &str) -> anyhow::Result<Option<DeliveryStatus>> {
        match self {
            Self::Sandbox(_) | Self::Cloud(_) => Ok(None),
            Self::Timelines(timelines) => timelines.status(provider_id).await,
        }
    }

    /// The provider's approved templates (empty for providers without any).
    pub async fn templates(&self) -> anyhow::Result<Vec<Template>> {
        match self {
            Self::Sandbox(sandbox) => Ok(sandbox.templates()),
            Self::Cloud(cloud) => cloud.templates().await,
            Self::Timelines(_) => Ok(Vec::new()),
        }
    }
}

/// A message the provider shows as sent that may be the one whose earlier attempt's outcome is unknown: the same
/// text and file from the same number to the same customer, since shortly before it was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCandidate {
    /// The provider's id for it.
    pub uid: String,
    /// When the provider says it was sent (ms).
    pub at: i64,
}

/// Which candidate is the message accepted at `accepted_at` (ms): none the log already holds (an earlier message
/// with the same text), and of the rest the closest after acceptance (then the closest before it, for clocks that
/// differ).
pub fn pick_sent(candidates: Vec<SentCandidate>, accepted_at: i64, known: impl Fn(&str) -> bool) -> Option<String> {
    candidates
        .into_iter()
        .filter(|candidate| !known(&candidate.uid))
        .min_by_key(|candidate| (candidate.at < accepted_at, (candidate.at - accepted_at).abs()))
        .map(|candidate| candidate.uid)
}

/// Why a provider did not accept a new connection's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It answered no: its error code, if it gave one, and its words.
    Refused {
        /// The provider's error code (Graph's `error.code`), or the HTTP status.
        code: Option<i64>,
        /// What it said.
        message: String,
    },
    /// It did not answer.
    Unreachable(String),
}

/// A `Retry-After` header in seconds, if the provider sent one.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uid: &str, at: i64) -> SentCandidate {
        SentCandidate { uid: uid.to_owned(), at }
    }

    #[test]
    fn the_candidate_closest_after_acceptance_that_the_log_does_not_hold_is_picked() {
        let candidates = vec![at("earlier-same-text", 1_000), at("late", 9_000), at("this-one", 5_500)];
        let known = |uid: &str| uid == "earlier-same-text";
        assert_eq!(pick_sent(candidates.clone(), 5_000, known).as_deref(), Some("this-one"));
        // Without the log's knowledge the earlier message would have been taken for this one.
        assert_eq!(pick_sent(candidates.clone(), 900, |_| false).as_deref(), Some("earlier-same-text"));
        // Only entries the log holds: it did not go out.
        assert_eq!(pick_sent(vec![at("earlier-same-text", 4_990)], 5_000, known), None);
        // Before acceptance (clock skew) only when nothing is after it.
        assert_eq!(
            pick_sent(vec![at("skewed", 4_000), at("after", 20_000)], 5_000, |_| false).as_deref(),
            Some("after")
        );
        assert_eq!(pick_sent(vec![at("skewed", 4_000)], 5_000, |_| false).as_deref(), Some("skewed"));
    }
}
