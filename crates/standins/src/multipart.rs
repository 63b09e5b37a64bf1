//! The parts of a `multipart/form-data` upload, as Graph's and TimelinesAI's upload endpoints receive them.

use axum::body::Bytes;
use axum::http::HeaderMap;

/// One part of an upload.
pub(crate) struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's declared content type.
    pub mime: Option<String>,
    /// Its bytes.
    pub data: Bytes,
}

impl Part {
    /// The part's bytes as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The parts of `body`, in order; reading stops at the first malformed part.
pub(crate) async fn parts(headers: &HeaderMap, body: Bytes) -> Vec<Part> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default().to_owned();
    let mut multipart =
        multer::Multipart::new(futures::stream::once(async move { Ok::<_, std::io::Error>(body) }), boundary);
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let mime = field.content_type().map(|m| m.to_string());
        let Ok(data) = field.bytes().await else { break };
        parts.push(Part { name, file_name, mime, data });
    }
    parts
}
