//! **Settings** (built into its own module, `--features settings`, loaded only when the page asks for
//! `?view=settings`: the panel's download does not carry it). For a workspace's admins: its name and time zone, its
//! WhatsApp connections (their numbers, webhook URLs and token hints; who may send from them; disconnecting), a form
//! that connects one (each refusal next to its field), and the log of what admins did. Members are told it is for
//! admins; a Zoho user without a session signs in first.

mod connect;
mod connections;
mod log;
mod workspace;

use leptos::prelude::*;
use sidechat_domain::wire::{AdminLogEntry, MeResponse, Role, WhatsAppConnection, WorkspaceSettings, WorkspaceUser};

use crate::components::sign_in::SignIn;
use crate::context::PanelCtx;
use crate::i18n::{Text, fill};
use crate::relay::RelayError;

/// What the view shows, read together.
#[derive(Debug, Clone, PartialEq)]
struct Loaded {
    workspace: WorkspaceSettings,
    connections: Vec<WhatsAppConnection>,
    users: Vec<WorkspaceUser>,
    log: Vec<AdminLogEntry>,
}

/// Where the view stands.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Loading,
    /// The caller is a member.
    NotAdmin,
    Ready(Loaded),
    Failed(RelayError),
}

/// The settings view.
#[component]
pub fn Settings() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = RwSignal::new(State::Loading);
    let load = move || {
        leptos::task::spawn_local(async move {
            state.set(read(ctx).await.unwrap_or_else(State::Failed));
        });
    };
    load();
    // After a change, the lists are read again (the log too: it says what was just done).
    let reload = Callback::new(move |()| load());
    view! {
        <main class="panel settings" data-testid="settings-view" aria-label=move || ctx.t(Text::SettingsTitle)>
            <header class="panel-header">
                <h1>{move || ctx.t(Text::SettingsTitle)}</h1>
                {matches!(ctx.host(), crate::host::Host::Zoho(_)).then(|| crate::host::Host::view_url(false)).flatten().map(|url| view! {
                    <a class="chat-link" data-testid="back-to-panel" href=url>{move || ctx.t(Text::BackToPanel)}</a>
                })}
            </header>
            {move || match state.get() {
                State::Loading => view! { <p class="muted" role="status" aria-busy="true">{move || ctx.t(Text::Loading)}</p> }.into_any(),
                State::NotAdmin => view! {
                    <p class="error" role="alert" data-testid="error" data-field="form">
                        {move || fill(ctx.t(Text::AdminsOnly), &[("crm", ctx.host().crm_name())])}
                    </p>
                }.into_any(),
                // On the relay's own page, signing in is that page's sign-in.
                State::Failed(RelayError::SignInNeeded) if matches!(ctx.host(), crate::host::Host::Standalone) => view! {
                    <p class="connect" data-testid="sign-in">
                        <a href="/settings">{move || fill(ctx.t(Text::SignInNeeded), &[("crm", ctx.host().crm_name())])}</a>
                    </p>
                }.into_any(),
                State::Failed(RelayError::SignInNeeded) => view! { <SignIn on_signed_in=Callback::new(move |()| load())/> }.into_any(),
                State::Failed(error) => view! {
                    <div class="error" role="alert" data-testid="error" data-field="form">
                        <p>{ctx.describe(&error)}</p>
                        <button type="button" data-testid="retry-button" on:click=move |_| load()>{move || ctx.t(Text::Retry)}</button>
                    </div>
                }.into_any(),
                State::Ready(loaded) => view! {
                    <workspace::WorkspaceForm settings=loaded.workspace on_saved=reload/>
                    <connections::ConnectionList connections=loaded.connections users=loaded.users on_changed=reload/>
                    <connect::ConnectForm on_connected=reload/>
                    <log::AdminLogList entries=loaded.log/>
                }.into_any(),
            }}
        </main>
    }
}

/// Reads who the caller is, then, for an admin, everything the view shows.
async fn read(ctx: PanelCtx) -> Result<State, RelayError> {
    let relay = ctx.relay();
    let MeResponse { user, .. } = relay.me().await?;
    if user.role != Role::Admin {
        return Ok(State::NotAdmin);
    }
    let (workspace, connections, users, log) =
        futures::join!(relay.workspace_settings(), relay.connections(), relay.workspace_users(), relay.admin_log());
    Ok(State::Ready(Loaded { workspace: workspace?, connections: connections?, users: users?, log: log? }))
}

/// The relay's refusal of `field`, if `error` is about it.
fn error_for(error: &Option<RelayError>, field: &str) -> Option<String> {
    error.as_ref().filter(|e| e.field() == Some(field)).map(ToString::to_string)
}
