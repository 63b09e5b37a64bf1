//! Stored files: uploads, record files fetched for a send, inbound media. The rows describe them; the bytes are
//! in the file store ([`crate::files`]), except those of files stored before it existed (in `data`, moved out in
//! the background at start) and of inbound media still being fetched from WhatsApp.

use std::collections::HashMap;

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::workspaces::WorkspaceId;

/// What the message log shows of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its MIME type.
    pub mime: String,
}

/// Where a file's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bytes {
    /// In the file store.
    Files,
    /// In the database (a file stored by an earlier release, not moved out yet).
    Database(Vec<u8>),
    /// Not yet: an inbound file still being fetched from WhatsApp.
    Pending,
}

/// An inbound file to fetch from the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    /// Its workspace.
    pub workspace: WorkspaceId,
    /// The attachment's id.
    pub id: String,
    /// What the provider needs to give it (its media reference, as the webhook named it).
    pub media_ref: String,
    /// The fetches tried before this one.
    pub attempts: i64,
    /// The message it belongs to.
    pub message_id: Option<String>,
}

/// Name, size and type from a row with the columns `id`, `name`, `size`, `mime`.
fn meta(row: &AnyRow) -> Result<AttachmentMeta, sqlx::Error> {
    Ok(AttachmentMeta {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        size: row.try_get("size")?,
        mime: row.try_get("mime")?,
    })
}

/// The statement that queues the deletion of the files of the attachment rows `rows` selects, at the time
/// `now` names (a parameter): run in the transaction that deletes the rows.
pub(super) fn queue_deletions(rows: &str, now: &str) -> String {
    format!(
        "INSERT INTO file_deletions (key, queued_at)
         SELECT workspace_id || '/' || id, {now} FROM attachments WHERE stored = 'files' AND {rows}
         ON CONFLICT DO NOTHING"
    )
}

impl Store {
    /// Records a file written to the file store (or, with `media_ref`, one to fetch from the provider).
    pub async fn insert_attachment(
        &self,
        workspace: &WorkspaceId,
        meta: &AttachmentMeta,
        media_ref: Option<&str>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let empty: &[u8] = &[];
        sqlx::query(
            "INSERT INTO attachments (workspace_id, id, name, size, mime, data, created_at, stored, media_ref, fetch_after)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(workspace.as_str())
        .bind(&meta.id)
        .bind(&meta.name)
        .bind(meta.size)
        .bind(&meta.mime)
        .bind(empty)
        .bind(now)
        .bind(if media_ref.is_some() { "pending" } else { "files" })
        .bind(media_ref)
        .bind(media_ref.map(|_| now))
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// A workspace's file's description, without its bytes.
    pub async fn attachment_meta(
        &self,
        workspace: &WorkspaceId,
        id: &str,
    ) -> Result<Option<AttachmentMeta>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, size, mime FROM attachments WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        row.as_ref().map(meta).transpose()
    }

    /// A workspace's file's description and where its bytes are.
    pub async fn attachment(
        &self,
        workspace: &WorkspaceId,
        id: &str,
    ) -> Result<Option<(AttachmentMeta, Bytes)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, name, size, mime, stored, CASE WHEN stored IS NULL THEN data END AS data
             FROM attachments WHERE workspace_id = $1 AND id = $2",
        )
        .bind(workspace.as_str())
        .bind(id)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let stored: Option<String> = row.try_get("stored")?;
        let bytes = match stored.as_deref() {
            None => Bytes::Database(row.try_get("data")?),
            Some("pending") => Bytes::Pending,
            Some(_) => Bytes::Files,
        };
        Ok(Some((meta(&row)?, bytes)))
    }

    /// The attachments of some of a workspace's messages, by message, in order.
    pub(super) async fn attachments_of(
        &self,
        workspace: &WorkspaceId,
        message_ids: &[&str],
    ) -> Result<HashMap<String, Vec<AttachmentMeta>>, sqlx::Error> {
        let placeholders: Vec<String> = (2..=message_ids.len() + 1).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT ma.message_id, a.id, a.name, a.size, a.mime FROM message_attachments ma
             JOIN attachments a ON a.workspace_id = ma.workspace_id AND a.id = ma.attachment_id
             WHERE ma.workspace_id = $1 AND ma.message_id IN ({}) ORDER BY ma.message_id, ma.position",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(workspace.as_str());
        for id in message_ids {
            query = query.bind(*id);
        }
        let mut by_message: HashMap<String, Vec<AttachmentMeta>> = HashMap::new();
        for row in query.fetch_all(&mut *self.read().await?).await? {
            by_message.entry(row.try_get("message_id")?).or_default().push(meta(&row)?);
        }
        Ok(by_message)
    }

    /// Claims up to `limit` inbound files due to be fetched, each until `lease_until` (ms).
    pub async fn claim_media(&self, now: i64, lease_until: i64, limit: i64) -> Result<Vec<PendingMedia>, sqlx::Error> {
        let skip_locked = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE attachments SET fetch_after = $2
             WHERE id IN (SELECT id FROM attachments WHERE stored = 'pending' AND fetch_after <= $1
                          ORDER BY fetch_after LIMIT $3 {skip_locked})
             RETURNING workspace_id, id, media_ref, fetch_attempts,
                 (SELECT ma.message_id FROM message_attachments ma
                  WHERE ma.workspace_id = attachments.workspace_id AND ma.attachment_id = attachments.id) AS message_id"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut *self.write().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PendingMedia {
                    workspace: WorkspaceId::from_row(row, "workspace_id")?,
                    id: row.try_get("id")?,
                    media_ref: row.try_get::<Option<String>, _>("media_ref")?.unwrap_or_default(),
                    attempts: row.try_get("fetch_attempts")?,
                    message_id: row.try_get("message_id")?,
                })
            })
            .collect()
    }

    /// An inbound file is in the file store, `size` bytes.
    pub async fn media_fetched(&self, workspace: &WorkspaceId, id: &str, size: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE attachments SET stored = 'files', size = $1, fetch_after = NULL
             WHERE workspace_id = $2 AND id = $3 AND stored = 'pending'",
        )
        .bind(size)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// An inbound file could not be fetched: tried again at `retry_at` (ms).
    pub async fn media_not_fetched(&self, workspace: &WorkspaceId, id: &str, retry_at: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE attachments SET fetch_attempts = fetch_attempts + 1, fetch_after = $1
             WHERE workspace_id = $2 AND id = $3 AND stored = 'pending'",
        )
        .bind(retry_at)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// An inbound file will never be fetched: it leaves its message, whose text gets `note`.
    pub async fn media_gone(&self, workspace: &WorkspaceId, id: &str, note: &str) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        sqlx::query(
            "UPDATE messages SET body = body || $1
             WHERE workspace_id = $2 AND id IN (SELECT message_id FROM message_attachments
                                                WHERE workspace_id = $2 AND attachment_id = $3)",
        )
        .bind(note)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM message_attachments WHERE workspace_id = $1 AND attachment_id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM attachments WHERE workspace_id = $1 AND id = $2 AND stored = 'pending'")
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Up to `limit` files an earlier release kept in the database.
    pub async fn files_in_database(&self, limit: i64) -> Result<Vec<(WorkspaceId, String)>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT workspace_id, id FROM attachments WHERE stored IS NULL ORDER BY created_at LIMIT $1")
                .bind(limit)
                .fetch_all(&mut *self.read().await?)
                .await?;
        rows.iter().map(|row| Ok((WorkspaceId::from_row(row, "workspace_id")?, row.try_get("id")?))).collect()
    }

    /// A file kept in the database is now in the file store: its bytes leave the database.
    pub async fn file_moved_out(&self, workspace: &WorkspaceId, id: &str) -> Result<(), sqlx::Error> {
        let empty: &[u8] = &[];
        sqlx::query(
            "UPDATE attachments SET stored = 'files', data = $1 WHERE workspace_id = $2 AND id = $3 AND stored IS NULL",
        )
        .bind(empty)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Deletes uploads no message took, made before `before` (ms), queueing their files' deletion; returns how
    /// many.
    pub async fn remove_unsent_uploads(&self, before: i64, now: i64) -> Result<u64, sqlx::Error> {
        let unsent = "created_at < $1 AND NOT EXISTS (SELECT 1 FROM message_attachments ma
                          WHERE ma.workspace_id = attachments.workspace_id AND ma.attachment_id = attachments.id)";
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        sqlx::query(&queue_deletions(unsent, "$2")).bind(before).bind(now).execute(&mut *tx).await?;
        let removed =
            sqlx::query(&format!("DELETE FROM attachments WHERE {unsent}")).bind(before).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(removed.rows_affected())
    }

    /// Up to `limit` files whose rows are gone, to delete from the file store.
    pub async fn file_deletions(&self, limit: i64) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT key FROM file_deletions ORDER BY queued_at LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *self.read().await?)
            .await?;
        rows.iter().map(|row| row.try_get("key")).collect()
    }

    /// A queued file is deleted.
    pub async fn file_deleted(&self, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM file_deletions WHERE key = $1").bind(key).execute(&mut *self.write().await?).await?;
        Ok(())
    }

    /// The newest file in the file store, for the health check.
    pub async fn newest_stored_file(&self) -> Result<Option<(WorkspaceId, String)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT workspace_id, id FROM attachments WHERE stored = 'files' ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_optional(&mut *self.read().await?)
        .await?;
        row.map(|row| Ok((WorkspaceId::from_row(&row, "workspace_id")?, row.try_get("id")?))).transpose()
    }
}
