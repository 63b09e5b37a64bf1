//! The conversation with the record's contact: who it goes to and from, the recent messages (live), the
//! 24-hour window, and the composer. The state lives here, in [`ChatState`]; each part is its own component.

use leptos::prelude::*;
use sidechat_domain::wire::{Phone, Record, Sender};
use sidechat_domain::{E164, calling_code};

use crate::components::attachments::Attachments;
use crate::components::composer::Composer;
use crate::components::message_list::MessageList;
use crate::components::recipient::RecipientPicker;
use crate::components::sender_select::SenderSelect;
use crate::components::window_banner::WindowBanner;
use crate::context::PanelCtx;
use crate::i18n::Text;
use crate::state::{ChatState, History, Recipient};
use crate::timeline::Timeline;

mod live;

/// The conversation on a loaded record.
#[component]
pub fn Chat(
    /// The record, with its phones and files.
    record: Record,
    /// The connected sender numbers.
    senders: Vec<Sender>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::provide(record, senders);
    resolve_recipient(ctx, state);
    // Asks for the history again: after the event stream missed something, or when the panel is shown again.
    let reload = Trigger::new();
    load_history(ctx, state, reload);
    live::follow_events(ctx, state, reload);
    reload_when_shown(ctx, reload);
    let has_phones = state.record.with_value(|record| !record.phones.is_empty());
    let has_senders = state.senders.with_value(|senders| !senders.is_empty());
    view! {
        {if !(has_phones && has_senders) {
            view! {
                <p class="notice" data-testid="error" data-field=if has_phones { "from" } else { "to" }>
                    {move || ctx.t(if has_phones { Text::NoSenders } else { Text::NoPhones })}
                </p>
            }.into_any()
        } else {
            view! {
                <div class="route">
                    <RecipientPicker/>
                    <SenderSelect/>
                </div>
                <ChatLink/>
                <MessageList/>
                <WindowBanner/>
                <Attachments/>
                <Composer/>
            }.into_any()
        }}
    }
}

/// A link that opens the whole conversation in WhatsApp.
#[component]
fn ChatLink() -> impl IntoView {
    let ctx = PanelCtx::expect();
    let state = ChatState::expect();
    view! {
        {move || match state.recipient.get() {
            Recipient::Ready(number) => Some(view! {
                <a class="chat-link" data-testid="chat-link" href=format!("https://wa.me/{}", number.digits())
                    target="_blank" rel="noopener noreferrer">{move || ctx.t(Text::ChatLink)}</a>
            }),
            _ => None,
        }}
    }
}

/// Works out the number messages go to from the chosen phone and country: as stored when it is
/// international, through the relay's normalizer with the chosen country when it lacks a country code.
fn resolve_recipient(ctx: PanelCtx, state: ChatState) {
    Effect::new(move |_| {
        let Some(phone) = state.phone() else { return };
        let country = state.country.get();
        if let Some(e164) = phone.e164.clone() {
            state.recipient.set(Recipient::Ready(e164));
            return;
        }
        if !phone.needs_country_code {
            state.recipient.set(Recipient::Invalid);
            return;
        }
        let Some(country) = country else {
            state.recipient.set(Recipient::NeedsCountry);
            return;
        };
        state.recipient.set(Recipient::Resolving);
        leptos::task::spawn_local(async move {
            let input =
                sidechat_domain::wire::PhoneInput { label: phone.label.clone(), raw: phone.raw.clone(), primary: true };
            let answer = ctx.relay().normalize(vec![input], Some(country)).await;
            // The user may have moved on while the relay answered.
            if state.phone().is_some_and(|now| now.raw == phone.raw) && state.country.get_untracked() == Some(country) {
                state.recipient.set(match answer.ok().and_then(|mut phones| phones.pop()).and_then(|p| p.e164) {
                    Some(e164) => Recipient::Ready(e164),
                    None => Recipient::Invalid,
                });
            }
        });
    });
    // A number without a country code starts with the sender number's country (seed 003).
    Effect::new(move |_| {
        let needs = state.phone().is_some_and(|phone: Phone| phone.needs_country_code);
        if needs && state.country.get_untracked().is_none() {
            let suggested = state.sender().and_then(|sender| calling_code::country_of(&sender.phone));
            state.country.set(suggested);
        }
    });
}

/// Loads the recent messages and the window whenever the number or the sender changes, and on `reload`. A reload
/// that fails leaves the messages shown as they are (the event stream or the next reload catches up).
fn load_history(ctx: PanelCtx, state: ChatState, reload: Trigger) {
    Effect::new(move |shown: Option<Option<(E164, Option<String>)>>| {
        reload.track();
        let Recipient::Ready(number) = state.recipient.get() else {
            state.timeline.set(Timeline::default());
            state.window.set(None);
            state.history.set(History::Idle);
            return None;
        };
        let sender = state.from.get();
        let key = Some((number.clone(), sender.clone()));
        let again = shown.flatten() == key && state.history.get_untracked() == History::Ready;
        if !again {
            state.history.set(History::Loading);
        }
        leptos::task::spawn_local(async move {
            let answer = ctx.relay().messages(number.as_str(), sender.as_deref()).await;
            if state.recipient.get_untracked() != Recipient::Ready(number.clone())
                || state.from.get_untracked() != sender
            {
                return;
            }
            match answer {
                Ok(answer) => {
                    state.timeline.update(|timeline| {
                        // Keep what the stream or a send added meanwhile.
                        let mut fresh = Timeline::new(answer.messages);
                        for message in timeline.messages() {
                            if message.contact() == &number {
                                fresh.upsert(message.clone());
                            }
                        }
                        *timeline = fresh;
                    });
                    state.window.set(Some(answer.window));
                    state.history.set(History::Ready);
                    state.adopt_last_sender(answer.last_sender);
                }
                Err(_) if again => {}
                Err(error) => state.history.set(History::Failed(ctx.describe(&error))),
            }
        });
        key
    });
}

/// Reads the history again when the panel comes back into view: Pipedrive's panel expanded again, or the
/// browser tab shown again (a computer woken from sleep may have missed the stream's events).
fn reload_when_shown(ctx: PanelCtx, reload: Trigger) {
    ctx.host().on_shown(move || reload.notify());
    // `visibilitychange` is fired at the document and bubbles to the window.
    let listener = window_event_listener_untyped("visibilitychange", move |_| {
        if document().visibility_state() == web_sys::VisibilityState::Visible {
            reload.notify();
        }
    });
    on_cleanup(move || listener.remove());
}
