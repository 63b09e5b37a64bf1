//! The widget's size: everything the iframe downloads, raw and gzip -9 per file.

use std::io::Write;

use anyhow::Context;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::build;

/// The widget's budget: everything the iframe downloads, gzip -9 per file.
const WIDGET_BUDGET_KIB: f64 = 150.0;

/// Prints the built widget's size per file, raw and gzipped.
pub fn print_size() -> anyhow::Result<()> {
    let dir = build::widget_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        // The `.gz` copies are what the relay sends instead of their originals, not more files.
        .filter(|entry| entry.path().extension().is_none_or(|ext| ext != "gz"))
        .collect();
    files.sort_by_key(|entry| entry.file_name());

    println!("\nWidget size (dist/widget, what the iframe downloads; gzip -9 per file)");
    println!("{:<28} {:>12} {:>12}", "file", "raw bytes", "gzip bytes");
    let (mut raw_total, mut gzip_total) = (0usize, 0usize);
    for entry in files {
        let bytes = std::fs::read(entry.path()).with_context(|| format!("reading {}", entry.path().display()))?;
        let gzipped = gzip(&bytes)?;
        println!("{:<28} {:>12} {:>12}", entry.file_name().to_string_lossy(), bytes.len(), gzipped);
        raw_total += bytes.len();
        gzip_total += gzipped;
    }
    let kib = gzip_total as f64 / 1024.0;
    println!("{:<28} {:>12} {:>12}", "total", raw_total, gzip_total);
    println!(
        "widget total: {:.1} KiB raw, {kib:.1} KiB gzipped (budget {WIDGET_BUDGET_KIB} KiB)",
        raw_total as f64 / 1024.0
    );
    Ok(())
}

fn gzip(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}
