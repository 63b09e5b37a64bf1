//! No secret in any response or log line. The relay binary runs with debug logs through everything that handles
//! a secret: users connecting their Pipedrive account, record reads with their tokens, a refresh that works and
//! one Pipedrive refuses, a Zoho user signing in, an admin connecting TimelinesAI, a send through the sandbox, event
//! stream tickets, the uninstall call with the app's credentials, `/metrics`, `/healthz` and `/api/v1/me`. Then neither any answer (status, headers,
//! body) nor anything the process printed may hold the secret key, the client secrets, a token the Pipedrive or
//! Zoho stand-in issued, a WhatsApp provider token, a panel token, a session or a ticket (a session or a ticket
//! only in the answer that issued it).

use std::process::Command;
use std::time::Duration;

use base64::Engine;
use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};
use sidechat_standins::pipedrive::test_data::{ADMIN_ID, CLIENT_ID, CLIENT_SECRET, COMPANIES, MEMBER_ID};
use sidechat_standins::pipedrive::{Pipedrive, World};

use crate::on_both_backends;
use crate::support::*;

const COMPANY: u64 = COMPANIES[0];
/// The customer (`%2B498963648018` in the paths' queries).
const CUSTOMER: &str = "+498963648018";

/// Every answer the test received, each as its status, headers and body.
struct Answers {
    http: Client,
    url: String,
    texts: std::sync::Mutex<Vec<String>>,
}

impl Answers {
    fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", self.url))
    }

    fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(format!("{}{path}", self.url))
    }

    fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(format!("{}{path}", self.url))
    }

    /// Sends `request` and keeps its answer; answers its status and JSON body (or text).
    async fn keep(&self, request: RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let (status, mut text) = (response.status().as_u16(), head(&response));
        let body = response.text().await.unwrap();
        text.push_str(&body);
        self.push(text);
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    /// Keeps an answer's text.
    fn push(&self, text: String) {
        self.texts.lock().unwrap().push(text);
    }

    /// How many answers are kept.
    fn count(&self) -> usize {
        self.texts.lock().unwrap().len()
    }
}

/// A response's status and headers, as text.
fn head(response: &reqwest::Response) -> String {
    let headers = response.headers().iter();
    let headers: String =
        headers.map(|(name, value)| format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes()))).collect();
    format!("{}\n{headers}\n", response.status())
}

/// A value that must not leak, and the one answer allowed to carry it (a ticket's own).
struct Secret {
    name: String,
    value: String,
    issued_in: Option<usize>,
}

impl Secret {
    fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self { name: name.into(), value: value.into(), issued_in: None }
    }
}

on_both_backends!(no_secret_reaches_a_response_or_a_log_line, |backend| async move {
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let timelines = sidechat_standins::timelines::Timelines::start().await;
    let zoho = sidechat_standins::zoho::Zoho::start(sidechat_standins::zoho::DataCentre::us()).await;
    let (dir, database_url) = binary_workspace(backend).await;
    let settings = [
        ("SIDECHAT_PROVIDER", "sandbox".to_owned()),
        ("SIDECHAT_PUBLIC_URL", "http://relay.test".to_owned()),
        ("PIPEDRIVE_CLIENT_ID", CLIENT_ID.to_owned()),
        ("PIPEDRIVE_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
        ("PIPEDRIVE_OAUTH_URL", pipedrive.url.clone()),
        ("PIPEDRIVE_COMPANY_IDS", COMPANY.to_string()),
        ("TIMELINES_API_URL", timelines.url.clone()),
        ("ZOHO_CLIENT_ID", sidechat_standins::zoho::CLIENT_ID.to_owned()),
        ("ZOHO_CLIENT_SECRET", sidechat_standins::zoho::CLIENT_SECRET.to_owned()),
        ("ZOHO_ACCOUNTS_HOSTS", format!("{0}={0}", zoho.url)),
        ("ZOHO_ORG_IDS", sidechat_standins::zoho::US_ORG.to_owned()),
        ("RUST_LOG", "debug".to_owned()),
    ];
    let (mut relay, url, printed) = start_binary_printing(&database_url, &dir, &settings);
    let answers = Answers { http: Client::new(), url, texts: Default::default() };
    let (admin, member) = (pipedrive_token_for(COMPANY, ADMIN_ID, 300), pipedrive_token_for(COMPANY, MEMBER_ID, 300));
    let mut secrets = vec![
        Secret::new("SIDECHAT_SECRET_KEY", SECRET_KEY),
        Secret::new("SIDECHAT_METRICS_TOKEN", METRICS_TOKEN),
        Secret::new("the Pipedrive client secret", CLIENT_SECRET),
        Secret::new(
            "the app's Basic credentials",
            base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}")),
        ),
        Secret::new("the Zoho client secret", sidechat_standins::zoho::CLIENT_SECRET),
        Secret::new("the admin's panel token", &admin),
        Secret::new("the member's panel token", &member),
        Secret::new("the TimelinesAI token", sidechat_standins::timelines::SECOND_TOKEN),
    ];
    assert_eq!(answers.keep(answers.get("/healthz")).await.0, 200);
    for user in [ADMIN_ID, MEMBER_ID] {
        let code = pipedrive.issue_code_for(COMPANY, user);
        let (status, page) = answers.keep(answers.get(&format!("/oauth/pipedrive/callback?code={code}"))).await;
        assert_eq!(status, 200, "{page}");
    }
    let person = "/api/v1/records/pipedrive/person/101";
    assert_eq!(answers.keep(answers.get(person).bearer_auth(&admin)).await.0, 200);
    assert_eq!(answers.keep(answers.get("/api/v1/records/pipedrive/deal/501").bearer_auth(&member)).await.0, 200);
    assert_eq!(answers.keep(answers.get("/api/v1/records/pipedrive/person/103").bearer_auth(&member)).await.0, 404);
    let (status, me) = answers.keep(answers.get("/api/v1/me").bearer_auth(&admin)).await;
    assert_eq!((status, &me["user"]["role"]), (200, &json!("admin")), "{me}");
    // a Zoho user signs in: the session is in the sign-in page only, and opens the API
    let (status, page) =
        zoho_callback(&answers.url, &zoho, sidechat_standins::zoho::US_ADMIN, ZOHO_WIDGET_ORIGIN).await;
    assert_eq!(status, 200, "{page}");
    answers.push(page.clone());
    let session = session_of(&page);
    secrets.push(Secret {
        name: "the Zoho session".to_owned(),
        value: session.clone(),
        issued_in: Some(answers.count() - 1),
    });
    let (status, zoho_me) = answers.keep(answers.get("/api/v1/me").bearer_auth(&session)).await;
    assert_eq!((status, &zoho_me["user"]["role"]), (200, &json!("admin")), "{zoho_me}");

    // an admin connects TimelinesAI: the token goes in, and never comes back out
    let connect = json!({"provider": "timelines", "api_token": sidechat_standins::timelines::SECOND_TOKEN});
    let (status, made) = answers.keep(answers.post("/api/v1/admin/whatsapp").bearer_auth(&admin).json(&connect)).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(answers.keep(answers.get("/api/v1/admin/whatsapp").bearer_auth(&admin)).await.0, 200);

    // a send through the sandbox (a template: the customer has not written), until it is read
    let template = json!({"name": "follow_up", "language": "en_US", "params": ["Marie", "Ada"]});
    let send = answers.post("/api/v1/messages").bearer_auth(&admin).header("idempotency-key", "secrets-1");
    let (status, sent) =
        answers.keep(send.json(&json!({"from": "sandbox-de", "to": CUSTOMER, "template": template}))).await;
    assert_eq!(status, 202, "{sent}");
    let page = "/api/v1/messages?phone=%2B498963648018";
    eventually(Duration::from_secs(10), || async {
        let (_, listed) = answers.keep(answers.get(page).bearer_auth(&admin)).await;
        (listed["messages"][0]["status"] == "read").then_some(())
    })
    .await;

    // stream tickets: one opens the stream (its answer's body is never read: a stream does not end), and a
    // used ticket is refused
    let ticket = |authorization: &str| {
        answers.post("/api/v1/events/ticket").bearer_auth(authorization).json(&json!({"phone": CUSTOMER}))
    };
    for (name, authorization) in [("the admin's ticket", admin.clone()), ("the Zoho user's ticket", session.clone())] {
        let (status, issued) = answers.keep(ticket(&authorization)).await;
        assert_eq!(status, 200, "{issued}");
        let value = issued["ticket"].as_str().unwrap().to_owned();
        let issued_in = Some(answers.count() - 1);
        secrets.push(Secret { name: name.to_owned(), value: value.clone(), issued_in });
        let stream_path = format!("/api/v1/events?phone=%2B498963648018&ticket={value}");
        let stream = answers.get(&stream_path).send().await.unwrap();
        assert_eq!(stream.status(), 200, "{name}: {}", head(&stream));
        answers.push(head(&stream));
        drop(stream);
        assert_error(&answers.keep(answers.get(&stream_path)).await, 401, "unauthorized");
    }

    // a refresh Pipedrive grants, then one it refuses
    pipedrive.revoke_access_tokens();
    assert_eq!(answers.keep(answers.get(person).bearer_auth(&admin)).await.0, 200);
    pipedrive.revoke_everything();
    assert_error(&answers.keep(answers.get(person).bearer_auth(&admin)).await, 403, "not_connected_user");

    // the uninstall call, forged then genuine
    let body = json!({"client_id": CLIENT_ID, "company_id": COMPANY, "user_id": MEMBER_ID,
        "timestamp": "2026-12-02T10:00:00Z"});
    let forged = answers.delete("/oauth/pipedrive/callback").basic_auth(CLIENT_ID, Some("guessed")).json(&body);
    assert_error(&answers.keep(forged).await, 401, "unauthorized");
    let genuine = answers.delete("/oauth/pipedrive/callback").basic_auth(CLIENT_ID, Some(CLIENT_SECRET)).json(&body);
    assert_eq!(answers.keep(genuine).await.0, 200);
    assert_eq!(answers.keep(answers.get("/metrics").bearer_auth(METRICS_TOKEN)).await.0, 200);
    assert_error(
        &answers.keep(answers.get("/metrics").bearer_auth("guessed-metrics-token")).await,
        401,
        "unauthorized",
    );
    assert_eq!(answers.keep(answers.get("/healthz")).await.0, 200);

    // everything the relay printed, to its exit
    let terminated = Command::new("kill").args(["-TERM", &relay.0.id().to_string()]).status().unwrap();
    assert!(terminated.success());
    eventually(Duration::from_secs(20), || std::future::ready(relay.0.try_wait().unwrap())).await;
    eventually(Duration::from_secs(5), || std::future::ready(printed.ended().then_some(()))).await;
    let printed = printed.text();
    let answers = answers.texts.into_inner().unwrap();

    for (i, token) in zoho.issued_tokens().iter().enumerate() {
        secrets.push(Secret::new(format!("Zoho token {i}"), token));
    }
    let issued = pipedrive.issued_tokens();
    assert_eq!(issued.len(), 3, "the admin's and the member's install, and the admin's refresh");
    for (i, pair) in issued.iter().enumerate() {
        secrets.push(Secret::new(format!("access token {i}"), &pair.access));
        secrets.push(Secret::new(format!("refresh token {i}"), &pair.refresh));
    }
    for secret in &secrets {
        for (i, answer) in answers.iter().enumerate() {
            if secret.issued_in != Some(i) {
                assert!(!answer.contains(&secret.value), "{} is in answer {i}:\n{answer}", secret.name);
            }
        }
        let leak = printed.lines().find(|line| line.contains(&secret.value));
        assert!(leak.is_none(), "{} is in a printed line: {}", secret.name, leak.unwrap_or_default());
    }

    // the logs were captured, at the debug level (the refresh's line is a debug one): each step left its line
    for expected in [
        "sidechat-relay listening on ",
        "relay started",
        "pipedrive user connected",
        "pipedrive token refreshed",
        "pipedrive user not connected",
        "pipedrive user uninstalled",
        "a WhatsApp connection was made",
        "zoho user signed in",
        "relay stopped",
    ] {
        assert!(printed.contains(expected), "no line says `{expected}`:\n{printed}");
    }
    println!(
        "secrets ({backend:?}): {} secrets absent from {} answers and {} printed lines",
        secrets.len(),
        answers.len(),
        printed.lines().count()
    );
    pipedrive.assert_no_problems();
});

on_both_backends!(secrets_are_sealed_again_with_a_new_key, |backend| async move {
    use sidechat_standins::timelines::{self, Timelines};
    const NEW_KEY: &str = "1f2e3d4c5b6a798897a6b5c4d3e2f1000f1e2d3c4b5a69788796a5b4c3d2e1f1";
    const WRONG_KEY: &str = "2f2e3d4c5b6a798897a6b5c4d3e2f1000f1e2d3c4b5a69788796a5b4c3d2e1f2";
    let pipedrive = Pipedrive::start(World::test_data()).await;
    let stand_in = Timelines::start().await;
    let (dir, database_url) = binary_workspace(backend).await;
    let (oauth_url, api_url) = (pipedrive.url.clone(), stand_in.url.clone());
    let with = |key: &'static str| {
        let (oauth_url, api_url) = (oauth_url.clone(), api_url.clone());
        move |settings: &mut Vec<(&'static str, String)>| {
            settings.push(("PIPEDRIVE_OAUTH_URL", oauth_url));
            settings.push(("TIMELINES_API_URL", api_url));
            settings.push(("PIPEDRIVE_COMPANY_IDS", COMPANY.to_string()));
            settings.push(("SIDECHAT_SECRET_KEY", key.to_owned()));
        }
    };
    let admin = auth(COMPANY, ADMIN_ID);
    let app = TestApp::spawn_on(&database_url, with(SECRET_KEY)).await;
    let code = pipedrive.issue_code_for(COMPANY, ADMIN_ID);
    assert_eq!(app.get(&format!("/oauth/pipedrive/callback?code={code}")).send().await.unwrap().status(), 200);
    let connect = json!({"provider": "timelines", "api_token": timelines::SECOND_TOKEN});
    let (status, made) =
        json(app.post("/api/v1/admin/whatsapp").header("authorization", &admin).json(&connect).send().await.unwrap())
            .await;
    assert_eq!(status, 201, "{made}");
    app.stop().await;

    let rotate = |key: &str, previous: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sidechat-relay"));
        command.args(["secrets", "rotate"]).env("SIDECHAT_DATABASE_URL", &database_url).env("SIDECHAT_SECRET_KEY", key);
        if let Some(previous) = previous {
            command.env("SIDECHAT_SECRET_KEY_PREVIOUS", previous);
        }
        command.env_remove("RUST_LOG").output().unwrap()
    };
    // with a key that opens nothing, nothing is touched and the command fails
    let refused = rotate(WRONG_KEY, None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("opened with neither"), "{refused:?}");
    let rotated = rotate(NEW_KEY, Some(SECRET_KEY));
    assert!(rotated.status.success(), "{rotated:?}");
    // the admin's two Pipedrive tokens, and the connection's token and webhook secret
    assert_eq!(String::from_utf8_lossy(&rotated.stdout).trim(), "sealed 4 secrets again with SIDECHAT_SECRET_KEY");

    // the new key alone opens everything
    let app = TestApp::spawn_on(&database_url, with(NEW_KEY)).await;
    let (status, person) = get(&app, "/api/v1/records/pipedrive/person/101", &admin).await;
    assert_eq!(status, 200, "{person}");
    let (_, listed) = get(&app, "/api/v1/admin/whatsapp", &admin).await;
    let connection = listed["connections"].as_array().unwrap().iter().find(|c| c["provider"] == "timelines").cloned();
    assert_eq!(connection.unwrap()["webhook_url"], made["connection"]["webhook_url"], "its webhook secret opens");
    let send = json!({"from": timelines::SECOND_ACCOUNT_ID, "to": CUSTOMER, "body": "After the rotation"});
    assert_eq!(send_as(&app, &admin, "rotated-1", &send).await.0, 202);
    eventually(Duration::from_secs(10), || async {
        stand_in.sends().iter().any(|payload| payload["text"] == "After the rotation").then_some(())
    })
    .await;
    app.stop().await;
    drop(dir);
});
