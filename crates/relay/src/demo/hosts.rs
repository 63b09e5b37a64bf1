//! The demo's second server: the pages that play Pipedrive and Zoho (`static/dev/`, built into `dist/dev`), on
//! another port than the widget, so the widget runs cross-origin inside them as it does in a real CRM. It also plays
//! Zoho Accounts and the Zoho CRM calls of a sign-in (the Zoho stand-in, at `/zoho-accounts`), so the demo's Zoho
//! users sign in for real.

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::services::ServeDir;

use crate::config::{AccountsHost, Config, DemoHosts};

/// Where the demo's Zoho data centre is served on the second port.
const ZOHO_ACCOUNTS_PATH: &str = "/zoho-accounts";

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
        if let Some(zoho) = &mut config.zoho {
            let accounts = format!("{origin}{ZOHO_ACCOUNTS_PATH}");
            zoho.accounts = vec![AccountsHost { accounts: accounts.clone(), api_domain: accounts }];
        }
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
        let app = Router::new()
            .nest(ZOHO_ACCOUNTS_PATH, sidechat_standins::zoho::router(sidechat_standins::zoho::DataCentre::us()))
            .fallback_service(ServeDir::new(&self.dir));
        let stopped = async move { closing.cancelled().await };
        if let Err(error) = axum::serve(self.listener, app).with_graceful_shutdown(stopped).await {
            tracing::error!(%error, "the demo host pages stopped");
        }
    }
}
