//! Sidechat's relay: verifies the CRM user, reads the CRM record, keeps the message log, sends through
//! WhatsApp providers and takes their webhooks. It also serves the built widget.
//!
//! [`Relay::start`] opens the database and starts the outbox; [`build_router`] assembles the HTTP routes apart
//! from any socket; [`serve`] binds the configured address and runs until the shutdown signal, then lets the
//! sends under way finish.

pub mod admission;
pub mod auth;
pub mod clock;
pub mod config;
pub mod crm;
pub mod demo;
pub mod error;
pub mod events;
pub mod fanout;
pub mod files;
pub mod ingest;
pub mod limits;
pub mod metrics;
pub mod operator;
pub mod outbox;
pub mod present;
pub mod providers;
pub mod retention;
pub mod routes;
pub mod secrets;
pub mod signing;
pub mod status_poll;
pub mod store;
pub mod telemetry;
mod web;
pub mod whatsapp;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::events::Events;
use crate::ingest::Ingest;
use crate::metrics::Metrics;
use crate::secrets::Sealer;
use crate::signing::UrlSigner;
use crate::store::{Store, WorkspaceId};
use crate::whatsapp::WhatsApp;

/// What every handler may reach: cheap to clone (axum clones it for every extractor of every request); clones
/// share it.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    /// The configuration the relay started with.
    pub config: Arc<Config>,
    /// The database.
    pub store: Store,
    /// The operator workspace: the one the relay's own WhatsApp settings serve.
    pub operator: WorkspaceId,
    /// Every workspace's WhatsApp connections.
    pub whatsapp: Arc<WhatsApp>,
    /// Seals secrets kept in the database.
    pub sealer: Arc<Sealer>,
    /// Live event streams.
    pub events: Events,
    /// Signs attachment URLs.
    pub signer: Arc<UrlSigner>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Logs inbound messages and statuses.
    pub ingest: Ingest,
    /// Wakes the outbox when a message is queued.
    pub outbox: Arc<Notify>,
    /// The one HTTP client for providers and CRMs.
    pub http: reqwest::Client,
    /// The per-company limit on new messages and uploads.
    pub send_limit: Arc<limits::SendLimit>,
    /// Cancelled when the relay begins to shut down: long-lived responses (event streams) end then.
    pub closing: CancellationToken,
    /// Taken while a Pipedrive token is refreshed, so concurrent calls refresh once.
    pub pipedrive_refresh: Arc<tokio::sync::Mutex<()>>,
    /// This relay among those sharing the database (a new id each start).
    pub relay_id: Arc<str>,
    /// A permit per upload being received (`SIDECHAT_MAX_UPLOADS`).
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Wakes the fetcher of inbound media.
    pub media: Arc<Notify>,
}

/// A running relay: its state, its outbox worker and, where statuses are polled, its status poller.
pub struct Relay {
    /// What the routes share.
    pub state: AppState,
    stop: CancellationToken,
    /// Sends queued messages, from every connection.
    worker: JoinHandle<()>,
    /// Polls delivery statuses, for providers without status webhooks.
    poller: JoinHandle<()>,
    /// Deletes messages past the retention period, when there is one.
    retention: Option<JoinHandle<()>>,
    /// Says the relay is alive, and tells and hears the other relays' events (PostgreSQL).
    background: Vec<JoinHandle<()>>,
    /// On SQLite: the lock that keeps a second relay off the file, held until the relay is dropped.
    _sqlite_lock: Option<std::fs::File>,
}

impl Relay {
    /// Opens the database (applying migrations) and starts the outbox (and the status poller, if needed).
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        let sqlite_lock = lock_sqlite(&config.database_url)?;
        let relay_id: Arc<str> = Arc::from(uuid::Uuid::new_v4().to_string());
        let store = Store::connect(&config.database_url).await?;
        let operator = admission::settle(&store, &config).await?;
        // libphonenumber's metadata loads on first use, a tenth of a second: at start, not on the first send's time.
        let _ = sidechat_domain::phone::Phone::parse("+4930901820", None);
        let http = reqwest::Client::builder()
            .timeout(config.provider_timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("sidechat-relay/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the HTTP client")?;
        store.relay_alive(&relay_id, jiff::Timestamp::now().as_millisecond()).await.context("registering the relay")?;
        let mut background = Vec::new();
        let events = if store.backend() == store::Backend::Postgres {
            let (notices, to_send) = tokio::sync::mpsc::unbounded_channel();
            background.push(tokio::spawn(fanout::send(store.clone(), to_send)));
            Events::shared(&relay_id, notices)
        } else {
            Events::default()
        };
        let previous_key = config.secret_key_previous.as_ref();
        let signer = Arc::new(UrlSigner::rotating(&config.secret_key, previous_key, &config.public_url));
        let sealer = Arc::new(Sealer::rotating(&config.secret_key, previous_key));
        let metrics = Arc::new(Metrics::default());
        let clock = clock::Clock::default();
        let files = match &config.files_url {
            Some(url) => files::Files::s3(url).context("opening the file store (SIDECHAT_FILES_URL)")?,
            None => {
                files::Files::directory(&config.files_dir).context("opening the file store (SIDECHAT_FILES_DIR)")?
            }
        };
        let ingest = Ingest {
            store: store.clone(),
            events: events.clone(),
            signer: signer.clone(),
            metrics: metrics.clone(),
            clock: clock.clone(),
            files: files.clone(),
        };
        if config.provider.is_none() {
            tracing::info!(
                "SIDECHAT_SIGNUP is open: SIDECHAT_PROVIDER, WHATSAPP_TOKEN, WHATSAPP_SENDERS, WHATSAPP_WABA_ID, \
                 TIMELINES_API_TOKEN and TIMELINES_WEBHOOK_SECRET are not used; each workspace's admin connects its \
                 own WhatsApp"
            );
        }
        whatsapp::settle_settings_connection(&store, &sealer, &http, &config, &operator).await?;
        let config = Arc::new(config);
        let whatsapp =
            Arc::new(WhatsApp::new(store.clone(), sealer.clone(), http.clone(), ingest.clone(), config.clone()));
        if config.demo {
            demo::seed(&store, &sealer, &operator, &config.public_url).await.context("storing the demo's data")?;
        }
        if store.backend() == store::Backend::Sqlite {
            // This process owns the SQLite file (see `lock_sqlite`): no other relay holds a lease on it.
            let recovered = store.expire_leases(clock.millis()).await?;
            if recovered > 0 {
                tracing::warn!(
                    recovered,
                    "messages were being sent when the relay last stopped: they go out again unless the provider \
                     shows them sent"
                );
            }
        }
        let outbox = Arc::new(Notify::new());
        let stop = CancellationToken::new();
        let policy = outbox::Policy {
            send: config.send_timeout,
            provider: config.provider_timeout,
            max_wait: config.retry_max_wait,
        };
        let worker = tokio::spawn(outbox::run(ingest.clone(), whatsapp.clone(), policy, outbox.clone(), stop.clone()));
        let poller = tokio::spawn(status_poll::run(
            ingest.clone(),
            whatsapp.clone(),
            config.timelines_poll_interval,
            config.timelines_requests_per_second,
            stop.clone(),
        ));
        background.push(tokio::spawn(providers::timelines::catch_up::run(
            ingest.clone(),
            whatsapp.clone(),
            stop.clone(),
        )));
        let retention = config.retention.map(|keep| tokio::spawn(retention::run(store.clone(), keep, stop.clone())));
        let media = Arc::new(Notify::new());
        let uploads = Arc::new(tokio::sync::Semaphore::new(config.max_uploads as usize));
        let upkeep = files::upkeep::run(files, ingest.clone(), whatsapp.clone(), media.clone(), stop.clone());
        background.push(tokio::spawn(upkeep));
        background.push(tokio::spawn(heartbeat(store.clone(), relay_id.clone(), clock.clone(), stop.clone())));
        if store.backend() == store::Backend::Postgres {
            let listen =
                fanout::listen(config.database_url.clone(), relay_id.to_string(), ingest.clone(), stop.clone());
            background.push(tokio::spawn(listen));
        }
        let send_limit = Arc::new(match store.backend() {
            store::Backend::Sqlite => limits::SendLimit::new(config.send_rate_limit),
            store::Backend::Postgres => limits::SendLimit::shared(config.send_rate_limit, store.clone()),
        });
        let state = AppState(Arc::new(Shared {
            config,
            store,
            operator,
            whatsapp,
            sealer,
            events,
            signer,
            metrics,
            ingest,
            outbox,
            http,
            closing: CancellationToken::new(),
            send_limit,
            pipedrive_refresh: Arc::new(tokio::sync::Mutex::new(())),
            relay_id,
            uploads,
            media,
        }));
        Ok(Self { state, stop, worker, poller, retention, background, _sqlite_lock: sqlite_lock })
    }

    /// The HTTP routes.
    pub fn router(&self) -> Router {
        build_router(self.state.clone())
    }

    /// Stops the outbox after the sends under way, and closes the database.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.worker.await;
        let _ = self.poller.await;
        if let Some(retention) = self.retention {
            let _ = retention.await;
        }
        for task in self.background {
            task.abort();
            let _ = task.await;
        }
        if let Err(error) = self.state.store.relay_stopped(&self.state.relay_id).await {
            tracing::warn!(error = %error, "forgetting this relay in the database");
        }
        self.state.store.close().await;
    }
}

/// Says the relay is alive every [`store::HEARTBEAT_MS`] until `stop` is cancelled.
async fn heartbeat(store: Store, relay_id: Arc<str>, clock: clock::Clock, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(std::time::Duration::from_millis(store::HEARTBEAT_MS as u64)) => {}
        }
        if let Err(error) = store.relay_alive(&relay_id, clock.millis()).await {
            tracing::warn!(error = %error, "telling the database this relay is alive");
        }
    }
}

/// On SQLite, takes an exclusive lock on a file beside the database (`<database>.lock`), so a second relay on the
/// same file refuses to start: SQLite serves one relay (several relays share a PostgreSQL database). The operating
/// system releases the lock when the process ends, however it ends, so a relay killed with SIGKILL starts again.
fn lock_sqlite(database_url: &str) -> anyhow::Result<Option<std::fs::File>> {
    let Some(path) = store::sqlite_file(database_url) else { return Ok(None) };
    let path = path.display();
    let lock_path = format!("{path}.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("creating {lock_path}, the lock that keeps a second relay off the database"))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another relay is running on {path} (it holds {lock_path}): a SQLite database serves one relay; to run \
             several, give them one PostgreSQL database (SIDECHAT_DATABASE_URL=postgres://…)"
        ),
        Err(std::fs::TryLockError::Error(error)) => Err(error)
            .with_context(|| format!("locking {lock_path}, the lock that keeps a second relay off the database")),
    }
}

/// The relay's routes.
pub fn build_router(state: AppState) -> Router {
    let api = Router::new()
        .merge(routes::phones::router())
        .merge(routes::senders::router())
        .merge(routes::messages::router())
        .merge(routes::events::router())
        .merge(routes::templates::router())
        .merge(routes::canned::router())
        .merge(routes::uploads::router())
        .merge(routes::records::router())
        .merge(routes::account::router())
        .merge(routes::admin::router())
        .merge(routes::sign_in::api_router())
        // The widget served from Zoho's domain checks the relay's health too.
        .merge(routes::health::router())
        .layer(web::cors(&state.config));
    let router = if state.config.demo { Router::new().merge(demo::router()) } else { Router::new() };
    router
        .merge(api)
        .merge(routes::oauth::router())
        .merge(routes::sign_in::router())
        .merge(routes::top_level::router())
        .merge(routes::metrics::router())
        .merge(routes::webhooks::router())
        .merge(routes::widget::router(&state.config))
        .fallback(web::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::time_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::count_requests))
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(web::request_span))
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(tower_http::request_id::MakeRequestUuid))
        .with_state(state)
}

/// Binds the configured address and serves until `shutdown` completes.
pub async fn serve(mut config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (SIDECHAT_LISTEN)", config.listen))?;
    let address = listener.local_addr().context("reading the bound address")?;
    if config.public_url == format!("http://{}", config.listen) {
        // The default public URL follows the port actually bound (port 0 picks one).
        config.public_url = format!("http://{address}");
    }
    let hosts = match config.demo_hosts.clone() {
        Some(hosts) => Some(demo::HostsServer::bind(&hosts, &mut config).await?),
        None => None,
    };
    let demo = config.demo;
    let relay = Relay::start(config).await?;
    // Tests and `cargo xtask demo` read this line to learn the port.
    println!("sidechat-relay listening on http://{address}");
    if demo {
        println!("  the widget:   http://{address}/widget/");
    }
    if let Some(hosts) = &hosts {
        hosts.print_urls(&format!("http://{address}"));
    }
    tracing::info!(%address, demo, "relay started");
    let closing = relay.state.closing.clone();
    if let Some(hosts) = hosts {
        tokio::spawn(hosts.serve(closing.clone()));
    }
    if let Some(listen) = relay.state.config.metrics.listen {
        let metrics = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen} (SIDECHAT_METRICS_LISTEN)"))?;
        let router = routes::metrics::separate(relay.state.metrics.clone());
        let closing = closing.clone();
        tracing::info!(address = %listen, "serving /metrics on its own address");
        tokio::spawn(async move {
            let served = axum::serve(metrics, router).with_graceful_shutdown(closing.cancelled_owned()).await;
            if let Err(error) = served {
                tracing::error!(error = %error, "serving /metrics");
            }
        });
    }
    let shutdown = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests and the sends under way");
        closing.cancel();
    };
    axum::serve(listener, relay.router()).with_graceful_shutdown(shutdown).await.context("serving HTTP")?;
    relay.stop().await;
    tracing::info!("relay stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
