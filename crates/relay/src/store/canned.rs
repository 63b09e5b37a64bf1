//! Canned texts, per workspace, each with its owner (none for texts older than workspaces).

use sidechat_domain::wire::Author;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;
use super::workspaces::WorkspaceId;

/// A stored canned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedRow {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its module.
    pub module: String,
    /// Its body.
    pub body: String,
    /// Who created it; `None` for texts older than workspaces.
    pub owner: Option<Author>,
}

const COLUMNS: &str =
    "id, name, module, body, owner_id, (SELECT u.name FROM users u WHERE u.id = canned_texts.owner_id) AS owner_name";

fn canned(row: AnyRow) -> Result<CannedRow, sqlx::Error> {
    let owner_id: Option<String> = row.try_get("owner_id")?;
    let owner_name: Option<String> = row.try_get("owner_name")?;
    Ok(CannedRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        module: row.try_get("module")?,
        body: row.try_get("body")?,
        owner: owner_id.map(|id| Author { id, name: owner_name.unwrap_or_default() }),
    })
}

impl Store {
    /// A workspace's canned texts, optionally of one module and whose name contains `query` (any case), by name.
    pub async fn list_canned_texts(
        &self,
        workspace: &WorkspaceId,
        module: Option<&str>,
        query: Option<&str>,
    ) -> Result<Vec<CannedRow>, sqlx::Error> {
        let pattern = query
            .map(|q| format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM canned_texts
             WHERE workspace_id = $1 AND ($2 IS NULL OR module = $2) AND ($3 IS NULL OR LOWER(name) LIKE $3 ESCAPE '\\')
             ORDER BY LOWER(name), id"
        ))
        .bind(workspace.as_str())
        .bind(module)
        .bind(pattern)
        .fetch_all(&mut *self.read().await?)
        .await?
        .into_iter()
        .map(canned)
        .collect()
    }

    /// One of a workspace's canned texts.
    pub async fn canned_text(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<CannedRow>, sqlx::Error> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM canned_texts WHERE workspace_id = $1 AND id = $2"))
            .bind(workspace.as_str())
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?
            .map(canned)
            .transpose()
    }

    /// Stores a new canned text, owned by `row.owner`.
    pub async fn insert_canned_text(
        &self,
        workspace: &WorkspaceId,
        row: &CannedRow,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO canned_texts (workspace_id, id, owner_id, name, module, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(workspace.as_str())
        .bind(&row.id)
        .bind(row.owner.as_ref().map(|owner| owner.id.as_str()))
        .bind(&row.name)
        .bind(&row.module)
        .bind(&row.body)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Changes a canned text's name and body (its module and owner never change). False if the workspace has
    /// no such text.
    pub async fn update_canned_text(
        &self,
        workspace: &WorkspaceId,
        row: &CannedRow,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE canned_texts SET name = $1, body = $2, updated_at = $3 WHERE workspace_id = $4 AND id = $5",
        )
        .bind(&row.name)
        .bind(&row.body)
        .bind(now)
        .bind(workspace.as_str())
        .bind(&row.id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a canned text. False if the workspace has no such text.
    pub async fn delete_canned_text(&self, workspace: &WorkspaceId, id: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM canned_texts WHERE workspace_id = $1 AND id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
