//! The panel's components, one per file.

pub mod relay_status;
