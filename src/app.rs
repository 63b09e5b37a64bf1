//! The panel's root component: finds its host, initializes it at once, follows its theme and fits its frame.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::components::record_summary::RecordSummary;
use crate::components::relay_status::RelayStatus;
use crate::host::{Host, Theme};
use crate::relay::Relay;

/// The height the panel announces before it has measured itself.
const INITIAL_HEIGHT: f64 = 160.0;

/// The whole panel.
#[component]
pub fn App() -> impl IntoView {
    let host = Host::detect();
    let relay = Relay::new(host.clone());
    let (theme, set_theme) = signal(host.theme().unwrap_or(Theme::Light));
    host.on_theme_change(move |theme| set_theme.set(theme));
    // Zoho says which record the panel is on only once connected.
    let (connected, set_connected) = signal(false);
    {
        let host = host.clone();
        leptos::task::spawn_local(async move {
            if let Err(error) = host.connect(INITIAL_HEIGHT).await {
                web_sys::console::warn_1(&error.to_string().into());
            }
            set_connected.set(true);
            fit_frame(host);
        });
    }
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get().as_str());
        }
    });
    let record_parts = StoredValue::new_local((host, relay.clone()));
    view! {
        <main class="panel" data-testid="panel" aria-label="WhatsApp">
            <header class="panel-header">
                <h1>"WhatsApp"</h1>
            </header>
            <RelayStatus relay=relay/>
            {move || {
                let (host, relay) = record_parts.get_value();
                (connected.get() && host.record().is_some()).then(|| view! { <RecordSummary host relay/> })
            }}
        </main>
    }
}

/// Resizes the host's frame whenever the panel's height changes.
fn fit_frame(host: Host) {
    let Some(body) = document().body() else { return };
    let observed = body.clone();
    let on_resize = Closure::<dyn Fn()>::new(move || host.resize(f64::from(observed.scroll_height())));
    if let Ok(observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
        observer.observe(&body);
    }
    // The observer lives as long as the panel.
    on_resize.forget();
}
