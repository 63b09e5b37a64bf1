//! Demo mode: the built-in Pipedrive-shaped CRM read through the real Pipedrive client, seeded history and
//! canned texts, signed tokens for the dev host pages, and the sandbox end to end.

use std::time::Duration;

use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(the_demo_shows_the_whole_flow, |backend| async move {
    let app = TestApp::spawn_demo(backend).await;
    let auth = demo_token(&app, None).await;

    let (status, person) =
        json(app.get("/api/v1/records/pipedrive/person/1").header("authorization", &auth).send().await.unwrap()).await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["name"], "Marie Dubois");
    assert_eq!(
        person["phones"][0],
        json!({"label": "mobile", "raw": "+33 6 12 34 56 78", "e164": "+33612345678", "needs_country_code": false, "primary": true})
    );
    assert_eq!(person["phones"][1]["needs_country_code"], true, "the work number lacks a country code");
    let files: Vec<&str> = person["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(files, ["devis-boulangerie.pdf", "shop-front.png", "site-visit.mp4"]);
    assert_eq!(person["fields"]["Persons.First Name"], "Marie");
    assert_eq!(person["fields"]["Persons.Preferred language"], "French");

    let (_, deal) =
        json(app.get("/api/v1/records/pipedrive/deal/11").header("authorization", &auth).send().await.unwrap()).await;
    assert_eq!(deal["name"], "Tanaka Logistics renewal");
    let phones: Vec<&Value> = deal["phones"].as_array().unwrap().iter().map(|p| &p["e164"]).collect();
    assert_eq!(
        phones,
        [&json!(null), &json!("+81312345678")],
        "the full-width mobile needs a country; the work number has one"
    );
    assert_eq!(deal["fields"]["Deals.Title"], "Tanaka Logistics renewal");
    assert_eq!(deal["fields"]["Persons.First Name"], "Kenji");

    let (_, canned) =
        json(app.get("/api/v1/canned-texts?module=Persons").header("authorization", &auth).send().await.unwrap()).await;
    assert_eq!(canned["canned_texts"].as_array().unwrap().len(), 2);

    // Marie wrote an hour ago (open window); Kenji three days ago (closed).
    let (_, marie) =
        json(app.get("/api/v1/messages?phone=%2B33612345678").header("authorization", &auth).send().await.unwrap())
            .await;
    assert_eq!(marie["messages"].as_array().unwrap().len(), 3);
    assert_eq!(marie["window"]["open"], true);
    assert_eq!(marie["last_sender"], "sandbox-de");
    let (_, kenji) =
        json(app.get("/api/v1/messages?phone=%2B819012345678").header("authorization", &auth).send().await.unwrap())
            .await;
    assert_eq!(kenji["window"]["open"], false);

    // A record file goes out through the sandbox and is read; the oversized video is refused before download.
    let (status, sent) = json(app.post("/api/v1/messages").header("authorization", &auth).header("idempotency-key", "demo-1")
        .json(&json!({"from": "sandbox-de", "to": "+33612345678", "body": "Voici le devis.", "attachments": [{"record_file": "100"}],
            "record": {"kind": "person", "id": "1"}}))
        .send().await.unwrap()).await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["message"]["attachments"][0]["name"], "devis-boulangerie.pdf");
    let id = sent["message"]["id"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(10), || async {
        let (_, page) =
            json(app.get("/api/v1/messages?phone=%2B33612345678").header("authorization", &auth).send().await.unwrap())
                .await;
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == id.as_str() && m["status"] == "read")
            .then_some(())
    })
    .await;
    let video = json(
        app.post("/api/v1/messages")
            .header("authorization", &auth)
            .header("idempotency-key", "demo-2")
            .json(&json!({"from": "sandbox-de", "to": "+33612345678", "attachments": [{"record_file": "102"}],
                "record": {"kind": "person", "id": "1"}}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&video, 413, "attachment_too_large");

    // A company that has not installed sees nothing, demo or not.
    let stranger = demo_token(&app, Some(999)).await;
    let refused =
        json(app.get("/api/v1/records/pipedrive/person/1").header("authorization", &stranger).send().await.unwrap())
            .await;
    assert_error(&refused, 403, "not_installed");
    app.stop().await;
});

on_both_backends!(demo_routes_exist_only_in_demo_mode, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    assert_error(&json(app.get("/demo/token").send().await.unwrap()).await, 404, "not_found");
    assert_error(&json(app.get("/demo/pipedrive/api/v2/persons/1").send().await.unwrap()).await, 404, "not_found");
    let widget = app.get("/widget/").send().await.unwrap();
    let policy = widget.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'self' https://*.pipedrive.com"), "{policy}");
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"), "{policy}");
    app.stop().await;
});

on_both_backends!(widget_files_go_gzipped_where_the_build_left_a_gzip_copy, |backend| async move {
    use std::io::{Read, Write};
    let app = TestApp::spawn(backend, |_| {}).await;
    let script = "export const panel = 'the same bytes, smaller';\n".repeat(50);
    let dir = &app.state.config.widget_dir;
    std::fs::write(dir.join("boot.js"), &script).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(script.as_bytes()).unwrap();
    std::fs::write(dir.join("boot.js.gz"), encoder.finish().unwrap()).unwrap();

    let gzipped = app.get("/widget/boot.js").header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert!(gzipped.headers()["content-type"].to_str().unwrap().contains("javascript"));
    assert!(gzipped.headers().contains_key("content-security-policy"));
    let bytes = gzipped.bytes().await.unwrap();
    assert!(bytes.len() < script.len());
    let mut unpacked = String::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut unpacked).unwrap();
    assert_eq!(unpacked, script);

    // A client that takes no gzip gets the file as it is.
    let plain = app.get("/widget/boot.js").send().await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    assert_eq!(plain.text().await.unwrap(), script);
    app.stop().await;
});
