//! The relay's own secret, `SIDECHAT_SECRET_KEY` (32 random bytes, hex), and what is derived from it: the key that
//! signs attachment links and the key that seals secrets at rest (CRM tokens). Each use gets its own key through
//! HKDF-SHA256, so one never stands in for another.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

/// The prefix of values sealed with this version's scheme.
const SEALED_V1: &str = "v1.";

/// `SIDECHAT_SECRET_KEY`, parsed.
#[derive(Clone)]
pub struct SecretKey(std::sync::Arc<SecretBox<[u8; 32]>>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey([REDACTED])")
    }
}

impl SecretKey {
    /// Reads 64 hex characters.
    pub fn parse(hex_key: &str) -> Result<Self, String> {
        let hex_key = hex_key.trim();
        let mut bytes = [0u8; 32];
        if hex_key.len() != 64 || hex::decode_to_slice(hex_key, &mut bytes).is_err() {
            return Err("expected 64 hex characters (32 random bytes: `openssl rand -hex 32`)".to_owned());
        }
        Ok(Self(std::sync::Arc::new(SecretBox::new(Box::new(bytes)))))
    }

    /// The key for one use, named by `purpose`.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(b"sidechat-relay"), self.0.expose_secret())
            .expand(purpose.as_bytes(), &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        key
    }
}

/// Seals and opens secrets kept in the database (XChaCha20-Poly1305, a random nonce per value). A sealed value is
/// bound to what it is for (`context`, e.g. the user and the field), so one cannot be moved to another row.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
    /// `SIDECHAT_SECRET_KEY_PREVIOUS`'s, during a rotation: values it sealed still open.
    previous: Option<XChaCha20Poly1305>,
}

/// A sealed value that does not open: another key, another context, or damage.
#[derive(Debug, thiserror::Error)]
#[error("a sealed secret did not open (another SIDECHAT_SECRET_KEY, or damaged)")]
pub struct Unsealable;

impl Sealer {
    /// The sealer of a relay's secret key.
    pub fn new(key: &SecretKey) -> Self {
        Self { cipher: Self::cipher(key), previous: None }
    }

    /// The sealer of a relay's secret key that also opens what `previous` sealed.
    pub fn rotating(key: &SecretKey, previous: Option<&SecretKey>) -> Self {
        Self { cipher: Self::cipher(key), previous: previous.map(Self::cipher) }
    }

    fn cipher(key: &SecretKey) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&key.derive("secrets at rest v1").into())
    }

    /// Seals `plain` for `context`.
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, Payload { msg: plain.as_bytes(), aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 seals any length the relay stores");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_V1}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a value sealed for `context`, with the key or, during a rotation, the previous one.
    pub fn open(&self, sealed: &str, context: &str) -> Result<String, Unsealable> {
        Self::open_with(&self.cipher, sealed, context).or_else(|error| {
            self.previous.as_ref().map_or(Err(error), |previous| Self::open_with(previous, sealed, context))
        })
    }

    /// Seals again, with the current key, a value sealed with it or the previous one.
    pub fn reseal(&self, sealed: &str, context: &str) -> Result<String, Unsealable> {
        self.open(sealed, context).map(|plain| self.seal(&plain, context))
    }

    fn open_with(cipher: &XChaCha20Poly1305, sealed: &str, context: &str) -> Result<String, Unsealable> {
        let raw = sealed.strip_prefix(SEALED_V1).ok_or(Unsealable)?;
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| Unsealable)?;
        if bytes.len() < 24 {
            return Err(Unsealable);
        }
        let (nonce, sealed) = bytes.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| Unsealable)?;
        let plain = cipher
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| Unsealable)?;
        String::from_utf8(plain).map_err(|_| Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn the_key_must_be_64_hex_characters() {
        assert!(SecretKey::parse(KEY).is_ok());
        assert!(SecretKey::parse(&KEY[..62]).is_err());
        assert!(SecretKey::parse(&KEY.replace('0', "g")).is_err());
        assert_eq!(format!("{:?}", SecretKey::parse(KEY).unwrap()), "SecretKey([REDACTED])");
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let sealer = Sealer::new(&SecretKey::parse(KEY).unwrap());
        let sealed = sealer.seal("pipedrive-access-token", "user-1/access");
        assert!(!sealed.contains("pipedrive-access-token"));
        assert_ne!(sealed, sealer.seal("pipedrive-access-token", "user-1/access"), "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed, "user-1/access").unwrap(), "pipedrive-access-token");
        assert!(sealer.open(&sealed, "user-2/access").is_err(), "another row");
        let other = Sealer::new(&SecretKey::parse(&KEY.replace('1', "2")).unwrap());
        assert!(other.open(&sealed, "user-1/access").is_err(), "another key");
        assert!(sealer.open("v1.AAAA", "user-1/access").is_err());
        assert!(sealer.open("plain", "user-1/access").is_err());
    }

    #[test]
    fn a_rotating_sealer_opens_both_keys_and_reseals_with_the_new_one() {
        let old_key = SecretKey::parse(KEY).unwrap();
        let new_key = SecretKey::parse(&KEY.replace('1', "9")).unwrap();
        let sealed_before = Sealer::new(&old_key).seal("token", "ctx");
        assert!(Sealer::new(&new_key).open(&sealed_before, "ctx").is_err(), "the new key alone cannot open it");
        let rotating = Sealer::rotating(&new_key, Some(&old_key));
        assert_eq!(rotating.open(&sealed_before, "ctx").unwrap(), "token");
        let resealed = rotating.reseal(&sealed_before, "ctx").unwrap();
        assert_eq!(
            Sealer::new(&new_key).open(&resealed, "ctx").unwrap(),
            "token",
            "after rotation the new key suffices"
        );
        assert!(Sealer::new(&old_key).open(&resealed, "ctx").is_err());
        assert!(rotating.reseal(&sealed_before, "other").is_err(), "the context still binds it");
    }

    #[test]
    fn each_purpose_gets_its_own_key() {
        let key = SecretKey::parse(KEY).unwrap();
        assert_ne!(key.derive("attachment links v1"), key.derive("secrets at rest v1"));
        assert_eq!(key.derive("attachment links v1"), key.derive("attachment links v1"));
    }
}
