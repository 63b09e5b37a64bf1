//! Where file bytes live: uploads, record files fetched for a send, inbound media. Never in the database: in a
//! directory (`SIDECHAT_FILES_DIR`, by default `files/` beside the SQLite file) or in S3-compatible storage
//! (`SIDECHAT_FILES_URL=s3://bucket/prefix`, credentials and endpoint from the `AWS_*` variables), through the
//! `object_store` crate, so every read and write is a stream and no file is ever held whole in memory. Several
//! relays need the same directory (a shared mount) or the same bucket.
//!
//! Objects are named `{workspace}/{attachment id}`. The database's `attachments` row says a file is there
//! (`stored = 'files'`); files of rows that are deleted are queued in `file_deletions` in the same transaction and
//! deleted from here by [`sweep`], so a file is never deleted while its row stands, nor left behind.

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};

use crate::store::WorkspaceId;

pub mod upkeep;

/// The bytes written per part of a streamed write to a directory (a write holds at most three in memory).
const DIRECTORY_CHUNK: usize = 1024 * 1024;
/// The same for S3, whose parts but the last must be at least 5 MiB.
const S3_CHUNK: usize = 5 * 1024 * 1024;

/// The file store. Cheap to clone.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// The part size of its streamed writes.
    chunk: usize,
    /// Where it is, for people (never a credential).
    pub describe: String,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files").field("describe", &self.describe).finish()
    }
}

/// Why a streamed write did not complete; nothing of it is kept.
#[derive(Debug)]
pub enum PutError<E> {
    /// The stream passed `max` bytes.
    TooLarge(u64),
    /// The stream failed.
    Read(E),
    /// The store failed.
    Store(object_store::Error),
}

/// A stored file's bytes, as a stream, and how many there are.
pub struct Opened {
    /// Its size in bytes.
    pub size: u64,
    /// Its bytes.
    pub bytes: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

impl Files {
    /// Files in a directory (created if missing).
    pub fn directory(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|error| anyhow::anyhow!("cannot create the files directory {}: {error}", dir.display()))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self { store: Arc::new(store), chunk: DIRECTORY_CHUNK, describe: dir.display().to_string() })
    }

    /// Files in S3-compatible storage at `url` (`s3://bucket/prefix`), with the credentials, region and endpoint
    /// of the `AWS_*` variables (`AWS_ENDPOINT_URL` for storage other than Amazon's; `AWS_ALLOW_HTTP=true` for one
    /// without TLS).
    pub fn s3(url: &str) -> anyhow::Result<Self> {
        let parsed = reqwest::Url::parse(url).map_err(|e| anyhow::anyhow!("`{url}` is not a URL: {e}"))?;
        if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
            anyhow::bail!("`{url}` is not an S3 URL (s3://bucket/prefix)");
        }
        let bucket = object_store::aws::AmazonS3Builder::from_env().with_url(url).build()?;
        let prefix = parsed.path().trim_matches('/').to_owned();
        let store = object_store::prefix::PrefixStore::new(bucket, prefix.as_str());
        Ok(Self { store: Arc::new(store), chunk: S3_CHUNK, describe: url.to_owned() })
    }

    /// The name of an attachment's file.
    pub fn key(workspace: &WorkspaceId, id: &str) -> Path {
        Path::from(format!("{}/{id}", workspace.as_str()))
    }

    /// Writes a stream of bytes under `key`, stopping (and keeping nothing) past `max` bytes; returns the size.
    pub async fn put<E>(
        &self,
        key: &Path,
        chunks: impl Stream<Item = Result<Bytes, E>>,
        max: u64,
    ) -> Result<u64, PutError<E>> {
        let upload = self.store.put_multipart(key).await.map_err(PutError::Store)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.chunk);
        let mut size = 0u64;
        let mut chunks = std::pin::pin!(chunks);
        let failed = loop {
            let chunk = match chunks.next().await {
                None => break None,
                Some(Err(error)) => break Some(PutError::Read(error)),
                Some(Ok(chunk)) => chunk,
            };
            size += chunk.len() as u64;
            if size > max {
                break Some(PutError::TooLarge(size));
            }
            // At most two parts on their way: the memory a write holds is bounded, whatever the file's size.
            if let Err(error) = writer.wait_for_capacity(2).await {
                break Some(PutError::Store(error));
            }
            writer.put(chunk);
        };
        match failed {
            Some(error) => {
                let _ = writer.abort().await;
                Err(error)
            }
            None => writer.finish().await.map(|_| size).map_err(PutError::Store),
        }
    }

    /// Writes bytes already in memory (small files).
    pub async fn put_bytes(&self, key: &Path, bytes: Vec<u8>) -> Result<u64, object_store::Error> {
        let size = bytes.len() as u64;
        self.store.put(key, bytes.into()).await?;
        Ok(size)
    }

    /// Opens a file for reading.
    pub async fn open(&self, key: &Path) -> Result<Opened, object_store::Error> {
        let got = self.store.get(key).await?;
        let size = got.meta.size;
        Ok(Opened { size, bytes: got.into_stream() })
    }

    /// Whether a file can be read (its description, at least).
    pub async fn readable(&self, key: &Path) -> Result<u64, object_store::Error> {
        Ok(self.store.head(key).await?.size)
    }

    /// Deletes a file; one that is already gone is no error.
    pub async fn delete(&self, key: &Path) -> Result<(), object_store::Error> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error),
        }
    }
}
