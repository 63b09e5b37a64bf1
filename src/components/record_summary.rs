//! The record the panel is opened on, read through the relay: its name and how many numbers it has.

use leptos::prelude::*;
use sidechat_domain::wire::Record;

use crate::host::RecordRef;
use crate::relay;

/// The record's name and phone count, or the relay's error.
#[component]
pub fn RecordSummary(
    /// Which record.
    record: RecordRef,
    /// The host's credential for the relay.
    token: String,
) -> impl IntoView {
    let (state, set_state) = signal::<Option<Result<Record, String>>>(None);
    leptos::task::spawn_local(async move {
        set_state.set(Some(relay::fetch_record(&record, &token).await));
    });
    view! {
        <section class="record" data-testid="record">
            {move || match state.get() {
                None => view! { <p class="muted">"Loading the record…"</p> }.into_any(),
                Some(Ok(record)) => view! {
                    <p data-testid="record-name">{record.name.clone()}</p>
                    <p class="muted">{format!("{} phone number(s)", record.phones.len())}</p>
                }.into_any(),
                Some(Err(message)) => view! { <p class="error" data-testid="error" data-field="form">{message}</p> }.into_any(),
            }}
        </section>
    }
}
