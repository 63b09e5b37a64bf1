//! Calling the relay as the widget and Meta do: `POST /api/v1/messages`, `GET /api/v1/messages`, and signed
//! Cloud API webhooks with one inbound text each.

use anyhow::{Context, bail};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::relay::{APP_SECRET, PHONE_NUMBER_ID, SENDER_PHONE};

/// One HTTP client for a relay.
#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    url: String,
    credential: String,
}

impl Api {
    /// A client for the relay at `url`; connections are kept and reused.
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .tcp_nodelay(true)
            .pool_idle_timeout(std::time::Duration::from_secs(30))
            .build()
            .context("building the bench's HTTP client")?;
        Ok(Self { http, url: url.to_owned(), credential: super::relay::credential()? })
    }

    /// Sends a text to `to` under a fresh idempotency key; expects `202 Accepted`.
    pub async fn send_text(&self, key: &str, to: &str, text: &str) -> anyhow::Result<()> {
        let answer = self
            .http
            .post(format!("{}/api/v1/messages", self.url))
            .bearer_auth(&self.credential)
            .header("idempotency-key", key)
            .json(&json!({"from": PHONE_NUMBER_ID, "to": to, "body": text}))
            .send()
            .await
            .context("POST /api/v1/messages")?;
        expect(answer, 202).await
    }

    /// Reads the last 20 messages with `phone`; expects `200 OK`.
    pub async fn list_messages(&self, phone: &str) -> anyhow::Result<()> {
        let answer = self
            .http
            .get(format!("{}/api/v1/messages", self.url))
            .query(&[("phone", phone), ("limit", "20")])
            .bearer_auth(&self.credential)
            .send()
            .await
            .context("GET /api/v1/messages")?;
        expect(answer, 200).await
    }

    /// Posts a signed webhook carrying one inbound text from `from` (E.164) with the provider id `wamid`.
    pub async fn inbound_webhook(&self, wamid: &str, from: &str, text: &str) -> anyhow::Result<()> {
        let raw = serde_json::to_vec(&inbound(wamid, from, text)).context("encoding a webhook")?;
        let answer = self
            .http
            .post(format!("{}/webhooks/whatsapp", self.url))
            .header("x-hub-signature-256", signature(&raw)?)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .context("POST /webhooks/whatsapp")?;
        expect(answer, 200).await
    }
}

async fn expect(answer: reqwest::Response, status: u16) -> anyhow::Result<()> {
    let got = answer.status().as_u16();
    let body = answer.bytes().await.context("reading the answer")?;
    if got != status {
        bail!("expected {status}, got {got}: {}", String::from_utf8_lossy(&body));
    }
    Ok(())
}

/// `sha256=` and the hex HMAC-SHA256 of the raw body with the app secret, as Meta signs webhooks.
fn signature(raw: &[u8]) -> anyhow::Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_SECRET.as_bytes()).context("keying the HMAC")?;
    mac.update(raw);
    Ok(format!("sha256={}", hex::encode(mac.finalize().into_bytes())))
}

/// A Cloud API webhook envelope with one inbound text.
fn inbound(wamid: &str, from: &str, text: &str) -> Value {
    let wa_id = from.trim_start_matches('+');
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    json!({"object": "whatsapp_business_account", "entry": [{"id": "880001", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": SENDER_PHONE.trim_start_matches('+'), "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": wamid, "timestamp": now.to_string(), "type": "text", "text": {"body": text}}]
    }}]}]})
}

/// The bench's customer number `n` (valid German mobile numbers, `+49151` and eight digits).
pub fn customer(n: u64) -> String {
    format!("+49151{:08}", n % 100_000_000)
}
