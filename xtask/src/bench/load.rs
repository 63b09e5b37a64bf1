//! A constant-rate (open-loop) load generator: request `i` is due at `start + i / rate` whether or not the
//! earlier ones have answered, and its latency runs from that scheduled time, so a stalled server cannot hide
//! its stall by slowing the generator down (no coordinated omission).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long one request may take before it counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Requests under way beyond this count as errors instead of being sent: it bounds sockets and memory when the
/// server falls far behind.
const MAX_IN_FLIGHT: usize = 4_096;

/// What one constant-rate run measured.
pub struct Run {
    /// The rate asked for, per second.
    pub rate: u32,
    /// Latencies of the requests that succeeded, from their scheduled time.
    pub latencies: Latencies,
    /// Requests that failed, timed out or were not sent because too many were under way.
    pub errors: u64,
    /// The first error, for the report.
    pub first_error: Option<String>,
}

impl Run {
    /// Whether the rate was held: no errors and p99 under `limit`.
    pub fn holds(&self, limit: Duration) -> bool {
        self.errors == 0 && self.latencies.percentile(0.99) < limit
    }
}

/// Sends `rate` requests per second for `duration`; `request(i, scheduled)` makes request `i`.
pub async fn open_loop<F, Fut>(rate: u32, duration: Duration, request: F) -> Run
where
    F: Fn(u64, Instant) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let total = (u128::from(rate) * duration.as_millis() / 1000) as u64;
    let in_flight = Arc::new(AtomicUsize::new(0));
    let start = Instant::now() + Duration::from_millis(20);
    let mut tasks = JoinSet::new();
    let mut refused = 0u64;
    for i in 0..total {
        let scheduled = start + Duration::from_nanos(i * 1_000_000_000 / u64::from(rate.max(1)));
        tokio::time::sleep_until(scheduled).await;
        if in_flight.load(Ordering::Relaxed) >= MAX_IN_FLIGHT {
            refused += 1;
            continue;
        }
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (call, in_flight) = (request(i, scheduled), in_flight.clone());
        tasks.spawn(async move {
            let result = tokio::time::timeout(REQUEST_TIMEOUT, call).await;
            in_flight.fetch_sub(1, Ordering::Relaxed);
            match result {
                Ok(Ok(())) => Ok(scheduled.elapsed()),
                Ok(Err(error)) => Err(format!("{error:#}")),
                Err(_) => Err(format!("no answer within {REQUEST_TIMEOUT:?}")),
            }
        });
    }
    collect(rate, tasks, refused).await
}

async fn collect(rate: u32, mut tasks: JoinSet<Result<Duration, String>>, refused: u64) -> Run {
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = refused;
    let mut first_error = (refused > 0).then(|| format!("{refused} requests not sent: {MAX_IN_FLIGHT} under way"));
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(latency) => latencies.push(latency),
            Err(error) => {
                errors += 1;
                first_error.get_or_insert(error);
            }
        }
    }
    Run { rate, latencies: Latencies::new(latencies), errors, first_error }
}

/// A sorted set of latencies.
#[derive(Default)]
pub struct Latencies(Vec<Duration>);

impl Latencies {
    /// Sorts `samples`.
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Self(samples)
    }

    /// How many samples there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The latency at quantile `q` (0.5 = median), or `Duration::MAX` with no samples.
    pub fn percentile(&self, q: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::MAX;
        }
        let rank = ((q * self.0.len() as f64).ceil() as usize).clamp(1, self.0.len());
        self.0[rank - 1]
    }
}

/// Steps the rate up through `rates`, one `step(rate)` each, while `holds` says the step held; returns every
/// step made with its rate, the last being the first that did not hold (if one did not).
pub async fn ramp<T, F, Fut>(rates: &[u32], step: F, holds: impl Fn(&T) -> bool) -> Vec<(u32, T)>
where
    F: Fn(u32) -> Fut,
    Fut: Future<Output = T>,
{
    let mut steps = Vec::new();
    for &rate in rates {
        let result = step(rate).await;
        let held = holds(&result);
        steps.push((rate, result));
        if !held {
            break;
        }
    }
    steps
}

/// The highest rate among `steps` that held.
pub fn highest_held<T>(steps: &[(u32, T)], holds: impl Fn(&T) -> bool) -> Option<u32> {
    steps.iter().filter(|(_, step)| holds(step)).map(|(rate, _)| *rate).max()
}

/// A duration in milliseconds, for printing.
pub fn millis(duration: Duration) -> f64 {
    if duration == Duration::MAX { f64::NAN } else { duration.as_secs_f64() * 1000.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_sample_at_their_rank() {
        let latencies = Latencies::new((1..=100).rev().map(Duration::from_millis).collect());
        assert_eq!(latencies.percentile(0.5), Duration::from_millis(50));
        assert_eq!(latencies.percentile(0.99), Duration::from_millis(99));
        assert_eq!(latencies.percentile(1.0), Duration::from_millis(100));
    }

    #[test]
    fn no_samples_never_hold() {
        let run = Run { rate: 10, latencies: Latencies::default(), errors: 0, first_error: None };
        assert!(!run.holds(Duration::from_millis(50)));
    }
}
