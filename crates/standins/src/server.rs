//! Serving a stand-in's router on a loopback port, stopped when its handle is dropped, and the base URL a
//! request reached it under.

use std::convert::Infallible;

use axum::Router;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use tokio::task::JoinHandle;

/// A router served on `127.0.0.1:0`.
pub(crate) struct Served {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    task: JoinHandle<()>,
}

impl Served {
    /// Binds a loopback port and serves `router` on it.
    ///
    /// # Panics
    /// When no loopback port can be bound: the stand-ins are test and demo tools, and a test cannot go on.
    pub async fn start(router: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binding a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("reading the bound address"));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                eprintln!("a stand-in server stopped: {error}");
            }
        });
        Self { url, task }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The base URL a request reached the current router under: `http://{Host}{the path the router is nested at}`,
/// so a stand-in can name its own URLs whether it runs on its own port or nested in another server.
pub(crate) struct BaseUrl(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BaseUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let host = parts.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
        let full = parts.extensions.get::<OriginalUri>().map_or(parts.uri.path(), |original| original.path());
        let prefix = full.strip_suffix(parts.uri.path()).unwrap_or_default();
        Ok(Self(format!("http://{host}{prefix}")))
    }
}
