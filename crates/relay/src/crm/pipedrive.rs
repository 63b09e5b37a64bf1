//! Pipedrive's REST API: installing through OAuth, reading persons and deals with their files and fields, and
//! fetching a file for a send.
//!
//! Pipedrive's OAuth is per user: every call goes to the company's `api_domain` with the calling user's own access
//! token, so what Pipedrive lets that user see is what Sidechat reads. A token within a minute of its expiry is
//! refreshed first; a token Pipedrive refuses (401) is refreshed once and the call retried.

mod error;
mod fields;
mod files;
mod oauth;
mod record;
mod session;
mod shapes;
mod users;

pub use error::PipedriveError;
pub use files::fetch_file;
pub use oauth::{CALLBACK_PATH, InstalledUser, install, seal_context};
pub use record::read_record;
pub use users::{Uninstall, connect_url, refresh_profile, uninstall};
