//! Every setting of `sidechat-relay serve`, in one place: its environment variable, its default and its help.
//! clap reads them from the environment (each is also a flag of `serve`, and `serve --help` lists them all);
//! [`super::Config`] then checks how they fit together.
//!
//! Values are checked as they are read, by the parsers in [`super::read`], so a malformed value is refused
//! with a message that says what was expected. Secrets are [`SecretString`]s: `Debug` prints `[REDACTED]`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::SecretString;

use super::read;
use super::{AccountsHosts, CompanyIds, OrgIds, Origins, Senders};
use crate::secrets::SecretKey;

/// Meta's Graph API, at the version the Cloud API client is written against.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com/v23.0";
/// TimelinesAI's public API.
pub const DEFAULT_TIMELINES_URL: &str = "https://app.timelines.ai/integrations/api";
/// Pipedrive's OAuth server.
pub const DEFAULT_PIPEDRIVE_OAUTH_URL: &str = "https://oauth.pipedrive.com";
/// Zoho's accounts servers: US, EU, IN, AU, JP, CN, CA, SA and UK.
pub const DEFAULT_ZOHO_ACCOUNTS_HOSTS: &str = "https://accounts.zoho.com,https://accounts.zoho.eu,\
     https://accounts.zoho.in,https://accounts.zoho.com.au,https://accounts.zoho.jp,https://accounts.zoho.com.cn,\
     https://accounts.zohocloud.ca,https://accounts.zoho.sa,https://accounts.zoho.uk";
/// Who may frame the widget by default: Pipedrive.
pub const DEFAULT_FRAME_ANCESTORS: &str = "https://*.pipedrive.com";
/// Who may call the API from a browser by default: where Zoho serves uploaded widgets, and Zoho CRM itself.
pub const DEFAULT_CORS_ORIGINS: &str = "https://*.zappsusercontent.com https://crm.zoho.com https://crm.zoho.eu \
     https://crm.zoho.in https://crm.zoho.com.au https://crm.zoho.jp https://crm.zoho.com.cn https://crm.zohocloud.ca \
     https://crm.zoho.sa";

/// Which WhatsApp provider sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderKind {
    /// The built-in WhatsApp counterpart (demo and trials).
    Sandbox,
    /// Meta's WhatsApp Cloud API.
    Cloud,
    /// TimelinesAI.
    Timelines,
}

/// Who may use the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Signup {
    /// Only the listed companies and orgs (and those that installed before workspaces).
    Closed,
    /// Any company that installs gets a workspace of its own (a hosted service).
    Open,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// For people reading a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The relay's settings as read, before they are checked together.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Settings (each also read from the environment variable shown)")]
pub struct Settings {
    /// Address to serve on.
    #[arg(long, env = "SIDECHAT_LISTEN", default_value = "127.0.0.1:8787", value_parser = read::address)]
    pub listen: SocketAddr,

    /// `sqlite://path` (created if missing; default `sqlite://sidechat.db`, in demo mode `sidechat-demo.db`) or
    /// `postgres://…`.
    #[arg(long, env = "SIDECHAT_DATABASE_URL", value_parser = read::database_url)]
    pub database_url: Option<String>,

    /// Where browsers and CRMs reach the relay (default `http://` + the listen address).
    #[arg(long, env = "SIDECHAT_PUBLIC_URL", value_parser = read::url)]
    pub public_url: Option<String>,

    /// The built widget.
    #[arg(long, env = "SIDECHAT_WIDGET_DIR", default_value = "dist/widget")]
    pub widget_dir: PathBuf,

    /// The relay's own secret: 64 hex characters (`openssl rand -hex 32`). Signs attachment links and seals the
    /// CRM tokens kept in the database; keep it with the database's backups.
    #[arg(long, env = "SIDECHAT_SECRET_KEY", hide_env_values = true, value_parser = SecretKey::parse)]
    pub secret_key: Option<SecretKey>,

    /// During a key rotation: the previous SIDECHAT_SECRET_KEY. What it sealed still opens (and its attachment
    /// links still work) until `sidechat-relay secrets rotate` has sealed everything again with the new key.
    #[arg(long, env = "SIDECHAT_SECRET_KEY_PREVIOUS", hide_env_values = true, value_parser = SecretKey::parse)]
    pub secret_key_previous: Option<SecretKey>,

    /// Who may use the relay: `closed` (the listed companies and orgs) or `open` (any company that installs).
    #[arg(long, env = "SIDECHAT_SIGNUP", value_enum, default_value = "closed")]
    pub signup: Signup,

    /// The WhatsApp provider of the operator workspace (required on a closed relay outside demo mode; not used
    /// on an open one).
    #[arg(long, env = "SIDECHAT_PROVIDER", value_enum)]
    pub provider: Option<ProviderKind>,

    /// Cloud API: Graph's base URL, with the API version (for every Cloud API connection).
    #[arg(long, env = "WHATSAPP_GRAPH_URL", default_value = DEFAULT_GRAPH_URL, value_parser = read::url)]
    pub whatsapp_graph_url: String,

    /// Cloud API: the access token.
    #[arg(long, env = "WHATSAPP_TOKEN", hide_env_values = true, value_parser = read::secret_any)]
    pub whatsapp_token: Option<SecretString>,

    /// Cloud API: the sender numbers, `PHONE_NUMBER_ID=+E164[:Label]`, comma-separated.
    #[arg(long, env = "WHATSAPP_SENDERS", value_parser = read::senders)]
    pub whatsapp_senders: Option<Senders>,

    /// Cloud API: the business account whose templates are listed.
    #[arg(long, env = "WHATSAPP_WABA_ID", value_parser = read::non_blank)]
    pub whatsapp_waba_id: Option<String>,

    /// Cloud API: the Meta app's secret, which signs the webhooks of every Cloud API connection (also on an open
    /// relay, where admins connect their own numbers).
    #[arg(long, env = "WHATSAPP_APP_SECRET", hide_env_values = true, value_parser = read::secret_any)]
    pub whatsapp_app_secret: Option<SecretString>,

    /// Cloud API: the token that answers Meta's webhook verification (with WHATSAPP_APP_SECRET).
    #[arg(long, env = "WHATSAPP_VERIFY_TOKEN", hide_env_values = true, value_parser = read::secret_any)]
    pub whatsapp_verify_token: Option<SecretString>,

    /// TimelinesAI: the API's base URL (for every TimelinesAI connection).
    #[arg(long, env = "TIMELINES_API_URL", default_value = DEFAULT_TIMELINES_URL, value_parser = read::url)]
    pub timelines_api_url: String,

    /// TimelinesAI: the API token.
    #[arg(long, env = "TIMELINES_API_TOKEN", hide_env_values = true, value_parser = read::secret_any)]
    pub timelines_api_token: Option<SecretString>,

    /// TimelinesAI: the secret path segment of the webhook URL (at least 16 random characters).
    #[arg(long, env = "TIMELINES_WEBHOOK_SECRET", hide_env_values = true, value_parser = read::secret_16)]
    pub timelines_webhook_secret: Option<SecretString>,

    /// TimelinesAI: how often delivery statuses are polled, in milliseconds (it sends no status webhooks).
    #[arg(long, env = "TIMELINES_POLL_INTERVAL_MS", default_value_t = 5_000, value_parser = read::millis)]
    pub timelines_poll_interval_ms: u64,

    /// Pipedrive: the app's client id.
    #[arg(long, env = "PIPEDRIVE_CLIENT_ID", value_parser = read::non_blank)]
    pub pipedrive_client_id: Option<String>,

    /// Pipedrive: the app's client secret.
    #[arg(long, env = "PIPEDRIVE_CLIENT_SECRET", hide_env_values = true, value_parser = read::secret_any)]
    pub pipedrive_client_secret: Option<SecretString>,

    /// Pipedrive: the secret that signs the panel's JWT (default: the client secret).
    #[arg(long, env = "PIPEDRIVE_JWT_SECRET", hide_env_values = true, value_parser = read::secret_any)]
    pub pipedrive_jwt_secret: Option<SecretString>,

    /// Pipedrive: the OAuth server.
    #[arg(long, env = "PIPEDRIVE_OAUTH_URL", default_value = DEFAULT_PIPEDRIVE_OAUTH_URL, value_parser = read::url)]
    pub pipedrive_oauth_url: String,

    /// Pipedrive: the companies admitted on a closed relay, comma-separated ids; the first shares the operator
    /// workspace.
    #[arg(long, env = "PIPEDRIVE_COMPANY_IDS", value_parser = read::company_ids)]
    pub pipedrive_company_ids: Option<CompanyIds>,

    /// Zoho CRM: the orgs admitted on a closed relay, comma-separated ids (`GET /crm/v8/org`); the first shares
    /// the operator workspace.
    #[arg(long, env = "ZOHO_ORG_IDS", value_parser = read::org_ids)]
    pub zoho_org_ids: Option<OrgIds>,

    /// Zoho CRM: the OAuth client's id (Zoho API Console, a server-based client with Multi-DC on), with which
    /// Zoho users sign in.
    #[arg(long, env = "ZOHO_CLIENT_ID", value_parser = read::non_blank)]
    pub zoho_client_id: Option<String>,

    /// Zoho CRM: the OAuth client's secret.
    #[arg(long, env = "ZOHO_CLIENT_SECRET", hide_env_values = true, value_parser = read::secret_any)]
    pub zoho_client_secret: Option<SecretString>,

    /// Zoho CRM: the accounts servers codes are exchanged at, comma-separated, each `ACCOUNTS_URL` (its API domain
    /// is Zoho's matching `zohoapis` host) or `ACCOUNTS_URL=API_DOMAIN`; the first is where sign-in starts.
    #[arg(long, env = "ZOHO_ACCOUNTS_HOSTS", default_value = DEFAULT_ZOHO_ACCOUNTS_HOSTS, value_parser = read::accounts_hosts)]
    pub zoho_accounts_hosts: AccountsHosts,

    /// Space-separated origin patterns that may frame the widget.
    #[arg(long, env = "SIDECHAT_FRAME_ANCESTORS", default_value = DEFAULT_FRAME_ANCESTORS, value_parser = read::origins)]
    pub frame_ancestors: Origins,

    /// Space-separated origin patterns that may call the API from a browser.
    #[arg(long, env = "SIDECHAT_CORS_ORIGINS", default_value = DEFAULT_CORS_ORIGINS, value_parser = read::origins)]
    pub cors_origins: Origins,

    /// How long a provider or CRM call may take, file uploads included, in milliseconds.
    #[arg(long, env = "SIDECHAT_PROVIDER_TIMEOUT_MS", default_value_t = 60_000, value_parser = read::millis)]
    pub provider_timeout_ms: u64,

    /// How long the provider may take to answer the call that sends a message (its file, if any, was uploaded
    /// before), in milliseconds. A send that times out may have gone out: keep this above the provider's worst
    /// usual answer time.
    #[arg(long, env = "SIDECHAT_SEND_TIMEOUT_MS", default_value_t = 30_000, value_parser = read::millis)]
    pub send_timeout_ms: u64,

    /// The longest wait between two attempts to send a queued message, in milliseconds: the waits double from
    /// half a second up to it, and a message is failed after 12 attempts.
    #[arg(long, env = "SIDECHAT_RETRY_MAX_WAIT_MS", default_value_t = 300_000, value_parser = read::millis)]
    pub retry_max_wait_ms: u64,

    /// How many days messages and their files are kept (default: for ever); older ones are deleted daily.
    #[arg(long, env = "SIDECHAT_RETENTION_DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    pub retention_days: Option<u32>,

    /// New messages and uploads per second per workspace (0: no limit).
    #[arg(long, env = "SIDECHAT_SEND_RATE_LIMIT", default_value_t = 20, value_parser = read::per_second)]
    pub send_rate_limit: u32,

    /// Where file bytes are kept (uploads, record files, inbound media): a directory, created if missing (default
    /// `files/` beside the SQLite file; with PostgreSQL, `files/` in the working directory). Several relays need
    /// the same directory (a shared mount).
    #[arg(long, env = "SIDECHAT_FILES_DIR")]
    pub files_dir: Option<PathBuf>,

    /// Where file bytes are kept instead of SIDECHAT_FILES_DIR: S3-compatible storage, `s3://bucket/prefix`, with
    /// the credentials, region and endpoint of the AWS_* variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
    /// AWS_REGION, AWS_ENDPOINT_URL for storage other than Amazon's).
    #[arg(long, env = "SIDECHAT_FILES_URL", value_parser = read::s3_url)]
    pub files_url: Option<String>,

    /// Uploads received at once (over it: 503 `busy` with `Retry-After`); each holds at most 2 MB in memory.
    #[arg(long, env = "SIDECHAT_MAX_UPLOADS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_uploads: u32,

    /// Live event streams one user may hold open at once, across every relay on the database (over it: 429
    /// `too_many_streams`).
    #[arg(long, env = "SIDECHAT_MAX_STREAMS_PER_USER", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_streams_per_user: u32,

    /// How long a request may take before the relay answers 503 `timeout`, in milliseconds (not the event stream,
    /// nor uploads).
    #[arg(long, env = "SIDECHAT_REQUEST_TIMEOUT_MS", default_value_t = 30_000, value_parser = read::millis)]
    pub request_timeout_ms: u64,

    /// The bearer token `GET /metrics` needs (without it and without SIDECHAT_METRICS_LISTEN, `/metrics` answers
    /// 404; demo mode keeps it open).
    #[arg(long, env = "SIDECHAT_METRICS_TOKEN", hide_env_values = true, value_parser = read::secret_16)]
    pub metrics_token: Option<SecretString>,

    /// A separate address that serves `/metrics` without a token (keep it off the public network).
    #[arg(long, env = "SIDECHAT_METRICS_LISTEN", value_parser = read::address)]
    pub metrics_listen: Option<SocketAddr>,

    /// How log lines are written: `text` or `json` (one object per line).
    #[arg(long, env = "SIDECHAT_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// TimelinesAI: requests per second this relay makes to TimelinesAI, shared fairly by every TimelinesAI
    /// connection (TimelinesAI limits requests per IP address).
    #[arg(long, env = "TIMELINES_REQUESTS_PER_SECOND", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub timelines_requests_per_second: u32,

    /// Demo mode only: where the dev host pages are served (default: the listen port + 1).
    #[arg(long, env = "SIDECHAT_DEMO_HOSTS_LISTEN", value_parser = read::address)]
    pub demo_hosts_listen: Option<SocketAddr>,

    /// Demo mode only: the built dev host pages.
    #[arg(long, env = "SIDECHAT_DEV_HOSTS_DIR", default_value = "dist/dev")]
    pub dev_hosts_dir: PathBuf,
}
