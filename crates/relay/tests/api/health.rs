use crate::on_both_backends;
use crate::support::*;

on_both_backends!(health_checks_the_database, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let answer = json(app.get("/healthz").send().await.unwrap()).await;
    assert_eq!(answer, (200, serde_json::json!({"status": "ok"})));
    app.state.store.close().await;
    let answer = json(app.get("/healthz").send().await.unwrap()).await;
    assert_eq!(answer.0, 503, "a closed database is not healthy");
    app.stop().await;
});

on_both_backends!(unknown_paths_and_metrics, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    assert_error(&json(app.get("/api/v1/nothing").send().await.unwrap()).await, 404, "not_found");
    app.get("/api/v1/senders").header("authorization", bearer()).send().await.unwrap();
    let metrics = app.get("/metrics").send().await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains(r#"sidechat_http_requests_total{method="GET",route="/api/v1/senders",status="200"} 1"#),
        "{metrics}"
    );
    app.stop().await;
});

on_both_backends!(zohos_widget_origin_may_call_the_api_and_the_health_check_others_may_not, |backend| async move {
    let app = TestApp::spawn(backend, |_| {}).await;
    let zoho = "https://5f1a2b.zappsusercontent.com";

    // The browser's preflight for a send from the Zoho widget.
    let preflight = app
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/messages", app.url))
        .header("origin", zoho)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type,idempotency-key")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], zoho);
    let allowed = preflight.headers()["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    for header in ["authorization", "content-type", "idempotency-key"] {
        assert!(allowed.contains(header), "{header} is not allowed: {allowed}");
    }

    // The settings view in the Zoho panel changes a connection with PATCH.
    let patch = app
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/api/v1/admin/whatsapp/c1", app.url))
        .header("origin", zoho)
        .header("access-control-request-method", "PATCH")
        .send()
        .await
        .unwrap();
    let methods = patch.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(methods.contains("PATCH"), "{methods}");

    let health = app.get("/healthz").header("origin", zoho).send().await.unwrap();
    assert_eq!(health.headers()["access-control-allow-origin"], zoho);

    // Any other site gets no permission to read the answers.
    let stranger = app.get("/healthz").header("origin", "https://evil.example").send().await.unwrap();
    assert!(!stranger.headers().contains_key("access-control-allow-origin"));
    app.stop().await;
});
