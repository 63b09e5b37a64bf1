//! Workspaces, the CRM accounts admitted into them, and their settings.
//!
//! A [`WorkspaceId`] is the scope every store function of a workspace's data takes. Only the store makes one,
//! from a row: a handler gets it from the verified caller, a worker from the row it claimed.

use std::fmt;

use sidechat_domain::Crm;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, named};

/// The id of one workspace: the scope of every query on its data.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceId(String);

impl WorkspaceId {
    /// The id as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id read from a row.
    pub(super) fn from_row(row: &AnyRow, column: &str) -> Result<Self, sqlx::Error> {
        row.try_get(column).map(Self)
    }

    /// An id the relay wrote itself (in a signed link it made, a ticket it issued).
    pub(crate) fn trusted(raw: String) -> Self {
        Self(raw)
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A workspace's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Its id.
    pub id: WorkspaceId,
    /// Its name.
    pub name: String,
    /// Its IANA time zone.
    pub time_zone: String,
    /// Whether the relay's own WhatsApp settings serve it.
    pub is_operator: bool,
}

fn workspace(row: &AnyRow) -> Result<Workspace, sqlx::Error> {
    Ok(Workspace {
        id: WorkspaceId::from_row(row, "id")?,
        name: row.try_get("name")?,
        time_zone: row.try_get("time_zone")?,
        is_operator: row.try_get::<i64, _>("is_operator")? == 1,
    })
}

/// A company that installed Sidechat before workspaces existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyInstallation {
    /// Its CRM.
    pub crm: Crm,
    /// The CRM's company id.
    pub company_id: String,
    /// Where its API lives.
    pub api_domain: Option<String>,
}

impl Store {
    /// The operator workspace (made by the migration that introduced workspaces).
    pub async fn operator_workspace(&self) -> Result<Workspace, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, time_zone, is_operator FROM workspaces WHERE is_operator = 1")
            .fetch_one(&mut *self.read().await?)
            .await?;
        workspace(&row)
    }

    /// A workspace's settings.
    pub async fn workspace(&self, id: &WorkspaceId) -> Result<Workspace, sqlx::Error> {
        let row = sqlx::query("SELECT id, name, time_zone, is_operator FROM workspaces WHERE id = $1")
            .bind(id.as_str())
            .fetch_one(&mut *self.read().await?)
            .await?;
        workspace(&row)
    }

    /// Changes a workspace's name and time zone, as its admin chose them.
    pub async fn update_workspace(&self, id: &WorkspaceId, name: &str, time_zone: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE workspaces SET name = $1, time_zone = $2, crm_defaults = 0 WHERE id = $3")
            .bind(name)
            .bind(time_zone)
            .bind(id.as_str())
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Takes the name and time zone a connecting admin's CRM gives, unless an admin already chose them; true if
    /// it did.
    pub async fn adopt_crm_defaults(&self, id: &WorkspaceId, name: &str, time_zone: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE workspaces SET name = $1, time_zone = $2 WHERE id = $3 AND crm_defaults = 1")
            .bind(name)
            .bind(time_zone)
            .bind(id.as_str())
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The workspace a CRM account was admitted into, if it was.
    pub async fn account_workspace(&self, crm: Crm, account_id: &str) -> Result<Option<WorkspaceId>, sqlx::Error> {
        let row = sqlx::query("SELECT workspace_id FROM crm_accounts WHERE crm = $1 AND account_id = $2")
            .bind(crm.as_str())
            .bind(account_id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        row.map(|row| WorkspaceId::from_row(&row, "workspace_id")).transpose()
    }

    /// How many CRM accounts are admitted.
    pub async fn count_accounts(&self) -> Result<i64, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM crm_accounts").fetch_one(&mut *self.read().await?).await?;
        row.try_get("n")
    }

    /// Admits a CRM account: into the operator workspace when `operator` is set and that workspace has no
    /// account of this CRM yet, else into a new workspace named `name` in `time_zone`. Answers the account's
    /// workspace (the one it already had, if it was admitted before).
    pub async fn admit_account(
        &self,
        crm: Crm,
        account_id: &str,
        api_domain: Option<&str>,
        operator: bool,
        (name, time_zone): (&str, &str),
        now: i64,
    ) -> Result<WorkspaceId, sqlx::Error> {
        if let Some(existing) = self.account_workspace(crm, account_id).await? {
            return Ok(existing);
        }
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        let operator_free = operator
            && sqlx::query(
                "SELECT 1 AS taken FROM crm_accounts a JOIN workspaces w ON w.id = a.workspace_id
                 WHERE w.is_operator = 1 AND a.crm = $1",
            )
            .bind(crm.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .is_none();
        let workspace_id = if operator_free {
            let row = sqlx::query("SELECT id FROM workspaces WHERE is_operator = 1").fetch_one(&mut *tx).await?;
            WorkspaceId::from_row(&row, "id")?
        } else {
            let id = WorkspaceId(uuid::Uuid::now_v7().to_string());
            sqlx::query(
                "INSERT INTO workspaces (id, name, time_zone, is_operator, crm_defaults, created_at)
                 VALUES ($1, $2, $3, 0, 1, $4)",
            )
            .bind(id.as_str())
            .bind(name)
            .bind(time_zone)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        };
        let inserted = sqlx::query(
            "INSERT INTO crm_accounts (crm, account_id, workspace_id, api_domain, admitted_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(crm.as_str())
        .bind(account_id)
        .bind(workspace_id.as_str())
        .bind(api_domain)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            // Admitted meanwhile by another request: that admission stands.
            tx.rollback().await?;
            drop(writer);
            return self.account_workspace(crm, account_id).await?.ok_or(sqlx::Error::RowNotFound);
        }
        tx.commit().await?;
        self.identities_changed();
        Ok(workspace_id)
    }

    /// Companies that installed before workspaces and are not admitted yet.
    pub async fn pending_legacy_installations(&self) -> Result<Vec<LegacyInstallation>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT l.crm, l.company_id, l.api_domain FROM legacy_installations l
             WHERE NOT EXISTS (SELECT 1 FROM crm_accounts a WHERE a.crm = l.crm AND a.account_id = l.company_id)
             ORDER BY l.installed_at, l.company_id",
        )
        .fetch_all(&mut *self.read().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LegacyInstallation {
                    crm: named(row, "crm", Crm::parse)?,
                    company_id: row.try_get("company_id")?,
                    api_domain: row.try_get("api_domain")?,
                })
            })
            .collect()
    }

    /// Moves the canned texts a company kept before workspaces into its workspace (they were all placed in the
    /// operator's by the migration), and marks every text of that company as settled.
    pub async fn settle_legacy_canned_texts(
        &self,
        legacy_company: &str,
        workspace: &WorkspaceId,
    ) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query("UPDATE canned_texts SET workspace_id = $1, legacy_company = NULL WHERE legacy_company = $2")
                .bind(workspace.as_str())
                .bind(legacy_company)
                .execute(&mut *self.write().await?)
                .await?;
        Ok(done.rows_affected())
    }
}
