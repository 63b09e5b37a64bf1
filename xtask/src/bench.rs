//! `cargo xtask bench`: the project's performance figures. The widget's size, then the relay's: send and read
//! latency at a steady rate and the highest rate held, reads on a 10-million-message store, and webhook
//! ingestion, and the floor (the relay against nginx proxying to the same fake provider, with `wrk`). The relay runs as its release binary on loopback; the load comes from this process.
//!
//! The load generator must not be what is measured, so a debug `xtask` builds itself in release mode and hands
//! over to that build.
//!
//! `SIDECHAT_BENCH_ONLY` runs some of the parts, named with commas: `widget`, `sends`, `reads`, `10m`,
//! `webhooks`, `floor` (for example `SIDECHAT_BENCH_ONLY=sends,10m cargo xtask bench`); unset, every part runs.
//! `SIDECHAT_BENCH_RELAY` names a relay binary to measure instead of building one (to compare two builds under
//! the same load on the machine).

mod api;
mod floor;
mod graph;
mod load;
mod reads;
mod relay;
mod report;
mod sends;
mod store10m;
mod webhooks;
mod widget;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use crate::build;
use crate::cmd::{self, cargo, command, exec, root};

/// The p99 a rate must stay under to count as held.
const P99_LIMIT: Duration = Duration::from_millis(50);
/// The steady rate latencies are quoted at.
const STEADY_RATE: u32 = 1_000;
/// How long the steady rate is held.
const STEADY_TIME: Duration = Duration::from_secs(10);
/// The rates stepped through to find the highest held, each for `RAMP_STEP`.
const RAMP_RATES: &[u32] = &[500, 1_000, 2_000, 4_000, 8_000];
const RAMP_STEP: Duration = Duration::from_secs(5);

/// The parts of the bench, as `SIDECHAT_BENCH_ONLY` names them.
const PARTS: &[&str] = &["widget", "sends", "reads", "10m", "webhooks", "floor"];

/// Which parts to run: those `SIDECHAT_BENCH_ONLY` names, or all.
struct Parts(Option<Vec<String>>);

impl Parts {
    fn from_env() -> anyhow::Result<Self> {
        let Ok(only) = std::env::var("SIDECHAT_BENCH_ONLY") else { return Ok(Self(None)) };
        let names: Vec<String> = only.split(',').map(|name| name.trim().to_owned()).filter(|n| !n.is_empty()).collect();
        if let Some(unknown) = names.iter().find(|name| !PARTS.contains(&name.as_str())) {
            anyhow::bail!("SIDECHAT_BENCH_ONLY names `{unknown}`; the parts are {}", PARTS.join(", "));
        }
        Ok(Self(Some(names)))
    }

    fn includes(&self, part: &str) -> bool {
        self.0.as_ref().is_none_or(|names| names.iter().any(|name| name == part))
    }
}

/// Prints the widget's size and the relay's figures.
pub fn run() -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        return run_optimized();
    }
    let parts = Parts::from_env()?;
    // The relay serves the widget, so it is built unless only relay parts were asked for and it is built already.
    if parts.includes("widget") || !build::widget_dir().join("index.html").is_file() {
        build::build_widget()?;
    }
    let binary = match std::env::var_os("SIDECHAT_BENCH_RELAY") {
        Some(binary) => std::path::PathBuf::from(binary),
        None => build::build_relay()?,
    };
    if parts.includes("widget") {
        widget::print_size()?;
        let browser = crate::tools::ensure_browser()?;
        cmd::step("the widget in headless Chromium: start-up, long tasks, a panel of 100 messages");
        exec(build::browser_target("widget_bench", &binary, &browser).arg("--quiet"))?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(relay_figures(&binary, &parts))
}

/// Builds xtask in release mode and runs its `bench`.
fn run_optimized() -> anyhow::Result<()> {
    cmd::step("building the bench (xtask, release)");
    // A target directory of its own: xtask's features on shared crates differ from the relay's, and one
    // directory for both would rebuild the relay each time.
    let target = root().join("target/bench-tool");
    exec(cargo().args(["build", "--package", "xtask", "--release", "--target-dir"]).arg(&target))?;
    exec(command(target.join("release/xtask")).arg("bench"))
}

async fn relay_figures(binary: &Path, parts: &Parts) -> anyhow::Result<()> {
    let bench_dir = root().join("target/bench");
    let work = bench_dir.join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let mut report = report::Report::default();
    let measured = measure(binary, &bench_dir, &work, parts, &mut report).await;
    report.print();
    print_durability();
    let removed = std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()));
    measured.and(removed)
}

async fn measure(
    binary: &Path,
    bench_dir: &Path,
    work: &Path,
    parts: &Parts,
    report: &mut report::Report,
) -> anyhow::Result<()> {
    if parts.includes("sends") {
        sends::measure(binary, work, report).await?;
    }
    if parts.includes("reads") {
        reads::measure_small(binary, work, report).await?;
    }
    if parts.includes("10m") {
        reads::measure_10m(binary, bench_dir, report).await?;
    }
    if parts.includes("webhooks") {
        webhooks::measure(binary, work, report).await?;
    }
    if parts.includes("floor") {
        floor::measure(binary, work, report).await?;
    }
    Ok(())
}

fn print_durability() {
    println!(
        "durability: SQLite in WAL mode with synchronous=NORMAL (as the relay sets it): a committed message survives \
         kill -9 of the relay; a power loss may lose the last transactions committed before it, never corrupting the file"
    );
}
