//! The TimelinesAI provider against a local stand-in: senders from the workspace's accounts, text and file
//! sends without a 24-hour window, throttling retried, refusals failed, a timed-out send found in the chat
//! history instead of sent twice, polled delivery statuses, and the secret-path webhook.

use std::time::Duration;

use serde_json::{Value, json};

use sidechat_standins::timelines::*;

use crate::on_both_backends;
use crate::support::*;

const CUSTOMER: &str = "+498963648018";

async fn spawn_timelines(backend: Backend, mock: &Timelines, timeout_ms: u64) -> TestApp {
    spawn_timelines_with(backend, mock, timeout_ms, &[]).await
}

/// [`spawn_timelines`] with more settings.
async fn spawn_timelines_with(
    backend: Backend,
    mock: &Timelines,
    timeout_ms: u64,
    more: &[(&'static str, &str)],
) -> TestApp {
    let url = mock.url.clone();
    let more: Vec<(&'static str, String)> = more.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    TestApp::spawn(backend, |settings| {
        settings.retain(|(k, _)| *k != "SIDECHAT_PROVIDER");
        settings.extend([
            ("SIDECHAT_PROVIDER", "timelines".to_owned()),
            ("TIMELINES_API_URL", url),
            ("TIMELINES_API_TOKEN", TOKEN.to_owned()),
            ("TIMELINES_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
            ("TIMELINES_POLL_INTERVAL_MS", "50".to_owned()),
            ("SIDECHAT_PROVIDER_TIMEOUT_MS", timeout_ms.to_string()),
            ("SIDECHAT_SEND_TIMEOUT_MS", timeout_ms.to_string()),
        ]);
        settings.extend(more);
    })
    .await
}

async fn send(app: &TestApp, key: &str, request: Value) -> (u16, Value) {
    json(
        app.post("/api/v1/messages")
            .header("authorization", bearer())
            .header("idempotency-key", key)
            .json(&request)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Sends a text from the test account to the customer; returns the relay's message id.
async fn send_text(app: &TestApp, key: &str, body: &str) -> String {
    let (status, sent) = send(app, key, json!({"from": ACCOUNT_ID, "to": CUSTOMER, "body": body})).await;
    assert_eq!(status, 202, "{sent}");
    sent["message"]["id"].as_str().unwrap().to_owned()
}

async fn messages(app: &TestApp) -> Vec<Value> {
    let (_, page) = json(
        app.get("/api/v1/messages?phone=%2B498963648018&limit=100")
            .header("authorization", bearer())
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["messages"].as_array().cloned().unwrap_or_default()
}

async fn until_status(app: &TestApp, id: &str, wanted: &str) -> Value {
    eventually(Duration::from_secs(20), || async {
        messages(app).await.into_iter().find(|m| m["id"] == id && m["status"] == wanted)
    })
    .await
}

/// The provider's id of a stored message.
async fn provider_id(app: &TestApp, id: &str) -> String {
    app.state.store.message(&app.state.operator, id).await.unwrap().unwrap().provider_id.unwrap()
}

async fn webhook(app: &TestApp, secret: &str, event: &Value) -> (u16, Value) {
    json(app.post(&format!("/webhooks/timelines/{secret}")).json(event).send().await.unwrap()).await
}

fn received(uid: &str, text: &str) -> Value {
    json!({
        "event_type": "message:received:new",
        "chat": {"chat_id": 9001, "full_name": "Marie", "phone": CUSTOMER, "is_group": false},
        "whatsapp_account": {"phone": SENDER_PHONE, "full_name": "Berlin desk"},
        "message": {"message_uid": uid, "text": text, "direction": "received", "origin": "WhatsApp",
                    "timestamp": jiff::Timestamp::now().to_string(), "sender": {"phone": CUSTOMER}, "attachments": []}
    })
}

on_both_backends!(active_accounts_are_the_senders_and_a_first_message_needs_no_window, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 5_000).await;
    let (status, senders) =
        json(app.get("/api/v1/senders").header("authorization", bearer()).send().await.unwrap()).await;
    assert_eq!(status, 200, "{senders}");
    assert_eq!(
        senders["senders"],
        json!([
            {"id": ACCOUNT_ID, "phone": SENDER_PHONE, "label": "Berlin desk", "provider": "timelines"},
            {"id": OTHER_ACCOUNT_ID, "phone": OTHER_PHONE, "label": OTHER_PHONE, "provider": "timelines"}
        ])
    );
    // the customer never wrote: WhatsApp Web numbers have no 24-hour window
    let id = send_text(&app, "first", "Hello Marie, your offer is ready").await;
    until_status(&app, &id, "sent").await;
    assert_eq!(
        mock.sends(),
        [
            json!({"phone": CUSTOMER, "text": "Hello Marie, your offer is ready", "whatsapp_account_phone": SENDER_PHONE})
        ]
    );
    assert_eq!(provider_id(&app, &id).await, "tl-msg-1");
    let (account_reads, unauthorized) = (mock.account_reads(), mock.unauthorized());
    // once at start (the connection's numbers are recorded, so no other connection takes them), then once for
    // all the requests of a minute
    assert_eq!(account_reads, 2, "the account list is cached between requests");
    assert_eq!(unauthorized, 0, "every call carried the token");
    app.stop().await;
});

on_both_backends!(a_file_is_uploaded_then_sent_with_its_uid, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 5_000).await;
    let pdf = reqwest::multipart::Part::bytes(b"%PDF-1.4 offer".to_vec())
        .file_name("offer.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let (status, upload) = json(
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(reqwest::multipart::Form::new().part("file", pdf))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{upload}");
    let request = json!({"from": ACCOUNT_ID, "to": CUSTOMER, "body": "Here it is",
                         "attachments": [{"upload": upload["upload"]["id"]}]});
    let (status, sent) = send(&app, "pdf", request).await;
    assert_eq!(status, 202, "{sent}");
    until_status(&app, sent["message"]["id"].as_str().unwrap(), "sent").await;
    assert_eq!(mock.uploads(), [("offer.pdf".to_owned(), "application/pdf".to_owned(), 14)]);
    assert_eq!(
        mock.sends(),
        [
            json!({"phone": CUSTOMER, "text": "Here it is", "whatsapp_account_phone": SENDER_PHONE, "file_uid": "tl-file-1"})
        ]
    );
    app.stop().await;
});

on_both_backends!(throttling_is_retried_and_a_refusal_fails_with_its_message, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 5_000).await;
    mock.script([Scripted::Error(429, "Too many requests")]);
    let id = send_text(&app, "throttled", "first").await;
    until_status(&app, &id, "sent").await;
    assert_eq!(mock.sends().len(), 2, "the throttled send and its retry");

    mock.script([Scripted::Error(400, "Phone number is not on WhatsApp")]);
    let id = send_text(&app, "refused", "second").await;
    let failed = until_status(&app, &id, "failed").await;
    assert_eq!(failed["error"]["code"], "timelines_400");
    assert_eq!(failed["error"]["message"], "Phone number is not on WhatsApp");
    assert_eq!(mock.sends().len(), 3, "a refusal is not retried");
    app.stop().await;
});

on_both_backends!(a_timed_out_send_is_found_in_the_chat_history_not_sent_again, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 300).await;
    mock.script([Scripted::Slow(Duration::from_millis(1_500))]);
    let id = send_text(&app, "slow", "are you there").await;
    until_status(&app, &id, "sent").await;
    assert_eq!(mock.sends().len(), 1, "the timed-out send went out, and was not repeated");
    assert_eq!(provider_id(&app, &id).await, "tl-msg-1", "the uid comes from the chat history");
    app.stop().await;
});

on_both_backends!(statuses_are_polled_from_sent_to_read, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 5_000).await;
    let id = send_text(&app, "polled", "did you get it").await;
    until_status(&app, &id, "sent").await;
    let uid = provider_id(&app, &id).await;
    mock.report(&uid, "Delivered");
    until_status(&app, &id, "delivered").await;
    mock.report(&uid, "READ");
    until_status(&app, &id, "read").await;
    app.stop().await;
});

on_both_backends!(the_webhook_logs_inbound_messages_once_behind_its_secret, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 5_000).await;
    let wrong = webhook(&app, "not-the-secret-at-all-0000", &received("tl-in-0", "forged")).await;
    assert_error(&wrong, 404, "not_found");
    assert!(messages(&app).await.is_empty(), "nothing behind a wrong secret is logged");

    // TimelinesAI retries deliveries: the same message twice is logged once
    for _ in 0..2 {
        assert_eq!(webhook(&app, WEBHOOK_SECRET, &received("tl-in-1", "Hi, any news?")).await.0, 200);
    }
    let other = json!({"event_type": "chat:created", "chat": {"chat_id": 9001, "phone": CUSTOMER}});
    assert_eq!(webhook(&app, WEBHOOK_SECRET, &other).await.0, 200);
    // a message sent from the phone, not through the relay, confirms nothing and is not logged here
    let mut sent_elsewhere = received("tl-out-9", "sent from the phone");
    sent_elsewhere["event_type"] = json!("message:sent:new");
    sent_elsewhere["message"]["direction"] = json!("sent");
    assert_eq!(webhook(&app, WEBHOOK_SECRET, &sent_elsewhere).await.0, 200);
    let logged = messages(&app).await;
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["direction"], "in");
    assert_eq!(logged[0]["body"], "Hi, any news?");
    assert_eq!(logged[0]["from"], CUSTOMER);
    let stored =
        app.state.store.message(&app.state.operator, logged[0]["id"].as_str().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.sender_id, ACCOUNT_ID);
    let metrics = app.state.metrics.render();
    assert!(!metrics.contains(WEBHOOK_SECRET), "the secret never reaches the metrics");
    app.stop().await;
});

on_both_backends!(identical_texts_in_a_row_are_each_delivered_once, |backend| async move {
    let mock = Timelines::start().await;
    let app = spawn_timelines(backend, &mock, 300).await;
    let first = send_text(&app, "same-1", "ok").await;
    until_status(&app, &first, "sent").await;
    assert_eq!(provider_id(&app, &first).await, "tl-msg-1");

    // The same text again, and TimelinesAI answers too late: the history shows two "ok"s from us since it was
    // accepted, and the one the log already holds is the first message's.
    mock.script([Scripted::Slow(Duration::from_millis(1_500))]);
    let second = send_text(&app, "same-2", "ok").await;
    until_status(&app, &second, "sent").await;
    assert_eq!(provider_id(&app, &second).await, "tl-msg-2", "the second send, found in the history");
    assert_eq!(mock.sends().len(), 2, "found, not sent again");

    // A third, whose first attempt fails before TimelinesAI logs it: both "ok"s in the history are the log's.
    mock.script([Scripted::Error(500, "Internal error")]);
    let third = send_text(&app, "same-3", "ok").await;
    until_status(&app, &third, "sent").await;
    assert_eq!(provider_id(&app, &third).await, "tl-msg-4", "sent again, as it never went out");
    let metrics = app.state.metrics.render();
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_unknown"} 1"#), "{metrics}");
    app.stop().await;
});

on_both_backends!(statuses_are_polled_round_robin_and_delivered_ones_rest_after_two_days, |backend| async move {
    let mock = Timelines::start().await;
    // One status a round: the budget (10 a second) over a 100 ms interval.
    let settings = [("TIMELINES_POLL_INTERVAL_MS", "100"), ("TIMELINES_REQUESTS_PER_SECOND", "10")];
    let app = spawn_timelines_with(backend, &mock, 5_000, &settings).await;
    let mut uids = Vec::new();
    for i in 0..3 {
        let id = send_text(&app, &format!("polled-{i}"), &format!("status {i}")).await;
        until_status(&app, &id, "sent").await;
        uids.push(provider_id(&app, &id).await);
    }
    // Each round asks for the one asked least recently: the three take turns.
    let start = mock.status_reads().len();
    let reads = eventually(Duration::from_secs(20), || async {
        let reads = mock.status_reads();
        (reads.len() >= start + 6).then(|| reads[start..start + 6].to_vec())
    })
    .await;
    for uid in &uids {
        assert_eq!(reads.iter().filter(|r| *r == uid).count(), 2, "{reads:?}");
    }
    assert_eq!(reads[..3], reads[3..], "round-robin: {reads:?}");

    // The first is delivered; two days later it is no longer asked about, while the others still are.
    mock.report(&uids[0], "Delivered");
    let delivered = app.state.store.message_by_provider_id(&app.state.operator, &uids[0]).await.unwrap().unwrap();
    until_status(&app, &delivered.id, "delivered").await;
    app.state.ingest.clock.advance(Duration::from_secs(49 * 3600));
    let after = mock.status_reads().len() + 1; // a round may be under way
    eventually(Duration::from_secs(20), || async { (mock.status_reads().len() >= after + 6).then_some(()) }).await;
    let later = mock.status_reads()[after..].to_vec();
    assert!(!later.contains(&uids[0]), "{later:?}");
    assert!(later.contains(&uids[1]) && later.contains(&uids[2]), "{later:?}");
    app.stop().await;
});

on_both_backends!(what_customers_wrote_while_no_webhook_came_is_caught_up_at_start, |backend| async move {
    let mock = Timelines::start().await;
    // Written while the relay was down: TimelinesAI gave up on its webhooks.
    let first = mock.customer_writes(CUSTOMER, ACCOUNT_ID, SENDER_PHONE, "Are you there?");
    mock.customer_writes(CUSTOMER, ACCOUNT_ID, SENDER_PHONE, "Hello?");
    mock.customer_writes("+551199998888", OTHER_ACCOUNT_ID, OTHER_PHONE, "Olá");
    let app = spawn_timelines(backend, &mock, 5_000).await;
    let inbound = eventually(Duration::from_secs(20), || async {
        let inbound: Vec<Value> = messages(&app).await.into_iter().filter(|m| m["direction"] == "in").collect();
        (inbound.len() == 2).then_some(inbound)
    })
    .await;
    let bodies: Vec<&str> = inbound.iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Are you there?", "Hello?"]);
    assert_eq!((inbound[0]["from"].as_str(), inbound[0]["to"].as_str()), (Some(CUSTOMER), Some(SENDER_PHONE)));
    // Every number's chats are caught up.
    eventually(Duration::from_secs(20), || async {
        let answer = app.get("/api/v1/messages?phone=%2B551199998888").header("authorization", bearer());
        let (_, other) = json(answer.send().await.unwrap()).await;
        (other["messages"][0]["body"] == "Olá").then_some(())
    })
    .await;

    // The webhook TimelinesAI retries after all: still one message.
    let mut late = received(&first, "Are you there?");
    late["message"]["timestamp"] = json!(jiff::Timestamp::now().to_string());
    assert_eq!(webhook(&app, WEBHOOK_SECRET, &late).await.0, 200);
    assert_eq!(messages(&app).await.iter().filter(|m| m["direction"] == "in").count(), 2);
    app.stop().await;
});

on_both_backends!(the_history_is_read_from_the_log_without_waiting_for_timelines, |backend| async move {
    let (_dir, database_url) = binary_workspace(backend).await;
    let mock = Timelines::start().await;
    let settings = |url: String| {
        move |settings: &mut Vec<(&'static str, String)>| {
            settings.retain(|(k, _)| *k != "SIDECHAT_PROVIDER");
            settings.extend([
                ("SIDECHAT_PROVIDER", "timelines".to_owned()),
                ("TIMELINES_API_URL", url),
                ("TIMELINES_API_TOKEN", TOKEN.to_owned()),
                ("TIMELINES_WEBHOOK_SECRET", WEBHOOK_SECRET.to_owned()),
                ("SIDECHAT_PROVIDER_TIMEOUT_MS", "2000".to_owned()),
            ]);
        }
    };
    let app = TestApp::spawn_on(&database_url, settings(mock.url.clone())).await;
    let id = send_text(&app, "before-outage", "sent before the outage").await;
    until_status(&app, &id, "sent").await;
    app.stop().await;

    // TimelinesAI is gone; a relay started now has never listed its accounts.
    let gone = mock.url.clone();
    drop(mock);
    let app = TestApp::spawn_on(&database_url, settings(gone)).await;
    let started = std::time::Instant::now();
    let (status, page) =
        json(app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap())
            .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["messages"][0]["body"], "sent before the outage");
    assert_eq!(page["window"]["enforced"], false, "TimelinesAI numbers have no window");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    app.stop().await;
});
