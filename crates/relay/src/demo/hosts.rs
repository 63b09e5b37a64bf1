//! The demo's second server: the pages that play Pipedrive and Zoho (`static/dev/`, built into `dist/dev`), on
//! another port than the widget, so the widget runs cross-origin inside them as it does in a real CRM.

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::services::ServeDir;

use crate::config::{Config, DemoHosts};

/// The bound second server.
pub struct HostsServer {
    listener: TcpListener,
    origin: String,
    dir: std::path::PathBuf,
}

impl HostsServer {
    /// Binds the second port and lets its origin frame the widget.
    pub async fn bind(hosts: &DemoHosts, config: &mut Config) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(hosts.listen)
            .await
            .with_context(|| format!("cannot listen on {} (SIDECHAT_DEMO_HOSTS_LISTEN)", hosts.listen))?;
        let origin = format!("http://{}", listener.local_addr()?);
        config.frame_ancestors.push(origin.clone());
        Ok(Self { listener, origin, dir: hosts.dir.clone() })
    }

    /// Tells where the host pages are, each told where the relay is.
    pub fn print_urls(&self, relay: &str) {
        if self.dir.join("pipedrive.html").is_file() {
            println!("  Pipedrive:    {}/pipedrive.html?relay={relay}", self.origin);
        }
        if self.dir.join("zoho.html").is_file() {
            println!("  Zoho:         {}/zoho.html?relay={relay}", self.origin);
        }
    }

    /// Serves the pages until `closing` is cancelled.
    pub async fn serve(self, closing: CancellationToken) {
        let app = Router::new().fallback_service(ServeDir::new(&self.dir));
        let stopped = async move { closing.cancelled().await };
        if let Err(error) = axum::serve(self.listener, app).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "the demo host pages stopped");
        }
    }
}
