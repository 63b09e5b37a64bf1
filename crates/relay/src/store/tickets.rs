//! Tickets that open an event stream: single use, short-lived, bound to a user and a number. Kept in the
//! database so any relay can redeem a ticket another issued; only a hash of each is stored.

use sqlx::Row;

use super::Store;
use super::workspaces::WorkspaceId;

/// A ticket as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    /// The SHA-256 of the ticket, hex.
    pub hash: String,
    /// The user it was issued to.
    pub user_id: String,
    /// The number whose stream it opens.
    pub contact: String,
    /// Until when it may be redeemed (ms).
    pub expires_at: i64,
    /// When the credential that bought it expires (ms), if it does.
    pub credential_expires_at: Option<i64>,
}

/// A ticket redeemed: who may stream what, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redeemed {
    /// The user's workspace.
    pub workspace: WorkspaceId,
    /// The user.
    pub user_id: String,
    /// The number the ticket is bound to.
    pub contact: String,
    /// When the credential that bought it expires (ms), if it does.
    pub credential_expires_at: Option<i64>,
}

/// Spent and expired tickets are deleted once they are this old (ms).
const KEEP_MS: i64 = 3_600_000;

impl Store {
    /// Stores a ticket (and clears the workspace's long-expired ones).
    pub async fn insert_ticket(
        &self,
        workspace: &WorkspaceId,
        ticket: &NewTicket,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        sqlx::query("DELETE FROM stream_tickets WHERE workspace_id = $1 AND expires_at < $2")
            .bind(workspace.as_str())
            .bind(now - KEEP_MS)
            .execute(&mut *writer)
            .await?;
        sqlx::query(
            "INSERT INTO stream_tickets (ticket_hash, workspace_id, user_id, contact, expires_at, credential_expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&ticket.hash)
        .bind(workspace.as_str())
        .bind(&ticket.user_id)
        .bind(&ticket.contact)
        .bind(ticket.expires_at)
        .bind(ticket.credential_expires_at)
        .execute(&mut *writer)
        .await?;
        Ok(())
    }

    /// Spends a ticket: answers what it grants, once, if it has not expired; `None` for an unknown, spent or
    /// expired ticket. The ticket is the credential here, so the lookup precedes any workspace.
    pub async fn redeem_ticket(&self, hash: &str, now: i64) -> Result<Option<Redeemed>, sqlx::Error> {
        let row = sqlx::query(
            "UPDATE stream_tickets SET used_at = $1
             WHERE ticket_hash = $2 AND used_at IS NULL AND expires_at >= $1
             RETURNING workspace_id, user_id, contact, credential_expires_at",
        )
        .bind(now)
        .bind(hash)
        .fetch_optional(&mut *self.write().await?)
        .await?;
        row.map(|row| {
            Ok(Redeemed {
                workspace: WorkspaceId::from_row(&row, "workspace_id")?,
                user_id: row.try_get("user_id")?,
                contact: row.try_get("contact")?,
                credential_expires_at: row.try_get("credential_expires_at")?,
            })
        })
        .transpose()
    }
}
