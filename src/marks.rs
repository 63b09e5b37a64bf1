//! Performance marks the benchmarks read (`performance.getEntriesByName`): when the panel told its host it is
//! alive, and when it first showed the conversation. Harmless in production; the browser keeps them.

/// `initialize` (or Zoho's REGISTER) is being posted to the host.
pub const CONNECTING: &str = "sidechat-connect";
/// The first messages are on screen.
pub const MESSAGES_SHOWN: &str = "sidechat-messages";

/// Records a mark once: later calls with the same name are ignored.
pub fn mark_once(name: &str) {
    let Some(performance) = web_sys::window().and_then(|window| window.performance()) else { return };
    if performance.get_entries_by_name(name).length() == 0 {
        let _ = performance.mark(name);
    }
}
