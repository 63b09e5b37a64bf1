//! Making a connection: the credentials are checked with the provider before anything is kept, the token is
//! sealed, and a number already in a connection of this relay is refused. Also the operator's connection from
//! the relay's settings, kept in step at start.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};
use sidechat_domain::Provider as ProviderKind;
use sidechat_domain::wire::{ConnectRequest, ErrorCode, Sender};

use crate::AppState;
use crate::config::{Config, ProviderConfig};
use crate::error::ApiError;
use crate::providers::{Refusal, cloud, sandbox, timelines};
use crate::secrets::Sealer;
use crate::store::{ConnectError, ConnectionRow, NewConnection, NumberRow, Store, WorkspaceId};

/// The most numbers one Cloud API connection may name.
const MAX_NUMBERS: usize = 20;
/// The longest label accepted.
const MAX_LABEL_CHARS: usize = 80;
/// Graph's error code for a token it does not accept.
const GRAPH_BAD_TOKEN: i64 = 190;

/// The SHA-256 (hex) of a TimelinesAI webhook secret: what webhooks are routed by, so the secret itself is kept
/// only sealed.
pub fn webhook_key(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Checks the credentials with the provider and keeps the connection; `user_id` is the admin making it.
pub async fn connect(
    state: &AppState,
    workspace: &WorkspaceId,
    user_id: &str,
    request: ConnectRequest,
) -> Result<ConnectionRow, ApiError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = jiff::Timestamp::now().as_millisecond();
    let (new, field) = match request {
        ConnectRequest::Cloud { access_token, waba_id, phone_number_ids, label } => (
            cloud_connection(state, workspace, &id, &access_token, &waba_id, &phone_number_ids, label).await?,
            "phone_number_ids",
        ),
        ConnectRequest::Timelines { api_token, label } => {
            (timelines_connection(state, workspace, &id, &api_token, label).await?, "api_token")
        }
        ConnectRequest::Sandbox { label } => {
            if !state.config.demo {
                return Err(ApiError::about_field(
                    ErrorCode::ConnectionRejected,
                    "provider",
                    "the sandbox is only offered in demo mode: connect the Cloud API or TimelinesAI",
                ));
            }
            return sandbox_connection(&state.store, workspace, &id, user_id, label, now).await;
        }
    };
    let new = NewConnection { created_by: Some(user_id.to_owned()), ..new };
    state.store.insert_whatsapp_connection(workspace, &new, now).await.map_err(|error| in_use(error, field))
}

fn in_use(error: ConnectError, field: &str) -> ApiError {
    match error {
        ConnectError::NumberInUse(phone) => ApiError::about_field(
            ErrorCode::NumberInUse,
            field,
            format!("{phone} is already connected to Sidechat on this relay: disconnect it there first"),
        ),
        ConnectError::Database(error) => error.into(),
    }
}

/// A label of 1 to 80 characters, or `default`.
fn label(given: Option<String>, default: impl FnOnce() -> String) -> Result<String, ApiError> {
    let Some(given) = given else { return Ok(default()) };
    let given = given.trim().to_owned();
    if given.is_empty() || given.chars().count() > MAX_LABEL_CHARS || given.chars().any(char::is_control) {
        return Err(ApiError::invalid_setting(
            "label",
            format!("the label must have 1 to {MAX_LABEL_CHARS} characters"),
        ));
    }
    Ok(given)
}

/// A required credential, trimmed.
fn credential<'a>(value: &'a str, field: &str, what: &str) -> Result<&'a str, ApiError> {
    let value = value.trim();
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::invalid_setting(field, format!("{what} is required, without spaces")));
    }
    Ok(value)
}

/// The token's last four characters, for telling tokens apart.
fn hint(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// A provider's refusal as the answer to the admin: `connection_rejected` naming the field, or 502.
fn refused(refusal: Refusal, field: &str, provider: &str) -> ApiError {
    match refusal {
        Refusal::Refused { message, .. } => {
            ApiError::about_field(ErrorCode::ConnectionRejected, field, format!("{provider} refused: {message}"))
        }
        Refusal::Unreachable(reason) => {
            tracing::warn!(reason, "checking a new connection");
            ApiError::new(ErrorCode::ProviderUnavailable, format!("{provider} did not answer: try again"))
        }
    }
}

async fn cloud_connection(
    state: &AppState,
    workspace: &WorkspaceId,
    id: &str,
    access_token: &str,
    waba_id: &str,
    phone_number_ids: &[String],
    given_label: Option<String>,
) -> Result<NewConnection, ApiError> {
    if state.config.meta_app.is_none() {
        return Err(ApiError::about_field(
            ErrorCode::ConnectionRejected,
            "provider",
            "this relay has no Meta app to receive Cloud API webhooks (WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN): \
             ask its operator",
        ));
    }
    let token = credential(access_token, "access_token", "the access token")?;
    let waba_id = credential(waba_id, "waba_id", "the WhatsApp Business Account id")?;
    let mut ids: Vec<&str> = Vec::new();
    for raw in phone_number_ids {
        let raw = credential(raw, "phone_number_ids", "each phone number id")?;
        if !ids.contains(&raw) {
            ids.push(raw);
        }
    }
    if ids.is_empty() || ids.len() > MAX_NUMBERS {
        return Err(ApiError::invalid_setting("phone_number_ids", format!("name 1 to {MAX_NUMBERS} phone number ids")));
    }
    let graph = &state.config.graph_url;
    let mut numbers = Vec::with_capacity(ids.len());
    for phone_number_id in &ids {
        let info = cloud::number_info(&state.http, graph, token, phone_number_id).await.map_err(|refusal| {
            let field = match &refusal {
                Refusal::Refused { code: Some(GRAPH_BAD_TOKEN), .. } => "access_token",
                _ => "phone_number_ids",
            };
            refused(refusal, field, &format!("Meta (phone number id {phone_number_id})"))
        })?;
        let label = if info.verified_name.is_empty() { info.phone.as_str().to_owned() } else { info.verified_name };
        numbers.push(NumberRow { sender_id: (*phone_number_id).to_owned(), phone: info.phone, label });
    }
    // Refused before Meta is asked to send this relay the number's webhooks.
    for number in &numbers {
        if let Some(connection) = state.store.whatsapp_connection_of_number(&number.sender_id).await? {
            return Err(in_use(ConnectError::NumberInUse(number.phone.clone()), "phone_number_ids"))
                .inspect_err(|_| tracing::info!(connection = %connection.id, "a number already connected"));
        }
    }
    cloud::subscribe(&state.http, graph, token, waba_id).await.map_err(|refusal| {
        let field = match &refusal {
            Refusal::Refused { code: Some(GRAPH_BAD_TOKEN), .. } => "access_token",
            _ => "waba_id",
        };
        refused(refusal, field, "Meta (subscribing to the business account's webhooks)")
    })?;
    let label = label(given_label, || numbers[0].label.clone())?;
    Ok(NewConnection {
        id: id.to_owned(),
        provider: ProviderKind::Cloud,
        label,
        from_settings: false,
        waba_id: Some(waba_id.to_owned()),
        secret: Some(state.sealer.seal(token, &ConnectionRow::secret_context(workspace, id))),
        secret_hint: Some(hint(token)),
        webhook: None,
        numbers,
        created_by: None,
    })
}

async fn timelines_connection(
    state: &AppState,
    workspace: &WorkspaceId,
    id: &str,
    api_token: &str,
    given_label: Option<String>,
) -> Result<NewConnection, ApiError> {
    let token = credential(api_token, "api_token", "the API token")?;
    let label = label(given_label, || "TimelinesAI".to_owned())?;
    let accounts = timelines::check_accounts(&state.http, &state.config.timelines_url, token)
        .await
        .map_err(|refusal| refused(refusal, "api_token", "TimelinesAI"))?;
    if accounts.is_empty() {
        return Err(ApiError::about_field(
            ErrorCode::ConnectionRejected,
            "api_token",
            "this TimelinesAI workspace has no connected WhatsApp account: connect a number in TimelinesAI first",
        ));
    }
    let secret = random_secret();
    Ok(NewConnection {
        id: id.to_owned(),
        provider: ProviderKind::Timelines,
        label,
        from_settings: false,
        waba_id: None,
        secret: Some(state.sealer.seal(token, &ConnectionRow::secret_context(workspace, id))),
        secret_hint: Some(hint(token)),
        webhook: Some((
            state.sealer.seal(&secret, &ConnectionRow::webhook_context(workspace, id)),
            webhook_key(&secret),
        )),
        numbers: accounts.into_iter().map(number_row).collect(),
        created_by: None,
    })
}

/// A new sandbox connection with a number of its own (demo mode).
async fn sandbox_connection(
    store: &Store,
    workspace: &WorkspaceId,
    id: &str,
    user_id: &str,
    given_label: Option<String>,
    now: i64,
) -> Result<ConnectionRow, ApiError> {
    let label = label(given_label, || "Sandbox".to_owned())?;
    for attempt in 0..8 {
        let (sender_id, phone) = sandbox::new_number(attempt);
        let number = NumberRow { sender_id, label: format!("{label} {}", phone.as_str()), phone };
        let new = NewConnection {
            id: id.to_owned(),
            provider: ProviderKind::Sandbox,
            label: label.clone(),
            from_settings: false,
            waba_id: None,
            secret: None,
            secret_hint: None,
            webhook: None,
            numbers: vec![number],
            created_by: Some(user_id.to_owned()),
        };
        match store.insert_whatsapp_connection(workspace, &new, now).await {
            Err(ConnectError::NumberInUse(_)) => continue,
            other => return other.map_err(|error| in_use(error, "provider")),
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!("no free sandbox number after 8 tries")))
}

/// 32 random bytes, URL-safe: a TimelinesAI webhook path secret.
fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn number_row(sender: Sender) -> NumberRow {
    NumberRow { sender_id: sender.id, phone: sender.phone, label: sender.label }
}

/// At start: the operator workspace's connection as the relay's settings configure it (none on an open relay).
pub async fn settle_settings_connection(
    store: &Store,
    sealer: &Sealer,
    http: &reqwest::Client,
    config: &Config,
    operator: &WorkspaceId,
) -> anyhow::Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let configured = match &config.provider {
        None => None,
        Some(ProviderConfig::Sandbox) => Some(NewConnection {
            id,
            provider: ProviderKind::Sandbox,
            label: "Sandbox".to_owned(),
            from_settings: true,
            waba_id: None,
            secret: None,
            secret_hint: None,
            webhook: None,
            numbers: sandbox::demo_senders().into_iter().map(number_row).collect(),
            created_by: None,
        }),
        Some(ProviderConfig::Cloud(cloud)) => Some(NewConnection {
            id,
            provider: ProviderKind::Cloud,
            label: "WhatsApp Cloud API".to_owned(),
            from_settings: true,
            waba_id: Some(cloud.waba_id.clone()),
            secret: None,
            secret_hint: Some(hint(cloud.token.expose_secret())),
            webhook: None,
            numbers: cloud
                .senders
                .iter()
                .map(|s| NumberRow { sender_id: s.id.clone(), phone: s.phone.clone(), label: s.label.clone() })
                .collect(),
            created_by: None,
        }),
        Some(ProviderConfig::Timelines(timelines)) => {
            let token = timelines.token.expose_secret();
            // Its numbers are listed live; those known at start are kept so that no other connection takes them.
            let accounts = tokio::time::timeout(
                std::time::Duration::from_secs(5),
                timelines::check_accounts(http, &timelines.api_url, token),
            )
            .await;
            let listed = match accounts {
                Ok(Ok(accounts)) => Some(accounts.into_iter().map(number_row).collect()),
                Ok(Err(refusal)) => {
                    tracing::warn!(?refusal, "TimelinesAI did not list the accounts of TIMELINES_API_TOKEN");
                    None
                }
                Err(_) => {
                    tracing::warn!("TimelinesAI took too long to list the accounts of TIMELINES_API_TOKEN");
                    None
                }
            };
            // Unlisted now: the numbers known from an earlier start stay (the history and polling read them).
            let numbers = match listed {
                Some(numbers) => numbers,
                None => store
                    .whatsapp_connections(operator)
                    .await?
                    .into_iter()
                    .find(|row| row.from_settings && row.provider == ProviderKind::Timelines)
                    .map(|row| row.numbers)
                    .unwrap_or_default(),
            };
            let secret = timelines.webhook_secret.expose_secret();
            Some(NewConnection {
                provider: ProviderKind::Timelines,
                label: "TimelinesAI".to_owned(),
                from_settings: true,
                waba_id: None,
                secret: None,
                secret_hint: Some(hint(token)),
                webhook: Some((
                    sealer.seal(secret, &ConnectionRow::webhook_context(operator, &id)),
                    webhook_key(secret),
                )),
                numbers,
                created_by: None,
                id,
            })
        }
    };
    let now = jiff::Timestamp::now().as_millisecond();
    let settled = store.settle_settings_connection(operator, configured.as_ref(), now).await.map_err(|e| match e {
        ConnectError::Database(error) => {
            anyhow::Error::new(error).context("recording the settings' WhatsApp connection")
        }
        other => anyhow::anyhow!("{other}"),
    })?;
    if let Some((settled_id, refused)) = settled {
        if let Some(ProviderConfig::Timelines(timelines)) = &config.provider {
            // Sealed for the row it is in: the one kept from an earlier start, if any.
            let sealed = sealer
                .seal(timelines.webhook_secret.expose_secret(), &ConnectionRow::webhook_context(operator, &settled_id));
            store.reseal_connection_secrets(operator, &settled_id, None, Some(&sealed)).await?;
        }
        for phone in refused {
            tracing::warn!(%phone, "a number of the relay's WhatsApp settings is connected by a workspace: it stays there");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_is_the_last_four_characters() {
        assert_eq!(hint("EAAGm0PX4ZCpsBAabcd"), "abcd");
        assert_eq!(hint("ab"), "ab");
        assert_eq!(hint("ééééé"), "éééé");
    }

    #[test]
    fn sandbox_numbers_are_valid_berlin_numbers() {
        for attempt in 0..50 {
            let (id, phone) = sandbox::new_number(attempt);
            assert!(phone.as_str().starts_with("+49309018"), "{phone}");
            assert_eq!(id, format!("sandbox-{}", phone.digits()));
        }
    }

    #[test]
    fn webhook_keys_hash_the_secret() {
        assert_eq!(webhook_key("abc").len(), 64);
        assert_ne!(webhook_key("abc"), webhook_key("abd"));
        assert!(!webhook_key("abc").contains("abc"));
    }
}
