//! The fault mode the provider stand-ins share: each send is drawn at random to be refused with one of the
//! service's errors, answered late, or answered normally, from a seed so that a run can be repeated.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How often sends fail, and how.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// The share of sends refused with an error (0.2: one in five); nothing is sent.
    pub errors: f64,
    /// The share of sends that go out but are answered only after `late_by`.
    pub late: f64,
    /// How late a late answer is.
    pub late_by: Duration,
    /// The seed of the draws.
    pub seed: u64,
}

/// What a draw decided for one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Draw {
    /// Refuse it with the error at this index of the service's list.
    Refuse(usize),
    /// Send it, answer after this delay.
    Late(Duration),
    /// Send it, answer at once.
    Normal,
}

/// The fault mode under way: its settings and its random draws.
pub(crate) struct Draws {
    faults: Faults,
    rng: StdRng,
}

impl Draws {
    pub(crate) fn new(faults: Faults) -> Self {
        Self { faults, rng: StdRng::seed_from_u64(faults.seed) }
    }

    /// Draws the fate of the next send, refusing with one of `errors` errors.
    pub(crate) fn draw(&mut self, errors: usize) -> Draw {
        let draw: f64 = self.rng.random();
        if draw < self.faults.errors {
            Draw::Refuse(self.rng.random_range(0..errors))
        } else if draw < self.faults.errors + self.faults.late {
            Draw::Late(self.faults.late_by)
        } else {
            Draw::Normal
        }
    }
}

/// How a stand-in answered a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The message went out and the answer said so.
    Sent,
    /// The message went out, but the answer came only after a delay (the caller may have given up on it, or been
    /// killed while waiting).
    Late,
    /// An error: the message did not go out.
    Refused,
}

/// A send a stand-in received and how it answered it.
#[derive(Debug, Clone)]
pub struct Answered {
    /// What was sent.
    pub payload: serde_json::Value,
    /// How it was answered.
    pub answer: Answer,
    /// The id the service gave the message (`wamid…`, TimelinesAI's uid), unless it was refused.
    pub id: Option<String>,
}
