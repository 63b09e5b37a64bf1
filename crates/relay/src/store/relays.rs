//! The relays sharing the database, and the event streams each holds open: what makes a limit per user hold
//! across relays. A relay says it is alive every [`HEARTBEAT_MS`]; what a relay silent for [`ALIVE_MS`] held no
//! longer counts (it was killed), and its rows are cleared by the next relay's heartbeat.

use sqlx::Row;

use super::workspaces::WorkspaceId;
use super::{Backend, Store};

/// How often a relay says it is alive (ms).
pub const HEARTBEAT_MS: i64 = 10_000;
/// How long after its last heartbeat a relay still counts as alive (ms).
pub const ALIVE_MS: i64 = 30_000;

/// An event stream to count against its user's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStream<'a> {
    /// The stream's id.
    pub id: &'a str,
    /// The user's workspace.
    pub workspace: &'a WorkspaceId,
    /// The user.
    pub user_id: &'a str,
    /// The relay serving it.
    pub relay_id: &'a str,
}

impl Store {
    /// Says this relay is alive (registering it the first time), and clears what relays silent for longer than
    /// [`ALIVE_MS`] held.
    pub async fn relay_alive(&self, relay_id: &str, now: i64) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        sqlx::query(
            "INSERT INTO relays (id, started_at, seen_at) VALUES ($1, $2, $2)
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(relay_id)
        .bind(now)
        .execute(&mut *writer)
        .await?;
        sqlx::query("DELETE FROM event_streams WHERE relay_id IN (SELECT id FROM relays WHERE seen_at < $1)")
            .bind(now - ALIVE_MS)
            .execute(&mut *writer)
            .await?;
        sqlx::query("DELETE FROM relays WHERE seen_at < $1").bind(now - ALIVE_MS).execute(&mut *writer).await?;
        Ok(())
    }

    /// Takes one new message or upload from a workspace's allowance (PostgreSQL only): `per_second` a second, up to
    /// as many at once; false when there is none left.
    pub async fn take_send_allowance(
        &self,
        workspace: &WorkspaceId,
        per_second: u32,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        // Refilled for the time since the last take (never backwards: relays' clocks differ a little).
        let refilled = "LEAST($2, send_buckets.tokens + GREATEST(0, $3 - send_buckets.updated_at) * $2 / 1000.0)";
        let taken = sqlx::query(&format!(
            "INSERT INTO send_buckets (workspace_id, tokens, updated_at) VALUES ($1, $2 - 1, $3)
             ON CONFLICT (workspace_id) DO UPDATE
                 SET tokens = {refilled} - 1, updated_at = GREATEST(send_buckets.updated_at, $3)
                 WHERE {refilled} >= 1
             RETURNING tokens"
        ))
        .bind(workspace.as_str())
        .bind(f64::from(per_second))
        .bind(now)
        .fetch_optional(&mut *self.write().await?)
        .await?;
        Ok(taken.is_some())
    }

    /// Forgets this relay and its streams (a clean stop).
    pub async fn relay_stopped(&self, relay_id: &str) -> Result<(), sqlx::Error> {
        let mut writer = self.write().await?;
        sqlx::query("DELETE FROM event_streams WHERE relay_id = $1").bind(relay_id).execute(&mut *writer).await?;
        sqlx::query("DELETE FROM relays WHERE id = $1").bind(relay_id).execute(&mut *writer).await?;
        Ok(())
    }

    /// Counts a new stream against its user's limit of `cap` open streams on all live relays; false (and
    /// nothing stored) when the user already has `cap`.
    pub async fn open_stream(&self, stream: &NewStream<'_>, cap: u32, now: i64) -> Result<bool, sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        if self.backend == Backend::Postgres {
            // Two relays opening the user's streams at once take turns here (SQLite has one writer already).
            sqlx::query("SELECT id FROM users WHERE workspace_id = $1 AND id = $2 FOR UPDATE")
                .bind(stream.workspace.as_str())
                .bind(stream.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        let open: i64 = sqlx::query(
            "SELECT COUNT(*) AS open FROM event_streams s JOIN relays r ON r.id = s.relay_id
             WHERE s.workspace_id = $1 AND s.user_id = $2 AND r.seen_at >= $3",
        )
        .bind(stream.workspace.as_str())
        .bind(stream.user_id)
        .bind(now - ALIVE_MS)
        .fetch_one(&mut *tx)
        .await?
        .try_get("open")?;
        if open >= i64::from(cap) {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO event_streams (id, workspace_id, user_id, relay_id, opened_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(stream.id)
        .bind(stream.workspace.as_str())
        .bind(stream.user_id)
        .bind(stream.relay_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A stream ended.
    pub async fn close_stream(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM event_streams WHERE id = $1").bind(id).execute(&mut *self.write().await?).await?;
        Ok(())
    }
}
