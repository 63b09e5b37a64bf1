//! The relay's event stream as the browser runs it: events parsed, reconnections and refusals reported.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use sidechat_domain::wire::DeliveryStatus;
use sidechat_widget::relay::{EventStream, RelayEvent, StreamChange};
use wasm_bindgen_test::wasm_bindgen_test;

use crate::until;

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
async fn a_stream_that_ends_is_reconnected_by_the_browser_and_reported() {
    // A stream whose body ends after one status event: the browser connects again by itself (after the
    // `retry` of 10 ms), and each time the panel hears that it may have missed something.
    let body = "retry: 10\nevent: status\ndata: {\"id\":\"m-1\",\"status\":\"delivered\",\"error\":null}\n\n";
    let url = format!("data:text/event-stream,{}", js_sys::encode_uri_component(body));
    let (stream, events, changes) = record(&url);
    until("a reconnection", Duration::from_secs(10), || changes.borrow().contains(&StreamChange::Reconnected)).await;
    assert_eq!(changes.borrow()[0], StreamChange::Opened, "the first connection is not a reconnection");
    assert!(!changes.borrow().contains(&StreamChange::Closed));
    match &events.borrow()[0] {
        RelayEvent::Status(status) => {
            assert_eq!((status.id.as_str(), status.status), ("m-1", DeliveryStatus::Delivered));
        }
        other => panic!("expected a status event, got {other:?}"),
    }
    drop(stream);
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
