//! TimelinesAI's public API, which drives WhatsApp Web (QR-linked) numbers: senders from `/whatsapp_accounts`,
//! sends through `POST /messages` (files uploaded first to `/files_upload`), delivery statuses from
//! `/messages/{uid}/status_history` (TimelinesAI has no status webhooks: the relay polls), and, after a send
//! with an unknown outcome, a look at the chat history before sending again.
//!
//! Paths never end in `/`: TimelinesAI answers `/chats/` with an HTML 404.

pub mod budget;
pub mod catch_up;
mod history;
pub mod webhook;
mod wire;

use secrecy::ExposeSecret;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::multipart::Form;
use serde_json::{Value, json};
use sidechat_domain::E164;
use sidechat_domain::attachment;
use sidechat_domain::wire::{DeliveryStatus, Sender};

use super::{Outgoing, Refusal, SendError, retry_after};
use crate::config::TimelinesConfig;

pub use budget::Budget;
pub use wire::{millis, parse_status, phone};

/// How long the list of WhatsApp accounts is used before it is read again (in the background).
const ACCOUNTS_TTL: Duration = Duration::from_secs(60);

/// The TimelinesAI client of one connection.
pub struct Timelines {
    /// What a background refresh of the account list needs too.
    shared: Arc<Shared>,
    /// How long the call that sends a message may take (`SIDECHAT_SEND_TIMEOUT_MS`).
    send_timeout: Duration,
}

/// The client's parts a background task shares.
struct Shared {
    config: TimelinesConfig,
    http: reqwest::Client,
    /// The relay's one budget of requests to TimelinesAI.
    budget: Budget,
    /// Whose turns this client's requests take in the budget (its connection).
    key: String,
    /// The active accounts, and when they were read. Never held across a call.
    accounts: Mutex<Option<(Instant, Vec<Sender>)>>,
    /// Whether a background read of the accounts is under way.
    refreshing: AtomicBool,
}

impl Timelines {
    /// A client for connection `key`, drawing on the relay's `budget`.
    pub fn new(
        config: TimelinesConfig,
        http: reqwest::Client,
        send_timeout: Duration,
        budget: Budget,
        key: String,
    ) -> Self {
        let shared =
            Shared { config, http, budget, key, accounts: Mutex::new(None), refreshing: AtomicBool::new(false) };
        Self { shared: Arc::new(shared), send_timeout }
    }

    /// How often delivery statuses are polled.
    pub fn poll_interval(&self) -> Duration {
        self.shared.config.poll_interval
    }

    /// The workspace's active WhatsApp accounts. Once read, the list answers at once; past a minute it is read
    /// again in the background (the stale list answering meanwhile). Only the first call waits for TimelinesAI.
    pub async fn senders(&self) -> anyhow::Result<Vec<Sender>> {
        let cached = self.shared.accounts.lock().unwrap_or_else(PoisonError::into_inner).clone();
        match cached {
            Some((read_at, senders)) => {
                if read_at.elapsed() >= ACCOUNTS_TTL && !self.shared.refreshing.swap(true, Ordering::AcqRel) {
                    let shared = self.shared.clone();
                    tokio::spawn(async move {
                        if let Err(error) = shared.read_accounts().await {
                            tracing::warn!(error = format!("{error:#}"), "reading the TimelinesAI accounts again");
                        }
                        shared.refreshing.store(false, Ordering::Release);
                    });
                }
                Ok(senders)
            }
            None => self.shared.read_accounts().await,
        }
    }

    /// The account id behind a business number: from the account list when it answers in time, otherwise
    /// TimelinesAI's own form (`<digits>@s.whatsapp.net`), so an inbound message is never lost to a slow list.
    pub async fn sender_id_for(&self, phone: &E164) -> String {
        let listed = tokio::time::timeout(Duration::from_secs(2), self.senders()).await;
        match listed {
            Ok(Ok(senders)) => {
                if let Some(sender) = senders.into_iter().find(|s| &s.phone == phone) {
                    return sender.id;
                }
            }
            Ok(Err(error)) => tracing::warn!(error = format!("{error:#}"), "listing TimelinesAI accounts"),
            Err(_) => tracing::warn!("listing TimelinesAI accounts took too long"),
        }
        format!("{}@s.whatsapp.net", phone.digits())
    }

    /// Sends one message (uploading its file first); returns TimelinesAI's `message_uid`.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<String, SendError> {
        let message = &outgoing.message;
        let mut payload = json!({
            "phone": message.contact.as_str(),
            "text": message.body,
            "whatsapp_account_phone": message.business_phone.as_str(),
        });
        if let Some(file) = outgoing.attachments.first() {
            payload["file_uid"] = json!(self.upload(file).await?);
        }
        self.shared.budget.acquire(&self.shared.key).await;
        let answer = self
            .shared
            .http
            .post(self.url("/messages"))
            .bearer_auth(self.shared.config.token.expose_secret())
            .timeout(self.send_timeout)
            .json(&payload)
            .send()
            .await
            .map_err(unknown)?;
        let body = read(answer).await?;
        body["data"]["message_uid"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| SendError::Unknown { reason: format!("TimelinesAI answered without a message_uid: {body}") })
    }

    async fn upload(&self, file: &super::OutgoingFile) -> Result<String, SendError> {
        let accepted = attachment::check(
            sidechat_domain::Provider::Timelines,
            &file.meta.name,
            Some(&file.meta.mime),
            file.meta.size.max(0) as u64,
        )
        .map_err(|e| SendError::Permanent { code: "unsupported_attachment".to_owned(), message: e.to_string() })?;
        let part = file.part(&accepted.mime).await?;
        self.shared.budget.acquire(&self.shared.key).await;
        let answer = self
            .shared
            .http
            .post(self.url("/files_upload"))
            .bearer_auth(self.shared.config.token.expose_secret())
            .multipart(Form::new().part("file", part))
            .send()
            .await
            .map_err(|error| unknown(error).not_sent())?;
        // Nothing is sent by an upload: whatever went wrong, the message can be tried again.
        let body = read(answer).await.map_err(SendError::not_sent)?;
        let data = &body["data"];
        data["uid"].as_str().or(data["file_uid"].as_str()).map(str::to_owned).ok_or_else(|| SendError::Retryable {
            reason: format!("the file upload answered without a uid: {body}"),
            retry_after: None,
        })
    }

    /// After a send with an unknown outcome: the chat history's entries that may be the same message.
    pub async fn find_sent(&self, outgoing: &Outgoing) -> anyhow::Result<Vec<super::SentCandidate>> {
        history::find_sent(self, outgoing).await
    }

    /// The most advanced status TimelinesAI reports for a message, if any it names.
    pub async fn status(&self, uid: &str) -> anyhow::Result<Option<DeliveryStatus>> {
        let body = self.get(&format!("/messages/{}/status_history", urlencoding::encode(uid)), &[]).await?;
        Ok(wire::latest_status(&body["data"]))
    }

    /// A GET answered with `"status": "ok"`.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        self.shared.get(path, query).await
    }

    fn url(&self, path: &str) -> String {
        self.shared.url(path)
    }
}

impl Shared {
    /// Reads the active accounts and keeps them.
    async fn read_accounts(&self) -> anyhow::Result<Vec<Sender>> {
        let body = self.get("/whatsapp_accounts", &[]).await?;
        let senders = wire::active_senders(&body);
        *self.accounts.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), senders.clone()));
        Ok(senders)
    }

    /// A GET answered with `"status": "ok"`, in its turn of the budget.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Value> {
        self.budget.acquire(&self.key).await;
        let answer =
            self.http.get(self.url(path)).query(query).bearer_auth(self.config.token.expose_secret()).send().await?;
        let status = answer.status();
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if !status.is_success() || body["status"] != "ok" {
            let message = body["message"].as_str().unwrap_or("no message");
            anyhow::bail!("TimelinesAI answered {status} to GET {path}: {message}");
        }
        Ok(body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.api_url)
    }
}

/// Checks a new connection's token: its workspace's active accounts (`GET /whatsapp_accounts`).
pub async fn check_accounts(http: &reqwest::Client, api_url: &str, token: &str) -> Result<Vec<Sender>, Refusal> {
    let answer = http
        .get(format!("{api_url}/whatsapp_accounts"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| Refusal::Unreachable(format!("no answer from TimelinesAI: {error}")))?;
    let status = answer.status();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    if status.is_server_error() {
        return Err(Refusal::Unreachable(format!("TimelinesAI answered {status}")));
    }
    if !status.is_success() || body["status"] != "ok" {
        let message = body["message"].as_str().map_or_else(|| format!("HTTP {status}"), str::to_owned);
        return Err(Refusal::Refused { code: Some(i64::from(status.as_u16())), message });
    }
    Ok(wire::active_senders(&body))
}

fn unknown(error: reqwest::Error) -> SendError {
    SendError::Unknown { reason: format!("no answer from TimelinesAI: {}", super::with_causes(&error)) }
}

/// Reads an answer to a send or an upload, classifying failures by HTTP status.
async fn read(answer: reqwest::Response) -> Result<Value, SendError> {
    let status = answer.status();
    let retry_after = retry_after(answer.headers());
    let text = answer.text().await.map_err(unknown)?;
    let body: Option<Value> = serde_json::from_str(&text).ok();
    let message = body
        .as_ref()
        .and_then(|b| b["message"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("HTTP {status}"));
    if status.is_success() {
        return match body {
            Some(body) if body["status"] == "ok" => Ok(body),
            Some(_) => Err(SendError::Permanent { code: "timelines_error".to_owned(), message }),
            None => Err(SendError::Unknown { reason: format!("unreadable answer from TimelinesAI: {text}") }),
        };
    }
    Err(match status.as_u16() {
        429 => SendError::Retryable { reason: format!("throttled by TimelinesAI: {message}"), retry_after },
        // A bad or expired token is the operator's to fix; keep the message queued meanwhile.
        401 | 403 => SendError::Retryable {
            reason: format!("TimelinesAI refused the token ({status}): {message}"),
            retry_after: None,
        },
        code if status.is_client_error() => SendError::Permanent { code: format!("timelines_{code}"), message },
        _ => SendError::Unknown { reason: format!("TimelinesAI error {status}: {message}") },
    })
}
