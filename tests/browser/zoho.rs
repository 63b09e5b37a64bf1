//! The Zoho adapter in a real page: it hears only messages posted by its parent window from `serviceOrigin`.
//! The test page plays the CRM: it is its own parent (a top-level page), and its origin is the service origin,
//! so what the adapter posts arrives here, and what the page posts to itself comes from the right place.
//! Messages from elsewhere are made with `MessageEvent`'s init dictionary and dispatched to the window.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use sidechat_domain::wire::RecordKind;
use sidechat_widget::host::RecordRef;
use sidechat_widget::host::zoho::Zoho;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::{MessageEvent, MessageEventInit};

use crate::until;

const LIMIT: Duration = Duration::from_secs(5);

/// A page that is not the CRM.
const STRANGER: &str = "https://crm.zoho.eu.attacker.example";

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

fn framework_event(event_name: &str, data: &str, promise_id: Option<&str>) -> JsValue {
    let promise = promise_id.map(|id| format!(r#", "promiseid": "{id}""#)).unwrap_or_default();
    json(&format!(r#"{{"type": "FRAMEWORK.EVENT", "eventName": "{event_name}", "data": {data}{promise}}}"#))
}

/// Dispatches a `message` event as if `origin` had posted it, from this window or from no window at all.
fn deliver_as(origin: &str, from_this_window: bool, data: &JsValue) {
    let window = web_sys::window().unwrap();
    let init = MessageEventInit::new();
    init.set_data(data);
    init.set_origin(origin);
    if from_this_window {
        init.set_source(Some(window.unchecked_ref()));
    }
    let event = MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    window.dispatch_event(&event).unwrap();
}

/// Posts to this window, which is the adapter's parent, from the service origin.
fn post_from_crm(data: &JsValue) {
    let window = web_sys::window().unwrap();
    window.post_message(data, &window.location().origin().unwrap()).unwrap();
}

#[wasm_bindgen_test]
async fn the_zoho_adapter_hears_only_its_parent_from_the_service_origin() {
    let window = web_sys::window().unwrap();
    let crm = window.location().origin().unwrap();
    let zoho = Zoho::from_query(&format!("?serviceOrigin={}", js_sys::encode_uri_component(&crm))).unwrap();

    // What the adapter posts, by `eventName` (and `promiseid` for calls).
    let posted = Rc::new(RefCell::new(Vec::<String>::new()));
    let recorder = Closure::<dyn Fn(MessageEvent)>::new({
        let posted = posted.clone();
        move |event: MessageEvent| {
            let field = |name: &str| js_sys::Reflect::get(&event.data(), &name.into()).ok()?.as_string();
            if field("type").as_deref() == Some("SDK.EVENT") {
                let promise = field("promiseid").map(|id| format!(" {id}")).unwrap_or_default();
                posted.borrow_mut().push(format!("{}{promise}", field("eventName").unwrap_or_default()));
            }
        }
    });
    window.add_event_listener_with_callback("message", recorder.as_ref().unchecked_ref()).unwrap();

    let crm_side = async {
        until("REGISTER to be posted", LIMIT, || posted.borrow().iter().any(|m| m == "REGISTER")).await;
        let context = framework_event("SET_CONTEXT", r#"{"uniqueID": "w1", "locale": "fr_FR"}"#, None);
        let page = framework_event("PageLoad", r#"{"Entity": "Contacts", "EntityId": ["3652397000000624001"]}"#, None);

        // The same messages from a page that is not the CRM, and from the CRM's origin but not the parent
        // window: neither counts (`dispatchEvent` runs the listener at once).
        let stranger_page = framework_event("PageLoad", r#"{"Entity": "Deals", "EntityId": "666"}"#, None);
        for (origin, from_parent) in [(STRANGER, true), (crm.as_str(), false)] {
            deliver_as(
                origin,
                from_parent,
                &framework_event("SET_CONTEXT", r#"{"uniqueID": "x", "locale": "ja"}"#, None),
            );
            deliver_as(origin, from_parent, &stranger_page);
            assert_eq!(zoho.record(), None, "a PageLoad from {origin} (from the parent: {from_parent}) was heard");
            assert_eq!(zoho.locale(), None, "a SET_CONTEXT from {origin} (from the parent: {from_parent}) was heard");
        }

        // From the CRM: the record and the locale are known.
        post_from_crm(&context);
        post_from_crm(&page);
        until("the CRM's PageLoad to be heard", LIMIT, || zoho.record().is_some()).await;
        assert_eq!(zoho.record(), Some(RecordRef { kind: RecordKind::Person, id: "3652397000000624001".into() }));
        assert_eq!(zoho.locale().as_deref(), Some("fr_FR"));
    };
    let (connected, ()) = futures::join!(zoho.connect(), crm_side);

    connected.expect("the adapter connects once the CRM has answered");
    window.remove_event_listener_with_callback("message", recorder.as_ref().unchecked_ref()).unwrap();
}
