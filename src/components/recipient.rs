//! **To**: the record's numbers (primary first), and for a number stored without a country code, the country
//! to read it in, preselected from the sender number, with the international number it gives.

use leptos::prelude::*;
use sidechat_domain::Country;

use crate::context::PanelCtx;
use crate::format;
use crate::i18n::{Text, fill};
use crate::state::{ChatState, Recipient};

/// The recipient's number and, where needed, its country.
#[component]
pub fn RecipientPicker() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let phones = state.record.with_value(|record| {
        let mut phones = record.phones.clone();
        // Primary first, the rest as the CRM lists them.
        phones.sort_by_key(|phone| !phone.primary);
        phones
    });
    let several = phones.len() > 1;
    // Memoised: the picker (and the country chosen in it) stays while the condition stays true.
    let needs_country = Memo::new(move |_| state.phone().is_some_and(|phone| phone.needs_country_code));
    view! {
        <div class="field">
            <label for="to-select">{move || ctx.t(Text::To)}</label>
            <select id="to-select" data-testid="to-select" disabled=!several
                on:change=move |event| {
                    state.to.set(event_target_value(&event));
                    state.country.set(None);
                }>
                {phones.into_iter().map(|phone| {
                    let raw = phone.raw.clone();
                    let selected = move || state.to.get() == raw;
                    let shown = match &phone.e164 {
                        Some(e164) if e164.as_str() != phone.raw => format!("{} · {} ({})", phone.label, phone.raw, e164.as_str()),
                        _ => format!("{} · {}", phone.label, phone.raw),
                    };
                    view! { <option value=phone.raw.clone() prop:selected=selected>{shown}</option> }
                }).collect_view()}
            </select>
        </div>
        {move || needs_country.get().then(|| view! { <CountryPicker/> })}
        {move || match state.recipient.get() {
            Recipient::Invalid => Some(view! {
                <p class="field-error" role="alert" data-testid="error" data-field="to">{move || ctx.t(Text::InvalidNumber)}</p>
            }.into_any()),
            Recipient::NeedsCountry => Some(view! {
                <p class="field-error" role="alert" data-testid="error" data-field="country">{move || ctx.t(Text::NeedsCountry)}</p>
            }.into_any()),
            _ => None,
        }}
    }
}

/// The country list, named in the user's language, and the international number it gives.
#[component]
fn CountryPicker() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let countries = Memo::new(move |_| format::countries(ctx.lang.get()));
    view! {
        <div class="field">
            <label for="country-code">{move || ctx.t(Text::CountryCode)}</label>
            <select id="country-code" data-testid="country-code"
                on:change=move |event| state.country.set(Country::parse(&event_target_value(&event)).ok())>
                <option value="">{move || ctx.t(Text::ChooseCountry)}</option>
                {move || countries.get().into_iter().map(|(id, name)| {
                    let code = id.clone();
                    let selected = move || state.country.get().is_some_and(|c| c.as_str() == code);
                    view! { <option value=id prop:selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            {move || match state.recipient.get() {
                Recipient::Ready(number) => Some(view! {
                    <p class="muted" data-testid="to-preview">{fill(ctx.t(Text::SendsTo), &[("number", number.as_str())])}</p>
                }),
                _ => None,
            }}
        </div>
    }
}
