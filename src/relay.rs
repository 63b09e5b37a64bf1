//! The widget's client for the relay API. Every call carries a credential: Pipedrive's signed token from the host,
//! or a Zoho user's session (see [`session`]). A call the relay refuses with 401 gets one fresh credential (a new
//! Pipedrive token from the host, a renewed session) and is tried once more.
//!
//! The relay's base URL is the page's own origin, unless the page names another in
//! `<meta name="sidechat-relay" content="https://…">` (the Zoho package, served from Zoho's own domain, does).

#[cfg(feature = "settings")]
mod admin;
mod events;
mod json;
pub mod session;
mod upload;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sidechat_domain::Country;
use sidechat_domain::wire::{
    CannedText, CannedTextInput, CannedTextsResponse, ErrorBody, ErrorCode, Message, MessagesResponse,
    NormalizeRequest, NormalizeResponse, Phone, PhoneInput, Record, SendRequest, SendResponse, Sender, SendersResponse,
    Template, TemplatesResponse, TicketRequest, TicketResponse, Upload,
};

pub use events::{EventStream, RelayEvent, StreamChange};

use crate::host::{Host, HostError, RecordRef};

/// Why a relay call did not give what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayError {
    /// The relay answered with one of its error codes.
    Api {
        /// The HTTP status.
        status: u16,
        /// The relay's code.
        code: ErrorCode,
        /// The relay's message, for people.
        message: String,
        /// With `not_connected_user`: where the user connects their CRM account.
        connect_url: Option<String>,
        /// With `invalid_setting`, `connection_rejected`, `number_in_use`: the request's field at fault.
        field: Option<String>,
    },
    /// The relay could not be reached (network down, relay down, CORS refused).
    Unreachable,
    /// The relay answered something that is not its API (a proxy's error page, a status without a body).
    Unexpected(u16),
    /// The host could not give what the call needs.
    Host(HostError),
    /// A Zoho user must sign in (no session, or one the relay no longer renews).
    SignInNeeded,
}

impl RelayError {
    /// The relay's error code, when it gave one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The request's field the relay found at fault, if it named one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Api { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// Where the user connects their own CRM account, when the relay refused for want of it.
    pub fn connect_url(&self) -> Option<&str> {
        match self {
            Self::Api { connect_url, .. } => connect_url.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for RelayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api { message, .. } => f.write_str(message),
            Self::Unreachable => f.write_str("Sidechat's server cannot be reached."),
            Self::Unexpected(status) => write!(f, "Sidechat's server answered {status} unexpectedly."),
            Self::Host(error) => error.fmt(f),
            Self::SignInNeeded => f.write_str("Sign in to use Sidechat."),
        }
    }
}

/// The relay, as the panel's host lets it call it.
#[derive(Clone)]
pub struct Relay {
    base: Rc<str>,
    host: Host,
    credential: Rc<RefCell<Option<String>>>,
}

/// A sign-in under way: the window to open, and the secret that claims its session.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Handoff {
    /// The sign-in's id.
    pub handoff: String,
    /// The secret that claims its session (never in a URL).
    pub claim: String,
    /// What the sign-in window opens.
    pub start_url: String,
}

impl Relay {
    /// The relay named by the page (or the page's origin), called with `host`'s credentials.
    pub fn new(host: Host) -> Self {
        Self { base: base_url().into(), host, credential: Rc::default() }
    }

    /// The relay's origin: where the sign-in window's message comes from.
    pub fn origin(&self) -> String {
        if !self.base.is_empty() {
            return self.base.to_string();
        }
        web_sys::window().and_then(|window| window.location().origin().ok()).unwrap_or_default()
    }

    /// Whether the panel's user signs in with the relay (Zoho) rather than presenting the host's token.
    fn signs_in(&self) -> bool {
        matches!(self.host, Host::Zoho(_))
    }

    /// `POST /api/v1/session/handoff`: starts a Zoho sign-in for the panel at `origin`.
    pub async fn start_sign_in(&self, origin: &str) -> Result<Handoff, RelayError> {
        let response =
            self.post_without_credential("/api/v1/session/handoff", serde_json::json!({ "origin": origin })).await?;
        if !response.ok() {
            return Err(error_of(response.status(), read_json(&response).await));
        }
        read_json(&response).await.ok_or(RelayError::Unexpected(response.status()))
    }

    /// `POST /api/v1/session/claim`: the session of a finished sign-in (kept, and used from now on), or `None`
    /// while the user is still signing in.
    pub async fn claim_session(&self, handoff: &Handoff) -> Result<Option<session::Session>, RelayError> {
        let body = serde_json::json!({ "handoff": handoff.handoff, "claim": handoff.claim });
        let response = self.post_without_credential("/api/v1/session/claim", body).await?;
        match response.status() {
            202 => Ok(None),
            200 => {
                let found: session::Session =
                    read_json(&response).await.ok_or(RelayError::Unexpected(response.status()))?;
                self.accept_session(&found);
                Ok(Some(found))
            }
            status => Err(error_of(status, read_json(&response).await)),
        }
    }

    /// A JSON `POST` that carries no credential (a sign-in's own calls: the secret is in the body).
    async fn post_without_credential(&self, path: &str, body: serde_json::Value) -> Result<Response, RelayError> {
        Request::post(&self.url(path))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .map_err(|_| RelayError::Unexpected(0))?
            .send()
            .await
            .map_err(|_| RelayError::Unreachable)
    }

    /// Keeps a session the sign-in window posted (or a claim gave), and uses it from now on.
    pub fn accept_session(&self, found: &session::Session) {
        session::save(&self.origin(), found);
        *self.credential.borrow_mut() = Some(found.session.clone());
    }

    /// A renewed session, or `SignInNeeded` when the relay renews it no more.
    async fn renew_session(&self) -> Result<String, RelayError> {
        let origin = self.origin();
        let Some(current) = session::load(&origin) else { return Err(RelayError::SignInNeeded) };
        let response = Request::post(&self.url("/api/v1/session/renew"))
            .header("Authorization", &format!("Bearer {}", current.session))
            .send()
            .await
            .map_err(|_| RelayError::Unreachable)?;
        if response.ok() {
            let renewed: session::Session =
                read_json(&response).await.ok_or(RelayError::Unexpected(response.status()))?;
            session::save(&origin, &renewed);
            return Ok(renewed.session);
        }
        if response.status() == 401 {
            // Another call of this page renewed it first: its session is the one to use.
            if let Some(now) = session::load(&origin).filter(|now| now.session != current.session) {
                return Ok(now.session);
            }
            session::forget(&origin);
            return Err(RelayError::SignInNeeded);
        }
        Err(error_of(response.status(), read_json(&response).await))
    }

    /// An absolute URL for a relay path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET /healthz`: whether the relay answers at all.
    pub async fn healthy(&self) -> bool {
        let Ok(response) = Request::get(&self.url("/healthz")).send().await else { return false };
        response.ok()
    }

    /// `GET /api/v1/records/pipedrive/{kind}/{id}`.
    pub async fn pipedrive_record(&self, record: &RecordRef) -> Result<Record, RelayError> {
        let path = format!("/api/v1/records/pipedrive/{}/{}", record.kind.as_str(), encode(&record.id));
        self.call(Request::get, &path, None::<&()>).await
    }

    /// `POST /api/v1/phones/normalize`.
    pub async fn normalize(&self, phones: Vec<PhoneInput>, country: Option<Country>) -> Result<Vec<Phone>, RelayError> {
        let request = NormalizeRequest { phones, country };
        let answer: NormalizeResponse = self.call(Request::post, "/api/v1/phones/normalize", Some(&request)).await?;
        Ok(answer.phones)
    }

    /// `GET /api/v1/me`: the user and their workspace.
    pub async fn me(&self) -> Result<sidechat_domain::wire::MeResponse, RelayError> {
        self.call(Request::get, "/api/v1/me", None::<&()>).await
    }

    /// `GET /api/v1/senders`.
    pub async fn senders(&self) -> Result<Vec<Sender>, RelayError> {
        let answer: SendersResponse = self.call(Request::get, "/api/v1/senders", None::<&()>).await?;
        Ok(answer.senders)
    }

    /// `GET /api/v1/messages`: the recent messages with `phone`, the window with `sender`.
    pub async fn messages(&self, phone: &str, sender: Option<&str>) -> Result<MessagesResponse, RelayError> {
        let mut path = format!("/api/v1/messages?phone={}&limit=100", encode(phone));
        if let Some(sender) = sender {
            path.push_str(&format!("&sender={}", encode(sender)));
        }
        self.call(Request::get, &path, None::<&()>).await
    }

    /// `POST /api/v1/messages` under an idempotency key: the same key never sends twice.
    pub async fn send(&self, key: &str, request: &SendRequest) -> Result<Message, RelayError> {
        let answer: SendResponse = self
            .call(|url| Request::post(url).header("Idempotency-Key", key), "/api/v1/messages", Some(request))
            .await?;
        Ok(answer.message)
    }

    /// `GET /api/v1/templates`.
    pub async fn templates(&self) -> Result<Vec<Template>, RelayError> {
        let answer: TemplatesResponse = self.call(Request::get, "/api/v1/templates", None::<&()>).await?;
        Ok(answer.templates)
    }

    /// `GET /api/v1/canned-texts`.
    pub async fn canned_texts(&self) -> Result<Vec<CannedText>, RelayError> {
        let answer: CannedTextsResponse = self.call(Request::get, "/api/v1/canned-texts", None::<&()>).await?;
        Ok(answer.canned_texts)
    }

    /// `POST /api/v1/canned-texts`.
    pub async fn create_canned_text(&self, input: &CannedTextInput) -> Result<CannedText, RelayError> {
        self.call(Request::post, "/api/v1/canned-texts", Some(input)).await
    }

    /// `PUT /api/v1/canned-texts/{id}`.
    pub async fn update_canned_text(&self, id: &str, input: &CannedTextInput) -> Result<CannedText, RelayError> {
        self.call(Request::put, &format!("/api/v1/canned-texts/{}", encode(id)), Some(input)).await
    }

    /// `DELETE /api/v1/canned-texts/{id}`.
    pub async fn delete_canned_text(&self, id: &str) -> Result<(), RelayError> {
        let path = format!("/api/v1/canned-texts/{}", encode(id));
        self.respond(|credential| authorized(Request::delete(&self.url(&path)), credential).send()).await?;
        Ok(())
    }

    /// `POST /api/v1/uploads` with a progress report from 0 to 1.
    pub async fn upload(
        &self,
        file: &web_sys::Blob,
        name: &str,
        progress: impl Fn(f64) + 'static,
    ) -> Result<Upload, RelayError> {
        let progress = Rc::new(progress);
        let mut result =
            upload::post(&self.url("/api/v1/uploads"), &self.credential().await?, file, name, progress.clone()).await;
        if matches!(result, Err(RelayError::Api { status: 401, .. })) {
            let fresh = self.refresh().await?;
            result = upload::post(&self.url("/api/v1/uploads"), &fresh, file, name, progress).await;
        }
        result
    }

    /// `GET /api/v1/events?phone=…` as a live stream. `EventSource` cannot send headers, and a long-lived
    /// credential must not ride in a URL: a single-use ticket for the number is bought first with
    /// `POST /api/v1/events/ticket` (a call like the others, so a refused credential is renewed once), and the
    /// stream opened with it. `fresh` asks the host for a new credential first, so that the stream, which the
    /// relay ends when the credential that bought it expires, lasts (a renewal after `expiring`).
    pub async fn events(
        &self,
        phone: &str,
        fresh: bool,
        on_event: impl Fn(RelayEvent) + 'static,
        on_change: impl Fn(StreamChange) + 'static,
    ) -> Result<EventStream, RelayError> {
        if fresh {
            self.refresh().await?;
        }
        let request = TicketRequest { phone: phone.to_owned() };
        let ticket: TicketResponse = self.call(Request::post, "/api/v1/events/ticket", Some(&request)).await?;
        let url = self.url(&format!("/api/v1/events?phone={}&ticket={}", encode(phone), encode(&ticket.ticket)));
        EventStream::open(&url, on_event, on_change).map_err(|_| RelayError::Unreachable)
    }

    /// The bearer credential, asked of the host once; empty on the relay's own top-level pages, whose calls carry
    /// the session cookie instead.
    async fn credential(&self) -> Result<String, RelayError> {
        if let Some(credential) = self.credential.borrow().clone() {
            return Ok(credential);
        }
        if matches!(self.host, Host::Standalone) {
            return Ok(String::new());
        }
        let credential = if self.signs_in() {
            session::load(&self.origin()).map(|kept| kept.session).ok_or(RelayError::SignInNeeded)?
        } else {
            self.host.credential().await.map_err(RelayError::Host)?
        };
        *self.credential.borrow_mut() = Some(credential.clone());
        Ok(credential)
    }

    /// A fresh credential (a new Pipedrive token from the host, a renewed session), kept for the next calls.
    async fn refresh(&self) -> Result<String, RelayError> {
        if matches!(self.host, Host::Standalone) {
            // The page's cookie session expired: the user signs in again on the relay's sign-in page.
            return Err(RelayError::SignInNeeded);
        }
        let credential = if self.signs_in() {
            self.renew_session().await.inspect_err(|_| *self.credential.borrow_mut() = None)?
        } else {
            self.host.fresh_credential().await.map_err(RelayError::Host)?
        };
        *self.credential.borrow_mut() = Some(credential.clone());
        Ok(credential)
    }

    /// A JSON call: `build` makes the request for the URL, the body (if any) is sent as JSON.
    async fn call<T: DeserializeOwned, B: Serialize>(
        &self,
        build: impl Fn(&str) -> RequestBuilder,
        path: &str,
        body: Option<&B>,
    ) -> Result<T, RelayError> {
        let body = body.map(serde_json::to_string).transpose().map_err(|_| RelayError::Unexpected(0))?;
        let response = self.send_json(&build, path, body).await?;
        read_json(&response).await.ok_or(RelayError::Unexpected(response.status()))
    }

    /// Sends a call's request with its JSON body. Apart from [`Relay::call`], which is made once per answer and
    /// body type, so that the module carries one copy of this for all calls.
    async fn send_json(
        &self,
        build: &dyn Fn(&str) -> RequestBuilder,
        path: &str,
        body: Option<String>,
    ) -> Result<Response, RelayError> {
        let url = self.url(path);
        self.respond(|credential| {
            let request = authorized(build(&url), credential);
            let body = body.clone();
            async move {
                match body {
                    Some(body) => request.header("Content-Type", "application/json").body(body)?.send().await,
                    None => request.send().await,
                }
            }
        })
        .await
    }

    /// Sends with the credential; on 401 once more with a fresh one. Maps error answers to [`RelayError`].
    async fn respond<F>(&self, send: impl Fn(Option<&str>) -> F) -> Result<Response, RelayError>
    where
        F: Future<Output = Result<Response, gloo_net::Error>>,
    {
        let credential = self.credential().await?;
        let bearer = |credential: &str| (!credential.is_empty()).then(|| format!("Bearer {credential}"));
        let mut response = send(bearer(&credential).as_deref()).await.map_err(|_| RelayError::Unreachable)?;
        if response.status() == 401 {
            let fresh = self.refresh().await?;
            response = send(bearer(&fresh).as_deref()).await.map_err(|_| RelayError::Unreachable)?;
        }
        if response.ok() {
            return Ok(response);
        }
        Err(error_of(response.status(), read_json(&response).await))
    }
}

/// The request with `Authorization`, when there is a credential (the relay's own pages send their cookie instead).
fn authorized(request: RequestBuilder, credential: Option<&str>) -> RequestBuilder {
    match credential {
        Some(credential) => request.header("Authorization", credential),
        None => request,
    }
}

/// The JSON body of an answer, as a `T`.
async fn read_json<T: DeserializeOwned>(response: &Response) -> Option<T> {
    json::parse(&response.text().await.ok()?)
}

/// The error an unsuccessful answer stands for. A connect URL is kept only as a web address: the panel puts it
/// in a link.
fn error_of(status: u16, body: Option<ErrorBody>) -> RelayError {
    match body {
        Some(ErrorBody { error }) => {
            let connect_url = error.connect_url.filter(|url| url.starts_with("https://") || url.starts_with("http://"));
            RelayError::Api { status, code: error.code, message: error.message, connect_url, field: error.field }
        }
        None => RelayError::Unexpected(status),
    }
}

/// The relay's base URL: the page's `sidechat-relay` meta tag, else the page's origin (an empty prefix).
fn base_url() -> String {
    let named = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector("meta[name=sidechat-relay]").ok().flatten())
        .and_then(|meta| meta.get_attribute("content"));
    named.map(|url| url.trim_end_matches('/').to_owned()).unwrap_or_default()
}

/// Percent-encodes a query or path component.
fn encode(raw: &str) -> String {
    urlencoding::encode(raw).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_connected(connect_url: &str) -> ErrorBody {
        let mut body = ErrorBody::new(ErrorCode::NotConnectedUser, "Connect your Pipedrive account first");
        body.error.connect_url = Some(connect_url.to_owned());
        body
    }

    #[test]
    fn a_refusal_keeps_the_relays_code_message_and_connect_url() {
        let error = error_of(403, Some(not_connected("https://relay.example/connect/pipedrive?user=7")));
        assert_eq!(error.code(), Some(ErrorCode::NotConnectedUser));
        assert_eq!(error.connect_url(), Some("https://relay.example/connect/pipedrive?user=7"));
        assert_eq!(error.to_string(), "Connect your Pipedrive account first");
        assert_eq!(error_of(403, Some(ErrorBody::new(ErrorCode::Forbidden, "No"))).connect_url(), None);
        assert_eq!(error_of(502, None), RelayError::Unexpected(502));
    }

    #[test]
    fn a_connect_url_that_is_not_a_web_address_is_dropped() {
        assert_eq!(error_of(403, Some(not_connected("javascript:alert(1)"))).connect_url(), None);
        assert_eq!(error_of(403, Some(not_connected("//relay.example/connect"))).connect_url(), None);
    }
}
