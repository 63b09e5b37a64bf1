//! Data that must go: one customer's conversation erased at an admin's request, messages past the retention
//! period, a whole workspace at the operator's. Files go with the last message that holds them.

use sqlx::Row;

use super::Store;
use super::workspaces::WorkspaceId;

/// What was removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Messages (with their pending sends).
    pub messages: u64,
    /// Files.
    pub files: u64,
}

/// A workspace as the operator's `workspace list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSummary {
    /// Its id.
    pub id: WorkspaceId,
    /// Its name.
    pub name: String,
    /// Whether it is the operator workspace.
    pub is_operator: bool,
    /// Its CRM accounts, as `crm:id`.
    pub accounts: Vec<String>,
    /// How many users it has.
    pub users: i64,
    /// How many WhatsApp connections it has in use.
    pub connections: i64,
    /// How many messages it keeps.
    pub messages: i64,
}

/// The messages of one workspace a removal covers: one number's, or those older than a time.
enum Scope<'a> {
    Contact(&'a str),
    Before(i64),
}

impl<'q> Scope<'q> {
    /// The condition on `messages` (after `workspace_id = $1`), with its value as `$2`.
    fn condition(&self) -> &'static str {
        match self {
            Self::Contact(_) => "contact = $2",
            Self::Before(_) => "created_at < $2 AND status <> 'queued'",
        }
    }

    /// `sql` with the workspace as `$1` and the scope's value as `$2`.
    fn query(
        &self,
        sql: &'q str,
        workspace: &'q WorkspaceId,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let query = sqlx::query(sql).bind(workspace.as_str());
        match self {
            Self::Contact(contact) => query.bind(*contact),
            Self::Before(before) => query.bind(*before),
        }
    }
}

impl Store {
    /// Erases every message to and from `contact` in the workspace, their files, their pending sends, idempotency
    /// keys and stream tickets.
    pub async fn erase_contact(&self, workspace: &WorkspaceId, contact: &str) -> Result<Removed, sqlx::Error> {
        let removed = self.remove_messages(workspace, &Scope::Contact(contact)).await?;
        sqlx::query("DELETE FROM stream_tickets WHERE workspace_id = $1 AND contact = $2")
            .bind(workspace.as_str())
            .bind(contact)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(removed)
    }

    /// Removes the workspace's messages created before `before` (ms) and the files only they held; a message
    /// still waiting to go out stays.
    pub async fn remove_older_than(&self, workspace: &WorkspaceId, before: i64) -> Result<Removed, sqlx::Error> {
        self.remove_messages(workspace, &Scope::Before(before)).await
    }

    async fn remove_messages(&self, workspace: &WorkspaceId, scope: &Scope<'_>) -> Result<Removed, sqlx::Error> {
        let condition = scope.condition();
        let selected = format!("SELECT id FROM messages WHERE workspace_id = $1 AND {condition}");
        let files_sql = format!(
            "SELECT DISTINCT attachment_id FROM message_attachments WHERE workspace_id = $1 AND message_id IN ({selected})"
        );
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        let files: Vec<String> = scope
            .query(&files_sql, workspace)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("attachment_id"))
            .collect::<Result<_, _>>()?;
        for table in ["message_attachments", "idempotency_keys"] {
            let sql = format!("DELETE FROM {table} WHERE workspace_id = $1 AND message_id IN ({selected})");
            scope.query(&sql, workspace).execute(&mut *tx).await?;
        }
        let sql = format!("DELETE FROM messages WHERE workspace_id = $1 AND {condition}");
        let messages = scope.query(&sql, workspace).execute(&mut *tx).await?.rows_affected();
        let mut removed_files = 0;
        let unlinked = "workspace_id = $1 AND id = $2
             AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = attachments.id)";
        let now = jiff::Timestamp::now().as_millisecond();
        for file in &files {
            sqlx::query(&super::attachments::queue_deletions(unlinked, "$3"))
                .bind(workspace.as_str())
                .bind(file)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            removed_files += sqlx::query(
                "DELETE FROM attachments WHERE workspace_id = $1 AND id = $2
                 AND NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = attachments.id)",
            )
            .bind(workspace.as_str())
            .bind(file)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(Removed { messages, files: removed_files })
    }

    /// Every workspace, for the operator.
    pub async fn workspace_summaries(&self) -> Result<Vec<WorkspaceSummary>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT w.id, w.name, w.is_operator,
                 (SELECT COUNT(*) FROM users u WHERE u.workspace_id = w.id) AS users,
                 (SELECT COUNT(*) FROM whatsapp_connections c WHERE c.workspace_id = w.id AND c.deleted_at IS NULL)
                     AS connections,
                 (SELECT COUNT(*) FROM messages m WHERE m.workspace_id = w.id) AS messages
             FROM workspaces w ORDER BY w.is_operator DESC, w.created_at, w.id",
        )
        .fetch_all(&mut *self.read().await?)
        .await?;
        let accounts = sqlx::query("SELECT workspace_id, crm, account_id FROM crm_accounts ORDER BY crm, account_id")
            .fetch_all(&mut *self.read().await?)
            .await?;
        rows.iter()
            .map(|row| {
                let id = WorkspaceId::from_row(row, "id")?;
                let mut listed = Vec::new();
                for account in &accounts {
                    if WorkspaceId::from_row(account, "workspace_id")? == id {
                        let crm: String = account.try_get("crm")?;
                        let account_id: String = account.try_get("account_id")?;
                        listed.push(format!("{crm}:{account_id}"));
                    }
                }
                Ok(WorkspaceSummary {
                    name: row.try_get("name")?,
                    is_operator: row.try_get::<i64, _>("is_operator")? == 1,
                    accounts: listed,
                    users: row.try_get("users")?,
                    connections: row.try_get("connections")?,
                    messages: row.try_get("messages")?,
                    id,
                })
            })
            .collect()
    }

    /// Every workspace's id, for the workers that serve them all (retention).
    pub async fn workspace_ids(&self) -> Result<Vec<WorkspaceId>, sqlx::Error> {
        sqlx::query("SELECT id FROM workspaces ORDER BY id")
            .fetch_all(&mut *self.read().await?)
            .await?
            .iter()
            .map(|row| WorkspaceId::from_row(row, "id"))
            .collect()
    }

    /// The workspace with this id, for the operator's commands (which name workspaces by hand).
    pub async fn find_workspace(&self, id: &str) -> Result<Option<WorkspaceId>, sqlx::Error> {
        let row = sqlx::query("SELECT id FROM workspaces WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        row.map(|row| WorkspaceId::from_row(&row, "id")).transpose()
    }

    /// Deletes a workspace and everything in it, its CRM accounts too (their users may install again, as new).
    pub async fn delete_workspace(&self, workspace: &WorkspaceId) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        // Its files go with it.
        let now = jiff::Timestamp::now().as_millisecond();
        sqlx::query(&super::attachments::queue_deletions("workspace_id = $1", "$2"))
            .bind(workspace.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        // Children before parents: the foreign keys hold throughout.
        for table in [
            "message_attachments",
            "idempotency_keys",
            "early_statuses",
            "messages",
            "attachments",
            "canned_texts",
            "stream_tickets",
            "event_streams",
            "send_buckets",
            "crm_tokens",
            "whatsapp_numbers",
            "whatsapp_connections",
            "admin_log",
            "users",
            "crm_accounts",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE workspace_id = $1"))
                .bind(workspace.as_str())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(workspace.as_str()).execute(&mut *tx).await?;
        tx.commit().await?;
        self.identities_changed();
        Ok(())
    }
}
