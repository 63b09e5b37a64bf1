//! The panel's root component.

use leptos::prelude::*;

use crate::components::relay_status::RelayStatus;

/// The whole panel.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="panel" data-testid="panel" aria-label="WhatsApp">
            <header class="panel-header">
                <h1>"WhatsApp"</h1>
            </header>
            <RelayStatus/>
        </main>
    }
}
