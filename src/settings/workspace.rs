//! The workspace's name and time zone (a message's day is counted in it).

use leptos::prelude::*;
use sidechat_domain::wire::WorkspaceSettings;

use super::error_for;
use crate::context::PanelCtx;
use crate::i18n::Text;

/// The form, filled with the saved settings.
#[component]
pub fn WorkspaceForm(
    /// What is saved now.
    settings: WorkspaceSettings,
    /// Called after a save.
    on_saved: Callback<()>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let name = RwSignal::new(settings.name);
    let time_zone = RwSignal::new(settings.time_zone);
    let error = RwSignal::new(None);
    let saving = RwSignal::new(false);
    let save = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        saving.set(true);
        let asked = WorkspaceSettings { name: name.get_untracked(), time_zone: time_zone.get_untracked() };
        leptos::task::spawn_local(async move {
            let answer = ctx.relay().save_workspace_settings(&asked).await;
            saving.set(false);
            match answer {
                Ok(_) => {
                    error.set(None);
                    on_saved.run(());
                }
                Err(refusal) => error.set(Some(refusal)),
            }
        });
    };
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| error_for(e, field)).map(|message| {
                view! { <p class="field-error" role="alert" data-testid="settings-error" data-field=field>{message}</p> }
            })
        }
    };
    let form_error = move || {
        error.with(|e| e.as_ref().filter(|e| e.field().is_none()).map(|e| ctx.describe(e))).map(|message| {
            view! { <p class="field-error" role="alert" data-testid="settings-error" data-field="form">{message}</p> }
        })
    };
    view! {
        <section class="settings-section" aria-labelledby="workspace-heading">
            <h2 id="workspace-heading">{move || ctx.t(Text::WorkspaceSection)}</h2>
            <form class="settings-form" data-testid="workspace-form" on:submit=save>
                <div class="field">
                    <label for="workspace-name">{move || ctx.t(Text::WorkspaceName)}</label>
                    <input id="workspace-name" type="text" data-testid="workspace-name" prop:value=name
                        on:input=move |e| name.set(event_target_value(&e)) maxlength="100" required/>
                    {field_error("name")}
                </div>
                <div class="field">
                    <label for="workspace-time-zone">{move || ctx.t(Text::TimeZone)}</label>
                    <input id="workspace-time-zone" type="text" data-testid="workspace-time-zone" prop:value=time_zone
                        on:input=move |e| time_zone.set(event_target_value(&e)) placeholder="Europe/Berlin" required/>
                    {field_error("time_zone")}
                </div>
                {form_error}
                <button type="submit" class="primary" data-testid="workspace-save" disabled=move || saving.get()>
                    {move || ctx.t(Text::Save)}
                </button>
            </form>
        </section>
    }
}
