//! A Zoho user's session with the relay. Zoho users sign in (the relay's `/oauth/zoho/start`, in a window the
//! panel opens); the relay answers an opaque session that lasts an hour and that it renews, while Zoho still lets
//! the user in, up to 30 days after it expired. The panel keeps it in the widget origin's `localStorage`, under
//! the relay's URL, so a reload or another record does not ask the user to sign in again.

use serde::{Deserialize, Serialize};

/// A session as the relay gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The bearer credential.
    pub session: String,
    /// When it stops opening the API (RFC 3339); after that it is renewed.
    pub expires_at: String,
}

/// The `localStorage` key of the session with the relay at `base`.
fn key(base: &str) -> String {
    format!("sidechat.session:{base}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The kept session with the relay at `base`, if any.
pub fn load(base: &str) -> Option<Session> {
    let raw = storage()?.get_item(&key(base)).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

/// Keeps a session (a browser that refuses storage keeps it for this page only, through the relay's memory).
pub fn save(base: &str, session: &Session) {
    if let (Some(storage), Ok(raw)) = (storage(), serde_json::to_string(session)) {
        let _ = storage.set_item(&key(base), &raw);
    }
}

/// Forgets the session: the user signs in again.
pub fn forget(base: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&key(base));
    }
}
