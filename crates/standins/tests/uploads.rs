//! Uploads to the Graph and TimelinesAI stand-ins: up to 100 MB is taken and counted; past the limit the upload is
//! refused with 413 in the service's error body, not taken for a malformed form.

use futures::stream;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Response};
use serde_json::Value;
use sidechat_standins::assumptions::{MAX_UPLOAD_BYTES, UPLOAD_TOO_LARGE_STATUS};
use sidechat_standins::{graph, timelines};

/// A file part of `size` zero bytes, streamed in 1 MiB chunks.
fn file(size: u64) -> Part {
    let chunk = vec![0u8; 1024 * 1024];
    let chunks = (0..size.div_ceil(chunk.len() as u64)).map(move |i| {
        let len = (size - i * chunk.len() as u64).min(chunk.len() as u64) as usize;
        Ok::<_, std::io::Error>(chunk[..len].to_vec())
    });
    Part::stream_with_length(reqwest::Body::wrap_stream(stream::iter(chunks)), size)
        .file_name("offer.pdf")
        .mime_str("application/pdf")
        .unwrap()
}

async fn to_graph(graph: &graph::Graph, size: u64) -> Response {
    let form =
        Form::new().text("messaging_product", "whatsapp").text("type", "application/pdf").part("file", file(size));
    Client::new()
        .post(format!("{}/{}/media", graph.url, graph::PHONE_NUMBER_ID))
        .bearer_auth(graph::TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn to_timelines(mock: &timelines::Timelines, size: u64) -> Response {
    let form = Form::new().part("file", file(size));
    Client::new()
        .post(format!("{}/files_upload", mock.url))
        .bearer_auth(timelines::TOKEN)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn graph_takes_100_mb_and_refuses_more_with_413() {
    let graph = graph::Graph::start().await;
    let taken = to_graph(&graph, 100 * 1024 * 1024).await;
    assert_eq!(taken.status(), 200);
    let refused = to_graph(&graph, MAX_UPLOAD_BYTES + 1).await;
    assert_eq!(refused.status().as_u16(), UPLOAD_TOO_LARGE_STATUS);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("100 MB"), "{body}");
    assert_eq!(graph.uploads(), [("offer.pdf".to_owned(), "application/pdf".to_owned(), 100 * 1024 * 1024)]);
}

#[tokio::test]
async fn timelines_takes_100_mb_and_refuses_more_with_413() {
    let mock = timelines::Timelines::start().await;
    let taken = to_timelines(&mock, 100 * 1024 * 1024).await;
    assert_eq!(taken.status(), 200);
    let refused = to_timelines(&mock, MAX_UPLOAD_BYTES + 1).await;
    assert_eq!(refused.status().as_u16(), UPLOAD_TOO_LARGE_STATUS);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(mock.uploads(), [("offer.pdf".to_owned(), "application/pdf".to_owned(), 100 * 1024 * 1024)]);
}
