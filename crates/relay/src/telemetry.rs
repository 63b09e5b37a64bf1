//! Structured logs through `tracing`, to standard error (standard output stays for the start-up line):
//! `RUST_LOG` picks the level (default `info`), `SIDECHAT_LOG_FORMAT` the format (`text`, or `json`: one object per
//! line, with the request's span fields, its id among them).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the log subscriber.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}
