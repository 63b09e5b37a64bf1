//! Reading single settings: each reader names the variable in its error.

use sidechat_domain::E164;

use super::{ConfigError, SenderConfig};

/// The environment, read through a lookup function.
pub struct Env<F> {
    lookup: F,
}

impl<F: Fn(&str) -> Option<String>> Env<F> {
    pub fn new(lookup: F) -> Self {
        Self { lookup }
    }

    pub fn error(&self, name: &'static str, problem: &str) -> ConfigError {
        ConfigError { name, problem: problem.to_owned() }
    }

    /// A set, non-blank value.
    pub fn optional(&self, name: &str) -> Option<String> {
        (self.lookup)(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &'static str) -> Result<String, ConfigError> {
        self.optional(name).ok_or_else(|| self.error(name, "is required"))
    }

    /// A value that guards a door: long enough not to be guessed.
    pub fn secret(&self, name: &'static str) -> Result<String, ConfigError> {
        let value = self.required(name)?;
        if value.len() < 16 {
            return Err(self.error(name, "use a random value of at least 16 characters"));
        }
        Ok(value)
    }

    pub fn parsed<T: std::str::FromStr>(&self, name: &'static str, expected: &str) -> Result<Option<T>, ConfigError> {
        self.optional(name)
            .map(|raw| raw.parse().map_err(|_| self.error(name, &format!("`{raw}` is not {expected}"))))
            .transpose()
    }

    /// An http(s) base URL, without a trailing slash.
    pub fn url(&self, name: &'static str) -> Result<Option<String>, ConfigError> {
        let Some(raw) = self.optional(name) else { return Ok(None) };
        let ok = (raw.starts_with("https://") || raw.starts_with("http://")) && raw.len() > "https://".len();
        if !ok {
            return Err(self.error(name, &format!("`{raw}` is not an http(s) URL")));
        }
        Ok(Some(raw.trim_end_matches('/').to_owned()))
    }

    /// Space-separated origin patterns (`https://*.pipedrive.com`, `http://127.0.0.1:8788`).
    pub fn origins(&self, name: &'static str, default: &str) -> Result<Vec<String>, ConfigError> {
        let raw = self.optional(name).unwrap_or_else(|| default.to_owned());
        raw.split_whitespace()
            .map(|origin| {
                let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                    && !origin.trim_start_matches("https://").trim_start_matches("http://").contains('/');
                if ok {
                    Ok(origin.to_owned())
                } else {
                    Err(self.error(name, &format!("`{origin}` is not an origin such as https://*.example.com")))
                }
            })
            .collect()
    }
}

/// `WHATSAPP_SENDERS`: `PHONE_NUMBER_ID=+E164[:Label]`, comma-separated.
pub fn senders<F: Fn(&str) -> Option<String>>(env: &Env<F>) -> Result<Vec<SenderConfig>, ConfigError> {
    const NAME: &str = "WHATSAPP_SENDERS";
    let raw = env.required(NAME)?;
    raw.split(',')
        .map(|entry| {
            let bad = || {
                env.error(
                    NAME,
                    &format!("`{}` is not PHONE_NUMBER_ID=+E164 or PHONE_NUMBER_ID=+E164:Label", entry.trim()),
                )
            };
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
        .collect()
}
