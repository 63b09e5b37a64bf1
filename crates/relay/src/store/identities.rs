//! Who calls, kept in memory on SQLite: every call of a CRM user first asks which workspace admitted their
//! account and which user they are (`Store::account_user`), and on SQLite each query costs two thread hand-overs
//! (sqlx runs every SQLite connection on a thread of its own), as much as the page of messages the call is for.
//!
//! An answer is kept until the users, the CRM accounts or the workspaces change. Changes come from this process
//! (its store bumps a counter) and from the operator's commands, which open the same file in a process of their
//! own: every change also appends a byte to a marker file beside the database (`<database>.changes`), whose
//! length this process compares with the length it saw when it kept the answers. Appending, unlike touching, can
//! never look unchanged (a file's times have the kernel clock's coarse granularity).
//!
//! PostgreSQL keeps no such memory: several relays share it, and a change one of them makes must hold at once on
//! the others.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use sidechat_domain::Crm;

use super::UserRow;
use super::workspaces::WorkspaceId;

/// The most answers kept: past it, all are forgotten (an unbounded map would grow with every account that calls).
const CAPACITY: usize = 10_000;

/// A CRM user, as a call presents them: the CRM, the account (company or organisation) and the user's CRM id.
type Key = (Crm, String, String);

/// When the kept answers were read: this process's count of changes and the marker file's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    local: u64,
    marker: u64,
}

/// The kept answers of one SQLite store.
pub(super) struct Identities {
    marker: PathBuf,
    changes: AtomicU64,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    seen: Option<Seen>,
    users: HashMap<Key, (WorkspaceId, UserRow)>,
}

impl Identities {
    /// The memory of the SQLite database at `database`.
    pub(super) fn beside(database: PathBuf) -> Self {
        let mut marker = database.into_os_string();
        marker.push(".changes");
        Self { marker: marker.into(), changes: AtomicU64::new(0), kept: Mutex::default() }
    }

    /// What the store last read for this user, if nothing changed since.
    pub(super) fn get(&self, crm: Crm, account_id: &str, crm_user_id: &str) -> Option<(WorkspaceId, UserRow)> {
        let now = self.seen();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if now.is_none() || kept.seen != now {
            kept.users.clear();
            kept.seen = now;
            return None;
        }
        kept.users.get(&(crm, account_id.to_owned(), crm_user_id.to_owned())).cloned()
    }

    /// Keeps what the store read, `mark` being taken before the read: an answer read while something changed is
    /// not kept.
    pub(super) fn keep(
        &self,
        mark: Mark,
        crm: Crm,
        account_id: &str,
        crm_user_id: &str,
        found: (WorkspaceId, UserRow),
    ) {
        let Mark(Some(before)) = mark else { return };
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.seen != Some(before) || self.seen() != Some(before) {
            return;
        }
        if kept.users.len() >= CAPACITY {
            kept.users.clear();
        }
        kept.users.insert((crm, account_id.to_owned(), crm_user_id.to_owned()), found);
    }

    /// Where the changes stand, taken before a read whose answer may be kept.
    pub(super) fn mark(&self) -> Mark {
        Mark(self.seen())
    }

    /// Records that users, CRM accounts or workspaces changed (after the change committed), for this process and,
    /// through the marker file, for the relay when this is another process.
    pub(super) fn changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.marker)
            .and_then(|mut file| file.write_all(b"."));
        if let Err(error) = appended {
            // The relay keeps answers only while it can read the marker, so it cannot trust stale ones either.
            tracing::warn!(marker = %self.marker.display(), %error, "recording a change of users for the relay");
        }
    }

    /// Where the changes stand; `None` while the marker cannot be read, when nothing may be kept.
    fn seen(&self) -> Option<Seen> {
        let local = self.changes.load(Ordering::SeqCst);
        let marker = match std::fs::metadata(&self.marker) {
            Ok(metadata) => metadata.len(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => 0,
            Err(_) => return None,
        };
        Some(Seen { local, marker })
    }
}

/// Where the changes stood before a read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark(Option<Seen>);

#[cfg(test)]
mod tests {
    use sidechat_domain::wire::Role;

    use super::*;

    fn user(name: &str) -> (WorkspaceId, UserRow) {
        let row = UserRow {
            id: "u1".to_owned(),
            crm: Crm::Pipedrive,
            crm_user_id: "7".to_owned(),
            name: name.to_owned(),
            email: None,
            role: Role::Member,
            role_checked_at: None,
        };
        (WorkspaceId::trusted("w1".to_owned()), row)
    }

    /// A database path of its own in the system's temporary directory, and the marker beside it removed.
    fn database(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("sidechat-identities-{name}-{}.db", std::process::id()));
        let _ = std::fs::remove_file(format!("{}.changes", path.display()));
        path
    }

    fn read_and_keep(identities: &Identities, name: &str) {
        assert_eq!(identities.get(Crm::Pipedrive, "1", "7"), None);
        let mark = identities.mark();
        identities.keep(mark, Crm::Pipedrive, "1", "7", user(name));
    }

    #[test]
    fn an_answer_is_kept_until_a_change() {
        let identities = Identities::beside(database("kept"));
        read_and_keep(&identities, "Ana");
        assert_eq!(identities.get(Crm::Pipedrive, "1", "7"), Some(user("Ana")));
        assert_eq!(identities.get(Crm::Pipedrive, "2", "7"), None, "another account");
        identities.changed();
        assert_eq!(identities.get(Crm::Pipedrive, "1", "7"), None);
    }

    #[test]
    fn an_answer_read_while_something_changed_is_not_kept() {
        let identities = Identities::beside(database("raced"));
        assert_eq!(identities.get(Crm::Pipedrive, "1", "7"), None);
        let mark = identities.mark();
        identities.changed();
        identities.keep(mark, Crm::Pipedrive, "1", "7", user("Ana"));
        assert_eq!(identities.get(Crm::Pipedrive, "1", "7"), None);
    }

    #[test]
    fn a_change_another_process_made_is_seen_through_the_marker() {
        let path = database("other");
        let relay = Identities::beside(path.clone());
        read_and_keep(&relay, "Ana");
        // The operator's command: a store of its own on the same file.
        Identities::beside(path.clone()).changed();
        assert_eq!(relay.get(Crm::Pipedrive, "1", "7"), None);
        read_and_keep(&relay, "Ana B.");
        assert_eq!(relay.get(Crm::Pipedrive, "1", "7"), Some(user("Ana B.")));
        let _ = std::fs::remove_file(format!("{}.changes", path.display()));
    }
}
