//! Sidechat's widget: the WhatsApp panel that runs inside a Pipedrive or Zoho CRM record page.
//!
//! A Leptos component, client-side rendered and compiled to WebAssembly. It talks only to the relay
//! (`relay`), which holds every secret; the pure rules it shares with the relay live in `sidechat-domain`.
//! The host page's shell (`static/index.html`, `static/boot.js`) loads the module and calls [`run`].

pub mod app;
pub mod components;
pub mod context;
pub mod draft;
pub mod format;
pub mod host;
pub mod i18n;
pub mod marks;
pub mod relay;
#[cfg(feature = "settings")]
pub mod settings;
pub mod state;
pub mod timeline;

use wasm_bindgen::prelude::wasm_bindgen;

/// Mounts the panel (or, in the settings module, the settings view) into the page's body. Called once by `boot.js`
/// after the module is instantiated.
#[wasm_bindgen]
pub fn run() {
    leptos::mount::mount_to_body(app::App);
}
