//! The panel's root: finds its host and connects to it first thing, picks the language, follows the theme,
//! fits the host's frame to the panel, and shows the panel once the host has said which record it is on.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

#[cfg(not(feature = "settings"))]
use crate::components::panel::Panel;
use crate::context::PanelCtx;
use crate::host::{Host, HostError, Theme};
use crate::i18n::{Lang, Text};
use crate::relay::Relay;

/// The height the panel announces before it has measured itself.
const INITIAL_HEIGHT: f64 = 160.0;

/// Where the connection to the host stands.
#[derive(Debug, Clone, PartialEq)]
enum Connection {
    Connecting,
    Connected,
    Failed(HostError),
}

/// The whole panel.
#[component]
pub fn App() -> impl IntoView {
    let host = Host::detect();
    let ctx = PanelCtx::provide(host.clone(), Relay::new(host.clone()), Lang::pick(None, &browser_languages()));
    let theme = RwSignal::new(host.theme().unwrap_or_else(system_theme));
    if host.theme().is_some() {
        host.on_theme_change(move |new| theme.set(new));
    } else {
        follow_system_theme(theme);
    }
    let connection = RwSignal::new(Connection::Connecting);
    leptos::task::spawn_local(async move {
        let host = ctx.host();
        crate::marks::mark_once(crate::marks::CONNECTING);
        let result = host.connect(INITIAL_HEIGHT).await;
        if let Some(locale) = host.locale() {
            ctx.lang.set(Lang::pick(Some(&locale), &browser_languages()));
        }
        fit_frame(host);
        connection.set(match result {
            Ok(()) => Connection::Connected,
            Err(error) => Connection::Failed(error),
        });
    });
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", theme.get().as_str());
            let _ = root.set_attribute("lang", ctx.lang.get().tag());
        }
    });
    view! {
        {move || match connection.get() {
            Connection::Connecting => view! {
                <main class="panel" data-testid="panel" aria-label=move || ctx.t(Text::PanelLabel) aria-busy="true">
                    <p class="muted" role="status">{move || ctx.t(Text::Loading)}</p>
                </main>
            }.into_any(),
            Connection::Connected => main_view(),
            Connection::Failed(error) => view! {
                <main class="panel" data-testid="panel" aria-label=move || ctx.t(Text::PanelLabel)>
                    <p class="error" role="alert" data-testid="error" data-field="form" title=error.to_string()>
                        {move || ctx.t(Text::HostFailed)}
                    </p>
                </main>
            }.into_any(),
        }}
    }
}

/// What the module shows once connected: the panel, or in the settings module the settings view (each module holds
/// only its own).
#[cfg(not(feature = "settings"))]
fn main_view() -> AnyView {
    view! { <Panel/> }.into_any()
}

#[cfg(feature = "settings")]
fn main_view() -> AnyView {
    view! { <crate::settings::Settings/> }.into_any()
}

/// The browser's preferred languages, most preferred first.
fn browser_languages() -> Vec<String> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    window.navigator().languages().iter().filter_map(|tag| tag.as_string()).collect()
}

/// The system's colour scheme (Zoho says nothing about its theme).
fn system_theme() -> Theme {
    let dark = web_sys::window()
        .and_then(|window| window.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|query| query.matches());
    if dark { Theme::Dark } else { Theme::Light }
}

/// Follows changes of the system's colour scheme.
fn follow_system_theme(theme: RwSignal<Theme>) {
    let Some(query) =
        web_sys::window().and_then(|window| window.match_media("(prefers-color-scheme: dark)").ok().flatten())
    else {
        return;
    };
    let on_change = Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(move |event: web_sys::MediaQueryListEvent| {
        theme.set(if event.matches() { Theme::Dark } else { Theme::Light });
    });
    let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
    // The listener lives as long as the panel.
    on_change.forget();
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
