//! Sidechat's relay: verifies the CRM user, reads the CRM record, keeps the message log, sends through
//! WhatsApp providers and takes their webhooks. It also serves the built widget.
//!
//! [`build_router`] assembles the HTTP routes apart from any socket, so tests drive it directly; [`serve`]
//! binds the configured address and runs until the shutdown signal.

pub mod config;
pub mod routes;
pub mod telemetry;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;

use crate::config::Config;

/// What every handler may reach.
#[derive(Clone)]
pub struct AppState {
    /// The configuration the relay started with.
    pub config: Arc<Config>,
}

/// The relay's routes.
pub fn build_router(state: AppState) -> Router {
    Router::new().merge(routes::health::router()).merge(routes::widget::router(&state.config)).with_state(state)
}

/// Binds the configured address and serves until `shutdown` completes.
pub async fn serve(config: Config, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (SIDECHAT_LISTEN)", config.listen))?;
    let address = listener.local_addr().context("reading the bound address")?;
    // Tests and `cargo xtask demo` read this line to learn the port.
    println!("sidechat-relay listening on http://{address}");
    if config.demo {
        println!("  the widget:   http://{address}/widget/");
    }
    tracing::info!(%address, demo = config.demo, widget_dir = %config.widget_dir.display(), "relay started");
    let app = build_router(AppState { config: Arc::new(config) });
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("serving HTTP")?;
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
