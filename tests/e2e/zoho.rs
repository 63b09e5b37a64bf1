//! The widget inside the page that plays Zoho CRM: the embedded-app protocol end to end.

use fantoccini::Locator;
use serde_json::Value;

use crate::support::{Browser, LIMIT, Relay};

#[tokio::test]
async fn in_the_zoho_host_the_widget_registers_reads_its_contact_through_the_host_and_resizes() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;

    client.goto(&format!("{}&record=Contacts:5725767000002002001&locale=fr", relay.zoho_host)).await.unwrap();
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css("[data-testid=host-panel][data-connected=true]"))
        .await
        .expect("the widget never registered with the host");

    client.find(Locator::Css("[data-testid=host-iframe]")).await.unwrap().enter_frame().await.unwrap();
    let name = client.wait().at_most(LIMIT).for_element(Locator::Css("[data-testid=record-name]")).await.unwrap();
    assert_eq!(name.text().await.unwrap(), "Marie Dubois", "the contact was read through the host");
    client.enter_parent_frame().await.unwrap();

    let panel = client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css("[data-testid=host-panel][data-resized=true]"))
        .await
        .expect("the widget never asked the host to resize it");
    let height: f64 = panel.attr("data-height").await.unwrap().unwrap().parse().unwrap();
    assert!(height > 0.0);

    // What the widget said on the wire, as the page logged it.
    let log = client.execute("return window.__sidechatHostLog", vec![]).await.unwrap();
    let messages = log.as_array().expect("the host's log");
    let register = &messages[0];
    assert_eq!((register["type"].as_str(), register["eventName"].as_str()), (Some("SDK.EVENT"), Some("REGISTER")));
    let calls: Vec<&Value> = messages.iter().filter(|m| m["eventName"] == "CRM_EVENT").collect();
    let has = |category: &str, check: &dyn Fn(&Value) -> bool| {
        calls.iter().any(|call| {
            call["data"]["category"] == category && call["data"]["sdkVersion"] == "1" && check(&call["data"])
        })
    };
    assert!(has("READ", &|d| d["APIData"]["Entity"] == "Contacts" && d["APIData"]["RelatedList"].is_null()));
    assert!(has("READ", &|d| d["APIData"]["RelatedList"] == "Attachments"));
    assert!(has("META", &|d| d["type"] == "FIELD_LIST" && d["Entity"] == "Contacts"));
    assert!(has("CONFIG", &|d| d["type"] == "VARIABLE" && d["nameSpace"] == "sidechat_install_key"));
    assert!(has("UI", &|d| d["action"] == "RESIZE" && d["data"]["height"].as_f64().is_some_and(|h| h > 0.0)));
    assert!(calls.iter().all(|call| call["promiseid"].as_str().is_some_and(|id| id.starts_with("Promise"))));

    browser.client.clone().close().await.unwrap();
}
