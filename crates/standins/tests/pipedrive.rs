//! The Pipedrive stand-in over HTTP, as the relay calls it: codes traded for per-user tokens, `users/me`
//! answering the token's user, records hidden from members, cursor paging, and the router nested under a path.

use reqwest::Client;
use serde_json::{Value, json};
use sidechat_standins::pipedrive::demo::{DEMO_ACCESS_TOKEN, DEMO_COMPANY_ID};
use sidechat_standins::pipedrive::test_data::{
    ADMIN_ID, CLIENT_ID, CLIENT_SECRET, COMPANIES, MEMBER_ID, PRIVATE_PERSON_ID, REDIRECT_URI,
};
use sidechat_standins::pipedrive::{self, Pipedrive, Visibility, World};

const COMPANY: u64 = COMPANIES[0];

/// Trades a code for `base`'s token endpoint; returns the token answer.
async fn trade_code(base: &str, code: &str) -> Value {
    let answer = Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .form(&[("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT_URI)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    answer.json().await.unwrap()
}

/// An access token of a user of the stand-in's company.
async fn token_of(pipedrive: &Pipedrive, user_id: u64) -> String {
    let answer = trade_code(&pipedrive.url, &pipedrive.issue_code_for(COMPANY, user_id)).await;
    answer["access_token"].as_str().unwrap().to_owned()
}

async fn get(base: &str, path: &str, token: &str) -> (u16, Value) {
    let response = Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn users_me_answers_the_token_owner_in_its_company() {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let (status, admin) = get(&pipedrive.url, "/api/v1/users/me", &token_of(&pipedrive, ADMIN_ID).await).await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(admin["data"]["id"], ADMIN_ID);
    assert_eq!(admin["data"]["is_admin"], 1);
    assert_eq!(admin["data"]["access"], json!([{"app": "global", "admin": true}]));
    assert_eq!(admin["data"]["company_id"], COMPANY);
    assert_eq!(admin["data"]["timezone_name"], "Europe/Berlin");

    let member_token = token_of(&pipedrive, MEMBER_ID).await;
    let (_, member) = get(&pipedrive.url, "/api/v1/users/me", &member_token).await;
    assert_eq!(member["data"]["id"], MEMBER_ID);
    assert_eq!(member["data"]["is_admin"], 0);
    assert_eq!(pipedrive.holder_of(&member_token).map(|h| (h.company_id, h.user_id)), Some((COMPANY, MEMBER_ID)));
    pipedrive.assert_no_problems();
}

#[tokio::test]
async fn a_record_only_its_owner_sees_is_not_found_for_a_member() {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let (admin, member) = (token_of(&pipedrive, ADMIN_ID).await, token_of(&pipedrive, MEMBER_ID).await);
    let private = format!("/api/v2/persons/{PRIVATE_PERSON_ID}");
    assert_eq!(get(&pipedrive.url, &private, &admin).await.0, 200);
    let hidden = get(&pipedrive.url, &private, &member).await;
    assert_eq!(hidden.0, 404);
    assert_eq!(hidden, get(&pipedrive.url, "/api/v2/persons/999", &member).await, "hidden answers as missing");
    assert_eq!(get(&pipedrive.url, "/api/v2/persons/101", &member).await.0, 200, "shared records stay visible");

    // A data change, not a server change: once shared, the member sees it.
    pipedrive.change_world(|world| {
        let company = world.companies.iter_mut().find(|c| c.id == COMPANY).unwrap();
        company.persons.iter_mut().find(|p| p.id == PRIVATE_PERSON_ID).unwrap().visible_to = Visibility::COMPANY;
    });
    assert_eq!(get(&pipedrive.url, &private, &member).await.0, 200);
    pipedrive.assert_no_problems();
}

#[tokio::test]
async fn field_definitions_come_in_short_pages_joined_by_the_cursor() {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let token = token_of(&pipedrive, ADMIN_ID).await;
    let (mut codes, mut path, mut pages) = (Vec::new(), "/api/v2/personFields?limit=500".to_owned(), 0);
    loop {
        let (status, page) = get(&pipedrive.url, &path, &token).await;
        assert_eq!(status, 200, "{page}");
        pages += 1;
        codes.extend(page["data"].as_array().unwrap().iter().map(|d| d["field_code"].as_str().unwrap().to_owned()));
        match page["additional_data"]["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v2/personFields?limit=500&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(&codes[..4], ["name", "first_name", "last_name", "phones"]);
    assert_eq!(codes.len(), 6);
    pipedrive.assert_no_problems();

    assert_eq!(get(&pipedrive.url, "/api/v2/personFields?cursor=junk", &token).await.0, 400);
    assert_eq!(get(&pipedrive.url, "/api/v2/personFields?limit=501", &token).await.0, 400);
}

#[tokio::test]
async fn tokens_are_refused_once_revoked_and_the_refusal_is_counted() {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let token = token_of(&pipedrive, ADMIN_ID).await;
    pipedrive.revoke_access_tokens();
    let (status, body) = get(&pipedrive.url, "/api/v2/persons/101", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["success"], false);
    assert_eq!(pipedrive.unauthorized(), 1);
    assert!(pipedrive.calls().is_empty());
}

#[tokio::test]
async fn nested_under_a_path_the_router_names_its_urls_there() {
    let demo = axum::Router::new().nest("/demo/pipedrive", pipedrive::router(World::demo()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/demo/pipedrive", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, demo).await.unwrap() });
    let (status, files) = get(&base, "/api/v1/persons/1/files", DEMO_ACCESS_TOKEN).await;
    assert_eq!(status, 200, "{files}");
    assert_eq!(files["data"][0]["url"], format!("{base}/api/v1/files/100/download"));
    let (_, me) = get(&base, "/api/v1/users/me", DEMO_ACCESS_TOKEN).await;
    assert_eq!(me["data"]["company_id"], DEMO_COMPANY_ID);
    assert_eq!(get(&base, "/api/v1/users/me", "another-token").await.0, 401);
}

#[tokio::test]
async fn the_token_answer_names_the_stand_in_as_api_domain() {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let answer = trade_code(&pipedrive.url, &pipedrive.issue_code(COMPANY)).await;
    assert_eq!(answer["api_domain"], pipedrive.url.as_str());
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(pipedrive.code_grants(), 1);
}
