//! The file store's upkeep, in the background: files an earlier release kept in the database are moved out at
//! start; inbound media named by webhooks are fetched from the provider (never inside the webhook's request);
//! files whose rows were deleted are deleted; uploads no message took are removed after a day.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use sidechat_domain::attachment::MAX_ATTACHMENT_BYTES;

use super::{Files, PutError};
use crate::ingest::Ingest;
use crate::providers::Provider;
use crate::providers::cloud::MediaError;
use crate::store::PendingMedia;
use crate::whatsapp::WhatsApp;

/// How long an upload no message took is kept.
pub const UNSENT_KEPT: Duration = Duration::from_secs(24 * 3600);
/// How often deletions and unsent uploads are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(10);
/// How often pending inbound media are looked for, besides when a webhook names one.
const FETCH_EVERY: Duration = Duration::from_secs(5);
/// How long a fetch holds its file before another relay may try.
const FETCH_LEASE: Duration = Duration::from_secs(300);
/// The fetches tried before an inbound file is given up on.
const MAX_FETCHES: i64 = 8;

/// Runs the upkeep until `stop` is cancelled; `media` wakes the fetcher.
pub async fn run(files: Files, ingest: Ingest, whatsapp: Arc<WhatsApp>, media: Arc<Notify>, stop: CancellationToken) {
    let moving = move_out(&files, &ingest, &stop);
    let fetching = fetch_media(&files, &ingest, &whatsapp, &media, &stop);
    let sweeping = sweep(&files, &ingest, &stop);
    tokio::join!(moving, fetching, sweeping);
}

/// Moves the files an earlier release kept in the database to the file store, a few at a time.
async fn move_out(files: &Files, ingest: &Ingest, stop: &CancellationToken) {
    let store = &ingest.store;
    loop {
        if stop.is_cancelled() {
            return;
        }
        let batch = match store.files_in_database(20).await {
            Ok(batch) if batch.is_empty() => return,
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(error = %error, "reading the files kept in the database");
                return;
            }
        };
        for (workspace, id) in batch {
            let moved = async {
                let Some((_, crate::store::Bytes::Database(data))) = store.attachment(&workspace, &id).await? else {
                    return anyhow::Ok(());
                };
                files.put_bytes(&Files::key(&workspace, &id), data).await?;
                store.file_moved_out(&workspace, &id).await?;
                anyhow::Ok(())
            };
            if let Err(error) = moved.await {
                tracing::error!(file = %id, error = format!("{error:#}"), "moving a file out of the database");
                return;
            }
        }
    }
}

/// Fetches pending inbound media when woken, and every few seconds.
async fn fetch_media(files: &Files, ingest: &Ingest, whatsapp: &WhatsApp, media: &Notify, stop: &CancellationToken) {
    loop {
        let now = ingest.clock.millis();
        match ingest.store.claim_media(now, now + FETCH_LEASE.as_millis() as i64, 4).await {
            Ok(claimed) => {
                for pending in claimed {
                    fetch_one(files, ingest, whatsapp, pending).await;
                }
            }
            Err(error) => tracing::error!(error = %error, "reading the inbound files to fetch"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = media.notified() => {}
            () = tokio::time::sleep(FETCH_EVERY) => {}
        }
    }
}

/// What a webhook says of an inbound file: which number received it and the provider's media id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaRef {
    /// The receiving number's sender id (its connection fetches the file).
    pub sender: String,
    /// The provider's media id.
    pub media: String,
}

async fn fetch_one(files: &Files, ingest: &Ingest, whatsapp: &WhatsApp, pending: PendingMedia) {
    let PendingMedia { workspace, id, media_ref, attempts, message_id } = pending;
    let fetched = async {
        let reference: MediaRef =
            serde_json::from_str(&media_ref).map_err(|e| MediaError::Gone(format!("unreadable reference: {e}")))?;
        let connection = whatsapp
            .for_outbox(&workspace, &reference.sender)
            .await
            .map_err(MediaError::Later)?
            .ok_or_else(|| MediaError::Gone("the number's connection was removed".to_owned()))?;
        let Provider::Cloud(cloud) = connection.provider.as_ref() else {
            return Err(MediaError::Gone("only Cloud API connections name media to fetch".to_owned()));
        };
        let response = cloud.media_response(&reference.media).await?;
        let key = Files::key(&workspace, &id);
        files.put(&key, response.bytes_stream(), MAX_ATTACHMENT_BYTES).await.map_err(|error| match error {
            PutError::TooLarge(size) => MediaError::Gone(format!("the media has more than {size} bytes")),
            PutError::Read(error) => MediaError::Later(error.into()),
            PutError::Store(error) => MediaError::Later(error.into()),
        })
    };
    let outcome = match fetched.await {
        Ok(size) => ingest.store.media_fetched(&workspace, &id, size as i64).await.map(|()| true),
        Err(MediaError::Later(error)) if attempts + 1 < MAX_FETCHES => {
            tracing::warn!(file = %id, attempts = attempts + 1, error = format!("{error:#}"), "fetching an inbound file: trying again later");
            let retry_at = ingest.clock.millis()
                + crate::outbox::backoff(attempts + 2, crate::outbox::MAX_WAIT).as_millis() as i64;
            ingest.store.media_not_fetched(&workspace, &id, retry_at).await.map(|()| false)
        }
        Err(error) => {
            tracing::warn!(file = %id, attempts = attempts + 1, error = format!("{error:#}"), "an inbound file could not be fetched");
            ingest.store.media_gone(&workspace, &id, " (the file could not be fetched)").await.map(|()| true)
        }
    };
    match outcome {
        // The panel learns the file's size and that it opens, or that it never will.
        Ok(true) => {
            if let Some(message_id) = message_id
                && let Ok(Some(row)) = ingest.store.message(&workspace, &message_id).await
            {
                ingest.publish_message(&row);
            }
        }
        Ok(false) => {}
        Err(error) => tracing::error!(file = %id, error = %error, "recording what became of an inbound file"),
    }
}

/// Deletes the files whose rows are gone, and removes old uploads no message took, every ten seconds.
async fn sweep(files: &Files, ingest: &Ingest, stop: &CancellationToken) {
    loop {
        let now = ingest.clock.millis();
        if let Err(error) = ingest.store.remove_unsent_uploads(now - UNSENT_KEPT.as_millis() as i64, now).await {
            tracing::error!(error = %error, "removing uploads no message took");
        }
        loop {
            let keys = match ingest.store.file_deletions(100).await {
                Ok(keys) => keys,
                Err(error) => {
                    tracing::error!(error = %error, "reading the files to delete");
                    break;
                }
            };
            let mut done = keys.len() < 100;
            for key in keys {
                let deleted = match files.delete(&object_store::path::Path::from(key.as_str())).await {
                    Ok(()) => ingest.store.file_deleted(&key).await.map_err(anyhow::Error::from),
                    Err(error) => Err(error.into()),
                };
                if let Err(error) = deleted {
                    // Tried again at the next sweep.
                    tracing::warn!(error = format!("{error:#}"), "deleting a file");
                    done = true;
                }
            }
            if done {
                break;
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(SWEEP_EVERY) => {}
        }
    }
}
