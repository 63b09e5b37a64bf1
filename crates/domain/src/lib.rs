//! Sidechat's pure core, shared by the widget (in the browser) and the relay (on the server).
//!
//! No I/O, no clock, no framework: every function takes what it needs, time included, so the same rules
//! run and are tested the same way on both sides. Each concept is a module with its own typed errors.
//!
//! The `phone` feature (on by default) adds parsing and matching on the `phonenumber` crate's metadata.
//! The widget leaves it off to stay small and asks the relay to normalize numbers instead.

pub mod attachment;
pub mod calling_code;
pub mod canned;
pub mod country;
pub mod crm;
pub mod e164;
pub mod grouping;
pub mod input;
pub mod matching;
#[cfg(feature = "phone")]
pub mod phone;
pub mod provider;
pub mod window;
pub mod wire;

pub use country::{Country, CountryError};
pub use crm::Crm;
pub use e164::{E164, E164Error};
pub use provider::Provider;
