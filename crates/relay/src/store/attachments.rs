//! Stored files: uploads, record files fetched for a send, inbound media.

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

/// A file with its bytes.
#[derive(Debug, Clone)]
pub struct StoredAttachment {
    /// Name, size, type.
    pub meta: AttachmentMeta,
    /// The bytes.
    pub data: Vec<u8>,
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

impl Store {
    /// Stores a file in a workspace.
    pub async fn insert_attachment(
        &self,
        workspace: &WorkspaceId,
        file: &StoredAttachment,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO attachments (workspace_id, id, name, size, mime, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(workspace.as_str())
        .bind(&file.meta.id)
        .bind(&file.meta.name)
        .bind(file.meta.size)
        .bind(&file.meta.mime)
        .bind(&file.data)
        .bind(now)
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

    /// A workspace's file with its bytes.
    pub async fn attachment(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<StoredAttachment>, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, size, mime, data FROM attachments WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        row.map(|row| Ok(StoredAttachment { meta: meta(&row)?, data: row.try_get("data")? })).transpose()
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
}
