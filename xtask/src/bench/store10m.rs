//! The 10-million-message store: built once under `target/bench/` and reused while it holds the expected rows.
//!
//! The relay migrates the empty file itself, so the schema is the relay's own. Then SQLite generates the rows
//! (a recursive CTE, in transactions of a million) with the message indexes dropped, and the indexes are
//! created again from the definitions the migrations made. Rows are in time order with the customers
//! interleaved, as a real log is: one customer's messages lie on different pages.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, Row, SqliteConnection};

use super::relay::{PHONE_NUMBER_ID, RelayProcess, SENDER_PHONE};

/// Messages in the store.
pub const MESSAGES: u64 = 10_000_000;
/// Customer numbers the messages are spread over (`+49151` and eight digits, as `api::customer` makes them).
pub const NUMBERS: u64 = 100_000;
/// Rows generated per transaction.
const CHUNK: u64 = 1_000_000;
/// Seconds between two messages: the log spans about a year.
const SPACING_MS: u64 = 3_000;

/// The store's path, built first if missing or incomplete; with the build time when it was built now.
pub async fn ensure(binary: &Path, bench_dir: &Path) -> anyhow::Result<(PathBuf, Option<Duration>)> {
    let database = bench_dir.join("messages-10m.db");
    if database.exists() && count_messages(&database).await.ok() == Some(MESSAGES) {
        return Ok((database, None));
    }
    eprintln!("  building {} (once; later runs reuse it)", database.display());
    let started = Instant::now();
    remove(&database)?;
    migrate(binary, &database).await?;
    fill(&database).await?;
    Ok((database, Some(started.elapsed())))
}

/// How many messages a store holds.
pub async fn count_messages(database: &Path) -> anyhow::Result<u64> {
    let options = SqliteConnectOptions::new().filename(database);
    let mut connection =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("opening {}", database.display()))?;
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM messages")
        .fetch_one(&mut connection)
        .await
        .context("counting messages")?
        .try_get(0)?;
    connection.close().await.context("closing the store")?;
    Ok(count as u64)
}

fn remove(database: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", ".log"] {
        let mut path = database.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(error).with_context(|| format!("removing {}", Path::new(&path).display()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Starts the relay once on the new file so that its migrations make the schema.
async fn migrate(binary: &Path, database: &Path) -> anyhow::Result<()> {
    let relay = RelayProcess::start(binary, database, "http://127.0.0.1:9/v23.0").await?;
    relay.kill().await
}

async fn fill(database: &Path) -> anyhow::Result<()> {
    let options = SqliteConnectOptions::new()
        .filename(database)
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-1000000")
        .pragma("temp_store", "memory");
    let mut connection =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("opening {}", database.display()))?;
    let indexes = drop_message_indexes(&mut connection).await?;
    let first_at = now_ms() - (MESSAGES * SPACING_MS) as i64;
    for chunk in 0..MESSAGES / CHUNK {
        insert_chunk(&mut connection, chunk * CHUNK, first_at).await?;
        eprintln!("  {} million messages", chunk + 1);
    }
    for sql in &indexes {
        sqlx::query(sql).execute(&mut connection).await.with_context(|| format!("creating an index: {sql}"))?;
    }
    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut connection).await.context("back to WAL")?;
    connection.close().await.context("closing the store")
}

/// Drops the indexes on `messages` the migrations made; returns their `CREATE INDEX` statements.
async fn drop_message_indexes(connection: &mut SqliteConnection) -> anyhow::Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL",
    )
    .fetch_all(&mut *connection)
    .await
    .context("reading the message indexes")?;
    let mut statements = Vec::with_capacity(rows.len());
    for row in rows {
        let (name, sql): (String, String) = (row.try_get("name")?, row.try_get("sql")?);
        sqlx::query(&format!("DROP INDEX \"{name}\"")).execute(&mut *connection).await.context("dropping an index")?;
        statements.push(sql);
    }
    Ok(statements)
}

/// Inserts messages `first .. first + CHUNK` in one transaction, generated by SQLite itself.
async fn insert_chunk(connection: &mut SqliteConnection, first: u64, first_at: i64) -> anyhow::Result<()> {
    let mut tx = connection.begin().await.context("starting a transaction")?;
    sqlx::query(
        "WITH RECURSIVE seq(n) AS (SELECT ?1 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < ?2)
         INSERT INTO messages (workspace_id, id, direction, sender_id, business_phone, contact, body, status,
             provider_id, created_at, updated_at, attempts)
         SELECT (SELECT id FROM workspaces WHERE is_operator = 1),
                printf('seed-%010d', n),
                CASE WHEN n % 3 = 0 THEN 'out' ELSE 'in' END,
                ?3, ?4,
                printf('+49151%08d', n % ?5),
                'Message ' || n || ': thanks, the offer for the kitchen is ready, shall I send it over?',
                CASE WHEN n % 3 = 0 THEN 'read' ELSE 'delivered' END,
                printf('wamid.SEED%010d', n),
                ?6 + n * ?7, ?6 + n * ?7,
                CASE WHEN n % 3 = 0 THEN 1 ELSE 0 END
         FROM seq",
    )
    .bind(first as i64)
    .bind((first + CHUNK) as i64)
    .bind(PHONE_NUMBER_ID)
    .bind(SENDER_PHONE)
    .bind(NUMBERS as i64)
    .bind(first_at)
    .bind(SPACING_MS as i64)
    .execute(&mut *tx)
    .await
    .context("inserting messages")?;
    tx.commit().await.context("committing messages")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
