//! The Graph stand-in's observer: it sees every accepted send as it arrives, and nothing else.

use std::sync::{Arc, Mutex};

use reqwest::Client;
use serde_json::{Value, json};
use sidechat_standins::graph::{Graph, PHONE_NUMBER_ID, TOKEN};

#[tokio::test]
async fn an_observer_sees_each_accepted_send() {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let graph = Graph::start_observed({
        let seen = seen.clone();
        move |payload: &Value| seen.lock().unwrap().push(payload["text"]["body"].clone())
    })
    .await;
    let send = |token: &'static str, body: &'static str| {
        let url = format!("{}/{PHONE_NUMBER_ID}/messages", graph.url);
        async move {
            let payload =
                json!({"messaging_product": "whatsapp", "to": "498963648018", "type": "text", "text": {"body": body}});
            Client::new().post(url).bearer_auth(token).json(&payload).send().await.unwrap().status().as_u16()
        }
    };
    assert_eq!(send(TOKEN, "first").await, 200);
    assert_eq!(send("wrong-token", "refused").await, 401);
    assert_eq!(send(TOKEN, "second").await, 200);
    assert_eq!(*seen.lock().unwrap(), [json!("first"), json!("second")]);
    assert_eq!(graph.send_count(), 2);
    assert_eq!(graph.unauthorized(), 1);
}
