//! The users of each workspace, as their CRM knows them, and their own CRM tokens (sealed: the store keeps
//! what [`crate::secrets::Sealer`] made of them and never sees them in the clear).

use sidechat_domain::Crm;
use sidechat_domain::wire::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::workspaces::WorkspaceId;
use super::{Store, named};

/// A user of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Sidechat's id for the user.
    pub id: String,
    /// The CRM they come from.
    pub crm: Crm,
    /// The CRM's id for the user.
    pub crm_user_id: String,
    /// Their name (empty until the CRM told it).
    pub name: String,
    /// Their email, once the CRM told it.
    pub email: Option<String>,
    /// Their role.
    pub role: Role,
    /// When the role was last read from the CRM (ms); `None`: never.
    pub role_checked_at: Option<i64>,
}

/// What the CRM says of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProfile {
    /// Their name.
    pub name: String,
    /// Their email.
    pub email: Option<String>,
    /// Their role.
    pub role: Role,
}

/// A user's CRM tokens, sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedTokens {
    /// The access token, sealed.
    pub access_token: String,
    /// The refresh token, sealed.
    pub refresh_token: String,
    /// Where the user's CRM API lives.
    pub api_domain: String,
    /// When the access token expires (ms).
    pub expires_at: i64,
    /// Where the tokens are refreshed, for CRMs with a server per data centre (Zoho).
    pub accounts_server: Option<String>,
}

fn role(raw: &str) -> Role {
    if raw == "admin" { Role::Admin } else { Role::Member }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

pub(super) fn user(row: &AnyRow) -> Result<UserRow, sqlx::Error> {
    let raw_role: String = row.try_get("role")?;
    Ok(UserRow {
        id: row.try_get("id")?,
        crm: named(row, "crm", Crm::parse)?,
        crm_user_id: row.try_get("crm_user_id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        role: role(&raw_role),
        role_checked_at: row.try_get("role_checked_at")?,
    })
}

const USER_COLUMNS: &str = "id, crm, crm_user_id, name, email, role, role_checked_at";
/// The same columns of the users table joined as `u`.
pub(super) const USER_COLUMNS_OF_U: &str = "u.id, u.crm, u.crm_user_id, u.name, u.email, u.role, u.role_checked_at";

impl Store {
    /// The workspace's user with this CRM id, made (a member, name unknown) on their first call.
    pub async fn user_by_crm_id(
        &self,
        workspace: &WorkspaceId,
        crm: Crm,
        crm_user_id: &str,
        now: i64,
    ) -> Result<UserRow, sqlx::Error> {
        let select =
            format!("SELECT {USER_COLUMNS} FROM users WHERE workspace_id = $1 AND crm = $2 AND crm_user_id = $3");
        if let Some(row) = sqlx::query(&select)
            .bind(workspace.as_str())
            .bind(crm.as_str())
            .bind(crm_user_id)
            .fetch_optional(&mut *self.read().await?)
            .await?
        {
            return user(&row);
        }
        sqlx::query(
            "INSERT INTO users (id, workspace_id, crm, crm_user_id, name, email, role, role_checked_at, created_at)
             VALUES ($1, $2, $3, $4, '', NULL, 'member', NULL, $5) ON CONFLICT DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(workspace.as_str())
        .bind(crm.as_str())
        .bind(crm_user_id)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        self.identities_changed();
        let row = sqlx::query(&select)
            .bind(workspace.as_str())
            .bind(crm.as_str())
            .bind(crm_user_id)
            .fetch_one(&mut *self.write().await?)
            .await?;
        user(&row)
    }

    /// The workspace a CRM account was admitted into and, if they called before, its user with this CRM id: what
    /// every call of a CRM user needs, in one read (on SQLite, from memory while nothing changed: see
    /// `identities`). `None` when the account is not admitted.
    pub async fn account_user(
        &self,
        crm: Crm,
        account_id: &str,
        crm_user_id: &str,
    ) -> Result<Option<(WorkspaceId, Option<UserRow>)>, sqlx::Error> {
        let Some(identities) = &self.identities else {
            return self.read_account_user(crm, account_id, crm_user_id).await;
        };
        if let Some((workspace, user)) = identities.get(crm, account_id, crm_user_id) {
            return Ok(Some((workspace, Some(user))));
        }
        let mark = identities.mark();
        let found = self.read_account_user(crm, account_id, crm_user_id).await?;
        if let Some((workspace, Some(user))) = &found {
            identities.keep(mark, crm, account_id, crm_user_id, (workspace.clone(), user.clone()));
        }
        Ok(found)
    }

    async fn read_account_user(
        &self,
        crm: Crm,
        account_id: &str,
        crm_user_id: &str,
    ) -> Result<Option<(WorkspaceId, Option<UserRow>)>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT a.workspace_id, {USER_COLUMNS_OF_U}
             FROM crm_accounts a
             LEFT JOIN users u ON u.workspace_id = a.workspace_id AND u.crm = a.crm AND u.crm_user_id = $3
             WHERE a.crm = $1 AND a.account_id = $2"
        ))
        .bind(crm.as_str())
        .bind(account_id)
        .bind(crm_user_id)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let workspace = WorkspaceId::from_row(&row, "workspace_id")?;
        let known = row.try_get::<Option<String>, _>("id")?.is_some();
        Ok(Some((workspace, if known { Some(user(&row)?) } else { None })))
    }

    /// A user of the workspace by Sidechat's id.
    pub async fn user_by_id(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE workspace_id = $1 AND id = $2"))
            .bind(workspace.as_str())
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?
            .as_ref()
            .map(user)
            .transpose()
    }

    /// Every user of a workspace, by name.
    pub async fn workspace_users(&self, workspace: &WorkspaceId) -> Result<Vec<UserRow>, sqlx::Error> {
        sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE workspace_id = $1 ORDER BY LOWER(name), id"))
            .bind(workspace.as_str())
            .fetch_all(&mut *self.read().await?)
            .await?
            .iter()
            .map(user)
            .collect()
    }

    /// Records what the CRM says of a user now (name, email, role), made if new; answers the user.
    pub async fn save_user_profile(
        &self,
        workspace: &WorkspaceId,
        crm: Crm,
        crm_user_id: &str,
        profile: &UserProfile,
        now: i64,
    ) -> Result<UserRow, sqlx::Error> {
        let existing = self.user_by_crm_id(workspace, crm, crm_user_id, now).await?;
        sqlx::query(
            "UPDATE users SET name = $1, email = $2, role = $3, role_checked_at = $4 WHERE workspace_id = $5 AND id = $6",
        )
        .bind(&profile.name)
        .bind(&profile.email)
        .bind(role_name(profile.role))
        .bind(now)
        .bind(workspace.as_str())
        .bind(&existing.id)
        .execute(&mut *self.write().await?)
        .await?;
        self.identities_changed();
        Ok(UserRow {
            name: profile.name.clone(),
            email: profile.email.clone(),
            role: profile.role,
            role_checked_at: Some(now),
            ..existing
        })
    }

    /// Stores (or replaces) a user's sealed CRM tokens.
    pub async fn save_tokens(
        &self,
        workspace: &WorkspaceId,
        user_id: &str,
        tokens: &SealedTokens,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO crm_tokens (workspace_id, user_id, access_token, refresh_token, api_domain, expires_at, updated_at,
                 accounts_server)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (workspace_id, user_id) DO UPDATE SET access_token = excluded.access_token,
                 refresh_token = excluded.refresh_token, api_domain = excluded.api_domain,
                 expires_at = excluded.expires_at, updated_at = excluded.updated_at,
                 accounts_server = excluded.accounts_server",
        )
        .bind(workspace.as_str())
        .bind(user_id)
        .bind(&tokens.access_token)
        .bind(&tokens.refresh_token)
        .bind(&tokens.api_domain)
        .bind(tokens.expires_at)
        .bind(now)
        .bind(&tokens.accounts_server)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// A user's sealed CRM tokens, if they connected their account.
    pub async fn tokens(&self, workspace: &WorkspaceId, user_id: &str) -> Result<Option<SealedTokens>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT access_token, refresh_token, api_domain, expires_at, accounts_server FROM crm_tokens
             WHERE workspace_id = $1 AND user_id = $2",
        )
        .bind(workspace.as_str())
        .bind(user_id)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        row.map(|row| {
            Ok(SealedTokens {
                access_token: row.try_get("access_token")?,
                refresh_token: row.try_get("refresh_token")?,
                api_domain: row.try_get("api_domain")?,
                expires_at: row.try_get("expires_at")?,
                accounts_server: row.try_get("accounts_server")?,
            })
        })
        .transpose()
    }

    /// Forgets a user's CRM tokens (they uninstalled the app). True if there were any.
    pub async fn delete_tokens(&self, workspace: &WorkspaceId, user_id: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM crm_tokens WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace.as_str())
            .bind(user_id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every user's sealed CRM tokens, for `secrets rotate`: (workspace, user id, CRM, access, refresh).
    pub async fn sealed_crm_tokens(&self) -> Result<Vec<(WorkspaceId, String, String, String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT t.workspace_id, t.user_id, u.crm, t.access_token, t.refresh_token
             FROM crm_tokens t JOIN users u ON u.id = t.user_id AND u.workspace_id = t.workspace_id",
        )
        .fetch_all(&mut *self.read().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    WorkspaceId::from_row(row, "workspace_id")?,
                    row.try_get("user_id")?,
                    row.try_get("crm")?,
                    row.try_get("access_token")?,
                    row.try_get("refresh_token")?,
                ))
            })
            .collect()
    }

    /// Replaces a user's sealed tokens with the same tokens sealed anew, unless they changed meanwhile (a refresh
    /// sealed new ones with the current key already). True if replaced.
    pub async fn reseal_crm_tokens(
        &self,
        workspace: &WorkspaceId,
        user_id: &str,
        (old_access, old_refresh): (&str, &str),
        (access, refresh): (&str, &str),
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE crm_tokens SET access_token = $1, refresh_token = $2
             WHERE workspace_id = $3 AND user_id = $4 AND access_token = $5 AND refresh_token = $6",
        )
        .bind(access)
        .bind(refresh)
        .bind(workspace.as_str())
        .bind(user_id)
        .bind(old_access)
        .bind(old_refresh)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
