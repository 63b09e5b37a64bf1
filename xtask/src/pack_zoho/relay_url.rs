//! The relay's URL as the packed widget carries it: Zoho serves the widget from its own origin, so the page must
//! name the relay it talks to.

use std::net::Ipv4Addr;

use url::{Host, Url};

/// A relay URL fit for the Zoho package: `https://…`, or plain `http://` on this machine only; no credentials,
/// query or fragment. Kept without a trailing slash, so the widget can append `/api/v1/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayUrl(String);

/// Why a relay URL was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RelayUrlError {
    #[error("`{0}` is not a URL: give the relay's address, e.g. https://sidechat.example.com")]
    Unparsable(String),
    #[error(
        "`{0}`: the relay URL must start with https:// (plain http:// only for 127.0.0.1 or localhost), \
         since Zoho CRM runs the widget on an https:// page"
    )]
    NotHttps(String),
    #[error("`{0}`: the relay URL must name a host")]
    NoHost(String),
    #[error("`{0}`: the relay URL must not carry a user name or password")]
    Credentials(String),
    #[error("`{0}`: the relay URL must not carry a query or a fragment")]
    QueryOrFragment(String),
}

impl RelayUrl {
    /// Parses what `--relay-url` was given.
    pub fn parse(raw: &str) -> Result<Self, RelayUrlError> {
        let raw = raw.trim();
        let url = Url::parse(raw).map_err(|_| RelayUrlError::Unparsable(raw.to_owned()))?;
        let host = url.host().ok_or_else(|| RelayUrlError::NoHost(raw.to_owned()))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            _ => return Err(RelayUrlError::NotHttps(raw.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(RelayUrlError::Credentials(raw.to_owned()));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(RelayUrlError::QueryOrFragment(raw.to_owned()));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The URL, e.g. `https://sidechat.example.com`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Plain HTTP is only for a relay on the developer's own machine.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => *name == "localhost",
        Host::Ipv4(address) => *address == Ipv4Addr::LOCALHOST,
        Host::Ipv6(address) => address.is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::{RelayUrl, RelayUrlError};

    #[test]
    fn https_urls_are_kept_without_a_trailing_slash() {
        for (raw, kept) in [
            ("https://relay.example.com", "https://relay.example.com"),
            ("https://relay.example.com/", "https://relay.example.com"),
            (" https://Relay.Example.com:8443/sidechat/ ", "https://relay.example.com:8443/sidechat"),
        ] {
            assert_eq!(RelayUrl::parse(raw).unwrap().as_str(), kept, "{raw}");
        }
    }

    #[test]
    fn plain_http_is_accepted_only_on_this_machine() {
        for raw in ["http://127.0.0.1:8787", "http://localhost:8787/", "http://[::1]:8787"] {
            assert!(RelayUrl::parse(raw).is_ok(), "{raw}");
        }
        for raw in ["http://relay.example.com", "http://10.0.0.5:8787", "http://127.0.0.2", "ftp://relay.example.com"] {
            assert!(matches!(RelayUrl::parse(raw), Err(RelayUrlError::NotHttps(_))), "{raw}");
        }
    }

    #[test]
    fn malformed_or_overloaded_urls_are_refused() {
        assert!(matches!(RelayUrl::parse("relay.example.com"), Err(RelayUrlError::Unparsable(_))));
        assert!(matches!(RelayUrl::parse(""), Err(RelayUrlError::Unparsable(_))));
        assert!(matches!(RelayUrl::parse("https://user:pw@relay.example.com"), Err(RelayUrlError::Credentials(_))));
        assert!(matches!(RelayUrl::parse("https://relay.example.com/?a=1"), Err(RelayUrlError::QueryOrFragment(_))));
        assert!(matches!(RelayUrl::parse("https://relay.example.com/#x"), Err(RelayUrlError::QueryOrFragment(_))));
    }

    #[test]
    fn the_refusal_says_what_is_accepted() {
        let error = RelayUrl::parse("http://relay.example.com").unwrap_err().to_string();
        assert!(error.contains("https://") && error.contains("127.0.0.1"), "{error}");
    }
}
