//! The workspaces' WhatsApp connections at run time: each stored connection with the provider client that
//! serves it. The database is the truth (any relay may have made or removed a connection); a client is made on
//! first use and reused until its row changes. A workspace's connections are read again at most every
//! [`FRESH_FOR`] (every send and every conversation asks for them): a change made through this relay is seen at once,
//! one made through another relay of the same database within that time.
//!
//! Who may send from which number, which connection a webhook belongs to and which one sends a queued message are
//! all answered here.

mod connect;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use secrecy::SecretString;
use sidechat_domain::Provider as ProviderKind;
use sidechat_domain::wire::{ErrorCode, Sender};

use crate::config::{CloudConfig, Config, ProviderConfig, SenderConfig, TimelinesConfig};
use crate::error::ApiError;
use crate::ingest::Ingest;
use crate::providers::{Provider, cloud, sandbox, timelines};
use crate::secrets::Sealer;
use crate::store::{ConnectionRow, Store, WorkspaceId};

pub use connect::{connect, settle_settings_connection, webhook_key};

/// How long a workspace's connections, as read from the database, are used before they are read again.
pub const FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

/// A connection in use and its provider client.
#[derive(Clone)]
pub struct Connection {
    /// The stored connection.
    pub row: Arc<ConnectionRow>,
    /// The client that sends from its numbers.
    pub provider: Arc<Provider>,
}

impl Connection {
    /// Whose connection it is.
    pub fn workspace(&self) -> &WorkspaceId {
        &self.row.workspace
    }

    /// Every number it may have sent from: those the provider lists (TimelinesAI's list is kept, and read again
    /// in the background), and those stored that it no longer lists.
    pub async fn known_senders(&self) -> Vec<Sender> {
        let mut senders = self.provider.senders().await.unwrap_or_else(|error| {
            tracing::warn!(connection = %self.row.id, error = format!("{error:#}"), "listing senders");
            Vec::new()
        });
        for number in &self.row.numbers {
            if !senders.iter().any(|known| known.id == number.sender_id) {
                senders.push(number.sender(self.row.provider));
            }
        }
        senders
    }
}

/// Every workspace's connections.
pub struct WhatsApp {
    store: Store,
    sealer: Arc<Sealer>,
    http: reqwest::Client,
    ingest: Ingest,
    /// The relay's own settings: the operator's connection and the provider base URLs.
    config: Arc<Config>,
    /// Clients by connection id, with the row version they were made for.
    clients: Mutex<HashMap<String, (i64, Arc<Provider>)>>,
    /// The relay's one budget of requests to TimelinesAI, shared by every TimelinesAI connection.
    timelines_budget: timelines::Budget,
    /// Each workspace's connections as last read, and when.
    read: Mutex<HashMap<WorkspaceId, (std::time::Instant, Vec<Connection>)>>,
}

impl WhatsApp {
    /// The connections of the relay's database.
    pub fn new(store: Store, sealer: Arc<Sealer>, http: reqwest::Client, ingest: Ingest, config: Arc<Config>) -> Self {
        let timelines_budget = timelines::Budget::new(config.timelines_requests_per_second);
        Self {
            store,
            sealer,
            http,
            ingest,
            config,
            clients: Mutex::default(),
            read: Mutex::default(),
            timelines_budget,
        }
    }

    /// A workspace's connections in use, oldest first. A connection whose client cannot be made (its secret does
    /// not open: another `SIDECHAT_SECRET_KEY`) is left out, and logged.
    pub async fn connections(&self, workspace: &WorkspaceId) -> Result<Vec<Connection>, sqlx::Error> {
        if let Some((at, connections)) = self.read.lock().unwrap_or_else(PoisonError::into_inner).get(workspace)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(connections.clone());
        }
        let rows = self.store.whatsapp_connections(workspace).await?;
        let connections: Vec<Connection> = rows.into_iter().filter_map(|row| self.serve(row)).collect();
        let mut read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        read.insert(workspace.clone(), (std::time::Instant::now(), connections.clone()));
        Ok(connections)
    }

    /// Forgets what was read of a workspace's connections: this relay changed them.
    pub fn changed(&self, workspace: &WorkspaceId) {
        self.read.lock().unwrap_or_else(PoisonError::into_inner).remove(workspace);
    }

    /// The connections `user_id` may send from.
    pub async fn usable(&self, workspace: &WorkspaceId, user_id: &str) -> Result<Vec<Connection>, sqlx::Error> {
        let mut connections = self.connections(workspace).await?;
        connections.retain(|connection| connection.row.allows(user_id));
        Ok(connections)
    }

    /// The numbers `user_id` may send from; `provider_unavailable` only when no connection could list its numbers.
    pub async fn senders(&self, workspace: &WorkspaceId, user_id: &str) -> Result<Vec<Sender>, ApiError> {
        let connections = self.usable(workspace, user_id).await?;
        senders_of(&connections).await
    }

    /// The numbers `user_id` may send from, as stored: no call to a provider (TimelinesAI's numbers are those its
    /// connection knew when it was made).
    pub async fn stored_senders(&self, workspace: &WorkspaceId, user_id: &str) -> Result<Vec<Sender>, sqlx::Error> {
        let connections = self.usable(workspace, user_id).await?;
        Ok(connections
            .iter()
            .flat_map(|connection| connection.row.numbers.iter().map(|number| number.sender(connection.row.provider)))
            .collect())
    }

    /// The connection of one of `user_id`'s numbers, and that number; `unknown_sender` (or `not_connected` when
    /// the workspace has no connection at all) otherwise.
    pub async fn sender(
        &self,
        workspace: &WorkspaceId,
        user_id: &str,
        sender_id: &str,
    ) -> Result<(Connection, Sender), ApiError> {
        let all = self.connections(workspace).await?;
        if all.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NotConnected,
                "the workspace has no WhatsApp connection yet: an admin connects one in Sidechat's settings",
            ));
        }
        let usable: Vec<Connection> = all.into_iter().filter(|c| c.row.allows(user_id)).collect();
        if let Some(found) = find_sender(&usable, sender_id).await? {
            return Ok(found);
        }
        Err(ApiError::new(ErrorCode::UnknownSender, format!("no connected sender `{sender_id}`")))
    }

    /// The connection that sends a queued message from `sender_id`, whoever queued it; `None` once the number's
    /// connection was removed.
    pub async fn for_outbox(
        &self,
        workspace: &WorkspaceId,
        sender_id: &str,
    ) -> Result<Option<Connection>, anyhow::Error> {
        let connections = self.connections(workspace).await?;
        if let Some(connection) =
            connections.iter().find(|c| c.row.numbers.iter().any(|number| number.sender_id == sender_id))
        {
            return Ok(Some(connection.clone()));
        }
        // A TimelinesAI account added after the connection was made is one of its senders too.
        match find_sender(&connections, sender_id).await {
            Ok(found) => Ok(found.map(|(connection, _)| connection)),
            Err(error) => Err(anyhow::anyhow!("listing senders: {error}")),
        }
    }

    /// The connection in use that has the Cloud API number `phone_number_id`, whichever workspace's.
    pub async fn cloud_number(&self, phone_number_id: &str) -> Result<Option<(Connection, Sender)>, sqlx::Error> {
        let Some(row) = self.store.whatsapp_connection_of_number(phone_number_id).await? else { return Ok(None) };
        let Some(connection) = self.serve(row) else { return Ok(None) };
        let number = connection.row.numbers.iter().find(|n| n.sender_id == phone_number_id);
        let sender = number.map(|number| number.sender(connection.row.provider));
        Ok(sender.map(|sender| (connection, sender)))
    }

    /// The TimelinesAI connection in use whose webhook secret is `secret`, whichever workspace's.
    pub async fn timelines_webhook(&self, secret: &str) -> Result<Option<Connection>, sqlx::Error> {
        let row = self.store.whatsapp_connection_of_webhook(&webhook_key(secret)).await?;
        Ok(row.filter(|row| row.provider == ProviderKind::Timelines).and_then(|row| self.serve(row)))
    }

    /// Every TimelinesAI connection in use, for the status poller.
    pub async fn all_of(&self, provider: ProviderKind) -> Result<Vec<Connection>, sqlx::Error> {
        let rows = self.store.whatsapp_connections_of(provider).await?;
        Ok(rows.into_iter().filter_map(|row| self.serve(row)).collect())
    }

    /// The connection with its client, made now unless one was made for this version of the row.
    fn serve(&self, row: ConnectionRow) -> Option<Connection> {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((version, provider)) = clients.get(&row.id)
            && *version == row.updated_at
        {
            return Some(Connection { provider: provider.clone(), row: Arc::new(row) });
        }
        match self.client(&row) {
            Ok(provider) => {
                let provider = Arc::new(provider);
                clients.insert(row.id.clone(), (row.updated_at, provider.clone()));
                Some(Connection { provider, row: Arc::new(row) })
            }
            Err(error) => {
                tracing::error!(connection = %row.id, workspace = %row.workspace, error = format!("{error:#}"),
                    "a WhatsApp connection cannot be used");
                None
            }
        }
    }

    fn client(&self, row: &ConnectionRow) -> anyhow::Result<Provider> {
        let senders: Vec<SenderConfig> = row
            .numbers
            .iter()
            .map(|n| SenderConfig { id: n.sender_id.clone(), phone: n.phone.clone(), label: n.label.clone() })
            .collect();
        if row.from_settings {
            return Ok(match &self.config.provider {
                Some(ProviderConfig::Cloud(cloud)) => Provider::Cloud(cloud::Cloud::new(
                    CloudConfig { senders, ..cloud.clone() },
                    self.http.clone(),
                    self.config.send_timeout,
                )),
                Some(ProviderConfig::Timelines(config)) => Provider::Timelines(timelines::Timelines::new(
                    config.clone(),
                    self.http.clone(),
                    self.config.send_timeout,
                    self.timelines_budget.clone(),
                    row.id.clone(),
                )),
                Some(ProviderConfig::Sandbox) => Provider::Sandbox(self.sandbox(row)),
                None => anyhow::bail!("the relay's settings configure no WhatsApp connection any more"),
            });
        }
        let token = || -> anyhow::Result<SecretString> {
            let sealed = row.secret.as_deref().context("the connection has no token")?;
            let context = ConnectionRow::secret_context(&row.workspace, &row.id);
            Ok(SecretString::from(self.sealer.open(sealed, &context)?))
        };
        Ok(match row.provider {
            ProviderKind::Cloud => Provider::Cloud(cloud::Cloud::new(
                CloudConfig {
                    graph_url: self.config.graph_url.clone(),
                    token: token()?,
                    senders,
                    waba_id: row.waba_id.clone().unwrap_or_default(),
                },
                self.http.clone(),
                self.config.send_timeout,
            )),
            ProviderKind::Timelines => Provider::Timelines(timelines::Timelines::new(
                TimelinesConfig {
                    api_url: self.config.timelines_url.clone(),
                    token: token()?,
                    // The webhook secret routes webhooks to the connection; the client has no use for it.
                    webhook_secret: SecretString::from(String::new()),
                    poll_interval: self.config.timelines_poll_interval,
                },
                self.http.clone(),
                self.config.send_timeout,
                self.timelines_budget.clone(),
                row.id.clone(),
            )),
            ProviderKind::Sandbox => Provider::Sandbox(self.sandbox(row)),
        })
    }

    fn sandbox(&self, row: &ConnectionRow) -> sandbox::Sandbox {
        let senders = row.numbers.iter().map(|number| number.sender(ProviderKind::Sandbox)).collect();
        sandbox::Sandbox::new(self.ingest.clone(), row.workspace.clone(), senders)
    }
}

/// The numbers of some connections; `provider_unavailable` only when none could list its numbers.
async fn senders_of(connections: &[Connection]) -> Result<Vec<Sender>, ApiError> {
    let mut senders = Vec::new();
    let mut failed = false;
    for connection in connections {
        match connection.provider.senders().await {
            Ok(listed) => senders.extend(listed),
            Err(error) => {
                failed = true;
                tracing::warn!(connection = %connection.row.id, error = format!("{error:#}"), "listing senders");
            }
        }
    }
    if failed && senders.is_empty() {
        return Err(ApiError::new(ErrorCode::ProviderUnavailable, "the WhatsApp provider did not answer"));
    }
    Ok(senders)
}

/// The connection among `connections` with the sender `sender_id`, and that sender.
async fn find_sender(connections: &[Connection], sender_id: &str) -> Result<Option<(Connection, Sender)>, ApiError> {
    let mut failed = false;
    for connection in connections {
        match connection.provider.senders().await {
            Ok(senders) => {
                if let Some(sender) = senders.into_iter().find(|s| s.id == sender_id) {
                    return Ok(Some((connection.clone(), sender)));
                }
            }
            Err(error) => {
                failed = true;
                tracing::warn!(connection = %connection.row.id, error = format!("{error:#}"), "listing senders");
            }
        }
    }
    if failed {
        return Err(ApiError::new(ErrorCode::ProviderUnavailable, "the WhatsApp provider did not answer"));
    }
    Ok(None)
}
