//! Zoho's own tool, `zet` (npm zoho-extension-toolkit, pinned in package.json), run on the project folder. For a
//! CRM project neither command needs a Zoho login: `validate` runs its file rule only, `pack` zips locally.

use std::path::Path;

use anyhow::{Context, bail};

use crate::cmd::{command, exec};

/// The log zet writes into the folder it runs in.
const LOG: &str = "ZET-debug.log";

/// `zet validate` in the project folder; fails if zet reports a broken rule (it exits 1 then).
pub fn validate(zet: &Path, project: &Path) -> anyhow::Result<()> {
    run(zet, "validate", project)
}

/// `zet pack` in the project folder, its zip moved to `zip`. zet writes `dist/<folder name>.zip` inside the
/// project and exits 0 even when packing failed, so the zip's presence is checked here and its contents by the
/// caller.
pub fn pack(zet: &Path, project: &Path, zip: &Path) -> anyhow::Result<()> {
    let folder = project.file_name().and_then(|name| name.to_str()).context("the project folder has no name")?;
    let out = project.join("dist");
    let made = out.join(format!("{folder}.zip"));
    run(zet, "pack", project)?;
    if !made.is_file() {
        bail!("`zet pack` made no {}", made.display());
    }
    std::fs::rename(&made, zip).with_context(|| format!("moving {} to {}", made.display(), zip.display()))?;
    std::fs::remove_dir_all(&out).with_context(|| format!("removing {}", out.display()))
}

/// Runs a zet command in the project folder, then removes its log (kept when the command fails).
fn run(zet: &Path, subcommand: &str, project: &Path) -> anyhow::Result<()> {
    // Without NO_UPDATE_NOTIFIER, zet asks the npm registry for a newer version of itself on every run.
    exec(command(zet).arg(subcommand).current_dir(project).env("NO_UPDATE_NOTIFIER", "1"))?;
    let log = project.join(LOG);
    if log.exists() {
        std::fs::remove_file(&log).with_context(|| format!("removing {}", log.display()))?;
    }
    Ok(())
}
