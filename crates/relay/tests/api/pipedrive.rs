//! Pipedrive against its local stand-in: each user connecting their account through the OAuth callback, token
//! refresh on expiry and on 401, person and deal reads with the calling user's own token (Pipedrive's visibility
//! applies), record files fetched for a send, and the uninstall call.

use serde_json::{Value, json};
use sidechat_relay::crm::pipedrive::seal_context;
use sidechat_relay::store::{SealedTokens, WorkspaceId};

use sidechat_standins::pipedrive::test_data::{
    ADMIN_ID, CLIENT_ID, CLIENT_SECRET, COMPANIES, MEMBER_ID, PRIVATE_PERSON_ID, file_bytes,
};
use sidechat_standins::pipedrive::{Pipedrive, World};

use crate::on_both_backends;
use crate::support::*;

/// A company that installs through the callback in these tests.
const NEW_COMPANY: u64 = COMPANIES[0];
/// Another company of the stand-in's test data.
const SECOND_COMPANY: u64 = COMPANIES[1];
const SENDER: &str = "sandbox-de";
const SENDER_PHONE: &str = "+4930901820";
const CUSTOMER: &str = "+498963648018";

/// A relay where the stand-in's companies are admitted (unless `extra` lists others).
async fn spawn(backend: Backend, pipedrive: &Pipedrive, extra: Vec<(&'static str, String)>) -> TestApp {
    let oauth_url = pipedrive.url.clone();
    TestApp::spawn(backend, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.retain(|(name, _)| *name != "PIPEDRIVE_COMPANY_IDS");
        settings.push(("PIPEDRIVE_COMPANY_IDS", format!("{NEW_COMPANY},{SECOND_COMPANY},{INSTALLED_COMPANY}")));
        for (name, value) in extra {
            settings.retain(|(existing, _)| *existing != name);
            settings.push((name, value));
        }
    })
    .await
}

async fn callback(app: &TestApp, query: &str) -> reqwest::Response {
    app.get(&format!("/oauth/pipedrive/callback{query}")).send().await.unwrap()
}

/// Connects the company's admin through the callback, as allowing Sidechat in Pipedrive would.
async fn install(app: &TestApp, pipedrive: &Pipedrive, company: u64) {
    install_user(app, pipedrive, company, ADMIN_ID).await;
}

/// Connects one user of a company through the callback.
async fn install_user(app: &TestApp, pipedrive: &Pipedrive, company: u64, user: u64) {
    let response = callback(app, &format!("?code={}", pipedrive.issue_code_for(company, user))).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("connected"), "{page}");
    assert!(!page.contains("access-") && !page.contains("refresh-"), "tokens reached the browser: {page}");
}

async fn read(app: &TestApp, company: u64, path: &str) -> (u16, Value) {
    read_as(app, company, ADMIN_ID, path).await
}

async fn read_as(app: &TestApp, company: u64, user: u64, path: &str) -> (u16, Value) {
    let token = pipedrive_token_for(company, user, 300);
    json(app.get(&format!("/api/v1/records/pipedrive/{path}")).bearer_auth(token).send().await.unwrap()).await
}

/// A user's stored tokens, still sealed, with where they are kept.
async fn sealed_tokens(app: &TestApp, company: u64, user: u64) -> Option<(WorkspaceId, String, SealedTokens)> {
    let store = &app.state.store;
    let workspace = store.account_workspace(sidechat_domain::Crm::Pipedrive, &company.to_string()).await.unwrap()?;
    let user = store.user_by_crm_id(&workspace, sidechat_domain::Crm::Pipedrive, &user.to_string(), 0).await.unwrap();
    let tokens = store.tokens(&workspace, &user.id).await.unwrap()?;
    Some((workspace, user.id, tokens))
}

/// A user's access and refresh tokens, opened, and when the access token expires (ms).
async fn tokens(app: &TestApp, company: u64, user: u64) -> Option<(String, String, i64)> {
    let (workspace, user_id, sealed) = sealed_tokens(app, company, user).await?;
    let open = |value: &str, which: &str| app.state.sealer.open(value, &seal_context(&workspace, &user_id, which));
    Some((
        open(&sealed.access_token, "access").unwrap(),
        open(&sealed.refresh_token, "refresh").unwrap(),
        sealed.expires_at,
    ))
}

on_both_backends!(install_then_read_a_person_with_the_new_company_token, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    let before = read(&app, NEW_COMPANY, "person/101").await;
    assert_error(&before, 403, "not_connected_user");
    let connect = before.1["error"]["connect_url"].as_str().expect("where to connect").to_owned();
    assert_eq!(
        connect,
        format!(
            "{}/oauth/authorize?client_id=test-client&redirect_uri=http%3A%2F%2Frelay.test%2Foauth%2Fpipedrive%2Fcallback",
            pipedrive.url
        )
    );

    install(&app, &pipedrive, NEW_COMPANY).await;
    assert_eq!(pipedrive.code_grants(), 1);
    let (_, _, sealed) = sealed_tokens(&app, NEW_COMPANY, ADMIN_ID).await.expect("the user's tokens are stored");
    assert_eq!(sealed.api_domain, pipedrive.url);
    let (access, refresh, expires_at) = tokens(&app, NEW_COMPANY, ADMIN_ID).await.unwrap();
    assert!(!sealed.access_token.contains(&access) && !sealed.refresh_token.contains(&refresh), "sealed at rest");
    let holder = pipedrive.holder_of(&access).unwrap();
    assert_eq!((holder.company_id, holder.user_id), (NEW_COMPANY, ADMIN_ID));
    let expires_in = expires_at - jiff::Timestamp::now().as_millisecond();
    assert!((3_500_000..=3_600_000).contains(&expires_in), "expires in {expires_in} ms");

    let (status, record) = read(&app, NEW_COMPANY, "person/101").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(pipedrive.callers_of("/api/v2/persons/101"), [NEW_COMPANY]);
    assert_eq!(record["id"], "101");
    assert_eq!(record["kind"], "person");
    assert_eq!(record["name"], "Marie Curie");
    let phones: Vec<(&str, &Value, bool, bool)> = record["phones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["raw"].as_str().unwrap(), &p["e164"], p["needs_country_code"] == true, p["primary"] == true))
        .collect();
    assert_eq!(
        phones,
        [
            ("+49 30 901820", &json!("+4930901820"), false, true),
            ("089 636 48018", &Value::Null, true, false),
            ("n/a", &Value::Null, false, false),
        ],
        "the primary first; no country assumed; junk kept but unresolved"
    );
    assert_eq!(record["phones"][0]["label"], "mobile");
    assert_eq!(
        record["files"],
        json!([
            {"id": "9001", "name": "offer.pdf", "size": file_bytes(9001).unwrap().len(), "mime": "application/pdf"},
            {"id": "9002", "name": "photo.JPG", "size": file_bytes(9002).unwrap().len(), "mime": "image/jpeg"},
            {"id": "9009", "name": "site-survey.mp4", "size": 200_000_000, "mime": "video/mp4"},
        ])
    );
    assert_eq!(
        record["fields"],
        json!({
            "Persons.Name": "Marie Curie", "Persons.First name": "Marie", "Persons.Last name": "Curie",
            "Persons.Phone": "089 636 48018, +49 30 901820, n/a",
            "Persons.Customer tier": "Gold", "Persons.Preferred language": "French",
        }),
        "every page of field definitions is read, option ids become labels"
    );

    // another user of the company has not connected: they are told to, and their call reaches no one's token
    assert_error(&read_as(&app, NEW_COMPANY, MEMBER_ID, "person/101").await, 403, "not_connected_user");
    assert_eq!(pipedrive.callers_of("/api/v2/persons/101"), [NEW_COMPANY]);
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(install_is_refused_for_bad_codes_and_companies_off_the_allow_list, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app =
        spawn(backend, &pipedrive, vec![("PIPEDRIVE_COMPANY_IDS", format!("{INSTALLED_COMPANY}, {SECOND_COMPANY}"))])
            .await;
    assert_error(&json(callback(&app, "").await).await, 400, "invalid_request");
    assert_error(&json(callback(&app, "?code=").await).await, 400, "invalid_request");
    assert_error(&json(callback(&app, "?error=user_denied").await).await, 400, "invalid_request");
    assert_error(&json(callback(&app, "?code=never-issued").await).await, 400, "invalid_request");
    assert_eq!(pipedrive.code_grants(), 0);

    let refused = json(callback(&app, &format!("?code={}", pipedrive.issue_code(NEW_COMPANY))).await).await;
    assert_error(&refused, 403, "not_installed");
    assert_eq!(pipedrive.code_grants(), 1, "the code was traded, then the company refused");
    assert!(sealed_tokens(&app, NEW_COMPANY, ADMIN_ID).await.is_none(), "nothing is stored for a refused company");
    assert_error(&read(&app, NEW_COMPANY, "person/101").await, 403, "not_installed");

    install(&app, &pipedrive, SECOND_COMPANY).await;
    assert_eq!(read(&app, SECOND_COMPANY, "person/101").await.0, 200);
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(an_expiring_token_is_refreshed_before_the_call, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    let (workspace, user_id, mut stored) = sealed_tokens(&app, NEW_COMPANY, ADMIN_ID).await.unwrap();
    let (old_token, old_refresh, _) = tokens(&app, NEW_COMPANY, ADMIN_ID).await.unwrap();
    // 30 s left: inside the refresh margin
    stored.expires_at = jiff::Timestamp::now().as_millisecond() + 30_000;
    app.state.store.save_tokens(&workspace, &user_id, &stored, 0).await.unwrap();

    let (status, record) = read(&app, NEW_COMPANY, "person/101").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(pipedrive.refresh_grants(), 1);
    assert_eq!(pipedrive.unauthorized(), 0, "the expiring token was never sent");
    let (new_token, new_refresh, expires_at) = tokens(&app, NEW_COMPANY, ADMIN_ID).await.unwrap();
    assert_ne!(new_token, old_token);
    assert_eq!(pipedrive.company_of(&new_token), Some(NEW_COMPANY));
    assert_ne!(new_refresh, old_refresh, "the new refresh token is stored");
    assert!(expires_at > jiff::Timestamp::now().as_millisecond() + 3_000_000);

    assert_eq!(read(&app, NEW_COMPANY, "deal/501").await.0, 200);
    assert_eq!(pipedrive.refresh_grants(), 1, "a fresh token is not refreshed again");
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(a_refused_token_is_refreshed_once_and_the_call_retried, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    pipedrive.revoke_access_tokens();

    let (status, record) = read(&app, NEW_COMPANY, "person/101").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(record["name"], "Marie Curie");
    assert!(pipedrive.unauthorized() >= 1);
    assert_eq!(pipedrive.refresh_grants(), 1, "concurrent calls refused together refresh once");
    let (renewed, _, _) = tokens(&app, NEW_COMPANY, ADMIN_ID).await.unwrap();
    assert_eq!(pipedrive.company_of(&renewed), Some(NEW_COMPANY));

    // uninstalled on Pipedrive's side: the refresh is refused too, and the caller is told to connect again
    pipedrive.revoke_everything();
    let refused_before = pipedrive.unauthorized();
    assert_error(&read(&app, NEW_COMPANY, "person/101").await, 403, "not_connected_user");
    assert_eq!(pipedrive.refresh_grants(), 1);
    assert!(pipedrive.unauthorized() > refused_before);
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(a_deal_has_its_persons_phones_and_both_modules_fields, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;

    let (status, deal) = read(&app, NEW_COMPANY, "deal/501").await;
    assert_eq!(status, 200, "{deal}");
    assert_eq!(deal["id"], "501");
    assert_eq!(deal["kind"], "deal");
    assert_eq!(deal["name"], "Solar roof for the lab");
    assert_eq!(
        deal["phones"],
        json!([{"label": "mobile", "raw": "+33 6 12 34 56 78", "e164": "+33612345678",
            "needs_country_code": false, "primary": true}])
    );
    assert_eq!(
        deal["files"],
        json!([{"id": "9003", "name": "contract.pdf", "size": file_bytes(9003).unwrap().len(), "mime": "application/pdf"}])
    );
    assert_eq!(
        deal["fields"],
        json!({
            "Deals.Title": "Solar roof for the lab", "Deals.Value": "12000", "Deals.Status": "open",
            "Deals.Installation fee": "500 EUR",
            "Persons.Name": "Pierre Curie", "Persons.First name": "Pierre", "Persons.Last name": "Curie",
            "Persons.Phone": "+33 6 12 34 56 78",
        })
    );

    let (status, lone) = read(&app, NEW_COMPANY, "deal/502").await;
    assert_eq!(status, 200, "{lone}");
    assert_eq!(lone["phones"], json!([]));
    assert_eq!(lone["files"], json!([]));
    assert!(lone["fields"].as_object().unwrap().keys().all(|k| k.starts_with("Deals.")), "{lone}");
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(missing_records_and_foreign_callers_get_not_found, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let zoho = sidechat_standins::zoho::Zoho::start(sidechat_standins::zoho::DataCentre::us()).await;
    let zoho_hosts = format!("{0}={0}", zoho.url);
    let extra = vec![("ZOHO_ACCOUNTS_HOSTS", zoho_hosts), ("ZOHO_ORG_IDS", sidechat_standins::zoho::US_ORG.to_owned())];
    let app = spawn(backend, &pipedrive, extra).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    for path in ["person/999", "deal/999", "person/abc", "person/0", "organization/1"] {
        assert_error(&read(&app, NEW_COMPANY, path).await, 404, "not_found");
    }
    assert_error(&read(&app, NEW_COMPANY, "person/503").await, 502, "provider_unavailable");
    // a Zoho user reads no Pipedrive record
    let zoho_user = zoho_session(&app.url, &zoho, sidechat_standins::zoho::US_ADMIN).await;
    let zoho =
        json(app.get("/api/v1/records/pipedrive/person/101").header("authorization", zoho_user).send().await.unwrap())
            .await;
    assert_error(&zoho, 404, "not_found");
    assert_error(
        &json(app.get("/api/v1/records/pipedrive/person/101").send().await.unwrap()).await,
        401,
        "unauthorized",
    );
    assert!(pipedrive.callers_of("/api/v2/persons/101").is_empty(), "no caller above reached Pipedrive's person 101");
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(a_send_with_a_record_file_stores_the_pipedrive_file, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    app.customer_writes(SENDER, SENDER_PHONE, CUSTOMER, "Please send the offer").await;
    let send_from = |key: &'static str, file: &'static str, record: Value| {
        let app = &app;
        async move {
            let mut body = json!({"from": SENDER, "to": CUSTOMER, "body": "", "attachments": [{"record_file": file}]});
            if !record.is_null() {
                body["record"] = record;
            }
            json(
                app.post("/api/v1/messages")
                    .bearer_auth(pipedrive_token(NEW_COMPANY, 300))
                    .header("idempotency-key", key)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let send = |key: &'static str, file: &'static str| send_from(key, file, json!({"kind": "person", "id": "101"}));

    assert_error(&send_from("no-record", "9001", Value::Null).await, 400, "invalid_request");
    assert_error(&send_from("other-record", "9003", json!({"kind": "person", "id": "101"})).await, 404, "not_found");
    assert_error(&send_from("hidden", "9001", json!({"kind": "person", "id": "999"})).await, 404, "not_found");
    assert_eq!(pipedrive.downloads(9003), 0, "a file of another record is never downloaded");
    let (status, sent) = send("offer", "9001").await;
    assert_eq!(status, 202, "{sent}");
    let attachment = &sent["message"]["attachments"][0];
    assert_eq!(attachment["name"], "offer.pdf");
    assert_eq!(attachment["mime"], "application/pdf");
    assert_eq!(attachment["size"], file_bytes(9001).unwrap().len());
    let workspace = app
        .state
        .store
        .account_workspace(sidechat_domain::Crm::Pipedrive, &NEW_COMPANY.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored_bytes(&app, &workspace, attachment["id"].as_str().unwrap()).await, file_bytes(9001).unwrap());
    assert_eq!(pipedrive.downloads(9001), 1);
    assert_eq!(pipedrive.callers_of("/api/v1/files/9001/download"), [NEW_COMPANY]);

    assert_error(&send("survey", "9009").await, 413, "attachment_too_large");
    assert_eq!(pipedrive.downloads(9009), 0, "a file over the limit is refused before downloading");
    assert_error(&send("missing", "9999").await, 404, "not_found");
    assert_error(&send("junk", "../1").await, 404, "not_found");
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(each_user_reads_with_their_own_token_so_pipedrive_visibility_applies, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    install_user(&app, &pipedrive, NEW_COMPANY, MEMBER_ID).await;
    let private = format!("person/{PRIVATE_PERSON_ID}");
    assert_eq!(read_as(&app, NEW_COMPANY, ADMIN_ID, &private).await.0, 200, "its owner sees it");
    assert_error(&read_as(&app, NEW_COMPANY, MEMBER_ID, &private).await, 404, "not_found");
    assert_eq!(read_as(&app, NEW_COMPANY, MEMBER_ID, "person/101").await.0, 200, "a shared record");
    let readers: Vec<u64> = pipedrive
        .calls()
        .into_iter()
        .filter(|call| call.path == format!("/api/v2/persons/{PRIVATE_PERSON_ID}"))
        .map(|call| call.user_id)
        .collect();
    assert_eq!(readers, [ADMIN_ID, MEMBER_ID], "each read went with the caller's own token");
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(the_uninstall_call_drops_only_that_users_tokens, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    install_user(&app, &pipedrive, NEW_COMPANY, MEMBER_ID).await;
    let body = json!({"client_id": CLIENT_ID, "company_id": NEW_COMPANY, "user_id": MEMBER_ID, "timestamp": "2026-12-02T10:00:00Z"});
    let forged = app.delete("/oauth/pipedrive/callback").basic_auth(CLIENT_ID, Some("guessed")).json(&body);
    assert_error(&json(forged.send().await.unwrap()).await, 401, "unauthorized");
    let unsigned = app.delete("/oauth/pipedrive/callback").json(&body);
    assert_error(&json(unsigned.send().await.unwrap()).await, 401, "unauthorized");
    assert!(tokens(&app, NEW_COMPANY, MEMBER_ID).await.is_some(), "a forged call changes nothing");

    let genuine = app.delete("/oauth/pipedrive/callback").basic_auth(CLIENT_ID, Some(CLIENT_SECRET)).json(&body);
    assert_eq!(genuine.send().await.unwrap().status(), 200);
    assert!(tokens(&app, NEW_COMPANY, MEMBER_ID).await.is_none(), "the user's tokens are gone");
    assert!(tokens(&app, NEW_COMPANY, ADMIN_ID).await.is_some(), "another user's stay");
    assert_error(&read_as(&app, NEW_COMPANY, MEMBER_ID, "person/101").await, 403, "not_connected_user");
    assert_eq!(read_as(&app, NEW_COMPANY, ADMIN_ID, "person/101").await.0, 200);
    pipedrive.assert_no_problems();
    app.stop().await;
});

on_both_backends!(roles_come_from_pipedrive_and_are_read_again, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    install_user(&app, &pipedrive, NEW_COMPANY, MEMBER_ID).await;
    let me = |user: u64| {
        let app = &app;
        async move {
            json(app.get("/api/v1/me").bearer_auth(pipedrive_token_for(NEW_COMPANY, user, 300)).send().await.unwrap())
                .await
        }
    };
    let (status, admin) = me(ADMIN_ID).await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(admin["user"]["role"], "admin");
    assert_eq!(admin["user"]["name"], "Ada Admin");
    assert_eq!(admin["user"]["email"], "ada@example.com");
    assert_eq!(admin["workspace"]["time_zone"], "Europe/Berlin", "the connecting admin's time zone");
    assert_eq!(admin["workspace"]["name"], format!("Company {NEW_COMPANY}"), "the company's name");
    let (_, member) = me(MEMBER_ID).await;
    assert_eq!(member["user"]["role"], "member");
    assert_eq!(member["user"]["name"], "Max Member");
    assert_eq!(member["workspace"]["id"], admin["workspace"]["id"], "one company, one workspace");
    let (_, unknown) = me(ADMIN_ID + 100).await;
    assert_eq!(unknown["user"]["role"], "member", "a user who never connected is a member");
    assert_eq!(unknown["user"]["name"], "");
    pipedrive.assert_no_problems();
    app.stop().await;
});
