//! Prometheus metrics for `GET /metrics`: requests, sends by outcome, resends by cause, provider latency,
//! webhook events. Every label comes from a closed set (the method from a fixed list, the route from the
//! router's own patterns), so no caller can make the relay create series.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CauseLabels {
    cause: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    kind: &'static str,
    new: &'static str,
}

/// What a send attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendResult {
    /// The provider took it.
    Sent,
    /// It is tried again later.
    Retry,
    /// It failed for good.
    Failed,
}

/// Why a message was sent again although an earlier attempt may have gone out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResendCause {
    /// The earlier attempt's lease ran out without an outcome: its relay stopped mid-send.
    AfterRestart,
    /// The earlier attempt's outcome was unknown (a timeout, a 5xx, an answer without an id).
    AfterUnknown,
}

impl ResendCause {
    /// Its label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::AfterRestart => "after_restart",
            Self::AfterUnknown => "after_unknown",
        }
    }
}

/// What a provider event was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An inbound message.
    Message,
    /// A delivery status report.
    Status,
    /// A status report for a send not recorded yet: kept until it is.
    EarlyStatus,
}

/// The HTTP methods counted by name; any other counts as `other`.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The relay's metrics, in a registry of its own (several relays may run in one test process).
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter<u64, AtomicU64>>,
    sends: Family<OutcomeLabels, Counter<u64, AtomicU64>>,
    resends: Family<CauseLabels, Counter<u64, AtomicU64>>,
    provider_latency: Histogram,
    webhook_events: Family<WebhookLabels, Counter<u64, AtomicU64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sidechat");
        let requests = Family::<RequestLabels, Counter<u64, AtomicU64>>::default();
        let sends = Family::<OutcomeLabels, Counter<u64, AtomicU64>>::default();
        let resends = Family::<CauseLabels, Counter<u64, AtomicU64>>::default();
        let provider_latency = Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]);
        let webhook_events = Family::<WebhookLabels, Counter<u64, AtomicU64>>::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("sends", "Send attempts by outcome", sends.clone());
        registry.register(
            "resends",
            "Messages sent again although an earlier attempt may have gone out, by cause (this process)",
            resends.clone(),
        );
        // Both causes show from the start, at 0.
        for cause in [ResendCause::AfterRestart, ResendCause::AfterUnknown] {
            drop(resends.get_or_create(&CauseLabels { cause: cause.label() }));
        }
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
        Self { registry, requests, sends, resends, provider_latency, webhook_events }
    }
}

impl Metrics {
    /// Counts a request; `route` is the router's pattern that matched (or `unmatched`).
    pub fn request(&self, method: &axum::http::Method, route: &str, status: u16) {
        let labels = RequestLabels { method: method_label(method), route: route.to_owned(), status };
        self.requests.get_or_create(&labels).inc();
    }

    /// Counts a send attempt's outcome.
    pub fn send(&self, result: SendResult) {
        let outcome = match result {
            SendResult::Sent => "sent",
            SendResult::Retry => "retry",
            SendResult::Failed => "failed",
        };
        self.sends.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts a message sent again although an earlier attempt may have gone out.
    pub fn resend(&self, cause: ResendCause) {
        self.resends.get_or_create(&CauseLabels { cause: cause.label() }).inc();
    }

    /// Records how long the provider took.
    pub fn provider_latency(&self, seconds: f64) {
        self.provider_latency.observe(seconds);
    }

    /// Counts a webhook (or polled, or sandbox) event.
    pub fn webhook_event(&self, kind: EventKind, new: bool) {
        let kind = match kind {
            EventKind::Message => "message",
            EventKind::Status => "status",
            EventKind::EarlyStatus => "early_status",
        };
        self.webhook_events.get_or_create(&WebhookLabels { kind, new: if new { "true" } else { "false" } }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
