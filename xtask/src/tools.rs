//! Installing what the build and tests need, when it is missing: the wasm target, the `wasm-bindgen` CLI
//! matching the locked library, Node tools (wasm-opt from npm's binaryen, Zoho's zet), and Debian's Chromium.

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::cmd::{self, cargo, command, exec, output, root};

/// The wasm target the widget compiles to.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Adds the wasm target through rustup if the toolchain lacks it.
pub fn ensure_wasm_target() -> anyhow::Result<()> {
    let installed = output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    cmd::step(&format!("installing the {WASM_TARGET} target"));
    exec(command("rustup").args(["target", "add", WASM_TARGET]))
}

/// Makes sure the toolchain carries its standard library's source (`rust-src`), which the widget's release build
/// compiles for size; false, after saying why, when rustup cannot add it.
pub fn ensure_rust_src() -> bool {
    let installed = output(command("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|line| line.trim().starts_with("rust-src")) {
        return true;
    }
    cmd::step("installing the rust-src component (the widget's release build compiles the standard library)");
    match exec(command("rustup").args(["component", "add", "rust-src"])) {
        Ok(()) => true,
        Err(error) => {
            eprintln!("warning: {error:#}");
            false
        }
    }
}

/// The `wasm-bindgen` version in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let lock: toml::Table = lock.parse().context("parsing Cargo.lock")?;
    lock.get("package")
        .and_then(|packages| packages.as_array())
        .into_iter()
        .flatten()
        .find(|package| package.get("name").and_then(|n| n.as_str()) == Some("wasm-bindgen"))
        .and_then(|package| package.get("version").and_then(|v| v.as_str()))
        .map(str::to_owned)
        .context("Cargo.lock has no wasm-bindgen")
}

/// Makes sure `wasm-bindgen` and `wasm-bindgen-test-runner` of the locked version are on the PATH.
pub fn ensure_wasm_bindgen() -> anyhow::Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let installed = output(command("wasm-bindgen").arg("--version")).unwrap_or_default();
    if installed.split_whitespace().nth(1) == Some(version.as_str()) {
        return Ok(());
    }
    cmd::step(&format!("installing wasm-bindgen-cli {version} (about two minutes)"));
    // Without --locked: the CLI's own lock file pins a crate version that is no longer on crates.io.
    exec(cargo().args(["install", "wasm-bindgen-cli", "--version", &version]))
}

/// The Node tools the build and the Zoho package use, from package-lock.json.
pub struct NodeTools {
    /// binaryen's `wasm-opt`.
    pub wasm_opt: PathBuf,
    /// zoho-extension-toolkit's `zet`.
    pub zet: PathBuf,
    /// The minifier for the widget's JS glue and style sheet.
    pub esbuild: PathBuf,
}

/// Installs the Node tools from package-lock.json when they are missing or stale.
pub fn ensure_node_tools() -> anyhow::Result<NodeTools> {
    let bin = root().join("node_modules/.bin");
    let tools = NodeTools { wasm_opt: bin.join("wasm-opt"), zet: bin.join("zet"), esbuild: bin.join("esbuild") };
    let stamp = root().join("node_modules/.package-lock.json");
    let stale = match (std::fs::metadata(root().join("package-lock.json")), std::fs::metadata(&stamp)) {
        (Ok(lock), Ok(installed)) => lock.modified()? > installed.modified()?,
        _ => true,
    };
    if !tools.wasm_opt.exists() || !tools.zet.exists() || !tools.esbuild.exists() || stale {
        if output(command("npm").arg("--version")).is_none() {
            bail!("npm is missing: install Node.js 18 or newer with npm (Debian: `apt-get install nodejs npm`)");
        }
        cmd::step("installing Node tools (npm ci)");
        exec(command("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(tools)
}

/// Debian's Chromium and its WebDriver, for the browser tests.
pub struct Browser {
    /// The browser binary.
    pub chromium: PathBuf,
    /// The matching chromedriver.
    pub chromedriver: PathBuf,
}

/// Installs Chromium and chromedriver from Debian's packages when missing and running as root; otherwise says
/// exactly what to install.
pub fn ensure_browser() -> anyhow::Result<Browser> {
    let browser = Browser { chromium: "/usr/bin/chromium".into(), chromedriver: "/usr/bin/chromedriver".into() };
    if browser.chromium.exists() && browser.chromedriver.exists() {
        return Ok(browser);
    }
    if !is_root() {
        bail!(
            "the browser tests need Debian's Chromium and chromedriver: run `sudo apt-get install chromium chromium-driver`"
        );
    }
    apt_install(&["chromium", "chromium-driver"])?;
    Ok(browser)
}

/// Installs Debian packages (as root).
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    cmd::step(&format!("installing {} from Debian", packages.join(", ")));
    exec(command("apt-get").arg("update").arg("-q"))?;
    exec(
        command("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

pub fn is_root() -> bool {
    output(command("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}
