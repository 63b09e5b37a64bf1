//! The Cloud API provider against a local Graph stand-in: sends, retries by Graph error code, permanent
//! failures, media, templates, and signed webhooks with duplicate and out-of-order statuses.

use std::time::Duration;

use serde_json::{Value, json};

use sidechat_standins::graph::*;

use crate::on_both_backends;
use crate::support::*;

const CUSTOMER: &str = "+498963648018";

async fn spawn_cloud(backend: Backend, graph: &Graph, timeout_ms: u64) -> TestApp {
    let url = graph.url.clone();
    TestApp::spawn(backend, |settings| {
        settings.retain(|(k, _)| *k != "SIDECHAT_PROVIDER");
        settings.extend([
            ("SIDECHAT_PROVIDER", "cloud".to_owned()),
            ("WHATSAPP_GRAPH_URL", url),
            ("WHATSAPP_TOKEN", TOKEN.to_owned()),
            ("WHATSAPP_SENDERS", format!("{PHONE_NUMBER_ID}={SENDER_PHONE}:Berlin desk")),
            ("WHATSAPP_WABA_ID", WABA_ID.to_owned()),
            ("WHATSAPP_APP_SECRET", APP_SECRET.to_owned()),
            ("WHATSAPP_VERIFY_TOKEN", VERIFY_TOKEN.to_owned()),
            ("SIDECHAT_PROVIDER_TIMEOUT_MS", timeout_ms.to_string()),
            ("SIDECHAT_SEND_TIMEOUT_MS", timeout_ms.to_string()),
        ]);
    })
    .await
}

fn envelope(value: Value) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}]})
}

fn inbound(id: &str, text: &str) -> Value {
    envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4930901820", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Marie"}, "wa_id": "498963648018"}],
        "messages": [{"from": "498963648018", "id": id, "timestamp": jiff::Timestamp::now().as_second().to_string(), "type": "text", "text": {"body": text}}]
    }))
}

fn status_report(wamid: &str, status: &str, errors: Option<Value>) -> Value {
    let mut report = json!({"id": wamid, "status": status, "timestamp": jiff::Timestamp::now().as_second().to_string(), "recipient_id": "498963648018"});
    if let Some(errors) = errors {
        report["errors"] = errors;
    }
    envelope(
        json!({"messaging_product": "whatsapp", "metadata": {"display_phone_number": "4930901820", "phone_number_id": PHONE_NUMBER_ID}, "statuses": [report]}),
    )
}

async fn send_text(app: &TestApp, key: &str, body: &str) -> (u16, Value) {
    json(
        app.post("/api/v1/messages")
            .header("authorization", bearer())
            .header("idempotency-key", key)
            .json(&json!({"from": PHONE_NUMBER_ID, "to": CUSTOMER, "body": body}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn message_state(app: &TestApp, id: &str) -> Value {
    let (_, page) = json(
        app.get("/api/v1/messages?phone=%2B498963648018&limit=100")
            .header("authorization", bearer())
            .send()
            .await
            .unwrap(),
    )
    .await;
    page["messages"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned().unwrap_or(Value::Null)
}

async fn until_status(app: &TestApp, id: &str, wanted: &str) -> Value {
    eventually(Duration::from_secs(20), || async {
        let message = message_state(app, id).await;
        (message["status"] == wanted).then_some(message)
    })
    .await
}

on_both_backends!(a_text_goes_out_and_statuses_never_move_backwards, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 5_000).await;
    assert_eq!(cloud_webhook(&app, &inbound("wamid.IN1", "Hello, any news?"), APP_SECRET).await.0, 200);
    // Meta delivers webhooks at least once: the same message again is not logged twice
    assert_eq!(cloud_webhook(&app, &inbound("wamid.IN1", "Hello, any news?"), APP_SECRET).await.0, 200);
    let (status, sent) = send_text(&app, "k1", "Yes: your offer is ready").await;
    assert_eq!(status, 202, "{sent}");
    let id = sent["message"]["id"].as_str().unwrap().to_owned();
    let message = until_status(&app, &id, "sent").await;
    assert_eq!(message["from"], SENDER_PHONE);
    assert_eq!(
        graph.sends(),
        [json!({"messaging_product": "whatsapp", "recipient_type": "individual", "to": "498963648018", "type": "text",
                "text": {"preview_url": false, "body": "Yes: your offer is ready"}})]
    );
    // read arrives before delivered, and twice: it stays read
    for report in ["read", "delivered", "read", "sent"] {
        assert_eq!(cloud_webhook(&app, &status_report("wamid.TEST1", report, None), APP_SECRET).await.0, 200);
    }
    assert_eq!(message_state(&app, &id).await["status"], "read");
    let (_, page) =
        json(app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap())
            .await;
    let inbound_count = page["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "in").count();
    assert_eq!(inbound_count, 1);
    assert_eq!(page["window"]["open"], true);
    assert_eq!(page["last_sender"], PHONE_NUMBER_ID);
    app.stop().await;
});

on_both_backends!(inbound_media_is_fetched_with_the_token_and_served_signed, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 5_000).await;
    let photo = envelope(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "4930901820", "phone_number_id": PHONE_NUMBER_ID},
        "messages": [
            {"from": "498963648018", "id": "wamid.PHOTO", "timestamp": jiff::Timestamp::now().as_second().to_string(), "type": "image",
             "image": {"id": "media-in-1", "mime_type": "image/jpeg", "sha256": "abc", "caption": "the roof"}},
            {"from": "498963648018", "id": "wamid.GONE", "timestamp": jiff::Timestamp::now().as_second().to_string(), "type": "document",
             "document": {"id": "media-missing", "mime_type": "application/pdf", "filename": "plan.pdf"}}
        ]
    }));
    assert_eq!(cloud_webhook(&app, &photo, APP_SECRET).await.0, 200);
    assert_eq!(cloud_webhook(&app, &photo, APP_SECRET).await.0, 200, "a repeated delivery is accepted and ignored");
    // The files are fetched in the background, after the webhook was answered.
    let page = eventually(Duration::from_secs(20), || async {
        let answer = app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer());
        let (_, page) = json(answer.send().await.unwrap()).await;
        let messages = page["messages"].as_array()?.clone();
        let settled = messages.len() == 2
            && messages[0]["attachments"][0]["size"] != 0
            && messages[1]["attachments"].as_array().is_some_and(Vec::is_empty);
        settled.then_some(page)
    })
    .await;
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages[0]["body"], "[image] the roof");
    let file = &messages[0]["attachments"][0];
    assert_eq!(file["mime"], "image/jpeg");
    assert_eq!(file["size"], INBOUND_PHOTO.len());
    let url = file["url"].as_str().unwrap().replace("http://relay.test", &app.url);
    assert_eq!(app.http.get(&url).send().await.unwrap().bytes().await.unwrap().as_ref(), INBOUND_PHOTO);
    assert_eq!(messages[1]["body"], "[document] (the file could not be fetched)");
    assert_eq!(messages[1]["attachments"], json!([]));
    app.stop().await;
});

on_both_backends!(throttling_and_server_errors_are_retried_and_permanent_errors_fail, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 5_000).await;
    cloud_webhook(&app, &inbound("wamid.IN2", "Hi"), APP_SECRET).await;
    // 130429 comes with HTTP 400: the code decides, not the status
    graph.script([
        Scripted::Error(400, 130429, "Rate limit hit"),
        Scripted::Error(503, 2, "Service temporarily unavailable"),
        Scripted::Error(429, 80007, "Rate limit"),
    ]);
    let (_, first) = send_text(&app, "retry", "first").await;
    let id = first["message"]["id"].as_str().unwrap().to_owned();
    until_status(&app, &id, "sent").await;
    assert_eq!(graph.sends().len(), 4, "three refusals, then the send that went through");

    graph.script([Scripted::Error(400, 131026, "Message undeliverable")]);
    let (_, second) = send_text(&app, "permanent", "second").await;
    let id = second["message"]["id"].as_str().unwrap().to_owned();
    let failed = until_status(&app, &id, "failed").await;
    assert_eq!(failed["error"]["code"], "131026");
    assert!(failed["error"]["message"].as_str().unwrap().contains("undeliverable"));
    assert_eq!(graph.sends().len(), 5, "a permanent error is not retried");

    // a status webhook proving delivery overrides an earlier failure (Meta reports out of order)
    cloud_webhook(&app, &status_report("wamid.TEST4", "failed", Some(json!([{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "24 hours passed"}}]))), APP_SECRET).await;
    let (_, page) =
        json(app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap())
            .await;
    let first_id = first["message"]["id"].as_str().unwrap();
    let failed_by_webhook = page["messages"].as_array().unwrap().iter().find(|m| m["id"] == first_id).unwrap().clone();
    assert_eq!(failed_by_webhook["status"], "failed");
    assert_eq!(failed_by_webhook["error"]["code"], "131047");
    cloud_webhook(&app, &status_report("wamid.TEST4", "delivered", None), APP_SECRET).await;
    assert_eq!(message_state(&app, first_id).await["status"], "delivered");
    let metrics = app.state.metrics.render();
    assert!(metrics.contains(r#"sidechat_sends_total{outcome="retry"} 3"#), "{metrics}");
    app.stop().await;
});

on_both_backends!(the_wait_between_attempts_is_capped_by_the_setting, |backend| async move {
    let graph = Graph::start().await;
    let url = graph.url.clone();
    let app = TestApp::spawn(backend, |settings| {
        settings.retain(|(k, _)| *k != "SIDECHAT_PROVIDER");
        settings.extend(cloud_settings(&url));
        settings.push(("SIDECHAT_RETRY_MAX_WAIT_MS", "400".to_owned()));
    })
    .await;
    cloud_webhook(&app, &inbound("wamid.IN9", "Hi"), APP_SECRET).await;
    // Seven server errors in a row: the default waits (1, 2, 4 … 64 s) would put the eighth attempt two minutes
    // out; at most 400 ms apart, it comes within a few seconds.
    graph.script(std::iter::repeat_n(Scripted::Error(503, 2, "Service temporarily unavailable"), 7));
    let started = std::time::Instant::now();
    let (status, sent) = send_text(&app, "capped", "after seven refusals").await;
    assert_eq!(status, 202, "{sent}");
    until_status(&app, sent["message"]["id"].as_str().unwrap(), "sent").await;
    assert_eq!(graph.sends().len(), 8, "seven refusals, then the send that went through");
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    app.stop().await;
});

on_both_backends!(a_timeout_is_retried_and_the_repeat_is_counted, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 300).await;
    cloud_webhook(&app, &inbound("wamid.IN3", "Hi"), APP_SECRET).await;
    graph.script([Scripted::Slow(Duration::from_millis(1_500))]);
    let (_, sent) = send_text(&app, "slow", "are you there").await;
    let id = sent["message"]["id"].as_str().unwrap().to_owned();
    until_status(&app, &id, "sent").await;
    // The Cloud API takes no idempotency key and cannot be asked what it sent: the repeat is possible, and seen.
    assert_eq!(graph.sends().len(), 2, "the timed-out send and its retry");
    let metrics = app.state.metrics.render();
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_unknown"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"sidechat_resends_total{cause="after_restart"} 0"#), "{metrics}");
    app.stop().await;
});

on_both_backends!(webhooks_are_verified, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 5_000).await;
    assert_error(&cloud_webhook(&app, &inbound("wamid.BAD", "forged"), "another-secret").await, 401, "unauthorized");
    let unsigned =
        json(app.post("/webhooks/whatsapp").json(&inbound("wamid.BAD", "forged")).send().await.unwrap()).await;
    assert_error(&unsigned, 401, "unauthorized");
    let (_, page) =
        json(app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap())
            .await;
    assert_eq!(page["messages"], json!([]), "nothing unverified was logged");

    let challenge = app
        .get(&format!("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 200);
    assert_eq!(challenge.text().await.unwrap(), "1158201444");
    let wrong =
        app.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1").send().await.unwrap();
    assert_eq!(wrong.status(), 403);
    app.stop().await;
});

on_both_backends!(templates_and_media_follow_the_graph_formats, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 5_000).await;
    let (status, templates) =
        json(app.get("/api/v1/templates").header("authorization", bearer()).send().await.unwrap()).await;
    assert_eq!(status, 200, "{templates}");
    assert_eq!(
        templates,
        json!({"templates": [{"name": "order_update", "language": "en_US", "body": "Hi {{1}}, your order {{2}} has shipped.", "params": ["1", "2"]}]})
    );

    // the window is closed (the customer never wrote): a template goes through, free text does not
    let closed = send_text(&app, "free", "hello").await;
    assert_error(&closed, 422, "window_closed");
    let (status, sent) = json(app.post("/api/v1/messages").header("authorization", bearer()).header("idempotency-key", "tpl")
        .json(&json!({"from": PHONE_NUMBER_ID, "to": CUSTOMER, "template": {"name": "order_update", "language": "en_US", "params": ["Marie", "A-17"]}}))
        .send().await.unwrap()).await;
    assert_eq!(status, 202, "{sent}");
    until_status(&app, sent["message"]["id"].as_str().unwrap(), "sent").await;
    assert_eq!(
        graph.sends()[0]["template"],
        json!({"name": "order_update", "language": {"code": "en_US"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Marie"}, {"type": "text", "text": "A-17"}]}]})
    );

    cloud_webhook(&app, &inbound("wamid.IN4", "Send me the offer"), APP_SECRET).await;
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
    assert_eq!(upload["upload"]["size"], 14);
    let upload_id = upload["upload"]["id"].as_str().unwrap();
    let (status, sent) = json(app.post("/api/v1/messages").header("authorization", bearer()).header("idempotency-key", "pdf")
        .json(&json!({"from": PHONE_NUMBER_ID, "to": CUSTOMER, "body": "Here it is", "attachments": [{"upload": upload_id}]}))
        .send().await.unwrap()).await;
    assert_eq!(status, 202, "{sent}");
    until_status(&app, sent["message"]["id"].as_str().unwrap(), "sent").await;
    assert_eq!(graph.uploads(), [("offer.pdf".to_owned(), "application/pdf".to_owned(), 14)]);
    assert_eq!(
        graph.sends()[1]["document"],
        json!({"id": "media-1", "caption": "Here it is", "filename": "offer.pdf"})
    );

    // the message's attachment URL serves the bytes; a tampered one does not
    let signed = sent["message"]["attachments"][0]["url"].as_str().unwrap();
    assert!(
        signed.starts_with("http://relay.test/api/v1/attachments/"),
        "an absolute URL on the public address: {signed}"
    );
    let url = signed.replace("http://relay.test", &app.url);
    let bytes = app.http.get(&url).send().await.unwrap();
    assert_eq!(bytes.status(), 200);
    assert_eq!(bytes.headers()["content-type"], "application/pdf");
    assert_eq!(bytes.bytes().await.unwrap().as_ref(), b"%PDF-1.4 offer");
    let tampered = json(app.http.get(url.replace("sig=", "sig=00")).send().await.unwrap()).await;
    assert_error(&tampered, 401, "unauthorized");

    // a 6 MB photo is over the Cloud API's 5 MB image limit: refused before anything is sent
    let photo =
        reqwest::multipart::Part::bytes(vec![0u8; 6_000_000]).file_name("photo.jpg").mime_str("image/jpeg").unwrap();
    let (_, upload) = json(
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(reqwest::multipart::Form::new().part("file", photo))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let too_large = json(
        app.post("/api/v1/messages")
            .header("authorization", bearer())
            .header("idempotency-key", "big")
            .json(
                &json!({"from": PHONE_NUMBER_ID, "to": CUSTOMER, "attachments": [{"upload": upload["upload"]["id"]}]}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&too_large, 413, "attachment_too_large");
    assert!(too_large.1["error"]["message"].as_str().unwrap().contains("5 MB"), "{}", too_large.1);
    assert_eq!(graph.unauthorized(), 0, "every call carried the token");
    app.stop().await;
});

on_both_backends!(a_status_that_comes_before_the_send_is_recorded_is_kept_and_applied, |backend| async move {
    let graph = Graph::start().await;
    let app = spawn_cloud(backend, &graph, 10_000).await;
    cloud_webhook(&app, &inbound("wamid.IN5", "Hi"), APP_SECRET).await;
    // Graph takes the send at once but answers late: Meta's `failed` report for it arrives before its answer.
    graph.script([Scripted::Slow(Duration::from_millis(1_500))]);
    let (_, sent) = send_text(&app, "early", "fails fast").await;
    let id = sent["message"]["id"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(10), || async { (graph.sends().len() == 1).then_some(()) }).await;
    let errors = json!([{"code": 131026, "title": "Message undeliverable"}]);
    let (status, _) = cloud_webhook(&app, &status_report("wamid.TEST1", "failed", Some(errors)), APP_SECRET).await;
    assert_eq!(status, 200);
    assert_eq!(message_state(&app, &id).await["status"], "queued", "the report came before the send's answer");

    let failed = until_status(&app, &id, "failed").await;
    assert_eq!(failed["error"]["code"], "131026");
    app.stop().await;
});
