//! Three relay binaries on one PostgreSQL, thousands of sends spread over them, one relay killed with SIGKILL and
//! started again every few seconds, and a provider that refuses, throttles and answers late: every accepted message
//! reaches the provider, each repeat is a message whose call was answered late or was in flight at a kill, and the
//! event stream on the relay that is never killed sees each message's final status.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Client;
use serde_json::{Value, json};

use sidechat_standins::graph::*;

use crate::support::*;

/// How many messages the test sends.
const SENDS: usize = 5000;
/// How often a relay is killed while the sends are accepted.
const KILL_EVERY: Duration = Duration::from_millis(2500);
/// How many sends the test has in flight at once.
const CONCURRENCY: usize = 16;
/// Whom every message goes to.
const CUSTOMER: &str = "+498963648018";

/// The relays' URLs by slot; a killed relay's slot keeps its dead URL until it is started again.
type Slots = Arc<Mutex<Vec<String>>>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_relays_lose_nothing_while_one_is_killed_again_and_again() {
    let (dir, database_url) = binary_workspace(Backend::Postgres).await;
    let graph = Graph::start().await;
    let mut settings = cloud_settings(&graph.url);
    settings.extend([
        ("SIDECHAT_SEND_TIMEOUT_MS", "2000".to_owned()),
        ("SIDECHAT_PROVIDER_TIMEOUT_MS", "2000".to_owned()),
        ("SIDECHAT_SEND_RATE_LIMIT", "100000".to_owned()),
        ("RUST_LOG", "error".to_owned()),
    ]);
    let http = Client::new();
    let mut processes = Vec::new();
    for _ in 0..3 {
        processes.push(start_binary(&database_url, &dir, &settings));
    }
    let slots: Slots = Arc::new(Mutex::new(processes.iter().map(|(_, url)| url.clone()).collect()));
    let survivor = processes[2].1.clone();
    customer_writes_by_webhook(&http, &survivor).await;
    let seed = jiff::Timestamp::now().as_millisecond() as u64;
    println!("faults: Graph stand-in draws with seed {seed}");
    graph.faults(Faults { errors: 0.2, late: 0.05, late_by: Duration::from_secs(3), seed });

    let stream = watch_stream(&http, &survivor).await;
    let started = Instant::now();
    let sending = tokio::spawn(send_all(http.clone(), slots.clone()));

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
        in_flight_at_kills.extend(delivered_but_not_recorded(&graph, &database_url).await);
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
        < SENDS as i64
    {
        assert!(Instant::now() < limit, "not every accepted message was sent within 4 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let drained_in = started.elapsed();
    let statuses = statuses_in(&database_url).await;
    assert_eq!(statuses.len(), SENDS, "every accepted message, no other");
    assert!(statuses.values().all(|status| status == "sent"), "each sent once in the log");

    // Every accepted message reached the provider; the repeats are all explained.
    let mut delivered: BTreeMap<String, usize> = BTreeMap::new();
    let mut late = BTreeSet::new();
    let mut refused = 0;
    for (payload, answer) in graph.answered() {
        let body = payload["text"]["body"].as_str().unwrap().to_owned();
        match answer {
            Answer::Refused => refused += 1,
            Answer::Late => {
                late.insert(body.clone());
                *delivered.entry(body).or_default() += 1;
            }
            Answer::Sent => *delivered.entry(body).or_default() += 1,
        }
    }
    for i in 0..SENDS {
        assert!(delivered.contains_key(&format!("fault {i}")), "fault {i} was accepted but never reached Graph");
    }
    let repeated: Vec<&String> = delivered.iter().filter(|(_, times)| **times > 1).map(|(body, _)| body).collect();
    for body in &repeated {
        assert!(
            late.contains(*body) || in_flight_at_kills.contains(*body),
            "{body} reached the customer {} times, yet no call for it was answered late or in flight at a kill",
            delivered[*body]
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
        "faults: {SENDS} sends over 3 relays on PostgreSQL, {kills} kills; accepted in {accepted_in:.1?}, all sent \
         in {drained_in:.1?}; Graph refused {refused} calls, answered {} late; {} messages repeated ({} late, {} in \
         flight at a kill), 0 lost; the surviving relay's stream showed every final status ({seen} reloads)",
        late.len(),
        repeated.len(),
        repeated.iter().filter(|body| late.contains(**body)).count(),
        repeated.iter().filter(|body| !late.contains(**body)).count(),
    );
}

/// Sends `fault 0` … through the relays in turn, [`CONCURRENCY`] at a time; a relay that does not answer (killed)
/// or answers 5xx is replaced by the next one, with the same idempotency key. Returns the accepted ids.
async fn send_all(http: Client, slots: Slots) -> Vec<String> {
    futures::stream::iter(0..SENDS)
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
                        .json(&json!({"from": PHONE_NUMBER_ID, "to": CUSTOMER, "body": format!("fault {i}")}))
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

/// Each outbound message's status, by body, read from the relays' database.
async fn statuses_in(database_url: &str) -> BTreeMap<String, String> {
    let mut db = database(database_url).await;
    sqlx::query_as::<_, (String, String)>("SELECT body, status FROM messages WHERE direction = 'out'")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// The messages Graph has sent that no relay has recorded as sent: right after a kill, those the killed relay
/// had in flight (and perhaps some another relay is recording at that moment).
async fn delivered_but_not_recorded(graph: &Graph, database_url: &str) -> Vec<String> {
    let delivered: BTreeSet<String> = graph
        .answered()
        .into_iter()
        .filter(|(_, answer)| *answer != Answer::Refused)
        .filter_map(|(payload, _)| payload["text"]["body"].as_str().map(str::to_owned))
        .collect();
    let statuses = statuses_in(database_url).await;
    delivered.into_iter().filter(|body| statuses.get(body).is_some_and(|status| status == "queued")).collect()
}
