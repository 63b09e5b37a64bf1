//! All SQL lives here. One schema for SQLite (the default) and PostgreSQL, through sqlx's `Any` driver, so the
//! same queries and the same tests run on both.
//!
//! Durability: SQLite runs in WAL mode with `synchronous=NORMAL`: a committed transaction survives the process
//! being killed (`kill -9`); a power loss may lose the last transactions committed before it (never corrupting
//! the file). PostgreSQL keeps its own settings (by default every commit is flushed).

mod accept;
mod admin_log;
mod attachments;
mod canned;
mod connections;
mod conversation;
mod identities;
mod inline;
mod lifecycle;
mod messages;
mod outbox;
mod relays;
mod sessions;
mod tickets;
mod users;
mod whatsapp;
mod workspaces;

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, Connection, Executor};

use connections::{Connections, Lease};
use identities::Identities;
use inline::Inline;

pub use accept::{Accepted, NewOutbound};
pub use admin_log::AdminLogRow;
pub use attachments::{AttachmentMeta, Bytes, PendingMedia};
pub use canned::CannedRow;
pub use conversation::Before;
pub use lifecycle::{Removed, WorkspaceSummary};
pub use messages::{EarlyStatus, InboundMessage, MessageRow, StatusApplied};
pub use outbox::{Claimed, Earlier, OutboxItem, SendOutcome};
pub use relays::{ALIVE_MS, HEARTBEAT_MS, NewStream};
pub use sessions::{Claim, NewSignIn, SessionKind, SessionRow, SignInRow};
pub use tickets::{NewTicket, Redeemed};
pub use users::{SealedTokens, UserProfile, UserRow};
pub use whatsapp::{ConnectError, ConnectionRow, NewConnection, NumberRow, provider_name};
pub use workspaces::{LegacyInstallation, Workspace, WorkspaceId};

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
/// Writes go through `writes`: on SQLite a single connection, so writers queue in the relay instead of
/// contending for SQLite's lock (whose busy handler sleeps for milliseconds at a time); reads use `reads`,
/// which WAL mode lets run beside the writer. On PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Store {
    reads: Connections,
    writes: Connections,
    backend: Backend,
    /// On a SQLite file: who calls, kept in memory (see `identities`).
    identities: Option<Arc<Identities>>,
    /// On a SQLite file: the hottest read, run in place (see `inline`).
    inline: Option<Arc<Inline>>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// SQLite connections reading beside the writer.
const SQLITE_READERS: usize = 8;
/// PostgreSQL connections.
const POSTGRES_CONNECTIONS: u32 = 16;

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
        match backend {
            Backend::Sqlite => {
                let mut writer = open_sqlite(&options).await?;
                SQLITE_MIGRATIONS.run(&mut writer).await.context("applying database migrations")?;
                let mut readers = Vec::with_capacity(SQLITE_READERS);
                for _ in 0..SQLITE_READERS {
                    readers.push(open_sqlite(&options).await?);
                }
                let (reads, writes) = (Connections::held(readers), Connections::held(vec![writer]));
                let file = sqlite_file(&url);
                let identities = file.clone().map(|file| Arc::new(Identities::beside(file)));
                let inline = file.map(|file| Arc::new(Inline::of(file)));
                Ok(Self { reads, writes, backend, identities, inline })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    // Open every connection at start, not on the first requests' time.
                    .min_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .context("connecting to the database (SIDECHAT_DATABASE_URL)")?;
                POSTGRES_MIGRATIONS.run(&pool).await.context("applying database migrations")?;
                let connections = Connections::Pool(pool);
                Ok(Self { reads: connections.clone(), writes: connections, backend, identities: None, inline: None })
            }
        }
    }

    /// A connection for reading.
    async fn read(&self) -> Result<Lease, sqlx::Error> {
        self.reads.get().await
    }

    /// The connection for writing (on SQLite, the only one: writers wait their turn here).
    async fn write(&self) -> Result<Lease, sqlx::Error> {
        self.writes.get().await
    }

    /// What a claim's inner `SELECT` ends with: on PostgreSQL, rows another relay is claiming are skipped, not
    /// waited for; SQLite has one writer, and one relay.
    fn skip_locked(&self) -> &'static str {
        if self.backend == Backend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" }
    }

    /// Records that users, CRM accounts or workspaces changed: what was kept of who calls is forgotten (see
    /// `identities`).
    fn identities_changed(&self) {
        if let Some(identities) = &self.identities {
            identities.changed();
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&mut *self.read().await?).await.map(|_| ())
    }

    /// Sends a PostgreSQL notification (`pg_notify`); nothing on SQLite, where one relay owns the file.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<(), sqlx::Error> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(&mut *self.write().await?)
                .await?;
        }
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.reads.close().await;
        self.writes.close().await;
    }
}

/// The file of a `sqlite:` database URL, read as sqlx reads it (percent-decoded, `mode=memory` in memory); `None`
/// for PostgreSQL and for a database in memory.
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    if !database_url.starts_with("sqlite:") {
        return None;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(database_url).ok()?;
    let params = database_url.split_once('?').map_or("", |(_, params)| params);
    // sqlx names a `:memory:` database `file:sqlx-in-memory-N`.
    let in_memory = options.get_filename().to_string_lossy().starts_with("file:sqlx-in-memory-")
        || params.split('&').any(|pair| pair == "mode=memory");
    (!in_memory).then(|| options.get_filename().to_path_buf())
}

/// Opens a SQLite connection: WAL, `synchronous=NORMAL` (see the module's note on durability), foreign keys.
async fn open_sqlite(options: &AnyConnectOptions) -> anyhow::Result<AnyConnection> {
    let mut connection =
        AnyConnection::connect_with(options).await.context("opening the database (SIDECHAT_DATABASE_URL)")?;
    for pragma in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA busy_timeout = 10000",
        "PRAGMA foreign_keys = ON",
    ] {
        connection.execute(pragma).await.with_context(|| format!("setting up the database: {pragma}"))?;
    }
    Ok(connection)
}

/// A column that holds a name of a closed set, read with `parse`: a name outside the set fails to decode.
pub(super) fn named<T>(
    row: &sqlx::any::AnyRow,
    column: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    use sqlx::Row;
    let raw: String = row.try_get(column)?;
    parse(&raw).ok_or_else(|| sqlx::Error::Decode(format!("unknown {column} `{raw}`").into()))
}

/// Milliseconds since the epoch, the store's unit of time.
pub fn millis(at: jiff::Timestamp) -> i64 {
    at.as_millisecond()
}

/// The inverse of [`millis`].
pub fn timestamp(millis: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(millis).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_file_is_the_one_sqlx_opens() {
        let file = |url: &str| sqlite_file(url).map(|path| path.display().to_string());
        assert_eq!(file("sqlite:relay.db").as_deref(), Some("relay.db"));
        assert_eq!(file("sqlite://data/relay.db?mode=rwc").as_deref(), Some("data/relay.db"));
        assert_eq!(file("sqlite:///srv/sidechat/relay.db").as_deref(), Some("/srv/sidechat/relay.db"));
        assert_eq!(file("sqlite:///srv/a%20b.db").as_deref(), Some("/srv/a b.db"), "percent-decoded");
        assert_eq!(file("sqlite::memory:"), None);
        assert_eq!(file("sqlite://:memory:"), None);
        assert_eq!(file("sqlite:relay.db?mode=memory"), None);
        assert_eq!(file("postgres://sidechat@db/sidechat"), None);
    }
}
