//! `cargo xtask test`: every check the project has, in the order a failure is cheapest to find.

use crate::build;
use crate::cmd::{self, cargo, exec};
use crate::pack_zoho::{self, RelayUrl};
use crate::postgres;
use crate::s3;
use crate::tools;

/// Runs formatting, clippy, native tests, the domain crate for wasm, the Zoho package's checks, and the browser
/// tests.
pub fn run() -> anyhow::Result<()> {
    tools::ensure_wasm_target()?;
    let browser = tools::ensure_browser()?;
    // The browser tests build in the Pipedrive SDK from node_modules; the end-to-end tests read axe-core there.
    tools::ensure_node_tools()?;

    cmd::step("formatting");
    exec(cargo().args(["fmt", "--all", "--check"]))?;

    cmd::step("clippy (native and wasm), warnings denied");
    exec(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    exec(cargo().args([
        "clippy",
        "--package",
        "sidechat-widget",
        "--all-targets",
        "--target",
        tools::WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;
    // The browser test targets build only with the `e2e` feature.
    exec(cargo().args([
        "clippy",
        "--package",
        "sidechat-widget",
        "--all-targets",
        "--features",
        "e2e",
        "--",
        "-D",
        "warnings",
    ]))?;

    cmd::step("the domain crate for wasm32-unknown-unknown, with and without phone metadata");
    exec(cargo().args(["build", "--package", "sidechat-domain", "--target", tools::WASM_TARGET]))?;
    exec(cargo().args([
        "build",
        "--package",
        "sidechat-domain",
        "--target",
        tools::WASM_TARGET,
        "--no-default-features",
    ]))?;

    let postgres = postgres::start()?;
    let s3 = s3::start()?;
    cmd::step("native tests (the relay's on SQLite and PostgreSQL, its file store in a directory and in S3)");
    exec(
        cargo()
            .args(["test", "--workspace"])
            .env("SIDECHAT_TEST_POSTGRES_URL", &postgres.url)
            .env("SIDECHAT_TEST_S3_ENDPOINT", &s3.endpoint)
            .env("SIDECHAT_TEST_S3_BUCKET", s3::BUCKET),
    )?;
    drop((postgres, s3));

    cmd::step("widget components in headless Chromium (wasm-bindgen-test)");
    tools::ensure_wasm_bindgen()?;
    exec(
        cargo()
            .args(["test", "--package", "sidechat-widget", "--target", tools::WASM_TARGET, "--test", "browser"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
    )?;

    cmd::step("end-to-end: the built widget served by the relay, in headless Chromium");
    let relay = build::build_all()?;
    // Zoho's rules checked here on the real package, then `zet validate`, then the zip `zet pack` makes.
    pack_zoho::pack(&RelayUrl::parse(pack_zoho::DEMO_RELAY_URL)?)?;
    exec(
        build::browser_target("e2e", &relay, &browser)
            .env("SIDECHAT_ZOHO_APP_DIR", pack_zoho::project_dir().join("app")),
    )?;

    eprintln!("\nAll checks passed.");
    Ok(())
}
