//! **Message and Send**: the text with its character count, the canned-text picker, and Send (also
//! Ctrl/Cmd+Enter). A sent message shows at once as queued; a failure shows the relay's message beside the
//! field it concerns, with a retry that reuses the same idempotency key, so nothing is ever sent twice.

use leptos::prelude::*;

use sidechat_domain::wire::{
    AttachmentRef, DeliveryStatus, Direction, ErrorCode, MAX_BODY_CHARS, Message, RecordRef, SendRequest,
};

use crate::components::canned::CannedPicker;
use crate::components::connect::ConnectAccount;
use crate::components::element;
use crate::context::PanelCtx;
use crate::draft::{self, DraftProblem, Route};
use crate::host::Notice;
use crate::i18n::{Text, fill};
use crate::relay::RelayError;
use crate::state::{ChatState, FileState, Recipient};
use crate::timeline::local_id;

/// A press of Send: its parts, each with its key, kept for a retry.
#[derive(Clone)]
struct Attempt {
    parts: Vec<(String, SendRequest)>,
}

/// Why the last send did not go: the field it concerns (`data-field`) and what to tell the user, or where the
/// user connects their CRM account, when the relay could not read the record's file without it.
#[derive(Clone, PartialEq)]
struct Failure {
    field: &'static str,
    text: String,
    connect_url: Option<String>,
    retry: bool,
}

/// The message box's element id.
const INPUT_ID: &str = "message-input";

/// The message box and Send.
#[component]
pub fn Composer() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    let sending = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let missing = RwSignal::new(Vec::<String>::new());
    let attempt = StoredValue::new(None::<Attempt>);
    let input = || element::<web_sys::HtmlTextAreaElement>(INPUT_ID);

    // Any change to the draft makes it a new message: the failed attempt no longer stands for it.
    Effect::new(move |first: Option<()>| {
        state.body.track();
        state.files.track();
        state.template.track();
        state.recipient.track();
        state.from.track();
        if first.is_some() && !sending.get_untracked() {
            failure.set(None);
            attempt.set_value(None);
        }
    });

    let free_text = move || state.window.with(|w| draft::free_text_allowed(w.as_ref()));
    let count = move || state.body.with(|body| draft::char_count(body));
    let uploading = move || state.files.with(|files| files.iter().any(|f| matches!(f.state, FileState::Uploading(_))));
    let nothing = move || {
        state.template.with(Option::is_none)
            && state.files.with(Vec::is_empty)
            && state.body.with(|b| b.trim().is_empty())
    };
    let blocked = move || {
        sending.get()
            || nothing()
            || uploading()
            || count() > MAX_BODY_CHARS
            || !missing.with(Vec::is_empty)
            || !matches!(state.recipient.get(), Recipient::Ready(_))
    };

    let send = move || {
        if sending.get_untracked() {
            return;
        }
        let parts = match attempt.get_value() {
            Some(attempt) => attempt.parts,
            None => match prepare(state) {
                Ok(parts) => parts,
                Err(problem) => {
                    failure.set(Some(problem_failure(ctx, problem)));
                    return;
                }
            },
        };
        attempt.set_value(Some(Attempt { parts: parts.clone() }));
        failure.set(None);
        sending.set(true);
        leptos::task::spawn_local(async move {
            let outcome = deliver(ctx, state, parts).await;
            sending.set(false);
            match outcome {
                Ok(number) => {
                    attempt.set_value(None);
                    state.body.set(String::new());
                    state.files.set(Vec::new());
                    ctx.host().notify(&Notice {
                        message: fill(ctx.t(Text::NoticeQueued), &[("number", &number)]),
                        link: None,
                    });
                }
                Err(error) => {
                    let text = ctx.describe(&error);
                    ctx.host()
                        .notify(&Notice { message: fill(ctx.t(Text::NoticeFailed), &[("reason", &text)]), link: None });
                    let connect_url = error.connect_url().map(str::to_owned);
                    failure.set(Some(Failure { field: field_of(&error), text, connect_url, retry: true }));
                }
            }
        });
    };

    let insert = move |text: String, absent: Vec<String>| {
        let at = input().and_then(|area| area.selection_start().ok().flatten()).map(|at| at as usize);
        state.body.update(|body| {
            // The cursor counts UTF-16 units; find the matching byte offset.
            let byte = at.map_or(body.len(), |at| utf16_to_byte(body, at));
            body.insert_str(byte, &text);
        });
        missing.set(absent);
        if let Some(area) = input() {
            let _ = area.focus();
        }
    };

    view! {
        <div class="composer">
            <div class="composer-tools">
                <label for=INPUT_ID>{move || ctx.t(Text::Message)}</label>
                <CannedPicker on_insert=insert/>
            </div>
            <textarea id=INPUT_ID data-testid="message-input" rows="3"
                placeholder=move || ctx.t(Text::Placeholder)
                disabled=move || !free_text()
                aria-describedby="char-count"
                prop:value=move || state.body.get()
                on:input=move |event| {
                    missing.set(Vec::new());
                    state.body.set(event_target_value(&event));
                }
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if event.key() == "Enter" && (event.ctrl_key() || event.meta_key()) {
                        event.prevent_default();
                        if !blocked() {
                            send();
                        }
                    }
                }></textarea>
            {move || (!free_text()).then(|| view! { <p class="muted">{move || ctx.t(Text::FreeTextDisabled)}</p> })}
            {move || (!missing.with(Vec::is_empty)).then(|| view! {
                <p class="field-error" role="alert" data-testid="error" data-field="body">
                    {fill(ctx.t(Text::MissingFields), &[("fields", &missing.get().join(", "))])}
                </p>
            })}
            <div class="composer-actions">
                <span id="char-count" data-testid="char-count" class:over={move || count() > MAX_BODY_CHARS} aria-live="polite">
                    {move || fill(ctx.t(Text::CharCount), &[("count", &count().to_string()), ("max", &MAX_BODY_CHARS.to_string())])}
                </span>
                <span class="muted hint">{move || ctx.t(Text::SendHint)}</span>
                <button type="button" class="primary" data-testid="send-button" disabled=blocked on:click=move |_| send()>
                    {move || ctx.t(if sending.get() { Text::Sending } else { Text::Send })}
                </button>
            </div>
            {move || (count() > MAX_BODY_CHARS).then(|| view! {
                <p class="field-error" role="alert" data-testid="error" data-field="body">
                    {fill(ctx.t(Text::TooLong), &[("max", &MAX_BODY_CHARS.to_string())])}
                </p>
            })}
            {move || failure.get().map(|failure| view! {
                <div class="field-error" role="alert" data-testid="error" data-field=failure.field>
                    {match failure.connect_url {
                        Some(url) => view! { <ConnectAccount url=url/> }.into_any(),
                        None => view! { <span>{failure.text}</span> }.into_any(),
                    }}
                    {failure.retry.then(|| view! {
                        <button type="button" data-testid="retry-button" disabled=move || sending.get() on:click=move |_| send()>
                            {move || ctx.t(Text::Retry)}
                        </button>
                    })}
                </div>
            })}
        </div>
    }
}

/// Checks the draft and turns it into keyed requests.
fn prepare(state: ChatState) -> Result<Vec<(String, SendRequest)>, DraftProblem> {
    let body = state.body.get_untracked();
    let files: Vec<AttachmentRef> = state.files.with_untracked(|files| {
        files.iter().filter_map(|f| if let FileState::Ready(r) = &f.state { Some(r.clone()) } else { None }).collect()
    });
    let template = state.template.get_untracked();
    state.window.with_untracked(|window| draft::check(&body, files.len(), template.as_ref(), window.as_ref()))?;
    let route = Route {
        from: state.from.get_untracked().unwrap_or_default(),
        to: state.to.get_untracked(),
        country: state
            .country
            .get_untracked()
            .filter(|_| state.phone_untracked().is_some_and(|p| p.needs_country_code)),
        record: state.record.with_value(|record| RecordRef { kind: record.kind, id: record.id.clone() }),
    };
    Ok(draft::requests(&new_key(), &route, &body, files, template))
}

/// Sends each part in turn, showing each at once as queued; stops at the first refusal.
async fn deliver(ctx: PanelCtx, state: ChatState, parts: Vec<(String, SendRequest)>) -> Result<String, RelayError> {
    let Recipient::Ready(number) = state.recipient.get_untracked() else {
        return Err(RelayError::Unexpected(0));
    };
    let sender = state.senders.with_value(|senders| {
        senders.iter().find(|s| Some(&s.id) == state.from.get_untracked().as_ref()).map(|s| s.phone.clone())
    });
    for (key, request) in &parts {
        if let Some(from) = sender.clone() {
            state.timeline.update(|timeline| timeline.add_local(stand_in(key, request, from, number.clone())));
        }
    }
    for (i, (key, request)) in parts.iter().enumerate() {
        match ctx.relay().send(key, request).await {
            Ok(message) => state.timeline.update(|timeline| timeline.confirm_local(key, message)),
            Err(error) => {
                state.timeline.update(|timeline| parts[i..].iter().for_each(|(key, _)| timeline.drop_local(key)));
                return Err(error);
            }
        }
    }
    Ok(number.as_str().to_owned())
}

/// The message shown while the relay has not yet answered.
fn stand_in(key: &str, request: &SendRequest, from: sidechat_domain::E164, to: sidechat_domain::E164) -> Message {
    Message {
        id: local_id(key),
        direction: Direction::Out,
        from,
        to,
        body: match &request.template {
            Some(template) => format!("{} ({})", template.name, template.language),
            None => request.body.clone(),
        },
        attachments: vec![],
        status: DeliveryStatus::Queued,
        error: None,
        timestamp: jiff::Timestamp::from_millisecond(js_sys::Date::now() as i64).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        author: None,
    }
}

/// A fresh idempotency key.
fn new_key() -> String {
    web_sys::window()
        .and_then(|window| window.crypto().ok())
        .map(|crypto| crypto.random_uuid())
        .unwrap_or_else(|| format!("{}-{}", js_sys::Date::now(), js_sys::Math::random()))
}

/// The field a relay refusal concerns.
fn field_of(error: &RelayError) -> &'static str {
    match error.code() {
        Some(ErrorCode::InvalidPhone) => "to",
        Some(ErrorCode::UnknownSender) => "from",
        Some(
            ErrorCode::EmptyMessage | ErrorCode::BodyTooLong | ErrorCode::WindowClosed | ErrorCode::InvalidMergeField,
        ) => "body",
        Some(ErrorCode::AttachmentTooLarge | ErrorCode::UnsupportedAttachment) => "attachments",
        _ => "form",
    }
}

/// What a draft problem tells the user, and where.
fn problem_failure(ctx: PanelCtx, problem: DraftProblem) -> Failure {
    let lang = ctx.lang.get_untracked();
    let text = match problem {
        DraftProblem::Empty => lang.t(Text::EmptyMessage).to_owned(),
        DraftProblem::TooLong => fill(lang.t(Text::TooLong), &[("max", &MAX_BODY_CHARS.to_string())]),
        DraftProblem::WindowClosed => lang.t(Text::FreeTextDisabled).to_owned(),
    };
    Failure { field: "body", text, connect_url: None, retry: false }
}

/// The byte offset of a UTF-16 position in `text` (a textarea's cursor).
fn utf16_to_byte(text: &str, at: usize) -> usize {
    let mut units = 0;
    for (byte, c) in text.char_indices() {
        if units >= at {
            return byte;
        }
        units += c.len_utf16();
    }
    text.len()
}
