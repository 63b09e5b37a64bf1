//! The panel's components, one per file.

pub mod attachments;
pub mod canned;
pub mod chat;
pub mod composer;
pub mod connect;
pub mod message_list;
pub mod panel;
pub mod recipient;
pub mod relay_status;
pub mod sender_select;
pub mod sign_in;
pub mod window_banner;

use wasm_bindgen::JsCast;

/// The panel's element with this `id`, as the element type it is. The panel is alone in its frame, so its ids are
/// unique; a lookup takes the place of Leptos's `NodeRef`, which the module would carry once per element type.
fn element<T: JsCast>(id: &str) -> Option<T> {
    leptos::prelude::document().get_element_by_id(id)?.dyn_into().ok()
}
