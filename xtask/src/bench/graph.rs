//! The Graph API the bench's relay sends to: the Graph stand-in (`sidechat-standins`) in the bench's own
//! process, answering every send at once, with an observer that records when each bench message arrives against
//! the time its POST was scheduled (carried in the text as `bench <microseconds since the clock's origin>`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sidechat_standins::graph::Graph;
use tokio::time::Instant;

/// The Graph stand-in with the bench's arrival recorder, stopped when dropped.
pub struct FakeGraph {
    /// Its base URL, with the API version, for `WHATSAPP_GRAPH_URL`.
    pub url: String,
    graph: Graph,
    arrivals: Arc<Mutex<Vec<Duration>>>,
}

impl FakeGraph {
    /// Serves on a loopback port; times are measured from `origin`.
    pub async fn start(origin: Instant) -> anyhow::Result<Self> {
        let arrivals: Arc<Mutex<Vec<Duration>>> = Arc::default();
        let recorder = arrivals.clone();
        let graph = Graph::start_observed(move |payload: &Value| record_arrival(origin, &recorder, payload)).await;
        Ok(Self { url: graph.url.clone(), graph, arrivals })
    }

    /// How many sends have arrived so far.
    pub fn sends(&self) -> u64 {
        self.graph.send_count() as u64
    }

    /// Takes the arrival delays recorded so far (scheduled POST → provider call).
    pub fn take_arrivals(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.arrivals.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    /// Waits until `expected` sends in all have arrived, for at most `limit`; returns whether they did.
    pub async fn wait_for_sends(&self, expected: u64, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while self.sends() < expected {
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        true
    }
}

/// The text of a bench message scheduled at `scheduled`.
pub fn bench_text(origin: Instant, scheduled: Instant) -> String {
    format!("bench {}", scheduled.duration_since(origin).as_micros())
}

/// Notes how long after its scheduled POST a bench message reached the provider.
fn record_arrival(origin: Instant, arrivals: &Mutex<Vec<Duration>>, payload: &Value) {
    let arrived = origin.elapsed();
    let scheduled = payload["text"]["body"]
        .as_str()
        .and_then(|text| text.strip_prefix("bench "))
        .and_then(|micros| micros.parse::<u64>().ok())
        .map(Duration::from_micros);
    if let Some(scheduled) = scheduled {
        arrivals.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(arrived.saturating_sub(scheduled));
    }
}
