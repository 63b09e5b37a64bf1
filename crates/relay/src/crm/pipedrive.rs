//! Pipedrive's REST API: installing through OAuth, reading persons and deals with their files and fields, and
//! fetching a file for a send.
//!
//! Every call goes to the company's `api_domain` (from the token answer) with its OAuth access token. A token
//! within a minute of its expiry is refreshed first; a token Pipedrive refuses (401) is refreshed once and the
//! call retried.

mod error;
mod fields;
mod files;
mod oauth;
mod record;
mod session;
mod shapes;

pub use error::PipedriveError;
pub use files::fetch_file;
pub use oauth::{CALLBACK_PATH, InstalledCompany, install};
pub use record::read_record;
