//! **From**: the connected sender numbers, defaulting to the one that last talked with this recipient.

use leptos::prelude::*;

use crate::context::PanelCtx;
use crate::i18n::Text;
use crate::state::ChatState;

/// The sender's number.
#[component]
pub fn SenderSelect() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let senders = state.senders.get_value();
    let several = senders.len() > 1;
    view! {
        <div class="field">
            <label for="from-select">{move || ctx.t(Text::From)}</label>
            <select id="from-select" data-testid="from-select" disabled=!several
                on:change=move |event| {
                    state.from_chosen.set(true);
                    state.from.set(Some(event_target_value(&event)));
                }>
                {senders.into_iter().map(|sender| {
                    let label = format!("{} · {}", sender.label, sender.phone.as_str());
                    let id = sender.id.clone();
                    let selected = move || state.from.get().as_deref() == Some(id.as_str());
                    view! { <option value=sender.id.clone() prop:selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
