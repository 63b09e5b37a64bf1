//! The panel's components, one per file.

pub mod record_summary;
pub mod relay_status;
