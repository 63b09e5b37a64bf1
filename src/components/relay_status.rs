//! Whether the relay answers: the first thing the panel checks.

use leptos::prelude::*;

use crate::relay::{self, Health};

/// A line saying whether the relay is reachable; `data-relay` carries the state for tests and styling.
#[component]
pub fn RelayStatus() -> impl IntoView {
    let (health, set_health) = signal(Health::Checking);
    leptos::task::spawn_local(async move {
        set_health.set(relay::check_health().await);
    });
    view! {
        <p class="relay-status" role="status" data-testid="relay-status" data-relay=move || health.get().as_attr()>
            {move || health.get().describe()}
        </p>
    }
}
