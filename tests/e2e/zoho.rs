//! The widget inside the page that plays Zoho CRM: the embedded-app protocol end to end.

use fantoccini::Locator;
use serde_json::Value;

use crate::a11y::{assert_no_serious, audit, axe_source};
use crate::support::{Browser, LIMIT, Relay, count, open_in_host, sign_in_with_zoho, until, wait};

/// The demo org's administrator and salesperson, as the Zoho stand-in knows them.
const ZOHO_ADMIN: &str = "4150868000000225013";
const ZOHO_SALESPERSON: &str = "4150868000000225014";

#[tokio::test]
async fn in_the_zoho_host_the_widget_registers_reads_its_contact_through_the_host_and_resizes() {
    let relay = Relay::start();
    // Zoho passes no theme: the panel follows the system's, dark here.
    let browser = Browser::start_dark().await;
    let client = &browser.client;

    // The dev host marks the panel connected once the widget registered.
    open_in_host(client, &format!("{}&record=Contacts:5725767000002002001&locale=fr", relay.zoho_host), "connected")
        .await;
    // Without a session, the panel asks the user to sign in with Zoho, in the host's language.
    let ask = wait(client, "[data-testid=sign-in]").await;
    assert!(ask.text().await.unwrap().contains("Zoho"), "{}", ask.text().await.unwrap());
    sign_in_with_zoho(client, ZOHO_SALESPERSON).await;
    let name = wait(client, "[data-testid=record-name]").await;
    assert_eq!(name.text().await.unwrap(), "Marie Dubois", "the contact was read through the host");
    // Zoho's locale (French here) wins over the browser's languages.
    let root = client.find(Locator::Css("html")).await.unwrap();
    assert_eq!(root.attr("lang").await.unwrap().as_deref(), Some("fr"));
    assert_eq!(root.attr("data-theme").await.unwrap().as_deref(), Some("dark"));
    let send = client.find(Locator::Css("[data-testid=send-button]")).await.unwrap();
    assert_eq!(send.text().await.unwrap(), "Envoyer");
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
    // Nothing the page says names the user or the credential: no org variable, no current user is asked.
    assert!(!calls.iter().any(|call| call["data"]["category"] == "CONFIG"), "{calls:?}");
    assert!(has("UI", &|d| d["action"] == "RESIZE" && d["data"]["height"].as_f64().is_some_and(|h| h > 0.0)));
    assert!(calls.iter().all(|call| call["promiseid"].as_str().is_some_and(|id| id.starts_with("Promise"))));

    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn in_the_zoho_host_a_record_attachment_is_read_through_the_host_uploaded_and_sent() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_in_host(client, &format!("{}&record=Contacts:5725767000002002001", relay.zoho_host), "connected").await;
    sign_in_with_zoho(client, ZOHO_ADMIN).await;
    let wait = |css: &'static str| wait(client, css);

    // Marie's mobile is stored without a country code; in France it is the number she writes from.
    wait("[data-testid=to-select]").await.select_by_value("06 12 34 56 78").await.unwrap();
    wait("[data-testid=country-code]").await.select_by_value("FR").await.unwrap();
    wait("[data-testid=message][data-direction=in]").await;

    // The oversize video is refused before anything is read; the PDF is read through Zoho and uploaded.
    wait("[data-testid=attachment-picker] summary").await.click().await.unwrap();
    wait("[data-testid=attachment-option][value='f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5sitevideo']")
        .await
        .click()
        .await
        .unwrap();
    let refusal = wait("[data-testid=error][data-field=attachments]").await;
    assert!(refusal.text().await.unwrap().contains("16 MB"));
    wait("[data-testid=attachment-option][value='f7c1e2d3a4b5c6d7e8f9a0b1c2d3e4f5quotepdf']")
        .await
        .click()
        .await
        .unwrap();
    wait("[data-testid=chosen-file]").await;
    wait("[data-testid=message-input]").await.send_keys("Voici le devis.").await.unwrap();
    wait("[data-testid=send-button]:not([disabled])").await.click().await.unwrap();

    let started = std::time::Instant::now();
    loop {
        let done = client
            .execute(
                "const all = document.querySelectorAll('[data-testid=message][data-direction=out]'); \
                 const m = all[all.length - 1]; const a = m && m.querySelector('[data-testid=message-attachment]'); \
                 return !!a && a.textContent.includes('quote-2026-114.pdf') && m.dataset.status !== 'queued'",
                vec![],
            )
            .await
            .unwrap();
        if done.as_bool() == Some(true) {
            break;
        }
        assert!(started.elapsed() < LIMIT, "the message with the uploaded file was not sent");
        tokio::task::yield_now().await;
    }
    client.enter_parent_frame().await.unwrap();
    let log = client.execute("return JSON.stringify(window.__sidechatHostLog)", vec![]).await.unwrap();
    assert!(log.as_str().unwrap().contains("DOWNLOAD_FILE"), "the file's bytes came through the host");
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn an_admin_connects_a_sandbox_number_in_the_settings_view_and_sends_from_it() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_in_host(client, &format!("{}&record=Contacts:5725767000002002001", relay.zoho_host), "connected").await;
    sign_in_with_zoho(client, ZOHO_ADMIN).await;
    wait(client, "[data-testid=record-name]").await;

    // An administrator finds the settings view from the panel, in the same frame.
    wait(client, "[data-testid=settings-link]").await.click().await.unwrap();
    wait(client, "[data-testid=settings-view]").await;
    wait(client, "[data-testid=connection-row][data-provider=sandbox]").await;
    let before = count(client, "[data-testid=connection-row]").await;
    assert_no_serious("settings view", &audit(client, &axe_source()).await.violations);

    // A refusal shows next to the field it names.
    wait(client, "[data-testid=connect-provider]").await.select_by_value("timelines").await.unwrap();
    wait(client, "[data-testid=connect-submit]").await.click().await.unwrap();
    let refusal = wait(client, "[data-testid=connection-error][data-field=api_token]").await;
    assert!(!refusal.text().await.unwrap().is_empty());

    // A sandbox number of its own.
    wait(client, "[data-testid=connect-provider]").await.select_by_value("sandbox").await.unwrap();
    wait(client, "[data-testid=connect-label]").await.send_keys("Trial line").await.unwrap();
    wait(client, "[data-testid=connect-submit]:not([disabled])").await.click().await.unwrap();
    until(
        client,
        "the new connection to be listed",
        &format!("return document.querySelectorAll('[data-testid=connection-row]').length === {}", before + 1),
    )
    .await;
    let rows = client.find_all(Locator::Css("[data-testid=connection-row]")).await.unwrap();
    let new_row = rows.last().unwrap().text().await.unwrap();
    assert!(new_row.contains("Trial line"), "{new_row}");
    let phone = new_row.split_whitespace().find(|word| word.starts_with("+49309018")).expect("its number").to_owned();
    wait(client, "[data-testid=log-entry][data-action=connect]").await;

    // Back in the panel, a template goes out from the new number (it never talked with Marie: the window is closed).
    wait(client, "[data-testid=back-to-panel]").await.click().await.unwrap();
    wait(client, "[data-testid=record-name]").await;
    wait(client, "[data-testid=to-select]").await.select_by_value("06 12 34 56 78").await.unwrap();
    wait(client, "[data-testid=country-code]").await.select_by_value("FR").await.unwrap();
    let sender = format!("sandbox-{}", phone.trim_start_matches('+'));
    wait(client, "[data-testid=from-select]").await.select_by_value(&sender).await.unwrap();
    let picker = wait(client, "[data-testid=template-picker]").await;
    picker.select_by_value("follow_up|en_US").await.unwrap();
    let params = client.find_all(Locator::Css("[data-testid=template-param]")).await.unwrap();
    params[0].send_keys("Marie").await.unwrap();
    params[1].send_keys("Zoe").await.unwrap();
    let sent_before = count(client, "[data-testid=message][data-direction=out]").await;
    wait(client, "[data-testid=send-button]:not([disabled])").await.click().await.unwrap();
    until(
        client,
        "the template to be sent from the new number",
        &format!(
            "const out = document.querySelectorAll('[data-testid=message][data-direction=out]'); \
             return out.length === {} && out[out.length - 1].dataset.status !== 'queued'",
            sent_before + 1
        ),
    )
    .await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn an_admin_signs_in_to_the_relays_own_settings_page_with_zoho() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    client.goto(&format!("{}/settings", relay.url)).await.unwrap();
    wait(client, "[data-testid=sign-in-zoho]").await.click().await.unwrap();
    // Zoho Accounts (the dev host's), then back to the relay with a session cookie, to the settings view.
    wait(client, &format!("[data-testid=zoho-allow-{ZOHO_ADMIN}]")).await.click().await.unwrap();
    wait(client, "[data-testid=settings-view] [data-testid=connection-row][data-provider=sandbox]").await;
    wait(client, "[data-testid=connect-whatsapp]").await;
    // A change goes through with the cookie from the relay's own page.
    let name = wait(client, "[data-testid=workspace-name]").await;
    name.clear().await.unwrap();
    name.send_keys("Zylker sales").await.unwrap();
    wait(client, "[data-testid=workspace-save]:not([disabled])").await.click().await.unwrap();
    wait(client, "[data-testid=log-entry][data-action=settings]").await;
    browser.client.clone().close().await.unwrap();
}
