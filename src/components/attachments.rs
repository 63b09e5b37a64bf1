//! **Attachments**: the record's files and local files, each checked against the provider's limit for its
//! kind before anything is uploaded; uploads show their progress.

use leptos::prelude::*;
use sidechat_domain::Provider;
use sidechat_domain::attachment::{self, AttachmentError, MediaKind};
use sidechat_domain::wire::{AttachmentRef, RecordFile};
use wasm_bindgen::JsCast;

use crate::context::PanelCtx;
use crate::format;
use crate::i18n::{Lang, Text, fill};
use crate::state::{ChatState, ChosenFile, FileState};

/// The file chooser and the chosen files.
#[component]
pub fn Attachments() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let problem = RwSignal::new(None::<String>);
    let files = state.record.with_value(|record| record.files.clone());
    let provider = move || state.sender().map_or(Provider::Sandbox, |sender| sender.provider);
    let chosen = move |id: &str| state.files.with(|files| files.iter().any(|f| f.key == record_key(id)));

    let toggle_record_file = move |file: RecordFile, on: bool| {
        problem.set(None);
        if !on {
            state.files.update(|files| files.retain(|f| f.key != record_key(&file.id)));
            return;
        }
        if let Err(refusal) = attachment::check(provider(), &file.name, Some(&file.mime), file.size) {
            problem.set(Some(describe(ctx.lang.get_untracked(), &file.name, &refusal)));
            return;
        }
        let key = record_key(&file.id);
        state.files.update(|files| files.push(chosen_file(&key, &file.name, file.size, &file.mime)));
        leptos::task::spawn_local(async move {
            let progress_key = key.clone();
            let progress = move |share: f64| set_state(state, &progress_key, FileState::Uploading(share));
            match ctx.host().attachment(&ctx.relay(), &file, progress).await {
                Ok(reference) => set_state(state, &key, FileState::Ready(reference)),
                Err(error) => {
                    state.files.update(|files| files.retain(|f| f.key != key));
                    problem.set(Some(ctx.describe(&error)));
                }
            }
        });
    };

    let add_local_file = move |event: web_sys::Event| {
        problem.set(None);
        let Some(input) = event.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|list| list.get(0)) else { return };
        input.set_value("");
        let (name, size, mime) = (file.name(), file.size() as u64, file.type_());
        if let Err(refusal) = attachment::check(provider(), &name, Some(&mime), size) {
            problem.set(Some(describe(ctx.lang.get_untracked(), &name, &refusal)));
            return;
        }
        let mime = if mime.is_empty() { attachment::mime_from_name(&name).to_owned() } else { mime };
        let key = format!("local:{name}:{}", js_sys::Date::now());
        state.files.update(|files| files.push(chosen_file(&key, &name, size, &mime)));
        leptos::task::spawn_local(async move {
            let progress_key = key.clone();
            let progress = move |share: f64| set_state(state, &progress_key, FileState::Uploading(share));
            match ctx.relay().upload(&file, &name, progress).await {
                Ok(upload) => set_state(state, &key, FileState::Ready(AttachmentRef::Upload { upload: upload.id })),
                Err(error) => {
                    state.files.update(|files| files.retain(|f| f.key != key));
                    problem.set(Some(ctx.describe(&error)));
                }
            }
        });
    };

    view! {
        <details class="attachments" data-testid="attachment-picker">
            <summary>
                {move || ctx.t(Text::Attachments)}
                {move || { let n = state.files.with(Vec::len); (n > 0).then(|| format!(" ({n})")) }}
            </summary>
            {if files.is_empty() {
                view! { <p class="muted">{move || ctx.t(Text::NoFiles)}</p> }.into_any()
            } else {
                view! {
                    <ul class="record-files">
                        {files.into_iter().map(|file| {
                            let id = file.id.clone();
                            let label = format!("{} · {} · {}", file.name, format::size(file.size), file.mime);
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" data-testid="attachment-option" value=file.id.clone()
                                            prop:checked=move || chosen(&id)
                                            on:change=move |event| toggle_record_file(file.clone(), event_target_checked(&event))/>
                                        {label}
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <label class="file-button">
                {move || ctx.t(Text::AddFile)}
                <input type="file" data-testid="file-input" on:change=add_local_file/>
            </label>
        </details>
        <ChosenFiles/>
        {move || problem.get().map(|text| view! {
            <p class="field-error" role="alert" data-testid="error" data-field="attachments">{text}</p>
        })}
    }
}

/// The files going with the next message, with upload progress and a way to drop each.
#[component]
fn ChosenFiles() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    // The list is built again only when a file is added or removed, not on each step of an upload's progress
    // (which would take the focus off a "Remove" button).
    let chosen = Memo::new(move |_| {
        state.files.with(|files| {
            files.iter().map(|f| Chosen { key: f.key.clone(), name: f.name.clone(), size: f.size }).collect::<Vec<_>>()
        })
    });
    view! {
        <ul class="chosen-files" aria-live="polite">
            {move || chosen.get().into_iter().map(|file| {
                let key = file.key.clone();
                let progress = {
                    let key = key.clone();
                    move || state.files.with(|files| match files.iter().find(|f| f.key == key).map(|f| &f.state) {
                        Some(FileState::Uploading(share)) => Some(*share),
                        _ => None,
                    })
                };
                view! {
                    <li data-testid="chosen-file">
                        <span>{format!("{} · {}", file.name, format::size(file.size))}</span>
                        {move || progress().map(|share| view! {
                            <progress data-testid="upload-progress" max="1" value=share.to_string()
                                aria-label=fill(ctx.t(Text::Uploading), &[("name", &file.name)])></progress>
                        })}
                        <button type="button" class="link" on:click=move |_| state.files.update(|files| files.retain(|f| f.key != key))>
                            {move || ctx.t(Text::Remove)}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// What the list of chosen files shows of each, apart from its progress.
#[derive(Clone, PartialEq)]
struct Chosen {
    key: String,
    name: String,
    size: u64,
}

fn record_key(id: &str) -> String {
    format!("record:{id}")
}

fn chosen_file(key: &str, name: &str, size: u64, mime: &str) -> ChosenFile {
    ChosenFile {
        key: key.to_owned(),
        name: name.to_owned(),
        size,
        mime: mime.to_owned(),
        state: FileState::Uploading(0.0),
    }
}

fn set_state(state: ChatState, key: &str, new: FileState) {
    state.files.update(|files| {
        if let Some(file) = files.iter_mut().find(|f| f.key == key) {
            file.state = new;
        }
    });
}

/// Why a file is refused, in the user's language, naming the limit.
fn describe(lang: Lang, name: &str, refusal: &AttachmentError) -> String {
    match refusal {
        AttachmentError::TooLarge { kind, limit, size, .. } => fill(
            lang.t(Text::FileTooLarge),
            &[
                ("name", name),
                ("size", &format::size(*size)),
                ("kind", lang.t(kind_text(*kind))),
                ("limit", &format::size(*limit)),
            ],
        ),
        AttachmentError::Unsupported { .. } => fill(lang.t(Text::FileUnsupported), &[("name", name)]),
        AttachmentError::Empty => fill(lang.t(Text::FileEmpty), &[("name", name)]),
    }
}

fn kind_text(kind: MediaKind) -> Text {
    match kind {
        MediaKind::Image => Text::KindImage,
        MediaKind::Audio => Text::KindAudio,
        MediaKind::Video => Text::KindVideo,
        MediaKind::Document => Text::KindDocument,
        MediaKind::Sticker => Text::KindSticker,
    }
}
