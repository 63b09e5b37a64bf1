//! An upgrade from the release before workspaces (see `previous_release` for the database it left). The relay
//! that migrates it keeps every message, file, key and canned text; each company's texts land in its workspace
//! whether the company is listed in `PIPEDRIVE_COMPANY_IDS` or only installed before; the old plaintext tokens
//! serve no one; and the relay starts again on the same database without changing anything.

mod previous_release;

use std::time::Duration;

use serde_json::{Value, json};
use sidechat_domain::wire::DeliveryStatus;
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, MEMBER_ID};
use sidechat_standins::pipedrive::{Pipedrive, StandingToken, World};

use crate::on_both_backends;
use crate::support::*;
use previous_release::{BERLIN, CANNED, HISTORY, INSTALLED, KEY, MUNICH, OFFER, PARIS, old_access_token};

/// The company that shares the operator workspace (listed first).
const FIRST: u64 = INSTALLED[0];
/// The company that gets a workspace of its own.
const SECOND: u64 = INSTALLED[1];

/// A canned text as a user sees it: name, module, body, owner, editable.
type Seen = (String, String, String, Value, bool);

/// The stand-in's test companies as the two that installed, where each admin's old token is still valid: a relay
/// using it would be let in.
fn world_of_the_old_companies() -> World {
    let mut world = World::test_data();
    for (company, id) in world.companies.iter_mut().zip(INSTALLED) {
        company.id = id;
    }
    world.standing_tokens = INSTALLED
        .map(|company| StandingToken {
            access_token: old_access_token(company),
            company_id: company,
            user_id: ADMIN_ID,
        })
        .to_vec();
    world
}

async fn spawn(database_url: &str, pipedrive: &Pipedrive, company_ids: &'static str) -> TestApp {
    let oauth_url = pipedrive.url.clone();
    TestApp::spawn_on(database_url, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.push(("PIPEDRIVE_COMPANY_IDS", company_ids.to_owned()));
    })
    .await
}

/// The answer to a Pipedrive user's `GET path`.
async fn get(app: &TestApp, company: u64, user: u64, path: &str) -> (u16, Value) {
    json(app.get(path).bearer_auth(pipedrive_token_for(company, user, 300)).send().await.unwrap()).await
}

/// The body of a Pipedrive user's `GET path`, which must succeed.
async fn read(app: &TestApp, company: u64, user: u64, path: &str) -> Value {
    let (status, body) = get(app, company, user, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// A conversation as a member of the first company reads it.
async fn conversation(app: &TestApp, phone: &str) -> Vec<Value> {
    let path = format!("/api/v1/messages?phone={}&limit=100", phone.replace('+', "%2B"));
    read(app, FIRST, MEMBER_ID, &path).await["messages"].as_array().unwrap().clone()
}

async fn canned_texts(app: &TestApp, company: u64, user: u64) -> Vec<Seen> {
    let listed = read(app, company, user, "/api/v1/canned-texts").await;
    let text = |t: &Value, name: &str| t[name].as_str().unwrap().to_owned();
    let texts = listed["canned_texts"].as_array().unwrap().iter();
    texts
        .map(|t| (text(t, "name"), text(t, "module"), text(t, "body"), t["owner"].clone(), t["editable"] == true))
        .collect()
}

/// The old texts of `companies`, as a user sees them (by name, without owner).
fn old_texts(companies: &[&str], editable: bool) -> Vec<Seen> {
    let mut texts: Vec<Seen> = CANNED
        .iter()
        .filter(|(company, ..)| companies.contains(company))
        .map(|(_, name, module, body)| (name.to_string(), module.to_string(), body.to_string(), Value::Null, editable))
        .collect();
    texts.sort_by_key(|text| text.0.to_lowercase());
    texts
}

/// What the users see: each one's workspace and canned texts, and both conversations (without the signed links,
/// which change at midnight UTC).
async fn what_users_see(app: &TestApp) -> Value {
    let mut seen = Vec::new();
    for company in INSTALLED {
        for user in [ADMIN_ID, MEMBER_ID] {
            let me = read(app, company, user, "/api/v1/me").await;
            let texts = read(app, company, user, "/api/v1/canned-texts").await;
            seen.push(json!({"company": company, "user": user, "me": me, "canned_texts": texts}));
        }
    }
    for phone in [MUNICH, PARIS] {
        let mut messages = conversation(app, phone).await;
        for file in messages.iter_mut().flat_map(|m| m["attachments"].as_array_mut().unwrap()) {
            file.as_object_mut().unwrap().remove("url");
        }
        seen.push(json!({"phone": phone, "messages": messages}));
    }
    Value::Array(seen)
}

/// Every message of both numbers, in order, as it was logged; the file downloadable through its link.
async fn assert_history_kept(app: &TestApp, logged: &[(String, i64)]) {
    for phone in [MUNICH, PARIS] {
        let messages = conversation(app, phone).await;
        let expected: Vec<usize> = (0..HISTORY.len()).filter(|&i| HISTORY[i].contact == phone).collect();
        assert_eq!(messages.len(), expected.len(), "{phone}: {messages:?}");
        for (message, &i) in messages.iter().zip(&expected) {
            let old = &HISTORY[i];
            let (business, customer) = (json!(old.sender.1), json!(phone));
            let (from, to) = if old.direction == "in" { (customer, business) } else { (business, customer) };
            assert_eq!(message["id"], logged[i].0.as_str(), "{phone}: in order");
            assert_eq!(
                (&message["direction"], &message["body"], &message["status"], &message["from"], &message["to"]),
                (&json!(old.direction), &json!(old.body), &json!(old.status), &from, &to),
                "{message}"
            );
            let at: jiff::Timestamp = message["timestamp"].as_str().unwrap().parse().unwrap();
            assert_eq!(at.as_millisecond(), logged[i].1);
            let error = old.error.map_or(Value::Null, |(code, text)| json!({"code": code, "message": text}));
            assert_eq!(message["error"], error);
            assert_eq!(message["author"], Value::Null, "no one is named the author of an old message");
            assert_eq!(message["attachments"].as_array().unwrap().len(), usize::from(i == 2), "{message}");
        }
    }
    let offer = &conversation(app, MUNICH).await[2]["attachments"][0];
    assert_eq!((&offer["name"], &offer["mime"]), (&json!("offer.pdf"), &json!("application/pdf")));
    assert_eq!(offer["size"], OFFER.len());
    let download = app.http.get(offer["url"].as_str().unwrap().replace("http://relay.test", &app.url));
    let download = download.send().await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), OFFER, "the file's bytes, as stored before");
    // Moved out of the database into the file store, in the background.
    let operator = app.state.operator.clone();
    let id = offer["id"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(10), || async {
        let (_, bytes) = app.state.store.attachment(&operator, &id).await.unwrap()?;
        (bytes == sidechat_relay::store::Bytes::Files).then_some(())
    })
    .await;
    assert_eq!(stored_bytes(app, &operator, &id).await, OFFER);
    let elsewhere = read(app, SECOND, MEMBER_ID, "/api/v1/messages?phone=%2B498963648018").await;
    assert_eq!(elsewhere["messages"], json!([]), "the history stays in the operator workspace");
}

/// The key still answers the retry of its send, and only that send.
async fn assert_key_kept(app: &TestApp, logged: &[(String, i64)]) {
    let retry = |body: &'static str| async move {
        let request = json!({"from": BERLIN.0, "to": MUNICH, "body": body});
        let send = app.post("/api/v1/messages").bearer_auth(pipedrive_token_for(FIRST, MEMBER_ID, 300));
        json(send.header("idempotency-key", KEY).json(&request).send().await.unwrap()).await
    };
    let (status, again) = retry(HISTORY[1].body).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["message"]["id"], logged[1].0.as_str(), "answered from the log");
    assert_error(&retry("Something else").await, 409, "idempotency_conflict");
}

/// The old tokens open nothing for anyone; a user who connects again reads with their new token.
async fn assert_old_tokens_unused(app: &TestApp, pipedrive: &Pipedrive) {
    for company in INSTALLED {
        for user in [ADMIN_ID, MEMBER_ID] {
            let answer = get(app, company, user, "/api/v1/records/pipedrive/person/101").await;
            assert_error(&answer, 403, "not_connected_user");
        }
    }
    assert_eq!(pipedrive.calls(), [], "no call reached Pipedrive with an old token");
    let code = pipedrive.issue_code_for(FIRST, ADMIN_ID);
    assert_eq!(app.get(&format!("/oauth/pipedrive/callback?code={code}")).send().await.unwrap().status(), 200);
    let record = read(app, FIRST, ADMIN_ID, "/api/v1/records/pipedrive/person/101").await;
    assert_eq!(record["name"], "Marie Curie");
    assert_eq!(pipedrive.callers_of("/api/v2/persons/101"), [FIRST]);
}

/// Upgrades a database of the previous release with `company_ids` listed, checks what each user finds, then
/// starts the relay again on it.
async fn upgrade(backend: Backend, company_ids: &'static str) {
    let pipedrive = Pipedrive::start(world_of_the_old_companies()).await;
    let (_dir, database_url) = binary_workspace(backend).await;
    let logged = previous_release::prepare(backend, &database_url, &pipedrive.url).await;

    let app = spawn(&database_url, &pipedrive, company_ids).await;
    assert_history_kept(&app, &logged).await;
    assert_key_kept(&app, &logged).await;

    // the first company's texts and Zoho's in the operator workspace, the second's in its own; no owner, so
    // only admins change them (a user who never connected is a member)
    assert_eq!(canned_texts(&app, FIRST, MEMBER_ID).await, old_texts(&["pipedrive:7001", "zoho"], false));
    assert_eq!(canned_texts(&app, SECOND, MEMBER_ID).await, old_texts(&["pipedrive:7003"], false));
    assert_eq!(read(&app, FIRST, MEMBER_ID, "/api/v1/me").await["user"]["role"], "member");
    let welcome = read(&app, FIRST, MEMBER_ID, "/api/v1/canned-texts?q=Welcome").await["canned_texts"][0]["id"].clone();
    let edit = app.put(&format!("/api/v1/canned-texts/{}", welcome.as_str().unwrap()));
    let edit = edit.bearer_auth(pipedrive_token_for(FIRST, MEMBER_ID, 300));
    let edit = edit.json(&json!({"name": "Mine", "module": "Persons", "body": "Hi"}));
    assert_error(&json(edit.send().await.unwrap()).await, 403, "forbidden");

    assert_old_tokens_unused(&app, &pipedrive).await;
    assert_eq!(canned_texts(&app, FIRST, ADMIN_ID).await, old_texts(&["pipedrive:7001", "zoho"], true), "an admin may");

    // started again on the same database: admission finds everything settled and changes nothing
    let seen = what_users_see(&app).await;
    let accounts = app.state.store.count_accounts().await.unwrap();
    app.stop().await;
    assert_no_plaintext_token_left(&database_url).await;
    let app = spawn(&database_url, &pipedrive, company_ids).await;
    assert_eq!(what_users_see(&app).await, seen);
    assert_eq!(app.state.store.count_accounts().await.unwrap(), accounts);

    // the provider ids are kept: a late status report and a repeated webhook find their messages
    let operator = app.state.operator.clone();
    assert!(app.state.ingest.status(&operator, "sandbox-5", DeliveryStatus::Delivered, None).await.unwrap());
    assert_eq!(conversation(&app, PARIS).await[1]["status"], "delivered");
    let repeated = sidechat_relay::store::InboundMessage {
        id: uuid::Uuid::now_v7().to_string(),
        provider_id: HISTORY[4].provider_id.unwrap().to_owned(),
        sender_id: BERLIN.0.to_owned(),
        business_phone: sidechat_domain::E164::parse(BERLIN.1).unwrap(),
        contact: sidechat_domain::E164::parse(MUNICH).unwrap(),
        body: HISTORY[4].body.to_owned(),
        attachment_ids: vec![],
        at: logged[4].1,
    };
    assert!(!app.state.ingest.inbound(&operator, repeated).await.unwrap(), "logged once");
    assert_eq!(conversation(&app, MUNICH).await.len(), 4);
    pipedrive.assert_no_problems();
    app.stop().await;
}

on_both_backends!(an_upgrade_keeps_every_message_and_canned_text, |backend| upgrade(backend, "7001,7003"));

on_both_backends!(an_earlier_install_left_off_the_list_is_admitted_with_its_canned_texts, |backend| upgrade(
    backend, "7001"
));

/// The old release kept each company's tokens in the clear: none of them is left in the upgraded database.
async fn assert_no_plaintext_token_left(database_url: &str) {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut connection = sqlx::AnyConnection::connect(database_url).await.unwrap();
    let kept =
        sqlx::query("SELECT crm, company_id FROM legacy_installations").fetch_all(&mut connection).await.unwrap();
    assert_eq!(kept.len(), INSTALLED.len(), "the earlier installs are remembered");
    for row in &kept {
        assert_eq!(row.try_get::<String, _>("crm").unwrap(), "pipedrive");
    }
    let tokens = sqlx::query("SELECT access_token FROM legacy_installations").fetch_all(&mut connection).await;
    assert!(tokens.is_err(), "the old tokens' column is gone with them");
    connection.close().await.unwrap();
}
