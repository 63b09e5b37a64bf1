//! Whether the relay answers: the first thing the panel checks.

use leptos::prelude::*;

use crate::relay::Relay;

/// A line saying whether the relay is reachable; `data-relay` carries the state for tests and styling.
#[component]
pub fn RelayStatus(
    /// The relay to check.
    relay: Relay,
) -> impl IntoView {
    let (health, set_health) = signal("checking");
    leptos::task::spawn_local(async move {
        set_health.set(if relay.healthy().await { "ok" } else { "unreachable" });
    });
    let describe = move || match health.get() {
        "checking" => "Connecting to Sidechat…",
        "ok" => "Connected to Sidechat.",
        _ => "Sidechat's server cannot be reached. Try again in a moment.",
    };
    view! {
        <p class="relay-status" role="status" data-testid="relay-status" data-relay=move || health.get()>
            {describe}
        </p>
    }
}
