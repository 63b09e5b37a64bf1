//! Whether the relay answers: all the panel shows when it is opened outside a CRM.

use leptos::prelude::*;

use crate::context::PanelCtx;
use crate::i18n::Text;

/// A line saying whether the relay is reachable; `data-relay` carries the state for tests and styling.
#[component]
pub fn RelayStatus() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let health = RwSignal::new("checking");
    leptos::task::spawn_local(async move {
        health.set(if ctx.relay().healthy().await { "ok" } else { "unreachable" });
    });
    let describe = move || match health.get() {
        "checking" => ctx.t(Text::Loading),
        "ok" => "Connected to Sidechat.",
        _ => ctx.t(Text::RelayDown),
    };
    view! {
        <p class="relay-status" role="status" data-testid="relay-status" data-relay=move || health.get()>
            {describe}
        </p>
    }
}
