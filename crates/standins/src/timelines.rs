//! A local TimelinesAI public API, following its documented shapes under `/integrations/api`:
//! `GET /whatsapp_accounts`, `POST /messages`, `POST /files_upload`, `GET /chats?phone=&whatsapp_account_id=`,
//! `GET /chats/{id}/messages?from_me=&after=`, `GET /messages/{uid}/status_history`. It checks the bearer token,
//! records what it receives, keeps a chat history of what it sent and of what customers wrote
//! ([`Timelines::customer_writes`]), and answers sends from a script, then with success.

mod routes;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::Router;
use serde_json::{Value, json};

use crate::faults::Draws;
pub use crate::faults::{Answer, Answered, Faults};
use crate::server::Served;

/// The API token the stand-in accepts.
pub const TOKEN: &str = "timelines-test-token";
/// The secret webhooks are signed with (for the tests that post them).
pub const WEBHOOK_SECRET: &str = "timelines-webhook-secret-0123456789";
/// The active account the tests send from.
pub const ACCOUNT_ID: &str = "4930901820@s.whatsapp.net";
/// Its number.
pub const SENDER_PHONE: &str = "+4930901820";
/// A second active account, without a name.
pub const OTHER_ACCOUNT_ID: &str = "551133334444@s.whatsapp.net";
/// Its number.
pub const OTHER_PHONE: &str = "+551133334444";
/// A disconnected account: never a sender.
pub const DISCONNECTED_ID: &str = "4915112345678@s.whatsapp.net";
/// The token of a second TimelinesAI workspace, with one account of its own: for connections admins make.
pub const SECOND_TOKEN: &str = "timelines-second-workspace-token";
/// The second workspace's account.
pub const SECOND_ACCOUNT_ID: &str = "4940123456790@s.whatsapp.net";
/// Its number.
pub const SECOND_PHONE: &str = "+4940123456790";
/// The token of a TimelinesAI workspace whose only account is disconnected.
pub const IDLE_TOKEN: &str = "timelines-idle-workspace-token";

/// A WhatsApp account of a TimelinesAI workspace: (id, phone, status, account name, owner name).
pub(crate) type Account = (&'static str, &'static str, &'static str, &'static str, &'static str);

/// The workspaces the stand-in holds, by token, with their accounts. (Chats and statuses are kept together: the
/// tests never use two workspaces' chats at once.)
pub(crate) const WORKSPACES: [(&str, &[Account]); 3] = [
    (
        TOKEN,
        &[
            (ACCOUNT_ID, SENDER_PHONE, "active", "Berlin desk", "Anna"),
            (OTHER_ACCOUNT_ID, OTHER_PHONE, "active", "", "Bruno"),
            (DISCONNECTED_ID, "+4915112345678", "disconnected", "Old phone", "Anna"),
        ],
    ),
    (SECOND_TOKEN, &[(SECOND_ACCOUNT_ID, SECOND_PHONE, "active", "Hamburg team", "Clara")]),
    (IDLE_TOKEN, &[("4915199999999@s.whatsapp.net", "+4915199999999", "disconnected", "Spare", "Dora")]),
];

/// The path the API is served under.
const API_PATH: &str = "/integrations/api";

/// A scripted answer to a send.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// An error with this HTTP status and message (429 comes with `Retry-After`); nothing is sent.
    Error(u16, &'static str),
    /// The message is sent (it shows in the chat history) but the answer comes only after a delay.
    Slow(Duration),
}

/// What the stand-in received.
#[derive(Debug, Default)]
struct Recorded {
    /// Every send received, in order, with how it was answered.
    sends: Vec<Answered>,
    /// Every upload: (file name, declared type, bytes).
    uploads: Vec<(String, String, usize)>,
    /// Requests with a wrong or missing token.
    unauthorized: usize,
    /// How often the account list was read.
    account_reads: usize,
    /// The uids whose status history was read, in order.
    status_reads: Vec<String>,
}

/// One chat and the messages sent in it.
#[derive(Debug)]
struct Chat {
    id: u64,
    phone: String,
    account_id: String,
    messages: Vec<Value>,
}

/// The workspace's chats, message statuses and uploaded files.
#[derive(Debug, Default)]
struct Workspace {
    chats: Vec<Chat>,
    /// uid → status history.
    statuses: HashMap<String, Vec<Value>>,
    /// file uid → file name.
    files: HashMap<String, String>,
    /// How many customer messages were written.
    inbound: usize,
}

impl Workspace {
    /// The chat of a customer with an account, opened if it is new.
    fn chat(&mut self, phone: &str, account_id: &str) -> &mut Chat {
        let index = match self.chats.iter().position(|c| c.phone == phone && c.account_id == account_id) {
            Some(index) => index,
            None => {
                let id = self.chats.len() as u64 + 9001;
                self.chats.push(Chat {
                    id,
                    phone: phone.to_owned(),
                    account_id: account_id.to_owned(),
                    messages: vec![],
                });
                self.chats.len() - 1
            }
        };
        &mut self.chats[index]
    }
}

/// Shared by the handle and the handlers.
#[derive(Default)]
struct Shared {
    recorded: Mutex<Recorded>,
    workspace: Mutex<Workspace>,
    script: Mutex<VecDeque<Scripted>>,
    /// The fault mode, when on.
    faults: Mutex<Option<Draws>>,
    /// The pacing, when on: the least time between two messages of one account going out.
    pacing: Mutex<Option<Duration>>,
    /// When each account may send its next paced message.
    next_turn: Mutex<HashMap<String, tokio::time::Instant>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The stand-in's routes, under `/integrations/api`, for a server of one's own.
pub fn router() -> Router {
    routes::router(Arc::default())
}

/// A running TimelinesAI stand-in, stopped when dropped.
pub struct Timelines {
    /// Its API base URL (`http://127.0.0.1:PORT/integrations/api`).
    pub url: String,
    shared: Arc<Shared>,
    _served: Served,
}

impl Timelines {
    /// Serves on a loopback port.
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let served = Served::start(routes::router(shared.clone())).await;
        Self { url: format!("{}{API_PATH}", served.url), shared, _served: served }
    }

    /// Queues answers for the next sends.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        lock(&self.shared.script).extend(answers);
    }

    /// Turns the fault mode on for the sends from now on: refusals are
    /// [`TIMELINES_FAULTS`](crate::assumptions::TIMELINES_FAULTS).
    pub fn faults(&self, faults: Faults) {
        *lock(&self.shared.faults) = Some(Draws::new(faults));
    }

    /// Paces each account's messages as TimelinesAI does (about 2 s apart, the excess queued), scaled down to
    /// `gap` (each wait drawn between half and one and a half of it): a send is answered at once, and its message
    /// enters the chat history when its turn comes.
    pub fn pace(&self, gap: Duration) {
        *lock(&self.shared.pacing) = Some(gap);
    }

    /// The send payloads received so far.
    pub fn sends(&self) -> Vec<Value> {
        lock(&self.shared.recorded).sends.iter().map(|sent| sent.payload.clone()).collect()
    }

    /// The sends received so far, each with how it was answered.
    pub fn answered(&self) -> Vec<Answered> {
        lock(&self.shared.recorded).sends.clone()
    }

    /// The uploads received so far: (file name, declared type, bytes).
    pub fn uploads(&self) -> Vec<(String, String, usize)> {
        lock(&self.shared.recorded).uploads.clone()
    }

    /// How many requests came with a wrong or missing token.
    pub fn unauthorized(&self) -> usize {
        lock(&self.shared.recorded).unauthorized
    }

    /// How often the account list was read.
    pub fn account_reads(&self) -> usize {
        lock(&self.shared.recorded).account_reads
    }

    /// The uids whose status history was read, in order.
    pub fn status_reads(&self) -> Vec<String> {
        lock(&self.shared.recorded).status_reads.clone()
    }

    /// A customer writes to an account: the message enters the chat history (no webhook is sent: the tests
    /// post those themselves). Returns its uid.
    pub fn customer_writes(&self, customer: &str, account_id: &str, account_phone: &str, text: &str) -> String {
        let mut workspace = lock(&self.shared.workspace);
        let uid = format!("tl-in-{}", workspace.inbound + 1);
        workspace.inbound += 1;
        let entry = json!({"uid": uid, "timestamp": jiff::Timestamp::now().to_string(), "from_me": false,
            "text": text, "sender_phone": customer, "recipient_phone": account_phone, "status": "Received",
            "message_type": "whatsapp", "has_attachment": false, "attachment_filename": null});
        workspace.chat(customer, account_id).messages.push(entry);
        uid
    }

    /// Adds a status (`"Delivered"`, `"read"`…) to a sent message's history, as WhatsApp would report it.
    pub fn report(&self, uid: &str, status: &str) {
        let entry = json!({"status": status, "timestamp": jiff::Timestamp::now().to_string()});
        lock(&self.shared.workspace).statuses.entry(uid.to_owned()).or_default().push(entry);
    }
}
