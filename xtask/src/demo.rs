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
    if std::env::var_os("SIDECHAT_DATABASE_URL").is_none() {
        let dir = root().join("target/demo");
        std::fs::create_dir_all(&dir)?;
        serve.env("SIDECHAT_DATABASE_URL", format!("sqlite://{}", dir.join("sidechat-demo.db").display()));
    }
    if std::env::var_os("SIDECHAT_LISTEN").is_none() {
        serve.env("SIDECHAT_LISTEN", "127.0.0.1:8787");
    }
    exec(&mut serve)
}
