//! The parts of a `multipart/form-data` upload, as Graph's and TimelinesAI's upload endpoints receive them. A
//! file part is counted as it streams in, not kept: the stand-ins take uploads of up to 100 MB, and tests send
//! several at once.

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;

use crate::assumptions::MAX_UPLOAD_BYTES;

/// The upload carried more than [`MAX_UPLOAD_BYTES`].
pub(crate) struct TooLarge;

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

/// The parts of `body`, in order; reading stops at the first malformed part. An upload past [`MAX_UPLOAD_BYTES`]
/// is [`TooLarge`].
pub(crate) async fn parts(headers: &HeaderMap, body: Body) -> Result<Vec<Part>, TooLarge> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let boundary = content_type.split("boundary=").nth(1).unwrap_or_default().to_owned();
    let constraints = multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(MAX_UPLOAD_BYTES));
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let too_large = |error: &multer::Error| matches!(error, multer::Error::StreamSizeExceeded { .. });
    let mut parts = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if too_large(&error) => return Err(TooLarge),
            Err(_) => break,
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let mime = field.content_type().map(|m| m.to_string());
        let (data, size) = if file_name.is_some() {
            let mut size = 0;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => size += chunk.len(),
                    Ok(None) => break,
                    Err(error) if too_large(&error) => return Err(TooLarge),
                    Err(_) => return Ok(parts),
                }
            }
            (Bytes::new(), size)
        } else {
            match field.bytes().await {
                Ok(data) => {
                    let size = data.len();
                    (data, size)
                }
                Err(error) if too_large(&error) => return Err(TooLarge),
                Err(_) => break,
            }
        };
        parts.push(Part { name, file_name, mime, data, size });
    }
    Ok(parts)
}
