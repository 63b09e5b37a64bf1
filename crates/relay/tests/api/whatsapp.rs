//! Admins connect their workspace's WhatsApp: credentials checked with the Graph and TimelinesAI stand-ins
//! (accepted, rejected, a number already in use), the app subscribed to the business account, webhooks routed by
//! number and by secret path, restricted senders, disconnecting, the admin log, and a member refused everywhere.
//! Company A shares the operator workspace (the relay's sandbox); company B starts without WhatsApp.

use serde_json::{Value, json};
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, COMPANIES, MEMBER_ID};
use sidechat_standins::{graph, timelines};
use sqlx::Row;

use crate::on_both_backends;
use crate::support::*;

const A: u64 = COMPANIES[0];
const B: u64 = COMPANIES[1];
const CUSTOMER: &str = "+498963648018";

async fn post(app: &TestApp, path: &str, authorization: &str, body: &Value) -> (u16, Value) {
    json(app.post(path).header("authorization", authorization).json(body).send().await.unwrap()).await
}

async fn patch(app: &TestApp, path: &str, authorization: &str, body: &Value) -> (u16, Value) {
    json(
        app.http
            .patch(format!("{}{path}", app.url))
            .header("authorization", authorization)
            .json(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn delete(app: &TestApp, path: &str, authorization: &str) -> (u16, Value) {
    json(app.delete(path).header("authorization", authorization).send().await.unwrap()).await
}

fn second_business(waba_id: &str, ids: &[&str]) -> Value {
    json!({"provider": "cloud", "access_token": graph::SECOND_TOKEN, "waba_id": waba_id, "phone_number_ids": ids})
}

/// An inbound Cloud API message from the customer to `phone_number_id`.
fn inbound_to(phone_number_id: &str, wamid: &str, text: &str) -> Value {
    json!({"object": "whatsapp_business_account", "entry": [{"id": graph::SECOND_WABA_ID, "changes": [{"field": "messages",
        "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "4940123456780",
            "phone_number_id": phone_number_id}, "contacts": [{"profile": {"name": "Marie"}, "wa_id": "498963648018"}],
            "messages": [{"from": "498963648018", "id": wamid, "timestamp": jiff::Timestamp::now().as_second().to_string(),
                "type": "text", "text": {"body": text}}]}}]}]})
}

async fn conversation(app: &TestApp, authorization: &str) -> Vec<Value> {
    let (status, page) =
        get(app, &format!("/api/v1/messages?phone={}", CUSTOMER.replace('+', "%2B")), authorization).await;
    assert_eq!(status, 200, "{page}");
    page["messages"].as_array().unwrap().clone()
}

/// The sealed token column of a connection, read straight from the database.
async fn stored_secret(app: &TestApp, id: &str) -> Option<String> {
    let url = app.state.config.database_url.clone();
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.unwrap();
    let row =
        sqlx::query("SELECT secret FROM whatsapp_connections WHERE id = $1").bind(id).fetch_one(&mut db).await.unwrap();
    row.try_get("secret").unwrap()
}

on_both_backends!(cloud_connections_are_checked_subscribed_routed_and_removed, |backend| async move {
    let graph = graph::Graph::start().await;
    let graph_url = graph.url.clone();
    let (app, _pipedrive) = two_workspaces_with(backend, move |settings| {
        settings.push(("WHATSAPP_GRAPH_URL", graph_url));
        settings.push(("WHATSAPP_APP_SECRET", graph::APP_SECRET.to_owned()));
        settings.push(("WHATSAPP_VERIFY_TOKEN", graph::VERIFY_TOKEN.to_owned()));
    })
    .await;
    let (a_admin, a_member, b_admin) = (auth(A, ADMIN_ID), auth(A, MEMBER_ID), auth(B, ADMIN_ID));
    let [(first_id, first_phone, _), (second_id, _, _)] = graph::SECOND_NUMBERS;
    let path = "/api/v1/admin/whatsapp";

    // a member may neither list nor connect
    assert_error(&get(&app, path, &a_member).await, 403, "forbidden");
    assert_error(
        &post(&app, path, &a_member, &second_business(graph::SECOND_WABA_ID, &[first_id])).await,
        403,
        "forbidden",
    );

    // refusals name the field at fault, and nothing is kept or subscribed
    let bad_token = json!({"provider": "cloud", "access_token": "EAAnope", "waba_id": graph::SECOND_WABA_ID,
        "phone_number_ids": [first_id]});
    let answer = post(&app, path, &b_admin, &bad_token).await;
    assert_error(&answer, 422, "connection_rejected");
    assert_eq!(answer.1["error"]["field"], "access_token");
    let foreign_number =
        post(&app, path, &b_admin, &second_business(graph::SECOND_WABA_ID, &[graph::PHONE_NUMBER_ID])).await;
    assert_error(&foreign_number, 422, "connection_rejected");
    assert_eq!(foreign_number.1["error"]["field"], "phone_number_ids");
    let foreign_account = post(&app, path, &b_admin, &second_business(graph::WABA_ID, &[first_id])).await;
    assert_error(&foreign_account, 422, "connection_rejected");
    assert_eq!(foreign_account.1["error"]["field"], "waba_id");
    let blank = post(
        &app,
        path,
        &b_admin,
        &json!({"provider": "cloud", "access_token": " ", "waba_id": "1",
        "phone_number_ids": ["2"]}),
    )
    .await;
    assert_error(&blank, 422, "invalid_setting");
    assert_eq!(blank.1["error"]["field"], "access_token");
    assert_error(
        &post(&app, path, &b_admin, &json!({"provider": "cloud", "waba_id": "1"})).await,
        400,
        "invalid_request",
    );
    assert_error(&post(&app, path, &b_admin, &json!({"provider": "sandbox"})).await, 422, "connection_rejected");
    assert!(graph.subscribed().is_empty(), "nothing was subscribed for a refused connection");
    assert_eq!(get(&app, path, &b_admin).await.1, json!({"connections": []}));

    // accepted: both numbers, the app subscribed to the account's webhooks
    let (status, made) =
        post(&app, path, &b_admin, &second_business(graph::SECOND_WABA_ID, &[first_id, second_id])).await;
    assert_eq!(status, 201, "{made}");
    let connection = &made["connection"];
    let id = connection["id"].as_str().unwrap().to_owned();
    assert_eq!(connection["provider"], "cloud");
    assert_eq!(connection["label"], "Hamburg desk", "the first number's verified name");
    assert_eq!(connection["webhook_url"], "http://relay.test/webhooks/whatsapp");
    assert_eq!(connection["secret_hint"], &graph::SECOND_TOKEN[graph::SECOND_TOKEN.len() - 4..]);
    assert_eq!(connection["allowed_users"], Value::Null);
    assert_eq!(connection["created_by"]["name"], "Ada Admin");
    let phones: Vec<&str> =
        connection["senders"].as_array().unwrap().iter().map(|s| s["phone"].as_str().unwrap()).collect();
    assert_eq!(phones, [first_phone, graph::SECOND_NUMBERS[1].1]);
    assert_eq!(graph.subscribed(), [graph::SECOND_WABA_ID]);
    let (_, listed) = get(&app, path, &b_admin).await;
    assert_eq!(listed["connections"], json!([connection]));
    assert!(!listed.to_string().contains(graph::SECOND_TOKEN), "the token never comes back");
    let sealed = stored_secret(&app, &id).await.expect("the token is kept");
    assert!(sealed.starts_with("v1.") && !sealed.contains(graph::SECOND_TOKEN), "kept sealed: {sealed}");

    // the same numbers cannot be connected twice, by any workspace
    let again = post(&app, path, &a_admin, &second_business(graph::SECOND_WABA_ID, &[second_id])).await;
    assert_error(&again, 409, "number_in_use");
    assert_eq!(graph.subscribed().len(), 1);

    // B's users send from B's numbers; A's do not see them
    let (_, b_senders) = get(&app, "/api/v1/senders", &b_admin).await;
    assert_eq!(b_senders["senders"].as_array().unwrap().len(), 2);
    let (_, a_senders) = get(&app, "/api/v1/senders", &a_admin).await;
    assert!(a_senders["senders"].as_array().unwrap().iter().all(|s| s["provider"] == "sandbox"), "{a_senders}");
    let from_a = send_as(&app, &a_admin, "steal", &json!({"from": first_id, "to": CUSTOMER, "body": "x"})).await;
    assert_error(&from_a, 422, "unknown_sender");

    // the customer's message to B's number reaches B only; a number nobody connected is acknowledged and dropped
    assert_eq!(cloud_webhook(&app, &inbound_to(first_id, "wamid.B1", "Hallo Hamburg"), graph::APP_SECRET).await.0, 200);
    assert_eq!(cloud_webhook(&app, &inbound_to("999000999", "wamid.X1", "to nobody"), graph::APP_SECRET).await.0, 200);
    let b_page = conversation(&app, &b_admin).await;
    assert_eq!(b_page.len(), 1);
    assert_eq!(b_page[0]["body"], "Hallo Hamburg");
    assert!(conversation(&app, &a_admin).await.is_empty(), "A's conversation with the number is another one");
    let (status, sent) =
        send_as(&app, &b_admin, "b-1", &json!({"from": first_id, "to": CUSTOMER, "body": "Moin!"})).await;
    assert_eq!(status, 202, "{sent}");
    let arrived = eventually(std::time::Duration::from_secs(10), || async {
        graph.sends().into_iter().find(|payload| payload["text"]["body"] == "Moin!")
    })
    .await;
    assert_eq!(arrived["to"], "498963648018");

    // removing it: A's admin cannot, B's can; its numbers send no more, its history stays
    assert_error(&delete(&app, &format!("{path}/{id}"), &a_admin).await, 404, "not_found");
    assert_error(&delete(&app, &format!("{path}/{id}"), &a_member).await, 403, "forbidden");
    assert_eq!(delete(&app, &format!("{path}/{id}"), &b_admin).await.0, 204);
    assert_eq!(get(&app, path, &b_admin).await.1, json!({"connections": []}));
    let after =
        send_as(&app, &b_admin, "b-2", &json!({"from": first_id, "to": CUSTOMER, "body": "Still there?"})).await;
    assert_error(&after, 422, "not_connected");
    assert_eq!(conversation(&app, &b_admin).await.len(), 2, "the history stays");
    assert_eq!(stored_secret(&app, &id).await, None, "a removed connection's token is not kept");

    // the admin log says who did what, newest first, and only to the workspace's admins
    let (_, log) = get(&app, "/api/v1/admin/log", &b_admin).await;
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["disconnect", "connect"]);
    assert_eq!(log["entries"][1]["user"]["name"], "Ada Admin");
    assert_eq!(log["entries"][1]["details"]["numbers"], json!([first_phone, graph::SECOND_NUMBERS[1].1]));
    assert!(!log.to_string().contains(graph::SECOND_TOKEN));
    assert_eq!(get(&app, "/api/v1/admin/log", &a_admin).await.1, json!({"entries": []}));
    assert_error(&get(&app, "/api/v1/admin/log", &a_member).await, 403, "forbidden");
    app.stop().await;
});

on_both_backends!(timelines_connections_get_their_own_webhook_path, |backend| async move {
    let stand_in = timelines::Timelines::start().await;
    let api_url = stand_in.url.clone();
    let (app, _pipedrive) =
        two_workspaces_with(backend, move |settings| settings.push(("TIMELINES_API_URL", api_url))).await;
    let b_admin = auth(B, ADMIN_ID);
    let path = "/api/v1/admin/whatsapp";
    let connect = |token: &str| json!({"provider": "timelines", "api_token": token, "label": "Hamburg"});

    let idle = post(&app, path, &b_admin, &connect(timelines::IDLE_TOKEN)).await;
    assert_error(&idle, 422, "connection_rejected");
    assert_eq!(idle.1["error"]["field"], "api_token");
    let wrong = post(&app, path, &b_admin, &connect("nope")).await;
    assert_error(&wrong, 422, "connection_rejected");
    assert!(wrong.1["error"]["message"].as_str().unwrap().contains("Invalid or expired token"), "{}", wrong.1);
    // the first TimelinesAI workspace has +4930901820, which the operator's sandbox already has
    assert_error(&post(&app, path, &b_admin, &connect(timelines::TOKEN)).await, 409, "number_in_use");

    let (status, made) = post(&app, path, &b_admin, &connect(timelines::SECOND_TOKEN)).await;
    assert_eq!(status, 201, "{made}");
    let webhook_url = made["connection"]["webhook_url"].as_str().unwrap().to_owned();
    let secret = webhook_url.strip_prefix("http://relay.test/webhooks/timelines/").expect("its own path").to_owned();
    assert!(secret.len() >= 32, "{secret}");
    assert_eq!(made["connection"]["senders"][0]["phone"], timelines::SECOND_PHONE);
    assert_eq!(made["connection"]["label"], "Hamburg");

    let event = json!({"event_type": "message:received:new", "chat": {"chat_id": 1, "phone": CUSTOMER, "is_group": false},
        "whatsapp_account": {"phone": timelines::SECOND_PHONE}, "message": {"message_uid": "tl-in-1", "text": "Hallo B",
        "direction": "received", "timestamp": jiff::Timestamp::now().to_string()}});
    assert_eq!(
        json(app.post(&format!("/webhooks/timelines/{secret}")).json(&event).send().await.unwrap()).await.0,
        200
    );
    let wrong_path =
        json(app.post("/webhooks/timelines/not-the-secret-0123456789").json(&event).send().await.unwrap()).await;
    assert_error(&wrong_path, 404, "not_found");
    let b_page = conversation(&app, &b_admin).await;
    assert_eq!(b_page.len(), 1, "{b_page:?}");
    assert_eq!(b_page[0]["body"], "Hallo B");
    assert!(conversation(&app, &auth(A, ADMIN_ID)).await.is_empty());

    let (status, sent) = send_as(
        &app,
        &b_admin,
        "b-1",
        &json!({"from": timelines::SECOND_ACCOUNT_ID, "to": CUSTOMER,
        "body": "Moin"}),
    )
    .await;
    assert_eq!(status, 202, "{sent}");
    let arrived = eventually(std::time::Duration::from_secs(10), || async {
        stand_in.sends().into_iter().find(|payload| payload["text"] == "Moin")
    })
    .await;
    assert_eq!(arrived["whatsapp_account_phone"], timelines::SECOND_PHONE);
    app.stop().await;
});

on_both_backends!(admins_restrict_who_sends_from_a_connection, |backend| async move {
    let (app, _pipedrive) = two_workspaces_with(backend, |_| {}).await;
    let (admin, member, b_admin) = (auth(A, ADMIN_ID), auth(A, MEMBER_ID), auth(B, ADMIN_ID));
    let path = "/api/v1/admin/whatsapp";
    let (_, listed) = get(&app, path, &admin).await;
    let settings_connection = listed["connections"][0].clone();
    assert_eq!(settings_connection["provider"], "sandbox");
    assert_eq!(settings_connection["created_by"], Value::Null, "the relay's settings made it");
    assert_eq!(settings_connection["webhook_url"], Value::Null);
    let id = settings_connection["id"].as_str().unwrap().to_owned();
    let one = format!("{path}/{id}");
    let (_, me) = get(&app, "/api/v1/me", &admin).await;
    let admin_id = me["user"]["id"].clone();
    let (_, users) = get(&app, "/api/v1/admin/users", &admin).await;
    let names: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Ada Admin") && names.len() >= 2, "{users}");
    assert_error(&get(&app, "/api/v1/admin/users", &member).await, 403, "forbidden");

    assert_error(&patch(&app, &one, &member, &json!({"allowed_users": [admin_id]})).await, 403, "forbidden");
    assert_error(&patch(&app, &one, &b_admin, &json!({"allowed_users": [admin_id]})).await, 404, "not_found");
    let stranger = patch(&app, &one, &admin, &json!({"allowed_users": ["someone-else"]})).await;
    assert_error(&stranger, 422, "invalid_setting");
    assert_eq!(stranger.1["error"]["field"], "allowed_users");
    assert_error(&patch(&app, &one, &admin, &json!({"label": ""})).await, 422, "invalid_setting");

    let (status, restricted) =
        patch(&app, &one, &admin, &json!({"allowed_users": [admin_id], "label": "Berlin team"})).await;
    assert_eq!(status, 200, "{restricted}");
    assert_eq!(restricted["connection"]["allowed_users"], json!([admin_id]));
    assert_eq!(restricted["connection"]["label"], "Berlin team");
    assert_eq!(get(&app, "/api/v1/senders", &member).await.1, json!({"senders": []}));
    app.customer_writes("sandbox-de", "+4930901820", CUSTOMER, "Hello").await;
    let by_member = send_as(&app, &member, "m-1", &json!({"from": "sandbox-de", "to": CUSTOMER, "body": "Hi"})).await;
    assert_error(&by_member, 422, "unknown_sender");
    let by_admin = send_as(&app, &admin, "a-1", &json!({"from": "sandbox-de", "to": CUSTOMER, "body": "Hi"})).await;
    assert_eq!(by_admin.0, 202, "{}", by_admin.1);

    // opened again to everyone
    let (status, opened) = patch(&app, &one, &admin, &json!({"allowed_users": null})).await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["connection"]["label"], "Berlin team", "what the request leaves out stays");
    assert_eq!(get(&app, "/api/v1/senders", &member).await.1["senders"].as_array().unwrap().len(), 2);
    // the settings' connection is the operator's to remove
    assert_error(&delete(&app, &one, &admin).await, 403, "forbidden");

    let (_, log) = get(&app, "/api/v1/admin/log", &admin).await;
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["restrict", "restrict", "rename"]);
    assert_eq!(log["entries"][0]["details"], json!({"allowed_users": null}));
    app.stop().await;
});

on_both_backends!(a_sandbox_number_is_connected_in_demo_mode, |backend| async move {
    let app = TestApp::spawn_demo(backend).await;
    let admin = demo_token(&app, None).await;
    let (status, made) =
        post(&app, "/api/v1/admin/whatsapp", &admin, &json!({"provider": "sandbox", "label": "Trial"})).await;
    assert_eq!(status, 201, "{made}");
    let sender = made["connection"]["senders"][0].clone();
    assert!(sender["phone"].as_str().unwrap().starts_with("+49309018"), "{sender}");
    let (_, senders) = get(&app, "/api/v1/senders", &admin).await;
    assert!(senders["senders"].as_array().unwrap().contains(&sender), "{senders}");
    app.stop().await;
});
