//! Pipedrive against its local stand-in: installing through the OAuth callback, token refresh on expiry and on 401,
//! person and deal reads, and record files fetched for a send.

use serde_json::{Value, json};
use sidechat_relay::store::Installation;

use sidechat_standins::pipedrive::test_data::{COMPANIES, file_bytes};
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

async fn spawn(backend: Backend, pipedrive: &Pipedrive, extra: Vec<(&'static str, String)>) -> TestApp {
    let oauth_url = pipedrive.url.clone();
    TestApp::spawn(backend, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.extend(extra);
    })
    .await
}

async fn callback(app: &TestApp, query: &str) -> reqwest::Response {
    app.get(&format!("/oauth/pipedrive/callback{query}")).send().await.unwrap()
}

/// Installs `company` through the callback, as an admin allowing Sidechat in Pipedrive would.
async fn install(app: &TestApp, pipedrive: &Pipedrive, company: u64) {
    let response = callback(app, &format!("?code={}", pipedrive.issue_code(company))).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = response.text().await.unwrap();
    assert!(page.contains("installed"), "{page}");
    assert!(!page.contains("access-") && !page.contains("refresh-"), "tokens reached the browser: {page}");
}

async fn read(app: &TestApp, company: u64, path: &str) -> (u16, Value) {
    let token = pipedrive_token(company, 300);
    json(app.get(&format!("/api/v1/records/pipedrive/{path}")).bearer_auth(token).send().await.unwrap()).await
}

async fn installation(app: &TestApp, company: u64) -> Option<Installation> {
    app.state.store.installation("pipedrive", &company.to_string()).await.unwrap()
}

on_both_backends!(install_then_read_a_person_with_the_new_company_token, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let app = spawn(backend, &pipedrive, vec![]).await;
    assert_error(&read(&app, NEW_COMPANY, "person/101").await, 403, "not_installed");

    install(&app, &pipedrive, NEW_COMPANY).await;
    assert_eq!(pipedrive.code_grants(), 1);
    let stored = installation(&app, NEW_COMPANY).await.expect("the installation is stored");
    assert_eq!(stored.api_domain.as_deref(), Some(pipedrive.url.as_str()));
    assert_eq!(pipedrive.company_of(stored.access_token.as_deref().unwrap()), Some(NEW_COMPANY));
    assert!(stored.refresh_token.is_some());
    let expires_in = stored.token_expires_at.unwrap() - jiff::Timestamp::now().as_millisecond();
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

    // the pre-installed test company has no tokens: it must install again
    assert_error(&read(&app, INSTALLED_COMPANY, "person/101").await, 403, "not_installed");
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
    assert!(installation(&app, NEW_COMPANY).await.is_none(), "nothing is stored for a refused company");
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
    let mut stored = installation(&app, NEW_COMPANY).await.unwrap();
    let old_token = stored.access_token.clone().unwrap();
    // 30 s left: inside the refresh margin
    stored.token_expires_at = Some(jiff::Timestamp::now().as_millisecond() + 30_000);
    app.state.store.upsert_installation(&stored, 0).await.unwrap();

    let (status, record) = read(&app, NEW_COMPANY, "person/101").await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(pipedrive.refresh_grants(), 1);
    assert_eq!(pipedrive.unauthorized(), 0, "the expiring token was never sent");
    let renewed = installation(&app, NEW_COMPANY).await.unwrap();
    let new_token = renewed.access_token.clone().unwrap();
    assert_ne!(new_token, old_token);
    assert_eq!(pipedrive.company_of(&new_token), Some(NEW_COMPANY));
    assert_ne!(renewed.refresh_token, stored.refresh_token, "the new refresh token is stored");
    assert!(renewed.token_expires_at.unwrap() > jiff::Timestamp::now().as_millisecond() + 3_000_000);

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
    let renewed = installation(&app, NEW_COMPANY).await.unwrap();
    assert_eq!(pipedrive.company_of(renewed.access_token.as_deref().unwrap()), Some(NEW_COMPANY));

    // uninstalled on Pipedrive's side: the refresh is refused too, and the caller is told to install again
    pipedrive.revoke_everything();
    let refused_before = pipedrive.unauthorized();
    assert_error(&read(&app, NEW_COMPANY, "person/101").await, 403, "not_installed");
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
    let app = spawn(backend, &pipedrive, vec![]).await;
    install(&app, &pipedrive, NEW_COMPANY).await;
    for path in ["person/999", "deal/999", "person/abc", "person/0", "organization/1"] {
        assert_error(&read(&app, NEW_COMPANY, path).await, 404, "not_found");
    }
    assert_error(&read(&app, NEW_COMPANY, "person/503").await, 502, "provider_unavailable");
    let zoho = json(
        app.get("/api/v1/records/pipedrive/person/101")
            .header("authorization", format!("Bearer {ZOHO_KEY}"))
            .send()
            .await
            .unwrap(),
    )
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
    let send = |key: &'static str, file: &'static str| {
        let app = &app;
        async move {
            json(
                app.post("/api/v1/messages")
                    .bearer_auth(pipedrive_token(NEW_COMPANY, 300))
                    .header("idempotency-key", key)
                    .json(&json!({"from": SENDER, "to": CUSTOMER, "body": "", "attachments": [{"record_file": file}]}))
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };

    let (status, sent) = send("offer", "9001").await;
    assert_eq!(status, 202, "{sent}");
    let attachment = &sent["message"]["attachments"][0];
    assert_eq!(attachment["name"], "offer.pdf");
    assert_eq!(attachment["mime"], "application/pdf");
    assert_eq!(attachment["size"], file_bytes(9001).unwrap().len());
    let stored = app.state.store.attachment(attachment["id"].as_str().unwrap()).await.unwrap().expect("stored");
    assert_eq!(stored.data, file_bytes(9001).unwrap());
    assert_eq!(pipedrive.downloads(9001), 1);
    assert_eq!(pipedrive.callers_of("/api/v1/files/9001/download"), [NEW_COMPANY]);

    assert_error(&send("survey", "9009").await, 413, "attachment_too_large");
    assert_eq!(pipedrive.downloads(9009), 0, "a file over the limit is refused before downloading");
    assert_error(&send("missing", "9999").await, 404, "not_found");
    assert_error(&send("junk", "../1").await, 404, "not_found");
    pipedrive.assert_no_problems();
    app.stop().await;
});
