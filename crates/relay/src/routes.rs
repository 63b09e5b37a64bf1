//! The relay's HTTP routes, one module per area.

pub mod account;
pub mod admin;
pub mod canned;
pub mod events;
pub mod health;
pub mod messages;
pub mod metrics;
pub mod oauth;
pub mod phones;
pub mod records;
pub mod senders;
pub mod sign_in;
pub mod templates;
pub mod top_level;
pub mod uploads;
pub mod webhooks;
pub mod widget;
