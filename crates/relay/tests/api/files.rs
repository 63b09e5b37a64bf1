//! Files through the relay binary: the file store in S3-compatible storage (`SIDECHAT_FILES_URL`: a local S3,
//! moto's server mode, which `cargo xtask test` starts) holds what is uploaded, sent and read back; large files
//! at once stream through without the relay holding them in memory.

use std::time::Duration;

use serde_json::json;

use sidechat_standins::graph::*;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_live_in_s3_compatible_storage() {
    let endpoint = std::env::var("SIDECHAT_TEST_S3_ENDPOINT").expect(
        "SIDECHAT_TEST_S3_ENDPOINT is not set: run the tests through `cargo xtask test`, which starts a local S3",
    );
    let bucket = std::env::var("SIDECHAT_TEST_S3_BUCKET").expect("SIDECHAT_TEST_S3_BUCKET is not set");
    let prefix = format!("run-{}", uuid::Uuid::new_v4().simple());
    let (dir, database_url) = binary_workspace(Backend::Sqlite).await;
    let graph = Graph::start().await;
    let mut settings = cloud_settings(&graph.url);
    settings.extend([
        ("SIDECHAT_FILES_URL", format!("s3://{bucket}/{prefix}")),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ENDPOINT_URL", endpoint.clone()),
        ("AWS_ALLOW_HTTP", "true".to_owned()),
    ]);
    let (_relay, url) = start_binary(&database_url, &dir, &settings);
    let http = reqwest::Client::new();
    customer_writes_by_webhook(&http, &url).await;

    // Larger than one part: written to S3 in several.
    let brochure: Vec<u8> = (0..7_000_000u32).map(|i| (i % 253) as u8).collect();
    let part = reqwest::multipart::Part::bytes(brochure.clone()).file_name("brochure.pdf").mime_str("application/pdf");
    let form = reqwest::multipart::Form::new().part("file", part.unwrap());
    let upload = http.post(format!("{url}/api/v1/uploads")).header("authorization", bearer()).multipart(form);
    let (status, uploaded) = json(upload.send().await.unwrap()).await;
    assert_eq!(status, 201, "{uploaded}");
    let id = uploaded["upload"]["id"].as_str().unwrap().to_owned();
    let listing = http.get(format!("{endpoint}/{bucket}?list-type=2&prefix={prefix}/")).send().await.unwrap();
    let listing = listing.text().await.unwrap();
    assert!(listing.contains(&format!("/{id}</Key>")), "the file is in the bucket, under the prefix: {listing}");
    assert!(listing.contains(&format!("<Size>{}</Size>", brochure.len())), "{listing}");

    let send = json!({"from": PHONE_NUMBER_ID, "to": "+498963648018", "body": "our brochure", "attachments": [{"upload": id}]});
    let sent =
        http.post(format!("{url}/api/v1/messages")).header("authorization", bearer()).header("idempotency-key", "s3");
    let (status, sent) = json(sent.json(&send).send().await.unwrap()).await;
    assert_eq!(status, 202, "{sent}");
    eventually(Duration::from_secs(20), || async { (graph.uploads().len() == 1).then_some(()) }).await;
    assert_eq!(graph.uploads()[0], ("brochure.pdf".to_owned(), "application/pdf".to_owned(), brochure.len()));

    // The signed link names the relay's own address (no SIDECHAT_PUBLIC_URL here).
    let link = sent["message"]["attachments"][0]["url"].as_str().unwrap();
    assert!(link.starts_with(&url), "{link}");
    let read = http.get(link).send().await.unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.bytes().await.unwrap().as_ref(), brochure.as_slice());
    assert_eq!(http.get(format!("{url}/healthz")).send().await.unwrap().status(), 200);
}

/// The size of each large file: 100 MB.
const LARGE: usize = 100_000_000;

/// Ten 100 MB files uploaded and sent at once: the relay streams them to disk and on to the provider, and its
/// resident memory stays under 300 MB (decimal) at its peak.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_100_mb_files_at_once_keep_the_relay_under_300_mb() {
    let (dir, database_url) = binary_workspace(Backend::Sqlite).await;
    let graph = Graph::start().await;
    let mut settings = cloud_settings(&graph.url);
    settings.push(("SIDECHAT_PROVIDER_TIMEOUT_MS", "120000".to_owned()));
    let (relay, url) = start_binary(&database_url, &dir, &settings);
    let http = reqwest::Client::new();
    customer_writes_by_webhook(&http, &url).await;

    let sent = futures::future::join_all((0..10).map(|i| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let id = upload_large(&http, &url, i).await;
            let send = json!({"from": PHONE_NUMBER_ID, "to": "+498963648018", "body": format!("large {i}"),
                "attachments": [{"upload": id}]});
            let request = http
                .post(format!("{url}/api/v1/messages"))
                .header("authorization", bearer())
                .header("idempotency-key", format!("large-{i}"));
            let (status, sent) = json(request.json(&send).send().await.unwrap()).await;
            assert_eq!(status, 202, "{sent}");
        }
    }));
    sent.await;
    eventually(Duration::from_secs(300), || async { (graph.uploads().len() == 10).then_some(()) }).await;
    for (name, mime, size) in graph.uploads() {
        assert_eq!((mime.as_str(), size), ("application/pdf", LARGE), "{name} reached Graph whole");
    }
    let status = std::fs::read_to_string(format!("/proc/{}/status", relay.0.id())).unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("the relay's peak resident memory (VmHWM)");
    let peak = peak_kb * 1024;
    println!(
        "memory: 10 × 100 MB uploaded and sent at once; the relay's peak resident memory was {} MB",
        peak / 1_000_000
    );
    assert!(peak < 300_000_000, "the relay's resident memory peaked at {peak} bytes");
}

/// Uploads 100 MB (generated as it is sent, never held whole) as `large-{i}.pdf`; over the relay's limit of uploads
/// at once (503 `busy`), waits as `Retry-After` says and tries again. Returns the upload's id.
async fn upload_large(http: &reqwest::Client, url: &str, i: usize) -> String {
    let chunk = bytes::Bytes::from(vec![b'%'; 1_000_000]);
    loop {
        let chunks = futures::stream::iter((0..LARGE / chunk.len()).map({
            let chunk = chunk.clone();
            move |_| Ok::<_, std::io::Error>(chunk.clone())
        }));
        let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(chunks), LARGE as u64)
            .file_name(format!("large-{i}.pdf"))
            .mime_str("application/pdf")
            .unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        let answer =
            http.post(format!("{url}/api/v1/uploads")).header("authorization", bearer()).multipart(form).send().await;
        let answer = answer.unwrap();
        if answer.status() == 503 {
            let wait = answer.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert_error(&json(answer).await, 503, "busy");
            tokio::time::sleep(Duration::from_secs(wait)).await;
            continue;
        }
        let (status, uploaded) = json(answer).await;
        assert_eq!(status, 201, "{uploaded}");
        return uploaded["upload"]["id"].as_str().unwrap().to_owned();
    }
}
