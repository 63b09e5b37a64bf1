//! Sign-ins under way and the sessions they make. Every secret here (the OAuth state, a session, a hand-off's claim)
//! is kept as its SHA-256 only: the lookups precede any workspace, since the secret is the credential.

use sidechat_domain::Crm;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::users::{USER_COLUMNS_OF_U, UserRow, user};
use super::workspaces::WorkspaceId;
use super::{Store, named};

/// How a session is presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// As a bearer token, by a panel.
    Bearer,
    /// As a cookie, by the relay's own top-level pages.
    Cookie,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Bearer => "bearer",
            Self::Cookie => "cookie",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        [Self::Bearer, Self::Cookie].into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// A sign-in to keep until its callback.
#[derive(Debug, Clone)]
pub struct NewSignIn {
    /// Its id: also the hand-off a panel names to claim the session.
    pub id: String,
    /// The CRM the user signs in with.
    pub crm: Crm,
    /// The window origin the session is posted to, for a panel's sign-in.
    pub origin: Option<String>,
    /// The relay path a top-level page returns to.
    pub return_to: Option<String>,
    /// The SHA-256 of the secret that claims the session through the hand-off, when there is one.
    pub claim_hash: Option<String>,
    /// Until when it may complete (ms).
    pub expires_at: i64,
}

/// A sign-in as its callback finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInRow {
    /// Its id.
    pub id: String,
    /// The CRM the user signs in with.
    pub crm: Crm,
    /// Where the session is posted.
    pub origin: Option<String>,
    /// Where a top-level page returns.
    pub return_to: Option<String>,
}

/// What a claim of a hand-off finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The user has not finished signing in yet.
    Pending,
    /// Signed in: this user of this workspace (the claim is spent).
    Done(WorkspaceId, String),
    /// No such hand-off, a wrong secret, expired, or claimed already.
    Refused,
}

/// A session as presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Its workspace.
    pub workspace: WorkspaceId,
    /// Its user.
    pub user: UserRow,
    /// How it is presented.
    pub kind: SessionKind,
    /// When it expires (ms).
    pub expires_at: i64,
    /// Whether it was revoked.
    pub revoked: bool,
}

fn sign_in(row: &AnyRow) -> Result<SignInRow, sqlx::Error> {
    Ok(SignInRow {
        id: row.try_get("id")?,
        crm: named(row, "crm", Crm::parse)?,
        origin: row.try_get("origin")?,
        return_to: row.try_get("return_to")?,
    })
}

impl Store {
    /// Keeps a sign-in until its callback.
    pub async fn insert_sign_in(&self, new: &NewSignIn, state_hash: Option<&str>) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sign_ins (id, crm, state_hash, origin, return_to, claim_hash, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&new.id)
        .bind(new.crm.as_str())
        .bind(state_hash)
        .bind(&new.origin)
        .bind(&new.return_to)
        .bind(&new.claim_hash)
        .bind(new.expires_at)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Gives a hand-off's sign-in its OAuth state, once, while it has not expired; answers the sign-in.
    pub async fn start_sign_in(&self, id: &str, state_hash: &str, now: i64) -> Result<Option<SignInRow>, sqlx::Error> {
        let row = sqlx::query(
            "UPDATE sign_ins SET state_hash = $1 WHERE id = $2 AND state_hash IS NULL AND expires_at > $3
             RETURNING id, crm, origin, return_to",
        )
        .bind(state_hash)
        .bind(id)
        .bind(now)
        .fetch_optional(&mut *self.write().await?)
        .await?;
        row.as_ref().map(sign_in).transpose()
    }

    /// The sign-in an OAuth state names, while it has not expired nor completed.
    pub async fn sign_in_by_state(&self, state_hash: &str, now: i64) -> Result<Option<SignInRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, crm, origin, return_to FROM sign_ins
             WHERE state_hash = $1 AND expires_at > $2 AND completed_at IS NULL",
        )
        .bind(state_hash)
        .bind(now)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        row.as_ref().map(sign_in).transpose()
    }

    /// Records who signed in; `false` if the sign-in completed meanwhile (a replayed callback).
    pub async fn complete_sign_in(
        &self,
        id: &str,
        workspace: &WorkspaceId,
        user_id: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE sign_ins SET workspace_id = $1, user_id = $2, completed_at = $3 WHERE id = $4 AND completed_at IS NULL",
        )
        .bind(workspace.as_str())
        .bind(user_id)
        .bind(now)
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Claims a hand-off with the SHA-256 of its secret.
    pub async fn claim_sign_in(&self, id: &str, claim_hash: &str, now: i64) -> Result<Claim, sqlx::Error> {
        let row = sqlx::query(
            "UPDATE sign_ins SET claimed_at = $1
             WHERE id = $2 AND claim_hash = $3 AND completed_at IS NOT NULL AND claimed_at IS NULL AND expires_at > $1
             RETURNING workspace_id, user_id",
        )
        .bind(now)
        .bind(id)
        .bind(claim_hash)
        .fetch_optional(&mut *self.write().await?)
        .await?;
        if let Some(row) = row {
            return Ok(Claim::Done(WorkspaceId::from_row(&row, "workspace_id")?, row.try_get("user_id")?));
        }
        let pending = sqlx::query(
            "SELECT 1 AS pending FROM sign_ins
             WHERE id = $1 AND claim_hash = $2 AND completed_at IS NULL AND expires_at > $3",
        )
        .bind(id)
        .bind(claim_hash)
        .bind(now)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        Ok(if pending.is_some() { Claim::Pending } else { Claim::Refused })
    }

    /// Keeps a new session (its SHA-256).
    pub async fn insert_session(
        &self,
        workspace: &WorkspaceId,
        user_id: &str,
        token_hash: &str,
        kind: SessionKind,
        expires_at: i64,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, workspace_id, user_id, kind, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(workspace.as_str())
        .bind(user_id)
        .bind(kind.as_str())
        .bind(expires_at)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The session with this SHA-256, and its user, expired or not.
    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT s.workspace_id, s.kind, s.expires_at, s.revoked_at, {USER_COLUMNS_OF_U}
             FROM sessions s JOIN users u ON u.id = s.user_id AND u.workspace_id = s.workspace_id
             WHERE s.token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                workspace: WorkspaceId::from_row(&row, "workspace_id")?,
                user: user(&row)?,
                kind: named(&row, "kind", SessionKind::parse)?,
                expires_at: row.try_get("expires_at")?,
                revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .transpose()
    }

    /// Revokes a session, once; `false` if it was revoked already (a concurrent renewal won).
    pub async fn revoke_session(&self, token_hash: &str, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(token_hash)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every session of a user (they were deactivated in their CRM).
    pub async fn revoke_user_sessions(
        &self,
        workspace: &WorkspaceId,
        user_id: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE workspace_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(workspace.as_str())
        .bind(user_id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }
}
