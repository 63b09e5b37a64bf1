//! The 24-hour window (Cloud API): when it is closed, a banner says since when, free text is disabled, and
//! the provider's approved templates are offered instead, with a field for each parameter.

use leptos::prelude::*;
use sidechat_domain::wire::{Template, TemplateSend};

use crate::context::PanelCtx;
use crate::draft::free_text_allowed;
use crate::format;
use crate::i18n::{Text, fill};
use crate::state::ChatState;

/// The window's state and, when closed, the templates.
#[component]
pub fn WindowBanner() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    // Memoised: the template picker (and the template chosen in it) stays while the window stays closed.
    let closed = Memo::new(move |_| state.window.with(|window| !free_text_allowed(window.as_ref())));
    view! {
        {move || closed.get().then(|| view! {
            <div class="window-banner" role="status" data-testid="window-banner">
                {move || {
                    let lang = ctx.lang.get();
                    match state.window.get().and_then(|w| w.closes_at) {
                        Some(at) => fill(lang.t(Text::WindowClosed), &[("time", &format::date_time(at, lang))]),
                        None => lang.t(Text::WindowNever).to_owned(),
                    }
                }}
            </div>
            <TemplatePicker/>
        })}
        {move || {
            let window = state.window.get()?;
            let at = window.closes_at?;
            (window.enforced && window.open).then(|| view! {
                <p class="muted window-open" data-testid="window-open">
                    {fill(ctx.t(Text::WindowOpenUntil), &[("time", &format::date_time(at, ctx.lang.get()))])}
                </p>
            })
        }}
    }
}

/// The approved templates and their parameters.
#[component]
fn TemplatePicker() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let templates = RwSignal::new(None);
    leptos::task::spawn_local(async move { templates.set(Some(ctx.relay().templates().await)) });
    let chosen = RwSignal::new(None::<Template>);
    let params = RwSignal::new(Vec::<String>::new());
    // What goes with the message: the chosen template and its parameter values.
    Effect::new(move |_| {
        state.template.set(chosen.get().map(|template| TemplateSend {
            name: template.name,
            language: template.language,
            params: params.get(),
        }));
    });
    on_cleanup(move || state.template.set(None));
    view! {
        <div class="field templates">
            <label for="template-picker">{move || ctx.t(Text::Templates)}</label>
            {move || match templates.get() {
                None => view! { <p class="muted">{move || ctx.t(Text::Loading)}</p> }.into_any(),
                Some(Err(error)) => view! {
                    <p class="field-error" role="alert" data-testid="error" data-field="template">{ctx.describe(&error)}</p>
                }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">{move || ctx.t(Text::NoTemplates)}</p>
                }.into_any(),
                Some(Ok(list)) => {
                    let options = list.clone();
                    view! {
                        <select id="template-picker" data-testid="template-picker" on:change=move |event| {
                            let key = event_target_value(&event);
                            let template = options.iter().find(|t| template_key(t) == key).cloned();
                            params.set(vec![String::new(); template.as_ref().map_or(0, |t| t.params.len())]);
                            chosen.set(template);
                        }>
                            <option value="">{move || ctx.t(Text::ChooseTemplate)}</option>
                            {list.iter().map(|template| view! {
                                <option data-testid="template-option" value=template_key(template)>
                                    {format!("{} ({})", template.name, template.language)}
                                </option>
                            }).collect_view()}
                        </select>
                    }.into_any()
                }
            }}
            {move || chosen.get().map(|template| view! {
                <p class="template-body" data-testid="template-body">{template.body.clone()}</p>
                {template.params.iter().enumerate().map(|(i, name)| {
                    let label = fill(ctx.t(Text::TemplateParam), &[("n", &(i + 1).to_string())]);
                    let id = format!("template-param-{i}");
                    view! {
                        <label for=id.clone()>{format!("{label} ({name})")}</label>
                        <input id=id type="text" data-testid="template-param"
                            on:input=move |event| params.update(|values| values[i] = event_target_value(&event))/>
                    }
                }).collect_view()}
            })}
        </div>
    }
}

/// A template's value in the picker: its name and language.
fn template_key(template: &Template) -> String {
    format!("{}|{}", template.name, template.language)
}
