//! The two gzips the widget's files go through: the one its download budget is measured with (`gzip -9`, GNU
//! gzip itself, so the figure is exactly what the budget names), and the one they are served with (Zopfli, whose
//! output any gzip decoder reads and which is about 5% smaller, at about two seconds of build time for the module).

use std::io::Write;
use std::process::Stdio;

use anyhow::{Context, bail};

use crate::cmd::command;

/// The length of `bytes` compressed by `gzip -9`.
pub fn level9_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut gzip = command("gzip")
        .args(["-9", "--no-name", "--stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting gzip (Debian's `gzip` package)")?;
    // Writing from another thread: gzip's output would fill its pipe before it had read all the input.
    let mut input = gzip.stdin.take().context("gzip's standard input")?;
    let owned = bytes.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&owned));
    let output = gzip.wait_with_output().context("running gzip")?;
    writer.join().map_err(|_| anyhow::anyhow!("writing to gzip panicked"))?.context("writing to gzip")?;
    if !output.status.success() {
        bail!("gzip -9 failed ({})", output.status);
    }
    Ok(output.stdout.len())
}

/// `bytes` as a gzip file compressed by Zopfli.
pub fn zopfli(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut compressed = Vec::new();
    zopfli::compress(zopfli::Options::default(), zopfli::Format::Gzip, bytes, &mut compressed)
        .context("compressing with Zopfli")?;
    Ok(compressed)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    /// What Zopfli writes is an ordinary gzip file, and no larger than gzip -9's.
    #[test]
    fn zopfli_writes_gzip_that_gzip_reads() {
        let text: Vec<u8> = (0..20_000u32).flat_map(|i| format!("message {} ", i % 977).into_bytes()).collect();
        let compressed = zopfli(&text).unwrap();
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut decoded).unwrap();
        assert_eq!(decoded, text);
        let level9 = level9_len(&text).unwrap();
        assert!(compressed.len() <= level9, "zopfli {} > gzip -9 {level9}", compressed.len());
        assert!(level9 < text.len() / 4, "gzip -9 left {level9} of {} bytes", text.len());
    }
}
