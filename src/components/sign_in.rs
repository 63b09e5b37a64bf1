//! **Sign in with Zoho**: a Zoho user's panel has no credential of its own until the user signs in with the relay.
//! The button opens a small window at once (a window opened later, after a network call, is blocked as a pop-up),
//! asks the relay for a sign-in hand-off, and sends the window to it. The session comes back two ways, whichever is
//! first: the relay's last page posts it to this window (from the relay's origin only), and the panel claims it
//! with the hand-off's secret every two seconds, which also serves when no window could be opened and the user
//! signs in in a new tab through the link shown instead.

use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::context::PanelCtx;
use crate::i18n::{Text, fill};
use crate::relay::session::Session;
use crate::relay::{Handoff, RelayError};

/// How often the hand-off is claimed while the user signs in (ms).
const CLAIM_EVERY_MS: u64 = 2_000;
/// How long the panel keeps waiting (ms): the relay's sign-ins expire after 15 minutes.
const WAIT_MS: u64 = 15 * 60_000;

/// Where the sign-in stands.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Not started.
    Idle,
    /// The user is signing in; with the link to use when no window could be opened.
    Waiting(Option<String>),
    /// It could not start or finish.
    Failed(String),
}

/// Why the panel needs the user to sign in, and the button that does it.
#[component]
pub fn SignIn(
    /// Called once the panel has a session.
    on_signed_in: Callback<()>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let crm = ctx.host().crm_name();
    let step = RwSignal::new(Step::Idle);
    // Set once a session arrived, so the other way stops.
    let finished = StoredValue::new(false);
    let start = move |_| {
        let window = web_sys::window().expect("a window");
        // Opened now, while the click allows it; sent to the sign-in once the relay has answered.
        let popup = window
            .open_with_url_and_target_and_features("", "sidechat-sign-in", "popup,width=520,height=700")
            .ok()
            .flatten();
        step.set(Step::Waiting(None));
        finished.set_value(false);
        leptos::task::spawn_local(async move {
            let relay = ctx.relay();
            let origin = window.location().origin().unwrap_or_default();
            let handoff = match relay.start_sign_in(&origin).await {
                Ok(handoff) => handoff,
                Err(error) => {
                    if let Some(popup) = &popup {
                        let _ = popup.close();
                    }
                    step.set(Step::Failed(ctx.describe(&error)));
                    return;
                }
            };
            let opened = popup.as_ref().is_some_and(|popup| popup.location().set_href(&handoff.start_url).is_ok());
            if !opened {
                step.set(Step::Waiting(Some(handoff.start_url.clone())));
            }
            let done = Rc::new(move |session: Option<Session>| {
                if finished.get_value() {
                    return;
                }
                finished.set_value(true);
                if let Some(session) = session {
                    ctx.relay().accept_session(&session);
                }
                step.set(Step::Idle);
                on_signed_in.run(());
            });
            listen_for_session(relay.origin(), done.clone(), finished);
            claim_until_done(ctx, handoff, done, finished, step, 0);
        });
    };
    view! {
        <div class="sign-in" data-testid="sign-in">
            <p>{move || fill(ctx.t(Text::SignInNeeded), &[("crm", crm)])}</p>
            <button type="button" class="primary" data-testid="zoho-sign-in" on:click=start
                disabled=move || matches!(step.get(), Step::Waiting(_))>
                {move || fill(ctx.t(Text::SignIn), &[("crm", crm)])}
            </button>
            {move || match step.get() {
                Step::Idle => ().into_any(),
                Step::Waiting(None) => view! {
                    <p class="muted" role="status" data-testid="sign-in-waiting">{move || ctx.t(Text::SigningIn)}</p>
                }.into_any(),
                Step::Waiting(Some(url)) => view! {
                    <p role="status">
                        <a data-testid="zoho-sign-in-tab" href=url target="_blank" rel="noopener">{move || ctx.t(Text::SignInInTab)}</a>
                    </p>
                }.into_any(),
                Step::Failed(why) => view! {
                    <p class="error" role="alert" data-testid="error" data-field="sign-in" title=why>{move || ctx.t(Text::SignInFailed)}</p>
                }.into_any(),
            }}
        </div>
    }
}

/// Takes the session the relay's last page posts to this window: only from the relay's origin, only its shape.
fn listen_for_session(relay_origin: String, done: Rc<dyn Fn(Option<Session>)>, finished: StoredValue<bool>) {
    let Some(window) = web_sys::window() else { return };
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        if finished.get_value() || event.origin() != relay_origin {
            return;
        }
        let data = event.data();
        let field = |name: &str| js_sys::Reflect::get(&data, &name.into()).ok().and_then(|v| v.as_string());
        if field("type").as_deref() != Some("sidechat:session") {
            return;
        }
        if let (Some(session), Some(expires_at)) = (field("session"), field("expires_at")) {
            done(Some(Session { session, expires_at }));
        }
    });
    let _ = window.add_event_listener_with_callback("message", handler.as_ref().unchecked_ref());
    // The listener stays for the panel's life: it ignores everything once a session has arrived.
    handler.forget();
}

/// Claims the hand-off every two seconds until a session comes (either way) or the sign-in expires.
fn claim_until_done(
    ctx: PanelCtx,
    handoff: Handoff,
    done: Rc<dyn Fn(Option<Session>)>,
    finished: StoredValue<bool>,
    step: RwSignal<Step>,
    waited: u64,
) {
    if finished.get_value() {
        return;
    }
    if waited >= WAIT_MS {
        step.set(Step::Failed("the sign-in took too long".to_owned()));
        return;
    }
    set_timeout(
        move || {
            leptos::task::spawn_local(async move {
                if finished.get_value() {
                    return;
                }
                match ctx.relay().claim_session(&handoff).await {
                    // `claim_session` kept it already.
                    Ok(Some(_)) => done(None),
                    Ok(None) | Err(RelayError::Unreachable) => {
                        claim_until_done(ctx, handoff, done, finished, step, waited + CLAIM_EVERY_MS);
                    }
                    Err(error) if !finished.get_value() => step.set(Step::Failed(ctx.describe(&error))),
                    Err(_) => {}
                }
            });
        },
        std::time::Duration::from_millis(CLAIM_EVERY_MS),
    );
}
