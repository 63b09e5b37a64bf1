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
use crate::files::{Files, PutError};
use crate::store::AttachmentMeta;

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
    if let Some(length) = response.content_length().filter(|length| *length > MAX_ATTACHMENT_BYTES) {
        return Err(PipedriveError::TooLarge(length));
    }
    // Streamed into the file store, stopping as soon as it passes the limit (the listed size may be wrong).
    let attachment_id = uuid::Uuid::now_v7().to_string();
    let key = Files::key(&caller.workspace, &attachment_id);
    let size =
        state.ingest.files.put(&key, response.bytes_stream(), MAX_ATTACHMENT_BYTES).await.map_err(
            |error| match error {
                PutError::TooLarge(size) => PipedriveError::TooLarge(size),
                PutError::Read(source) => {
                    PipedriveError::Unreachable { what: format!("GET /api/v1/files/{id}/download"), source }
                }
                PutError::Store(error) => PipedriveError::Files(error),
            },
        )?;
    let meta = AttachmentMeta {
        id: attachment_id,
        mime: mime_from_name(&name).to_owned(),
        size: i64::try_from(size).unwrap_or(i64::MAX),
        name,
    };
    state.store.insert_attachment(&caller.workspace, &meta, None, state.ingest.clock.millis()).await?;
    Ok(meta)
}
