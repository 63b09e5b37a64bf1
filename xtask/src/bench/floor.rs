//! The floor: one relay against nginx proxying to the same fake provider, both driven by `wrk` at 64
//! connections on this machine. nginx forwarding a read (`GET /{phone_number_id}`) and a send
//! (`POST /{phone_number_id}/messages`) to the Graph stand-in is the least a server in front of the provider
//! costs; the relay's `GET /api/v1/messages` (a page of the log) and send accept (stored before 202, then sent by
//! the outbox) are measured against it, on SQLite and on PostgreSQL. Targets: reads at least 0.8× the proxy,
//! durable sends at least 0.5×. Then three relays share the PostgreSQL, each loaded by a `wrk` of its own: on a
//! machine with fewer cores than relays the figures show contention, not scaling, and the bar is no error.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::time::Instant;

use super::api::{Api, customer};
use super::graph::FakeGraph;
use super::relay::{GRAPH_TOKEN, PHONE_NUMBER_ID, RelayProcess, credential};
use super::report::Report;
use crate::cmd;
use crate::tools;

/// Connections `wrk` keeps open.
const CONNECTIONS: u32 = 64;
/// How long each measurement lasts.
const DURATION: Duration = Duration::from_secs(10);
/// The targets, as shares of the proxy's requests per second.
const READS_TARGET: f64 = 0.8;
const SENDS_TARGET: f64 = 0.5;

/// How `wrk` loads a server: its connections and threads, and its sends' idempotency keys' prefix (one per `wrk`
/// running at once, so that their sends never share a key).
struct Load<'a> {
    connections: u32,
    threads: u32,
    keys: &'a str,
}

/// One `wrk` with every connection.
const WHOLE: Load<'static> = Load { connections: CONNECTIONS, threads: 2, keys: "floor" };
/// How many relays share the PostgreSQL in the last measure.
const RELAYS: u32 = 3;

/// Where the floor runs: the relay binary, the work directory, `wrk`, the machine's cores, the Graph stand-in.
#[derive(Clone, Copy)]
struct Floor<'a> {
    binary: &'a Path,
    work: &'a Path,
    wrk: &'a Path,
    cores: usize,
    graph_url: &'a str,
}

/// What the relays are loaded with: the same requests for one relay and for several.
struct RelayRequests {
    headers: [(&'static str, String); 1],
    /// The page of the customer's conversation `GET /api/v1/messages` reads.
    read_path: String,
    /// The body of a send.
    send_body: String,
}

/// What `wrk` measured.
struct Measured {
    requests_per_second: f64,
    p99_ms: f64,
    /// Answers that were not 2xx or 3xx, and socket errors.
    errors: u64,
}

/// Measures the floor and the relay on SQLite and on PostgreSQL, and adds the figures to `report`.
pub async fn measure(binary: &Path, work: &Path, report: &mut Report) -> anyhow::Result<()> {
    eprintln!(
        "\n==> floor: the relay against nginx proxying to the same fake Graph API, wrk at {CONNECTIONS} connections"
    );
    let (wrk, nginx) = ensure_tools()?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let graph = FakeGraph::start(Instant::now()).await?;
    let proxy = Nginx::start(&nginx, work, &graph.url).await?;
    let graph_headers = [("Authorization", format!("Bearer {GRAPH_TOKEN}"))];
    let proxy_read = run_wrk(&wrk, work, &format!("{}/{PHONE_NUMBER_ID}", proxy.url), &graph_headers, None, &WHOLE)?;
    let to = customer(0);
    let graph_send =
        format!(r#"{{"messaging_product":"whatsapp","to":"{to}","type":"text","text":{{"body":"floor"}}}}"#);
    let proxy_send = run_wrk(
        &wrk,
        work,
        &format!("{}/{PHONE_NUMBER_ID}/messages", proxy.url),
        &graph_headers,
        Some(&graph_send),
        &WHOLE,
    )?;
    drop(proxy);

    let phone = to.replace('+', "%2B");
    let requests = RelayRequests {
        headers: [("Authorization", format!("Bearer {}", credential()?))],
        read_path: format!("/api/v1/messages?phone={phone}&limit=20"),
        send_body: format!(r#"{{"from":"{PHONE_NUMBER_ID}","to":"{to}","body":"floor"}}"#),
    };
    let postgres = crate::postgres::start()?;
    let backends =
        [("SQLite", format!("sqlite://{}", work.join("floor.db").display())), ("PostgreSQL", postgres.url.clone())];
    for (name, database_url) in backends {
        let relay =
            RelayProcess::start_on(binary, &database_url, &work.join(format!("floor-{name}.log")), &graph.url).await?;
        let api = Api::new(&relay.url)?;
        api.inbound_webhook("wamid.FLOOR", &to, "Hello").await?;
        let headers = &requests.headers;
        let read = run_wrk(&wrk, work, &format!("{}{}", relay.url, requests.read_path), headers, None, &WHOLE)?;
        let send_url = format!("{}/api/v1/messages", relay.url);
        let send = run_wrk(&wrk, work, &send_url, headers, Some(&requests.send_body), &WHOLE)?;
        relay.kill().await?;
        for (what, relay, proxy, target) in [
            ("GET /api/v1/messages", &read, &proxy_read, READS_TARGET),
            ("send accept", &send, &proxy_send, SENDS_TARGET),
        ] {
            let ratio = relay.requests_per_second / proxy.requests_per_second;
            report.note(format!(
                "floor ({name}, {cores} cores, {CONNECTIONS} connections): {what} {:.0} req/s, p99 {:.2} ms, {} errors \
                 vs nginx → Graph stand-in {:.0} req/s, p99 {:.2} ms: {ratio:.2}× (target {target}×: {})",
                relay.requests_per_second,
                relay.p99_ms,
                relay.errors,
                proxy.requests_per_second,
                proxy.p99_ms,
                if ratio >= target && relay.errors == 0 { "met" } else { "NOT met" },
            ));
        }
    }
    // A fresh database: the one above still holds the sends its relay accepted but had not sent yet, which the
    // relays would send while their reads are measured.
    drop(postgres);
    let postgres = crate::postgres::start()?;
    let floor = Floor { binary, work, wrk: &wrk, cores, graph_url: &graph.url };
    several_relays(&floor, &postgres.url, &requests, report).await?;
    drop(postgres);
    Ok(())
}

/// [`RELAYS`] relays on the one PostgreSQL, each loaded by its own `wrk` with its share of the connections. On this
/// machine's cores they contend rather than scale: the figures are printed with the core count, and the bar is
/// that no request fails.
async fn several_relays(
    floor: &Floor<'_>,
    database_url: &str,
    requests: &RelayRequests,
    report: &mut Report,
) -> anyhow::Result<()> {
    let Floor { binary, work, wrk, cores, graph_url } = *floor;
    let mut relays = Vec::new();
    for i in 0..RELAYS {
        let log = work.join(format!("floor-relay-{i}.log"));
        relays.push(RelayProcess::start_on(binary, database_url, &log, graph_url).await?);
    }
    Api::new(&relays[0].url)?.inbound_webhook("wamid.FLOOR-RELAYS", &customer(0), "Hello again").await?;
    let urls: Vec<String> = relays.iter().map(|relay| relay.url.clone()).collect();
    let headers = &requests.headers;
    let read = spread(wrk, work, &urls, &requests.read_path, headers, None)?;
    let send = spread(wrk, work, &urls, "/api/v1/messages", headers, Some(&requests.send_body))?;
    for relay in relays {
        relay.kill().await?;
    }
    for (what, measured) in [("GET /api/v1/messages", read), ("send accept", send)] {
        report.note(format!(
            "floor (PostgreSQL, {RELAYS} relays, {cores} cores, {CONNECTIONS} connections in all): {what} {:.0} req/s, \
             p99 {:.2} ms (the slowest relay's), {} errors: the relays contend for the cores rather than scale; the \
             bar is no error ({})",
            measured.requests_per_second,
            measured.p99_ms,
            measured.errors,
            if measured.errors == 0 { "met" } else { "NOT met" },
        ));
    }
    Ok(())
}

/// Loads each of `relays` at `path` at once, each with its own `wrk` and its share of [`CONNECTIONS`]: the
/// requests per second summed, the slowest p99, the errors summed.
fn spread(
    wrk: &Path,
    work: &Path,
    relays: &[String],
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> anyhow::Result<Measured> {
    let connections = CONNECTIONS / relays.len() as u32;
    let measured: Vec<anyhow::Result<Measured>> = std::thread::scope(|scope| {
        let runs: Vec<_> = relays
            .iter()
            .enumerate()
            .map(|(i, relay)| {
                scope.spawn(move || {
                    let keys = format!("floor-relay-{i}");
                    let load = Load { connections, threads: 1, keys: &keys };
                    run_wrk(wrk, work, &format!("{relay}{path}"), headers, body, &load)
                })
            })
            .collect();
        runs.into_iter().map(|run| run.join().unwrap_or_else(|_| bail!("a wrk thread panicked"))).collect()
    });
    let mut all = Measured { requests_per_second: 0.0, p99_ms: 0.0, errors: 0 };
    for one in measured {
        let one = one?;
        all.requests_per_second += one.requests_per_second;
        all.p99_ms = all.p99_ms.max(one.p99_ms);
        all.errors += one.errors;
    }
    Ok(all)
}

/// `wrk` and nginx, installed from Debian if missing.
fn ensure_tools() -> anyhow::Result<(PathBuf, PathBuf)> {
    let wrk = PathBuf::from("/usr/bin/wrk");
    let nginx = PathBuf::from("/usr/sbin/nginx");
    let mut missing = Vec::new();
    if !wrk.is_file() {
        missing.push("wrk");
    }
    if !nginx.is_file() {
        missing.push("nginx-light");
    }
    if !missing.is_empty() {
        if !tools::is_root() {
            bail!("the floor needs {}: run `sudo apt-get install {}`", missing.join(" and "), missing.join(" "));
        }
        tools::apt_install(&missing)?;
    }
    Ok((wrk, nginx))
}

/// Runs `wrk` against `url` with `headers` under `load`, as a POST of `body` when given (each under a fresh
/// `Idempotency-Key`), and reads its figures.
fn run_wrk(
    wrk: &Path,
    work: &Path,
    url: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
    load: &Load<'_>,
) -> anyhow::Result<Measured> {
    let lua = |text: &str| format!("{text:?}");
    let mut script = String::from(
        "local threads = 0\nfunction setup(thread)\n  threads = threads + 1\n  thread:set(\"tid\", threads)\nend\ncounter = 0\n",
    );
    for (name, value) in headers {
        script.push_str(&format!("wrk.headers[{}] = {}\n", lua(name), lua(value)));
    }
    match body {
        Some(body) => {
            script.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
            script.push_str(&format!(
                "function request()\n  counter = counter + 1\n  wrk.headers[\"Idempotency-Key\"] = {} .. tostring(os.time()) .. \"-\" .. tid .. \"-\" .. counter\n  return wrk.format(\"POST\", nil, nil, {})\nend\n",
                lua(&format!("{}-", load.keys)),
                lua(body)
            ));
        }
        None => script.push_str("function request()\n  return wrk.format(\"GET\")\nend\n"),
    }
    let path = work.join(format!("{}.lua", load.keys));
    std::fs::write(&path, script).with_context(|| format!("writing {}", path.display()))?;
    let output = std::process::Command::new(wrk)
        .args([
            &format!("-t{}", load.threads),
            &format!("-c{}", load.connections),
            &format!("-d{}s", DURATION.as_secs()),
            "--latency",
            "-s",
        ])
        .arg(&path)
        .arg(url)
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&output.stderr));
    }
    parse_wrk(&text).with_context(|| format!("reading wrk's figures from:\n{text}"))
}

/// Reads requests per second, the p99 and the errors from `wrk --latency`'s report.
fn parse_wrk(text: &str) -> anyhow::Result<Measured> {
    let field = |prefix: &str| {
        text.lines().find_map(|line| line.trim().strip_prefix(prefix).map(|rest| rest.trim().to_owned()))
    };
    let requests_per_second: f64 = field("Requests/sec:").context("no Requests/sec")?.parse()?;
    let p99 = field("99%").context("no 99% latency")?;
    let p99_ms = duration_ms(&p99).with_context(|| format!("an unreadable latency `{p99}`"))?;
    let mut errors: u64 = field("Non-2xx or 3xx responses:").map_or(Ok(0), |n| n.parse())?;
    if let Some(socket) = field("Socket errors:") {
        // connect 0, read 0, write 0, timeout 0
        errors += socket.split(',').filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok()).sum::<u64>();
    }
    Ok(Measured { requests_per_second, p99_ms, errors })
}

/// `812.00us`, `3.45ms`, `1.20s` in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        return None;
    };
    Some(number.parse::<f64>().ok()? * scale)
}

/// nginx proxying to the Graph stand-in, stopped when dropped.
struct Nginx {
    /// Its base URL, with the API version, like the stand-in's.
    url: String,
    child: std::process::Child,
}

impl Nginx {
    async fn start(nginx: &Path, work: &Path, graph_url: &str) -> anyhow::Result<Self> {
        let upstream = graph_url.strip_prefix("http://").context("the Graph stand-in's URL")?;
        let (address, version) = upstream.split_once('/').context("the Graph stand-in's URL has its version")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = work.join("nginx");
        std::fs::create_dir_all(&dir)?;
        let d = dir.display();
        let user = if tools::is_root() { "user root;\n" } else { "" };
        let config = format!(
            "{user}daemon off;\nworker_processes auto;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             upstream graph {{ server {address}; keepalive 64; }}\n  \
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://graph;\n      \
             proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n    }}\n  }}\n}}\n"
        );
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config)?;
        let child = std::process::Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let proxy = Self { url: format!("http://127.0.0.1:{port}/{version}"), child };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                bail!("nginx did not listen within 10 s (see {d}/error.log)");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        cmd::step(&format!("nginx proxying to the Graph stand-in on port {port}"));
        Ok(proxy)
    }
}

impl Drop for Nginx {
    /// Stops nginx with SIGTERM, which its master passes on to its workers (SIGKILL would leave them running).
    fn drop(&mut self) {
        let terminated = std::process::Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        if !terminated.is_ok_and(|status| status.success()) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
