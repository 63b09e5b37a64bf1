//! A fake Graph API in the bench's own process: answers every send at once with a fresh `wamid`, and records
//! when each bench message arrives against the time its POST was scheduled (carried in the text as
//! `bench <microseconds since the clock's origin>`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The fake Graph server, stopped when dropped.
pub struct FakeGraph {
    /// Its base URL, with the API version, for `WHATSAPP_GRAPH_URL`.
    pub url: String,
    state: Arc<Recorder>,
    server: JoinHandle<()>,
}

struct Recorder {
    origin: Instant,
    sends: AtomicU64,
    arrivals: Mutex<Vec<Duration>>,
}

impl FakeGraph {
    /// Serves on a loopback port; times are measured from `origin`.
    pub async fn start(origin: Instant) -> anyhow::Result<Self> {
        let state = Arc::new(Recorder { origin, sends: AtomicU64::new(0), arrivals: Mutex::new(Vec::new()) });
        let app = Router::new().route("/v23.0/{phone_number_id}/messages", post(send)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.context("binding the fake Graph server")?;
        let url = format!("http://{}/v23.0", listener.local_addr().context("reading its address")?);
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("the fake Graph server stopped: {error}");
            }
        });
        Ok(Self { url, state, server })
    }

    /// How many sends have arrived so far.
    pub fn sends(&self) -> u64 {
        self.state.sends.load(Ordering::Relaxed)
    }

    /// Takes the arrival delays recorded so far (scheduled POST → provider call).
    pub fn take_arrivals(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.state.arrivals.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
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

impl Drop for FakeGraph {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The text of a bench message scheduled at `scheduled`.
pub fn bench_text(origin: Instant, scheduled: Instant) -> String {
    format!("bench {}", scheduled.duration_since(origin).as_micros())
}

async fn send(State(recorder): State<Arc<Recorder>>, Json(payload): Json<Value>) -> Json<Value> {
    let arrived = recorder.origin.elapsed();
    let scheduled = payload["text"]["body"]
        .as_str()
        .and_then(|text| text.strip_prefix("bench "))
        .and_then(|micros| micros.parse::<u64>().ok())
        .map(Duration::from_micros);
    if let Some(scheduled) = scheduled {
        let mut arrivals = recorder.arrivals.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        arrivals.push(arrived.saturating_sub(scheduled));
    }
    let n = recorder.sends.fetch_add(1, Ordering::Relaxed);
    Json(json!({"messaging_product": "whatsapp", "messages": [{"id": format!("wamid.BENCH{n}")}]}))
}
