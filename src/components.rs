//! The panel's components, one per file.

pub mod attachments;
pub mod canned;
pub mod chat;
pub mod composer;
pub mod message_list;
pub mod panel;
pub mod recipient;
pub mod relay_status;
pub mod sender_select;
pub mod window_banner;
