//! The relay's figures as one table, with a line of notes under it.

use std::time::Duration;

use super::load::{Latencies, millis};

/// One measured line: a latency distribution at a rate.
pub struct Row {
    /// What was measured.
    pub what: String,
    /// The offered rate, or how the load was made.
    pub load: String,
    /// Successful samples.
    pub samples: usize,
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Failed requests (or sends that never reached the provider).
    pub errors: u64,
}

/// The table being filled.
#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    /// Adds a latency line.
    pub fn latency(&mut self, what: &str, load: String, latencies: &Latencies, errors: u64) {
        self.rows.push(Row {
            what: what.to_owned(),
            load,
            samples: latencies.len(),
            p50: latencies.percentile(0.5),
            p99: latencies.percentile(0.99),
            errors,
        });
    }

    /// Adds a line of text under the table.
    pub fn note(&mut self, note: String) {
        eprintln!("  {note}");
        self.notes.push(note);
    }

    /// Prints the table and the notes.
    pub fn print(&self) {
        println!(
            "\nRelay performance (release binary, loopback, this machine; open-loop load, latency from the scheduled send time)"
        );
        println!("{:<44} {:>12} {:>9} {:>10} {:>10} {:>7}", "measure", "load", "samples", "p50 ms", "p99 ms", "errors");
        for row in &self.rows {
            println!(
                "{:<44} {:>12} {:>9} {:>10.2} {:>10.2} {:>7}",
                row.what,
                row.load,
                row.samples,
                millis(row.p50),
                millis(row.p99),
                row.errors
            );
        }
        for note in &self.notes {
            println!("{note}");
        }
    }
}
