//! Zoho users sign in against Zoho stand-ins on two data centres: the start redirect, the callback's page and its
//! session, a forged accounts server or API domain refused, the hand-off a panel claims when it could not receive
//! the session from its window, renewal (refused once Zoho deactivated the user), and admission (closed and open).

use serde_json::{Value, json};
use sidechat_standins::zoho::{DataCentre, EU_ADMIN, EU_ORG, US_ADMIN, US_MEMBER, US_ORG, Zoho};
use sqlx::Row;

use crate::on_both_backends;
use crate::support::*;

/// Two data centres and a relay that trusts both, with `orgs` admitted (or every org when `None`: an open relay).
async fn relay(backend: Backend, orgs: Option<&str>) -> (TestApp, Zoho, Zoho) {
    let (us, eu) = (Zoho::start(DataCentre::us()).await, Zoho::start(DataCentre::eu()).await);
    let hosts = format!("{0}={0},{1}={1}", us.url, eu.url);
    let orgs = orgs.map(str::to_owned);
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("ZOHO_ACCOUNTS_HOSTS", hosts));
        match orgs {
            Some(orgs) => settings.push(("ZOHO_ORG_IDS", orgs)),
            None => settings.push(("SIDECHAT_SIGNUP", "open".to_owned())),
        }
    })
    .await;
    (app, us, eu)
}

async fn post(app: &TestApp, path: &str, authorization: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app.post(path).json(body);
    if let Some(authorization) = authorization {
        request = request.header("authorization", authorization);
    }
    json(request.send().await.unwrap()).await
}

/// Runs SQL on the relay's database (to age a session).
async fn execute(app: &TestApp, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.state.config.database_url).await.unwrap();
    sqlx::query(sql).execute(&mut db).await.unwrap();
}

on_both_backends!(zoho_users_sign_in_on_either_data_centre, |backend| async move {
    let (app, us, eu) = relay(backend, Some(&format!("{US_ORG},{EU_ORG}"))).await;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // the start checks the panel's origin, then sends the browser to the first accounts server with every scope
    for origin in ["https://evil.example", "https://plugin.zappsusercontent.com/path", ""] {
        let answer = json(
            no_redirects
                .get(format!("{}/oauth/zoho/start", app.url))
                .query(&[("origin", origin)])
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(&answer, 400, "invalid_request");
    }
    let start = no_redirects
        .get(format!("{}/oauth/zoho/start", app.url))
        .query(&[("origin", ZOHO_WIDGET_ORIGIN)])
        .send()
        .await
        .unwrap();
    let location = start.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/oauth/v2/auth?", us.url)), "{location}");
    for part in [
        "access_type=offline",
        "response_type=code",
        "ZohoCRM.coql.READ",
        "ZohoSearch.securesearch.READ",
        "redirect_uri=http%3A%2F%2Frelay.test%2Foauth%2Fzoho%2Fcallback",
    ] {
        assert!(location.contains(part), "{part} in {location}");
    }

    // the callback's page posts the session to the opener, at the panel's origin only, under a strict policy
    let (status, page) = zoho_callback(&app.url, &us, US_ADMIN, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("\"type\":\"sidechat:session\""), "{page}");
    assert!(page.contains(&format!("\"{ZOHO_WIDGET_ORIGIN}\")")), "posted to the panel's origin only: {page}");
    let admin = format!("Bearer {}", session_of(&page));
    let (status, me) = get(&app, "/api/v1/me", &admin).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["user"]["name"], "Zoe Admin");
    assert_eq!(me["user"]["email"], "zoe@zylker.example");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["workspace"]["id"], app.state.operator.as_str(), "the first listed org shares the operator's");
    assert_eq!(get(&app, "/api/v1/senders", &admin).await.0, 200);

    let member = zoho_session(&app.url, &us, US_MEMBER).await;
    assert_eq!(get(&app, "/api/v1/me", &member).await.1["user"]["role"], "member");
    assert_error(&get(&app, "/api/v1/admin/whatsapp", &member).await, 403, "forbidden");

    // the EU data centre's user: their org's own workspace, named after it, in its time zone
    let eu_admin = zoho_session(&app.url, &eu, EU_ADMIN).await;
    let (_, eu_me) = get(&app, "/api/v1/me", &eu_admin).await;
    assert_ne!(eu_me["workspace"]["id"], me["workspace"]["id"]);
    assert_eq!(eu_me["workspace"]["name"], "Zylker GmbH");
    assert_eq!(eu_me["workspace"]["time_zone"], "Europe/Berlin");
    assert_eq!(get(&app, "/api/v1/senders", &eu_admin).await.1, json!({"senders": []}), "EU has no WhatsApp yet");

    // a forged accounts server is refused before any code is traded; a code of one centre fails at the other
    let forged = forged_callback(&app, &us, US_ADMIN, "http://127.0.0.1:9").await;
    assert_error(&forged, 400, "invalid_request");
    let crossed = forged_callback(&app, &eu, EU_ADMIN, &us.url).await;
    assert_error(&crossed, 401, "unauthorized");

    assert_error(&get(&app, "/api/v1/me", "Bearer not-a-session").await, 401, "unauthorized");
    assert_error(&get(&app, "/api/v1/me", &format!("Bearer {}", "x".repeat(43))).await, 401, "unauthorized");
    app.stop().await;
});

/// The decoded `state` of a start's redirect to Zoho Accounts.
fn state_of(start: &reqwest::Response) -> String {
    let location = start.headers()["location"].to_str().unwrap();
    let state = location.split(['?', '&']).find_map(|pair| pair.strip_prefix("state=")).expect("a state");
    urlencoding::decode(state).unwrap().into_owned()
}

/// A callback for a real sign-in's state, naming `accounts_server` with a code of `zoho`'s.
async fn forged_callback(app: &TestApp, zoho: &Zoho, user: &str, accounts_server: &str) -> (u16, Value) {
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = no_redirects
        .get(format!("{}/oauth/zoho/start", app.url))
        .query(&[("origin", ZOHO_WIDGET_ORIGIN)])
        .send()
        .await
        .unwrap();
    let state = state_of(&start);
    let code = zoho.issue_code(user);
    json(
        no_redirects
            .get(format!("{}/oauth/zoho/callback", app.url))
            .query(&[("code", code.as_str()), ("state", state.as_str()), ("accounts-server", accounts_server)])
            .send()
            .await
            .unwrap(),
    )
    .await
}

on_both_backends!(an_api_domain_other_than_the_accounts_servers_own_is_refused, |backend| async move {
    let (us, eu) = (Zoho::start(DataCentre::us()).await, Zoho::start(DataCentre::eu()).await);
    // the relay believes the EU accounts server's API lives at the US stand-in: the token answer says otherwise
    let hosts = format!("{}={}", eu.url, us.url);
    let app = TestApp::spawn(backend, move |settings| {
        settings.push(("ZOHO_ACCOUNTS_HOSTS", hosts));
        settings.push(("ZOHO_ORG_IDS", EU_ORG.to_owned()));
    })
    .await;
    let (status, page) = zoho_callback(&app.url, &eu, EU_ADMIN, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("invalid_request"), "{page}");
    app.stop().await;
});

on_both_backends!(a_panel_without_a_window_claims_its_session_through_the_hand_off, |backend| async move {
    let (app, us, _eu) = relay(backend, Some(US_ORG)).await;
    assert_error(
        &post(&app, "/api/v1/session/handoff", None, &json!({"origin": "https://evil.example"})).await,
        400,
        "invalid_request",
    );
    let (status, handoff) = post(&app, "/api/v1/session/handoff", None, &json!({"origin": ZOHO_WIDGET_ORIGIN})).await;
    assert_eq!(status, 200, "{handoff}");
    let (id, claim) = (handoff["handoff"].as_str().unwrap(), handoff["claim"].as_str().unwrap());
    let start_url = handoff["start_url"].as_str().unwrap().replace("http://relay.test", &app.url);
    assert!(!start_url.contains(claim), "the claim never travels in a URL");
    let claim_with = |secret: &str| json!({"handoff": id, "claim": secret});

    let (status, pending) = post(&app, "/api/v1/session/claim", None, &claim_with(claim)).await;
    assert_eq!((status, &pending), (202, &json!({"status": "pending"})));
    // the tab signs in
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = no_redirects.get(&start_url).send().await.unwrap();
    assert_eq!(start.status(), 303);
    assert_error(&json(no_redirects.get(&start_url).send().await.unwrap()).await, 400, "invalid_request");
    let state = state_of(&start);
    let code = us.issue_code(US_MEMBER);
    let callback = || {
        no_redirects
            .get(format!("{}/oauth/zoho/callback", app.url))
            .query(&[("code", code.as_str()), ("state", state.as_str()), ("accounts-server", us.url.as_str())])
            .send()
    };
    assert_eq!(callback().await.unwrap().status(), 200);
    // a replayed callback is refused
    assert_eq!(callback().await.unwrap().status(), 400);

    assert_error(&post(&app, "/api/v1/session/claim", None, &claim_with("guessed")).await, 401, "unauthorized");
    let (status, claimed) = post(&app, "/api/v1/session/claim", None, &claim_with(claim)).await;
    assert_eq!(status, 200, "{claimed}");
    let session = format!("Bearer {}", claimed["session"].as_str().unwrap());
    assert_eq!(get(&app, "/api/v1/me", &session).await.1["user"]["name"], "Sam Seller");
    assert_error(&post(&app, "/api/v1/session/claim", None, &claim_with(claim)).await, 401, "unauthorized");
    app.stop().await;
});

on_both_backends!(sessions_renew_until_zoho_deactivates_the_user, |backend| async move {
    let (app, us, _eu) = relay(backend, Some(US_ORG)).await;
    let first = zoho_session(&app.url, &us, US_MEMBER).await;
    let (status, renewed) = post(&app, "/api/v1/session/renew", Some(&first), &json!({})).await;
    assert_eq!(status, 200, "{renewed}");
    assert!(renewed["expires_at"].as_str().is_some());
    let second = format!("Bearer {}", renewed["session"].as_str().unwrap());
    assert_error(&get(&app, "/api/v1/me", &first).await, 401, "unauthorized");
    assert_error(&post(&app, "/api/v1/session/renew", Some(&first), &json!({})).await, 401, "unauthorized");
    assert_eq!(get(&app, "/api/v1/me", &second).await.0, 200);

    // an expired session no longer opens the API but is renewed, with a refreshed Zoho token
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(second.trim_start_matches("Bearer ").as_bytes()));
    let day_ago = jiff::Timestamp::now().as_millisecond() - 86_400_000;
    execute(&app, &format!("UPDATE sessions SET expires_at = {day_ago} WHERE token_hash = '{hash}'")).await;
    assert_error(&get(&app, "/api/v1/me", &second).await, 401, "unauthorized");
    us.expire_access_tokens();
    let (status, renewed) = post(&app, "/api/v1/session/renew", Some(&second), &json!({})).await;
    assert_eq!(status, 200, "{renewed}");
    let third = format!("Bearer {}", renewed["session"].as_str().unwrap());
    assert_eq!(get(&app, "/api/v1/me", &third).await.0, 200);

    // more than 30 days after it expired, a session is not renewed
    let old = zoho_session(&app.url, &us, US_MEMBER).await;
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(old.trim_start_matches("Bearer ").as_bytes()));
    let long_ago = jiff::Timestamp::now().as_millisecond() - 31 * 86_400_000;
    execute(&app, &format!("UPDATE sessions SET expires_at = {long_ago} WHERE token_hash = '{hash}'")).await;
    assert_error(&post(&app, "/api/v1/session/renew", Some(&old), &json!({})).await, 401, "unauthorized");

    // deactivated in Zoho: no renewal, and the user's sessions end
    us.deactivate(US_MEMBER);
    us.expire_access_tokens();
    assert_error(&post(&app, "/api/v1/session/renew", Some(&third), &json!({})).await, 401, "unauthorized");
    assert_error(&get(&app, "/api/v1/me", &third).await, 401, "unauthorized");
    let (status, page) = zoho_callback(&app.url, &us, US_MEMBER, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 401, "a deactivated user cannot sign in again: {page}");
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.state.config.database_url).await.unwrap();
    let live: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE revoked_at IS NULL AND expires_at > 0")
        .fetch_one(&mut db)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    assert_eq!(live, 0, "every session of the deactivated user ended");
    app.stop().await;
});

on_both_backends!(admission_decides_which_orgs_sign_in, |backend| async move {
    let (closed, _us, eu) = relay(backend, Some(US_ORG)).await;
    let (status, page) = zoho_callback(&closed.url, &eu, EU_ADMIN, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("not_installed"), "{page}");
    closed.stop().await;

    let (open, _us, eu) = relay(backend, None).await;
    let eu_admin = zoho_session(&open.url, &eu, EU_ADMIN).await;
    let (_, me) = get(&open, "/api/v1/me", &eu_admin).await;
    assert_eq!(me["workspace"]["name"], "Zylker GmbH", "an open relay makes the org's workspace at its first sign-in");
    assert_eq!(me["workspace"]["whatsapp_connected"], false);
    assert_ne!(me["workspace"]["id"], open.state.operator.as_str());
    open.stop().await;
});
