//! Data that must go: an admin erases one customer's conversation, messages past `SIDECHAT_RETENTION_DAYS` are
//! deleted, and the operator lists and deletes workspaces with `sidechat-relay workspace`.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, COMPANIES, MEMBER_ID};

use crate::on_both_backends;
use crate::support::*;

const A: u64 = COMPANIES[0];
const B: u64 = COMPANIES[1];
const CUSTOMER: &str = "+498963648018";
const OTHER_CUSTOMER: &str = "+33612345678";

async fn page(app: &TestApp, authorization: &str, phone: &str) -> Vec<Value> {
    let (status, page) =
        get(app, &format!("/api/v1/messages?phone={}", phone.replace('+', "%2B")), authorization).await;
    assert_eq!(status, 200, "{page}");
    page["messages"].as_array().unwrap().clone()
}

async fn erase(app: &TestApp, authorization: &str, phone: &str) -> (u16, Value) {
    json(
        app.delete(&format!("/api/v1/admin/contacts/{phone}"))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Logs an inbound message to the operator's sandbox number, `days_ago` days old.
async fn customer_wrote(app: &TestApp, contact: &str, body: &str, days_ago: i64) {
    let inbound = sidechat_relay::store::InboundMessage {
        id: uuid::Uuid::now_v7().to_string(),
        provider_id: format!("test-in-{}", uuid::Uuid::new_v4()),
        sender_id: "sandbox-de".into(),
        business_phone: sidechat_domain::E164::parse("+4930901820").unwrap(),
        contact: sidechat_domain::E164::parse(contact).unwrap(),
        body: body.into(),
        attachment_ids: vec![],
        at: jiff::Timestamp::now().as_millisecond() - days_ago * 86_400_000,
    };
    assert!(app.state.ingest.inbound(&app.state.operator, inbound).await.unwrap());
}

on_both_backends!(an_admin_erases_one_customers_conversation, |backend| async move {
    let (app, _pipedrive) = two_workspaces_with(backend, |_| {}).await;
    let (admin, member, b_admin) = (auth(A, ADMIN_ID), auth(A, MEMBER_ID), auth(B, ADMIN_ID));
    customer_wrote(&app, CUSTOMER, "Please send the offer", 0).await;
    customer_wrote(&app, OTHER_CUSTOMER, "Bonjour", 0).await;
    let part =
        reqwest::multipart::Part::bytes(b"%PDF-1.4 offer".to_vec()).file_name("offer.pdf").mime_str("application/pdf");
    let form = reqwest::multipart::Form::new().part("file", part.unwrap());
    let (_, uploaded) =
        json(app.post("/api/v1/uploads").header("authorization", &member).multipart(form).send().await.unwrap()).await;
    let send = json!({"from": "sandbox-de", "to": CUSTOMER, "body": "Here it is", "attachments": [{"upload": uploaded["upload"]["id"]}]});
    let (status, sent) = send_as(&app, &member, "offer-1", &send).await;
    assert_eq!(status, 202, "{sent}");
    let file_url = sent["message"]["attachments"][0]["url"].as_str().unwrap().replace("http://relay.test", &app.url);
    assert_eq!(app.http.get(&file_url).send().await.unwrap().status(), 200);
    let stream = open_stream(&app, &member, CUSTOMER).await;

    assert_error(&erase(&app, &member, "%2B498963648018").await, 403, "forbidden");
    assert_error(&erase(&app, &admin, "498963648018").await, 422, "invalid_phone");
    assert_error(&erase(&app, &admin, "%2Bnot-a-number").await, 422, "invalid_phone");
    // B's admin erases B's conversation with the number: A's stays
    assert_eq!(erase(&app, &b_admin, "%2B498963648018").await.0, 204);
    assert_eq!(page(&app, &admin, CUSTOMER).await.len(), 2);

    assert_eq!(erase(&app, &admin, "%2B498963648018").await.0, 204);
    assert!(page(&app, &admin, CUSTOMER).await.is_empty());
    assert_eq!(page(&app, &admin, OTHER_CUSTOMER).await.len(), 1, "other conversations stay");
    assert_eq!(app.http.get(&file_url).send().await.unwrap().status(), 404, "the file is gone");
    // and so are its bytes, from the file store
    let key = sidechat_relay::files::Files::key(
        &app.state.store.account_workspace(sidechat_domain::Crm::Pipedrive, &A.to_string()).await.unwrap().unwrap(),
        uploaded["upload"]["id"].as_str().unwrap(),
    );
    eventually(Duration::from_secs(30), || async {
        matches!(app.state.ingest.files.readable(&key).await, Err(object_store::Error::NotFound { .. })).then_some(())
    })
    .await;
    let ended = tokio::time::timeout(Duration::from_secs(5), stream.bytes()).await;
    assert!(ended.is_ok(), "the open stream of the erased conversation ended");
    // a retry of the erased send's key is a new message now: nothing of the old one is kept
    let replay =
        send_as(&app, &member, "offer-1", &json!({"from": "sandbox-de", "to": CUSTOMER, "body": "again"})).await;
    assert_error(&replay, 422, "window_closed");
    // the same number written in another form (`+` in the path) works too
    assert_eq!(erase(&app, &admin, "+33612345678").await.0, 204);
    assert!(page(&app, &admin, OTHER_CUSTOMER).await.is_empty());

    let (_, log) = get(&app, "/api/v1/admin/log", &admin).await;
    assert_eq!(log["entries"][1]["action"], "erase");
    assert_eq!(log["entries"][1]["subject"], CUSTOMER);
    assert_eq!(log["entries"][1]["details"], json!({"messages": 2, "files": 1}));
    app.stop().await;
});

on_both_backends!(messages_past_the_retention_period_are_deleted, |backend| async move {
    let (dir, database_url) = binary_workspace(backend).await;
    let app = TestApp::spawn_on(&database_url, |_| {}).await;
    customer_wrote(&app, CUSTOMER, "From long ago", 40).await;
    customer_wrote(&app, CUSTOMER, "From last week", 7).await;
    app.stop().await;

    let app =
        TestApp::spawn_on(&database_url, |settings| settings.push(("SIDECHAT_RETENTION_DAYS", "30".into()))).await;
    let kept = eventually(Duration::from_secs(10), || async {
        let kept = page(&app, &bearer(), CUSTOMER).await;
        (kept.len() == 1).then_some(kept)
    })
    .await;
    assert_eq!(kept[0]["body"], "From last week");
    app.stop().await;
    drop(dir);
});

on_both_backends!(the_operator_lists_and_deletes_workspaces, |backend| async move {
    let (app, _pipedrive) = two_workspaces_with(backend, |_| {}).await;
    let (_, me) = get(&app, "/api/v1/me", &auth(B, ADMIN_ID)).await;
    let b_id = me["workspace"]["id"].as_str().unwrap().to_owned();
    let database_url = app.state.config.database_url.clone();
    let relay = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sidechat-relay"))
            .args(args)
            .env("SIDECHAT_DATABASE_URL", &database_url)
            .env("SIDECHAT_SECRET_KEY", SECRET_KEY)
            .output()
            .unwrap()
    };
    let listed = relay(&["workspace", "list"]);
    assert!(listed.status.success(), "{listed:?}");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.lines().next().unwrap().starts_with("operator (operator)"), "{listed}");
    assert!(listed.contains(&format!("pipedrive:{A}")) && listed.contains(&format!("pipedrive:{B}")), "{listed}");
    let b_line = listed.lines().find(|line| line.starts_with(&b_id)).expect("B is listed");
    assert!(b_line.contains("users: 1"), "{b_line}");

    let refused = relay(&["workspace", "delete", "operator"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("operator workspace"), "{refused:?}");
    assert!(!relay(&["workspace", "delete", "no-such-workspace"]).status.success());
    let deleted = relay(&["workspace", "delete", &b_id]);
    assert!(deleted.status.success(), "{deleted:?}");
    assert_error(&get(&app, "/api/v1/me", &auth(B, ADMIN_ID)).await, 403, "not_installed");
    assert_eq!(get(&app, "/api/v1/me", &auth(A, ADMIN_ID)).await.0, 200, "A is untouched");
    let listed = relay(&["workspace", "list"]);
    assert!(!String::from_utf8_lossy(&listed.stdout).contains(&b_id));
    app.stop().await;
});
