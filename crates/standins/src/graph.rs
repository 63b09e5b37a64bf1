//! A local Meta Graph API (WhatsApp Cloud API), following its documented request and answer shapes:
//! `POST /{phone_number_id}/messages`, `POST /{phone_number_id}/media`, `GET /{media_id}` and the media's bytes,
//! `GET /{waba_id}/message_templates`, `GET /{phone_number_id}`, `POST /{waba_id}/subscribed_apps`, all under
//! `/v23.0`. It holds two businesses, each token reaching only its own account and numbers. It records what it
//! receives and answers sends from a script, then with success; an optional observer sees each accepted send as
//! it arrives (the bench times arrivals with it).

mod routes;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use serde_json::Value;

use crate::assumptions::GRAPH_API_VERSION;
use crate::faults::Draws;
pub use crate::faults::{Answer, Answered, Faults};
use crate::server::Served;

/// The access token of the first business the stand-in holds.
pub const TOKEN: &str = "graph-test-token";
/// The first business's WhatsApp Business Account (whose templates it lists).
pub const WABA_ID: &str = "880001";
/// The first business's one phone number id.
pub const PHONE_NUMBER_ID: &str = "100200300";
/// That number.
pub const SENDER_PHONE: &str = "+4930901820";
/// A second business, with a token, an account and two numbers of its own: for connections admins make.
pub const SECOND_TOKEN: &str = "graph-second-business-token";
/// The second business's account.
pub const SECOND_WABA_ID: &str = "880002";
/// The second business's numbers: (phone number id, number, verified name).
pub const SECOND_NUMBERS: [(&str, &str, &str); 2] =
    [("100200400", "+4940123456780", "Hamburg desk"), ("100200500", "+4940123456781", "Hamburg support")];

/// A business of the stand-in: its token reaches its account and its numbers, nothing else.
pub(crate) struct Business {
    pub(crate) token: &'static str,
    pub(crate) waba_id: &'static str,
    /// (phone number id, number, verified name).
    pub(crate) numbers: &'static [(&'static str, &'static str, &'static str)],
}

/// The businesses the stand-in holds.
pub(crate) const BUSINESSES: [Business; 2] = [
    Business { token: TOKEN, waba_id: WABA_ID, numbers: &[(PHONE_NUMBER_ID, SENDER_PHONE, "Sidechat Test")] },
    Business { token: SECOND_TOKEN, waba_id: SECOND_WABA_ID, numbers: &SECOND_NUMBERS },
];
/// The app secret webhooks are signed with (for the tests that post them).
pub const APP_SECRET: &str = "graph-app-secret";
/// The webhook verify token (for the tests that verify the subscription).
pub const VERIFY_TOKEN: &str = "graph-verify-token";
/// The bytes of the inbound photo the stand-in holds as media `media-in-1`.
pub const INBOUND_PHOTO: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F'];

/// A scripted answer to a send.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// A Graph error with this HTTP status, error code and message.
    Error(u16, i64, &'static str),
    /// Success, after a delay (to make the relay time out).
    Slow(Duration),
}

/// What the stand-in received.
#[derive(Debug, Default)]
struct Recorded {
    /// Every send received, in order, with how it was answered.
    sends: Vec<Answered>,
    /// Every media upload: (file name, declared type, bytes).
    uploads: Vec<(String, String, usize)>,
    /// Requests with a wrong or missing token.
    unauthorized: usize,
    /// The business accounts the app was subscribed to (`POST /{waba_id}/subscribed_apps`), in order.
    subscribed: Vec<String>,
}

/// Called with each send payload the stand-in accepts, as it arrives.
pub type Observer = Arc<dyn Fn(&Value) + Send + Sync>;

/// Shared by the handle and the handlers.
#[derive(Default)]
struct Shared {
    recorded: Mutex<Recorded>,
    script: Mutex<VecDeque<Scripted>>,
    /// How long the template list takes to answer.
    templates_delay: Mutex<Duration>,
    observer: Option<Observer>,
    /// The fault mode, when on.
    faults: Mutex<Option<Draws>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running Graph stand-in, stopped when dropped.
pub struct Graph {
    /// Its base URL, with the API version (`http://127.0.0.1:PORT/v23.0`), for `WHATSAPP_GRAPH_URL`.
    pub url: String,
    shared: Arc<Shared>,
    _served: Served,
}

/// The stand-in's routes, under `/v23.0`, for a server of one's own.
pub fn router() -> Router {
    routes::router(Arc::default())
}

impl Graph {
    /// Serves on a loopback port.
    pub async fn start() -> Self {
        Self::serve(Shared::default()).await
    }

    /// Serves on a loopback port, calling `observer` with each send it accepts.
    pub async fn start_observed(observer: impl Fn(&Value) + Send + Sync + 'static) -> Self {
        Self::serve(Shared { observer: Some(Arc::new(observer)), ..Shared::default() }).await
    }

    async fn serve(shared: Shared) -> Self {
        let shared = Arc::new(shared);
        let served = Served::start(routes::router(shared.clone())).await;
        Self { url: format!("{}/{GRAPH_API_VERSION}", served.url), shared, _served: served }
    }

    /// Queues answers for the next sends.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        lock(&self.shared.script).extend(answers);
    }

    /// Turns the fault mode on for the sends from now on: refusals are Graph's throttling and server errors
    /// ([`GRAPH_FAULTS`](crate::assumptions::GRAPH_FAULTS)).
    pub fn faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = Some(Draws::new(faults));
    }

    /// Makes the template list answer only after `delay` (to make a request to the relay time out).
    pub fn delay_templates(&self, delay: Duration) {
        *lock(&self.shared.templates_delay) = delay;
    }

    /// The send payloads received so far.
    pub fn sends(&self) -> Vec<Value> {
        lock(&self.shared.recorded).sends.iter().map(|sent| sent.payload.clone()).collect()
    }

    /// The sends received so far, each with how it was answered.
    pub fn answered(&self) -> Vec<Answered> {
        lock(&self.shared.recorded).sends.clone()
    }

    /// How many sends were received so far.
    pub fn send_count(&self) -> usize {
        lock(&self.shared.recorded).sends.len()
    }

    /// The media uploads received so far: (file name, declared type, bytes).
    pub fn uploads(&self) -> Vec<(String, String, usize)> {
        lock(&self.shared.recorded).uploads.clone()
    }

    /// How many requests came with a wrong or missing token.
    pub fn unauthorized(&self) -> usize {
        lock(&self.shared.recorded).unauthorized
    }

    /// The business accounts the app was subscribed to, in order.
    pub fn subscribed(&self) -> Vec<String> {
        lock(&self.shared.recorded).subscribed.clone()
    }
}
