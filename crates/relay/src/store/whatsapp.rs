//! The workspaces' WhatsApp connections and their numbers. Tokens are stored sealed (the store never sees them in
//! the clear); a number belongs to at most one connection of the whole relay, which is how a Cloud API webhook
//! finds its workspace.

use sidechat_domain::wire::Author;
use sidechat_domain::{E164, Provider};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::workspaces::WorkspaceId;
use super::{Store, named};

/// A connection in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRow {
    /// Its id.
    pub id: String,
    /// Whose it is.
    pub workspace: WorkspaceId,
    /// Which provider carries it.
    pub provider: Provider,
    /// Its name for people.
    pub label: String,
    /// Whether the relay's settings configure it (its token lives there).
    pub from_settings: bool,
    /// The Cloud API's business account.
    pub waba_id: Option<String>,
    /// The provider token, sealed for [`ConnectionRow::secret_context`].
    pub secret: Option<String>,
    /// The token's last four characters.
    pub secret_hint: Option<String>,
    /// TimelinesAI's webhook path secret, sealed for [`ConnectionRow::webhook_context`].
    pub webhook_secret: Option<String>,
    /// Who may send from its numbers; `None`: everyone in the workspace.
    pub allowed_users: Option<Vec<String>>,
    /// Who connected it.
    pub created_by: Option<Author>,
    /// When (ms).
    pub created_at: i64,
    /// When it last changed (ms): a provider client made for it is reused until then.
    pub updated_at: i64,
    /// Its numbers.
    pub numbers: Vec<NumberRow>,
}

impl ConnectionRow {
    /// What a connection's token is sealed for: it opens for no other row.
    pub fn secret_context(workspace: &WorkspaceId, id: &str) -> String {
        format!("whatsapp/{workspace}/{id}/token")
    }

    /// What a TimelinesAI connection's webhook secret is sealed for.
    pub fn webhook_context(workspace: &WorkspaceId, id: &str) -> String {
        format!("whatsapp/{workspace}/{id}/webhook")
    }

    /// Whether `user_id` may send from the connection's numbers.
    pub fn allows(&self, user_id: &str) -> bool {
        self.allowed_users.as_ref().is_none_or(|users| users.iter().any(|allowed| allowed == user_id))
    }
}

/// One number of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberRow {
    /// The provider's id for it.
    pub sender_id: String,
    /// The number.
    pub phone: E164,
    /// Its name for people.
    pub label: String,
}

impl NumberRow {
    /// The number as a sender of a `provider` connection.
    pub fn sender(&self, provider: Provider) -> sidechat_domain::wire::Sender {
        sidechat_domain::wire::Sender {
            id: self.sender_id.clone(),
            phone: self.phone.clone(),
            label: self.label.clone(),
            provider,
        }
    }
}

/// A connection to keep, its credentials checked and sealed.
#[derive(Debug, Clone)]
pub struct NewConnection {
    /// Its id (made by the caller, which sealed its secrets for it).
    pub id: String,
    /// Which provider carries it.
    pub provider: Provider,
    /// Its name for people.
    pub label: String,
    /// Whether the relay's settings configure it.
    pub from_settings: bool,
    /// The Cloud API's business account.
    pub waba_id: Option<String>,
    /// The sealed token.
    pub secret: Option<String>,
    /// The token's last four characters.
    pub secret_hint: Option<String>,
    /// The sealed webhook secret, and the SHA-256 (hex) webhooks are routed by.
    pub webhook: Option<(String, String)>,
    /// Its numbers.
    pub numbers: Vec<NumberRow>,
    /// The user who connected it.
    pub created_by: Option<String>,
}

/// Why a connection was not kept.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// One of its numbers is in another connection already.
    #[error("{0} is already connected")]
    NumberInUse(E164),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

const COLUMNS: &str = "c.id, c.workspace_id, c.provider, c.label, c.from_settings, c.waba_id, c.secret, c.secret_hint,
     c.webhook_secret, c.allowed_users, c.created_by, c.created_at, c.updated_at,
     (SELECT u.name FROM users u WHERE u.id = c.created_by) AS created_by_name";

fn provider(raw: &str) -> Option<Provider> {
    match raw {
        "cloud" => Some(Provider::Cloud),
        "timelines" => Some(Provider::Timelines),
        "sandbox" => Some(Provider::Sandbox),
        _ => None,
    }
}

/// The stored name of a provider.
pub fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Cloud => "cloud",
        Provider::Timelines => "timelines",
        Provider::Sandbox => "sandbox",
    }
}

fn connection(row: &AnyRow) -> Result<ConnectionRow, sqlx::Error> {
    let allowed: Option<String> = row.try_get("allowed_users")?;
    let allowed_users = allowed
        .map(|raw| serde_json::from_str::<Vec<String>>(&raw).map_err(|e| sqlx::Error::Decode(Box::new(e))))
        .transpose()?;
    let created_by: Option<String> = row.try_get("created_by")?;
    let created_by_name: Option<String> = row.try_get("created_by_name")?;
    Ok(ConnectionRow {
        id: row.try_get("id")?,
        workspace: WorkspaceId::from_row(row, "workspace_id")?,
        provider: named(row, "provider", provider)?,
        label: row.try_get("label")?,
        from_settings: row.try_get::<i64, _>("from_settings")? == 1,
        waba_id: row.try_get("waba_id")?,
        secret: row.try_get("secret")?,
        secret_hint: row.try_get("secret_hint")?,
        webhook_secret: row.try_get("webhook_secret")?,
        allowed_users,
        created_by: created_by.map(|id| Author { id, name: created_by_name.unwrap_or_default() }),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        numbers: Vec::new(),
    })
}

fn number(row: &AnyRow) -> Result<(String, NumberRow), sqlx::Error> {
    let phone: String = row.try_get("phone")?;
    Ok((
        row.try_get("connection_id")?,
        NumberRow {
            sender_id: row.try_get("sender_id")?,
            phone: E164::parse(&phone).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            label: row.try_get("label")?,
        },
    ))
}

impl Store {
    /// A workspace's connections in use, oldest first, with their numbers.
    pub async fn whatsapp_connections(&self, workspace: &WorkspaceId) -> Result<Vec<ConnectionRow>, sqlx::Error> {
        let mut reader = self.read().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM whatsapp_connections c
             WHERE c.workspace_id = $1 AND c.deleted_at IS NULL ORDER BY c.created_at, c.id"
        ))
        .bind(workspace.as_str())
        .fetch_all(&mut *reader)
        .await?;
        let mut connections = rows.iter().map(connection).collect::<Result<Vec<_>, _>>()?;
        let numbers = sqlx::query(
            "SELECT connection_id, sender_id, phone, label FROM whatsapp_numbers WHERE workspace_id = $1
             ORDER BY connection_id, phone",
        )
        .bind(workspace.as_str())
        .fetch_all(&mut *reader)
        .await?;
        for row in &numbers {
            let (connection_id, number) = number(row)?;
            if let Some(connection) = connections.iter_mut().find(|c| c.id == connection_id) {
                connection.numbers.push(number);
            }
        }
        Ok(connections)
    }

    /// One of a workspace's connections in use.
    pub async fn whatsapp_connection(
        &self,
        workspace: &WorkspaceId,
        id: &str,
    ) -> Result<Option<ConnectionRow>, sqlx::Error> {
        Ok(self.whatsapp_connections(workspace).await?.into_iter().find(|c| c.id == id))
    }

    /// The connection in use that has the Cloud API number `phone_number_id`, whichever workspace's it is.
    pub async fn whatsapp_connection_of_number(&self, sender_id: &str) -> Result<Option<ConnectionRow>, sqlx::Error> {
        let row = sqlx::query("SELECT workspace_id, connection_id FROM whatsapp_numbers WHERE sender_id = $1")
            .bind(sender_id)
            .fetch_optional(&mut *self.read().await?)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let workspace = WorkspaceId::from_row(&row, "workspace_id")?;
        let id: String = row.try_get("connection_id")?;
        self.whatsapp_connection(&workspace, &id).await
    }

    /// The TimelinesAI connection in use whose webhook secret hashes to `key`, whichever workspace's it is.
    pub async fn whatsapp_connection_of_webhook(&self, key: &str) -> Result<Option<ConnectionRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT workspace_id, id FROM whatsapp_connections WHERE webhook_key = $1 AND deleted_at IS NULL",
        )
        .bind(key)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let workspace = WorkspaceId::from_row(&row, "workspace_id")?;
        let id: String = row.try_get("id")?;
        self.whatsapp_connection(&workspace, &id).await
    }

    /// Every connection in use of one provider, across workspaces, for the workers that serve them all (status
    /// polling): each row carries its workspace.
    pub async fn whatsapp_connections_of(&self, provider: Provider) -> Result<Vec<ConnectionRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT DISTINCT workspace_id FROM whatsapp_connections WHERE provider = $1 AND deleted_at IS NULL",
        )
        .bind(provider_name(provider))
        .fetch_all(&mut *self.read().await?)
        .await?;
        let mut connections = Vec::new();
        for row in &rows {
            let workspace = WorkspaceId::from_row(row, "workspace_id")?;
            connections
                .extend(self.whatsapp_connections(&workspace).await?.into_iter().filter(|c| c.provider == provider));
        }
        Ok(connections)
    }

    /// Keeps a new connection and its numbers, unless one of them is in another connection already.
    pub async fn insert_whatsapp_connection(
        &self,
        workspace: &WorkspaceId,
        new: &NewConnection,
        now: i64,
    ) -> Result<ConnectionRow, ConnectError> {
        {
            let mut writer = self.write().await?;
            let mut tx = sqlx::Connection::begin(&mut *writer).await?;
            for number in &new.numbers {
                let taken = sqlx::query("SELECT 1 AS taken FROM whatsapp_numbers WHERE phone = $1 OR sender_id = $2")
                    .bind(number.phone.as_str())
                    .bind(&number.sender_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if taken.is_some() {
                    return Err(ConnectError::NumberInUse(number.phone.clone()));
                }
            }
            let (webhook_secret, webhook_key) = new.webhook.clone().unzip();
            sqlx::query(
                "INSERT INTO whatsapp_connections (id, workspace_id, provider, label, from_settings, waba_id, secret,
                     secret_hint, webhook_secret, webhook_key, allowed_users, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $12, $12)",
            )
            .bind(&new.id)
            .bind(workspace.as_str())
            .bind(provider_name(new.provider))
            .bind(&new.label)
            .bind(i64::from(new.from_settings))
            .bind(&new.waba_id)
            .bind(&new.secret)
            .bind(&new.secret_hint)
            .bind(webhook_secret)
            .bind(webhook_key)
            .bind(&new.created_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for number in &new.numbers {
                let inserted = sqlx::query(
                    "INSERT INTO whatsapp_numbers (workspace_id, connection_id, sender_id, phone, label)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(workspace.as_str())
                .bind(&new.id)
                .bind(&number.sender_id)
                .bind(number.phone.as_str())
                .bind(&number.label)
                .execute(&mut *tx)
                .await;
                match inserted {
                    // Taken meanwhile by another relay's connect.
                    Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                        return Err(ConnectError::NumberInUse(number.phone.clone()));
                    }
                    other => other?,
                };
            }
            tx.commit().await?;
        }
        self.whatsapp_connection(workspace, &new.id).await?.ok_or(ConnectError::Database(sqlx::Error::RowNotFound))
    }

    /// Renames a connection and sets who may send from it; `false` when the workspace has no such connection.
    pub async fn update_whatsapp_connection(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        label: &str,
        allowed_users: Option<&[String]>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let allowed = allowed_users.map(|users| serde_json::to_string(users).expect("a list of strings serializes"));
        let done = sqlx::query(
            "UPDATE whatsapp_connections SET label = $1, allowed_users = $2, updated_at = $3
             WHERE workspace_id = $4 AND id = $5 AND deleted_at IS NULL",
        )
        .bind(label)
        .bind(allowed)
        .bind(now)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Disconnects a connection: it leaves every list and its numbers are free again; its messages stay.
    /// `false` when the workspace has no such connection in use.
    pub async fn delete_whatsapp_connection(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        let done = sqlx::query(
            "UPDATE whatsapp_connections SET deleted_at = $1, updated_at = $1, secret = NULL, webhook_secret = NULL
             WHERE workspace_id = $2 AND id = $3 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM whatsapp_numbers WHERE workspace_id = $1 AND connection_id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces a connection's numbers (the provider's list changed, or the settings did). A number another
    /// connection holds is left out, and answered.
    pub async fn replace_whatsapp_numbers(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        numbers: &[NumberRow],
        now: i64,
    ) -> Result<Vec<E164>, sqlx::Error> {
        let mut writer = self.write().await?;
        let mut tx = sqlx::Connection::begin(&mut *writer).await?;
        sqlx::query("DELETE FROM whatsapp_numbers WHERE workspace_id = $1 AND connection_id = $2")
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut refused = Vec::new();
        for number in numbers {
            let inserted = sqlx::query(
                "INSERT INTO whatsapp_numbers (workspace_id, connection_id, sender_id, phone, label)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(workspace.as_str())
            .bind(id)
            .bind(&number.sender_id)
            .bind(number.phone.as_str())
            .bind(&number.label)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                refused.push(number.phone.clone());
            }
        }
        sqlx::query("UPDATE whatsapp_connections SET updated_at = $1 WHERE workspace_id = $2 AND id = $3")
            .bind(now)
            .bind(workspace.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(refused)
    }

    /// At start: makes the operator workspace's connection match the relay's settings. `None` (an open relay)
    /// disconnects an earlier one; another provider replaces it; the same provider gets the configured numbers
    /// and webhook key. Answers the connection's id, and the numbers left out because another connection has them.
    pub async fn settle_settings_connection(
        &self,
        workspace: &WorkspaceId,
        configured: Option<&NewConnection>,
        now: i64,
    ) -> Result<Option<(String, Vec<E164>)>, ConnectError> {
        let existing = self.whatsapp_connections(workspace).await?.into_iter().find(|c| c.from_settings);
        let Some(new) = configured else {
            if let Some(old) = existing {
                self.delete_whatsapp_connection(workspace, &old.id, now).await?;
            }
            return Ok(None);
        };
        match existing {
            Some(old) if old.provider == new.provider => {
                let webhook_key = new.webhook.as_ref().map(|(_, key)| key.clone());
                sqlx::query(
                    "UPDATE whatsapp_connections SET webhook_key = $1, waba_id = $2, secret_hint = $3
                     WHERE workspace_id = $4 AND id = $5",
                )
                .bind(webhook_key)
                .bind(&new.waba_id)
                .bind(&new.secret_hint)
                .bind(workspace.as_str())
                .bind(&old.id)
                .execute(&mut *self.write().await?)
                .await?;
                let refused = self.replace_whatsapp_numbers(workspace, &old.id, &new.numbers, now).await?;
                Ok(Some((old.id, refused)))
            }
            old => {
                if let Some(old) = old {
                    self.delete_whatsapp_connection(workspace, &old.id, now).await?;
                }
                let numbers = new.numbers.clone();
                let bare = NewConnection { numbers: Vec::new(), ..new.clone() };
                let connection = self.insert_whatsapp_connection(workspace, &bare, now).await?;
                let refused = self.replace_whatsapp_numbers(workspace, &connection.id, &numbers, now).await?;
                Ok(Some((connection.id, refused)))
            }
        }
    }

    /// Every sealed connection secret, for `secrets rotate`: (workspace, id, token, webhook secret).
    pub async fn sealed_connection_secrets(
        &self,
    ) -> Result<Vec<(WorkspaceId, String, Option<String>, Option<String>)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT workspace_id, id, secret, webhook_secret FROM whatsapp_connections
             WHERE secret IS NOT NULL OR webhook_secret IS NOT NULL",
        )
        .fetch_all(&mut *self.read().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    WorkspaceId::from_row(row, "workspace_id")?,
                    row.try_get("id")?,
                    row.try_get("secret")?,
                    row.try_get("webhook_secret")?,
                ))
            })
            .collect()
    }

    /// Replaces a connection's sealed secrets with the same secrets sealed anew (`secrets rotate`).
    pub async fn reseal_connection_secrets(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        secret: Option<&str>,
        webhook_secret: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE whatsapp_connections SET secret = $1, webhook_secret = $2
             WHERE workspace_id = $3 AND id = $4 AND deleted_at IS NULL",
        )
        .bind(secret)
        .bind(webhook_secret)
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }
}
