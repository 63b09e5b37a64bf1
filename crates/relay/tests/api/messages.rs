//! Sending and listing: validation, idempotency under concurrent retries, the window, statuses, live events.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

const SENDER: &str = "sandbox-de";
const SENDER_PHONE: &str = "+4930901820";
const CUSTOMER: &str = "+498963648018";

fn send(app: &TestApp, key: Option<&str>, body: &Value) -> reqwest::RequestBuilder {
    let request = app.post("/api/v1/messages").header("authorization", bearer()).json(body);
    match key {
        Some(key) => request.header("idempotency-key", key),
        None => request,
    }
}

on_both_backends!(send_is_idempotent_under_50_concurrent_retries, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hello!").await;
    let body = json!({"from": SENDER, "to": "+49 89 636 48018", "body": "Your offer is ready"});
    let answers = futures::future::join_all(
        (0..50).map(|_| async { json(send(&app, Some("retry-key-1"), &body).send().await.unwrap()).await }),
    )
    .await;
    let created = answers.iter().filter(|(status, _)| *status == 202).count();
    let repeated = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!((created, repeated), (1, 49), "{answers:?}");
    let ids: std::collections::BTreeSet<&str> =
        answers.iter().map(|(_, b)| b["message"]["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "every retry names the same message");

    let id = ids.into_iter().next().unwrap().to_owned();
    let read = eventually(Duration::from_secs(10), || async {
        let (_, page) = json(
            app.get("/api/v1/messages?phone=%2B498963648018").header("authorization", bearer()).send().await.unwrap(),
        )
        .await;
        let outbound: Vec<Value> =
            page["messages"].as_array().unwrap().iter().filter(|m| m["direction"] == "out").cloned().collect();
        (outbound.len() == 1 && outbound[0]["status"] == "read").then_some(outbound)
    })
    .await;
    assert_eq!(read[0]["id"], id.as_str());
    assert_eq!(read[0]["to"], CUSTOMER);
    assert_eq!(read[0]["from"], SENDER_PHONE);
    let metrics = app.state.metrics.render();
    assert!(metrics.contains(r#"sidechat_sends_total{outcome="sent"} 1"#), "one provider send, not 50: {metrics}");
    app.stop().await;
});

on_both_backends!(idempotency_keys_conflict_and_are_scoped_per_workspace, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hi").await;
    let first =
        json(send(&app, Some("k"), &json!({"from": SENDER, "to": CUSTOMER, "body": "one"})).send().await.unwrap())
            .await;
    assert_eq!(first.0, 202, "{}", first.1);
    assert_eq!(first.1["message"]["status"], "queued");
    // the same JSON written differently is the same request
    let same = json(
        app.post("/api/v1/messages")
            .header("authorization", bearer())
            .header("idempotency-key", "k")
            .header("content-type", "application/json")
            .body(format!(r#"{{ "body": "one", "to": "{CUSTOMER}", "from": "{SENDER}" }}"#))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(same.0, 200, "{}", same.1);
    assert_eq!(same.1["message"]["id"], first.1["message"]["id"]);
    let other =
        json(send(&app, Some("k"), &json!({"from": SENDER, "to": CUSTOMER, "body": "two"})).send().await.unwrap())
            .await;
    assert_error(&other, 409, "idempotency_conflict");
    let zoho = send_as(&app, &colleague(), "k", &json!({"from": SENDER, "to": CUSTOMER, "body": "one"})).await;
    assert_eq!(zoho.0, 200, "the same workspace, the same key: {}", zoho.1);
    assert_eq!(zoho.1["message"]["id"], first.1["message"]["id"]);
    // another workspace's key is another key: it neither replays nor conflicts with this one (and that
    // workspace has no WhatsApp to send from)
    let other = send_as(&app, &other_workspace(), "k", &json!({"from": SENDER, "to": CUSTOMER, "body": "one"})).await;
    assert_error(&other, 422, "not_connected");
    app.stop().await;
});

on_both_backends!(bad_sends_get_specific_errors, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hi").await;
    let missing_key =
        json(send(&app, None, &json!({"from": SENDER, "to": CUSTOMER, "body": "x"})).send().await.unwrap()).await;
    assert_error(&missing_key, 400, "invalid_request");
    let not_json = json(
        app.post("/api/v1/messages")
            .header("authorization", bearer())
            .header("idempotency-key", "nj")
            .body("{oops")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&not_json, 400, "invalid_request");
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"to": CUSTOMER, "body": "x"}), 400, "invalid_request"),
        (json!({"from": "nobody", "to": CUSTOMER, "body": "x"}), 422, "unknown_sender"),
        (json!({"from": SENDER, "to": "call me", "body": "x"}), 422, "invalid_phone"),
        (json!({"from": SENDER, "to": "089 636 48018", "body": "x"}), 422, "invalid_phone"),
        (json!({"from": SENDER, "to": "+999 1234 5678", "body": "x"}), 422, "invalid_phone"),
        (json!({"from": SENDER, "to": CUSTOMER, "body": "   "}), 422, "empty_message"),
        (json!({"from": SENDER, "to": CUSTOMER, "body": "日".repeat(4097)}), 422, "body_too_long"),
        (json!({"from": SENDER, "to": "+819012345678", "body": "hello"}), 422, "window_closed"),
        (json!({"from": SENDER, "to": CUSTOMER, "body": "x", "attachments": [{"upload": "nope"}]}), 404, "not_found"),
        (
            json!({"from": SENDER, "to": "+819012345678", "template": {"name": "nope", "language": "en_US", "params": []}}),
            400,
            "invalid_request",
        ),
    ];
    for (i, (body, status, code)) in cases.iter().enumerate() {
        let answer = json(send(&app, Some(&format!("bad-{i}")), body).send().await.unwrap()).await;
        assert_error(&answer, *status, code);
    }
    // a stored number without country code goes through with the chosen country
    let with_country = json(
        send(&app, Some("cc"), &json!({"from": SENDER, "to": "089 636 48018", "country": "DE", "body": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(with_country.0, 202, "{}", with_country.1);
    assert_eq!(with_country.1["message"]["to"], CUSTOMER);
    // outside the window, an approved template goes through
    let template = json(
        send(
            &app,
            Some("tpl"),
            &json!({"from": SENDER, "to": "+819012345678",
        "template": {"name": "follow_up", "language": "en_US", "params": ["Kenji", "Maria"]}}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(template.0, 202, "{}", template.1);
    app.stop().await;
});

/// `GET /api/v1/messages?{query}` as the operator workspace's user.
async fn listing(app: &TestApp, query: String) -> (u16, Value) {
    json(app.get(&format!("/api/v1/messages?{query}")).header("authorization", bearer()).send().await.unwrap()).await
}

on_both_backends!(older_messages_come_page_by_page_without_gap_or_repeat, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let page = |query: String| listing(&app, query);
    let bodies = |answer: &(u16, Value)| -> Vec<String> {
        assert_eq!(answer.0, 200, "{}", answer.1);
        answer.1["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_owned()).collect()
    };
    let empty = page("phone=%2B498963648018".into()).await;
    assert_eq!(empty.1["next_before"], Value::Null, "{}", empty.1);
    for i in 0..5 {
        app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, &format!("message {i}")).await;
    }
    let newest = page("phone=%2B498963648018&limit=2".into()).await;
    assert_eq!(bodies(&newest), ["message 3", "message 4"]);
    let cursor = newest.1["next_before"].as_str().expect("older messages remain").to_owned();
    // A message arrives while the user reads back: the older pages neither repeat nor skip one.
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "message 5").await;
    let older = page(format!("phone=%2B498963648018&limit=2&before={cursor}")).await;
    assert_eq!(bodies(&older), ["message 1", "message 2"]);
    assert_eq!(older.1["last_sender"], SENDER, "the conversation's last sender, not the page's");
    assert_eq!(older.1["window"]["open"], true);
    let cursor = older.1["next_before"].as_str().expect("one message remains").to_owned();
    let first = page(format!("phone=%2B498963648018&limit=2&before={cursor}")).await;
    assert_eq!(bodies(&first), ["message 0"]);
    assert_eq!(first.1["next_before"], Value::Null, "the start of the conversation");
    // A page that ends exactly at the start says so too.
    let whole = page("phone=%2B498963648018&limit=6".into()).await;
    assert_eq!(bodies(&whole).len(), 6);
    assert_eq!(whole.1["next_before"], Value::Null);

    // Another conversation's cursor, and cursors the relay never gave, are refused.
    app.customer_writes(SENDER, SENDER_PHONE, "+498963648019", "someone else").await;
    assert_error(&page(format!("phone=%2B498963648019&before={cursor}")).await, 400, "invalid_request");
    assert_error(&page("phone=%2B498963648018&before=not-a-cursor".into()).await, 400, "invalid_request");
    assert_error(&page("phone=%2B498963648018&before=".into()).await, 400, "invalid_request");
    app.stop().await;
});

on_both_backends!(listing_shows_recent_messages_oldest_first_with_the_window, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let page = |query: String| listing(&app, query);
    let empty = page("phone=%2B498963648018".into()).await;
    assert_eq!(empty.0, 200, "{}", empty.1);
    assert_eq!(empty.1["messages"], json!([]));
    assert_eq!(empty.1["last_sender"], Value::Null);
    assert_eq!(empty.1["window"], json!({"enforced": true, "open": false, "closes_at": null}));

    for i in 0..3 {
        app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, &format!("message {i}")).await;
    }
    let all = page("phone=%2B498963648018".into()).await;
    let bodies: Vec<&str> = all.1["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["message 0", "message 1", "message 2"]);
    assert_eq!(all.1["last_sender"], SENDER);
    assert_eq!(all.1["window"]["open"], true);
    let closes_at: jiff::Timestamp = all.1["window"]["closes_at"].as_str().unwrap().parse().unwrap();
    let last: jiff::Timestamp = all.1["messages"][2]["timestamp"].as_str().unwrap().parse().unwrap();
    assert_eq!(closes_at, last + jiff::SignedDuration::from_hours(24));
    let recent = page("phone=%2B498963648018&limit=2".into()).await;
    let bodies: Vec<&str> =
        recent.1["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["message 1", "message 2"], "the most recent two, oldest first");
    // the window is per sender number: the other sandbox number never heard from this customer
    let other = page("phone=%2B498963648018&sender=sandbox-br".into()).await;
    assert_eq!(other.1["window"]["open"], false);
    // a day after the customer's last message the window has closed: the relay's clock moved on, nobody waits
    app.state.ingest.clock.advance(Duration::from_secs(24 * 3600 + 1));
    let later = page("phone=%2B498963648018".into()).await;
    assert_eq!(later.1["window"]["open"], false, "{}", later.1);
    let late = json!({"from": SENDER, "to": CUSTOMER, "body": "a day too late"});
    assert_error(&send_as(&app, &bearer(), "a-day-later", &late).await, 422, "window_closed");

    assert_error(&page("phone=%2B498963648018&limit=0".into()).await, 400, "invalid_request");
    assert_error(&page("phone=%2B498963648018&limit=101".into()).await, 400, "invalid_request");
    assert_error(&page("phone=%2B498963648018&limit=ten".into()).await, 400, "invalid_request");
    assert_error(&page("phone=0896364".into()).await, 422, "invalid_phone");
    assert_error(&page(String::new()).await, 400, "invalid_request");
    assert_error(&page("phone=%2B498963648018&sender=nobody".into()).await, 422, "unknown_sender");
    app.stop().await;
});

on_both_backends!(statuses_advance_and_replies_arrive_live, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Can we talk?").await;
    let stream = open_stream(&app, &bearer(), CUSTOMER).await;
    let unrelated = open_stream(&app, &bearer(), "+819012345678").await;
    let other_workspace = open_stream(&app, &other_workspace(), CUSTOMER).await;
    let sent = json(
        send(&app, Some("live"), &json!({"from": SENDER, "to": CUSTOMER, "body": "Does Tuesday suit you?"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(sent.0, 202, "{}", sent.1);
    let id = sent.1["message"]["id"].as_str().unwrap().to_owned();
    let events =
        read_events(stream, |events| events.iter().any(|(kind, data)| kind == "message" && data["direction"] == "in"))
            .await;
    let statuses: Vec<&str> = events
        .iter()
        .filter(|(kind, data)| kind == "status" && data["id"] == id.as_str())
        .map(|(_, d)| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["sent", "delivered", "read"]);
    assert_eq!(events[0].0, "message", "the queued message comes first");
    assert_eq!(events[0].1["status"], "queued");
    let reply = &events.last().unwrap().1;
    assert_eq!(reply["from"], CUSTOMER);
    assert!(reply["body"].as_str().unwrap().contains("Does Tuesday suit you?"));
    // the other number's stream heard nothing of this conversation
    let quiet = tokio::time::timeout(Duration::from_millis(200), unrelated.bytes_stream().next()).await;
    assert!(quiet.is_err(), "an unrelated stream received {quiet:?}");
    // nor did another workspace's stream of the same number
    let quiet = tokio::time::timeout(Duration::from_millis(200), other_workspace.bytes_stream().next()).await;
    assert!(quiet.is_err(), "another workspace's stream received {quiet:?}");
    app.stop().await;
});

on_both_backends!(new_messages_are_rate_limited_per_workspace_but_retries_are_not, |backend| async move {
    let app = TestApp::spawn(backend, |settings| {
        settings.retain(|(k, _)| *k != "SIDECHAT_SEND_RATE_LIMIT");
        settings.push(("SIDECHAT_SEND_RATE_LIMIT", "2".into()));
    })
    .await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hi").await;
    let body = |i: usize| json!({"from": SENDER, "to": CUSTOMER, "body": format!("burst {i}")});
    let mut answers = Vec::new();
    for i in 0..3 {
        answers.push(json(send(&app, Some(&format!("burst-{i}")), &body(i)).send().await.unwrap()).await);
    }
    assert_eq!(answers[0].0, 202);
    assert_eq!(answers[1].0, 202);
    assert_error(&answers[2], 429, "rate_limited");
    let retry = json(send(&app, Some("burst-0"), &body(0)).send().await.unwrap()).await;
    assert_eq!(retry.0, 200, "a retry of an accepted message is answered, not limited: {}", retry.1);
    let zoho = send_as(&app, &colleague(), "other", &body(9)).await;
    assert_error(&zoho, 429, "rate_limited");
    let other = send_as(&app, &other_workspace(), "other", &body(9)).await;
    // not limited: refused only because that workspace has no WhatsApp
    assert_error(&other, 422, "not_connected");
    app.stop().await;
});

on_both_backends!(files_the_provider_cannot_carry_are_refused, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hi").await;
    let upload = |name: &'static str, mime: &'static str| {
        let part = reqwest::multipart::Part::bytes(b"PK\x03\x04 zip".to_vec()).file_name(name).mime_str(mime).unwrap();
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let (status, zip) = json(upload("archive.zip", "application/zip").await.unwrap()).await;
    assert_eq!(status, 201, "{zip}");
    let (_, pdf) = json(upload("offer.pdf", "application/pdf").await.unwrap()).await;
    let zip_id = zip["upload"]["id"].as_str().unwrap();
    let pdf_id = pdf["upload"]["id"].as_str().unwrap();
    // the sandbox follows the Cloud API, which sends no zip files
    let refused = json(
        send(&app, Some("zip"), &json!({"from": SENDER, "to": CUSTOMER, "attachments": [{"upload": zip_id}]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&refused, 422, "unsupported_attachment");
    assert!(refused.1["error"]["message"].as_str().unwrap().contains("archive.zip"), "{}", refused.1);
    let two = json(
        send(
            &app,
            Some("two"),
            &json!({"from": SENDER, "to": CUSTOMER, "attachments": [{"upload": pdf_id}, {"upload": pdf_id}]}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_error(&two, 422, "unsupported_attachment");
    let empty = json(
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(
                reqwest::multipart::Form::new()
                    .part("file", reqwest::multipart::Part::bytes(Vec::new()).file_name("empty.pdf")),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&empty, 422, "unsupported_attachment");
    let no_file = json(
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(reqwest::multipart::Form::new().text("note", "no file here"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&no_file, 400, "invalid_request");
    app.stop().await;
});

/// Another user of the installed company: the same workspace as [`bearer`]'s user.
fn colleague() -> String {
    format!("Bearer {}", pipedrive_token_for(INSTALLED_COMPANY, PIPEDRIVE_USER + 1, 300))
}

on_both_backends!(files_live_outside_the_database_and_unsent_uploads_go_after_a_day, |backend| async move {
    let files_dir = TempDir::new();
    let dir = files_dir.0.display().to_string();
    let app = TestApp::spawn(backend, |settings| settings.push(("SIDECHAT_FILES_DIR", dir))).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hi").await;
    let upload = |name: &'static str, data: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(data).file_name(name).mime_str("application/pdf").unwrap();
        app.post("/api/v1/uploads")
            .header("authorization", bearer())
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let offer: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let (status, sent_file) = json(upload("offer.pdf", offer.clone()).await.unwrap()).await;
    assert_eq!(status, 201, "{sent_file}");
    let sent_id = sent_file["upload"]["id"].as_str().unwrap().to_owned();
    assert_eq!(sent_file["upload"]["size"], offer.len());
    let workspace = app.state.operator.clone();
    assert_eq!(stored_bytes(&app, &workspace, &sent_id).await, offer, "the file store holds the bytes");
    let on_disk = files_dir.0.join(workspace.as_str()).join(&sent_id);
    assert_eq!(std::fs::metadata(&on_disk).unwrap().len(), offer.len() as u64, "in SIDECHAT_FILES_DIR");

    // Sent, then read back through its link: the same bytes.
    let body = json!({"from": SENDER, "to": CUSTOMER, "body": "the offer", "attachments": [{"upload": sent_id}]});
    let (status, sent) = json(send(&app, Some("with-file"), &body).send().await.unwrap()).await;
    assert_eq!(status, 202, "{sent}");
    let url = sent["message"]["attachments"][0]["url"].as_str().unwrap().replace("http://relay.test", &app.url);
    let read = app.http.get(&url).send().await.unwrap();
    assert_eq!(read.headers()["content-length"], offer.len().to_string().as_str());
    assert_eq!(read.bytes().await.unwrap().as_ref(), offer.as_slice());

    // Another upload no message takes: removed, file and all, a day later.
    let (_, unsent) = json(upload("draft.pdf", b"%PDF draft".to_vec()).await.unwrap()).await;
    let unsent_id = unsent["upload"]["id"].as_str().unwrap().to_owned();
    let unsent_path = files_dir.0.join(workspace.as_str()).join(&unsent_id);
    assert!(unsent_path.exists());
    app.state.ingest.clock.advance(Duration::from_secs(25 * 3600));
    eventually(Duration::from_secs(30), || async { (!unsent_path.exists()).then_some(()) }).await;
    assert!(app.state.store.attachment(&workspace, &unsent_id).await.unwrap().is_none());
    assert!(on_disk.exists(), "a file a message took stays");

    // A stored file that cannot be read fails the health check.
    assert_eq!(app.get("/healthz").send().await.unwrap().status(), 200);
    std::fs::remove_file(&on_disk).unwrap();
    let (status, health) = json(app.get("/healthz").send().await.unwrap()).await;
    assert_eq!((status, health["failing"].as_str()), (503, Some("files")), "{health}");
    app.stop().await;
});

on_both_backends!(uploads_over_the_limit_at_once_are_told_to_come_back, |backend| async move {
    let app = TestApp::spawn(backend, |settings| settings.push(("SIDECHAT_MAX_UPLOADS", "1".into()))).await;
    // One upload whose body keeps coming: it holds the only slot.
    let (feed, body) = futures::channel::mpsc::unbounded::<Result<bytes::Bytes, std::io::Error>>();
    let boundary = "sidechat-test-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
    );
    feed.unbounded_send(Ok(bytes::Bytes::from(head))).unwrap();
    feed.unbounded_send(Ok(bytes::Bytes::from(vec![7u8; 64 * 1024]))).unwrap();
    let slow = app
        .post("/api/v1/uploads")
        .header("authorization", bearer())
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(reqwest::Body::wrap_stream(body))
        .send();
    let slow = tokio::spawn(slow);
    // Once the slow one is being received, the next is turned away.
    eventually(Duration::from_secs(10), || async { (app.state.uploads.available_permits() == 0).then_some(()) }).await;
    let next = || async {
        let part = reqwest::multipart::Part::bytes(b"%PDF".to_vec()).file_name("next.pdf").mime_str("application/pdf");
        let form = reqwest::multipart::Form::new().part("file", part.unwrap());
        app.post("/api/v1/uploads").header("authorization", bearer()).multipart(form).send().await.unwrap()
    };
    let busy = eventually(Duration::from_secs(10), || async {
        let answer = next().await;
        (answer.status() == 503).then_some(answer)
    })
    .await;
    assert_eq!(busy.headers()["retry-after"], "5");
    assert_error(&json(busy).await, 503, "busy");
    // The slow one ends: the slot is free again.
    feed.unbounded_send(Ok(bytes::Bytes::from(format!("\r\n--{boundary}--\r\n")))).unwrap();
    drop(feed);
    let (status, done) = json(slow.await.unwrap().unwrap()).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(next().await.status(), 201);
    app.stop().await;
});
