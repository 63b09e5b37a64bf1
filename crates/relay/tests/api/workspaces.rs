//! Workspaces: what one company's users can reach of another's. Two Pipedrive companies of the stand-in are
//! admitted: the first shares the operator workspace (the relay's sandbox WhatsApp), the second has a workspace of
//! its own, without WhatsApp. Every endpoint and the event stream is tried across the two; admins and members are
//! told apart; stream tickets are single-use and bound.

use std::time::Duration;

use serde_json::{Value, json};
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, COMPANIES, MEMBER_ID};
use sidechat_standins::pipedrive::{Pipedrive, World};

use crate::on_both_backends;
use crate::support::*;

const SENDER: &str = "sandbox-de";
const SENDER_PHONE: &str = "+4930901820";
const CUSTOMER: &str = "+498963648018";
/// The company in the operator workspace.
const A: u64 = COMPANIES[0];
/// The company with a workspace of its own.
const B: u64 = COMPANIES[1];

async fn two_workspaces(backend: Backend) -> (TestApp, Pipedrive) {
    two_workspaces_with(backend, |_| {}).await
}

async fn upload(app: &TestApp, authorization: &str, name: &str, bytes: &[u8]) -> Value {
    let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()).mime_str("application/pdf");
    let form = reqwest::multipart::Form::new().part("file", part.unwrap());
    let (status, body) =
        json(app.post("/api/v1/uploads").header("authorization", authorization).multipart(form).send().await.unwrap())
            .await;
    assert_eq!(status, 201, "{body}");
    body["upload"].clone()
}

async fn conversation(app: &TestApp, authorization: &str) -> Value {
    let (status, page) =
        get(app, &format!("/api/v1/messages?phone={}", CUSTOMER.replace('+', "%2B")), authorization).await;
    assert_eq!(status, 200, "{page}");
    page
}

on_both_backends!(each_workspace_sees_only_its_own_whatsapp_and_conversations, |backend| async move {
    let (app, pipedrive) = two_workspaces(backend).await;
    let (a, b) = (auth(A, ADMIN_ID), auth(B, ADMIN_ID));
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Hello A").await;
    let (status, sent) = send_as(&app, &a, "a-1", &json!({"from": SENDER, "to": CUSTOMER, "body": "Hi from A"})).await;
    assert_eq!(status, 202, "{sent}");
    assert_eq!(sent["message"]["author"], json!({"id": sent["message"]["author"]["id"], "name": "Ada Admin"}));

    let (_, senders_a) = get(&app, "/api/v1/senders", &a).await;
    assert_eq!(senders_a["senders"][0]["id"], SENDER);
    assert_eq!(get(&app, "/api/v1/senders", &b).await.1, json!({"senders": []}), "B has no WhatsApp");
    assert_eq!(get(&app, "/api/v1/templates", &b).await.1, json!({"templates": []}));

    let page_a = conversation(&app, &a).await;
    assert_eq!(page_a["messages"].as_array().unwrap().len(), 2);
    let page_b = conversation(&app, &b).await;
    assert_eq!(page_b["messages"], json!([]), "the same number in B is another conversation");
    assert_eq!(page_b["last_sender"], Value::Null);

    // B cannot send as A's number, nor replay A's idempotency key: B has no WhatsApp to send from
    let as_a = send_as(&app, &b, "a-1", &json!({"from": SENDER, "to": CUSTOMER, "body": "Hi from A"})).await;
    assert_error(&as_a, 422, "not_connected");
    assert_eq!(conversation(&app, &a).await["messages"].as_array().unwrap().len(), 2, "nothing was added to A");

    // /me names each caller's own workspace
    let (_, me_a) = get(&app, "/api/v1/me", &a).await;
    let (_, me_b) = get(&app, "/api/v1/me", &b).await;
    assert_ne!(me_a["workspace"]["id"], me_b["workspace"]["id"]);
    assert_eq!(me_a["workspace"]["whatsapp_connected"], true);
    assert_eq!(me_b["workspace"]["whatsapp_connected"], false);
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(files_cannot_be_attached_or_fetched_across_workspaces, |backend| async move {
    let (app, _pipedrive) = two_workspaces(backend).await;
    let (a, b) = (auth(A, ADMIN_ID), auth(B, ADMIN_ID));
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Send the offer").await;
    let b_file = upload(&app, &b, "b-secret.pdf", b"%PDF-1.4 B's offer").await;
    let attach = json!({"from": SENDER, "to": CUSTOMER, "attachments": [{"upload": b_file["id"]}]});
    assert_error(&send_as(&app, &a, "steal", &attach).await, 404, "not_found");

    let a_file = upload(&app, &a, "a-offer.pdf", b"%PDF-1.4 A's offer").await;
    let (status, sent) =
        send_as(&app, &a, "offer", &json!({"from": SENDER, "to": CUSTOMER, "attachments": [{"upload": a_file["id"]}]}))
            .await;
    assert_eq!(status, 202, "{sent}");
    let url = sent["message"]["attachments"][0]["url"].as_str().unwrap().replace("http://relay.test", &app.url);
    let fetched = app.http.get(&url).send().await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.headers()["cache-control"], "private, max-age=86400, immutable");
    assert_eq!(&fetched.bytes().await.unwrap()[..], b"%PDF-1.4 A's offer");
    // the link names A's workspace and is signed for it: pointed at B's file, or at another workspace, it fails
    let (_, me_b) = get(&app, "/api/v1/me", &b).await;
    let b_workspace = me_b["workspace"]["id"].as_str().unwrap();
    let a_id = a_file["id"].as_str().unwrap();
    let b_id = b_file["id"].as_str().unwrap();
    for forged in [url.replace(a_id, b_id), url.replacen("?w=", &format!("?w={b_workspace}&x="), 1)] {
        assert_error(&json(app.http.get(&forged).send().await.unwrap()).await, 401, "unauthorized");
    }
    app.stop().await;
});

on_both_backends!(canned_texts_are_the_workspaces_and_their_owners, |backend| async move {
    let (app, _pipedrive) = two_workspaces(backend).await;
    let (admin, member, b) = (auth(A, ADMIN_ID), auth(A, MEMBER_ID), auth(B, ADMIN_ID));
    let create = |authorization: String, name: &'static str| {
        let app = &app;
        async move {
            let request = app.post("/api/v1/canned-texts").header("authorization", authorization);
            let (status, body) =
                json(request.json(&json!({"name": name, "module": "Persons", "body": "Hi"})).send().await.unwrap())
                    .await;
            assert_eq!(status, 201, "{body}");
            body
        }
    };
    let by_admin = create(admin.clone(), "Admin's").await;
    let by_member = create(member.clone(), "Member's").await;
    assert_eq!(by_member["owner"]["name"], "Max Member");
    assert_eq!(by_member["editable"], true);

    let change = |authorization: String, id: Value| {
        let app = &app;
        async move {
            let path = format!("/api/v1/canned-texts/{}", id.as_str().unwrap());
            let edit = app.put(&path).header("authorization", &authorization);
            let edited =
                json(edit.json(&json!({"name": "edited", "module": "Persons", "body": "Hi"})).send().await.unwrap())
                    .await;
            let deleted = json(app.delete(&path).header("authorization", &authorization).send().await.unwrap()).await;
            (edited, deleted)
        }
    };
    // another workspace: nothing to see, edit or delete
    assert_eq!(get(&app, "/api/v1/canned-texts", &b).await.1, json!({"canned_texts": []}));
    let (edited, deleted) = change(b.clone(), by_member["id"].clone()).await;
    assert_error(&edited, 404, "not_found");
    assert_error(&deleted, 404, "not_found");
    // a member cannot change another's text, and sees it as not editable
    let (_, listed) = get(&app, "/api/v1/canned-texts", &member).await;
    let admins = listed["canned_texts"].as_array().unwrap().iter().find(|t| t["id"] == by_admin["id"]).unwrap();
    assert_eq!(admins["editable"], false);
    let (edited, deleted) = change(member.clone(), by_admin["id"].clone()).await;
    assert_error(&edited, 403, "forbidden");
    assert_error(&deleted, 403, "forbidden");
    // an admin may change anyone's
    let (edited, deleted) = change(admin.clone(), by_member["id"].clone()).await;
    assert_eq!(edited.0, 200, "{}", edited.1);
    assert_eq!(edited.1["owner"]["name"], "Max Member", "an edit keeps the owner");
    assert_eq!(deleted.0, 204);
    app.stop().await;
});

on_both_backends!(admin_endpoints_are_for_admins_of_their_own_workspace, |backend| async move {
    let (app, pipedrive) = two_workspaces(backend).await;
    let (admin, member, b) = (auth(A, ADMIN_ID), auth(A, MEMBER_ID), auth(B, ADMIN_ID));
    assert_error(&get(&app, "/api/v1/admin/workspace", &member).await, 403, "forbidden");
    let put = |authorization: String, body: Value| {
        let app = &app;
        async move {
            json(
                app.put("/api/v1/admin/workspace")
                    .header("authorization", authorization)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    assert_error(&put(member.clone(), json!({"name": "Mine", "time_zone": "UTC"})).await, 403, "forbidden");
    let bad_zone = put(admin.clone(), json!({"name": "Acme", "time_zone": "Mars/Olympus"})).await;
    assert_error(&bad_zone, 422, "invalid_setting");
    assert_eq!(bad_zone.1["error"]["field"], "time_zone");
    let bad_name = put(admin.clone(), json!({"name": "  ", "time_zone": "UTC"})).await;
    assert_error(&bad_name, 422, "invalid_setting");
    assert_eq!(bad_name.1["error"]["field"], "name");
    assert_error(&put(admin.clone(), json!({"name": "Acme"})).await, 400, "invalid_request");

    let saved = put(admin.clone(), json!({"name": "Acme Sales", "time_zone": "Europe/Berlin"})).await;
    assert_eq!(saved, (200, json!({"name": "Acme Sales", "time_zone": "Europe/Berlin"})));
    assert_eq!(get(&app, "/api/v1/admin/workspace", &admin).await.1, saved.1);
    let (_, me) = get(&app, "/api/v1/me", &member).await;
    assert_eq!(me["workspace"]["name"], "Acme Sales", "members see the new name");
    // an admin's choice stands: an admin connecting again does not bring the CRM's name and zone back
    let code = pipedrive.issue_code_for(A, ADMIN_ID);
    assert_eq!(app.get(&format!("/oauth/pipedrive/callback?code={code}")).send().await.unwrap().status(), 200);
    assert_eq!(get(&app, "/api/v1/admin/workspace", &admin).await.1, saved.1);
    assert_eq!(me["user"]["role"], "member");
    let (status, other) = get(&app, "/api/v1/admin/workspace", &b).await;
    assert_eq!(status, 200, "B's admin administers B");
    assert_ne!(other["name"], "Acme Sales", "A's change did not touch B");
    app.stop().await;
});

on_both_backends!(stream_tickets_are_single_use_bound_and_short_lived, |backend| async move {
    let (app, _pipedrive) = two_workspaces(backend).await;
    let (a, b) = (auth(A, ADMIN_ID), auth(B, ADMIN_ID));
    assert_error(&buy_ticket(&app, &a, "not a number").await, 422, "invalid_phone");
    assert_error(
        &json(app.post("/api/v1/events/ticket").json(&json!({"phone": CUSTOMER})).send().await.unwrap()).await,
        401,
        "unauthorized",
    );

    let (status, bought) = buy_ticket(&app, &a, CUSTOMER).await;
    assert_eq!(status, 200, "{bought}");
    let ticket = bought["ticket"].as_str().unwrap().to_owned();
    let expires: jiff::Timestamp = bought["expires_at"].as_str().unwrap().parse().unwrap();
    let life = expires.as_second() - jiff::Timestamp::now().as_second();
    assert!((55..=60).contains(&life), "a ticket lives 60 s: {life}");
    // bound to the number: spent on the wrong one, refused, and gone
    assert_error(&json(stream_with_ticket(&app, "+819012345678", &ticket).await).await, 401, "unauthorized");
    assert_error(&json(stream_with_ticket(&app, CUSTOMER, &ticket).await).await, 401, "unauthorized");

    // single use
    let (_, fresh) = buy_ticket(&app, &a, CUSTOMER).await;
    let fresh = fresh["ticket"].as_str().unwrap().to_owned();
    let stream = stream_with_ticket(&app, CUSTOMER, &fresh).await;
    assert_eq!(stream.status(), 200);
    assert_error(&json(stream_with_ticket(&app, CUSTOMER, &fresh).await).await, 401, "unauthorized");

    // expired: a ticket past its minute is refused (the relay's clock moved on, nobody waits)
    let (_, late) = buy_ticket(&app, &a, CUSTOMER).await;
    app.state.ingest.clock.advance(Duration::from_secs(61));
    let late = stream_with_ticket(&app, CUSTOMER, late["ticket"].as_str().unwrap()).await;
    assert_error(&json(late).await, 401, "unauthorized");

    // a ticket of B's user opens B's conversation only: A's message does not reach it
    let b_stream = open_stream(&app, &b, CUSTOMER).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "for A only").await;
    let a_events = read_events(stream, |events| events.iter().any(|(kind, _)| kind == "message")).await;
    assert_eq!(a_events[0].1["body"], "for A only");
    let quiet =
        tokio::time::timeout(Duration::from_millis(300), futures::StreamExt::next(&mut b_stream.bytes_stream())).await;
    assert!(quiet.is_err(), "B's stream received {quiet:?}");
    app.stop().await;
});

on_both_backends!(a_stream_ends_with_its_credential_after_saying_so, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    // Pipedrive's token expired 55 s ago: with the 60 s of allowed skew it is good for 5 s more. Too little to
    // buy a ticket with (its stream would end at once: renew first)…
    let token = pipedrive_token(INSTALLED_COMPANY, -55);
    assert_error(&buy_ticket(&app, &format!("Bearer {token}"), CUSTOMER).await, 401, "unauthorized");
    // …but a client that sends headers may stream until it ends.
    let path = format!("/api/v1/events?phone={}", CUSTOMER.replace('+', "%2B"));
    let stream = app.get(&path).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let started = std::time::Instant::now();
    let events = read_events(stream, |events| events.iter().any(|(kind, _)| kind == "expiring")).await;
    let ends_at: jiff::Timestamp = events.last().unwrap().1["ends_at"].as_str().unwrap().parse().unwrap();
    let left = ends_at.as_millisecond() - jiff::Timestamp::now().as_millisecond();
    assert!((0..=6_000).contains(&left), "the stream ends when the credential does: {left} ms left");
    // and it does end then: the body completes
    let rest = app.get(&path).bearer_auth(&token);
    let body =
        tokio::time::timeout(Duration::from_secs(15), async { rest.send().await.unwrap().text().await.unwrap() })
            .await
            .expect("the stream ends with its credential");
    assert!(body.contains("event: expiring"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(15));
    app.stop().await;
});

on_both_backends!(the_widget_page_passes_no_referrer, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let page = app.get("/widget/").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    app.stop().await;
});

on_both_backends!(an_open_relay_gives_each_installing_company_a_workspace_of_its_own, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let oauth_url = pipedrive.url.clone();
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.push(("SIDECHAT_SIGNUP", "open".into()));
        settings.retain(|(name, _)| *name != "PIPEDRIVE_COMPANY_IDS" && *name != "SIDECHAT_PROVIDER");
    })
    .await;
    let admin = auth(B, ADMIN_ID);
    assert_error(&get(&app, "/api/v1/me", &admin).await, 403, "not_installed");
    let code = pipedrive.issue_code_for(B, ADMIN_ID);
    assert_eq!(app.get(&format!("/oauth/pipedrive/callback?code={code}")).send().await.unwrap().status(), 200);
    let (status, me) = get(&app, "/api/v1/me", &admin).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["workspace"]["name"], format!("Company {B}"));
    assert_eq!(me["workspace"]["time_zone"], "Europe/Berlin", "the installing admin's time zone");
    assert_eq!(me["workspace"]["whatsapp_connected"], false, "no WhatsApp until its admin connects one");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(get(&app, "/api/v1/senders", &admin).await.1, json!({"senders": []}));
    assert_ne!(me["workspace"]["id"], app.state.operator.as_str(), "not the operator's workspace");
    assert_error(&get(&app, "/api/v1/me", &auth(A, ADMIN_ID)).await, 403, "not_installed");
    app.stop().await;
});

on_both_backends!(a_closed_relay_with_nobody_to_admit_does_not_start, |backend| async move {
    let widget = TempDir::new();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}", widget.0.join("relay.db").display()),
        Backend::Postgres => postgres_database().await,
    };
    std::fs::write(widget.0.join("index.html"), "<!doctype html>").unwrap();
    let settings = [
        ("SIDECHAT_DATABASE_URL", database_url),
        ("SIDECHAT_WIDGET_DIR", widget.0.display().to_string()),
        ("SIDECHAT_PROVIDER", "sandbox".to_owned()),
        ("SIDECHAT_SECRET_KEY", SECRET_KEY.to_owned()),
        ("ZOHO_CLIENT_ID", sidechat_standins::zoho::CLIENT_ID.to_owned()),
        ("ZOHO_CLIENT_SECRET", sidechat_standins::zoho::CLIENT_SECRET.to_owned()),
    ];
    let config = sidechat_relay::config::Config::from_lookup(false, |name| {
        settings.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
    })
    .unwrap();
    let error = match sidechat_relay::Relay::start(config).await {
        Ok(_) => panic!("a closed relay with empty lists started"),
        Err(error) => format!("{error:#}"),
    };
    for name in ["SIDECHAT_SIGNUP", "PIPEDRIVE_COMPANY_IDS", "ZOHO_ORG_IDS"] {
        assert!(error.contains(name), "{error}");
    }
    assert!(!error.contains('\n'), "one line: {error}");
});
