//! The operator's commands beside `serve`: `sidechat-relay secrets rotate`, `workspace list` and
//! `workspace delete ID`. They read the same settings as the relay (the database and the keys) and may run while
//! relays serve.

use anyhow::Context;

use crate::config::Settings;
use crate::secrets::Sealer;
use crate::store::{ConnectionRow, Store};

/// What `secrets rotate` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Values sealed again with the current key.
    pub resealed: usize,
    /// Values that opened with neither key: left as they are.
    pub unopened: usize,
}

/// The database and the keys, from the relay's settings.
pub async fn open(settings: &Settings) -> anyhow::Result<(Store, Sealer)> {
    let key = settings.secret_key.as_ref().context("SIDECHAT_SECRET_KEY: is required")?;
    let database_url = settings.database_url.clone().unwrap_or_else(|| "sqlite://sidechat.db".to_owned());
    let store = Store::connect(&database_url).await?;
    Ok((store, Sealer::rotating(key, settings.secret_key_previous.as_ref())))
}

/// Seals every secret kept in the database again with the current key: the CRM tokens of every user, the WhatsApp
/// tokens and webhook secrets of every connection.
pub async fn rotate_secrets(store: &Store, sealer: &Sealer) -> anyhow::Result<Rotation> {
    let mut rotation = Rotation::default();
    for (workspace, user_id, crm, access, refresh) in store.sealed_crm_tokens().await? {
        let context = |which: &str| format!("{crm}/{workspace}/{user_id}/{which}");
        match (sealer.reseal(&access, &context("access")), sealer.reseal(&refresh, &context("refresh"))) {
            (Ok(new_access), Ok(new_refresh)) => {
                store.reseal_crm_tokens(&workspace, &user_id, (&access, &refresh), (&new_access, &new_refresh)).await?;
                rotation.resealed += 2;
            }
            _ => {
                tracing::warn!(workspace = %workspace, user = user_id, "a user's CRM tokens open with neither key");
                rotation.unopened += 2;
            }
        }
    }
    for (workspace, id, secret, webhook) in store.sealed_connection_secrets().await? {
        let token_context = ConnectionRow::secret_context(&workspace, &id);
        let webhook_context = ConnectionRow::webhook_context(&workspace, &id);
        let secret = secret.map(|sealed| sealer.reseal(&sealed, &token_context));
        let webhook = webhook.map(|sealed| sealer.reseal(&sealed, &webhook_context));
        if matches!(secret, Some(Err(_))) || matches!(webhook, Some(Err(_))) {
            tracing::warn!(workspace = %workspace, connection = id, "a WhatsApp connection's secrets open with neither key");
            rotation.unopened += 1;
            continue;
        }
        let (secret, webhook) = (secret.transpose()?, webhook.transpose()?);
        rotation.resealed += usize::from(secret.is_some()) + usize::from(webhook.is_some());
        store.reseal_connection_secrets(&workspace, &id, secret.as_deref(), webhook.as_deref()).await?;
    }
    Ok(rotation)
}

/// `workspace list`: one line per workspace.
pub async fn list_workspaces(store: &Store) -> anyhow::Result<String> {
    let mut out = String::new();
    for summary in store.workspace_summaries().await? {
        let accounts =
            if summary.accounts.is_empty() { "no CRM account".to_owned() } else { summary.accounts.join(" ") };
        out.push_str(&format!(
            "{}{}  {:?}  {accounts}  users: {}  WhatsApp connections: {}  messages: {}\n",
            summary.id,
            if summary.is_operator { " (operator)" } else { "" },
            summary.name,
            summary.users,
            summary.connections,
            summary.messages
        ));
    }
    Ok(out)
}

/// `workspace delete ID`: deletes a workspace and everything in it; the operator workspace stays.
pub async fn delete_workspace(store: &Store, id: &str) -> anyhow::Result<String> {
    let summaries = store.workspace_summaries().await?;
    let summary = summaries
        .iter()
        .find(|summary| summary.id.as_str() == id)
        .with_context(|| format!("no workspace `{id}` (`sidechat-relay workspace list` lists them)"))?;
    if summary.is_operator {
        anyhow::bail!("`{id}` is the operator workspace: it is not deleted (its WhatsApp is the relay's settings)");
    }
    store.delete_workspace(&summary.id).await?;
    Ok(format!(
        "deleted workspace {id} ({:?}): {} users, {} messages, its WhatsApp connections and CRM accounts",
        summary.name, summary.users, summary.messages
    ))
}
