//! Three relay binaries on one PostgreSQL, thousands of sends spread over them, one relay killed with SIGKILL and
//! started again every few seconds, and a provider that refuses, throttles and answers late: every accepted message
//! reaches the provider, each repeat is a message whose call was answered late or was in flight at a kill, no
//! message is recorded as sent under an id the provider did not give it, and the event stream on the relay that is
//! never killed sees each message's final status. Once with the Cloud API (Graph's stand-in), once with
//! TimelinesAI's (its pacing scaled down, and every text sent twice in a row).
//!
//! To repeat a run: `SIDECHAT_FAULTS_SEED` gives the seed it printed; `SIDECHAT_FAULTS_LOG` the relays' `RUST_LOG`
//! (`sidechat_relay=info` shows every attempt).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Client;
use serde_json::{Value, json};

use sidechat_standins::faults::{Answer, Answered, Faults};
use sidechat_standins::{graph, timelines};

use crate::support::*;

/// How many messages the test sends through the Cloud API.
const SENDS: usize = 5000;
/// How many through TimelinesAI. Fewer: with the pacing scaled down they all land in one chat within a minute,
/// and a look for an earlier send reads at most 1,000 messages of a chat from a minute before acceptance (past
/// that it does not guess, and waits); at TimelinesAI's real pace an account sends about 30 a minute.
const TIMELINES_SENDS: usize = 600;
/// How often a relay is killed while the sends are accepted.
const KILL_EVERY: Duration = Duration::from_millis(2500);
/// How many sends the test has in flight at once.
const CONCURRENCY: usize = 16;
/// Whom every message goes to.
const CUSTOMER: &str = "+498963648018";

/// The relays' URLs by slot; a killed relay's slot keeps its dead URL until it is started again.
type Slots = Arc<Mutex<Vec<String>>>;

/// A provider stand-in in its fault mode.
enum Provider {
    Graph(graph::Graph),
    Timelines(timelines::Timelines),
}

impl Provider {
    /// The relay settings that send through it.
    fn settings(&self) -> Vec<(&'static str, String)> {
        match self {
            Provider::Graph(graph) => cloud_settings(&graph.url),
            Provider::Timelines(mock) => vec![
                ("SIDECHAT_PROVIDER", "timelines".to_owned()),
                ("TIMELINES_API_URL", mock.url.clone()),
                ("TIMELINES_API_TOKEN", timelines::TOKEN.to_owned()),
                ("TIMELINES_WEBHOOK_SECRET", timelines::WEBHOOK_SECRET.to_owned()),
                // The relay's request budget, scaled up with the stand-in's pacing scaled down.
                ("TIMELINES_REQUESTS_PER_SECOND", "400".to_owned()),
            ],
        }
    }

    /// The sender the messages go from.
    fn from(&self) -> &'static str {
        match self {
            Provider::Graph(_) => graph::PHONE_NUMBER_ID,
            Provider::Timelines(_) => timelines::ACCOUNT_ID,
        }
    }

    /// How many messages the test sends.
    fn sends(&self) -> usize {
        match self {
            Provider::Graph(_) => SENDS,
            Provider::Timelines(_) => TIMELINES_SENDS,
        }
    }

    /// How many messages in a row share one text.
    fn copies(&self) -> usize {
        match self {
            Provider::Graph(_) => 1,
            // Identical texts in a row: the case where looking for an earlier send could take one for the other.
            Provider::Timelines(_) => 2,
        }
    }

    fn answered(&self) -> Vec<Answered> {
        match self {
            Provider::Graph(graph) => graph.answered(),
            Provider::Timelines(mock) => mock.answered(),
        }
    }

    /// The text of a send.
    fn text(&self, payload: &Value) -> String {
        let text = match self {
            Provider::Graph(_) => &payload["text"]["body"],
            Provider::Timelines(_) => &payload["text"],
        };
        text.as_str().unwrap().to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_relays_on_the_cloud_api_lose_nothing_while_one_is_killed_again_and_again() {
    let graph = graph::Graph::start().await;
    let seed = seed();
    graph.faults(Faults { errors: 0.2, late: 0.05, late_by: Duration::from_secs(3), seed });
    run(Provider::Graph(graph), seed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_relays_on_timelines_lose_nothing_while_one_is_killed_again_and_again() {
    let mock = timelines::Timelines::start().await;
    let seed = seed();
    mock.faults(Faults { errors: 0.2, late: 0.05, late_by: Duration::from_secs(3), seed });
    mock.pace(Duration::from_millis(2));
    run(Provider::Timelines(mock), seed).await;
}

/// A seed for the stand-in's draws, printed so that a failing run can be repeated: `SIDECHAT_FAULTS_SEED` gives it.
fn seed() -> u64 {
    std::env::var("SIDECHAT_FAULTS_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or_else(|| jiff::Timestamp::now().as_millisecond() as u64)
}

async fn run(provider: Provider, seed: u64) {
    let (dir, database_url) = binary_workspace(Backend::Postgres).await;
    let mut settings = provider.settings();
    settings.extend([
        ("SIDECHAT_SEND_TIMEOUT_MS", "2000".to_owned()),
        // Room for a look through TimelinesAI's history, many pages long here, when the machine is busy.
        ("SIDECHAT_PROVIDER_TIMEOUT_MS", "5000".to_owned()),
        // With one call in four refused or late, a message's attempts fail eight times in a row now and then: with
        // waits doubling up to 5 minutes, it would then go out only after this test's time. At most 8 s between
        // attempts, its twelve attempts fit well within it.
        ("SIDECHAT_RETRY_MAX_WAIT_MS", "8000".to_owned()),
        ("SIDECHAT_SEND_RATE_LIMIT", "100000".to_owned()),
        ("RUST_LOG", std::env::var("SIDECHAT_FAULTS_LOG").unwrap_or("error".to_owned())),
    ]);
    let sends = provider.sends();
    let http = Client::new();
    let mut processes = Vec::new();
    for _ in 0..3 {
        processes.push(start_binary(&database_url, &dir, &settings));
    }
    let slots: Slots = Arc::new(Mutex::new(processes.iter().map(|(_, url)| url.clone()).collect()));
    let survivor = processes[2].1.clone();
    if let Provider::Graph(_) = provider {
        customer_writes_by_webhook(&http, &survivor).await;
    }
    let name = match provider {
        Provider::Graph(_) => "Cloud API",
        Provider::Timelines(_) => "TimelinesAI",
    };
    println!("faults ({name}): the stand-in draws with seed {seed}");

    let stream = watch_stream(&http, &survivor).await;
    let started = Instant::now();
    let sending = tokio::spawn(send_all(http.clone(), slots.clone(), sends, provider.from(), provider.copies()));

    // Kill relay 0 and relay 1 in turn, each started again at once, until every send is accepted.
    let mut in_flight_at_kills = BTreeSet::new();
    let mut kills = 0;
    while !sending.is_finished() {
        tokio::time::sleep(KILL_EVERY).await;
        let slot = kills % 2;
        let killed = &mut processes[slot].0.0;
        killed.kill().unwrap(); // SIGKILL
        killed.wait().unwrap();
        kills += 1;
        in_flight_at_kills.extend(delivered_but_not_recorded(&provider, &database_url).await);
        processes[slot] = start_binary(&database_url, &dir, &settings);
        slots.lock().unwrap()[slot] = processes[slot].1.clone();
    }
    let ids = sending.await.unwrap();
    let accepted_in = started.elapsed();
    assert!(kills >= 2, "the sends were accepted before two kills ({accepted_in:?}): send more");

    // Every accepted message is sent in the end, each recorded once.
    // (Counted twice a second: reading every row more often would slow the relays down.)
    let mut db = database(&database_url).await;
    let limit = Instant::now() + Duration::from_secs(240);
    while sqlx::query_scalar::<_, i64>("SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'sent'")
        .fetch_one(&mut db)
        .await
        .unwrap()
        < sends as i64
    {
        if Instant::now() > limit {
            let left: Vec<(String, Option<String>, i64)> = sqlx::query_as(
                "SELECT status, error_code, count(*) FROM messages WHERE direction = 'out' AND status <> 'sent'
                 GROUP BY status, error_code",
            )
            .fetch_all(&mut db)
            .await
            .unwrap();
            let stuck = stuck(&provider, &database_url).await;
            panic!(
                "not every accepted message was sent within 4 minutes; left (status, error, count): {left:?}\n{stuck}"
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let drained_in = started.elapsed();
    let recorded = sent_in(&database_url).await;
    assert_eq!(recorded.len(), sends, "every accepted message, no other");

    // Every accepted message reached the provider, under the id the log holds; the repeats are all explained.
    let answered = provider.answered();
    let given: HashMap<&str, String> =
        answered.iter().filter_map(|sent| Some((sent.id.as_deref()?, provider.text(&sent.payload)))).collect();
    for (text, status, id) in &recorded {
        assert_eq!(status, "sent", "{text}");
        assert_eq!(
            given.get(id.as_str()),
            Some(text),
            "{text} is recorded as sent as {id}, which the provider never sent"
        );
    }
    let mut delivered: BTreeMap<String, usize> = BTreeMap::new();
    let mut late = BTreeSet::new();
    let mut refused = 0;
    for sent in &answered {
        let text = provider.text(&sent.payload);
        match sent.answer {
            Answer::Refused => refused += 1,
            Answer::Late => {
                late.insert(text.clone());
                *delivered.entry(text).or_default() += 1;
            }
            Answer::Sent => *delivered.entry(text).or_default() += 1,
        }
    }
    let copies = provider.copies();
    for i in 0..sends / copies {
        let times = delivered.get(&format!("fault {i}")).copied().unwrap_or_default();
        assert!(times >= copies, "fault {i} was accepted {copies} times but reached the provider {times} times");
    }
    let repeated: Vec<&String> = delivered.iter().filter(|(_, times)| **times > copies).map(|(text, _)| text).collect();
    if let Provider::Timelines(_) = provider {
        // TimelinesAI lets the relay look before sending again: nothing reaches the customer twice.
        assert!(repeated.is_empty(), "sent twice through TimelinesAI: {repeated:?}");
    }
    for text in &repeated {
        assert!(
            late.contains(*text) || in_flight_at_kills.contains(*text),
            "{text} reached the customer {} times, yet no call for it was answered late or in flight at a kill",
            delivered[*text]
        );
    }

    // The stream on the relay never killed saw each message's final status.
    let limit = Instant::now() + Duration::from_secs(30);
    let seen = loop {
        let (missing, reloads) = {
            let seen = stream.lock().unwrap();
            let missing: Vec<(&String, Option<String>)> = ids
                .iter()
                .filter(|id| seen.statuses.get(*id).map(String::as_str) != Some("sent"))
                .map(|id| (id, seen.statuses.get(id).cloned()))
                .collect();
            (
                missing.iter().take(5).map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")
                    + &format!(" ({} in all)", missing.len()),
                seen.reloads,
            )
        };
        if missing.starts_with(" (0 in all)") {
            break reloads;
        }
        assert!(Instant::now() < limit, "the stream did not show these as sent: {missing}; {reloads} reloads");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "faults ({name}): {sends} sends over 3 relays on PostgreSQL, {kills} kills; accepted in {accepted_in:.1?}, all sent \
         in {drained_in:.1?}; the provider refused {refused} calls, answered {} late; {} messages repeated ({} late, {} in \
         flight at a kill), 0 lost; the surviving relay's stream showed every final status ({seen} reloads)",
        late.len(),
        repeated.len(),
        repeated.iter().filter(|body| late.contains(**body)).count(),
        repeated.iter().filter(|body| !late.contains(**body)).count(),
    );
}

/// Sends `sends` messages from `from` through the relays in turn, [`CONCURRENCY`] at a time, each text
/// (`fault 0`…) `copies` times in a row; a relay that does not answer (killed) or answers 5xx is replaced by the
/// next one, with the same idempotency key. Returns the accepted ids.
async fn send_all(http: Client, slots: Slots, sends: usize, from: &'static str, copies: usize) -> Vec<String> {
    futures::stream::iter(0..sends)
        .map(|i| {
            let (http, slots) = (http.clone(), slots.clone());
            async move {
                for attempt in 0.. {
                    let url = {
                        let slots = slots.lock().unwrap();
                        slots[(i + attempt) % slots.len()].clone()
                    };
                    let answer = http
                        .post(format!("{url}/api/v1/messages"))
                        .header("authorization", bearer())
                        .header("idempotency-key", format!("fault-{i}"))
                        .json(&json!({"from": from, "to": CUSTOMER, "body": format!("fault {}", i / copies)}))
                        .timeout(Duration::from_secs(10))
                        .send()
                        .await;
                    match answer {
                        Ok(answer) if answer.status().is_success() => {
                            let body: Value = answer.json().await.unwrap();
                            return body["message"]["id"].as_str().unwrap().to_owned();
                        }
                        Ok(answer) if answer.status().is_server_error() => {}
                        Ok(answer) => panic!("fault {i} refused: {} {}", answer.status(), answer.text().await.unwrap()),
                        Err(_killed) => {}
                    }
                    assert!(attempt < 50, "fault {i} was never accepted");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                unreachable!()
            }
        })
        .buffered(CONCURRENCY)
        .collect()
        .await
}

/// What the event stream showed: each message's last status, and how many times it said `reload`.
#[derive(Default)]
struct Seen {
    statuses: HashMap<String, String>,
    reloads: usize,
}

/// Opens the customer's event stream on the relay at `url` and follows it in the background.
async fn watch_stream(http: &Client, url: &str) -> Arc<Mutex<Seen>> {
    let answer = http
        .post(format!("{url}/api/v1/events/ticket"))
        .header("authorization", bearer())
        .json(&json!({"phone": CUSTOMER}))
        .send()
        .await
        .unwrap();
    let (status, ticket) = json(answer).await;
    assert_eq!(status, 200, "{ticket}");
    let ticket = ticket["ticket"].as_str().unwrap();
    let response = http.get(format!("{url}/api/v1/events?phone=%2B498963648018&ticket={ticket}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let keep = seen.clone();
    tokio::spawn(async move {
        let mut chunks = response.bytes_stream();
        let mut buffer = String::new();
        while let Some(Ok(chunk)) = chunks.next().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let field = |name: &str| block.lines().find_map(|line| line.strip_prefix(name)).map(str::to_owned);
                let (Some(event), Some(data)) = (field("event: "), field("data: ")) else { continue };
                let data: Value = serde_json::from_str(&data).unwrap();
                let mut seen = keep.lock().unwrap();
                match event.as_str() {
                    "message" | "status" => {
                        if let (Some(id), Some(status)) = (data["id"].as_str(), data["status"].as_str()) {
                            seen.statuses.insert(id.to_owned(), status.to_owned());
                        }
                    }
                    "reload" => seen.reloads += 1,
                    _ => {}
                }
            }
        }
    });
    seen
}

/// Each outbound message's text, status and provider id, read from the relays' database.
async fn sent_in(database_url: &str) -> Vec<(String, String, String)> {
    let mut db = database(database_url).await;
    sqlx::query_as::<_, (String, String, Option<String>)>(
        "SELECT body, status, provider_id FROM messages WHERE direction = 'out'",
    )
    .fetch_all(&mut db)
    .await
    .unwrap()
    .into_iter()
    .map(|(text, status, id)| (text, status, id.unwrap_or_default()))
    .collect()
}

/// The texts the provider has sent that no relay has recorded as sent yet: right after a kill, those the killed
/// relay had in flight (and perhaps some another relay is recording at that moment).
async fn delivered_but_not_recorded(provider: &Provider, database_url: &str) -> BTreeSet<String> {
    let delivered: BTreeSet<String> = provider
        .answered()
        .iter()
        .filter(|sent| sent.answer != Answer::Refused)
        .map(|sent| provider.text(&sent.payload))
        .collect();
    let queued: BTreeSet<String> = sent_in(database_url)
        .await
        .into_iter()
        .filter(|(_, status, _)| status == "queued")
        .map(|(text, ..)| text)
        .collect();
    delivered.intersection(&queued).cloned().collect()
}

/// A message not yet sent: id, text, attempts, next attempt, lease end, unknown since, interrupted at, created (ms).
type Unsent = (String, String, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64);

/// What the relays' database and the provider hold for each message not yet sent: to tell why it is not.
async fn stuck(provider: &Provider, database_url: &str) -> String {
    let mut db = database(database_url).await;
    let now = jiff::Timestamp::now().as_millisecond();
    let rows: Vec<Unsent> = sqlx::query_as(
        "SELECT id, body, attempts, next_attempt_at, lease_until, unknown_at, interrupted_at, created_at
         FROM messages WHERE direction = 'out' AND status <> 'sent' ORDER BY created_at LIMIT 20",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let answered = provider.answered();
    let ago = |at: Option<i64>| at.map(|at| format!("{:+.1} s", (at - now) as f64 / 1000.0));
    rows.iter()
        .map(|(id, body, attempts, next, lease, unknown, interrupted, created)| {
            let calls: Vec<String> = answered
                .iter()
                .filter(|sent| provider.text(&sent.payload) == *body)
                .map(|sent| format!("{:?} {:?}", sent.answer, sent.id))
                .collect();
            format!(
                "{id} {body:?}: {attempts} attempts, next {:?}, lease {:?}, unknown {:?}, interrupted {:?}, \
                 created {:?}; the provider's calls for this text: {calls:?}",
                ago(*next),
                ago(*lease),
                ago(*unknown),
                ago(*interrupted),
                ago(Some(*created)),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
