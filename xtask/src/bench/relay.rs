//! The release relay binary as a child process on a loopback port, configured for the Cloud API against the
//! in-process Graph stand-in, admitting one Pipedrive company whose panel tokens the bench signs.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

use crate::build;

/// The Pipedrive app secret that signs the bench's panel tokens.
const PIPEDRIVE_SECRET: &str = "sidechat-bench-pipedrive-client-secret";
/// The admitted Pipedrive company, in the operator workspace.
const COMPANY_ID: u64 = 1;

/// The credential the bench calls the API with (`Authorization: Bearer …`): a panel token of a user of the
/// admitted company, as Pipedrive signs them, valid for two hours (a bench run is shorter).
pub fn credential() -> anyhow::Result<String> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let claims = serde_json::json!({"userId": 1, "companyId": COMPANY_ID, "iat": now, "exp": now + 7200});
    let key = jsonwebtoken::EncodingKey::from_secret(PIPEDRIVE_SECRET.as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).context("signing the bench's panel token")
}
/// The one configured Cloud API sender: the one the Graph stand-in sends from.
pub const PHONE_NUMBER_ID: &str = sidechat_standins::graph::PHONE_NUMBER_ID;
/// Its number.
pub const SENDER_PHONE: &str = "+4930901820";
/// Signs the webhooks.
pub const APP_SECRET: &str = "sidechat-bench-app-secret";
/// The Graph token the relay presents: the one the Graph stand-in accepts.
pub const GRAPH_TOKEN: &str = sidechat_standins::graph::TOKEN;

/// How long the relay may take to print its listening line (migrations included).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running relay process; killed when stopped or dropped.
pub struct RelayProcess {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl RelayProcess {
    /// Starts `binary` on a SQLite file, sending through the Graph server at `graph_url`. Its log goes to
    /// `database` with `.log` appended.
    pub async fn start(binary: &Path, database: &Path, graph_url: &str) -> anyhow::Result<Self> {
        let url = format!("sqlite://{}", database.display());
        Self::start_on(binary, &url, &log_path(database), graph_url).await
    }

    /// Starts `binary` on the database at `database_url`, sending through the Graph server at `graph_url`, with
    /// its log in `log`.
    pub async fn start_on(binary: &Path, database_url: &str, log: &Path, graph_url: &str) -> anyhow::Result<Self> {
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(binary)
            .arg("serve")
            .env_clear()
            .envs(settings(database_url, graph_url))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("the relay's standard output")?;
        let mut stdout = BufReader::new(stdout);
        let url = tokio::time::timeout(START_TIMEOUT, listening_url(&mut stdout))
            .await
            .with_context(|| format!("the relay did not start within {START_TIMEOUT:?} (see {})", log.display()))?
            .with_context(|| format!("the relay did not start (see {})", log.display()))?;
        Ok(Self { url, child, _stdout: stdout })
    }

    /// Kills the relay (`kill -9`: what it has committed must survive that) and waits for it to exit.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.child.start_kill().context("stopping the relay")?;
        self.child.wait().await.context("waiting for the relay to exit")?;
        Ok(())
    }
}

fn log_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

fn settings(database_url: &str, graph_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SIDECHAT_LISTEN", "127.0.0.1:0".to_owned()),
        ("SIDECHAT_DATABASE_URL", database_url.to_owned()),
        ("SIDECHAT_WIDGET_DIR", build::widget_dir().display().to_string()),
        ("SIDECHAT_PROVIDER", "cloud".to_owned()),
        ("SIDECHAT_PROVIDER_TIMEOUT_MS", "5000".to_owned()),
        // The bench drives one company far beyond a person's pace: no per-company limit.
        ("SIDECHAT_SEND_RATE_LIMIT", "0".to_owned()),
        ("WHATSAPP_GRAPH_URL", graph_url.to_owned()),
        ("WHATSAPP_TOKEN", GRAPH_TOKEN.to_owned()),
        ("WHATSAPP_SENDERS", format!("{PHONE_NUMBER_ID}={SENDER_PHONE}:Bench desk")),
        ("WHATSAPP_WABA_ID", "880001".to_owned()),
        ("WHATSAPP_APP_SECRET", APP_SECRET.to_owned()),
        ("WHATSAPP_VERIFY_TOKEN", "sidechat-bench-verify-token".to_owned()),
        ("PIPEDRIVE_CLIENT_ID", "sidechat-bench".to_owned()),
        ("PIPEDRIVE_CLIENT_SECRET", PIPEDRIVE_SECRET.to_owned()),
        // A closed relay admits the listed company, into the operator workspace.
        ("PIPEDRIVE_COMPANY_IDS", COMPANY_ID.to_string()),
        ("SIDECHAT_SECRET_KEY", "b3a1f0e9d8c7b6a5f4e3d2c1b0a99887766554433221100ffeeddccbbaa99887".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

/// Reads standard output up to `sidechat-relay listening on http://…`.
async fn listening_url(stdout: &mut BufReader<ChildStdout>) -> anyhow::Result<String> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).await.context("reading the relay's output")? == 0 {
            bail!("the relay exited before listening");
        }
        if let Some(url) = line.trim().strip_prefix("sidechat-relay listening on ") {
            return Ok(url.to_owned());
        }
    }
}
