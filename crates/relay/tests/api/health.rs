use std::time::Duration;

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
    // Any method name may arrive; each one the relay does not know counts as `other`, not as a series of its own.
    for method in ["BREW", "PROPFIND", "X-ANYTHING"] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        app.http.request(method, format!("{}/api/v1/senders", app.url)).send().await.unwrap();
    }
    let metrics = metrics_of(&app.http, &app.url).await;
    assert!(
        metrics.contains(r#"sidechat_http_requests_total{method="GET",route="/api/v1/senders",status="200"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"sidechat_http_requests_total{method="other",route="/api/v1/senders",status="405"} 3"#),
        "{metrics}"
    );
    assert!(!metrics.contains("BREW") && !metrics.contains("PROPFIND"), "{metrics}");
    app.stop().await;
});

on_both_backends!(metrics_need_the_token_or_their_own_address, |backend| async move {
    // Without a token nor an address of its own, `/metrics` is not there.
    let closed = TestApp::spawn(backend, |settings| settings.retain(|(k, _)| *k != "SIDECHAT_METRICS_TOKEN")).await;
    assert_error(&json(closed.get("/metrics").send().await.unwrap()).await, 404, "not_found");
    closed.stop().await;

    // With a token: the token, or 401.
    let app = TestApp::spawn(backend, |_| {}).await;
    assert_error(&json(app.get("/metrics").send().await.unwrap()).await, 401, "unauthorized");
    assert_error(
        &json(app.get("/metrics").bearer_auth("not-the-metrics-token").send().await.unwrap()).await,
        401,
        "unauthorized",
    );
    assert!(metrics_of(&app.http, &app.url).await.contains("sidechat_resends_total"));
    app.stop().await;

    // Demo mode keeps it open.
    let demo = TestApp::spawn_demo(backend).await;
    assert_eq!(demo.get("/metrics").send().await.unwrap().status(), 200);
    demo.stop().await;
});

/// `SIDECHAT_METRICS_LISTEN` serves `/metrics` on an address of its own, without a token; the main address keeps
/// answering 404. Request ids come back on every answer, and a request past `SIDECHAT_REQUEST_TIMEOUT_MS` is 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_their_own_address_request_ids_and_time_limits() {
    use sidechat_standins::graph::Graph;
    let (dir, database_url) = binary_workspace(Backend::Sqlite).await;
    let graph = Graph::start().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut settings = cloud_settings(&graph.url);
    settings.extend([
        ("SIDECHAT_METRICS_TOKEN", String::new()),
        ("SIDECHAT_METRICS_LISTEN", format!("127.0.0.1:{port}")),
        ("SIDECHAT_REQUEST_TIMEOUT_MS", "500".to_owned()),
        ("SIDECHAT_LOG_FORMAT", "json".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ]);
    let mut command = relay_command(&database_url, &dir, &settings);
    command.env_remove("SIDECHAT_METRICS_TOKEN");
    let (relay, url, printed) = launch_printing(command);
    let http = reqwest::Client::new();
    let separate = eventually(Duration::from_secs(10), || async {
        http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.ok()
    })
    .await;
    assert_eq!(separate.status(), 200);
    assert!(separate.text().await.unwrap().contains("sidechat_resends_total"));
    assert_error(&json(http.get(format!("{url}/metrics")).send().await.unwrap()).await, 404, "not_found");

    // A request id comes back: the caller's own, or one the relay made.
    let answer = http.get(format!("{url}/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(answer.headers()["x-request-id"], "trace-me-42");
    let answer = http.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(answer.headers()["x-request-id"].len(), 36, "a UUID");

    // Graph takes 3 s to list templates: the relay answers 503 `timeout` after half a second.
    graph.delay_templates(Duration::from_secs(3));
    let started = std::time::Instant::now();
    let slow = http
        .get(format!("{url}/api/v1/templates"))
        .header("authorization", bearer())
        .header("x-request-id", "slow-templates")
        .send()
        .await
        .unwrap();
    assert_error(&json(slow).await, 503, "timeout");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());

    // Logs are JSON lines; the time-out's line carries its request's id.
    let logged = eventually(Duration::from_secs(5), || async {
        let text = printed.text();
        text.lines().find(|line| line.contains("slow-templates")).map(str::to_owned)
    })
    .await;
    let line: serde_json::Value = serde_json::from_str(&logged).expect("a JSON log line");
    assert_eq!(line["span"]["request_id"], "slow-templates", "{line}");
    drop(relay);
}

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
