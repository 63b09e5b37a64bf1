//! The record the panel is opened on, read through its host: its name and how many numbers it has.

use leptos::prelude::*;
use sidechat_domain::wire::Record;

use crate::host::Host;
use crate::relay::{Relay, RelayError};

/// The record's name and phone count, or the relay's error.
#[component]
pub fn RecordSummary(
    /// The CRM around the panel.
    host: Host,
    /// The relay the record is read through.
    relay: Relay,
) -> impl IntoView {
    let (state, set_state) = signal::<Option<Result<Record, RelayError>>>(None);
    leptos::task::spawn_local(async move {
        set_state.set(Some(host.load_record(&relay).await));
    });
    view! {
        <section class="record" data-testid="record">
            {move || match state.get() {
                None => view! { <p class="muted">"Loading the record…"</p> }.into_any(),
                Some(Ok(record)) => view! {
                    <p data-testid="record-name">{record.name.clone()}</p>
                    <p class="muted">{format!("{} phone number(s)", record.phones.len())}</p>
                }.into_any(),
                Some(Err(error)) => view! { <p class="error" data-testid="error" data-field="form">{error.to_string()}</p> }.into_any(),
            }}
        </section>
    }
}
