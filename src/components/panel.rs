//! The panel on a record: loads the record (through the host) and the connected sender numbers (from the
//! relay), then hands them to the conversation. Standalone (no CRM around it), it only checks the relay. When
//! the record cannot be read because the user's own CRM account is not connected, it says so with the link that
//! connects it, and Retry reads it again once that is done. A Zoho user without a session signs in first.

use leptos::prelude::*;
use sidechat_domain::Provider;
use sidechat_domain::wire::{Record, Sender};

use crate::components::chat::Chat;
use crate::components::connect::ConnectAccount;
use crate::components::relay_status::RelayStatus;
use crate::components::sign_in::SignIn;
use crate::context::PanelCtx;
use crate::i18n::Text;
use crate::relay::RelayError;

/// What the panel needs before it can show the conversation.
type Loaded = Option<Result<(Record, Vec<Sender>), RelayError>>;

/// The panel.
#[component]
pub fn Panel() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let on_record = ctx.host().record().is_some();
    let loaded = RwSignal::new(Loaded::None);
    // Zoho has no app settings page of its own: its admins reach the settings view from the panel.
    let settings_url = RwSignal::new(None::<String>);
    let load = move || {
        loaded.set(None);
        leptos::task::spawn_local(async move {
            let (host, relay) = (ctx.host(), ctx.relay());
            let (record, senders) = futures::join!(host.load_record(&relay), relay.senders());
            let ok = record.is_ok() && senders.is_ok();
            loaded.set(Some(record.and_then(|record| senders.map(|senders| (record, senders)))));
            if ok && matches!(host, crate::host::Host::Zoho(_)) {
                let admin = relay.me().await.is_ok_and(|me| me.user.role == sidechat_domain::wire::Role::Admin);
                settings_url.set(admin.then(|| crate::host::Host::view_url(true)).flatten());
            }
        });
    };
    if on_record {
        load();
    }
    let sandbox = move || {
        loaded.with(|loaded| {
            matches!(loaded, Some(Ok((_, senders))) if senders.iter().any(|s| s.provider == Provider::Sandbox))
        })
    };
    view! {
        <main class="panel" data-testid="panel" aria-label=move || ctx.t(Text::PanelLabel)>
            <header class="panel-header">
                {move || loaded.with(|loaded| match loaded {
                    Some(Ok((record, _))) => view! { <h1 data-testid="record-name">{record.name.clone()}</h1> }.into_any(),
                    _ => view! { <h1>"WhatsApp"</h1> }.into_any(),
                })}
                {move || settings_url.get().map(|url| view! {
                    <a class="chat-link" data-testid="settings-link" href=url>{move || ctx.t(Text::SettingsLink)}</a>
                })}
                {move || sandbox().then(|| view! {
                    <span class="badge" data-testid="sandbox-badge" title=move || ctx.t(Text::SandboxHint)>
                        {move || ctx.t(Text::Sandbox)}
                    </span>
                })}
            </header>
            {move || match (on_record, loaded.get()) {
                (false, _) => view! { <RelayStatus/> }.into_any(),
                (true, None) => view! { <p class="muted" role="status" aria-busy="true">{move || ctx.t(Text::Loading)}</p> }.into_any(),
                (true, Some(Ok((record, senders)))) => view! { <Chat record=record senders=senders/> }.into_any(),
                (true, Some(Err(RelayError::SignInNeeded))) => view! { <SignIn on_signed_in=Callback::new(move |()| load())/> }.into_any(),
                (true, Some(Err(error))) => view! {
                    <div class="error" role="alert" data-testid="error" data-field="form">
                        {match error.connect_url() {
                            Some(url) => view! { <ConnectAccount url=url.to_owned()/> }.into_any(),
                            None => view! { <p>{ctx.describe(&error)}</p> }.into_any(),
                        }}
                        <button type="button" data-testid="retry-button" on:click=move |_| load()>{move || ctx.t(Text::Retry)}</button>
                    </div>
                }.into_any(),
            }}
        </main>
    }
}
