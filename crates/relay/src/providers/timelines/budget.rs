//! The relay's one budget of requests to TimelinesAI (`TIMELINES_REQUESTS_PER_SECOND`): TimelinesAI limits requests
//! per IP address, so every TimelinesAI connection of every workspace draws from it, and a busy connection cannot
//! starve the others: waiting requests are served round-robin by connection, one at a time, at the budget's pace.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// A share of the budget: who asks, and how to tell them to go.
type Waiter = (String, oneshot::Sender<()>);

/// The budget. Cheap to clone; clones share it.
#[derive(Clone, Debug)]
pub struct Budget {
    asks: mpsc::UnboundedSender<Waiter>,
}

impl Budget {
    /// A budget of `per_second` requests (at least one), served by a task of its own.
    pub fn new(per_second: u32) -> Self {
        let (asks, waiting) = mpsc::unbounded_channel();
        let interval = Duration::from_secs(1) / per_second.max(1);
        tokio::spawn(dispatch(waiting, interval));
        Self { asks }
    }

    /// Waits for the turn of one request of connection `key`.
    pub async fn acquire(&self, key: &str) {
        let (go, turn) = oneshot::channel();
        if self.asks.send((key.to_owned(), go)).is_ok() {
            // The dispatcher ends only with the runtime: then nothing waits anyway.
            let _ = turn.await;
        }
    }
}

/// Grants turns at most one per `interval`, round-robin over the connections with requests waiting.
async fn dispatch(mut asks: mpsc::UnboundedReceiver<Waiter>, interval: Duration) {
    // Connections with requests waiting, in turn order, each with its requests in arrival order.
    let mut queues: VecDeque<(String, VecDeque<oneshot::Sender<()>>)> = VecDeque::new();
    let mut next = Instant::now();
    loop {
        if queues.is_empty() {
            match asks.recv().await {
                Some(waiter) => enqueue(&mut queues, waiter),
                None => return,
            }
        }
        tokio::time::sleep_until(next).await;
        while let Ok(waiter) = asks.try_recv() {
            enqueue(&mut queues, waiter);
        }
        let Some((key, mut waiting)) = queues.pop_front() else { continue };
        let granted = waiting.pop_front().is_some_and(|go| go.send(()).is_ok());
        if !waiting.is_empty() {
            queues.push_back((key, waiting));
        }
        // A request given up meanwhile spends no turn.
        if granted {
            next = Instant::now() + interval;
        }
    }
}

fn enqueue(queues: &mut VecDeque<(String, VecDeque<oneshot::Sender<()>>)>, (key, go): Waiter) {
    match queues.iter_mut().find(|(queued, _)| *queued == key) {
        Some((_, waiting)) => waiting.push_back(go),
        None => queues.push_back((key, VecDeque::from([go]))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn turns_alternate_between_connections_at_the_budgets_pace() {
        let budget = Budget::new(10);
        let order = Arc::new(Mutex::new(Vec::new()));
        let started = Instant::now();
        let mut tasks = Vec::new();
        // A busy connection asks for eight turns at once, a quiet one for two.
        for (key, count) in [("busy", 8), ("quiet", 2)] {
            for _ in 0..count {
                let (budget, order) = (budget.clone(), order.clone());
                tasks.push(tokio::spawn(async move {
                    budget.acquire(key).await;
                    order.lock().unwrap().push((key, started.elapsed()));
                }));
                tokio::task::yield_now().await;
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        let keys: Vec<&str> = order.iter().map(|(key, _)| *key).collect();
        let quiet_turns: Vec<usize> = keys.iter().enumerate().filter(|(_, k)| **k == "quiet").map(|(i, _)| i).collect();
        assert!(quiet_turns.iter().all(|turn| *turn < 5), "the quiet connection is not starved: {keys:?}");
        // Ten turns at ten per second: the last one a little after 0.9 s, none sooner than its slot.
        let last = order.last().unwrap().1;
        assert!(last >= Duration::from_millis(900) && last < Duration::from_millis(1_000), "{last:?}");
    }
}
