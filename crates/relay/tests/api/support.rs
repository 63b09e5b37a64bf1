//! `spawn_app`: the real relay on port 0 with a throw-away database (SQLite file or PostgreSQL database), and
//! helpers to call it as the widget does. Waits poll state with a bound, never sleep a fixed time.

use std::future::Future;
use std::time::{Duration, Instant};

use futures::StreamExt;

use jsonwebtoken::{EncodingKey, Header};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::{Value, json};
use sidechat_relay::config::Config;
use sidechat_relay::{AppState, Relay};

/// The Pipedrive app secret the test relays use: the app's in the Pipedrive stand-in's test data.
pub const PIPEDRIVE_SECRET: &str = sidechat_standins::pipedrive::test_data::CLIENT_SECRET;
/// A Pipedrive company admitted to the test relays (`PIPEDRIVE_COMPANY_IDS`): it shares the operator workspace.
pub const INSTALLED_COMPANY: u64 = 7001;
/// One that is not.
pub const OTHER_COMPANY: u64 = 7002;
/// A second admitted company: it gets a workspace of its own, without WhatsApp.
pub const OTHER_WORKSPACE_COMPANY: u64 = 7003;
/// Where Zoho serves an uploaded widget: an origin the relays let call them by default.
pub const ZOHO_WIDGET_ORIGIN: &str = "https://plugin-sidechat.zappsusercontent.com";
/// The test relays' `SIDECHAT_SECRET_KEY`.
pub const SECRET_KEY: &str = "8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// The test relays' `SIDECHAT_METRICS_TOKEN`.
pub const METRICS_TOKEN: &str = "metrics-token-for-the-tests";
/// The Pipedrive user the test tokens name by default (an admin in the stand-in's test data).
pub const PIPEDRIVE_USER: u64 = 42;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A relay serving on a loopback port.
pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub http: Client,
    relay: Option<Relay>,
    server: tokio::task::JoinHandle<()>,
    _dir: TempDir,
}

/// A directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("sidechat-api-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh, empty PostgreSQL database on the server `cargo xtask test` started.
pub async fn postgres_database() -> String {
    let server = std::env::var("SIDECHAT_TEST_POSTGRES_URL").expect(
        "SIDECHAT_TEST_POSTGRES_URL is not set: run the tests through `cargo xtask test`, which starts PostgreSQL",
    );
    let name = format!("sidechat_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::any::install_default_drivers();
    let mut admin =
        <sqlx::AnyConnection as sqlx::Connection>::connect(&server).await.expect("connecting to PostgreSQL");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("creating a test database");
    let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base).to_owned();
    format!("{base}/{name}")
}

impl TestApp {
    /// Starts a relay (sandbox provider, Pipedrive and Zoho configured) on `backend`, with `tweak` applied to
    /// its settings.
    pub async fn spawn(backend: Backend, tweak: impl FnOnce(&mut Vec<(&'static str, String)>)) -> Self {
        Self::spawn_with(backend, false, tweak).await
    }

    /// Starts a relay in demo mode (`serve --demo`), which needs no settings beyond where to listen and store.
    pub async fn spawn_demo(backend: Backend) -> Self {
        Self::spawn_with(backend, true, |settings| {
            settings.retain(|(k, _)| {
                matches!(
                    *k,
                    "SIDECHAT_LISTEN"
                        | "SIDECHAT_DATABASE_URL"
                        | "SIDECHAT_WIDGET_DIR"
                        | "SIDECHAT_FILES_DIR"
                        | "SIDECHAT_PUBLIC_URL"
                        | "SIDECHAT_SECRET_KEY"
                )
            })
        })
        .await
    }

    /// Starts a relay like [`spawn`](Self::spawn) on a database the test prepared (and keeps after the relay).
    pub async fn spawn_on(database_url: &str, tweak: impl FnOnce(&mut Vec<(&'static str, String)>)) -> Self {
        Self::spawn_in(TempDir::new(), database_url.to_owned(), false, tweak).await
    }

    async fn spawn_with(backend: Backend, demo: bool, tweak: impl FnOnce(&mut Vec<(&'static str, String)>)) -> Self {
        let dir = TempDir::new();
        let database_url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.0.join("relay.db").display()),
            Backend::Postgres => postgres_database().await,
        };
        Self::spawn_in(dir, database_url, demo, tweak).await
    }

    async fn spawn_in(
        dir: TempDir,
        database_url: String,
        demo: bool,
        tweak: impl FnOnce(&mut Vec<(&'static str, String)>),
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::fs::create_dir_all(dir.0.join("widget")).unwrap();
        std::fs::write(dir.0.join("widget/index.html"), "<!doctype html><title>widget</title>").unwrap();
        let mut settings: Vec<(&'static str, String)> = vec![
            ("SIDECHAT_LISTEN", "127.0.0.1:0".into()),
            ("SIDECHAT_DATABASE_URL", database_url),
            ("SIDECHAT_WIDGET_DIR", dir.0.join("widget").display().to_string()),
            // Beside the test's database, never in the working directory (a PostgreSQL relay's default).
            ("SIDECHAT_FILES_DIR", dir.0.join("files").display().to_string()),
            ("SIDECHAT_PROVIDER", "sandbox".into()),
            // The demo's CRM is read through the public URL, so it must be the real one; elsewhere a fixed name
            // keeps OAuth redirect URIs and signed links predictable.
            ("SIDECHAT_PUBLIC_URL", if demo { url.clone() } else { "http://relay.test".to_owned() }),
            ("PIPEDRIVE_CLIENT_ID", sidechat_standins::pipedrive::test_data::CLIENT_ID.into()),
            ("PIPEDRIVE_CLIENT_SECRET", PIPEDRIVE_SECRET.into()),
            // Zoho users sign in with the stand-in's client; a test that signs in points ZOHO_ACCOUNTS_HOSTS at its
            // Zoho stand-ins.
            ("ZOHO_CLIENT_ID", sidechat_standins::zoho::CLIENT_ID.into()),
            ("ZOHO_CLIENT_SECRET", sidechat_standins::zoho::CLIENT_SECRET.into()),
            ("SIDECHAT_SECRET_KEY", SECRET_KEY.into()),
            ("PIPEDRIVE_COMPANY_IDS", format!("{INSTALLED_COMPANY},{OTHER_WORKSPACE_COMPANY}")),
            // Concurrent-retry tests send bursts far above a person's pace; the limit has a test of its own.
            ("SIDECHAT_SEND_RATE_LIMIT", "0".into()),
            ("SIDECHAT_METRICS_TOKEN", METRICS_TOKEN.into()),
        ];
        tweak(&mut settings);
        let config =
            // A tweak's setting overrides the default: the last one named wins.
            Config::from_lookup(demo, |name| settings.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
                .expect("a valid test configuration");
        let relay = Relay::start(config).await.expect("starting the relay");
        let state = relay.state.clone();
        let router = relay.router();
        let server = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, state, http: Client::new(), relay: Some(relay), server, _dir: dir }
    }

    /// Stops the outbox and the server.
    pub async fn stop(mut self) {
        self.server.abort();
        if let Some(relay) = self.relay.take() {
            relay.stop().await;
        }
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.url))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.url))
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.http.put(format!("{}{path}", self.url))
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(format!("{}{path}", self.url))
    }

    /// Logs a message from the customer to a sender, as a provider webhook would, opening the 24-hour window.
    pub async fn customer_writes(&self, sender_id: &str, sender_phone: &str, contact: &str, body: &str) {
        let inbound = sidechat_relay::store::InboundMessage {
            id: uuid::Uuid::now_v7().to_string(),
            provider_id: format!("test-in-{}", uuid::Uuid::new_v4()),
            sender_id: sender_id.into(),
            business_phone: sidechat_domain::E164::parse(sender_phone).unwrap(),
            contact: sidechat_domain::E164::parse(contact).unwrap(),
            body: body.into(),
            attachment_ids: vec![],
            at: jiff::Timestamp::now().as_millisecond(),
        };
        assert!(self.state.ingest.inbound(&self.state.operator, inbound).await.unwrap());
    }
}

/// A relay with the Pipedrive stand-in's first two companies admitted (the first shares the operator workspace and
/// its sandbox WhatsApp; the second has a workspace of its own, without WhatsApp), `tweak` applied to its settings,
/// and the admins of both and the first one's member connected.
pub async fn two_workspaces_with(
    backend: Backend,
    tweak: impl FnOnce(&mut Vec<(&'static str, String)>),
) -> (TestApp, sidechat_standins::pipedrive::Pipedrive) {
    use sidechat_standins::pipedrive::test_data::{ADMIN_ID, COMPANIES, MEMBER_ID};
    let pipedrive =
        sidechat_standins::pipedrive::Pipedrive::start(sidechat_standins::pipedrive::World::test_data()).await;
    let oauth_url = pipedrive.url.clone();
    let (a, b) = (COMPANIES[0], COMPANIES[1]);
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.push(("PIPEDRIVE_COMPANY_IDS", format!("{a},{b}")));
        tweak(settings);
    })
    .await;
    for (company, user) in [(a, ADMIN_ID), (a, MEMBER_ID), (b, ADMIN_ID)] {
        let code = pipedrive.issue_code_for(company, user);
        let response = app.get(&format!("/oauth/pipedrive/callback?code={code}")).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    (app, pipedrive)
}

/// `Authorization: Bearer` with the token a demo relay's dev host page gets (of `company`, else the demo's).
pub async fn demo_token(app: &TestApp, company: Option<u64>) -> String {
    let path = match company {
        Some(company) => format!("/demo/token?companyId={company}"),
        None => "/demo/token".to_owned(),
    };
    let (status, body) = json(app.get(&path).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    format!("Bearer {}", body["token"].as_str().unwrap())
}

/// `Authorization: Bearer` with a Pipedrive panel token of `user` in `company`.
pub fn auth(company: u64, user: u64) -> String {
    format!("Bearer {}", pipedrive_token_for(company, user, 300))
}

/// `GET path` with `authorization`: the status and JSON body.
pub async fn get(app: &TestApp, path: &str, authorization: &str) -> (u16, Value) {
    json(app.get(path).header("authorization", authorization).send().await.unwrap()).await
}

/// A Pipedrive panel token of [`PIPEDRIVE_USER`]: HS256, `userId`, `companyId`, `iat`, `exp`.
pub fn pipedrive_token(company: u64, expires_in: i64) -> String {
    pipedrive_token_for(company, PIPEDRIVE_USER, expires_in)
}

/// A Pipedrive panel token of a given user.
pub fn pipedrive_token_for(company: u64, user: u64, expires_in: i64) -> String {
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({ "userId": user, "companyId": company, "iat": now, "exp": now + expires_in });
    jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(PIPEDRIVE_SECRET.as_bytes())).unwrap()
}

/// `Authorization: Bearer` for an installed Pipedrive company.
pub fn bearer() -> String {
    format!("Bearer {}", pipedrive_token(INSTALLED_COMPANY, 300))
}

/// `Authorization: Bearer` for a user of the other workspace.
pub fn other_workspace() -> String {
    format!("Bearer {}", pipedrive_token(OTHER_WORKSPACE_COMPANY, 300))
}

/// `POST /api/v1/messages` with `authorization` and an idempotency key; answers the status and body.
pub async fn send_as(app: &TestApp, authorization: &str, key: &str, body: &Value) -> (u16, Value) {
    json(
        app.post("/api/v1/messages")
            .header("authorization", authorization)
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Buys a ticket for `phone`'s stream with `authorization`; answers the status and body.
pub async fn buy_ticket(app: &TestApp, authorization: &str, phone: &str) -> (u16, Value) {
    json(
        app.post("/api/v1/events/ticket")
            .header("authorization", authorization)
            .json(&json!({ "phone": phone }))
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// `GET /api/v1/events` for `phone` with a ticket.
pub async fn stream_with_ticket(app: &TestApp, phone: &str, ticket: &str) -> Response {
    app.get(&format!("/api/v1/events?phone={}&ticket={ticket}", phone.replace('+', "%2B"))).send().await.unwrap()
}

/// Opens `phone`'s event stream as the widget does: a ticket, then the stream.
pub async fn open_stream(app: &TestApp, authorization: &str, phone: &str) -> Response {
    let (status, body) = buy_ticket(app, authorization, phone).await;
    assert_eq!(status, 200, "{body}");
    let stream = stream_with_ticket(app, phone, body["ticket"].as_str().unwrap()).await;
    assert_eq!(stream.status(), 200);
    stream
}

/// `X-Hub-Signature-256` for a webhook body, as Meta signs it with the app secret `secret`.
pub fn meta_signature(raw: &[u8], secret: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(raw);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Posts a Cloud API webhook body signed as Meta signs it, with the app secret `secret`.
pub async fn cloud_webhook(app: &TestApp, body: &Value, secret: &str) -> (u16, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let signature = meta_signature(&raw, secret);
    json(
        app.post("/webhooks/whatsapp")
            .header("x-hub-signature-256", signature)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Signs a Zoho user in at the relay at `url` as their panel would, through the Zoho data centre `zoho` (which
/// the relay's `ZOHO_ACCOUNTS_HOSTS` must list): the start redirect, the consent (a code from the stand-in), the
/// callback. Answers the callback's status and page.
pub async fn zoho_callback(
    url: &str,
    zoho: &sidechat_standins::zoho::Zoho,
    user_id: &str,
    origin: &str,
) -> (u16, String) {
    let http = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = http.get(format!("{url}/oauth/zoho/start")).query(&[("origin", origin)]).send().await.unwrap();
    assert_eq!(start.status(), 303, "the start redirects to Zoho Accounts");
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    let state = location.split(['?', '&']).find_map(|pair| pair.strip_prefix("state=")).expect("a state").to_owned();
    let code = zoho.issue_code(user_id);
    let callback = http
        .get(format!("{url}/oauth/zoho/callback"))
        .query(&[("code", code.as_str()), ("location", "us"), ("accounts-server", zoho.url.as_str())])
        .query(&[("state", urlencoding::decode(&state).unwrap().as_ref())])
        .send()
        .await
        .unwrap();
    (callback.status().as_u16(), callback.text().await.unwrap())
}

/// The session a sign-in page posts to its opener.
pub fn session_of(page: &str) -> String {
    let start = page.find("\"session\":\"").expect("the page carries a session") + "\"session\":\"".len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// Signs a Zoho user in and answers `Authorization: Bearer <their session>`.
pub async fn zoho_session(url: &str, zoho: &sidechat_standins::zoho::Zoho, user_id: &str) -> String {
    let (status, page) = zoho_callback(url, zoho, user_id, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 200, "{page}");
    format!("Bearer {}", session_of(&page))
}

/// The status and JSON body of a response.
pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, body)
}

/// Asserts an error answer: status and code.
pub fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "answer: {}", answer.1);
    assert_eq!(answer.1["error"]["code"], code, "answer: {}", answer.1);
    assert!(answer.1["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "answer: {}", answer.1);
}

/// Polls `check` until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < limit, "the expected state did not come within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs a test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)(Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                ($body)(Backend::Postgres).await;
            }
        }
    };
}

/// The relay binary as a child process, killed with SIGKILL when dropped.
pub struct RelayProcess(pub std::process::Child);

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A raw connection to a relay's database, to do what no API does.
pub async fn database(url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.expect("opening the relay's database")
}

/// A throw-away database and widget directory for the relay binary.
pub async fn binary_workspace(backend: Backend) -> (TempDir, String) {
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("widget")).unwrap();
    std::fs::write(dir.0.join("widget/index.html"), "<!doctype html>").unwrap();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.0.join("relay.db").display()),
        Backend::Postgres => postgres_database().await,
    };
    (dir, database_url)
}

/// Starts `sidechat-relay serve` on a loopback port with the test Pipedrive app and `settings` (which override the
/// defaults);
/// returns the process and its URL, read from the line it prints.
pub fn start_binary(database_url: &str, dir: &TempDir, settings: &[(&str, String)]) -> (RelayProcess, String) {
    let (process, url, _) = launch(relay_command(database_url, dir, settings), false);
    (process, url)
}

/// Starts the relay binary like [`start_binary`] and keeps everything it prints, on standard output and standard
/// error (its logs).
pub fn start_binary_printing(
    database_url: &str,
    dir: &TempDir,
    settings: &[(&str, String)],
) -> (RelayProcess, String, Printed) {
    launch(relay_command(database_url, dir, settings), true)
}

/// The command that starts `sidechat-relay serve` as [`start_binary`] does.
pub fn relay_command(database_url: &str, dir: &TempDir, settings: &[(&str, String)]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sidechat-relay"));
    command
        .arg("serve")
        .env("SIDECHAT_LISTEN", "127.0.0.1:0")
        .env("SIDECHAT_DATABASE_URL", database_url)
        .env("SIDECHAT_WIDGET_DIR", dir.0.join("widget"))
        .env("SIDECHAT_FILES_DIR", dir.0.join("files"))
        .env("PIPEDRIVE_CLIENT_ID", sidechat_standins::pipedrive::test_data::CLIENT_ID)
        .env("PIPEDRIVE_CLIENT_SECRET", PIPEDRIVE_SECRET)
        .env("PIPEDRIVE_COMPANY_IDS", INSTALLED_COMPANY.to_string())
        .env("SIDECHAT_SECRET_KEY", SECRET_KEY)
        .env("SIDECHAT_METRICS_TOKEN", METRICS_TOKEN)
        .env("RUST_LOG", "warn");
    for (name, value) in settings {
        command.env(name, value);
    }
    command
}

/// Spawns `command` (a [`relay_command`]) keeping everything it prints, and waits for its address.
pub fn launch_printing(command: std::process::Command) -> (RelayProcess, String, Printed) {
    launch(command, true)
}

/// Spawns the relay, keeps its standard output (and standard error with `stderr`), and waits for its address.
fn launch(mut command: std::process::Command, stderr: bool) -> (RelayProcess, String, Printed) {
    command.stdout(std::process::Stdio::piped());
    if stderr {
        command.stderr(std::process::Stdio::piped());
    }
    let mut child = command.spawn().expect("starting the relay binary");
    let printed = Printed::default();
    let (tell, address) = std::sync::mpsc::channel();
    printed.keep(child.stdout.take().unwrap(), Some(tell));
    if let Some(stderr) = child.stderr.take() {
        printed.keep(stderr, None);
    }
    let process = RelayProcess(child);
    let url = address.recv().expect("the relay exited before telling its address");
    (process, url, printed)
}

/// What a relay binary printed, on both streams, line by line as read.
#[derive(Clone, Default)]
pub struct Printed(std::sync::Arc<std::sync::Mutex<PrintedLines>>);

#[derive(Default)]
struct PrintedLines {
    text: String,
    open_streams: usize,
}

impl Printed {
    /// Everything printed so far.
    pub fn text(&self) -> String {
        self.lines().text.clone()
    }

    /// Whether every stream kept has ended: the process exited and all it printed was read.
    pub fn ended(&self) -> bool {
        self.lines().open_streams == 0
    }

    fn lines(&self) -> std::sync::MutexGuard<'_, PrintedLines> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Reads `stream` to its end on a thread, keeping each line; the address line is also sent to `address`.
    fn keep(&self, stream: impl std::io::Read + Send + 'static, address: Option<std::sync::mpsc::Sender<String>>) {
        use std::io::BufRead;
        self.lines().open_streams += 1;
        let printed = self.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                if let (Some(tell), Some(url)) = (&address, line.strip_prefix("sidechat-relay listening on ")) {
                    let _ = tell.send(url.to_owned());
                }
                let mut lines = printed.lines();
                lines.text.push_str(&line);
                lines.text.push('\n');
            }
            printed.lines().open_streams -= 1;
        });
    }
}

/// Sends `count` messages (`message 0`, `message 1`… under keys `crash-0`…) from `from` to +498963648018
/// through the relay at `url` as a user of the installed company; each must be accepted. Returns their ids, in order.
pub async fn send_numbered(http: &Client, url: &str, from: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let (status, body) = json(
            http.post(format!("{url}/api/v1/messages"))
                .header("authorization", bearer())
                .header("idempotency-key", format!("crash-{i}"))
                .json(&json!({"from": from, "to": "+498963648018", "body": format!("message {i}")}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        ids.push(body["message"]["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// Waits until the relay at `url` lists `count` outbound messages to +498963648018, all `sent`; returns them.
pub async fn until_outbound_sent(http: &Client, url: &str, count: usize) -> Vec<Value> {
    until_outbound_sent_within(http, url, count, Duration::from_secs(30)).await
}

/// [`until_outbound_sent`] with a bound of `limit`.
pub async fn until_outbound_sent_within(http: &Client, url: &str, count: usize, limit: Duration) -> Vec<Value> {
    eventually(limit, || async {
        let (_, page) = json(
            http.get(format!("{url}/api/v1/messages?phone=%2B498963648018&limit=100"))
                .header("authorization", bearer())
                .send()
                .await
                .unwrap(),
        )
        .await;
        let outbound: Vec<Value> =
            page["messages"].as_array()?.iter().filter(|m| m["direction"] == "out").cloned().collect();
        (outbound.len() == count && outbound.iter().all(|m| m["status"] == "sent")).then_some(outbound)
    })
    .await
}

/// The bytes of a stored file, read from the file store; the database holds none of them.
pub async fn stored_bytes(app: &TestApp, workspace: &sidechat_relay::store::WorkspaceId, id: &str) -> Vec<u8> {
    let (_, where_) = app.state.store.attachment(workspace, id).await.unwrap().expect("a stored attachment");
    assert_eq!(where_, sidechat_relay::store::Bytes::Files, "the bytes are in the file store, not the database");
    let key = sidechat_relay::files::Files::key(workspace, id);
    let opened = app.state.ingest.files.open(&key).await.expect("the file is in the file store");
    let chunks: Vec<bytes::Bytes> = opened.bytes.map(|chunk| chunk.unwrap()).collect().await;
    chunks.concat()
}

/// The settings of a relay binary whose operator workspace sends through the Cloud API of the Graph stand-in at
/// `graph_url`.
pub fn cloud_settings(graph_url: &str) -> Vec<(&'static str, String)> {
    use sidechat_standins::graph::*;
    vec![
        ("SIDECHAT_PROVIDER", "cloud".to_owned()),
        ("WHATSAPP_GRAPH_URL", graph_url.to_owned()),
        ("WHATSAPP_TOKEN", TOKEN.to_owned()),
        ("WHATSAPP_SENDERS", format!("{PHONE_NUMBER_ID}={SENDER_PHONE}")),
        ("WHATSAPP_WABA_ID", WABA_ID.to_owned()),
        ("WHATSAPP_APP_SECRET", APP_SECRET.to_owned()),
        ("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN.to_owned()),
    ]
}

/// The customer (+498963648018) writes "Hi" to the Cloud API number of the relay at `url`, as a signed webhook:
/// the window opens.
pub async fn customer_writes_by_webhook(http: &Client, url: &str) {
    use sidechat_standins::graph::*;
    let inbound = json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "4930901820", "phone_number_id": PHONE_NUMBER_ID},
        "messages": [{"from": "498963648018", "id": "wamid.IN", "timestamp": jiff::Timestamp::now().as_second().to_string(), "type": "text", "text": {"body": "Hi"}}]}}]}]});
    let raw = serde_json::to_vec(&inbound).unwrap();
    let signature = meta_signature(&raw, APP_SECRET);
    let answer = http.post(format!("{url}/webhooks/whatsapp")).header("x-hub-signature-256", signature).body(raw);
    assert_eq!(answer.send().await.unwrap().status(), 200);
}

/// `GET /metrics` of the relay at `url`, with the test relays' token.
pub async fn metrics_of(http: &Client, url: &str) -> String {
    let answer = http.get(format!("{url}/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    answer.text().await.unwrap()
}

/// Reads server-sent events until `done` says enough, within a bound; returns them as (event, data).
pub async fn read_events(
    response: reqwest::Response,
    mut done: impl FnMut(&[(String, Value)]) -> bool,
) -> Vec<(String, Value)> {
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let mut events = Vec::new();
    let reading = async {
        while let Some(chunk) = stream.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let event = block.lines().find_map(|l| l.strip_prefix("event: ")).map(str::to_owned);
                let data =
                    block.lines().find_map(|l| l.strip_prefix("data: ")).map(|d| serde_json::from_str(d).unwrap());
                if let (Some(event), Some(data)) = (event, data) {
                    events.push((event, data));
                    if done(&events) {
                        return;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), reading).await.expect("the expected events did not arrive");
    events
}
