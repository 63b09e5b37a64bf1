//! Capability URLs for one attachment's bytes: an `<img>` cannot send an Authorization header, so the link itself
//! is the permission. It is signed with a key derived from `SIDECHAT_SECRET_KEY` (any relay of a deployment checks
//! any other's links) and names the workspace and the file. A link stays the same for a whole UTC day (it expires
//! 24 h after that day ends), so browsers cache the file under one URL.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secrets::SecretKey;
use crate::store::WorkspaceId;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Signs and checks attachment links.
pub struct UrlSigner {
    key: [u8; 32],
    /// The previous key's, during a key rotation: the links it signed still open.
    previous: Option<[u8; 32]>,
    public_url: String,
}

/// A link's signed parts, as the route reads them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedLink<'a> {
    /// The workspace the file belongs to.
    pub workspace: &'a str,
    /// The file.
    pub id: &'a str,
    /// When the link expires (s since the epoch).
    pub expires: i64,
    /// The signature, hex.
    pub signature: &'a str,
}

impl UrlSigner {
    /// A signer for links under `public_url`.
    pub fn new(key: &SecretKey, public_url: &str) -> Self {
        Self::rotating(key, None, public_url)
    }

    /// A signer whose links are also checked against `previous`'s, during a key rotation.
    pub fn rotating(key: &SecretKey, previous: Option<&SecretKey>, public_url: &str) -> Self {
        Self {
            key: Self::derive(key),
            previous: previous.map(Self::derive),
            public_url: public_url.trim_end_matches('/').to_owned(),
        }
    }

    fn derive(key: &SecretKey) -> [u8; 32] {
        key.derive("attachment links v1")
    }

    fn mac(&self, workspace: &str, id: &str, expires: i64) -> Hmac<Sha256> {
        Self::mac_with(&self.key, workspace, id, expires)
    }

    fn mac_with(key: &[u8; 32], workspace: &str, id: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        for part in [workspace, id, &expires.to_string()] {
            mac.update(part.as_bytes());
            mac.update(b"\n");
        }
        mac
    }

    /// When a link made at `now` (s) expires: the end of `now`'s UTC day, plus a day.
    pub fn expiry(now: i64) -> i64 {
        (now.div_euclid(DAY) + 2) * DAY
    }

    /// The link to a workspace's file, made at `now` (s since the epoch).
    pub fn url(&self, workspace: &WorkspaceId, id: &str, now: i64) -> String {
        let expires = Self::expiry(now);
        let signature = hex::encode(self.mac(workspace.as_str(), id, expires).finalize().into_bytes());
        format!(
            "{}/api/v1/attachments/{id}?w={}&expires={expires}&sig={signature}",
            self.public_url,
            urlencoding::encode(workspace.as_str())
        )
    }

    /// The workspace of a link that is genuine and not expired at `now` (s), else `None`.
    pub fn verify(&self, link: &SignedLink<'_>, now: i64) -> Option<WorkspaceId> {
        let signature = hex::decode(link.signature).ok()?;
        let genuine = std::iter::once(&self.key)
            .chain(&self.previous)
            .any(|key| Self::mac_with(key, link.workspace, link.id, link.expires).verify_slice(&signature).is_ok());
        (genuine && link.expires >= now).then(|| WorkspaceId::trusted(link.workspace.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(fill: &str) -> SecretKey {
        SecretKey::parse(&fill.repeat(64)).unwrap()
    }

    fn parts(url: &str) -> (String, String, i64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let id = path.rsplit('/').next().unwrap().to_owned();
        let value =
            |name: &str| query.split('&').find_map(|pair| pair.strip_prefix(&format!("{name}="))).unwrap().to_owned();
        (value("w"), id, value("expires").parse().unwrap(), value("sig"))
    }

    #[test]
    fn a_link_is_the_same_all_day_and_lives_a_day_more() {
        let signer = UrlSigner::new(&key("a"), "https://relay.example.com/");
        let workspace = WorkspaceId::trusted("w1".into());
        let morning = 1_764_633_600; // 2025-12-02T00:00:00Z
        let url = signer.url(&workspace, "a1", morning);
        assert!(url.starts_with("https://relay.example.com/api/v1/attachments/a1?w=w1&expires=1764806400&sig="));
        assert_eq!(url, signer.url(&workspace, "a1", morning + DAY - 1), "stable through the day");
        assert_ne!(url, signer.url(&workspace, "a1", morning + DAY), "a new day, a new link");
    }

    #[test]
    fn links_check_workspace_file_expiry_and_key() {
        let signer = UrlSigner::new(&key("a"), "https://relay.example.com");
        let url = signer.url(&WorkspaceId::trusted("w1".into()), "a1", 1_000);
        let (workspace, id, expires, signature) = parts(&url);
        let link = |workspace: &'static str, id: &'static str, expires: i64| SignedLink {
            workspace,
            id,
            expires,
            signature: Box::leak(signature.clone().into_boxed_str()),
        };
        assert_eq!((workspace.as_str(), id.as_str()), ("w1", "a1"));
        assert_eq!(signer.verify(&link("w1", "a1", expires), expires), Some(WorkspaceId::trusted("w1".into())));
        assert_eq!(signer.verify(&link("w1", "a1", expires), expires + 1), None, "expired");
        assert_eq!(signer.verify(&link("w2", "a1", expires), 1_000), None, "another workspace");
        assert_eq!(signer.verify(&link("w1", "a2", expires), 1_000), None, "another file");
        assert_eq!(signer.verify(&link("w1", "a1", expires + DAY), 1_000), None, "a longer life");
        let other = UrlSigner::new(&key("b"), "https://relay.example.com");
        assert_eq!(other.verify(&link("w1", "a1", expires), 1_000), None, "another key");
        let rotated = UrlSigner::rotating(&key("b"), Some(&key("a")), "https://relay.example.com");
        assert!(
            rotated.verify(&link("w1", "a1", expires), 1_000).is_some(),
            "the previous key's links, while rotating"
        );
        let not_hex = SignedLink { workspace: "w1", id: "a1", expires, signature: "zz" };
        assert_eq!(signer.verify(&not_hex, 1_000), None);
    }
}
