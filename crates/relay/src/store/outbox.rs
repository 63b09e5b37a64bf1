//! The outbox's side of the message log: queued outbound messages are claimed for a send attempt, and what each
//! attempt came to is recorded.
//!
//! A claim is a lease: it moves the message's `next_attempt_at` to the lease's end and sets `lease_until`. The
//! attempt's outcome clears the lease (or sets the next attempt's time). A lease that ran out (its relay was
//! killed, or could not record the outcome) leaves the message due again, and the claim that takes it next marks
//! it `interrupted_at`: that attempt knows the earlier one's outcome is unknown. On PostgreSQL any number of
//! relays claim side by side (`FOR UPDATE SKIP LOCKED`); on SQLite one relay owns the file.

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
        /// Whether this attempt may have gone out (a timeout, a 5xx, an answer without an id).
        unknown: bool,
    },
    /// The provider refused it for good, or it cannot be sent.
    Failed {
        /// The provider's code, or the relay's.
        code: String,
        /// The provider's words, or the relay's.
        message: String,
    },
}

/// A queued message claimed for a send attempt.
#[derive(Debug, Clone)]
pub struct OutboxItem {
    /// The message; its `attempts` counts this attempt.
    pub message: MessageRow,
    /// What is known of the attempt before this one.
    pub earlier: Earlier,
}

/// What is known of a message's previous send attempt, when a new one starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Earlier {
    /// There was none, or the provider refused it: it did not go out.
    NotSent,
    /// Its outcome was unknown (a timeout, a 5xx, an answer without an id): it may have gone out.
    Unknown,
    /// Its lease ran out before an outcome was recorded (its relay was killed or lost the database): it may
    /// have gone out.
    Interrupted,
}

/// What one claim returned.
#[derive(Debug, Default)]
pub struct Claimed {
    /// The messages to send.
    pub items: Vec<OutboxItem>,
    /// How many due messages were claimed in all (those that could not be read included).
    pub claimed: usize,
    /// Claimed messages whose row could not be read: each is marked failed, with why.
    pub unreadable: Vec<(WorkspaceId, String, String)>,
}

impl Store {
    /// Ends every lease now: for SQLite at start, where no other relay can hold one (the file is locked by
    /// this process). Returns how many messages were in flight when the relay last stopped.
    pub async fn expire_leases(&self, now: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE messages SET next_attempt_at = $1
             WHERE status = 'queued' AND lease_until IS NOT NULL AND next_attempt_at > $1",
        )
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// Claims up to `limit` queued messages due by `now`, oldest due first, in one statement, each leased until
    /// `lease_until`: each counts one more attempt. Returned oldest first, with their files. The outbox serves
    /// every workspace: each message carries its own, which every later call on it names.
    ///
    /// A claimed row that cannot be read is marked failed here, so it neither stops the other claims nor comes
    /// back when its lease runs out.
    pub async fn claim_due(&self, now: i64, lease_until: i64, limit: i64) -> Result<Claimed, sqlx::Error> {
        let skip_locked = self.skip_locked();
        let rows = sqlx::query(&format!(
            "UPDATE messages SET attempts = attempts + 1, next_attempt_at = $2, lease_until = $2,
                 interrupted_at = CASE WHEN lease_until IS NULL THEN NULL ELSE $1 END
             WHERE id IN (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= $1
                          ORDER BY next_attempt_at, id LIMIT $3 {skip_locked})
             RETURNING {COLUMNS}, interrupted_at, unknown_at,
                 (SELECT COUNT(*) FROM message_attachments ma WHERE ma.message_id = messages.id) AS files"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut *self.write().await?)
        .await?;
        let mut claimed = Claimed { claimed: rows.len(), ..Claimed::default() };
        let mut with_files = Vec::new();
        for row in &rows {
            let read = message(row).and_then(|message| {
                let interrupted_at: Option<i64> = row.try_get("interrupted_at")?;
                let unknown_at: Option<i64> = row.try_get("unknown_at")?;
                let files: i64 = row.try_get("files")?;
                let earlier = match (interrupted_at, unknown_at) {
                    (Some(_), _) => Earlier::Interrupted,
                    (None, Some(_)) => Earlier::Unknown,
                    (None, None) => Earlier::NotSent,
                };
                Ok((message, earlier, files > 0))
            });
            match read {
                Ok((message, earlier, files)) => {
                    if files {
                        with_files.push(message.id.clone());
                    }
                    claimed.items.push(OutboxItem { message, earlier });
                }
                Err(error) => {
                    let id: String = row.try_get("id")?;
                    let workspace = WorkspaceId::from_row(row, "workspace_id")?;
                    claimed.unreadable.push((workspace, id, error.to_string()));
                }
            }
        }
        for (workspace, id, error) in &claimed.unreadable {
            tracing::error!(message = %id, error, "a queued message's row cannot be read: marking it failed");
            let outcome = SendOutcome::Failed {
                code: "unreadable".to_owned(),
                message: format!("the relay could not read this message back from its database: {error}"),
            };
            self.record_outcome(workspace, id, &outcome, None, now).await?;
        }
        let items = &mut claimed.items;
        items.sort_by(|a, b| (a.message.created_at, &a.message.id).cmp(&(b.message.created_at, &b.message.id)));
        // Most messages carry no file: their attachments are not looked up at all.
        let mut workspaces: Vec<WorkspaceId> = Vec::new();
        for item in items.iter() {
            if with_files.contains(&item.message.id) && !workspaces.contains(&item.message.workspace) {
                workspaces.push(item.message.workspace.clone());
            }
        }
        let mut by_message = std::collections::HashMap::new();
        for workspace in &workspaces {
            let ids: Vec<&str> = items
                .iter()
                .filter(|item| &item.message.workspace == workspace && with_files.contains(&item.message.id))
                .map(|item| item.message.id.as_str())
                .collect();
            by_message.extend(self.attachments_of(workspace, &ids).await?);
        }
        for item in items.iter_mut() {
            if let Some(attachments) = by_message.remove(&item.message.id) {
                item.message.attachments = attachments;
            }
        }
        Ok(claimed)
    }

    /// When the next queued message falls due (ms), if any.
    pub async fn next_due(&self) -> Result<Option<i64>, sqlx::Error> {
        let row = sqlx::query("SELECT MIN(next_attempt_at) AS due FROM messages WHERE status = 'queued'")
            .fetch_one(&mut *self.read().await?)
            .await?;
        row.try_get("due")
    }

    /// Records what a send attempt came to, in one statement, and ends its lease; returns the message's new
    /// status (a status report that came first may have moved it past `sent`), or `None` when the claim of
    /// `attempt` no longer holds the message (its lease ran out and another attempt claimed it) and the outcome
    /// was not one to keep. A `Sent` outcome is kept whatever the lease: the message did go out.
    pub async fn record_outcome(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        outcome: &SendOutcome,
        attempt: Option<i64>,
        now: i64,
    ) -> Result<Option<DeliveryStatus>, sqlx::Error> {
        let query = match outcome {
            SendOutcome::Sent { provider_id } => sqlx::query(
                "UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
                     provider_id = $1, interrupted_at = NULL, unknown_at = NULL, next_attempt_at = NULL,
                     lease_until = NULL, updated_at = $2
                 WHERE id = $3 AND workspace_id = $4 RETURNING status",
            )
            .bind(provider_id),
            // An unknown outcome is remembered until an attempt settles it; a refusal leaves what was known.
            SendOutcome::Retry { at, unknown } => sqlx::query(
                "UPDATE messages SET next_attempt_at = $1, interrupted_at = NULL, lease_until = NULL, updated_at = $3,
                     unknown_at = CASE WHEN $2 = 1 THEN $3 WHEN interrupted_at IS NOT NULL THEN $3 ELSE unknown_at END
                 WHERE id = $4 AND workspace_id = $5 AND status = 'queued' AND ($6 IS NULL OR attempts = $6)
                 RETURNING status",
            )
            .bind(at)
            .bind(i64::from(*unknown)),
            SendOutcome::Failed { code, message } => sqlx::query(
                "UPDATE messages SET status = 'failed', error_code = $1, error_message = $2, interrupted_at = NULL,
                     unknown_at = NULL, next_attempt_at = NULL, lease_until = NULL, updated_at = $3
                 WHERE id = $4 AND workspace_id = $5 AND status = 'queued' AND ($6 IS NULL OR attempts = $6)
                 RETURNING status",
            )
            .bind(code)
            .bind(message),
        };
        let query = query.bind(now).bind(id).bind(workspace.as_str());
        let query = match outcome {
            SendOutcome::Sent { .. } => query,
            _ => query.bind(attempt),
        };
        let row = query.fetch_optional(&mut *self.write().await?).await?;
        let Some(row) = row else { return Ok(None) };
        let status: String = row.try_get("status")?;
        Ok(Some(DeliveryStatus::parse(&status).unwrap_or(DeliveryStatus::Queued)))
    }
}
