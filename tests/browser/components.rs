//! Components mounted alone, with the contexts the panel would give them: a standalone host (no CRM, and a
//! relay that is not there) with their state set by the test as the relay's answers would set it, or a Pipedrive
//! host whose relay calls a [`FakeRelay`] answers.

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::prelude::*;
use sidechat_domain::E164;
use sidechat_domain::window::ServiceWindow;
use sidechat_domain::wire::{Author, DeliveryStatus, Direction, Message, MessageError, Record, RecordKind};
use sidechat_widget::components::canned::CannedPicker;
use sidechat_widget::components::message_list::MessageList;
use sidechat_widget::components::panel::Panel;
use sidechat_widget::components::window_banner::WindowBanner;
use sidechat_widget::context::PanelCtx;
use sidechat_widget::host::Host;
use sidechat_widget::host::pipedrive::{PanelContext, Pipedrive};
use sidechat_widget::i18n::Lang;
use sidechat_widget::relay::Relay;
use sidechat_widget::state::{ChatState, History};
use sidechat_widget::timeline::Timeline;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::{FakeRelay, until};

const LIMIT: Duration = Duration::from_secs(5);

/// A fresh element in the page for one component, so tests never see each other's markup.
fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let element: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

fn all(within: &web_sys::Element, css: &str) -> Vec<web_sys::Element> {
    let found = within.query_selector_all(css).unwrap();
    (0..found.length()).filter_map(|i| found.item(i)?.dyn_into().ok()).collect()
}

/// Provides the panel's and the conversation's contexts, as `App` and `Chat` do, in English.
fn provide_contexts() -> ChatState {
    PanelCtx::provide(Host::Standalone, Relay::new(Host::Standalone), Lang::En);
    provide_chat()
}

/// A Pipedrive panel on person 7, whose credential is `a.b.c`.
pub(crate) fn pipedrive_host() -> Host {
    let query = "?id=browser-panel&userId=3&companyId=5&token=a.b.c&resource=person&selectedIds=7&theme=light";
    Host::Pipedrive(Pipedrive::new(PanelContext::from_query(query).unwrap()))
}

/// Provides the panel's context on [`pipedrive_host`], in `lang`.
fn provide_pipedrive(lang: Lang) {
    let host = pipedrive_host();
    PanelCtx::provide(host.clone(), Relay::new(host), lang);
}

/// Provides the conversation's context, on a person without phones or files.
fn provide_chat() -> ChatState {
    let record = Record {
        id: "1".into(),
        kind: RecordKind::Person,
        name: "Marie Dubois".into(),
        phones: Vec::new(),
        files: Vec::new(),
        fields: BTreeMap::new(),
    };
    ChatState::provide(record, Vec::new())
}

fn message(id: &str, direction: Direction, body: &str, status: DeliveryStatus, at: &str) -> Message {
    let (customer, sender) = (E164::parse("+33612345678").unwrap(), E164::parse("+4915112345678").unwrap());
    let (from, to) = if direction == Direction::In { (customer, sender) } else { (sender, customer) };
    Message {
        id: id.into(),
        direction,
        from,
        to,
        body: body.into(),
        attachments: Vec::new(),
        status,
        error: None,
        timestamp: at.parse().unwrap(),
        author: None,
    }
}

#[wasm_bindgen_test]
async fn message_list_shows_markup_as_text_directions_and_a_failure_reason() {
    let root = container();
    let mut failed = message(
        "m2",
        Direction::Out,
        "Voici <script>alert(1)</script>",
        DeliveryStatus::Failed,
        "2025-03-04T09:10:00Z",
    );
    failed.error = Some(MessageError { code: "131047".into(), message: "Re-engagement message".into() });
    let messages = vec![
        message("m1", Direction::In, "Parfait, merci <b>beaucoup</b> !", DeliveryStatus::Read, "2025-03-03T16:00:00Z"),
        failed,
    ];
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let state = provide_contexts();
        state.timeline.set(Timeline::new(messages));
        state.history.set(History::Ready);
        view! { <MessageList/> }
    });

    until("both messages to show", LIMIT, || all(&root, "[data-testid=message]").len() == 2).await;
    let items = all(&root, "[data-testid=message]");
    let directions: Vec<_> = items.iter().map(|m| m.get_attribute("data-direction").unwrap()).collect();
    assert_eq!(directions, ["in", "out"], "oldest first");
    let bodies: Vec<_> = all(&root, "[data-testid=message] .body").iter().map(|b| b.text_content().unwrap()).collect();
    assert_eq!(bodies, ["Parfait, merci <b>beaucoup</b> !", "Voici <script>alert(1)</script>"]);
    assert!(all(&root, ".body b, .body script").is_empty(), "a body's markup was parsed");
    assert_eq!(all(&root, "h2.day").len(), 2, "a separator for each day");

    let status = &all(&root, "[data-status=failed] [data-testid=message-status]")[0];
    assert_eq!(status.get_attribute("aria-label").as_deref(), Some("Not sent: Re-engagement message"));
    assert_eq!(status.get_attribute("tabindex").as_deref(), Some("0"), "the reason can be reached by keyboard");
    assert!(all(&root, "[data-status=read] [data-testid=failure-reason]").is_empty());
}

#[wasm_bindgen_test]
async fn window_banner_shows_only_while_the_window_is_closed() {
    let root = container();
    let state = RwSignal::new(None::<ChatState>);
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        state.set(Some(provide_contexts()));
        view! { <WindowBanner/> }
    });
    let state = state.get_untracked().unwrap();
    let closed_at: jiff::Timestamp = "2025-03-03T16:00:00Z".parse().unwrap();

    // No window known, or one that is open: free text goes, nothing to say.
    assert!(all(&root, "[data-testid=window-banner]").is_empty());
    state.window.set(Some(ServiceWindow { enforced: true, open: true, closes_at: Some(closed_at) }));
    until("the open window's end to show", LIMIT, || !all(&root, "[data-testid=window-open]").is_empty()).await;
    assert!(all(&root, "[data-testid=window-banner]").is_empty());

    // Closed: the banner says since when, and offers templates.
    state.window.set(Some(ServiceWindow { enforced: true, open: false, closes_at: Some(closed_at) }));
    until("the banner to show", LIMIT, || !all(&root, "[data-testid=window-banner]").is_empty()).await;
    let banner = &all(&root, "[data-testid=window-banner]")[0];
    assert_eq!(banner.get_attribute("role").as_deref(), Some("status"));
    assert!(banner.text_content().unwrap().starts_with("The 24-hour window closed on "), "{:?}", banner.text_content());
    assert!(!all(&root, "label[for=template-picker]").is_empty(), "templates are offered");

    // A provider without a window never shows it.
    state.window.set(Some(ServiceWindow { enforced: false, open: true, closes_at: None }));
    until("the banner to go", LIMIT, || all(&root, "[data-testid=window-banner]").is_empty()).await;
}

fn click(element: &web_sys::Element) {
    element.unchecked_ref::<web_sys::HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn an_outgoing_messages_author_shows_as_text_and_is_read_out_as_its_sender() {
    let root = container();
    let ana = Author { id: "u-1".into(), name: "Ana <b>Lima</b>".into() };
    let mut by_ana = message("m1", Direction::Out, "Bonjour", DeliveryStatus::Read, "2025-03-03T16:00:00Z");
    by_ana.author = Some(ana.clone());
    // The relay names no author for a reply; one it named anyway is not shown on the customer's bubble.
    let mut reply = message("m2", Direction::In, "Merci", DeliveryStatus::Read, "2025-03-03T16:01:00Z");
    reply.author = Some(ana);
    let older = message("m3", Direction::Out, "Sans auteur", DeliveryStatus::Read, "2025-03-03T16:02:00Z");
    let _handle = leptos::mount::mount_to(root.clone(), move || {
        let state = provide_contexts();
        state.timeline.set(Timeline::new(vec![by_ana, reply, older]));
        state.history.set(History::Ready);
        view! { <MessageList/> }
    });

    until("the messages to show", LIMIT, || all(&root, "[data-testid=message]").len() == 3).await;
    let authors = all(&root, "[data-testid=message-author]");
    assert_eq!(authors.len(), 1, "only the outgoing message with an author names one");
    assert_eq!(
        authors[0].closest("[data-testid=message]").unwrap().unwrap().get_attribute("data-id").as_deref(),
        Some("m1")
    );
    assert_eq!(
        authors[0].text_content().as_deref(),
        Some("Sent by Ana <b>Lima</b>"),
        "screen readers hear who sent it"
    );
    let hidden: Vec<_> = all(&authors[0], ".visually-hidden").iter().map(|e| e.text_content().unwrap()).collect();
    assert_eq!(hidden.concat(), "Sent by ", "only the name is shown");
    assert!(all(&authors[0], "b").is_empty(), "the author's name was parsed as markup");
    let unnamed = &all(&root, "[data-id=m3] .visually-hidden")[0];
    assert_eq!(unnamed.text_content().as_deref(), Some("Sent by you"));
}

#[wasm_bindgen_test]
async fn a_record_refused_for_want_of_the_users_crm_account_links_to_where_it_is_connected() {
    let relay = FakeRelay::install();
    let connect = "https://relay.example/connect/pipedrive?state=s-1&user=3";
    let refusal = format!(
        r#"{{"error": {{"code": "not_connected_user", "message": "Connect your Pipedrive account", "connect_url": "{connect}"}}}}"#
    );
    relay.answer("GET", "/api/v1/records/pipedrive/person/7", 403, &refusal);
    relay.answer("GET", "/api/v1/senders", 200, r#"{"senders": []}"#);
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), || {
        provide_pipedrive(Lang::En);
        view! { <Panel/> }
    });

    until("the connect link", LIMIT, || !all(&root, "[data-testid=connect-crm-account]").is_empty()).await;
    let link = &all(&root, "[data-testid=connect-crm-account]")[0];
    assert_eq!(link.tag_name(), "A");
    assert_eq!(link.get_attribute("href").as_deref(), Some(connect));
    assert_eq!(link.text_content().as_deref(), Some("Connect your Pipedrive account"));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    let rel = link.get_attribute("rel").unwrap_or_default();
    assert!(rel.contains("noopener") && rel.contains("noreferrer"), "{rel}");
    let notice = all(&root, "[data-testid=connect-crm]")[0].text_content().unwrap();
    assert!(notice.starts_with("Sidechat reads records with your own Pipedrive account"), "{notice}");
    assert!(!all(&root, "[data-testid=retry-button]").is_empty(), "the record can be read again once connected");
    let asked = relay.requests();
    assert!(asked.contains(&"GET /api/v1/records/pipedrive/person/7 Bearer a.b.c".to_owned()), "{asked:?}");
}

#[wasm_bindgen_test]
async fn canned_texts_offer_edit_and_delete_only_where_the_user_may_and_a_refusal_shows_beside_the_text() {
    let relay = FakeRelay::install();
    let texts = r#"{"canned_texts": [
        {"id": "c1", "name": "Bienvenue", "module": "Persons", "body": "Bonjour", "owner": {"id": "u-1", "name": "Ana"}, "editable": true},
        {"id": "c2", "name": "Relance", "module": "Deals", "body": "Alors ?", "owner": {"id": "u-2", "name": "Bruno"}, "editable": false},
        {"id": "c3", "name": "Ancien", "module": "Persons", "body": "Salut", "owner": null, "editable": false}
    ]}"#;
    relay.answer("GET", "/api/v1/canned-texts", 200, texts);
    // The list was read before the text's owner changed: the relay refuses what the list still offered.
    relay.answer(
        "DELETE",
        "/api/v1/canned-texts/c1",
        403,
        r#"{"error": {"code": "forbidden", "message": "Forbidden"}}"#,
    );
    let root = container();
    let _handle = leptos::mount::mount_to(root.clone(), || {
        provide_pipedrive(Lang::Fr);
        provide_chat();
        view! { <CannedPicker on_insert=|_: (String, Vec<String>)| {}/> }
    });

    click(&all(&root, "#canned-toggle")[0]);
    until("the manage button", LIMIT, || !all(&root, "[data-testid=canned-manage]").is_empty()).await;
    click(&all(&root, "[data-testid=canned-manage]")[0]);
    until("the texts to manage", LIMIT, || all(&root, "[data-testid=canned-item]").len() == 3).await;
    let actions = |id: &str| {
        let item = format!("[data-testid=canned-item][data-id={id}]");
        (
            all(&root, &format!("{item} [data-testid=canned-edit]")).len(),
            all(&root, &format!("{item} [data-testid=canned-delete]")).len(),
        )
    };
    assert_eq!(actions("c1"), (1, 1), "the user's own text");
    assert_eq!(actions("c2"), (0, 0), "another's text");
    assert_eq!(actions("c3"), (0, 0), "a text older than workspaces");
    let owners: Vec<_> = all(&root, "[data-testid=canned-owner]").iter().map(|o| o.text_content().unwrap()).collect();
    assert_eq!(owners, ["Créé par Ana", "Créé par Bruno"]);

    click(&all(&root, "[data-id=c1] [data-testid=canned-delete]")[0]);
    until("the refusal beside the text", LIMIT, || !all(&root, "[data-id=c1] [data-testid=error]").is_empty()).await;
    let refusal = all(&root, "[data-id=c1] [data-testid=error]")[0].text_content().unwrap();
    assert_eq!(
        refusal,
        "Vous n’avez pas le droit de faire cela. Demandez-le à son propriétaire ou à un administrateur."
    );
    assert_eq!(all(&root, "[data-testid=error]").len(), 1, "the refusal shows once, beside its text");
    assert!(relay.requests().iter().any(|r| r.starts_with("DELETE /api/v1/canned-texts/c1 Bearer a.b.c")));
}
