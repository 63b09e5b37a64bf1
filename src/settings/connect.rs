//! Connecting WhatsApp: the provider, then its credentials. The relay checks them with the provider before it keeps
//! anything; each refusal is shown next to the field it names (`connection-error`, `data-field`).

use leptos::prelude::*;
use sidechat_domain::Provider;
use sidechat_domain::wire::ConnectRequest;

use super::connections::provider_name;
use super::error_for;
use crate::context::PanelCtx;
use crate::i18n::Text;
use crate::relay::RelayError;

/// The fields, by the name the relay gives them in a refusal.
const FIELDS: [&str; 5] = ["access_token", "waba_id", "phone_number_ids", "api_token", "label"];

/// The form.
#[component]
pub fn ConnectForm(
    /// Called once a connection was made.
    on_connected: Callback<()>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let provider = RwSignal::new(Provider::Cloud);
    let access_token = RwSignal::new(String::new());
    let waba_id = RwSignal::new(String::new());
    let phone_number_ids = RwSignal::new(String::new());
    let api_token = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let error = RwSignal::new(None::<RelayError>);
    let busy = RwSignal::new(false);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let label = Some(label.get_untracked().trim().to_owned()).filter(|l| !l.is_empty());
        let request = match provider.get_untracked() {
            Provider::Cloud => ConnectRequest::Cloud {
                access_token: access_token.get_untracked(),
                waba_id: waba_id.get_untracked(),
                phone_number_ids: phone_number_ids
                    .get_untracked()
                    .split([',', ' ', '\n'])
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .map(str::to_owned)
                    .collect(),
                label,
            },
            Provider::Timelines => ConnectRequest::Timelines { api_token: api_token.get_untracked(), label },
            Provider::Sandbox => ConnectRequest::Sandbox { label },
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let answer = ctx.relay().connect_whatsapp(&request).await;
            busy.set(false);
            match answer {
                Ok(_) => {
                    for secret in [access_token, api_token] {
                        secret.set(String::new());
                    }
                    on_connected.run(());
                }
                Err(refusal) => error.set(Some(refusal)),
            }
        });
    };
    let refusal = move |field: &'static str| {
        move || {
            error.with(|e| error_for(e, field)).map(|message| {
                view! { <p class="field-error" role="alert" data-testid="connection-error" data-field=field>{message}</p> }
            })
        }
    };
    // A refusal that names no field shown here (or the provider) goes at the form's foot.
    let other_refusal = move || {
        error
            .with(|e| e.as_ref().filter(|e| e.field().is_none_or(|f| !FIELDS.contains(&f))).map(|e| (e.field().map(str::to_owned), ctx.describe(e))))
            .map(|(field, message)| {
                let field = field.unwrap_or_else(|| "form".to_owned());
                view! { <p class="field-error" role="alert" data-testid="connection-error" data-field=field>{message}</p> }
            })
    };
    let text_field = move |id: &'static str, text: Text, value: RwSignal<String>, secret: bool| {
        view! {
            <div class="field">
                <label for=format!("connect-{id}")>{move || ctx.t(text)}</label>
                <input id=format!("connect-{id}") type=if secret { "password" } else { "text" } data-testid=format!("connect-{id}")
                    autocomplete="off" prop:value=value on:input=move |e| value.set(event_target_value(&e))/>
                {refusal(id)}
            </div>
        }
    };
    view! {
        <section class="settings-section" aria-labelledby="connect-heading">
            <h2 id="connect-heading">{move || ctx.t(Text::ConnectSection)}</h2>
            <form class="settings-form" data-testid="connect-whatsapp" on:submit=submit>
                <div class="field">
                    <label for="connect-provider">{move || ctx.t(Text::ProviderLabel)}</label>
                    <select id="connect-provider" data-testid="connect-provider"
                        on:change=move |e| provider.set(match event_target_value(&e).as_str() {
                            "timelines" => Provider::Timelines,
                            "sandbox" => Provider::Sandbox,
                            _ => Provider::Cloud,
                        })>
                        <option value="cloud" selected=move || provider.get() == Provider::Cloud>{move || provider_name(ctx, Provider::Cloud)}</option>
                        <option value="timelines" selected=move || provider.get() == Provider::Timelines>{move || provider_name(ctx, Provider::Timelines)}</option>
                        <option value="sandbox" selected=move || provider.get() == Provider::Sandbox>{move || provider_name(ctx, Provider::Sandbox)}</option>
                    </select>
                </div>
                {move || match provider.get() {
                    Provider::Cloud => view! {
                        {text_field("access_token", Text::AccessToken, access_token, true)}
                        {text_field("waba_id", Text::WabaId, waba_id, false)}
                        {text_field("phone_number_ids", Text::PhoneNumberIds, phone_number_ids, false)}
                    }.into_any(),
                    Provider::Timelines => text_field("api_token", Text::ApiToken, api_token, true).into_any(),
                    Provider::Sandbox => ().into_any(),
                }}
                {text_field("label", Text::ConnectionLabel, label, false)}
                {other_refusal}
                <button type="submit" class="primary" data-testid="connect-submit" disabled=move || busy.get()>
                    {move || if busy.get() { ctx.t(Text::Connecting) } else { ctx.t(Text::Connect) }}
                </button>
            </form>
        </section>
    }
}
