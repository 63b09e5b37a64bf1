//! The panel's root component: finds its host, initializes it at once, follows its theme and fits its frame.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::components::record_summary::RecordSummary;
use crate::components::relay_status::RelayStatus;
use crate::host::Host;

/// The height the panel announces before it has measured itself.
const INITIAL_HEIGHT: f64 = 160.0;

/// The whole panel.
#[component]
pub fn App() -> impl IntoView {
    let host = Host::detect();
    let (theme, set_theme) = signal(host.theme().unwrap_or_else(|| "light".to_owned()));
    host.on_theme_change(move |theme| set_theme.set(theme));
    {
        let host = host.clone();
        leptos::task::spawn_local(async move {
            host.initialize(INITIAL_HEIGHT).await;
            fit_frame(host);
        });
    }
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", &theme.get());
        }
    });
    let record = host.record();
    let token = host.token();
    view! {
        <main class="panel" data-testid="panel" aria-label="WhatsApp">
            <header class="panel-header">
                <h1>"WhatsApp"</h1>
            </header>
            <RelayStatus/>
            {record.zip(token).map(|(record, token)| view! { <RecordSummary record=record token=token/> })}
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
