//! The relay's configuration. Every setting, its environment variable (names are fixed: deploy docs and outside
//! tests use them), its default and its help are declared once, in [`settings`]; this module checks how they fit
//! together. A missing or malformed setting stops the start with one line naming it.

mod read;
pub mod settings;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser};
use secrecy::SecretString;
use sidechat_domain::E164;

pub use settings::{
    DEFAULT_CORS_ORIGINS, DEFAULT_FRAME_ANCESTORS, DEFAULT_GRAPH_URL, DEFAULT_PIPEDRIVE_OAUTH_URL,
    DEFAULT_TIMELINES_URL, LogFormat, ProviderKind, Settings, Signup,
};

use crate::secrets::SecretKey;

/// Everything the relay starts with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SIDECHAT_LISTEN`: the address to serve on (default `127.0.0.1:8787`).
    pub listen: SocketAddr,
    /// `SIDECHAT_DATABASE_URL`: `sqlite://path` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// `SIDECHAT_PUBLIC_URL`: where browsers and CRMs reach the relay (default `http://` + the listen address).
    pub public_url: String,
    /// `SIDECHAT_WIDGET_DIR`: the built widget (default `dist/widget`).
    pub widget_dir: PathBuf,
    /// `SIDECHAT_SECRET_KEY`.
    pub secret_key: SecretKey,
    /// `SIDECHAT_SECRET_KEY_PREVIOUS`, during a key rotation.
    pub secret_key_previous: Option<SecretKey>,
    /// `SIDECHAT_SIGNUP`.
    pub signup: Signup,
    /// `SIDECHAT_PROVIDER` and its settings: the operator workspace's WhatsApp connection (none on an open relay).
    pub provider: Option<ProviderConfig>,
    /// `WHATSAPP_APP_SECRET` and `WHATSAPP_VERIFY_TOKEN`: the one Meta app whose webhooks every Cloud API
    /// connection's numbers come through. Without it, no Cloud API connection can be made.
    pub meta_app: Option<MetaApp>,
    /// `WHATSAPP_GRAPH_URL`: where every Cloud API connection calls Graph.
    pub graph_url: String,
    /// `TIMELINES_API_URL`: where every TimelinesAI connection calls.
    pub timelines_url: String,
    /// `TIMELINES_POLL_INTERVAL_MS`: how often TimelinesAI delivery statuses are polled.
    pub timelines_poll_interval: std::time::Duration,
    /// Pipedrive's app settings, when the relay serves Pipedrive.
    pub pipedrive: Option<PipedriveConfig>,
    /// `ZOHO_ORG_IDS`: the Zoho orgs admitted on a closed relay (the first shares the operator workspace).
    pub zoho_org_ids: Vec<String>,
    /// Zoho's OAuth client, when the relay serves Zoho CRM: Zoho users sign in with it.
    pub zoho: Option<ZohoConfig>,
    /// `SIDECHAT_FRAME_ANCESTORS`: origin patterns that may frame `/widget/`.
    pub frame_ancestors: Vec<String>,
    /// `SIDECHAT_CORS_ORIGINS`: origin patterns that may call `/api/v1` from a browser.
    pub cors_origins: Vec<String>,
    /// `SIDECHAT_PROVIDER_TIMEOUT_MS`: how long a provider or CRM call may take, files included (default 60 s).
    pub provider_timeout: std::time::Duration,
    /// `SIDECHAT_SEND_TIMEOUT_MS`: how long the provider may take to answer a send's call (default 30 s).
    pub send_timeout: std::time::Duration,
    /// `SIDECHAT_RETRY_MAX_WAIT_MS`: the longest wait between two attempts to send a message (default 300 s).
    pub retry_max_wait: std::time::Duration,
    /// `SIDECHAT_FILES_DIR`: where file bytes are kept.
    pub files_dir: PathBuf,
    /// `SIDECHAT_FILES_URL`: S3-compatible storage for file bytes instead of `files_dir`.
    pub files_url: Option<String>,
    /// `SIDECHAT_MAX_UPLOADS`: uploads received at once (default 8).
    pub max_uploads: u32,
    /// `SIDECHAT_MAX_STREAMS_PER_USER`: live event streams per user, across relays (default 10).
    pub max_streams_per_user: u32,
    /// `SIDECHAT_REQUEST_TIMEOUT_MS`: how long a request may take (default 30 s; not streams nor uploads).
    pub request_timeout: std::time::Duration,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// `TIMELINES_REQUESTS_PER_SECOND`: this relay's requests per second to TimelinesAI (default 20).
    pub timelines_requests_per_second: u32,
    /// `SIDECHAT_RETENTION_DAYS`: how long messages and files are kept (`None`: for ever).
    pub retention: Option<std::time::Duration>,
    /// `SIDECHAT_SEND_RATE_LIMIT`: new messages and uploads per second per workspace (default 20; 0: no limit).
    pub send_rate_limit: u32,
    /// Whether `--demo` was given.
    pub demo: bool,
    /// In demo mode: where the pages that play the CRM hosts are served, on a second port so the widget is
    /// cross-origin as in a real CRM.
    pub demo_hosts: Option<DemoHosts>,
}

/// The demo's second server: the dev host pages.
#[derive(Debug, Clone)]
pub struct DemoHosts {
    /// `SIDECHAT_DEMO_HOSTS_LISTEN` (default: the listen port + 1).
    pub listen: SocketAddr,
    /// `SIDECHAT_DEV_HOSTS_DIR` (default `dist/dev`).
    pub dir: PathBuf,
}

/// Which provider sends, with its settings.
#[derive(Debug, Clone)]
pub enum ProviderConfig {
    /// `sandbox`: the built-in WhatsApp counterpart.
    Sandbox,
    /// `cloud`: Meta's WhatsApp Cloud API.
    Cloud(CloudConfig),
    /// `timelines`: TimelinesAI.
    Timelines(TimelinesConfig),
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// `SIDECHAT_METRICS_TOKEN`: on the main address, `/metrics` needs it as a bearer token.
    pub token: Option<SecretString>,
    /// `SIDECHAT_METRICS_LISTEN`: a separate address that serves `/metrics` without a token.
    pub listen: Option<SocketAddr>,
    /// Demo mode without a token: open on the main address.
    pub open: bool,
}

/// The Cloud API's settings.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// `WHATSAPP_GRAPH_URL`, with the API version.
    pub graph_url: String,
    /// `WHATSAPP_TOKEN`.
    pub token: SecretString,
    /// `WHATSAPP_SENDERS`: `PHONE_NUMBER_ID=+E164[:Label]`, comma-separated.
    pub senders: Vec<SenderConfig>,
    /// `WHATSAPP_WABA_ID`: the business account whose templates are listed.
    pub waba_id: String,
}

/// The Meta app behind every Cloud API connection.
#[derive(Debug, Clone)]
pub struct MetaApp {
    /// `WHATSAPP_APP_SECRET`: signs webhooks.
    pub app_secret: SecretString,
    /// `WHATSAPP_VERIFY_TOKEN`: answers Meta's webhook verification.
    pub verify_token: SecretString,
}

/// One Cloud API sender number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderConfig {
    /// Its `phone_number_id`.
    pub id: String,
    /// Its number.
    pub phone: E164,
    /// Its name for people.
    pub label: String,
}

/// TimelinesAI's settings.
#[derive(Debug, Clone)]
pub struct TimelinesConfig {
    /// `TIMELINES_API_URL`.
    pub api_url: String,
    /// `TIMELINES_API_TOKEN`.
    pub token: SecretString,
    /// `TIMELINES_WEBHOOK_SECRET`: the secret path segment of the webhook URL.
    pub webhook_secret: SecretString,
    /// `TIMELINES_POLL_INTERVAL_MS`: how often delivery statuses are polled (default 5 s; TimelinesAI sends no
    /// status webhooks).
    pub poll_interval: std::time::Duration,
}

/// Zoho's OAuth client and data centres.
#[derive(Debug, Clone)]
pub struct ZohoConfig {
    /// `ZOHO_CLIENT_ID`.
    pub client_id: String,
    /// `ZOHO_CLIENT_SECRET`.
    pub client_secret: SecretString,
    /// `ZOHO_ACCOUNTS_HOSTS`: where codes may be exchanged, each with its API domain; the first starts sign-ins.
    pub accounts: Vec<AccountsHost>,
}

impl ZohoConfig {
    /// The API domain of an accounts server the relay trusts; `None` for any other.
    pub fn api_domain_of(&self, accounts_server: &str) -> Option<&str> {
        let wanted = accounts_server.trim().trim_end_matches('/');
        self.accounts.iter().find(|host| host.accounts == wanted).map(|host| host.api_domain.as_str())
    }
}

/// One of Zoho's data centres: its accounts server and its API domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsHost {
    /// `https://accounts.zoho.eu`.
    pub accounts: String,
    /// `https://www.zohoapis.eu`.
    pub api_domain: String,
}

/// `ZOHO_ACCOUNTS_HOSTS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsHosts(pub Vec<AccountsHost>);

/// Pipedrive's app settings.
#[derive(Debug, Clone)]
pub struct PipedriveConfig {
    /// `PIPEDRIVE_CLIENT_ID`.
    pub client_id: String,
    /// `PIPEDRIVE_CLIENT_SECRET`.
    pub client_secret: SecretString,
    /// `PIPEDRIVE_JWT_SECRET` (default: the client secret).
    pub jwt_secret: SecretString,
    /// `PIPEDRIVE_OAUTH_URL`.
    pub oauth_url: String,
    /// `PIPEDRIVE_COMPANY_IDS`: the companies admitted on a closed relay (the first shares the operator
    /// workspace).
    pub company_ids: Vec<u64>,
}

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// `WHATSAPP_SENDERS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Senders(pub Vec<SenderConfig>);

/// `PIPEDRIVE_COMPANY_IDS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyIds(pub Vec<u64>);

/// `ZOHO_ORG_IDS`, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgIds(pub Vec<String>);

/// Space-separated origin patterns, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

impl ConfigError {
    fn new(name: &'static str, problem: impl Into<String>) -> Self {
        Self { name, problem: problem.into() }
    }

    /// The setting a clap error is about, with the parser's own message; `None` for errors that are not about a
    /// setting (`--help`, an unknown flag), which clap reports itself.
    pub fn from_clap(error: &clap::Error) -> Option<Self> {
        use clap::error::{ContextKind, ContextValue, ErrorKind};
        if !matches!(error.kind(), ErrorKind::ValueValidation | ErrorKind::InvalidValue) {
            return None;
        }
        let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else { return None };
        let name = Self::variable_of(arg)?;
        let problem = match (error.kind(), error.get(ContextKind::InvalidValue)) {
            (ErrorKind::ValueValidation, _) => {
                std::error::Error::source(error).map_or_else(|| "is not valid".to_owned(), ToString::to_string)
            }
            (_, Some(ContextValue::String(value))) => {
                let expected = match error.get(ContextKind::ValidValue) {
                    Some(ContextValue::Strings(values)) => values.join(", "),
                    _ => String::new(),
                };
                format!("`{value}` is not one of {expected}")
            }
            _ => "is not valid".to_owned(),
        };
        Some(Self { name, problem })
    }

    /// The environment variable of the flag clap names (`--listen <LISTEN>`).
    fn variable_of(arg: &str) -> Option<&'static str> {
        let flag = arg.split_whitespace().next()?.trim_start_matches('-');
        let command = Lookup::command();
        let variable = command
            .get_arguments()
            .find(|candidate| candidate.get_long() == Some(flag))?
            .get_env()?
            .to_str()?
            .to_owned();
        // The names are a fixed, small set: leaking one String per failed start is harmless.
        Some(Box::leak(variable.into_boxed_str()))
    }
}

/// The settings alone, as a parser: what `from_lookup` hands its values to.
#[derive(Parser)]
#[command(name = "sidechat-relay")]
struct Lookup {
    #[command(flatten)]
    settings: Settings,
}

impl Config {
    /// Reads the configuration through `lookup` instead of the process environment, so tests need not touch it:
    /// each setting's value goes to the same clap parser, as the flag that stands for its variable. (The binary
    /// reads the environment through clap itself: see `main.rs`.)
    pub fn from_lookup(demo: bool, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut argv = vec!["sidechat-relay".to_owned()];
        for arg in Lookup::command().get_arguments() {
            let (Some(long), Some(variable)) = (arg.get_long(), arg.get_env().and_then(|v| v.to_str())) else {
                continue;
            };
            if let Some(value) = lookup(variable) {
                argv.push(format!("--{long}={value}"));
            }
        }
        // The lookup replaces the environment: clap must not read the real one.
        let command = Lookup::command().mut_args(|arg| arg.env(None::<&str>));
        let matches = command.try_get_matches_from(argv).map_err(|error| clap_error(&error))?;
        let Lookup { settings } = Lookup::from_arg_matches(&matches).map_err(|error| clap_error(&error))?;
        Self::from_settings(settings, demo)
    }

    /// Checks the settings together and fills the defaults that depend on others.
    pub fn from_settings(settings: Settings, demo: bool) -> Result<Self, ConfigError> {
        let Settings { listen, widget_dir, .. } = settings.clone();
        let database_url = settings.database_url.clone().unwrap_or_else(|| {
            if demo { "sqlite://sidechat-demo.db".to_owned() } else { "sqlite://sidechat.db".to_owned() }
        });
        let files_dir = settings.files_dir.clone().unwrap_or_else(|| default_files_dir(&database_url));
        let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{listen}"));
        if !widget_dir.join("index.html").is_file() {
            return Err(ConfigError::new(
                "SIDECHAT_WIDGET_DIR",
                format!("no built widget at `{}` (run `cargo xtask build`)", widget_dir.display()),
            ));
        }
        let secret_key = required(&settings.secret_key, "SIDECHAT_SECRET_KEY")?;
        let provider = match (demo, settings.signup) {
            (true, _) => Some(ProviderConfig::Sandbox),
            (false, Signup::Closed) => Some(provider(&settings)?),
            (false, Signup::Open) => None,
        };
        let meta_app = match (settings.whatsapp_app_secret.clone(), settings.whatsapp_verify_token.clone()) {
            (Some(app_secret), Some(verify_token)) => Some(MetaApp { app_secret, verify_token }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::new("WHATSAPP_VERIFY_TOKEN", "is required with WHATSAPP_APP_SECRET"));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new("WHATSAPP_APP_SECRET", "is required with WHATSAPP_VERIFY_TOKEN"));
            }
        };
        let pipedrive = if demo { Some(demo_pipedrive()) } else { pipedrive(&settings)? };
        let zoho = if demo { Some(demo_zoho()) } else { zoho(&settings)? };
        if pipedrive.is_none() && zoho.is_none() {
            return Err(ConfigError::new(
                "PIPEDRIVE_CLIENT_ID",
                "no CRM is configured: set PIPEDRIVE_CLIENT_ID and PIPEDRIVE_CLIENT_SECRET, or ZOHO_CLIENT_ID and \
                 ZOHO_CLIENT_SECRET",
            ));
        }
        let demo_hosts = demo.then(|| {
            let default =
                SocketAddr::new(listen.ip(), if listen.port() == 0 { 0 } else { listen.port().saturating_add(1) });
            DemoHosts { listen: settings.demo_hosts_listen.unwrap_or(default), dir: settings.dev_hosts_dir.clone() }
        });
        Ok(Self {
            secret_key,
            secret_key_previous: settings.secret_key_previous.clone(),
            signup: settings.signup,
            // The demo admits the org of the dev host pages' Zoho data centre.
            zoho_org_ids: match settings.zoho_org_ids.clone() {
                Some(ids) => ids.0,
                None if demo => vec![sidechat_standins::zoho::US_ORG.to_owned()],
                None => Vec::new(),
            },
            demo_hosts,
            listen,
            database_url,
            public_url,
            widget_dir,
            provider,
            meta_app,
            graph_url: settings.whatsapp_graph_url.clone(),
            timelines_url: settings.timelines_api_url.clone(),
            timelines_poll_interval: std::time::Duration::from_millis(settings.timelines_poll_interval_ms.max(10)),
            pipedrive,
            zoho,
            frame_ancestors: settings.frame_ancestors.0,
            cors_origins: settings.cors_origins.0,
            provider_timeout: std::time::Duration::from_millis(settings.provider_timeout_ms.max(1)),
            send_timeout: std::time::Duration::from_millis(settings.send_timeout_ms.max(1)),
            retry_max_wait: std::time::Duration::from_millis(settings.retry_max_wait_ms.max(1)),
            files_dir,
            files_url: settings.files_url.clone(),
            max_uploads: settings.max_uploads,
            max_streams_per_user: settings.max_streams_per_user,
            request_timeout: std::time::Duration::from_millis(settings.request_timeout_ms.max(1)),
            metrics: MetricsAccess {
                open: demo && settings.metrics_token.is_none(),
                token: settings.metrics_token.clone(),
                listen: settings.metrics_listen,
            },
            timelines_requests_per_second: settings.timelines_requests_per_second,
            send_rate_limit: settings.send_rate_limit,
            retention: settings.retention_days.map(|days| std::time::Duration::from_secs(u64::from(days) * 86_400)),
            demo,
        })
    }
}

/// A clap error about a setting, or, for one clap reports about anything else, its first line.
fn clap_error(error: &clap::Error) -> ConfigError {
    ConfigError::from_clap(error).unwrap_or_else(|| {
        let text = error.to_string();
        let line = text.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned();
        ConfigError::new("sidechat-relay", line)
    })
}

/// The demo's Pipedrive app secret: it signs the demo's tokens and nothing else.
pub const DEMO_PIPEDRIVE_SECRET: &str = "sidechat-demo-pipedrive-secret-not-for-production";
/// The demo's Zoho OAuth client: the one the Zoho stand-in of the dev host pages knows.
pub const DEMO_ZOHO_CLIENT_ID: &str = sidechat_standins::zoho::CLIENT_ID;

fn demo_zoho() -> ZohoConfig {
    ZohoConfig {
        client_id: DEMO_ZOHO_CLIENT_ID.to_owned(),
        client_secret: SecretString::from(sidechat_standins::zoho::CLIENT_SECRET),
        // Set when the dev host pages are bound: they serve the Zoho stand-in (see `demo::HostsServer`).
        accounts: Vec::new(),
    }
}

fn demo_pipedrive() -> PipedriveConfig {
    PipedriveConfig {
        client_id: "sidechat-demo".to_owned(),
        client_secret: SecretString::from(DEMO_PIPEDRIVE_SECRET),
        jwt_secret: SecretString::from(DEMO_PIPEDRIVE_SECRET),
        oauth_url: DEFAULT_PIPEDRIVE_OAUTH_URL.to_owned(),
        // The demo's company (`demo::DEMO_COMPANY_ID`); any other is refused, as on a closed relay.
        company_ids: vec![1],
    }
}

/// `files/` beside a SQLite file, else in the working directory.
fn default_files_dir(database_url: &str) -> PathBuf {
    let sqlite = database_url.strip_prefix("sqlite:").map(|rest| rest.trim_start_matches("//"));
    let file = sqlite.map(|path| path.split_once('?').map_or(path, |(path, _)| path));
    match file.map(std::path::Path::new).and_then(std::path::Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join("files"),
        _ => PathBuf::from("files"),
    }
}

/// A setting that `name`'s value needs.
fn required<T: Clone>(value: &Option<T>, name: &'static str) -> Result<T, ConfigError> {
    value.clone().ok_or_else(|| ConfigError::new(name, "is required"))
}

fn provider(settings: &Settings) -> Result<ProviderConfig, ConfigError> {
    match required(&settings.provider, "SIDECHAT_PROVIDER")? {
        ProviderKind::Sandbox => Ok(ProviderConfig::Sandbox),
        ProviderKind::Cloud => Ok(ProviderConfig::Cloud(CloudConfig {
            graph_url: settings.whatsapp_graph_url.clone(),
            token: required(&settings.whatsapp_token, "WHATSAPP_TOKEN")?,
            senders: required(&settings.whatsapp_senders, "WHATSAPP_SENDERS")?.0,
            waba_id: required(&settings.whatsapp_waba_id, "WHATSAPP_WABA_ID")?,
        }))
        .and_then(|cloud| {
            // The Meta app is read apart (it serves every Cloud API connection), but this one needs it.
            required(&settings.whatsapp_app_secret, "WHATSAPP_APP_SECRET")?;
            required(&settings.whatsapp_verify_token, "WHATSAPP_VERIFY_TOKEN")?;
            Ok(cloud)
        }),
        ProviderKind::Timelines => Ok(ProviderConfig::Timelines(TimelinesConfig {
            api_url: settings.timelines_api_url.clone(),
            token: required(&settings.timelines_api_token, "TIMELINES_API_TOKEN")?,
            webhook_secret: required(&settings.timelines_webhook_secret, "TIMELINES_WEBHOOK_SECRET")?,
            poll_interval: std::time::Duration::from_millis(settings.timelines_poll_interval_ms.max(10)),
        })),
    }
}

fn zoho(settings: &Settings) -> Result<Option<ZohoConfig>, ConfigError> {
    let Some(client_id) = settings.zoho_client_id.clone() else {
        if settings.zoho_client_secret.is_some() {
            return Err(ConfigError::new("ZOHO_CLIENT_ID", "is missing while ZOHO_CLIENT_SECRET is set"));
        }
        return Ok(None);
    };
    Ok(Some(ZohoConfig {
        client_id,
        client_secret: required(&settings.zoho_client_secret, "ZOHO_CLIENT_SECRET")?,
        accounts: settings.zoho_accounts_hosts.0.clone(),
    }))
}

fn pipedrive(settings: &Settings) -> Result<Option<PipedriveConfig>, ConfigError> {
    let Some(client_id) = settings.pipedrive_client_id.clone() else {
        if settings.pipedrive_client_secret.is_some() {
            return Err(ConfigError::new("PIPEDRIVE_CLIENT_ID", "is missing while PIPEDRIVE_CLIENT_SECRET is set"));
        }
        return Ok(None);
    };
    let client_secret = required(&settings.pipedrive_client_secret, "PIPEDRIVE_CLIENT_SECRET")?;
    Ok(Some(PipedriveConfig {
        client_id,
        jwt_secret: settings.pipedrive_jwt_secret.clone().unwrap_or_else(|| client_secret.clone()),
        client_secret,
        oauth_url: settings.pipedrive_oauth_url.clone(),
        company_ids: settings.pipedrive_company_ids.clone().map(|ids| ids.0).unwrap_or_default(),
    }))
}

#[cfg(test)]
mod tests;
