//! Accepting a send: the idempotency key and the queued message are stored in one transaction, so the same key
//! never makes a second message, and a message is never queued without its key.

use sidechat_domain::E164;
use sidechat_domain::wire::{Author, DeliveryStatus, Direction};
use sqlx::{Executor, Row};

use super::attachments::AttachmentMeta;
use super::messages::MessageRow;
use super::workspaces::WorkspaceId;
use super::{Backend, Store};

/// An outbound message to store as queued.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    /// The user who sends it.
    pub author: Author,
    /// The relay's id for it.
    pub id: String,
    /// The business sender's id.
    pub sender_id: String,
    /// The business number.
    pub business_phone: E164,
    /// The customer's number.
    pub contact: E164,
    /// The text.
    pub body: String,
    /// For a template send: its JSON.
    pub template: Option<String>,
    /// Stored attachments to send, in order.
    pub attachments: Vec<AttachmentMeta>,
    /// When it was accepted (ms).
    pub now: i64,
}

impl NewOutbound {
    /// The message as [`Store::accept_outbound`] stores it: queued, no attempt yet.
    fn queued_row(&self, workspace: &WorkspaceId) -> MessageRow {
        MessageRow {
            workspace: workspace.clone(),
            author: Some(self.author.clone()),
            id: self.id.clone(),
            direction: Direction::Out,
            sender_id: self.sender_id.clone(),
            business_phone: self.business_phone.clone(),
            contact: self.contact.clone(),
            body: self.body.clone(),
            template: self.template.clone(),
            status: DeliveryStatus::Queued,
            error_code: None,
            error_message: None,
            provider_id: None,
            created_at: self.now,
            attempts: 0,
            attachments: self.attachments.clone(),
        }
    }
}

/// The result of accepting a send under an idempotency key.
#[derive(Debug)]
pub enum Accepted {
    /// A new message, queued.
    Created(MessageRow),
    /// The key was used before with the same request: that message.
    Existing(MessageRow),
    /// The key was used before with another request.
    Conflict,
}

/// The parameter number of the first attached file's id in the accepting statements.
const FIRST_FILE: usize = 12;

/// SQLite: the accepting transaction as one batch. `changes()` is what the statement before changed: the message is
/// inserted only when the key was, and each file only when what came before it was. The message's insert returns
/// its id: the batch's count of changed rows cannot tell, as SQLite repeats the last count for `BEGIN` and `COMMIT`.
fn sqlite_insert_outbound(files: usize) -> String {
    let mut sql = String::from(
        "BEGIN;
         INSERT INTO idempotency_keys (workspace_id, idempotency_key, request_hash, message_id, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING;
         INSERT INTO messages (workspace_id, id, direction, sender_id, business_phone, contact, body, template,
                 status, author_id, created_at, updated_at, attempts, next_attempt_at)
             SELECT $1, $4, 'out', $6, $7, $8, $9, $10, 'queued', $11, $5, $5, 0, $5 WHERE changes() = 1 RETURNING id;",
    );
    for position in 0..files {
        sql.push_str(&format!(
            "\n         INSERT INTO message_attachments (workspace_id, message_id, position, attachment_id)
             SELECT $1, $4, {position}, ${} WHERE changes() = 1;",
            FIRST_FILE + position
        ));
    }
    sql.push_str("\n         COMMIT;");
    sql
}

/// PostgreSQL: the accepting transaction as one statement; each part inserts from what the one before returned.
/// Answers `created`: 1, or 0 when the key was taken.
fn postgres_insert_outbound(files: usize) -> String {
    let files = if files == 0 {
        String::new()
    } else {
        let rows: Vec<String> =
            (0..files).map(|position| format!("({position}::BIGINT, ${})", FIRST_FILE + position)).collect();
        format!(
            ", files AS (INSERT INTO message_attachments (workspace_id, message_id, position, attachment_id)
                  SELECT $1, message.id, file.column1, file.column2 FROM message, (VALUES {}) AS file)",
            rows.join(", ")
        )
    };
    format!(
        "WITH key AS (INSERT INTO idempotency_keys (workspace_id, idempotency_key, request_hash, message_id, created_at)
                  VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING message_id),
              message AS (INSERT INTO messages (workspace_id, id, direction, sender_id, business_phone, contact, body,
                      template, status, author_id, created_at, updated_at, attempts, next_attempt_at)
                  SELECT $1, message_id, 'out', $6, $7, $8, $9, $10, 'queued', $11, $5, $5, 0, $5 FROM key
                  RETURNING id){files}
         SELECT COUNT(*) AS created FROM message"
    )
}

impl Store {
    /// Stores an outbound message as queued under a workspace's idempotency key, unless the key was used already.
    pub async fn accept_outbound(
        &self,
        workspace: &WorkspaceId,
        key: &str,
        request_hash: &str,
        new: &NewOutbound,
    ) -> Result<Accepted, sqlx::Error> {
        if self.insert_outbound(workspace, key, request_hash, new).await? {
            return Ok(Accepted::Created(new.queued_row(workspace)));
        }
        // The key was taken: by this same request (a retry) or by another one.
        let (hash, message) = self.idempotent_message(workspace, key).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok(if hash == request_hash { Accepted::Existing(message) } else { Accepted::Conflict })
    }

    /// Claims the idempotency key and stores the message queued, in one transaction sent to the database in one
    /// piece; false if the key was taken.
    ///
    /// It runs as a task of its own, to its end even if the caller goes away: on SQLite the transaction is a
    /// batch of statements, and a batch cut short by a failing statement leaves its transaction open until the
    /// `ROLLBACK` here.
    async fn insert_outbound(
        &self,
        workspace: &WorkspaceId,
        key: &str,
        request_hash: &str,
        new: &NewOutbound,
    ) -> Result<bool, sqlx::Error> {
        let (store, new, workspace) = (self.clone(), new.clone(), workspace.clone());
        let (key, request_hash) = (key.to_owned(), request_hash.to_owned());
        let task = tokio::spawn(async move {
            let files = new.attachments.len();
            let sql = match store.backend {
                Backend::Sqlite => sqlite_insert_outbound(files),
                Backend::Postgres => postgres_insert_outbound(files),
            };
            let mut query = sqlx::query(&sql)
                .bind(workspace.as_str())
                .bind(&key)
                .bind(&request_hash)
                .bind(&new.id)
                .bind(new.now)
                .bind(&new.sender_id)
                .bind(new.business_phone.as_str())
                .bind(new.contact.as_str())
                .bind(&new.body)
                .bind(&new.template)
                .bind(&new.author.id);
            for file in &new.attachments {
                query = query.bind(&file.id);
            }
            let mut writer = store.write().await?;
            match store.backend {
                // The message's insert answers its id; none when the key was taken.
                Backend::Sqlite => match query.fetch_all(&mut *writer).await {
                    Ok(rows) => Ok(!rows.is_empty()),
                    Err(error) => {
                        // Fails too when the batch failed before its BEGIN: then there is nothing to roll back.
                        let _ = writer.execute("ROLLBACK").await;
                        Err(error)
                    }
                },
                Backend::Postgres => query.fetch_one(&mut *writer).await?.try_get::<i64, _>("created").map(|n| n > 0),
            }
        });
        task.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// The message an idempotency key already made in a workspace, with the request's hash.
    pub async fn idempotent_message(
        &self,
        workspace: &WorkspaceId,
        key: &str,
    ) -> Result<Option<(String, MessageRow)>, sqlx::Error> {
        const SQL: &str =
            "SELECT request_hash, message_id FROM idempotency_keys WHERE workspace_id = $1 AND idempotency_key = $2";
        let found: Option<(String, String)> = match &self.inline {
            Some(inline) => inline.read(|connection| {
                use rusqlite::OptionalExtension;
                connection
                    .prepare_cached(SQL)?
                    .query_row(rusqlite::named_params! {"$1": workspace.as_str(), "$2": key}, |row| {
                        Ok((row.get(0)?, row.get(1)?))
                    })
                    .optional()
            })?,
            None => {
                let row = sqlx::query(SQL)
                    .bind(workspace.as_str())
                    .bind(key)
                    .fetch_optional(&mut *self.read().await?)
                    .await?;
                row.map(|row| Ok::<_, sqlx::Error>((row.try_get("request_hash")?, row.try_get("message_id")?)))
                    .transpose()?
            }
        };
        let Some((hash, id)) = found else { return Ok(None) };
        Ok(self.message(workspace, &id).await?.map(|message| (hash, message)))
    }
}
