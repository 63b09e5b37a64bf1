//! The hottest read on SQLite, run in place: the page of a conversation every panel reads when it opens.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it every statement and every answer through
//! channels. Under load the relay spent some 40 % of its time switching between threads for those hand-overs,
//! more than the reads themselves, which SQLite answers from its page cache in tens of microseconds. Here the
//! calling thread runs the statement itself, on a connection of its own taken from a small set: nothing to hand
//! over, and the statement stays prepared on its connection.
//!
//! Reading in place blocks the runtime's thread for the read's time. In WAL mode a reader never waits for the
//! writer; it waits only in SQLite's rare recoveries, for at most [`BUSY_MS`]. The connections are read-only.
//!
//! Parameters are bound by name (`$1`…): SQLite numbers `$N` parameters in the order they first appear in the
//! statement, not by their N, where sqlx binds them by N.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

/// The most connections kept open between reads (one is opened when none is free; one running per runtime
/// thread is the most that can be busy at once).
const KEPT: usize = 8;
/// How long a read waits for a lock (ms), in SQLite's rare moments when a reader must.
const BUSY_MS: u64 = 250;

/// Read-only connections to one SQLite file.
pub(super) struct Inline {
    file: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Inline {
    /// Reads of the SQLite file at `file`; connections are opened on first use.
    pub(super) fn of(file: PathBuf) -> Self {
        Self { file, idle: Mutex::default() }
    }

    /// Runs `read` on a free connection.
    pub(super) fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, sqlx::Error> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open().map_err(failed)?,
        };
        let answer = read(&connection).map_err(failed);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEPT {
            idle.push(connection);
        }
        answer
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.file, flags)?;
        connection.busy_timeout(Duration::from_millis(BUSY_MS))?;
        Ok(connection)
    }
}

/// A read that failed, as the store's other reads report theirs.
fn failed(error: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("reading the SQLite database: {error}"))
}
