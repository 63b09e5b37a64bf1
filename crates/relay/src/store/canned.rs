//! Canned texts, per company.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::Store;

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
}

fn canned(row: AnyRow) -> Result<CannedRow, sqlx::Error> {
    Ok(CannedRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        module: row.try_get("module")?,
        body: row.try_get("body")?,
    })
}

impl Store {
    /// A company's canned texts, optionally of one module and whose name contains `query` (any case), by name.
    pub async fn list_canned_texts(
        &self,
        company: &str,
        module: Option<&str>,
        query: Option<&str>,
    ) -> Result<Vec<CannedRow>, sqlx::Error> {
        let pattern = query
            .map(|q| format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
        sqlx::query(
            "SELECT id, name, module, body FROM canned_texts
             WHERE company = $1 AND ($2 IS NULL OR module = $2) AND ($3 IS NULL OR LOWER(name) LIKE $3 ESCAPE '\\')
             ORDER BY LOWER(name), id",
        )
        .bind(company)
        .bind(module)
        .bind(pattern)
        .fetch_all(&mut *self.read().await?)
        .await?
        .into_iter()
        .map(canned)
        .collect()
    }

    /// One of a company's canned texts.
    pub async fn canned_text(&self, company: &str, id: &str) -> Result<Option<CannedRow>, sqlx::Error> {
        sqlx::query("SELECT id, name, module, body FROM canned_texts WHERE company = $1 AND id = $2")
            .bind(company)
            .bind(id)
            .fetch_optional(&mut *self.read().await?)
            .await?
            .map(canned)
            .transpose()
    }

    /// Stores a new canned text.
    pub async fn insert_canned_text(&self, company: &str, row: &CannedRow, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO canned_texts (id, company, name, module, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&row.id)
        .bind(company)
        .bind(&row.name)
        .bind(&row.module)
        .bind(&row.body)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Changes a canned text's name and body (its module never changes). False if the company has no such text.
    pub async fn update_canned_text(&self, company: &str, row: &CannedRow, now: i64) -> Result<bool, sqlx::Error> {
        let done =
            sqlx::query("UPDATE canned_texts SET name = $1, body = $2, updated_at = $3 WHERE company = $4 AND id = $5")
                .bind(&row.name)
                .bind(&row.body)
                .bind(now)
                .bind(company)
                .bind(&row.id)
                .execute(&mut *self.write().await?)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a canned text. False if the company has no such text.
    pub async fn delete_canned_text(&self, company: &str, id: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM canned_texts WHERE company = $1 AND id = $2")
            .bind(company)
            .bind(id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
