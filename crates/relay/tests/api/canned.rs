//! Canned texts: per company, filter and search, module locked, merge fields checked.

use serde_json::json;

use crate::on_both_backends;
use crate::support::*;

on_both_backends!(canned_texts_lifecycle, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let create = |name: &str, module: &str, body: &str| {
        app.post("/api/v1/canned-texts")
            .header("authorization", bearer())
            .json(&json!({"name": name, "module": module, "body": body}))
            .send()
    };
    let (status, welcome) = json(create("Welcome", "Persons", "Hi $[Persons.First Name|there]!").await.unwrap()).await;
    assert_eq!(status, 201, "{welcome}");
    assert_eq!(welcome["module"], "Persons");
    let (status, _) = json(create("Deal follow-up", "Deals", "About $[Deals.Title]").await.unwrap()).await;
    assert_eq!(status, 201);
    let (status, _) = json(create("welcome back", "Persons", "Hello again").await.unwrap()).await;
    assert_eq!(status, 201);

    let app_ref = &app;
    let list = |query: &'static str| async move {
        let (status, body) = json(
            app_ref
                .get(&format!("/api/v1/canned-texts{query}"))
                .header("authorization", bearer())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        body["canned_texts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(list("").await, ["Deal follow-up", "Welcome", "welcome back"]);
    assert_eq!(list("?module=Persons").await, ["Welcome", "welcome back"]);
    assert_eq!(list("?q=WELCOME").await, ["Welcome", "welcome back"]);
    assert_eq!(list("?q=back&module=Persons").await, ["welcome back"]);
    assert_eq!(list("?q=100%25").await, Vec::<String>::new(), "LIKE wildcards are searched literally");

    let id = welcome["id"].as_str().unwrap();
    let edit = json(
        app.put(&format!("/api/v1/canned-texts/{id}"))
            .header("authorization", bearer())
            .json(&json!({"name": "Welcome!", "module": "Persons", "body": "Hello $[Persons.First Name]"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(edit.0, 200, "{}", edit.1);
    assert_eq!(edit.1["name"], "Welcome!");
    let moved = json(
        app.put(&format!("/api/v1/canned-texts/{id}"))
            .header("authorization", bearer())
            .json(&json!({"name": "Welcome!", "module": "Deals", "body": "Hello $[Deals.Title]"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&moved, 422, "module_immutable");

    let deleted =
        app.delete(&format!("/api/v1/canned-texts/{id}")).header("authorization", bearer()).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let again =
        json(app.delete(&format!("/api/v1/canned-texts/{id}")).header("authorization", bearer()).send().await.unwrap())
            .await;
    assert_error(&again, 404, "not_found");
    app.stop().await;
});

on_both_backends!(malformed_canned_texts_are_refused, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let cases: &[(serde_json::Value, u16, &str)] = &[
        (json!({"name": "x", "module": "Leads", "body": "Hi $[Leads.]"}), 422, "invalid_merge_field"),
        (json!({"name": "x", "module": "Leads", "body": "Hi $[Leads.First Name"}), 422, "invalid_merge_field"),
        (json!({"name": "x", "module": "Leads", "body": "Hi $[Contacts.First Name]"}), 422, "invalid_merge_field"),
        (json!({"name": "", "module": "Leads", "body": "Hi"}), 400, "invalid_request"),
        (json!({"name": "x", "module": "Le ads", "body": "Hi"}), 400, "invalid_request"),
        (json!({"name": "x", "module": "Leads", "body": " "}), 422, "empty_message"),
        (json!({"name": "x", "module": "Leads", "body": "x".repeat(4097)}), 422, "body_too_long"),
        (json!({"name": "x", "module": "Leads"}), 400, "invalid_request"),
    ];
    for (body, status, code) in cases {
        let answer =
            json(app.post("/api/v1/canned-texts").header("authorization", bearer()).json(body).send().await.unwrap())
                .await;
        assert_error(&answer, *status, code);
    }
    let position = json(
        app.post("/api/v1/canned-texts")
            .header("authorization", bearer())
            .json(&json!({"name": "x", "module": "Leads", "body": "Hi $[Leads.]"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(position.1["error"]["message"].as_str().unwrap().contains("character 4"), "{}", position.1);
    app.stop().await;
});

on_both_backends!(canned_texts_are_kept_per_workspace, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let (_, created) = json(
        app.post("/api/v1/canned-texts")
            .header("authorization", bearer())
            .json(&json!({"name": "Pipedrive only", "module": "Persons", "body": "Hi"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let zoho = other_workspace();
    let (_, list) = json(app.get("/api/v1/canned-texts").header("authorization", &zoho).send().await.unwrap()).await;
    assert_eq!(list["canned_texts"], json!([]));
    let id = created["id"].as_str().unwrap();
    let edit = json(
        app.put(&format!("/api/v1/canned-texts/{id}"))
            .header("authorization", &zoho)
            .json(&json!({"name": "mine now", "module": "Persons", "body": "Hi"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&edit, 404, "not_found");
    let delete =
        json(app.delete(&format!("/api/v1/canned-texts/{id}")).header("authorization", &zoho).send().await.unwrap())
            .await;
    assert_error(&delete, 404, "not_found");
    app.stop().await;
});
