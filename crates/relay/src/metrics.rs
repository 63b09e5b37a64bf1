//! Prometheus metrics for `GET /metrics`: requests, sends by outcome, provider latency, webhook events.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    kind: String,
    new: String,
}

/// The relay's metrics, in a registry of its own (several relays may run in one test process).
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter<u64, AtomicU64>>,
    sends: Family<OutcomeLabels, Counter<u64, AtomicU64>>,
    provider_latency: Histogram,
    webhook_events: Family<WebhookLabels, Counter<u64, AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sidechat");
        let requests = Family::<RequestLabels, Counter<u64, AtomicU64>>::default();
        let sends = Family::<OutcomeLabels, Counter<u64, AtomicU64>>::default();
        let provider_latency = Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]);
        let webhook_events = Family::<WebhookLabels, Counter<u64, AtomicU64>>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("sends", "Send attempts by outcome", sends.clone());
        registry.register(
            "provider_latency_seconds",
            "Time the provider took to answer a send",
            provider_latency.clone(),
        );
        registry.register(
            "webhook_events",
            "Provider events by kind and whether they were new",
            webhook_events.clone(),
        );
        Self { registry, requests, sends, provider_latency, webhook_events }
    }
}

impl Metrics {
    /// Counts a request.
    pub fn request(&self, method: &str, route: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels { method: method.to_owned(), route: route.to_owned(), status })
            .inc();
    }

    /// Counts a send attempt's outcome (`sent`, `retry`, `failed`, `resent_after_restart`).
    pub fn send(&self, outcome: &str) {
        self.sends.get_or_create(&OutcomeLabels { outcome: outcome.to_owned() }).inc();
    }

    /// Records how long the provider took.
    pub fn provider_latency(&self, seconds: f64) {
        self.provider_latency.observe(seconds);
    }

    /// Counts a webhook (or polled, or sandbox) event.
    pub fn webhook_event(&self, kind: &str, new: bool) {
        self.webhook_events.get_or_create(&WebhookLabels { kind: kind.to_owned(), new: new.to_string() }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
