//! Who may call: Pipedrive JWTs (forged, expired, algorithm tricks, other companies) and the Zoho key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::on_both_backends;
use crate::support::*;

fn token_with(header: serde_json::Value, claims: serde_json::Value, signature: &str) -> String {
    let encode = |v: &serde_json::Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    format!("{}.{}.{signature}", encode(&header), encode(&claims))
}

fn signed(algorithm: Algorithm, claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

on_both_backends!(bad_credentials_are_refused, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({"userId": 42, "companyId": INSTALLED_COMPANY, "iat": now, "exp": now + 300});
    let good = pipedrive_token(INSTALLED_COMPANY, 300);
    let (head, rest) = good.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let cases: Vec<(&str, Option<String>)> = vec![
        ("no header", None),
        ("not bearer", Some(format!("Basic {good}"))),
        ("empty bearer", Some("Bearer ".into())),
        ("wrong secret", Some(format!("Bearer {}", signed(Algorithm::HS256, claims.clone(), "another-secret")))),
        (
            "tampered claims",
            Some(format!(
                "Bearer {head}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(br#"{"userId":1,"companyId":7001,"iat":1,"exp":9999999999}"#)
            )),
        ),
        ("expired beyond skew", Some(format!("Bearer {}", pipedrive_token(INSTALLED_COMPANY, -120)))),
        ("alg none", Some(format!("Bearer {}", token_with(json!({"alg": "none", "typ": "JWT"}), claims.clone(), "")))),
        ("alg HS512", Some(format!("Bearer {}", signed(Algorithm::HS512, claims.clone(), PIPEDRIVE_SECRET)))),
        (
            "alg RS256 header on an HMAC signature",
            Some(format!("Bearer {}", token_with(json!({"alg": "RS256"}), claims.clone(), signature))),
        ),
        (
            "no exp",
            Some(format!(
                "Bearer {}",
                signed(
                    Algorithm::HS256,
                    json!({"userId": 42, "companyId": INSTALLED_COMPANY, "iat": now}),
                    PIPEDRIVE_SECRET
                )
            )),
        ),
        (
            "companyId as a string",
            Some(format!(
                "Bearer {}",
                signed(
                    Algorithm::HS256,
                    json!({"userId": 42, "companyId": "7001", "iat": now, "exp": now + 300}),
                    PIPEDRIVE_SECRET
                )
            )),
        ),
        (
            "issued in the future",
            Some(format!(
                "Bearer {}",
                signed(
                    Algorithm::HS256,
                    json!({"userId": 42, "companyId": INSTALLED_COMPANY, "iat": now + 600, "exp": now + 900}),
                    PIPEDRIVE_SECRET
                )
            )),
        ),
        ("wrong zoho key", Some("Bearer test-zoho-installation-key-0123456780".into())),
        ("garbage", Some("Bearer a.b.c".into())),
    ];
    for (what, authorization) in cases {
        let mut request = app.get("/api/v1/senders");
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        let answer = json(request.send().await.unwrap()).await;
        assert_error(&answer, 401, "unauthorized");
        assert!(answer.1["error"]["message"].as_str().is_some(), "{what}");
    }
    app.stop().await;
});

on_both_backends!(clock_skew_of_a_minute_is_allowed, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let token = pipedrive_token(INSTALLED_COMPANY, -30);
    let answer =
        json(app.get("/api/v1/senders").header("authorization", format!("Bearer {token}")).send().await.unwrap()).await;
    assert_eq!(answer.0, 200, "{}", answer.1);
    app.stop().await;
});

on_both_backends!(a_company_that_has_not_installed_sees_nothing, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let other = format!("Bearer {}", pipedrive_token(OTHER_COMPANY, 300));
    for path in
        ["/api/v1/senders", "/api/v1/canned-texts", "/api/v1/messages?phone=%2B498963648018", "/api/v1/templates"]
    {
        let answer = json(app.get(path).header("authorization", &other).send().await.unwrap()).await;
        assert_error(&answer, 403, "not_installed");
    }
    app.stop().await;
});

on_both_backends!(an_allow_list_restricts_installed_companies, |backend| async move {
    let app = TestApp::spawn(backend, |settings| settings.push(("PIPEDRIVE_COMPANY_IDS", "9999".into()))).await;
    let answer = json(app.get("/api/v1/senders").header("authorization", bearer()).send().await.unwrap()).await;
    assert_error(&answer, 403, "not_installed");
    app.stop().await;
});

on_both_backends!(no_credential_rides_in_a_url, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let token = pipedrive_token(INSTALLED_COMPANY, 300);
    let in_url =
        json(app.get(&format!("/api/v1/events?phone=%2B498963648018&token={token}")).send().await.unwrap()).await;
    assert_error(&in_url, 401, "unauthorized");
    let refused = json(app.get("/api/v1/events?phone=%2B498963648018&token=nope").send().await.unwrap()).await;
    assert_error(&refused, 401, "unauthorized");
    // a client that can send headers opens the stream with them
    let stream = app.get("/api/v1/events?phone=%2B498963648018").bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    // the query token is for the event stream only
    let elsewhere = json(app.get(&format!("/api/v1/senders?token={token}")).send().await.unwrap()).await;
    assert_error(&elsewhere, 401, "unauthorized");
    app.stop().await;
});
