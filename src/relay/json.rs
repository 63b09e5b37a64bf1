//! Reading the relay's JSON. The browser's `JSON.parse` reads the text and serde-wasm-bindgen maps the parsed
//! value onto the wire type: the module then carries no JSON parser of its own, where serde_json would inline
//! one into the reading of each wire type.

use serde::de::DeserializeOwned;

/// The wire value a JSON text holds; `None` when it is not JSON or not a `T`.
pub(super) fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
}
