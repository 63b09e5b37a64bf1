//! CRM companies that installed Sidechat, and their API credentials.

use sqlx::Row;

use super::Store;

/// A company's installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    /// `pipedrive` or `zoho`.
    pub crm: String,
    /// The CRM's company id.
    pub company_id: String,
    /// The OAuth access token.
    pub access_token: Option<String>,
    /// The OAuth refresh token.
    pub refresh_token: Option<String>,
    /// Where the company's API lives (`https://acme.pipedrive.com`).
    pub api_domain: Option<String>,
    /// When the access token expires (ms).
    pub token_expires_at: Option<i64>,
}

impl Store {
    /// Records (or renews) a company's installation.
    pub async fn upsert_installation(&self, installation: &Installation, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO installations (crm, company_id, access_token, refresh_token, api_domain, token_expires_at, installed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (crm, company_id) DO UPDATE SET access_token = excluded.access_token,
                 refresh_token = excluded.refresh_token, api_domain = excluded.api_domain,
                 token_expires_at = excluded.token_expires_at",
        )
        .bind(&installation.crm)
        .bind(&installation.company_id)
        .bind(&installation.access_token)
        .bind(&installation.refresh_token)
        .bind(&installation.api_domain)
        .bind(installation.token_expires_at)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// A company's installation, if it completed one.
    pub async fn installation(&self, crm: &str, company_id: &str) -> Result<Option<Installation>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT crm, company_id, access_token, refresh_token, api_domain, token_expires_at
             FROM installations WHERE crm = $1 AND company_id = $2",
        )
        .bind(crm)
        .bind(company_id)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        row.map(|row| {
            Ok(Installation {
                crm: row.try_get("crm")?,
                company_id: row.try_get("company_id")?,
                access_token: row.try_get("access_token")?,
                refresh_token: row.try_get("refresh_token")?,
                api_domain: row.try_get("api_domain")?,
                token_expires_at: row.try_get("token_expires_at")?,
            })
        })
        .transpose()
    }
}
