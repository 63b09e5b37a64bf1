//! The panel inside the Pipedrive dev host, used as a salesperson would: read the conversation, pick numbers,
//! fill a country code, insert a canned text, attach a record file, send, watch statuses advance and a reply
//! arrive live; and every error where it belongs.

use fantoccini::Locator;
use fantoccini::key::Key;

use crate::support::{Browser, Relay, count, open_panel, until, wait};

#[tokio::test]
async fn a_message_is_sent_shown_queued_then_read_and_the_reply_arrives_live() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_panel(client, &relay, "person:1", "").await;

    // The history: markup in a body is shown as its characters, never parsed.
    wait(client, "[data-testid=message][data-direction=in]").await;
    let bodies = client.find_all(Locator::Css("[data-testid=message] .body")).await.unwrap();
    let mut texts = Vec::new();
    for body in &bodies {
        texts.push(body.text().await.unwrap());
    }
    assert!(texts.iter().any(|t| t == "Parfait, merci <b>beaucoup</b> !"), "{texts:?}");
    assert_eq!(count(client, "[data-testid=message] .body b").await, 0, "a body's markup was parsed");
    let inbound_before = count(client, "[data-testid=message][data-direction=in]").await;
    let outbound_before = count(client, "[data-testid=message][data-direction=out]").await;

    // Send is disabled until there is something to send; the count follows the text.
    let send = wait(client, "[data-testid=send-button]").await;
    assert!(!send.is_enabled().await.unwrap());
    let input = wait(client, "[data-testid=message-input]").await;
    input.send_keys("Le devis arrive ?").await.unwrap();
    assert_eq!(wait(client, "[data-testid=char-count]").await.text().await.unwrap(), "17 / 4096");

    // Ctrl+Enter sends; the message shows at once, then follows its statuses to read.
    input.send_keys(&format!("{}{}", Key::Control, Key::Enter)).await.unwrap();
    until(
        client,
        "the sent message to show",
        &format!(
            "return document.querySelectorAll('[data-testid=message][data-direction=out]').length === {}",
            outbound_before + 1
        ),
    )
    .await;
    until(
        client,
        "the status to reach read",
        "const all = document.querySelectorAll('[data-testid=message][data-direction=out]'); \
         return all[all.length - 1].dataset.status === 'read'",
    )
    .await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some(""), "the box empties once the relay took it");

    // The sandbox answers a question; the reply arrives through the event stream.
    until(
        client,
        "the reply to arrive live",
        &format!(
            "return document.querySelectorAll('[data-testid=message][data-direction=in]').length === {}",
            inbound_before + 1
        ),
    )
    .await;

    // Pipedrive shows the outcome in its snackbar.
    client.enter_parent_frame().await.unwrap();
    let snackbar = wait(client, "[data-testid=host-snackbar]:not([hidden])").await;
    assert!(snackbar.text().await.unwrap().contains("+33612345678"));
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_number_without_country_code_takes_the_senders_country_then_a_canned_text_and_a_file_go() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_panel(client, &relay, "person:1", "").await;

    // Marie's work number is stored without a country code: the country list appears, preselected to the
    // sender number's country (the sandbox sender is in Germany), and the user picks France.
    let to = wait(client, "[data-testid=to-select]").await;
    to.select_by_value("01 42 68 53 00").await.unwrap();
    let country = wait(client, "[data-testid=country-code]").await;
    until(
        client,
        "the sender's country to be preselected",
        "return document.querySelector('[data-testid=country-code]').value === 'DE'",
    )
    .await;
    country.select_by_value("FR").await.unwrap();
    until(client, "the international number to show",
        "const p = document.querySelector('[data-testid=to-preview]'); return !!p && p.textContent.includes('+33142685300')").await;
    wait(client, "[data-testid=empty-history]").await;
    let link = wait(client, "[data-testid=chat-link]").await;
    assert_eq!(link.attr("href").await.unwrap().as_deref(), Some("https://wa.me/33142685300"));
    // That number never wrote, and the sandbox keeps WhatsApp's 24-hour rule: only templates may go to it.
    wait(client, "[data-testid=window-banner]").await;
    assert!(!wait(client, "[data-testid=send-button]").await.is_enabled().await.unwrap());

    // Back to her mobile, where the conversation is open.
    to.select_by_value("+33 6 12 34 56 78").await.unwrap();
    wait(client, "[data-testid=message][data-direction=in]").await;
    assert_eq!(count(client, "[data-testid=country-code]").await, 0, "an international number needs no country");

    // A canned text, searched by name, fills the record's first name.
    client.find(Locator::Css(".composer-tools button")).await.unwrap().click().await.unwrap();
    wait(client, "[data-testid=canned-picker]").await;
    wait(client, "[data-testid=canned-search]").await.send_keys("quote").await.unwrap();
    until(
        client,
        "the search to narrow the list",
        "return document.querySelectorAll('[data-testid=canned-option]').length === 1",
    )
    .await;
    wait(client, "[data-testid=canned-option]").await.click().await.unwrap();
    let input = wait(client, "[data-testid=message-input]").await;
    assert_eq!(
        input.prop("value").await.unwrap().as_deref(),
        Some("Hi Marie, your quote is ready: I am attaching it here.")
    );

    // A record file goes with it; an oversize one is refused before any upload, naming the limit.
    wait(client, "[data-testid=attachment-picker] summary").await.click().await.unwrap();
    wait(client, "[data-testid=attachment-option][value='102']").await.click().await.unwrap();
    let refusal = wait(client, "[data-testid=error][data-field=attachments]").await;
    assert!(refusal.text().await.unwrap().contains("16 MB"), "{}", refusal.text().await.unwrap());
    wait(client, "[data-testid=attachment-option][value='100']").await.click().await.unwrap();
    wait(client, "[data-testid=chosen-file]").await;

    wait(client, "[data-testid=send-button]:not([disabled])").await.click().await.unwrap();
    until(
        client,
        "the message with its file to be sent",
        "const all = document.querySelectorAll('[data-testid=message][data-direction=out]'); \
         const m = all[all.length - 1]; \
         return m.dataset.status !== 'queued' && !!m.querySelector('[data-testid=message-attachment]')",
    )
    .await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_closed_window_offers_templates_and_an_expired_token_is_renewed() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    // The URL's token has expired: the panel asks Pipedrive for a fresh one and carries on.
    open_panel(client, &relay, "person:2", "&expired=1").await;
    assert_eq!(wait(client, "[data-testid=record-name]").await.text().await.unwrap(), "Kenji Tanaka");

    // Kenji's mobile is typed in full-width digits without a country code; in Japan it is the number he
    // wrote from three days ago, so the window is closed.
    wait(client, "[data-testid=country-code]").await.select_by_value("JP").await.unwrap();
    let banner = wait(client, "[data-testid=window-banner]").await;
    assert!(!banner.text().await.unwrap().is_empty());
    let input = wait(client, "[data-testid=message-input]").await;
    assert!(!input.is_enabled().await.unwrap(), "free text is disabled while the window is closed");
    let picker = wait(client, "[data-testid=template-picker]").await;
    assert_eq!(count(client, "[data-testid=template-option]").await, 2);
    picker.select_by_value("follow_up|en_US").await.unwrap();
    let params = client.find_all(Locator::Css("[data-testid=template-param]")).await.unwrap();
    params[0].send_keys("Kenji").await.unwrap();
    params[1].send_keys("Sidechat").await.unwrap();
    let before = count(client, "[data-testid=message][data-direction=out]").await;
    wait(client, "[data-testid=send-button]:not([disabled])").await.click().await.unwrap();
    until(
        client,
        "the template to be sent",
        &format!(
            "return document.querySelectorAll('[data-testid=message][data-direction=out]').length === {}",
            before + 1
        ),
    )
    .await;

    client.enter_parent_frame().await.unwrap();
    let log: Vec<String> = serde_json::from_value(
        client
            .execute("return window.__sidechatHostLog.map(m => m.payload.command || m.payload.event || '')", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(log.iter().any(|c| c == "get_signed_token"), "{log:?}");
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn relay_down_shows_the_error_and_the_retry_sends_once_it_is_back_in_the_browsers_language() {
    let mut relay = Relay::start();
    let browser = Browser::start_in("ja").await;
    let client = &browser.client;
    open_panel(client, &relay, "deal:10", "").await;
    assert_eq!(
        wait(client, "[data-testid=record-name]").await.text().await.unwrap(),
        "Solar panels for the Dubois bakery"
    );
    assert_eq!(wait(client, "[data-testid=send-button]").await.text().await.unwrap(), "送信");
    assert_eq!(client.find(Locator::Css("html")).await.unwrap().attr("lang").await.unwrap().as_deref(), Some("ja"));

    relay.kill();
    wait(client, "[data-testid=message-input]").await.send_keys("こんにちは").await.unwrap();
    wait(client, "[data-testid=send-button]:not([disabled])").await.click().await.unwrap();
    let error = wait(client, "[data-testid=error][data-field=form]").await;
    assert!(!error.text().await.unwrap().is_empty());
    let retry = wait(client, "[data-testid=retry-button]").await;
    let input = wait(client, "[data-testid=message-input]").await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("こんにちは"), "the text is kept for the retry");
    assert_eq!(count(client, "[data-testid=message][data-status=queued]").await, 0, "no stand-in is left behind");

    // The relay comes back; the retry sends the message, once.
    relay.restart();
    retry.click().await.unwrap();
    until(
        client,
        "the retried message to be sent",
        "return [...document.querySelectorAll('[data-testid=message][data-direction=out] .body')] \
           .filter(b => b.textContent === 'こんにちは').length === 1 \
         && document.querySelectorAll('[data-testid=retry-button]').length === 0 \
         && document.querySelector('[data-testid=message-input]').value === '' \
         && !document.querySelector('[data-testid=message][data-id^=\"local:\"]')",
    )
    .await;
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn canned_texts_are_managed_and_a_local_file_is_uploaded_and_sent() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_panel(client, &relay, "person:1", "").await;

    // Manage: create a canned text, find it in the picker, see the module locked when editing, delete it.
    client.find(Locator::Css(".composer-tools button")).await.unwrap().click().await.unwrap();
    wait(client, "[data-testid=canned-manage]").await.click().await.unwrap();
    wait(client, "[data-testid=canned-new]").await.click().await.unwrap();
    wait(client, "[data-testid=canned-form]").await;
    wait(client, "[data-testid=canned-name]").await.send_keys("Visit").await.unwrap();
    let body = wait(client, "[data-testid=canned-body]").await;
    body.send_keys("Bonjour $[Persons.First Name], à demain ?").await.unwrap();
    wait(client, "[data-testid=canned-save]").await.click().await.unwrap();
    until(
        client,
        "the new canned text to be listed",
        "return [...document.querySelectorAll('[data-testid=canned-item]')].some(i => i.textContent.includes('Visit'))",
    )
    .await;
    let items = client.find_all(Locator::Css("[data-testid=canned-item]")).await.unwrap();
    let mut visit = None;
    for item in items {
        if item.text().await.unwrap().contains("Visit") {
            visit = Some(item);
        }
    }
    let visit = visit.expect("the canned text just created");
    visit.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    let module = wait(client, "[data-testid=canned-module]").await;
    assert!(!module.is_enabled().await.unwrap(), "the module is locked when editing");
    // A merge field of another module is refused, next to the body.
    let body = wait(client, "[data-testid=canned-body]").await;
    body.send_keys(" $[Deals.Title]").await.unwrap();
    wait(client, "[data-testid=canned-save]").await.click().await.unwrap();
    let refusal = wait(client, "[data-testid=canned-form] [data-testid=error][data-field=body]").await;
    let refusal = refusal.text().await.unwrap();
    assert!(refusal.contains("belongs to Deals") && refusal.contains("for Persons"), "{refusal}");
    client
        .find(Locator::Css("[data-testid=canned-form] .form-actions button.link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // Insert it from the picker: the record's first name is filled in.
    client.find(Locator::Css(".canned-manager > button.link")).await.unwrap().click().await.unwrap();
    wait(client, "[data-testid=canned-search]").await.send_keys("visit").await.unwrap();
    until(
        client,
        "the search to find it",
        "return document.querySelectorAll('[data-testid=canned-option]').length === 1",
    )
    .await;
    wait(client, "[data-testid=canned-option]").await.click().await.unwrap();
    let input = wait(client, "[data-testid=message-input]").await;
    assert_eq!(input.prop("value").await.unwrap().as_deref(), Some("Bonjour Marie, à demain ?"));

    // A local file: checked, uploaded with its progress shown, then sent with the text.
    let dir = std::env::temp_dir().join(format!("sidechat-e2e-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let photo = dir.join("storefront.png");
    std::fs::write(&photo, [137u8, 80, 78, 71, 13, 10, 26, 10].repeat(4096)).unwrap();
    wait(client, "[data-testid=attachment-picker] summary").await.click().await.unwrap();
    wait(client, "[data-testid=file-input]").await.send_keys(&photo.display().to_string()).await.unwrap();
    until(
        client,
        "the upload to finish",
        "return document.querySelectorAll('[data-testid=chosen-file]').length === 1 \
         && document.querySelectorAll('[data-testid=upload-progress]').length === 0",
    )
    .await;
    wait(client, "[data-testid=send-button]:not([disabled])").await.click().await.unwrap();
    until(
        client,
        "the text and the photo to be sent",
        "const all = document.querySelectorAll('[data-testid=message][data-direction=out]'); \
         const m = all[all.length - 1]; const a = m.querySelector('[data-testid=message-attachment]'); \
         return m.dataset.status !== 'queued' && !!a && a.textContent.includes('storefront.png') \
           && !!a.querySelector('img')",
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_canned_text_is_found_inserted_and_sent_from_the_keyboard_alone() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    open_panel(client, &relay, "person:1", "").await;
    wait(client, "[data-testid=message][data-direction=in]").await;
    let outbound_before = count(client, "[data-testid=message][data-direction=out]").await;
    let focused = |testid: &str| format!("return document.activeElement?.dataset.testid === '{testid}'");

    // From the message box, Shift+Tab reaches the canned texts button; Enter opens the picker with the search
    // focused, and Escape closes it again, back on the button.
    let input = wait(client, "[data-testid=message-input]").await;
    input.send_keys(&format!("{}{}", Key::Shift, Key::Tab)).await.unwrap();
    let on_button = "return document.activeElement?.getAttribute('aria-controls') === 'canned-picker'";
    until(client, "the canned texts button to have the focus", on_button).await;
    client.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    until(client, "the search to have the focus", &focused("canned-search")).await;
    client.active_element().await.unwrap().send_keys(&Key::Escape.to_string()).await.unwrap();
    until(client, "the picker to close", "return !document.querySelector('[data-testid=canned-picker]')").await;
    until(client, "the focus to be back on the button", on_button).await;

    // Open it again, search, Tab past the module filter to the one match, Enter inserts it filled in.
    client.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    until(client, "the search to have the focus", &focused("canned-search")).await;
    client.active_element().await.unwrap().send_keys("quote").await.unwrap();
    until(client, "one match", "return document.querySelectorAll('[data-testid=canned-option]').length === 1").await;
    client.active_element().await.unwrap().send_keys(&format!("{}{}", Key::Tab, Key::Tab)).await.unwrap();
    until(client, "the match to have the focus", &focused("canned-option")).await;
    client.active_element().await.unwrap().send_keys(&Key::Enter.to_string()).await.unwrap();
    until(client, "the filled text to be in the message box, with the focus", &focused("message-input")).await;
    let text = input.prop("value").await.unwrap().unwrap_or_default();
    assert_eq!(text, "Hi Marie, your quote is ready: I am attaching it here.");

    // Ctrl+Enter sends it.
    client.active_element().await.unwrap().send_keys(&format!("{}{}", Key::Control, Key::Enter)).await.unwrap();
    until(
        client,
        "the message to be sent",
        &format!(
            "return document.querySelectorAll('[data-testid=message][data-direction=out]').length === {} \
             && document.querySelector('[data-testid=message-input]').value === ''",
            outbound_before + 1
        ),
    )
    .await;
    browser.client.clone().close().await.unwrap();
}
