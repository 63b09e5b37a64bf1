//! `POST /api/v1/uploads`: one file for a later send (Zoho record files and local files travel this way),
//! streamed into the file store as it arrives; at most `SIDECHAT_MAX_UPLOADS` at once (503 `busy` with
//! `Retry-After` past it). An upload no message takes is removed after a day.
//! `GET /api/v1/attachments/{id}?w=…&expires=…&sig=…`: a file's bytes through its capability URL (see
//! `signing`), streamed, for `<img>` and downloads, cached by the browser for a day.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sidechat_domain::attachment::{MAX_ATTACHMENT_BYTES, megabytes, mime_from_name};
use sidechat_domain::wire::{ErrorCode, Upload, UploadResponse};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::files::{Files, PutError};
use crate::signing::SignedLink;
use crate::store::{AttachmentMeta, Bytes};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/uploads",
            // Room for the multipart framing around the largest file.
            post(upload_file).layer(DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES as usize + 64 * 1024)),
        )
        .route("/api/v1/attachments/{id}", get(download_attachment))
}

async fn upload_file(
    caller: Caller,
    State(state): State<AppState>,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<UploadResponse>)> {
    state.send_limit.check(&caller.workspace, state.ingest.clock.millis()).await?;
    // Held until the file is stored: the bytes in flight stay bounded.
    let _slot = state.uploads.clone().try_acquire_owned().map_err(|_| {
        ApiError::new(ErrorCode::Busy, "the relay is receiving as many files as it takes at once: try again shortly")
    })?;
    let mut stored: Option<AttachmentMeta> = None;
    while let Some(field) = form.next_field().await.map_err(|e| ApiError::invalid(format!("unreadable upload: {e}")))? {
        let Some(name) = field.file_name().map(clean_name) else { continue };
        if let Some(first) = &stored {
            // The first file is kept by no message: it goes.
            let _ = state.ingest.files.delete(&Files::key(&caller.workspace, &first.id)).await;
            return Err(ApiError::invalid("send one file per upload"));
        }
        let mime = field
            .content_type()
            .map(str::to_owned)
            .filter(|m| !m.is_empty() && m != "application/octet-stream")
            .unwrap_or_else(|| mime_from_name(&name).to_owned());
        let id = uuid::Uuid::now_v7().to_string();
        let key = Files::key(&caller.workspace, &id);
        let size = state.ingest.files.put(&key, field, MAX_ATTACHMENT_BYTES).await.map_err(|error| match error {
            PutError::TooLarge(_) => too_large(),
            PutError::Read(error) => too_large_or_invalid(&error.body_text()),
            PutError::Store(error) => ApiError::Internal(anyhow::Error::new(error).context("writing an upload")),
        })?;
        if size == 0 {
            let _ = state.ingest.files.delete(&key).await;
            return Err(ApiError::new(ErrorCode::UnsupportedAttachment, format!("{name}: the file is empty")));
        }
        stored = Some(AttachmentMeta { id, name, size: size as i64, mime });
    }
    let meta =
        stored.ok_or_else(|| ApiError::invalid("the upload holds no file (a multipart field with a file name)"))?;
    state.store.insert_attachment(&caller.workspace, &meta, None, state.ingest.clock.millis()).await?;
    let upload = Upload { id: meta.id, name: meta.name, size: meta.size as u64, mime: meta.mime };
    Ok((StatusCode::CREATED, Json(UploadResponse { upload })))
}

fn too_large() -> ApiError {
    ApiError::new(ErrorCode::AttachmentTooLarge, format!("files may be at most {}", megabytes(MAX_ATTACHMENT_BYTES)))
}

fn too_large_or_invalid(reason: &str) -> ApiError {
    if reason.to_ascii_lowercase().contains("length limit") {
        too_large()
    } else {
        ApiError::invalid(format!("unreadable upload: {reason}"))
    }
}

/// A file name without any path, control characters or quotes, at most 200 characters.
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = base.chars().filter(|c| !c.is_control() && *c != '"').take(200).collect();
    if name.trim().is_empty() { "file".to_owned() } else { name.trim().to_owned() }
}

#[derive(Deserialize)]
struct Signed {
    w: Option<String>,
    expires: Option<i64>,
    sig: Option<String>,
}

async fn download_attachment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(signed): Query<Signed>,
) -> ApiResult<Response> {
    let now = jiff::Timestamp::now().as_second();
    let (Some(workspace), Some(expires), Some(signature)) = (signed.w, signed.expires, signed.sig) else {
        return Err(ApiError::unauthorized("this link is not signed"));
    };
    let link = SignedLink { workspace: &workspace, id: &id, expires, signature: &signature };
    let workspace =
        state.signer.verify(&link, now).ok_or_else(|| ApiError::unauthorized("this link is forged or has expired"))?;
    let (meta, bytes) =
        state.store.attachment(&workspace, &id).await?.ok_or_else(|| ApiError::not_found("attachment"))?;
    let mut response = match bytes {
        Bytes::Database(data) => data.into_response(),
        Bytes::Files => {
            let opened = state.ingest.files.open(&Files::key(&workspace, &id)).await.map_err(|error| match error {
                object_store::Error::NotFound { .. } => ApiError::not_found("attachment"),
                other => ApiError::Internal(anyhow::Error::new(other).context("reading a stored file")),
            })?;
            let mut response = axum::body::Body::from_stream(opened.bytes).into_response();
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(opened.size));
            response
        }
        Bytes::Pending => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "the file is still being fetched from WhatsApp: try again in a moment",
            ));
        }
    };
    let file = meta;
    let disposition = if file.mime.starts_with("image/") { "inline" } else { "attachment" };
    let filename = urlencoding::encode(&file.name).into_owned();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&file.mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    // The link names one file's fixed bytes and changes once a day: the browser may keep the file that long.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400, immutable"));
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename*=UTF-8''{filename}")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
