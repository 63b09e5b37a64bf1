//! The outbox's side of the message log: queued outbound messages are claimed for a send attempt, and what each
//! attempt came to is recorded.
//!
//! A claimed message has no `next_attempt_at` until its outcome is recorded: a queued message without one was
//! in flight when the relay stopped. [`Store::recover_interrupted`] makes such messages due again and stamps
//! them `interrupted_at`, so the attempt that claims them knows their last attempt's outcome is unknown. One
//! relay per database.

use sidechat_domain::wire::DeliveryStatus;
use sqlx::Row;

use super::Store;
use super::messages::{COLUMNS, MessageRow, message};
use super::workspaces::WorkspaceId;

/// What became of a send attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// The provider accepted it, under this id.
    Sent {
        /// The provider's message id.
        provider_id: String,
    },
    /// Try again at this time (ms).
    Retry {
        /// When.
        at: i64,
    },
    /// The provider refused it for good.
    Failed {
        /// The provider's code.
        code: String,
        /// The provider's words.
        message: String,
    },
}

/// A queued message claimed for a send attempt.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    /// The message; its `attempts` counts this attempt.
    pub message: MessageRow,
    /// Whether an earlier attempt was under way when the relay stopped: its outcome is unknown.
    pub interrupted: bool,
}

impl Store {
    /// At start: makes the messages that were in flight when the relay stopped due now, marked interrupted.
    /// Returns how many there were.
    pub async fn recover_interrupted(&self, now: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE messages SET next_attempt_at = $1, interrupted_at = $1
             WHERE status = 'queued' AND next_attempt_at IS NULL",
        )
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Claims up to `limit` queued messages due by `now`, oldest due first, in one statement: each counts one
    /// more attempt and is no longer due until its outcome is recorded. Returned oldest first, with their files.
    /// The outbox serves every workspace: each message carries its own, which every later call on it names.
    pub async fn claim_due(&self, now: i64, limit: i64) -> Result<Vec<OutboxItem>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "UPDATE messages SET attempts = attempts + 1, next_attempt_at = NULL
             WHERE id IN (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= $1
                          ORDER BY next_attempt_at, id LIMIT $2)
             RETURNING {COLUMNS}, interrupted_at,
                 (SELECT COUNT(*) FROM message_attachments ma WHERE ma.message_id = messages.id) AS files"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *self.write().await?)
        .await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut with_files = Vec::new();
        for row in &rows {
            let interrupted_at: Option<i64> = row.try_get("interrupted_at")?;
            let item = OutboxItem { message: message(row)?, interrupted: interrupted_at.is_some() };
            if row.try_get::<i64, _>("files")? > 0 {
                with_files.push(item.message.id.clone());
            }
            items.push(item);
        }
        items.sort_by(|a, b| (a.message.created_at, &a.message.id).cmp(&(b.message.created_at, &b.message.id)));
        // Most messages carry no file: their attachments are not looked up at all.
        let mut workspaces: Vec<&WorkspaceId> = Vec::new();
        for item in &items {
            if with_files.contains(&item.message.id) && !workspaces.contains(&&item.message.workspace) {
                workspaces.push(&item.message.workspace);
            }
        }
        let mut by_message = std::collections::HashMap::new();
        for workspace in workspaces {
            let ids: Vec<&str> = items
                .iter()
                .filter(|item| &item.message.workspace == workspace && with_files.contains(&item.message.id))
                .map(|item| item.message.id.as_str())
                .collect();
            by_message.extend(self.attachments_of(workspace, &ids).await?);
        }
        for item in &mut items {
            if let Some(attachments) = by_message.remove(&item.message.id) {
                item.message.attachments = attachments;
            }
        }
        Ok(items)
    }

    /// When the next queued message falls due (ms), if any.
    pub async fn next_due(&self) -> Result<Option<i64>, sqlx::Error> {
        let row = sqlx::query("SELECT MIN(next_attempt_at) AS due FROM messages WHERE status = 'queued'")
            .fetch_one(&mut *self.read().await?)
            .await?;
        row.try_get("due")
    }

    /// Records what a send attempt came to, in one statement; returns the message's new status (a status report
    /// that came first may have moved it past `sent`).
    pub async fn record_outcome(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        outcome: &SendOutcome,
        now: i64,
    ) -> Result<DeliveryStatus, sqlx::Error> {
        let query = match outcome {
            SendOutcome::Sent { provider_id } => sqlx::query(
                "UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
                     provider_id = $1, interrupted_at = NULL, next_attempt_at = NULL, updated_at = $2
                 WHERE id = $3 AND workspace_id = $4 RETURNING status",
            )
            .bind(provider_id),
            SendOutcome::Retry { at } => sqlx::query(
                "UPDATE messages SET next_attempt_at = $1, interrupted_at = NULL, updated_at = $2
                 WHERE id = $3 AND workspace_id = $4 RETURNING status",
            )
            .bind(at),
            SendOutcome::Failed { code, message } => sqlx::query(
                "UPDATE messages SET status = 'failed', error_code = $1, error_message = $2, interrupted_at = NULL,
                     next_attempt_at = NULL, updated_at = $3
                 WHERE id = $4 AND workspace_id = $5 RETURNING status",
            )
            .bind(code)
            .bind(message),
        };
        let row = query.bind(now).bind(id).bind(workspace.as_str()).fetch_one(&mut *self.write().await?).await?;
        let status: String = row.try_get("status")?;
        Ok(DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Queued))
    }
}
