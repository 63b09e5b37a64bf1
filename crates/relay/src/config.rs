//! The relay's configuration, read from environment variables whose names are fixed (deploy docs and outside
//! tests use them). A missing or malformed setting stops the start with one line naming it.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything the relay starts with.
#[derive(Debug, Clone)]
pub struct Config {
    /// `SIDECHAT_LISTEN`: the address to serve on (default `127.0.0.1:8787`).
    pub listen: SocketAddr,
    /// `SIDECHAT_WIDGET_DIR`: the built widget (default `dist/widget`).
    pub widget_dir: PathBuf,
    /// Whether `--demo` was given.
    pub demo: bool,
}

/// A setting that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env(demo: bool) -> Result<Self, ConfigError> {
        Self::from_lookup(demo, |name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(demo: bool, lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let listen = match lookup("SIDECHAT_LISTEN") {
            None => SocketAddr::from(([127, 0, 0, 1], 8787)),
            Some(raw) => raw.parse().map_err(|_| ConfigError {
                name: "SIDECHAT_LISTEN",
                problem: format!("`{raw}` is not an address and port such as 127.0.0.1:8787"),
            })?,
        };
        let widget_dir = PathBuf::from(lookup("SIDECHAT_WIDGET_DIR").unwrap_or_else(|| "dist/widget".to_owned()));
        if !widget_dir.join("index.html").is_file() {
            return Err(ConfigError {
                name: "SIDECHAT_WIDGET_DIR",
                problem: format!("no built widget at `{}` (run `cargo xtask build`)", widget_dir.display()),
            });
        }
        Ok(Self { listen, widget_dir, demo })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn a_malformed_listen_address_names_the_setting() {
        let error = Config::from_lookup(false, lookup(&[("SIDECHAT_LISTEN", "localhost")])).unwrap_err();
        assert_eq!(error.name, "SIDECHAT_LISTEN");
        assert!(error.to_string().starts_with("SIDECHAT_LISTEN: `localhost` is not an address"));
    }

    #[test]
    fn a_missing_widget_names_the_setting() {
        let error = Config::from_lookup(false, lookup(&[("SIDECHAT_WIDGET_DIR", "/nonexistent")])).unwrap_err();
        assert_eq!(error.name, "SIDECHAT_WIDGET_DIR");
    }

    #[test]
    fn defaults_apply_when_unset() {
        let dir = std::env::temp_dir().join(format!("sidechat-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        let config = Config::from_lookup(true, lookup(&[("SIDECHAT_WIDGET_DIR", dir.to_str().unwrap())])).unwrap();
        assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 8787)));
        assert!(config.demo);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
