//! All SQL lives here. One schema for SQLite (the default) and PostgreSQL, through sqlx's `Any` driver, so the
//! same queries and the same tests run on both.
//!
//! Durability: SQLite runs in WAL mode with `synchronous=NORMAL`: a committed transaction survives the process
//! being killed (`kill -9`); a power loss may lose the last transactions committed before it (never corrupting
//! the file). PostgreSQL keeps its own settings (by default every commit is flushed).

mod attachments;
mod canned;
mod installations;
mod messages;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use attachments::AttachmentMeta;
pub use attachments::StoredAttachment;
pub use canned::CannedRow;
pub use installations::Installation;
pub use messages::{Accepted, InboundMessage, MessageRow, NewOutbound, OutboxItem, SendOutcome};

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// The relay's database.
///
/// Writes go through `writer`: on SQLite a single connection, so writers queue in the relay instead of
/// contending for SQLite's lock (whose busy handler sleeps for milliseconds at a time); reads use `pool`,
/// which WAL mode lets run beside the writer. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects (creating a SQLite file that does not exist yet) and applies the migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") { Backend::Sqlite } else { Backend::Postgres };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).context("reading SIDECHAT_DATABASE_URL")?;
        let writer = Self::pool(backend, if backend == Backend::Sqlite { 1 } else { 16 }, &options).await?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&writer).await.context("applying database migrations")?;
        let pool = match backend {
            Backend::Sqlite => Self::pool(backend, 8, &options).await?,
            Backend::Postgres => writer.clone(),
        };
        Ok(Self { pool, writer, backend })
    }

    async fn pool(backend: Backend, connections: u32, options: &AnyConnectOptions) -> anyhow::Result<AnyPool> {
        AnyPoolOptions::new()
            .max_connections(connections)
            // Open every connection at start, not on the first requests' time.
            .min_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection.execute("PRAGMA journal_mode = WAL").await?;
                        connection.execute("PRAGMA synchronous = NORMAL").await?;
                        connection.execute("PRAGMA busy_timeout = 10000").await?;
                        connection.execute("PRAGMA foreign_keys = ON").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options.clone())
            .await
            .context("connecting to the database (SIDECHAT_DATABASE_URL)")
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// Milliseconds since the epoch, the store's unit of time.
pub fn millis(at: jiff::Timestamp) -> i64 {
    at.as_millisecond()
}

/// The inverse of [`millis`].
pub fn timestamp(millis: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}
