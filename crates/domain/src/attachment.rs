//! What each provider accepts as an attachment, by kind and size, checked before anything is uploaded.
//!
//! Limits are in decimal megabytes (5 MB = 5,000,000 bytes), as the providers state them: Sidechat refuses a
//! file rather than let the provider fail on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::provider::Provider;

/// The kinds of media WhatsApp distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// Pictures shown inline.
    Image,
    /// Sound and voice notes.
    Audio,
    /// Moving pictures.
    Video,
    /// Any file sent as a file.
    Document,
    /// WebP stickers (Cloud API).
    Sticker,
}

impl MediaKind {
    /// The kind's name for people, in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Video => "video",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }
}

/// A file that a provider will accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// How the provider will send it.
    pub kind: MediaKind,
    /// The MIME type to declare, from the file or inferred from its name.
    pub mime: String,
}

/// Why a provider would refuse a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// Larger than the provider takes for its kind.
    #[error("{kind} files may be at most {} on {provider} (this one is {})", megabytes(*limit), megabytes(*size), kind = kind.noun())]
    TooLarge {
        /// The provider that would refuse it.
        provider: Provider,
        /// The file's kind.
        kind: MediaKind,
        /// The most bytes the provider takes for that kind.
        limit: u64,
        /// The file's size in bytes.
        size: u64,
    },
    /// A type the provider does not send.
    #[error("{provider} cannot send {mime} files")]
    Unsupported {
        /// The provider that would refuse it.
        provider: Provider,
        /// The file's type.
        mime: String,
    },
    /// A file with nothing in it.
    #[error("the file is empty")]
    Empty,
}

const MB: u64 = 1_000_000;
const KB: u64 = 1_000;

/// Checks a file against a provider's rules, from its name, its MIME type if known, and its size.
pub fn check(provider: Provider, name: &str, mime: Option<&str>, size: u64) -> Result<Accepted, AttachmentError> {
    if size == 0 {
        return Err(AttachmentError::Empty);
    }
    let mime = mime
        .map(|m| m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty() && m != "application/octet-stream")
        .unwrap_or_else(|| mime_from_name(name).to_owned());
    let (kind, limit) =
        rule(provider, &mime).ok_or_else(|| AttachmentError::Unsupported { provider, mime: mime.clone() })?;
    if size > limit {
        return Err(AttachmentError::TooLarge { provider, kind, limit, size });
    }
    Ok(Accepted { kind, mime })
}

/// The largest file any provider takes: what the relay accepts as an upload.
pub const MAX_ATTACHMENT_BYTES: u64 = 100 * MB;

/// The kind a provider sends a MIME type as, and its size limit; `None` where it does not send the type.
fn rule(provider: Provider, mime: &str) -> Option<(MediaKind, u64)> {
    use MediaKind::*;
    match provider {
        // Meta's table: images jpeg/png 5 MB; audio aac/amr/mp3/m4a/ogg 16 MB; video mp4/3gp 16 MB; documents
        // txt/pdf/office 100 MB; stickers webp 100 KB (static; 500 KB animated, which a name cannot tell).
        Provider::Cloud | Provider::Sandbox => match mime {
            "image/jpeg" | "image/png" => Some((Image, 5 * MB)),
            "image/webp" => Some((Sticker, 100 * KB)),
            "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => Some((Audio, 16 * MB)),
            "video/mp4" | "video/3gpp" => Some((Video, 16 * MB)),
            m if CLOUD_DOCUMENTS.contains(&m) => Some((Document, 100 * MB)),
            _ => None,
        },
        // TimelinesAI's table: images jpg/png/gif/webp 16 MB; audio mp3/ogg/aac 16 MB; video mp4/3gp 16 MB;
        // documents 100 MB (WhatsApp Web sends any other file as a document).
        Provider::Timelines => match mime {
            "image/jpeg" | "image/png" | "image/gif" | "image/webp" => Some((Image, 16 * MB)),
            "audio/mpeg" | "audio/ogg" | "audio/aac" => Some((Audio, 16 * MB)),
            "video/mp4" | "video/3gpp" => Some((Video, 16 * MB)),
            _ => Some((Document, 100 * MB)),
        },
    }
}

/// The document types the Cloud API sends.
const CLOUD_DOCUMENTS: &[&str] = &[
    "text/plain",
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The MIME type of a file from its name, for the types WhatsApp distinguishes (Pipedrive's files carry none).
pub fn mime_from_name(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "aac" => "audio/aac",
        "amr" => "audio/amr",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "mp4" => "video/mp4",
        "3gp" => "video/3gpp",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A size for people, in decimal units (`5 MB`, `100 KB`, `6.2 MB`).
pub fn megabytes(bytes: u64) -> impl fmt::Display {
    struct Size(u64);
    impl fmt::Display for Size {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let (unit, name) = if self.0 >= MB {
                (MB, "MB")
            } else if self.0 >= KB {
                (KB, "KB")
            } else {
                (1, "bytes")
            };
            let tenths = self.0 * 10 / unit;
            if tenths.is_multiple_of(10) {
                write!(f, "{} {name}", tenths / 10)
            } else {
                write!(f, "{}.{} {name}", tenths / 10, tenths % 10)
            }
        }
    }
    Size(bytes)
}

#[cfg(test)]
mod tests;
