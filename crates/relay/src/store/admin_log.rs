//! What admins did, per workspace: connect, disconnect, restrict, rename, erase, settings changes. Entries hold
//! no secret: callers pass only what may be shown to the workspace's admins.

use sidechat_domain::wire::Author;
use sqlx::Row;

use super::Store;
use super::workspaces::WorkspaceId;

/// One entry as read back.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminLogRow {
    /// When (ms).
    pub at: i64,
    /// Who (`None`: the operator's command line).
    pub user: Option<Author>,
    /// What kind of action.
    pub action: String,
    /// What it was about.
    pub subject: Option<String>,
    /// Its details.
    pub details: serde_json::Value,
}

impl Store {
    /// Adds an entry.
    pub async fn log_admin_action(
        &self,
        workspace: &WorkspaceId,
        user_id: Option<&str>,
        action: &str,
        subject: Option<&str>,
        details: &serde_json::Value,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO admin_log (id, workspace_id, user_id, action, subject, details, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(workspace.as_str())
        .bind(user_id)
        .bind(action)
        .bind(subject)
        .bind(details.to_string())
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The newest `limit` entries of a workspace, newest first.
    pub async fn admin_log(&self, workspace: &WorkspaceId, limit: i64) -> Result<Vec<AdminLogRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT l.at, l.user_id, (SELECT u.name FROM users u WHERE u.id = l.user_id) AS user_name, l.action,
                 l.subject, l.details
             FROM admin_log l WHERE l.workspace_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2",
        )
        .bind(workspace.as_str())
        .bind(limit)
        .fetch_all(&mut *self.read().await?)
        .await?;
        rows.iter()
            .map(|row| {
                let user_id: Option<String> = row.try_get("user_id")?;
                let user_name: Option<String> = row.try_get("user_name")?;
                let details: String = row.try_get("details")?;
                Ok(AdminLogRow {
                    at: row.try_get("at")?,
                    user: user_id.map(|id| Author { id, name: user_name.unwrap_or_default() }),
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }
}
