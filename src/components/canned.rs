//! **Canned texts** (seed 004): a picker beside the message box (search by name, filter by module), that
//! inserts a text with the record's values in its merge fields and reports the fields the record lacks;
//! and a "Manage" view to create, edit (module locked) and delete them: each text shows who created it, and
//! Edit and Delete only where the relay says the user may change it (its owner, or an administrator).

use leptos::prelude::*;
use sidechat_domain::canned::{Body, CannedError, MAX_NAME_CHARS, Module};
use sidechat_domain::wire::{CannedText, CannedTextInput, ErrorCode, MAX_BODY_CHARS};

use crate::components::element;
use crate::context::PanelCtx;
use crate::format;
use crate::i18n::{Text, fill};
use crate::state::ChatState;

/// The element ids of the picker's button and search box.
const TOGGLE_ID: &str = "canned-toggle";
const SEARCH_ID: &str = "canned-search";

/// The picker's button and, when open, the list or the manager.
#[component]
pub fn CannedPicker(
    /// Receives the filled text and the merge fields the record lacks.
    #[prop(into)]
    on_insert: Callback<(String, Vec<String>)>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let open = RwSignal::new(false);
    let managing = RwSignal::new(false);
    let reload = RwSignal::new(0u32);
    // Escape closes the picker and gives the focus back to its button (it would fall to the page otherwise).
    let close = move |event: web_sys::KeyboardEvent| {
        if event.key() == "Escape" {
            open.set(false);
            if let Some(button) = element::<web_sys::HtmlElement>(TOGGLE_ID) {
                let _ = button.focus();
            }
        }
    };
    // The company's texts: `None` until the relay first answers; a reload keeps the list shown until it answers,
    // and only the latest reload's answer is shown, whichever answer arrives first.
    let texts = RwSignal::new(None);
    Effect::new(move |_| {
        let asked = reload.get();
        leptos::task::spawn_local(async move {
            let answer = ctx.relay().canned_texts().await;
            if reload.get_untracked() == asked {
                texts.set(Some(answer));
            }
        });
    });
    view! {
        <button type="button" id=TOGGLE_ID class="link" aria-expanded=move || open.get().to_string()
            aria-controls="canned-picker" on:click=move |_| open.update(|o| *o = !*o)>
            {move || ctx.t(Text::CannedTexts)}
        </button>
        {move || open.get().then(|| view! {
            <div id="canned-picker" class="popover" data-testid="canned-picker" role="dialog" aria-label=move || ctx.t(Text::CannedTexts)
                on:keydown=close>
                {move || match texts.get() {
                    None => view! { <p class="muted">{move || ctx.t(Text::Loading)}</p> }.into_any(),
                    Some(Err(error)) => view! {
                        <p class="field-error" role="alert" data-testid="error" data-field="canned">{ctx.describe(&error)}</p>
                    }.into_any(),
                    Some(Ok(list)) if managing.get() => view! {
                        <CannedManager texts=list on_change=move || reload.update(|n| *n += 1) on_close=move || managing.set(false)/>
                    }.into_any(),
                    Some(Ok(list)) => view! {
                        <CannedList texts=list on_pick=move |inserted: (String, Vec<String>)| {
                            open.set(false);
                            on_insert.run(inserted);
                        }/>
                        <button type="button" class="link" data-testid="canned-manage" on:click=move |_| managing.set(true)>
                            {move || ctx.t(Text::Manage)}
                        </button>
                    }.into_any(),
                }}
            </div>
        })}
    }
}

/// Search, module filter and the matching texts.
#[component]
fn CannedList(
    /// Every canned text of the company.
    texts: Vec<CannedText>,
    /// Receives the filled text and the missing fields.
    #[prop(into)]
    on_pick: Callback<(String, Vec<String>)>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let query = RwSignal::new(String::new());
    let module = RwSignal::new(ctx.host().module().unwrap_or_default());
    let texts = StoredValue::new(texts);
    // Opening the picker puts the cursor in its search box.
    Effect::new(move |_| {
        if let Some(search) = element::<web_sys::HtmlElement>(SEARCH_ID) {
            let _ = search.focus();
        }
    });
    let matching = move || {
        let (query, module) = (format::lowercase(&query.get()), module.get());
        texts.with_value(|texts| {
            texts
                .iter()
                .filter(|t| module.is_empty() || t.module == module)
                .filter(|t| format::lowercase(&t.name).contains(&query))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let pick = move |text: &CannedText| {
        let filled = Module::parse(&text.module)
            .and_then(|module| Body::parse(&text.body, &module))
            .map(|body| state.record.with_value(|record| body.render(&record.fields)));
        match filled {
            Ok(rendered) => on_pick.run((rendered.text, rendered.missing)),
            Err(_) => on_pick.run((text.body.clone(), Vec::new())),
        }
    };
    view! {
        <input type="search" id=SEARCH_ID data-testid="canned-search" aria-label=move || ctx.t(Text::CannedSearch)
            placeholder=move || ctx.t(Text::CannedSearch) on:input=move |event| query.set(event_target_value(&event))/>
        <select data-testid="canned-module-filter" aria-label=move || ctx.t(Text::ModuleFilter)
            on:change=move |event| module.set(event_target_value(&event))>
            <option value="" prop:selected=move || module.get().is_empty()>{move || ctx.t(Text::AllModules)}</option>
            {ctx.host().modules().iter().map(|name| view! {
                <option value=*name prop:selected=move || module.get() == *name>{*name}</option>
            }).collect_view()}
        </select>
        <ul class="canned-list">
            {move || {
                let found = matching();
                if found.is_empty() {
                    return view! { <li class="muted">{move || ctx.t(Text::NoCanned)}</li> }.into_any();
                }
                found.into_iter().map(|text| {
                    let label = format!("{} · {}", text.name, text.module);
                    view! {
                        <li><button type="button" class="option" data-testid="canned-option" data-id=text.id.clone()
                            on:click=move |_| pick(&text)>{label}</button></li>
                    }
                }).collect_view().into_any()
            }}
        </ul>
    }
}

/// Create, edit and delete canned texts.
#[component]
fn CannedManager(
    /// Every canned text of the company.
    texts: Vec<CannedText>,
    /// Called after a change, to reload the list.
    #[prop(into)]
    on_change: Callback<()>,
    /// Back to the list.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let editing = RwSignal::new(None::<Option<CannedText>>);
    // Why the last delete failed, shown beside the text it concerns (`failed`, its id).
    let problem = RwSignal::new(None::<String>);
    let failed = RwSignal::new(String::new());
    let delete = move |id: String| {
        problem.set(None);
        leptos::task::spawn_local(async move {
            match ctx.relay().delete_canned_text(&id).await {
                Ok(()) => on_change.run(()),
                Err(error) => {
                    failed.set(id);
                    problem.set(Some(ctx.describe(&error)));
                }
            }
        });
    };
    view! {
        <div class="canned-manager">
            {move || match editing.get() {
                Some(existing) => view! {
                    <CannedForm existing=existing on_done=move |saved: bool| {
                        editing.set(None);
                        if saved { on_change.run(()) }
                    }/>
                }.into_any(),
                None => view! {
                    <ul class="canned-list">
                        {texts.clone().into_iter().map(|text| {
                            let owner = text.owner.as_ref().map(|owner| owner.name.clone());
                            let id = text.id.clone();
                            let problem_here = move || problem.get().filter(|_| failed.with(|failed| *failed == id));
                            view! {
                                <li data-testid="canned-item" data-id=text.id.clone()>
                                    <span>
                                        {format!("{} · {}", text.name, text.module)}
                                        {owner.map(|name| view! {
                                            <small class="owner" data-testid="canned-owner">{move || fill(ctx.t(Text::CreatedBy), &[("name", &name)])}</small>
                                        })}
                                    </span>
                                    {text.editable.then(|| canned_actions(text.clone(), editing, delete))}
                                    {move || problem_here().map(|text| view! {
                                        <p class="field-error" role="alert" data-testid="error" data-field="canned">{text}</p>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" data-testid="canned-new" on:click=move |_| editing.set(Some(None))>{move || ctx.t(Text::NewCanned)}</button>
                    <button type="button" class="link" on:click=move |_| on_close.run(())>{move || ctx.t(Text::Close)}</button>
                }.into_any(),
            }}
        </div>
    }
}

/// Edit and Delete, for a text the user may change.
fn canned_actions(
    text: CannedText,
    editing: RwSignal<Option<Option<CannedText>>>,
    delete: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let id = text.id.clone();
    view! {
        <button type="button" class="link" data-testid="canned-edit" on:click=move |_| editing.set(Some(Some(text.clone())))>
            {move || ctx.t(Text::Edit)}
        </button>
        <button type="button" class="link danger" data-testid="canned-delete" on:click=move |_| delete(id.clone())>
            {move || ctx.t(Text::Delete)}
        </button>
    }
}

/// The form for a new canned text or an edit of one (its module locked).
#[component]
fn CannedForm(
    /// The text being edited, or `None` for a new one.
    existing: Option<CannedText>,
    /// Called with whether something was saved.
    #[prop(into)]
    on_done: Callback<bool>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let editing_id = existing.as_ref().map(|t| t.id.clone());
    let locked = editing_id.is_some();
    let name = RwSignal::new(existing.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let module =
        RwSignal::new(existing.as_ref().map(|t| t.module.clone()).or_else(|| ctx.host().module()).unwrap_or_default());
    let body = RwSignal::new(existing.map(|t| t.body).unwrap_or_default());
    let problem = RwSignal::new(None::<(&'static str, String)>);
    let saving = RwSignal::new(false);
    let submit = move |event: web_sys::SubmitEvent| {
        event.prevent_default();
        let input =
            CannedTextInput { name: name.get_untracked(), module: module.get_untracked(), body: body.get_untracked() };
        if input.name.trim().is_empty() {
            problem.set(Some(("name", ctx.t(Text::Required).to_owned())));
            return;
        }
        if let Err(error) = sidechat_domain::canned::CannedText::new(&input.name, &input.module, &input.body) {
            problem.set(Some(canned_problem(ctx, &error)));
            return;
        }
        let id = editing_id.clone();
        saving.set(true);
        leptos::task::spawn_local(async move {
            let relay = ctx.relay();
            let saved = match &id {
                Some(id) => relay.update_canned_text(id, &input).await,
                None => relay.create_canned_text(&input).await,
            };
            saving.set(false);
            match saved {
                Ok(_) => on_done.run(true),
                Err(error) => {
                    let field = match error.code() {
                        Some(ErrorCode::ModuleImmutable) => "module",
                        Some(ErrorCode::InvalidMergeField) => "body",
                        _ => "form",
                    };
                    problem.set(Some((field, ctx.describe(&error))));
                }
            }
        });
    };
    let error_for = move |field: &'static str| {
        move || {
            problem.get().filter(|(f, _)| *f == field).map(|(_, text)| {
                view! {
                    <p class="field-error" role="alert" data-testid="error" data-field=field>{text}</p>
                }
            })
        }
    };
    view! {
        <form class="canned-form" data-testid="canned-form" on:submit=submit>
            <label for="canned-name">{move || ctx.t(Text::Name)}</label>
            <input id="canned-name" data-testid="canned-name" type="text" maxlength="100" required
                prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event))/>
            {error_for("name")}
            <label for="canned-module">{move || ctx.t(Text::Module)}</label>
            <select id="canned-module" data-testid="canned-module" disabled=locked
                on:change=move |event| module.set(event_target_value(&event))>
                {ctx.host().modules().iter().map(|m| view! {
                    <option value=*m prop:selected=move || module.get() == *m>{*m}</option>
                }).collect_view()}
            </select>
            {locked.then(|| view! { <p class="muted">{move || ctx.t(Text::ModuleLocked)}</p> })}
            {error_for("module")}
            <label for="canned-body">{move || ctx.t(Text::Body)}</label>
            <textarea id="canned-body" data-testid="canned-body" rows="4"
                prop:value=move || body.get() on:input=move |event| body.set(event_target_value(&event))></textarea>
            <p class="muted">{move || ctx.t(Text::BodyHint)}</p>
            {error_for("body")}
            {error_for("form")}
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="canned-save" disabled=move || saving.get()>{move || ctx.t(Text::Save)}</button>
                <button type="button" class="link" on:click=move |_| on_done.run(false)>{move || ctx.t(Text::Cancel)}</button>
            </div>
        </form>
    }
}

/// The field a canned text's problem belongs beside, and the problem in the user's language.
fn canned_problem(ctx: PanelCtx, error: &CannedError) -> (&'static str, String) {
    let at = |at: &usize| (at + 1).to_string();
    let (field, key, slots): (&'static str, Text, Vec<(&str, String)>) = match error {
        CannedError::Unclosed { at: i } => ("body", Text::MergeUnclosed, vec![("at", at(i))]),
        CannedError::EmptyField { at: i } => ("body", Text::MergeEmpty, vec![("at", at(i))]),
        CannedError::MissingModule { at: i } => ("body", Text::MergeNoModule, vec![("at", at(i))]),
        CannedError::MissingLabel { at: i } => ("body", Text::MergeNoField, vec![("at", at(i))]),
        CannedError::WrongModule { at: i, expected, found } => (
            "body",
            Text::MergeWrongModule,
            vec![("at", at(i)), ("found", found.clone()), ("expected", expected.clone())],
        ),
        CannedError::InvalidModule(module) => ("module", Text::UnknownModule, vec![("module", module.clone())]),
        CannedError::EmptyName => ("name", Text::Required, Vec::new()),
        CannedError::NameTooLong => ("name", Text::NameTooLong, vec![("max", MAX_NAME_CHARS.to_string())]),
        CannedError::EmptyBody => ("body", Text::Required, Vec::new()),
        CannedError::BodyTooLong => ("body", Text::TooLong, vec![("max", MAX_BODY_CHARS.to_string())]),
        CannedError::ModuleImmutable { .. } => ("module", Text::ModuleLocked, Vec::new()),
    };
    let slots: Vec<(&str, &str)> = slots.iter().map(|(name, value)| (*name, value.as_str())).collect();
    (field, fill(ctx.t(key), &slots))
}
