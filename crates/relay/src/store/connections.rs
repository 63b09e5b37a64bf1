//! The store's connections, handed out one at a time: on SQLite a fixed set opened at start and put back as they
//! are; on PostgreSQL sqlx's pool.
//!
//! Why not sqlx's pool for SQLite too: sqlx 0.8 pings every connection given back to its pool, from a task of
//! its own, before another caller may have it. On SQLite that ping is a round trip to the connection's thread
//! that costs as much as a statement, so each statement took two, and the one writer connection sat idle between
//! statements while the ping went round. A SQLite connection lives in this process and cannot drop, so there is
//! nothing for the ping to find. PostgreSQL connections can break: there, the pool's checks and reconnects stay.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Where a store's statements get a connection.
#[derive(Clone)]
pub(super) enum Connections {
    /// SQLite connections opened at start.
    Held(Arc<Held>),
    /// A PostgreSQL pool.
    Pool(AnyPool),
}

/// Open connections, and a permit for each one idle.
pub(super) struct Held {
    idle: Mutex<Vec<AnyConnection>>,
    available: Arc<Semaphore>,
}

/// A connection for one caller, given back when dropped.
pub(super) enum Lease {
    /// One of the held connections.
    Held {
        /// `Some` until the lease is dropped.
        connection: Option<AnyConnection>,
        home: Arc<Held>,
        _permit: OwnedSemaphorePermit,
    },
    /// From the pool.
    Pool(PoolConnection<Any>),
}

impl Connections {
    /// Holds connections already opened (and set up).
    pub(super) fn held(connections: Vec<AnyConnection>) -> Self {
        let available = Arc::new(Semaphore::new(connections.len()));
        Self::Held(Arc::new(Held { idle: Mutex::new(connections), available }))
    }

    /// A connection, once one is free.
    pub(super) async fn get(&self) -> Result<Lease, sqlx::Error> {
        match self {
            Self::Held(held) => {
                let permit = held.available.clone().acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
                // A permit is given back only after its connection (`Lease::drop`): one is idle.
                let connection = held.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
                let connection = connection.ok_or(sqlx::Error::PoolClosed)?;
                Ok(Lease::Held { connection: Some(connection), home: held.clone(), _permit: permit })
            }
            Self::Pool(pool) => Ok(Lease::Pool(pool.acquire().await?)),
        }
    }

    /// Closes every connection; connections lent out close when given back.
    pub(super) async fn close(&self) {
        match self {
            Self::Held(held) => {
                held.available.close();
                let idle = std::mem::take(&mut *held.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
                for connection in idle {
                    let _ = connection.close().await;
                }
            }
            Self::Pool(pool) => pool.close().await,
        }
    }
}

impl Deref for Lease {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Self::Held { connection, .. } => connection.as_ref().expect("a lease holds its connection until dropped"),
            Self::Pool(connection) => connection,
        }
    }
}

impl DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Self::Held { connection, .. } => connection.as_mut().expect("a lease holds its connection until dropped"),
            Self::Pool(connection) => connection,
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // A transaction left open by a dropped future has its rollback queued on the connection already: it runs
        // before the next caller's statements.
        if let Self::Held { connection, home, .. } = self
            && let Some(connection) = connection.take()
            && !home.available.is_closed()
        {
            home.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(connection);
        }
    }
}
