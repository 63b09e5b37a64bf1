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
