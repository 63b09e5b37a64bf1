//! Meta's WhatsApp Cloud API (Graph API): sends to `/{phone_number_id}/messages`, media uploads to
//! `/{phone_number_id}/media`, approved templates from `/{waba_id}/message_templates`.
//!
//! Throttling comes back as HTTP 429 or as HTTP 400 with a throttling code (130429, 131056, 4, 80007): the
//! decision to retry reads the Graph error code, not the status.

use reqwest::multipart::Form;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};
use sidechat_domain::attachment::{self, MediaKind};
use sidechat_domain::wire::{Sender, Template, TemplateSend};

use super::{Outgoing, Refusal, SendError, retry_after};
use crate::config::CloudConfig;

pub mod webhook;

/// Graph error codes that mean "slow down": retried with backoff.
const THROTTLING_CODES: [i64; 4] = [4, 80007, 130429, 131056];
/// Graph error codes for passing trouble on Meta's side (unknown error, service unavailable).
const TRANSIENT_CODES: [i64; 3] = [1, 2, 131000];

/// The Cloud API client.
pub struct Cloud {
    config: CloudConfig,
    http: reqwest::Client,
    /// How long the call that sends a message may take (`SIDECHAT_SEND_TIMEOUT_MS`).
    send_timeout: std::time::Duration,
}

#[derive(Deserialize)]
struct GraphError {
    error: GraphErrorBody,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    code: i64,
    #[serde(default)]
    error_data: Option<Value>,
}

impl Cloud {
    /// A client for the configured numbers.
    pub fn new(config: CloudConfig, http: reqwest::Client, send_timeout: std::time::Duration) -> Self {
        Self { config, http, send_timeout }
    }

    /// The configured sender numbers.
    pub fn senders(&self) -> Vec<Sender> {
        self.config
            .senders
            .iter()
            .map(|s| Sender {
                id: s.id.clone(),
                phone: s.phone.clone(),
                label: s.label.clone(),
                provider: sidechat_domain::Provider::Cloud,
            })
            .collect()
    }

    /// Sends one message (uploading its file first); returns the `wamid`.
    pub async fn send(&self, outgoing: &Outgoing) -> Result<String, SendError> {
        let message = &outgoing.message;
        let to = message.contact.wa_id();
        let mut payload = json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": to});
        if let Some(template) = &outgoing.template {
            payload["type"] = json!("template");
            payload["template"] = template_payload(template);
        } else if let Some(file) = outgoing.attachments.first() {
            let accepted = attachment::check(
                sidechat_domain::Provider::Cloud,
                &file.meta.name,
                Some(&file.meta.mime),
                file.meta.size.max(0) as u64,
            )
            .map_err(|e| SendError::Permanent { code: "unsupported_attachment".to_owned(), message: e.to_string() })?;
            let media_id = self.upload(&message.sender_id, file, &accepted.mime).await?;
            let kind = kind_name(accepted.kind);
            let mut media = json!({"id": media_id});
            if !message.body.trim().is_empty()
                && matches!(accepted.kind, MediaKind::Image | MediaKind::Video | MediaKind::Document)
            {
                media["caption"] = json!(message.body);
            }
            if accepted.kind == MediaKind::Document {
                media["filename"] = json!(file.meta.name);
            }
            payload["type"] = json!(kind);
            payload[kind] = media;
        } else {
            payload["type"] = json!("text");
            payload["text"] = json!({"preview_url": false, "body": message.body});
        }
        let url = format!("{}/{}/messages", self.config.graph_url, message.sender_id);
        let answer = self
            .http
            .post(&url)
            .bearer_auth(self.config.token.expose_secret())
            .timeout(self.send_timeout)
            .json(&payload)
            .send()
            .await
            .map_err(unknown)?;
        let body: Value = read(answer).await?;
        body["messages"][0]["id"].as_str().map(str::to_owned).ok_or_else(|| SendError::Unknown {
            reason: format!("the Cloud API answered without a message id: {body}"),
        })
    }

    async fn upload(&self, sender_id: &str, file: &super::OutgoingFile, mime: &str) -> Result<String, SendError> {
        let part = file.part(mime).await?;
        let form = Form::new().text("messaging_product", "whatsapp").text("type", mime.to_owned()).part("file", part);
        let url = format!("{}/{sender_id}/media", self.config.graph_url);
        let answer = self
            .http
            .post(&url)
            .bearer_auth(self.config.token.expose_secret())
            .multipart(form)
            .send()
            .await
            .map_err(|error| unknown(error).not_sent())?;
        // Nothing is sent by an upload: whatever went wrong, the message can be tried again.
        let body: Value = read(answer).await.map_err(SendError::not_sent)?;
        body["id"].as_str().map(str::to_owned).ok_or_else(|| SendError::Retryable {
            reason: format!("the media upload answered without an id: {body}"),
            retry_after: None,
        })
    }

    /// The business account's approved templates.
    pub async fn templates(&self) -> anyhow::Result<Vec<Template>> {
        let url = format!("{}/{}/message_templates", self.config.graph_url, self.config.waba_id);
        let mut templates = Vec::new();
        let mut next = Some(url);
        // Follow the cursor pagination, bounded.
        for _ in 0..20 {
            let Some(url) = next.take() else { break };
            let page: Value = self
                .http
                .get(&url)
                .query(&[("fields", "name,language,status,components"), ("limit", "100")])
                .bearer_auth(self.config.token.expose_secret())
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            for item in page["data"].as_array().into_iter().flatten() {
                if item["status"] != "APPROVED" {
                    continue;
                }
                let body = item["components"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["type"] == "BODY")
                    .and_then(|c| c["text"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                templates.push(Template {
                    name: item["name"].as_str().unwrap_or_default().to_owned(),
                    language: item["language"].as_str().unwrap_or_default().to_owned(),
                    params: placeholders(&body),
                    body,
                });
            }
            next = page["paging"]["next"].as_str().map(str::to_owned);
        }
        Ok(templates)
    }
}

/// What Graph says of a business phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberInfo {
    /// The number.
    pub phone: sidechat_domain::E164,
    /// The business name Meta verified for it.
    pub verified_name: String,
}

/// Checks a new connection's credentials: `GET /{phone_number_id}` with the token.
pub async fn number_info(
    http: &reqwest::Client,
    graph_url: &str,
    token: &str,
    phone_number_id: &str,
) -> Result<NumberInfo, Refusal> {
    let answer = http
        .get(format!("{graph_url}/{}", urlencoding::encode(phone_number_id)))
        .query(&[("fields", "display_phone_number,verified_name")])
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| Refusal::Unreachable(format!("no answer from Graph: {error}")))?;
    let body = refusal_or_body(answer).await?;
    let digits: String =
        body["display_phone_number"].as_str().unwrap_or_default().chars().filter(char::is_ascii_digit).collect();
    let phone = sidechat_domain::E164::parse(&format!("+{digits}")).map_err(|_| Refusal::Refused {
        code: None,
        message: format!("Graph gives no valid number for {phone_number_id}: {body}"),
    })?;
    let verified_name = body["verified_name"].as_str().map(str::trim).unwrap_or_default().to_owned();
    Ok(NumberInfo { phone, verified_name })
}

/// Subscribes the app to a business account's webhooks: `POST /{waba_id}/subscribed_apps`.
pub async fn subscribe(http: &reqwest::Client, graph_url: &str, token: &str, waba_id: &str) -> Result<(), Refusal> {
    let answer = http
        .post(format!("{graph_url}/{}/subscribed_apps", urlencoding::encode(waba_id)))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|error| Refusal::Unreachable(format!("no answer from Graph: {error}")))?;
    let body = refusal_or_body(answer).await?;
    if body["success"] == true {
        Ok(())
    } else {
        Err(Refusal::Refused { code: None, message: format!("Graph did not confirm the subscription: {body}") })
    }
}

/// A Graph answer's body, or its error.
async fn refusal_or_body(answer: reqwest::Response) -> Result<Value, Refusal> {
    let status = answer.status();
    let text = answer.text().await.map_err(|error| Refusal::Unreachable(format!("no answer from Graph: {error}")))?;
    if status.is_success() {
        return serde_json::from_str(&text)
            .map_err(|_| Refusal::Unreachable(format!("an unreadable answer from Graph: {text}")));
    }
    if status.is_server_error() {
        return Err(Refusal::Unreachable(format!("Graph answered {status}")));
    }
    let error = serde_json::from_str::<GraphError>(&text).ok().map(|e| e.error);
    Err(Refusal::Refused {
        code: error.as_ref().map(|e| e.code),
        message: error.map(|e| e.message).filter(|m| !m.is_empty()).unwrap_or_else(|| format!("HTTP {status}")),
    })
}

/// Why an inbound file could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// Meta says it has no such file (or it is over the limit): asking again will not help.
    #[error("{0}")]
    Gone(String),
    /// Meta did not answer, or answered with trouble of its own: try again later.
    #[error(transparent)]
    Later(#[from] anyhow::Error),
}

impl Cloud {
    /// An inbound message's media, ready to be read as a stream: `GET /{media_id}` for its short-lived URL, then
    /// the file from that URL, both with the token. A file announced as larger than the limit is refused.
    pub async fn media_response(&self, media_id: &str) -> Result<reqwest::Response, MediaError> {
        let token = self.config.token.expose_secret();
        let url = format!("{}/{}", self.config.graph_url, urlencoding::encode(media_id));
        let info = self.http.get(url).bearer_auth(token).send().await.map_err(anyhow::Error::from)?;
        let info: Value = checked(info).await?.json().await.map_err(anyhow::Error::from)?;
        let url = info["url"].as_str().ok_or_else(|| MediaError::Gone("the media answer has no url".to_owned()))?;
        let answer = self.http.get(url).bearer_auth(token).send().await.map_err(anyhow::Error::from)?;
        let answer = checked(answer).await?;
        if answer.content_length().is_some_and(|length| length > attachment::MAX_ATTACHMENT_BYTES) {
            return Err(MediaError::Gone(format!(
                "the media is larger than {} bytes",
                attachment::MAX_ATTACHMENT_BYTES
            )));
        }
        Ok(answer)
    }
}

/// A media answer: a refusal (4xx but 429) means the file is gone; other failures are worth another try.
async fn checked(answer: reqwest::Response) -> Result<reqwest::Response, MediaError> {
    let status = answer.status();
    if status.is_success() {
        return Ok(answer);
    }
    if status.is_client_error() && status.as_u16() != 429 {
        return Err(MediaError::Gone(format!("Graph answered {status}")));
    }
    Err(MediaError::Later(anyhow::anyhow!("Graph answered {status}")))
}

/// The name of an inbound file: the customer's for a document, else made up from its kind, id and type.
pub fn media_name(kind: &str, media_id: &str, filename: Option<&str>, mime: &str) -> String {
    match filename {
        Some(name) if !name.trim().is_empty() => name.trim().to_owned(),
        _ => format!("{kind}-{}.{}", media_id.chars().rev().take(6).collect::<String>(), extension(mime)),
    }
}

/// A file extension for a media type WhatsApp sends.
fn extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or(mime).trim() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        _ => "bin",
    }
}

/// The Graph name of a media kind.
fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Audio => "audio",
        MediaKind::Video => "video",
        MediaKind::Document => "document",
        MediaKind::Sticker => "sticker",
    }
}

fn template_payload(template: &TemplateSend) -> Value {
    let mut payload = json!({"name": template.name, "language": {"code": template.language}});
    if !template.params.is_empty() {
        let parameters: Vec<Value> = template.params.iter().map(|p| json!({"type": "text", "text": p})).collect();
        payload["components"] = json!([{"type": "body", "parameters": parameters}]);
    }
    payload
}

/// `{{1}}`, `{{2}}`… in order of first appearance.
pub fn placeholders(body: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names
}

fn unknown(error: reqwest::Error) -> SendError {
    SendError::Unknown { reason: format!("no answer from the Cloud API: {}", super::with_causes(&error)) }
}

/// Reads a Graph answer, classifying failures by the Graph error code.
async fn read(answer: reqwest::Response) -> Result<Value, SendError> {
    let status = answer.status();
    let retry_after = retry_after(answer.headers());
    let text = answer.text().await.map_err(unknown)?;
    if status.is_success() {
        return serde_json::from_str(&text)
            .map_err(|_| SendError::Unknown { reason: format!("unreadable answer: {text}") });
    }
    let error = serde_json::from_str::<GraphError>(&text).ok().map(|e| e.error);
    let code = error.as_ref().map_or(0, |e| e.code);
    let mut message = error.as_ref().map(|e| e.message.clone()).unwrap_or_else(|| format!("HTTP {status}"));
    if let Some(details) = error.as_ref().and_then(|e| e.error_data.as_ref()).and_then(|d| d["details"].as_str()) {
        message = format!("{message}: {details}");
    }
    if status.as_u16() == 429 || THROTTLING_CODES.contains(&code) {
        return Err(SendError::Retryable { reason: format!("throttled ({code}): {message}"), retry_after });
    }
    if status.is_server_error() || TRANSIENT_CODES.contains(&code) {
        return Err(SendError::Unknown { reason: format!("Cloud API error {status} ({code}): {message}") });
    }
    if status.as_u16() == 401 || code == 190 {
        // A bad or expired token is the operator's to fix; keep the message queued meanwhile.
        return Err(SendError::Retryable {
            reason: format!("the Cloud API refused the token ({code}): {message}"),
            retry_after: None,
        });
    }
    Err(SendError::Permanent { code: code.to_string(), message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_in_order_of_first_use() {
        assert_eq!(placeholders("Hi {{1}}, {{2}} and {{1}} again {{ 3 }}"), ["1", "2", "3"]);
        assert!(placeholders("no params {{").is_empty());
    }
}
