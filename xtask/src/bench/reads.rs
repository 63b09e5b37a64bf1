//! Reads: `GET /api/v1/messages` (the last 20 messages with a number) at a constant rate, on a small store and
//! on the 10-million-message store.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};

use super::api::{Api, customer};
use super::graph::FakeGraph;
use super::load::{self, Run, millis};
use super::relay::RelayProcess;
use super::report::Report;
use super::store10m::{self, NUMBERS};
use super::{P99_LIMIT, RAMP_RATES, RAMP_STEP, STEADY_RATE, STEADY_TIME};

/// Customers on the small store, with `SEED_PER_CUSTOMER` inbound messages each.
const CUSTOMERS: u64 = 100;
const SEED_PER_CUSTOMER: u64 = 10;
/// The 10-million-message store's latency target.
const STORE_10M_TARGET: Duration = Duration::from_millis(5);
/// The rates the 10-million-message store is read at: one reader at a time, and the steady rate.
const STORE_10M_RATES: &[u32] = &[100, STEADY_RATE];

/// Measures reads on a fresh relay with a small log and adds the figures to `report`.
pub async fn measure_small(binary: &Path, work: &Path, report: &mut Report) -> anyhow::Result<()> {
    eprintln!("\n==> reads: GET /api/v1/messages on a small store");
    let graph = FakeGraph::start(tokio::time::Instant::now()).await?;
    let relay = RelayProcess::start(binary, &work.join("reads.db"), &graph.url).await?;
    let api = Api::new(&relay.url)?;
    seed(&api).await?;

    let steady = reads(&api, STEADY_RATE, STEADY_TIME, CUSTOMERS).await;
    report.latency(
        "list: GET /api/v1/messages (1k messages)",
        format!("{STEADY_RATE}/s"),
        &steady.latencies,
        steady.errors,
    );
    let steps =
        load::ramp(RAMP_RATES, |rate| reads(&api, rate, RAMP_STEP, CUSTOMERS), |run: &Run| run.holds(P99_LIMIT)).await;
    let highest = load::highest_held(&steps, |run: &Run| run.holds(P99_LIMIT));
    let highest = highest.map_or("none of the rates tried".to_owned(), |rate| format!("{rate}/s"));
    let last = steps.last().filter(|(_, run)| !run.holds(P99_LIMIT)).map(|(_, run)| describe(run));
    report.note(format!(
        "list: highest rate held (p99 < {} ms, no errors): {highest}{}",
        P99_LIMIT.as_millis(),
        last.map(|l| format!("; next step {l}")).unwrap_or_else(|| " (the highest rate tried)".to_owned())
    ));
    relay.kill().await
}

/// Measures reads on the 10-million-message store (built on first use) and adds the figures to `report`.
pub async fn measure_10m(binary: &Path, bench_dir: &Path, report: &mut Report) -> anyhow::Result<()> {
    eprintln!("\n==> reads: GET /api/v1/messages on 10 million messages across {NUMBERS} numbers");
    let (database, built) = store10m::ensure(binary, bench_dir).await?;
    if let Some(took) = built {
        report.note(format!("10M store: built in {:.0} s at {}", took.as_secs_f64(), database.display()));
    } else {
        report.note(format!("10M store: reused {}", database.display()));
    }
    // Steady state: the store in the OS page cache, as on a server that has been running with enough memory
    // (without this, the figures measure the disk, and change with whatever last used the cache).
    let cached = read_through(&database)?;
    report.note(format!("10M store: {:.1} GB read into the OS page cache before measuring", cached as f64 / 1e9));
    let graph = FakeGraph::start(tokio::time::Instant::now()).await?;
    let relay = RelayProcess::start(binary, &database, &graph.url).await?;
    let api = Api::new(&relay.url)?;
    // Unmeasured warm-up: the relay's connections and SQLite's caches as a running relay has them.
    let warm_up = reads_from(&api, 200, Duration::from_secs(2), NUMBERS, 1 << 32).await;
    eprintln!("  (warm-up, not reported: {} requests)", warm_up.latencies.len());
    for &rate in STORE_10M_RATES {
        let run = reads(&api, rate, STEADY_TIME, NUMBERS).await;
        report.latency("list: GET /api/v1/messages (10M messages)", format!("{rate}/s"), &run.latencies, run.errors);
        let p99 = run.latencies.percentile(0.99);
        let verdict = if p99 < STORE_10M_TARGET { "meets" } else { "misses" };
        report.note(format!(
            "10M store at {rate}/s: p99 {:.2} ms {verdict} the {} ms target",
            millis(p99),
            STORE_10M_TARGET.as_millis()
        ));
    }
    relay.kill().await
}

/// Reads a file from end to end (so the OS caches it); returns its size.
fn read_through(path: &Path) -> anyhow::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut buffer = vec![0u8; 8 << 20];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer).with_context(|| format!("reading {}", path.display()))?;
        if read == 0 {
            return Ok(total);
        }
        total += read as u64;
    }
}

/// Gives each customer a few inbound messages, through signed webhooks.
async fn seed(api: &Api) -> anyhow::Result<()> {
    let total = CUSTOMERS * SEED_PER_CUSTOMER;
    let run = load::open_loop(500, Duration::from_millis(total * 2), |i, _| {
        let api = api.clone();
        async move { api.inbound_webhook(&format!("wamid.SEED{i}"), &customer(i % CUSTOMERS), "Any news?").await }
    })
    .await;
    if run.errors > 0 {
        bail!("seeding the store: {} webhooks failed ({})", run.errors, run.first_error.unwrap_or_default());
    }
    Ok(())
}

/// Reads conversations at `rate` for `duration`, spreading them over `numbers` customers.
async fn reads(api: &Api, rate: u32, duration: Duration, numbers: u64) -> Run {
    reads_from(api, rate, duration, numbers, 0).await
}

/// [`reads`], starting the sequence of customers at `offset` (the warm-up reads other customers than the
/// measured runs).
async fn reads_from(api: &Api, rate: u32, duration: Duration, numbers: u64, offset: u64) -> Run {
    let run = load::open_loop(rate, duration, move |i, _| {
        let api = api.clone();
        // A multiplicative hash spreads consecutive requests over the numbers, as many users would.
        let number = (i + offset).wrapping_mul(2_654_435_761) % numbers;
        async move { api.list_messages(&customer(number)).await }
    })
    .await;
    eprintln!("  {}", describe(&run));
    run
}

fn describe(run: &Run) -> String {
    format!(
        "{}/s: p50 {:.2} ms, p99 {:.2} ms, {} errors{}",
        run.rate,
        millis(run.latencies.percentile(0.5)),
        millis(run.latencies.percentile(0.99)),
        run.errors,
        run.first_error.as_deref().map(|e| format!(" (first error: {e})")).unwrap_or_default()
    )
}
