//! Sends: `POST /api/v1/messages` at a constant rate, measuring the POST's latency and, at the fake provider,
//! the time from the POST's scheduled moment to the provider call (the relay's accept → provider path, with the
//! POST itself included). A send step holds when both p99s stay under the limit and every accepted send reaches
//! the provider.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::api::{Api, customer};
use super::graph::{FakeGraph, bench_text};
use super::load::{self, Latencies, Run, millis};
use super::relay::RelayProcess;
use super::report::Report;
use super::{P99_LIMIT, RAMP_RATES, RAMP_STEP, STEADY_RATE, STEADY_TIME};

/// Customers the sends go to; each writes first, opening the 24-hour window.
const CUSTOMERS: u64 = 100;
/// How long the outbox may take to hand the last accepted sends of a step to the provider.
const DRAIN_LIMIT: Duration = Duration::from_secs(20);

/// Measures sends on a fresh relay and adds the figures to `report`.
pub async fn measure(binary: &Path, work: &Path, report: &mut Report) -> anyhow::Result<()> {
    eprintln!("\n==> sends: POST /api/v1/messages → fake Graph API");
    let origin = Instant::now();
    let graph = FakeGraph::start(origin).await?;
    let relay = RelayProcess::start(binary, &work.join("sends.db"), &graph.url).await?;
    let api = Api::new(&relay.url)?;
    for n in 0..CUSTOMERS {
        api.inbound_webhook(&format!("wamid.WINDOW{n}"), &customer(n), "Hello").await?;
    }
    let bench = Bench { api, graph, origin, keys: AtomicU64::new(0), accepted: AtomicU64::new(0) };

    let steady = bench.step(STEADY_RATE, STEADY_TIME).await;
    let load = format!("{STEADY_RATE}/s");
    report.latency("send: POST /api/v1/messages", load.clone(), &steady.post.latencies, steady.post.errors);
    report.latency("send: scheduled POST → provider call", load, &steady.provider, steady.missing);

    let steps = load::ramp(RAMP_RATES, |rate| bench.step(rate, RAMP_STEP), SendStep::holds).await;
    let highest = load::highest_held(&steps, SendStep::holds);
    let highest = highest.map_or("none of the rates tried".to_owned(), |rate| format!("{rate}/s"));
    let last = steps.last().filter(|(_, step)| !step.holds()).map(|(_, step)| step.describe());
    report.note(format!(
        "send: highest rate held (POST and provider-call p99 < {} ms, no errors): {highest}{}",
        P99_LIMIT.as_millis(),
        last.map(|l| format!("; next step {l}")).unwrap_or_else(|| " (the highest rate tried)".to_owned())
    ));
    relay.kill().await
}

/// One send step: the POSTs, and the provider calls they led to.
struct SendStep {
    post: Run,
    provider: Latencies,
    missing: u64,
}

impl SendStep {
    fn holds(&self) -> bool {
        self.post.holds(P99_LIMIT) && self.missing == 0 && self.provider.percentile(0.99) < P99_LIMIT
    }

    fn describe(&self) -> String {
        format!(
            "{}/s: POST p99 {:.1} ms, provider p99 {:.1} ms, {} errors, {} never reached the provider{}",
            self.post.rate,
            millis(self.post.latencies.percentile(0.99)),
            millis(self.provider.percentile(0.99)),
            self.post.errors,
            self.missing,
            self.post.first_error.as_deref().map(|e| format!(" (first error: {e})")).unwrap_or_default()
        )
    }
}

struct Bench {
    api: Api,
    graph: FakeGraph,
    origin: Instant,
    keys: AtomicU64,
    accepted: AtomicU64,
}

impl Bench {
    /// Sends at `rate` for `duration`, then waits for the accepted sends to reach the provider.
    async fn step(&self, rate: u32, duration: Duration) -> SendStep {
        let post = load::open_loop(rate, duration, |i, scheduled| {
            let (api, key) = (self.api.clone(), self.keys.fetch_add(1, Ordering::Relaxed));
            let text = bench_text(self.origin, scheduled);
            async move { api.send_text(&format!("bench-{key}"), &customer(i % CUSTOMERS), &text).await }
        })
        .await;
        let accepted =
            self.accepted.fetch_add(post.latencies.len() as u64, Ordering::Relaxed) + post.latencies.len() as u64;
        let arrived = self.graph.wait_for_sends(accepted, DRAIN_LIMIT).await;
        let missing = if arrived { 0 } else { accepted.saturating_sub(self.graph.sends()) };
        let step = SendStep { post, provider: Latencies::new(self.graph.take_arrivals()), missing };
        eprintln!("  {}", step.describe());
        step
    }
}
