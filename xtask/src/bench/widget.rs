//! The widget's size: everything the iframe downloads, raw, gzip -9 per file (the budget's measure) and as the
//! relay serves it (the Zopfli-compressed `.gz` beside each file).

use anyhow::Context;

use crate::{build, gzip};

/// The widget's budget: everything the iframe downloads, gzip -9 per file.
const WIDGET_BUDGET_KIB: f64 = 150.0;

/// Prints the built widget's size per file, raw, gzipped and served.
pub fn print_size() -> anyhow::Result<()> {
    let dir = build::widget_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        // The `.gz` copies are what the relay sends instead of their originals, not more files.
        .filter(|path| path.is_file() && path.extension().is_none_or(|ext| ext != "gz"))
        .collect();
    files.sort();

    println!("\nWidget size (dist/widget, what the iframe downloads)");
    println!("{:<28} {:>12} {:>12} {:>12}", "file", "raw bytes", "gzip -9", "served");
    let mut totals = [0usize; 3];
    for path in files {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut served = path.clone().into_os_string();
        served.push(".gz");
        let served = std::fs::metadata(&served).map_or(bytes.len(), |gz| gz.len() as usize);
        let row = [bytes.len(), gzip::level9_len(&bytes)?, served];
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<28} {:>12} {:>12} {:>12}", row[0], row[1], row[2]);
        for (total, value) in totals.iter_mut().zip(row) {
            *total += value;
        }
    }
    println!("{:<28} {:>12} {:>12} {:>12}", "total", totals[0], totals[1], totals[2]);
    let kib = |bytes: usize| bytes as f64 / 1024.0;
    println!(
        "widget total: {:.1} KiB raw, {:.1} KiB gzip -9 (budget {WIDGET_BUDGET_KIB} KiB), {:.1} KiB as served",
        kib(totals[0]),
        kib(totals[1]),
        kib(totals[2])
    );
    Ok(())
}
