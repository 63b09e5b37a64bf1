//! `POST /api/v1/uploads` through `XMLHttpRequest`, the one browser API that reports upload progress.

use std::rc::Rc;

use sidechat_domain::wire::{ErrorBody, Upload, UploadResponse};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{FormData, ProgressEvent, XmlHttpRequest};

use super::{RelayError, error_of, json};

/// Sends `file` as the multipart field `file`, reporting progress from 0 to 1, and reads the relay's answer.
pub(super) async fn post(
    url: &str,
    credential: &str,
    file: &web_sys::Blob,
    name: &str,
    progress: Rc<dyn Fn(f64)>,
) -> Result<Upload, RelayError> {
    let request = XmlHttpRequest::new().map_err(|_| RelayError::Unreachable)?;
    let form = FormData::new().map_err(|_| RelayError::Unreachable)?;
    form.append_with_blob_and_filename("file", file, name).map_err(|_| RelayError::Unreachable)?;
    request.open("POST", url).map_err(|_| RelayError::Unreachable)?;
    request
        .set_request_header("Authorization", &format!("Bearer {credential}"))
        .map_err(|_| RelayError::Unreachable)?;

    let on_progress = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress(event.loaded() / event.total());
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, _| {
        request.set_onloadend(Some(&resolve));
    });
    request.send_with_opt_form_data(Some(&form)).map_err(|_| RelayError::Unreachable)?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(on_progress);

    let status = request.status().unwrap_or(0);
    if status == 0 {
        return Err(RelayError::Unreachable);
    }
    let text = request.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        return json::parse::<UploadResponse>(&text).map(|answer| answer.upload).ok_or(RelayError::Unexpected(status));
    }
    Err(error_of(status, json::parse::<ErrorBody>(&text)))
}
