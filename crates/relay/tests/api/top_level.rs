//! The relay's own top-level pages: `/settings` signs a user in with their CRM account (Zoho through its accounts
//! server, Pipedrive through its OAuth with a `state`) and keeps a session cookie, which opens the API only for
//! requests from the relay's own origin when they change something.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, COMPANIES};
use sidechat_standins::zoho::{DataCentre, EU_ADMIN, EU_ORG, US_ADMIN, US_ORG, Zoho};

use crate::on_both_backends;
use crate::support::*;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The `state` of a redirect's `Location`.
fn state_of(location: &str) -> String {
    let raw = location.split(['?', '&']).find_map(|pair| pair.strip_prefix("state=")).expect("a state");
    urlencoding::decode(raw).unwrap().into_owned()
}

/// Signs `user` in from `/settings` through `zoho`; answers the session cookie (`name=value`).
async fn zoho_cookie(app: &TestApp, zoho: &Zoho, user: &str) -> String {
    let http = no_redirects();
    let start = http.get(format!("{}/oauth/zoho/start?return_to=%2Fsettings", app.url)).send().await.unwrap();
    assert_eq!(start.status(), 303);
    let state = state_of(start.headers()[LOCATION].to_str().unwrap());
    let code = zoho.issue_code(user);
    let callback = http
        .get(format!("{}/oauth/zoho/callback", app.url))
        .query(&[("code", code.as_str()), ("state", state.as_str()), ("accounts-server", zoho.url.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 303, "{:?}", callback.text().await);
    assert_eq!(callback.headers()[LOCATION], "/settings");
    let set = callback.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "an http relay (the tests') cannot set a Secure cookie: {set}");
    set.split(';').next().unwrap().to_owned()
}

on_both_backends!(a_top_level_page_signs_in_with_zoho_and_keeps_a_cookie, |backend| async move {
    let (us, eu) = (Zoho::start(DataCentre::us()).await, Zoho::start(DataCentre::eu()).await);
    let hosts = format!("{0}={0},{1}={1}", us.url, eu.url);
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("ZOHO_ACCOUNTS_HOSTS", hosts));
        settings.push(("ZOHO_ORG_IDS", format!("{US_ORG},{EU_ORG}")));
    })
    .await;
    let http = no_redirects();

    let page = http.get(format!("{}/settings", app.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains("data-testid=\"sign-in-zoho\"") && page.contains("data-testid=\"sign-in-pipedrive\""),
        "{page}"
    );
    for bad in ["%2Fevil", "https%3A%2F%2Fevil.example%2Fsettings", "%2F%2Fevil.example"] {
        let answer =
            json(http.get(format!("{}/oauth/zoho/start?return_to={bad}", app.url)).send().await.unwrap()).await;
        assert_error(&answer, 400, "invalid_request");
    }

    let cookie = zoho_cookie(&app, &us, US_ADMIN).await;
    let back = http.get(format!("{}/settings", app.url)).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!((back.status().as_u16(), back.headers()[LOCATION].to_str().unwrap()), (303, "/widget/?view=settings"));
    let (status, listed) = json(app.get("/api/v1/admin/whatsapp").header(COOKIE, &cookie).send().await.unwrap()).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["connections"][0]["provider"], "sandbox", "the operator workspace's");

    // A change needs the relay's own origin: another site's form or script cannot make the browser act.
    let rename = json!({"name": "Zylker", "time_zone": "UTC"});
    let cross =
        json(app.put("/api/v1/admin/workspace").header(COOKIE, &cookie).json(&rename).send().await.unwrap()).await;
    assert_error(&cross, 403, "forbidden");
    let evil = app.put("/api/v1/admin/workspace").header(COOKIE, &cookie).header("origin", "https://evil.example");
    assert_error(&json(evil.json(&rename).send().await.unwrap()).await, 403, "forbidden");
    let own = app.put("/api/v1/admin/workspace").header(COOKIE, &cookie).header("origin", "http://relay.test");
    assert_eq!(json(own.json(&rename).send().await.unwrap()).await.0, 200);

    // The cookie is no bearer credential, and another workspace's cookie sees its own workspace only.
    let value = cookie.split_once('=').unwrap().1;
    assert_error(&get(&app, "/api/v1/me", &format!("Bearer {value}")).await, 401, "unauthorized");
    let eu_cookie = zoho_cookie(&app, &eu, EU_ADMIN).await;
    let (_, eu_listed) = json(app.get("/api/v1/admin/whatsapp").header(COOKIE, &eu_cookie).send().await.unwrap()).await;
    assert_eq!(eu_listed, json!({"connections": []}));
    let (_, eu_me) = json(app.get("/api/v1/me").header(COOKIE, &eu_cookie).send().await.unwrap()).await;
    assert_eq!(eu_me["workspace"]["name"], "Zylker GmbH");
    assert_error(
        &json(app.get("/api/v1/me").header(COOKIE, "sidechat_session=forged").send().await.unwrap()).await,
        401,
        "unauthorized",
    );
    app.stop().await;
});

on_both_backends!(a_top_level_page_signs_in_with_pipedrive_through_a_state, |backend| async move {
    let pipedrive =
        sidechat_standins::pipedrive::Pipedrive::start(sidechat_standins::pipedrive::World::test_data()).await;
    let oauth_url = pipedrive.url.clone();
    let company = COMPANIES[0];
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
        settings.push(("PIPEDRIVE_COMPANY_IDS", company.to_string()));
    })
    .await;
    let http = no_redirects();
    let start = http.get(format!("{}/oauth/pipedrive/start?return_to=%2Fsettings", app.url)).send().await.unwrap();
    assert_eq!(start.status(), 303);
    let location = start.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/oauth/authorize?client_id=", pipedrive.url)), "{location}");
    let state = state_of(&location);

    let code = pipedrive.issue_code_for(company, ADMIN_ID);
    let forged = http
        .get(format!("{}/oauth/pipedrive/callback", app.url))
        .query(&[("code", code.as_str()), ("state", "not-the-state")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let callback = http
        .get(format!("{}/oauth/pipedrive/callback", app.url))
        .query(&[("code", code.as_str()), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(callback.status(), 303);
    assert_eq!(callback.headers()[LOCATION], "/settings");
    let cookie = callback.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (status, me) = json(app.get("/api/v1/me").header(COOKIE, &cookie).send().await.unwrap()).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!((me["user"]["name"].as_str(), me["user"]["role"].as_str()), (Some("Ada Admin"), Some("admin")));
    // The same code again (a replayed redirect) signs nobody in.
    let replay = http
        .get(format!("{}/oauth/pipedrive/callback", app.url))
        .query(&[("code", code.as_str()), ("state", state.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 400);
    app.stop().await;
});
