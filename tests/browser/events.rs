//! The relay's event stream as the browser runs it: events parsed, ends and refusals reported; and the panel's
//! use of it against a [`FakeRelay`]: a ticket bought for each stream, never the credential in a URL, a stream
//! about to end renewed without a gap, a dropped one opened again after a wait, the history read again when the
//! relay says the stream fell behind (`reload`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use sidechat_domain::wire::{DeliveryStatus, Phone, Record, RecordKind, Sender};
use sidechat_domain::{E164, Provider};
use sidechat_widget::components::chat::Chat;
use sidechat_widget::context::PanelCtx;
use sidechat_widget::i18n::Lang;
use sidechat_widget::relay::{EventStream, Relay, RelayEvent, StreamChange};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::components::pipedrive_host;
use crate::pipedrive_sdk::PipedriveRecorder;
use crate::{FakeRelay, FakeRelayGuard, until};

const LIMIT: Duration = Duration::from_secs(5);

/// What the relay answers `POST /api/v1/events/ticket` with: `tk-1`, `tk-2`…
const TICKET: &str = r#"{"ticket": "tk-{n}", "expires_at": "2030-01-01T00:01:00Z"}"#;

/// The credential the CRM gives when asked for a fresh one.
const FRESH: &str = "fresh.signed.token";

/// What a stream reported, in order.
type Log<T> = Rc<RefCell<Vec<T>>>;

/// Opens a stream on `url`, recording what it reports.
fn record(url: &str) -> (EventStream, Log<RelayEvent>, Log<StreamChange>) {
    let events = Rc::new(RefCell::new(Vec::new()));
    let changes = Rc::new(RefCell::new(Vec::new()));
    let (on_event, on_change) = (events.clone(), changes.clone());
    let stream = EventStream::open(
        url,
        move |event| on_event.borrow_mut().push(event),
        move |change| on_change.borrow_mut().push(change),
    )
    .unwrap();
    (stream, events, changes)
}

#[wasm_bindgen_test]
async fn a_stream_that_ends_is_closed_for_good_and_reported_once() {
    // A stream whose body ends after a status event and the relay's notice of its end: the browser would connect
    // again by itself after the `retry` of 10 ms, with the same (spent) ticket. The stream is closed instead.
    let body = "retry: 10\nevent: status\ndata: {\"id\":\"m-1\",\"status\":\"delivered\",\"error\":null}\n\n\
                event: expiring\ndata: {\"ends_at\":\"2030-01-01T00:00:30Z\"}\n\n";
    let url = format!("data:text/event-stream,{}", js_sys::encode_uri_component(body));
    let (stream, events, changes) = record(&url);
    until("the end of the stream", Duration::from_secs(10), || changes.borrow().contains(&StreamChange::Closed)).await;
    assert_eq!(*changes.borrow(), [StreamChange::Opened, StreamChange::Expiring, StreamChange::Closed]);
    match &events.borrow()[0] {
        RelayEvent::Status(status) => {
            assert_eq!((status.id.as_str(), status.status), ("m-1", DeliveryStatus::Delivered));
        }
        other => panic!("expected a status event, got {other:?}"),
    }
    // A second stream of the same URL, opened and ended, takes longer than the first one's 10 ms retry.
    let (second, _, second_changes) = record(&url);
    until("the second stream's end", Duration::from_secs(10), || {
        second_changes.borrow().contains(&StreamChange::Closed)
    })
    .await;
    assert_eq!(changes.borrow().len(), 3, "the first stream was connected again: {:?}", changes.borrow());
    drop((stream, second));
}

#[wasm_bindgen_test]
async fn a_stream_the_server_refuses_is_reported_closed() {
    // The test server answers 404 here, as the relay answers 401 to an expired token: the browser gives up.
    let (stream, events, changes) = record("/sidechat-no-such-stream");
    until("the refusal", Duration::from_secs(10), || changes.borrow().contains(&StreamChange::Closed)).await;
    assert_eq!(*changes.borrow(), [StreamChange::Closed], "a refused stream never opened");
    assert!(events.borrow().is_empty());
    drop(stream);
}

#[wasm_bindgen_test]
async fn a_stream_opens_with_a_ticket_bought_with_the_credential_which_stays_out_of_the_url() {
    let relay = FakeRelay::install();
    let crm = PipedriveRecorder::new("browser-panel", FRESH);
    // The credential in the panel's URL has expired: the ticket is bought again with a fresh one.
    let expired = r#"{"error": {"code": "unauthorized", "message": "expired"}}"#;
    relay.answer_once("POST", "/api/v1/events/ticket", 401, expired);
    relay.answer("POST", "/api/v1/events/ticket", 200, TICKET);

    let stream = Relay::new(pipedrive_host()).events("+33612345678", false, |_| {}, |_| {}).await.unwrap();
    assert_eq!(
        relay.requests(),
        [
            r#"POST /api/v1/events/ticket Bearer a.b.c {"phone":"+33612345678"}"#.to_owned(),
            format!(r#"POST /api/v1/events/ticket Bearer {FRESH} {{"phone":"+33612345678"}}"#),
        ]
    );
    assert_eq!(relay.stream_url(0), "/api/v1/events?phone=%2B33612345678&ticket=tk-1");
    drop(stream);
    crm.stop();
}

/// The relay's answer to `GET /api/v1/messages` with `messages` (as [`message_event`] writes them), the window
/// open.
fn history(messages: &[String]) -> String {
    format!(
        r#"{{"messages": [{}], "window": {{"enforced": false, "open": true, "closes_at": null}}, "last_sender": null}}"#,
        messages.join(", ")
    )
}

/// A [`FakeRelay`] answering an empty history and tickets, the Pipedrive host, and the chat mounted on them:
/// the relay, the host (to stop), the chat's root and what keeps it mounted.
fn panel_on_fake_relay() -> (FakeRelayGuard, PipedriveRecorder, web_sys::HtmlElement, Box<dyn std::any::Any>) {
    let relay = FakeRelay::install();
    let crm = PipedriveRecorder::new("browser-panel", FRESH);
    relay.answer("GET", "/api/v1/messages", 200, &history(&[]));
    relay.answer("POST", "/api/v1/events/ticket", 200, TICKET);
    let (root, panel) = mount_chat();
    (relay, crm, root, panel)
}

/// How many times the history was read.
fn history_reads(relay: &FakeRelay) -> usize {
    relay.requests().iter().filter(|r| r.starts_with("GET /api/v1/messages")).count()
}

/// Mounts the panel's chat for Marie Dubois (+33612345678) with one sender; returns its root and what keeps it
/// mounted.
fn mount_chat() -> (web_sys::HtmlElement, Box<dyn std::any::Any>) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let number = E164::parse("+33612345678").unwrap();
    let phone = Phone {
        label: "mobile".into(),
        raw: number.to_string(),
        e164: Some(number),
        needs_country_code: false,
        primary: true,
    };
    let record = Record {
        id: "7".into(),
        kind: RecordKind::Person,
        name: "Marie Dubois".into(),
        phones: vec![phone],
        files: Vec::new(),
        fields: Default::default(),
    };
    let sender = Sender {
        id: "s1".into(),
        phone: E164::parse("+4915112345678").unwrap(),
        label: "Team".into(),
        provider: Provider::Sandbox,
    };
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let host = pipedrive_host();
        PanelCtx::provide(host.clone(), Relay::new(host), Lang::En);
        view! { <Chat record=record senders=vec![sender]/> }
    });
    (root, Box::new(handle))
}

/// A message of the conversation as the stream sends it.
fn message_event(id: &str, body: &str) -> String {
    format!(
        r#"{{"id": "{id}", "direction": "in", "from": "+33612345678", "to": "+4915112345678", "body": "{body}",
            "attachments": [], "status": "delivered", "error": null, "timestamp": "2025-03-03T16:00:00Z"}}"#
    )
}

/// The bodies the message list shows.
fn shown(root: &web_sys::Element) -> Vec<String> {
    let bodies = root.query_selector_all("[data-testid=message] .body").unwrap();
    (0..bodies.length()).filter_map(|i| bodies.item(i)?.text_content()).collect()
}

#[wasm_bindgen_test]
async fn an_expiring_stream_is_renewed_without_a_gap_and_a_dropped_one_is_opened_again_later() {
    let (relay, crm, root, _panel) = panel_on_fake_relay();
    let reads = || history_reads(&relay);
    let tickets =
        || relay.requests().into_iter().filter(|r| r.starts_with("POST /api/v1/events/ticket")).collect::<Vec<_>>();

    until("the history and the first stream", LIMIT, || reads() == 1 && relay.stream_count() == 1).await;
    relay.open(0);
    assert!(relay.emit(0, "message", &message_event("m1", "one")));
    until("the first stream's message", LIMIT, || shown(&root) == ["one"]).await;

    // The relay announces the stream's end: the next one is bought at once, with a fresh credential, and the
    // first goes on delivering until the next is open.
    assert!(relay.emit(0, "expiring", r#"{"ends_at": "2030-01-01T00:00:30Z"}"#));
    until("the next stream", LIMIT, || relay.stream_count() == 2).await;
    assert!(tickets()[1].contains(&format!("Bearer {FRESH}")), "{:?}", tickets());
    assert!(relay.emit(0, "message", &message_event("m2", "two")), "the first stream closed before the next opened");
    until("the first stream's last message", LIMIT, || shown(&root) == ["one", "two"]).await;
    assert_eq!(reads(), 1, "the history was read again before the switch");
    relay.open(1);
    until("the first stream to close", LIMIT, || relay.stream_closed(0)).await;
    until("the history to be read again after the switch", LIMIT, || reads() == 2).await;
    assert!(relay.emit(1, "message", &message_event("m3", "three")));
    until("the next stream's message", LIMIT, || shown(&root) == ["one", "two", "three"]).await;

    // A drop: the stream is closed at once (the browser would connect again with the spent ticket), and a new
    // one bought after the first failure's wait of a second.
    let dropped_at = js_sys::Date::now();
    relay.fail(1);
    assert!(relay.stream_closed(1));
    until("a stream again", LIMIT, || relay.stream_count() == 3).await;
    assert!(js_sys::Date::now() - dropped_at >= 900.0, "opened again without waiting");
    relay.open(2);
    until("the history to be read again after the failure", LIMIT, || reads() == 3).await;

    let urls: Vec<String> = (0..3).map(|i| relay.stream_url(i)).collect();
    assert_eq!(
        urls,
        (1..=3).map(|n| format!("/api/v1/events?phone=%2B33612345678&ticket=tk-{n}")).collect::<Vec<_>>(),
        "each stream has its own ticket, and no credential"
    );
    crm.stop();
}

#[wasm_bindgen_test]
async fn a_stream_told_to_reload_reads_the_history_again_and_stays_open() {
    let (relay, crm, root, _panel) = panel_on_fake_relay();
    let reads = || history_reads(&relay);
    until("the history and the stream", LIMIT, || reads() == 1 && relay.stream_count() == 1).await;
    relay.open(0);

    // The relay's stream fell behind: what it could not deliver is in the history, read again.
    let missed = history(&[message_event("m1", "missed one"), message_event("m2", "missed two")]);
    relay.answer_once("GET", "/api/v1/messages", 200, &missed);
    assert!(relay.emit(0, "reload", "{}"));
    until("the history read again", LIMIT, || shown(&root) == ["missed one", "missed two"]).await;
    assert_eq!(reads(), 2);
    assert!(!relay.stream_closed(0) && relay.stream_count() == 1, "the stream goes on: only the history is re-read");
    assert!(relay.emit(0, "message", &message_event("m3", "live again")));
    until("the next live message", LIMIT, || shown(&root) == ["missed one", "missed two", "live again"]).await;
    crm.stop();
}
