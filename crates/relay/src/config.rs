//! The relay's configuration, read from environment variables whose names are fixed (deploy docs and outside
//! tests use them). A missing or malformed setting stops the start with one line naming it.

mod read;

use std::net::SocketAddr;
use std::path::PathBuf;

use sidechat_domain::E164;

use read::Env;

/// Meta's Graph API, at the version the Cloud API client is written against.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com/v23.0";
/// TimelinesAI's public API.
pub const DEFAULT_TIMELINES_URL: &str = "https://app.timelines.ai/integrations/api";
/// Pipedrive's OAuth server.
pub const DEFAULT_PIPEDRIVE_OAUTH_URL: &str = "https://oauth.pipedrive.com";
/// Who may frame the widget by default: Pipedrive.
pub const DEFAULT_FRAME_ANCESTORS: &str = "https://*.pipedrive.com";
/// Who may call the API from a browser by default: where Zoho serves uploaded widgets, and Zoho CRM itself.
pub const DEFAULT_CORS_ORIGINS: &str = "https://*.zappsusercontent.com https://crm.zoho.com https://crm.zoho.eu \
     https://crm.zoho.in https://crm.zoho.com.au https://crm.zoho.jp https://crm.zoho.com.cn https://crm.zohocloud.ca \
     https://crm.zoho.sa";

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
    /// `SIDECHAT_PROVIDER` and its settings.
    pub provider: ProviderConfig,
    /// Pipedrive's app settings, when the relay serves Pipedrive.
    pub pipedrive: Option<PipedriveConfig>,
    /// `ZOHO_INSTALL_KEY`, when the relay serves Zoho CRM.
    pub zoho_install_key: Option<String>,
    /// `SIDECHAT_FRAME_ANCESTORS`: origin patterns that may frame `/widget/`.
    pub frame_ancestors: Vec<String>,
    /// `SIDECHAT_CORS_ORIGINS`: origin patterns that may call `/api/v1` from a browser.
    pub cors_origins: Vec<String>,
    /// `SIDECHAT_PROVIDER_TIMEOUT_MS`: how long a provider or CRM call may take, files included (default 60 s).
    pub provider_timeout: std::time::Duration,
    /// `SIDECHAT_SEND_RATE_LIMIT`: new messages and uploads per second per company (default 20; 0: no limit).
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

/// The Cloud API's settings.
#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// `WHATSAPP_GRAPH_URL`, with the API version.
    pub graph_url: String,
    /// `WHATSAPP_TOKEN`.
    pub token: String,
    /// `WHATSAPP_SENDERS`: `PHONE_NUMBER_ID=+E164[:Label]`, comma-separated.
    pub senders: Vec<SenderConfig>,
    /// `WHATSAPP_WABA_ID`: the business account whose templates are listed.
    pub waba_id: String,
    /// `WHATSAPP_APP_SECRET`: signs webhooks.
    pub app_secret: String,
    /// `WHATSAPP_VERIFY_TOKEN`: answers Meta's webhook verification.
    pub verify_token: String,
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
    pub token: String,
    /// `TIMELINES_WEBHOOK_SECRET`: the secret path segment of the webhook URL.
    pub webhook_secret: String,
    /// `TIMELINES_POLL_INTERVAL_MS`: how often delivery statuses are polled (default 5 s; TimelinesAI sends no
    /// status webhooks).
    pub poll_interval: std::time::Duration,
}

/// Pipedrive's app settings.
#[derive(Debug, Clone)]
pub struct PipedriveConfig {
    /// `PIPEDRIVE_CLIENT_ID`.
    pub client_id: String,
    /// `PIPEDRIVE_CLIENT_SECRET`.
    pub client_secret: String,
    /// `PIPEDRIVE_JWT_SECRET` (default: the client secret).
    pub jwt_secret: String,
    /// `PIPEDRIVE_OAUTH_URL`.
    pub oauth_url: String,
    /// `PIPEDRIVE_COMPANY_IDS`: when set, only these companies may install.
    pub company_ids: Option<Vec<u64>>,
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

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env(demo: bool) -> Result<Self, ConfigError> {
        Self::from_lookup(demo, |name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(demo: bool, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env::new(lookup);
        let listen: SocketAddr = env
            .parsed("SIDECHAT_LISTEN", "an address and port such as 127.0.0.1:8787")?
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8787)));
        let database_url = env.optional("SIDECHAT_DATABASE_URL").unwrap_or_else(|| {
            if demo { "sqlite://sidechat-demo.db".to_owned() } else { "sqlite://sidechat.db".to_owned() }
        });
        if !database_url.starts_with("sqlite:")
            && !database_url.starts_with("postgres:")
            && !database_url.starts_with("postgresql:")
        {
            return Err(env.error("SIDECHAT_DATABASE_URL", "expected sqlite://path or postgres://…"));
        }
        let public_url = env.url("SIDECHAT_PUBLIC_URL")?.unwrap_or_else(|| format!("http://{listen}"));
        let widget_dir = PathBuf::from(env.optional("SIDECHAT_WIDGET_DIR").unwrap_or_else(|| "dist/widget".to_owned()));
        if !widget_dir.join("index.html").is_file() {
            return Err(env.error(
                "SIDECHAT_WIDGET_DIR",
                &format!("no built widget at `{}` (run `cargo xtask build`)", widget_dir.display()),
            ));
        }
        let provider = if demo { ProviderConfig::Sandbox } else { read_provider(&env)? };
        let pipedrive = if demo { Some(demo_pipedrive()) } else { read_pipedrive(&env)? };
        let zoho_install_key = match env.optional("ZOHO_INSTALL_KEY") {
            Some(key) if key.len() < 24 => {
                return Err(env.error("ZOHO_INSTALL_KEY", "use a random key of at least 24 characters"));
            }
            Some(key) => Some(key),
            None if demo => Some(DEMO_ZOHO_KEY.to_owned()),
            None => None,
        };
        if pipedrive.is_none() && zoho_install_key.is_none() {
            return Err(env.error(
                "PIPEDRIVE_CLIENT_ID",
                "no CRM is configured: set PIPEDRIVE_CLIENT_ID and PIPEDRIVE_CLIENT_SECRET, or ZOHO_INSTALL_KEY",
            ));
        }
        let provider_timeout = std::time::Duration::from_millis(
            env.parsed::<u64>("SIDECHAT_PROVIDER_TIMEOUT_MS", "a number of milliseconds")?.unwrap_or(60_000).max(1),
        );
        let send_rate_limit =
            env.parsed::<u32>("SIDECHAT_SEND_RATE_LIMIT", "a number of messages per second")?.unwrap_or(20);
        let frame_ancestors = env.origins("SIDECHAT_FRAME_ANCESTORS", DEFAULT_FRAME_ANCESTORS)?;
        let cors_origins = env.origins("SIDECHAT_CORS_ORIGINS", DEFAULT_CORS_ORIGINS)?;
        let demo_hosts = if demo {
            let default =
                SocketAddr::new(listen.ip(), if listen.port() == 0 { 0 } else { listen.port().saturating_add(1) });
            Some(DemoHosts {
                listen: env
                    .parsed("SIDECHAT_DEMO_HOSTS_LISTEN", "an address and port such as 127.0.0.1:8788")?
                    .unwrap_or(default),
                dir: PathBuf::from(env.optional("SIDECHAT_DEV_HOSTS_DIR").unwrap_or_else(|| "dist/dev".to_owned())),
            })
        } else {
            None
        };
        Ok(Self {
            demo_hosts,
            listen,
            database_url,
            public_url,
            widget_dir,
            provider,
            pipedrive,
            zoho_install_key,
            frame_ancestors,
            cors_origins,
            provider_timeout,
            send_rate_limit,
            demo,
        })
    }
}

/// The demo's Pipedrive app secret: it signs the demo's tokens and nothing else.
pub const DEMO_PIPEDRIVE_SECRET: &str = "sidechat-demo-pipedrive-secret-not-for-production";
/// The demo's Zoho installation key.
pub const DEMO_ZOHO_KEY: &str = "sidechat-demo-zoho-install-key";

fn demo_pipedrive() -> PipedriveConfig {
    PipedriveConfig {
        client_id: "sidechat-demo".to_owned(),
        client_secret: DEMO_PIPEDRIVE_SECRET.to_owned(),
        jwt_secret: DEMO_PIPEDRIVE_SECRET.to_owned(),
        oauth_url: DEFAULT_PIPEDRIVE_OAUTH_URL.to_owned(),
        company_ids: None,
    }
}

fn read_provider(env: &Env<impl Fn(&str) -> Option<String>>) -> Result<ProviderConfig, ConfigError> {
    match env.required("SIDECHAT_PROVIDER")?.as_str() {
        "sandbox" => Ok(ProviderConfig::Sandbox),
        "cloud" => Ok(ProviderConfig::Cloud(CloudConfig {
            graph_url: env.url("WHATSAPP_GRAPH_URL")?.unwrap_or_else(|| DEFAULT_GRAPH_URL.to_owned()),
            token: env.required("WHATSAPP_TOKEN")?,
            senders: read::senders(env)?,
            waba_id: env.required("WHATSAPP_WABA_ID")?,
            app_secret: env.required("WHATSAPP_APP_SECRET")?,
            verify_token: env.required("WHATSAPP_VERIFY_TOKEN")?,
        })),
        "timelines" => Ok(ProviderConfig::Timelines(TimelinesConfig {
            api_url: env.url("TIMELINES_API_URL")?.unwrap_or_else(|| DEFAULT_TIMELINES_URL.to_owned()),
            token: env.required("TIMELINES_API_TOKEN")?,
            webhook_secret: env.secret("TIMELINES_WEBHOOK_SECRET")?,
            poll_interval: std::time::Duration::from_millis(
                env.parsed::<u64>("TIMELINES_POLL_INTERVAL_MS", "a number of milliseconds")?.unwrap_or(5_000).max(10),
            ),
        })),
        other => Err(env.error("SIDECHAT_PROVIDER", &format!("`{other}` is not one of sandbox, cloud, timelines"))),
    }
}

fn read_pipedrive(env: &Env<impl Fn(&str) -> Option<String>>) -> Result<Option<PipedriveConfig>, ConfigError> {
    let Some(client_id) = env.optional("PIPEDRIVE_CLIENT_ID") else {
        if env.optional("PIPEDRIVE_CLIENT_SECRET").is_some() {
            return Err(env.error("PIPEDRIVE_CLIENT_ID", "is missing while PIPEDRIVE_CLIENT_SECRET is set"));
        }
        return Ok(None);
    };
    let client_secret = env.required("PIPEDRIVE_CLIENT_SECRET")?;
    let company_ids = match env.optional("PIPEDRIVE_COMPANY_IDS") {
        None => None,
        Some(raw) => Some(
            raw.split(',')
                .map(|id| id.trim().parse::<u64>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| env.error("PIPEDRIVE_COMPANY_IDS", "expected comma-separated company ids (numbers)"))?,
        ),
    };
    Ok(Some(PipedriveConfig {
        client_id,
        jwt_secret: env.optional("PIPEDRIVE_JWT_SECRET").unwrap_or_else(|| client_secret.clone()),
        client_secret,
        oauth_url: env.url("PIPEDRIVE_OAUTH_URL")?.unwrap_or_else(|| DEFAULT_PIPEDRIVE_OAUTH_URL.to_owned()),
        company_ids,
    }))
}

#[cfg(test)]
mod tests;
