//! The recent messages with the chosen number: both directions, time, status, attachments, day separators.
//! Text is rendered as text, never as markup.

use leptos::prelude::*;
use sidechat_domain::wire::{Attachment, DeliveryStatus, Direction, Message};

use crate::components::element;
use crate::context::PanelCtx;
use crate::format;
use crate::i18n::{Lang, Text};
use crate::state::{ChatState, History};
use crate::timeline::by_day;

/// The list's element id.
const LIST_ID: &str = "message-list";

/// The conversation so far.
#[component]
pub fn MessageList() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    // Keep the newest message in view as messages arrive.
    Effect::new(move |_| {
        state.timeline.track();
        if let Some(list) = element::<web_sys::Element>(LIST_ID) {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <section id=LIST_ID class="messages" data-testid="message-list" class:idle=move || state.history.get() == History::Idle aria-label=move || ctx.t(Text::Messages)
            aria-live="polite" tabindex="0">
            {move || match state.history.get() {
                History::Idle => ().into_any(),
                History::Failed(reason) => view! {
                    <p class="error" role="alert" data-testid="error" data-field="messages">{reason}</p>
                }.into_any(),
                History::Loading if state.timeline.with(|t| t.messages().is_empty()) => view! {
                    <p class="muted" aria-busy="true">{move || ctx.t(Text::Loading)}</p>
                }.into_any(),
                _ if state.timeline.with(|t| t.messages().is_empty()) => view! {
                    <p class="empty" data-testid="empty-history">{move || ctx.t(Text::EmptyHistory)}</p>
                }.into_any(),
                _ => {
                    // Marked when the list is built; the browser paints it in the same frame.
                    crate::marks::mark_once(crate::marks::MESSAGES_SHOWN);
                    let lang = ctx.lang.get();
                    state.timeline.with(|timeline| {
                        by_day(timeline.messages(), |m| format::day_of(m.timestamp, lang))
                            .into_iter()
                            .map(|(day, run)| view! {
                                <h2 class="day">{day}</h2>
                                <ol class="day-messages">
                                    {run.into_iter().map(|message| message_item(message.clone(), lang)).collect_view()}
                                </ol>
                            })
                            .collect_view()
                    }).into_any()
                }
            }}
        </section>
    }
}

/// One message.
fn message_item(message: Message, lang: Lang) -> impl IntoView {
    let direction = match message.direction {
        Direction::In => "in",
        Direction::Out => "out",
    };
    let who = lang.t(if message.direction == Direction::In { Text::Incoming } else { Text::Outgoing });
    let time = format::time_of(message.timestamp, lang);
    let author = message.author.filter(|author| message.direction == Direction::Out && !author.name.trim().is_empty());
    view! {
        <li class=format!("message {direction}") data-testid="message" data-direction=direction
            data-status=message.status.as_str() data-id=message.id.clone()>
            {match author {
                Some(author) => author_line(author.name, lang).into_any(),
                None => view! { <span class="visually-hidden">{who}</span> }.into_any(),
            }}
            {(!message.body.is_empty()).then(|| view! { <p class="body">{message.body.clone()}</p> })}
            {message.attachments.into_iter().map(attachment).collect_view()}
            <p class="meta">
                <time datetime=message.timestamp.to_string()>{time}</time>
                {(message.direction == Direction::Out).then(|| status_mark(message.status, message.error.map(|e| e.message), lang))}
            </p>
        </li>
    }
}

/// Who of the team sent a message: their name, which screen readers hear as "Sent by …" in the panel's language.
fn author_line(name: String, lang: Lang) -> impl IntoView {
    let (before, after) = lang.t(Text::SentBy).split_once("{name}").unwrap_or_default();
    view! {
        <p class="author" data-testid="message-author">
            <span class="visually-hidden">{before}</span>{name}<span class="visually-hidden">{after}</span>
        </p>
    }
}

/// A message's file: a thumbnail for an image, else its name and size, both opening the file.
fn attachment(file: Attachment) -> impl IntoView {
    let label = format!("{} · {}", file.name, format::size(file.size));
    let image = file.mime.starts_with("image/");
    view! {
        <a class="attachment" href=file.url.clone() target="_blank" rel="noopener noreferrer" data-testid="message-attachment">
            {image.then(|| view! { <img src=file.url.clone() alt=file.name.clone() loading="lazy"/> })}
            <span>{label}</span>
        </a>
    }
}

/// The delivery ticks, named for screen readers; a failure shows its reason on hover and focus.
fn status_mark(status: DeliveryStatus, reason: Option<String>, lang: Lang) -> impl IntoView {
    let (mark, name) = match status {
        DeliveryStatus::Queued => ("◷", Text::StatusQueued),
        DeliveryStatus::Sent => ("✓", Text::StatusSent),
        DeliveryStatus::Delivered => ("✓✓", Text::StatusDelivered),
        DeliveryStatus::Read => ("✓✓", Text::StatusRead),
        DeliveryStatus::Failed => ("!", Text::StatusFailed),
    };
    let label = match &reason {
        Some(reason) if status == DeliveryStatus::Failed => format!("{}: {reason}", lang.t(name)),
        _ => lang.t(name).to_owned(),
    };
    let failed = status == DeliveryStatus::Failed;
    let reason_text = failed.then(|| label.clone());
    view! {
        <span class=format!("status {}", status.as_str()) data-testid="message-status" role="img"
            aria-label=label.clone() title=label.clone() tabindex=failed.then_some("0")>
            <span aria-hidden="true">{mark}</span>
            {reason_text.map(|text| view! { <span class="reason" data-testid="failure-reason">{text}</span> })}
        </span>
    }
}
