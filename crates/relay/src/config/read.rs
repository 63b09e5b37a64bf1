//! The parsers of single settings: each says, when it refuses a value, what it expected. clap calls them as it
//! reads the environment; [`super::ConfigError::from_clap`] puts the message beside the variable's name.

use std::net::SocketAddr;

use secrecy::SecretString;
use sidechat_domain::E164;

use super::{AccountsHost, AccountsHosts, CompanyIds, OrgIds, Origins, SenderConfig, Senders};

/// An address and port.
pub fn address(raw: &str) -> Result<SocketAddr, String> {
    raw.trim().parse().map_err(|_| format!("`{}` is not an address and port such as 127.0.0.1:8787", raw.trim()))
}

/// `sqlite://path` or `postgres://…`.
pub fn database_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if ["sqlite:", "postgres:", "postgresql:"].iter().any(|scheme| raw.starts_with(scheme)) {
        Ok(raw.to_owned())
    } else {
        Err("expected sqlite://path or postgres://…".to_owned())
    }
}

/// An http(s) base URL, kept without a trailing slash.
pub fn url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let ok = (raw.starts_with("https://") || raw.starts_with("http://")) && raw.len() > "https://".len();
    if !ok {
        return Err(format!("`{raw}` is not an http(s) URL"));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

/// Any value that is not blank.
pub fn non_blank(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() { Err("is blank".to_owned()) } else { Ok(raw.to_owned()) }
}

/// A secret given by a vendor (a token, a client secret): any value that is not blank.
pub fn secret_any(raw: &str) -> Result<SecretString, String> {
    non_blank(raw).map(SecretString::from)
}

/// A secret that guards a door and that we choose: long enough not to be guessed.
fn secret_of_length(raw: &str, least: usize) -> Result<SecretString, String> {
    let raw = raw.trim();
    if raw.chars().count() < least {
        return Err(format!("use a random value of at least {least} characters"));
    }
    Ok(SecretString::from(raw))
}

/// A secret of at least 16 characters.
pub fn secret_16(raw: &str) -> Result<SecretString, String> {
    secret_of_length(raw, 16)
}

/// An S3 URL: `s3://bucket` or `s3://bucket/prefix`.
pub fn s3_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    match raw.strip_prefix("s3://") {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(raw.to_owned()),
        _ => Err(format!("`{raw}` is not an S3 URL (s3://bucket/prefix)")),
    }
}

/// A number of milliseconds.
pub fn millis(raw: &str) -> Result<u64, String> {
    raw.trim().parse().map_err(|_| format!("`{}` is not a number of milliseconds", raw.trim()))
}

/// A number per second.
pub fn per_second(raw: &str) -> Result<u32, String> {
    raw.trim().parse().map_err(|_| format!("`{}` is not a number of messages per second", raw.trim()))
}

/// Comma-separated Pipedrive company ids.
pub fn company_ids(raw: &str) -> Result<CompanyIds, String> {
    raw.split(',')
        .map(|id| id.trim().parse::<u64>())
        .collect::<Result<Vec<_>, _>>()
        .map(CompanyIds)
        .map_err(|_| "expected comma-separated company ids (numbers)".to_owned())
}

/// Comma-separated Zoho org ids.
pub fn org_ids(raw: &str) -> Result<OrgIds, String> {
    raw.split(',')
        .map(|id| {
            let id = id.trim();
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) { Ok(id.to_owned()) } else { Err(()) }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(OrgIds)
        .map_err(|_| "expected comma-separated Zoho org ids (numbers)".to_owned())
}

/// Space-separated origin patterns (`https://*.pipedrive.com`, `http://127.0.0.1:8788`).
pub fn origins(raw: &str) -> Result<Origins, String> {
    raw.split_whitespace()
        .map(|origin| {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.trim_start_matches("https://").trim_start_matches("http://").contains('/');
            if ok {
                Ok(origin.to_owned())
            } else {
                Err(format!("`{origin}` is not an origin such as https://*.example.com"))
            }
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Origins)
}

/// `WHATSAPP_SENDERS`: `PHONE_NUMBER_ID=+E164[:Label]`, comma-separated.
pub fn senders(raw: &str) -> Result<Senders, String> {
    raw.split(',')
        .map(|entry| {
            let bad = || format!("`{}` is not PHONE_NUMBER_ID=+E164 or PHONE_NUMBER_ID=+E164:Label", entry.trim());
            let (id, rest) = entry.trim().split_once('=').ok_or_else(bad)?;
            let (phone, label) = match rest.split_once(':') {
                Some((phone, label)) => (phone.trim(), label.trim()),
                None => (rest.trim(), ""),
            };
            let id = id.trim();
            if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let phone = E164::parse(phone).map_err(|_| bad())?;
            let label = if label.is_empty() { phone.to_string() } else { label.to_owned() };
            Ok(SenderConfig { id: id.to_owned(), phone, label })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Senders)
}

/// `ZOHO_ACCOUNTS_HOSTS`: `ACCOUNTS_URL` or `ACCOUNTS_URL=API_DOMAIN`, comma-separated.
pub fn accounts_hosts(raw: &str) -> Result<AccountsHosts, String> {
    let mut hosts = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
        let (accounts, api) = match entry.split_once('=') {
            Some((accounts, api)) => (url(accounts.trim())?, url(api.trim())?),
            None => {
                let accounts = url(entry)?;
                let api = zohoapis_of(&accounts).ok_or_else(|| {
                    format!("`{entry}` is not one of Zoho's accounts servers: write `{entry}=API_DOMAIN`")
                })?;
                (accounts, api)
            }
        };
        hosts.push(AccountsHost { accounts, api_domain: api });
    }
    if hosts.is_empty() {
        return Err("name at least one accounts server".to_owned());
    }
    Ok(AccountsHosts(hosts))
}

/// The API domain of one of Zoho's accounts servers: `https://accounts.zoho.eu` → `https://www.zohoapis.eu`,
/// `https://accounts.zohocloud.ca` → `https://www.zohoapis.ca`.
fn zohoapis_of(accounts: &str) -> Option<String> {
    let host = accounts.strip_prefix("https://")?;
    let suffix = host.strip_prefix("accounts.zoho.").or_else(|| host.strip_prefix("accounts.zohocloud."))?;
    (!suffix.is_empty() && !suffix.contains('/')).then(|| format!("https://www.zohoapis.{suffix}"))
}
