//! The workspace's WhatsApp connections: each with its numbers, the webhook URL to give its provider, its token's
//! last characters and who connected it; who may send from it; and disconnecting it (asked twice). The relay's own
//! connection (configured by its operator, `created_by` null) cannot be disconnected here.

use leptos::prelude::*;
use sidechat_domain::Provider;
use sidechat_domain::wire::{ConnectionUpdate, WhatsAppConnection, WorkspaceUser};

use crate::context::PanelCtx;
use crate::i18n::{Text, fill};

/// The list.
#[component]
pub fn ConnectionList(
    /// The connections, oldest first.
    connections: Vec<WhatsAppConnection>,
    /// The workspace's users, to choose who may send.
    users: Vec<WorkspaceUser>,
    /// Called after a change.
    on_changed: Callback<()>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let empty = connections.is_empty();
    let rows = connections
        .into_iter()
        .map(|connection| view! { <ConnectionRow connection=connection users=users.clone() on_changed=on_changed/> })
        .collect_view();
    view! {
        <section class="settings-section" aria-labelledby="connections-heading">
            <h2 id="connections-heading">{move || ctx.t(Text::WhatsAppSection)}</h2>
            {empty.then(|| view! { <p class="muted" data-testid="no-connections">{move || ctx.t(Text::NoConnections)}</p> })}
            <ul class="connections">{rows}</ul>
        </section>
    }
}

/// A provider's name for people.
pub fn provider_name(ctx: PanelCtx, provider: Provider) -> &'static str {
    match provider {
        Provider::Cloud => ctx.t(Text::ProviderCloud),
        Provider::Timelines => ctx.t(Text::ProviderTimelines),
        Provider::Sandbox => ctx.t(Text::ProviderSandbox),
    }
}

/// A provider's name on the wire (`cloud`, `timelines`, `sandbox`), for `data-provider`.
fn provider_key(provider: Provider) -> &'static str {
    match provider {
        Provider::Cloud => "cloud",
        Provider::Timelines => "timelines",
        Provider::Sandbox => "sandbox",
    }
}

#[component]
fn ConnectionRow(connection: WhatsAppConnection, users: Vec<WorkspaceUser>, on_changed: Callback<()>) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let id = connection.id.clone();
    let restricted = RwSignal::new(connection.allowed_users.is_some());
    let allowed = RwSignal::new(connection.allowed_users.clone().unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let save_access = {
        let id = id.clone();
        move |_| {
            let update = ConnectionUpdate {
                label: None,
                allowed_users: Some(restricted.get_untracked().then(|| allowed.get_untracked())),
            };
            let id = id.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = ctx.relay().update_connection(&id, &update).await;
                busy.set(false);
                match answer {
                    Ok(_) => on_changed.run(()),
                    Err(refusal) => error.set(Some(ctx.describe(&refusal))),
                }
            });
        }
    };
    let disconnect = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = ctx.relay().disconnect(&id).await;
                busy.set(false);
                match answer {
                    Ok(()) => on_changed.run(()),
                    Err(refusal) => error.set(Some(ctx.describe(&refusal))),
                }
            });
        }
    };
    let label = connection.label.clone();
    let numbers = connection
        .senders
        .iter()
        .map(|sender| view! { <li data-testid="connection-number">{sender.phone.as_str().to_owned()}" · "{sender.label.clone()}</li> })
        .collect_view();
    let webhook = connection.webhook_url.clone().map(|url| {
        let field = format!("webhook-{id}");
        view! {
            <div class="field">
                <label for=field.clone()>{move || ctx.t(Text::WebhookUrl)}</label>
                <input id=field type="text" readonly data-testid="connection-webhook" value=url/>
            </div>
        }
    });
    let hint = connection.secret_hint.clone().map(|hint| {
        view! { <p class="muted">{move || fill(ctx.t(Text::TokenEnding), &[("hint", &hint)])}</p> }
    });
    let origin = match connection.created_by.clone() {
        Some(author) => {
            view! { <p class="muted">{move || fill(ctx.t(Text::ConnectedBy), &[("name", &author.name)])}</p> }
                .into_any()
        }
        None => view! { <p class="muted">{move || ctx.t(Text::FromOperator)}</p> }.into_any(),
    };
    let removable = connection.created_by.is_some();
    let group = format!("access-{id}");
    let user_boxes = users
        .into_iter()
        .map(|user| {
            let box_id = format!("{group}-{}", user.id);
            let user_id = user.id.clone();
            let checked = {
                let user_id = user_id.clone();
                move || allowed.with(|ids| ids.contains(&user_id))
            };
            let name = if user.name.is_empty() {
                user.email.clone().unwrap_or_else(|| user.id.clone())
            } else {
                user.name.clone()
            };
            view! {
                <li>
                    <input type="checkbox" id=box_id.clone() data-testid="allowed-user" value=user.id.clone()
                        prop:checked=checked disabled=move || !restricted.get()
                        on:change=move |e| {
                            let on = event_target_checked(&e);
                            allowed.update(|ids| {
                                ids.retain(|id| id != &user_id);
                                if on { ids.push(user_id.clone()); }
                            });
                        }/>
                    <label for=box_id>{name}</label>
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="connection" data-testid="connection-row" data-provider=provider_key(connection.provider)>
            <h3>{label.clone()}" "<span class="muted">"("{provider_name(ctx, connection.provider)}")"</span></h3>
            <ul class="numbers" aria-label=move || ctx.t(Text::Numbers)>{numbers}</ul>
            {webhook}
            {hint}
            {origin}
            <fieldset class="access">
                <legend>{move || ctx.t(Text::WhoMaySend)}</legend>
                <div>
                    <input type="radio" id=format!("{group}-all") name=group.clone() data-testid="access-everyone"
                        prop:checked=move || !restricted.get() on:change=move |_| restricted.set(false)/>
                    <label for=format!("{group}-all")>{move || ctx.t(Text::Everyone)}</label>
                </div>
                <div>
                    <input type="radio" id=format!("{group}-some") name=group.clone() data-testid="access-some"
                        prop:checked=move || restricted.get() on:change=move |_| restricted.set(true)/>
                    <label for=format!("{group}-some")>{move || ctx.t(Text::OnlyThese)}</label>
                </div>
                <ul class="users">{user_boxes}</ul>
                <button type="button" data-testid="access-save" on:click=save_access disabled=move || busy.get()>
                    {move || ctx.t(Text::Save)}
                </button>
            </fieldset>
            {move || error.get().map(|message| view! { <p class="field-error" role="alert" data-testid="connection-error" data-field="form">{message}</p> })}
            {removable.then(|| view! {
                <div class="actions">
                    {move || if confirming.get() {
                        let disconnect = disconnect.clone();
                        view! {
                            <p>{fill(ctx.t(Text::ConfirmDisconnect), &[("label", &label)])}</p>
                            <button type="button" class="danger" data-testid="disconnect-confirm" on:click=disconnect disabled=move || busy.get()>
                                {move || ctx.t(Text::Disconnect)}
                            </button>
                            <button type="button" data-testid="disconnect-cancel" on:click=move |_| confirming.set(false)>
                                {move || ctx.t(Text::Cancel)}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="danger" data-testid="disconnect" on:click=move |_| confirming.set(true)>
                                {move || ctx.t(Text::Disconnect)}
                            </button>
                        }.into_any()
                    }}
                </div>
            })}
        </li>
    }
}
