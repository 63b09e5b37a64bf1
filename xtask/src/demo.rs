//! `cargo xtask demo`: builds everything and runs the relay in demo mode until Ctrl-C.

use crate::build;
use crate::cmd::{command, exec, root};

/// Builds, then serves the demo on http://127.0.0.1:8787 (or `SIDECHAT_LISTEN`).
pub fn run() -> anyhow::Result<()> {
    let relay = build::build_all()?;
    eprintln!("\nStarting Sidechat's demo. Stop it with Ctrl-C.");
    let mut serve = command(relay);
    serve
        .args(["serve", "--demo"])
        .env("SIDECHAT_WIDGET_DIR", build::widget_dir())
        .env("SIDECHAT_DEV_HOSTS_DIR", build::dev_hosts_dir());
    let dir = root().join("target/demo");
    std::fs::create_dir_all(&dir)?;
    if std::env::var_os("SIDECHAT_DATABASE_URL").is_none() {
        serve.env("SIDECHAT_DATABASE_URL", format!("sqlite://{}", dir.join("sidechat-demo.db").display()));
    }
    if std::env::var_os("SIDECHAT_SECRET_KEY").is_none() {
        serve.env("SIDECHAT_SECRET_KEY", demo_secret_key(&dir)?);
    }
    if std::env::var_os("SIDECHAT_LISTEN").is_none() {
        serve.env("SIDECHAT_LISTEN", "127.0.0.1:8787");
    }
    exec(&mut serve)
}

/// The demo's `SIDECHAT_SECRET_KEY`: made once from the system's random source and kept beside the demo's database
/// (the tokens sealed in that database open only with it).
fn demo_secret_key(dir: &std::path::Path) -> anyhow::Result<String> {
    use std::io::Read;
    let path = dir.join("secret-key");
    if let Ok(key) = std::fs::read_to_string(&path)
        && key.trim().len() == 64
    {
        return Ok(key.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &key)?;
    Ok(key)
}
