//! Webhook ingestion: signed Cloud API webhooks, one inbound message each with a distinct id, posted by a fixed
//! number of concurrent senders for a fixed time (closed loop: the relay sets the pace). The figure is what the
//! store holds afterwards, counted once the relay has been killed (`kill -9`), divided by the time taken.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row, SqliteConnection};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::api::{Api, customer};
use super::graph::FakeGraph;
use super::load::Latencies;
use super::relay::RelayProcess;
use super::report::Report;

/// Webhooks under way at once.
const CONCURRENCY: usize = 32;
/// How long webhooks are posted.
const DURATION: Duration = Duration::from_secs(10);
/// Customers the inbound messages come from.
const CUSTOMERS: u64 = 1_000;

/// Measures webhook ingestion on a fresh relay and adds the figures to `report`.
pub async fn measure(binary: &Path, work: &Path, report: &mut Report) -> anyhow::Result<()> {
    eprintln!("\n==> webhooks: signed Cloud API inbound messages");
    let database = work.join("webhooks.db");
    let graph = FakeGraph::start(Instant::now()).await?;
    let relay = RelayProcess::start(binary, &database, &graph.url).await?;
    let api = Api::new(&relay.url)?;
    let started = Instant::now();
    let outcome = post_for(&api, started + DURATION).await;
    let elapsed = started.elapsed();
    relay.kill().await?;
    let persisted = count_inbound(&database).await?;
    let rate = persisted as f64 / elapsed.as_secs_f64();
    report.latency(
        "webhook: POST /webhooks/whatsapp",
        format!("{CONCURRENCY} conns"),
        &outcome.latencies,
        outcome.errors,
    );
    report.note(format!(
        "webhooks: {persisted} inbound messages persisted in {:.1} s = {rate:.0} events/s \
         ({} answered 200, {} errors; counted in the store after kill -9)",
        elapsed.as_secs_f64(),
        outcome.latencies.len(),
        outcome.errors
    ));
    Ok(())
}

struct Outcome {
    latencies: Latencies,
    errors: u64,
}

/// Posts webhooks from `CONCURRENCY` senders until `deadline`.
async fn post_for(api: &Api, deadline: Instant) -> Outcome {
    let next = Arc::new(AtomicU64::new(0));
    let mut senders = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (api, next) = (api.clone(), next.clone());
        senders.spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let sent = Instant::now();
                match api.inbound_webhook(&format!("wamid.BENCHIN{n}"), &customer(n % CUSTOMERS), "Hi!").await {
                    Ok(()) => latencies.push(sent.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        });
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    while let Some(joined) = senders.join_next().await {
        match joined {
            Ok((latencies, failed)) => {
                all.extend(latencies);
                errors += failed;
            }
            Err(_) => errors += 1,
        }
    }
    Outcome { latencies: Latencies::new(all), errors }
}

/// Inbound bench messages in the store.
async fn count_inbound(database: &Path) -> anyhow::Result<u64> {
    let options = SqliteConnectOptions::new().filename(database);
    let mut connection =
        SqliteConnection::connect_with(&options).await.with_context(|| format!("opening {}", database.display()))?;
    let count: i64 =
        sqlx::query("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND provider_id LIKE 'wamid.BENCHIN%'")
            .fetch_one(&mut connection)
            .await
            .context("counting inbound messages")?
            .try_get(0)?;
    connection.close().await.context("closing the store")?;
    Ok(count as u64)
}
