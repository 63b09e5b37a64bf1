//! What the end-to-end tests stand on: the built relay binary on port 0, chromedriver, and a WebDriver session
//! in headless Chromium. Every wait here waits on state (a line printed, a port open, an element present),
//! bounded by a limit, never on a fixed sleep.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// How long anything in these tests may take to become ready.
pub const LIMIT: Duration = Duration::from_secs(20);

/// A path the test command passes in the environment.
pub fn required_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run the end-to-end tests through `cargo xtask test`"))
}

/// A directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("sidechat-e2e-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process that is killed when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The relay binary in demo mode (sandbox provider, a throw-away SQLite file), serving the built widget on a
/// free loopback port.
pub struct Relay {
    process: Guard,
    dir: TempDir,
    settings: Vec<(String, String)>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The page that plays Pipedrive around the widget, on the demo's second port.
    pub pipedrive_host: String,
    /// The page that plays Zoho CRM around the widget, on the demo's second port.
    pub zoho_host: String,
}

impl Relay {
    /// Starts `sidechat-relay serve` and waits for the line that tells its address.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// The same, with extra settings.
    pub fn start_with(settings: &[(&str, &str)]) -> Self {
        let settings: Vec<(String, String)> =
            settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let dir = TempDir::new();
        let (process, [url, pipedrive_host, zoho_host]) = spawn(&dir, "127.0.0.1:0", &settings);
        Self { process, dir, settings, url, pipedrive_host, zoho_host }
    }

    /// Stops the relay, as a crash or a deploy would.
    pub fn kill(&mut self) {
        let _ = self.process.0.kill();
        let _ = self.process.0.wait();
    }

    /// Starts the relay again on the same address and database (after [`Relay::kill`]); the dev host pages
    /// move to a new port.
    pub fn restart(&mut self) {
        self.kill();
        let listen = self.url.trim_start_matches("http://").to_owned();
        let (process, [url, pipedrive_host, zoho_host]) = spawn(&self.dir, &listen, &self.settings);
        assert_eq!(url, self.url, "the relay came back on another address");
        (self.process, self.pipedrive_host, self.zoho_host) = (process, pipedrive_host, zoho_host);
    }
}

/// Runs the relay in demo mode on `listen` with its database in `dir`; waits for the lines that tell its
/// address and the two host pages'.
fn spawn(dir: &TempDir, listen: &str, settings: &[(String, String)]) -> (Guard, [String; 3]) {
    let mut child = Command::new(required_path("SIDECHAT_RELAY_BIN"))
        .envs(settings.iter().map(|(k, v)| (k, v)))
        .args(["serve", "--demo"])
        .env("SIDECHAT_LISTEN", listen)
        .env("SIDECHAT_DATABASE_URL", format!("sqlite://{}", dir.0.join("relay.db").display()))
        .env("SIDECHAT_DEMO_HOSTS_LISTEN", "127.0.0.1:0")
        .env("SIDECHAT_SECRET_KEY", "e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0e2e0")
        .env("SIDECHAT_DEV_HOSTS_DIR", required_path("SIDECHAT_DEV_HOSTS_DIR"))
        .env("SIDECHAT_WIDGET_DIR", required_path("SIDECHAT_WIDGET_DIR"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the relay");
    let stdout = child.stdout.take().expect("the relay's stdout");
    let process = Guard(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .find_map(|line| line.ok()?.strip_prefix("sidechat-relay listening on ").map(str::to_owned))
        .expect("the relay exited before telling its address");
    let pipedrive_host = lines
        .find_map(|line| line.ok()?.trim().strip_prefix("Pipedrive:").map(|url| url.trim().to_owned()))
        .expect("the relay exited before telling where the Pipedrive host page is");
    // The relay prints the Zoho page's line right after Pipedrive's, when the page is built.
    let zoho_host = lines
        .next()
        .and_then(|line| line.ok()?.trim().strip_prefix("Zoho:").map(|url| url.trim().to_owned()))
        .expect("the relay did not tell where the Zoho host page is (is dist/dev/zoho.html built?)");
    // Keep draining stdout so the relay never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (process, [url, pipedrive_host, zoho_host])
}

/// chromedriver on a free port, and a headless Chromium session through it.
pub struct Browser {
    _driver: Guard,
    /// The WebDriver session.
    pub client: Client,
}

impl Browser {
    /// Starts chromedriver, waits for its port, and opens a session in English.
    pub async fn start() -> Self {
        Self::start_in("en-US").await
    }

    /// A session whose browser prefers `language` (what `navigator.languages` reports).
    pub async fn start_in(language: &str) -> Self {
        Self::launch(language, &[]).await
    }

    /// An English session on a system in dark mode (`prefers-color-scheme: dark`).
    pub async fn start_dark() -> Self {
        Self::launch("en-US", &["--force-dark-mode"]).await
    }

    async fn launch(language: &str, extra: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Guard(
            Command::new(required_path("CHROMEDRIVER"))
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("starting chromedriver"),
        );
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < LIMIT, "chromedriver did not open port {port}");
            std::thread::yield_now();
        }
        let mut args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1000,1000".into(),
            format!("--lang={language}"),
        ];
        args.extend(extra.iter().map(|arg| (*arg).to_owned()));
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "binary": required_path("CHROMIUM"),
                "args": args,
                "prefs": { "intl.accept_languages": language }
            }
        });
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("opening a WebDriver session");
        Self { _driver: driver, client }
    }
}

/// Waits for an element matching `css`, or fails after [`LIMIT`].
pub async fn wait(client: &Client, css: &str) -> Element {
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("nothing matched {css}"))
}

/// Waits until the script returns true (it is re-run as the page changes; bounded by [`LIMIT`]).
pub async fn until(client: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.unwrap();
        if value.as_bool() == Some(true) {
            return;
        }
        assert!(started.elapsed() < LIMIT, "{what} did not happen within {LIMIT:?}");
        tokio::task::yield_now().await;
    }
}

/// How many elements match.
pub async fn count(client: &Client, css: &str) -> usize {
    client.find_all(Locator::Css(css)).await.unwrap().len()
}

/// Goes from a dev host page into the panel's frame.
pub async fn enter_panel(client: &Client) {
    client.find(Locator::Css("[data-testid=host-iframe]")).await.unwrap().enter_frame().await.unwrap();
}

/// Opens a dev host page, waits until the host marks its panel `ready` (`initialized`: Pipedrive's
/// `initialize` arrived; `connected`: the Zoho widget registered), and enters the panel's frame.
pub async fn open_in_host(client: &Client, url: &str, ready: &str) {
    client.goto(url).await.unwrap();
    let marker = format!("[data-testid=host-panel][data-{ready}=true]");
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css(&marker))
        .await
        .unwrap_or_else(|_| panic!("the dev host never marked the panel {ready} ({url})"));
    enter_panel(client).await;
}

/// Opens the Pipedrive dev host on `record` (`person:1`, with `extra` query parameters), enters the panel's
/// frame and waits for its conversation.
pub async fn open_panel(client: &Client, relay: &Relay, record: &str, extra: &str) {
    open_in_host(client, &format!("{}&record={record}{extra}", relay.pipedrive_host), "initialized").await;
    wait(client, "[data-testid=message-list]").await;
}

/// In a Zoho dev host page's panel that asks to sign in: signs in as the demo org's `user` (its Zoho user id, in
/// `sidechat_standins::zoho`) through the window the panel opens, on the consent page the dev host's second port
/// serves as Zoho Accounts, and comes back into the panel's frame.
pub async fn sign_in_with_zoho(client: &Client, user: &str) {
    let panel_window = client.window().await.unwrap();
    let before = client.windows().await.unwrap().len();
    wait(client, "[data-testid=zoho-sign-in]").await.click().await.unwrap();
    let started = Instant::now();
    let popup = loop {
        let windows = client.windows().await.unwrap();
        if windows.len() > before {
            break windows.into_iter().find(|w| *w != panel_window).expect("the sign-in window");
        }
        assert!(started.elapsed() < LIMIT, "no sign-in window opened");
        tokio::task::yield_now().await;
    };
    client.switch_to_window(popup).await.unwrap();
    wait(client, &format!("[data-testid=zoho-allow-{user}]")).await.click().await.unwrap();
    // The relay's last page posts the session to the panel and closes its window.
    let started = Instant::now();
    while client.windows().await.unwrap().len() > before {
        assert!(started.elapsed() < LIMIT, "the sign-in window did not close");
        tokio::task::yield_now().await;
    }
    client.switch_to_window(panel_window).await.unwrap();
    enter_panel(client).await;
}
