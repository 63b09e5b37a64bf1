//! A Pipedrive file fetched into the store, for a send with `{"record_file": id}` and the `record` it belongs to:
//! the file must be among that record's files as the calling user's token lists them.

use sidechat_domain::Provider;
use sidechat_domain::attachment::{self, MAX_ATTACHMENT_BYTES, mime_from_name};
use sidechat_domain::wire::{RecordKind, RecordRef};

use super::PipedriveError;
use super::record::files;
use super::session::Session;
use super::shapes::{V1File, parse_id};
use crate::AppState;
use crate::auth::Caller;
use crate::store::{AttachmentMeta, StoredAttachment};

/// Downloads a file of the caller's company and stores it; a file the provider would refuse (by its listed name
/// and size) is refused before downloading.
pub async fn fetch_file(
    state: &AppState,
    caller: &Caller,
    record: &RecordRef,
    file_id: &str,
    provider: Provider,
) -> Result<AttachmentMeta, PipedriveError> {
    let id = parse_id(file_id, "record file")?;
    let session = Session::open(state, &caller.workspace, &caller.user).await?;
    let (module, noun) = match record.kind {
        RecordKind::Person => ("persons", "person"),
        RecordKind::Deal => ("deals", "deal"),
    };
    let record_id = parse_id(&record.id, noun)?;
    let listed = files(&session, module, record_id).await?;
    if !listed.iter().any(|file| file.id == id.to_string()) {
        return Err(PipedriveError::NotFound("record file"));
    }
    let file: V1File = session.get(&format!("/api/v1/files/{id}"), "record file").await?;
    if file.active_flag == Some(false) {
        return Err(PipedriveError::NotFound("record file"));
    }
    if let Some(size) = file.file_size.filter(|size| *size > MAX_ATTACHMENT_BYTES) {
        return Err(PipedriveError::TooLarge(size));
    }
    let name = file.display_name();
    if let Some(size) = file.file_size {
        attachment::check(provider, &name, None, size)
            .map_err(|error| PipedriveError::Unsendable { name: name.clone(), error })?;
    }
    let response = session.send(&format!("/api/v1/files/{id}/download"), "record file").await?;
    let data = read_limited(response, id).await?;
    let meta = AttachmentMeta {
        id: uuid::Uuid::now_v7().to_string(),
        mime: mime_from_name(&name).to_owned(),
        size: i64::try_from(data.len()).unwrap_or(i64::MAX),
        name,
    };
    let now = jiff::Timestamp::now().as_millisecond();
    state.store.insert_attachment(&caller.workspace, &StoredAttachment { meta: meta.clone(), data }, now).await?;
    Ok(meta)
}

/// The body, stopping as soon as it passes the limit (the listed size may be wrong).
async fn read_limited(mut response: reqwest::Response, id: u64) -> Result<Vec<u8>, PipedriveError> {
    if let Some(length) = response.content_length().filter(|length| *length > MAX_ATTACHMENT_BYTES) {
        return Err(PipedriveError::TooLarge(length));
    }
    let what = || format!("GET /api/v1/files/{id}/download");
    let mut data = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|source| PipedriveError::Unreachable { what: what(), source })?
    {
        data.extend_from_slice(&chunk);
        if data.len() as u64 > MAX_ATTACHMENT_BYTES {
            return Err(PipedriveError::TooLarge(data.len() as u64));
        }
    }
    Ok(data)
}
