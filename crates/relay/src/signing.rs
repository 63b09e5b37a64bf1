//! Short-lived signed URLs for attachment bytes: an `<img>` cannot send an Authorization header.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// How long a signed URL stays valid.
pub const URL_LIFETIME_SECONDS: i64 = 3600;

/// Signs and checks attachment URLs with a key made at start (URLs do not outlive the process).
pub struct UrlSigner {
    key: [u8; 32],
    public_url: String,
}

impl UrlSigner {
    /// A signer with a fresh random key.
    pub fn new(public_url: &str) -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self { key, public_url: public_url.trim_end_matches('/').to_owned() }
    }

    fn mac(&self, id: &str, expires: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(id.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The absolute URL of an attachment's bytes, valid for [`URL_LIFETIME_SECONDS`] from `now` (seconds).
    pub fn url(&self, id: &str, now: i64) -> String {
        let expires = now + URL_LIFETIME_SECONDS;
        let signature = hex::encode(self.mac(id, expires).finalize().into_bytes());
        format!("{}/api/v1/attachments/{id}?expires={expires}&sig={signature}", self.public_url)
    }

    /// Whether a URL's signature and expiry are good at `now` (seconds), compared in constant time.
    pub fn verify(&self, id: &str, expires: i64, signature: &str, now: i64) -> bool {
        let Ok(signature) = hex::decode(signature) else { return false };
        expires >= now && self.mac(id, expires).verify_slice(&signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_urls_check_id_expiry_and_signature() {
        let signer = UrlSigner::new("https://relay.example.com/");
        let url = signer.url("a1", 1_000);
        assert!(url.starts_with("https://relay.example.com/api/v1/attachments/a1?expires=4600&sig="));
        let signature = url.rsplit_once("sig=").unwrap().1;
        assert!(signer.verify("a1", 4_600, signature, 4_600));
        assert!(!signer.verify("a1", 4_600, signature, 4_601), "expired");
        assert!(!signer.verify("a2", 4_600, signature, 1_000), "another attachment");
        assert!(!signer.verify("a1", 9_999, signature, 1_000), "a longer life");
        assert!(!signer.verify("a1", 4_600, "zz", 1_000), "not hex");
        assert!(!UrlSigner::new("https://relay.example.com").verify("a1", 4_600, signature, 1_000), "another key");
    }
}
