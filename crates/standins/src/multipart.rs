//! The parts of a `multipart/form-data` upload, as Graph's and TimelinesAI's upload endpoints receive them. A
//! file part is counted as it streams in, not kept: the stand-ins take uploads of up to 100 MB, and tests send
//! several at once.

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;

/// The most an upload may carry: both services take files of up to 100 MB.
const MAX_UPLOAD: usize = 101 * 1024 * 1024;

/// One part of an upload.
pub(crate) struct Part {
    /// The form field's name.
    pub name: String,
    /// The file name, for a file part.
    pub file_name: Option<String>,
    /// The part's declared content type.
    pub mime: Option<String>,
    /// Its bytes, for a part that is not a file.
    pub data: Bytes,
    /// How many bytes it had.
    pub size: usize,
}

impl Part {
    /// The part's bytes as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// The parts of `body`, in order; reading stops at the first malformed part, or past [`MAX_UPLOAD`] bytes.
pub(crate) async fn parts(headers: &HeaderMap, body: Body) -> Vec<Part> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default().to_owned();
    let constraints = multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(MAX_UPLOAD as u64));
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut parts = Vec::new();
    while let Ok(Some(mut field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let mime = field.content_type().map(|m| m.to_string());
        let (data, size) = if file_name.is_some() {
            let mut size = 0;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => size += chunk.len(),
                    Ok(None) => break,
                    Err(_) => return parts,
                }
            }
            (Bytes::new(), size)
        } else {
            let Ok(data) = field.bytes().await else { break };
            let size = data.len();
            (data, size)
        };
        parts.push(Part { name, file_name, mime, data, size });
    }
    parts
}
