//! The file store in S3-compatible storage (`SIDECHAT_FILES_URL`): a local S3 (moto's server mode, which
//! `cargo xtask test` starts) holds what is uploaded, sent and read back, through the relay binary.

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
