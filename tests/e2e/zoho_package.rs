//! The packed Zoho app (`dist/zoho/app`, made by `cargo xtask pack-zoho`) served as Zoho serves an upload: plain
//! files from an origin of their own, the module as `text/plain`. The panel must start from it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use fantoccini::Locator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::{Browser, LIMIT, required_path};

#[tokio::test]
async fn the_packed_zoho_app_starts_the_panel_from_plain_files() {
    let files = FileServer::start(required_path("SIDECHAT_ZOHO_APP_DIR")).await;
    let browser = Browser::start().await;
    let client = &browser.client;

    client.goto(&format!("{}/widget.html", files.url)).await.unwrap();
    client
        .wait()
        .at_most(LIMIT)
        .for_element(Locator::Css("[data-testid=panel]"))
        .await
        .expect("the panel never rendered: the module did not start from the Zoho package");
    let relay = client.find(Locator::Css("meta[name=sidechat-relay]")).await.unwrap();
    assert!(relay.attr("content").await.unwrap().is_some_and(|url| url.starts_with("http")), "the page names no relay");

    let asked = files.asked.lock().unwrap().clone();
    let module_downloads = asked.iter().filter(|path| *path == "/sidechat_widget_bg.txt").count();
    assert_eq!(module_downloads, 1, "the preloaded module is downloaded once: {asked:?}");
    assert!(!asked.iter().any(|path| path.ends_with(".wasm")), "nothing asks for a .wasm: {asked:?}");
    browser.client.clone().close().await.unwrap();
}

/// A static file server on a free loopback port, as simple as the file host Zoho puts uploads on: `GET` only,
/// one request per connection, content types by extension.
struct FileServer {
    /// `http://127.0.0.1:PORT`.
    url: String,
    /// The paths asked for, in order.
    asked: Arc<Mutex<Vec<String>>>,
}

impl FileServer {
    async fn start(dir: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, dir.clone(), log.clone()));
            }
        });
        Self { url, asked }
    }
}

async fn serve(mut stream: TcpStream, dir: PathBuf, asked: Arc<Mutex<Vec<String>>>) {
    let mut request = Vec::new();
    let mut buffer = [0; 4096];
    while !request.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => request.extend_from_slice(&buffer[..read]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_owned();
    asked.lock().unwrap().push(path.clone());
    let file = (!path.split('/').any(|part| part == ".."))
        .then(|| dir.join(path.trim_start_matches('/')))
        .and_then(|file| std::fs::read(file).ok());
    let (status, body) = match file {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        content_type(&path),
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&body).await;
    let _ = stream.shutdown().await;
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}
