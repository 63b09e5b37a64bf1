//! Stand-ins for the services Sidechat talks to but tests and the demo cannot reach: Pipedrive, Meta's Graph
//! API (WhatsApp Cloud API), TimelinesAI and Zoho (its accounts server and the CRM calls that identify a user).
//! Each is a stateful local server that answers in the vendor's documented request and answer formats:
//! `start().await` serves it on a loopback port and returns a handle with its `url`; `router()` gives its axum
//! [`Router`](axum::Router) to nest in another server (the relay's demo mode nests the Pipedrive one, its dev host
//! pages the Zoho one).
//!
//! What the stand-ins do that no source document states is named in [`assumptions`], and the code doing it
//! refers to that name.

pub mod assumptions;
pub mod faults;
pub mod graph;
mod multipart;
pub mod pipedrive;
mod server;
pub mod timelines;
pub mod zoho;
