//! `cargo xtask pack-zoho --relay-url URL`: the widget packaged for Zoho CRM. From the built widget it writes
//! `dist/zoho/`, a project folder laid out as Zoho's `zet` expects (`plugin-manifest.json` and `app/`, with
//! `app/widget.html` the index page), checks it against Zoho's rules, runs the real `zet validate`, and has
//! `zet pack` make the upload, `dist/sidechat-zoho.zip`, whose contents are checked against the folder.

mod app;
mod relay_url;
mod rules;
mod zet;

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

pub use relay_url::RelayUrl;
use rules::{MANIFEST, Tree, Violation};

use crate::cmd::{self, root};
use crate::{build, gzip, tools};

/// The relay `cargo xtask test` packs for: the demo's address.
pub const DEMO_RELAY_URL: &str = "http://127.0.0.1:8787";

/// The project folder `zet` works in.
pub fn project_dir() -> PathBuf {
    root().join("dist/zoho")
}

/// The upload for Zoho CRM.
pub fn zip_path() -> PathBuf {
    root().join("dist/sidechat-zoho.zip")
}

/// Builds the widget, then packs it for the relay at `relay_url`.
pub fn run(relay_url: &str) -> anyhow::Result<()> {
    let relay = RelayUrl::parse(relay_url)?;
    build::build_widget()?;
    let packed = pack(&relay)?;
    println!(
        "\n{}: {} files, {} bytes ({} zipped); the module {} bytes, {} gzipped",
        zip_path().display(),
        packed.files,
        packed.bytes,
        packed.zip_bytes,
        packed.module_bytes,
        packed.module_gzip_bytes
    );
    println!("In Zoho CRM, create a widget hosted Internal from this zip, with /widget.html as its index page.");
    Ok(())
}

/// What a package holds.
pub struct Packed {
    /// Files under `app/`.
    pub files: usize,
    /// Their bytes in all.
    pub bytes: usize,
    /// The zip's bytes.
    pub zip_bytes: usize,
    /// The WebAssembly module's bytes.
    pub module_bytes: usize,
    /// The module gzipped (-9), as a server sends it compressed.
    pub module_gzip_bytes: usize,
}

/// Packs the built widget (`dist/widget/`) for the relay at `relay`, and checks the folder and the zip.
pub fn pack(relay: &RelayUrl) -> anyhow::Result<Packed> {
    let node = tools::ensure_node_tools()?;
    cmd::step("packing the widget for Zoho CRM (dist/zoho/, dist/sidechat-zoho.zip)");
    let (project, zip) = (project_dir(), zip_path());
    for stale in [&project, &zip] {
        remove(stale)?;
    }
    app::write(&build::widget_dir(), &root().join("static/zoho"), &project.join("app"), relay)?;
    let manifest = read(&root().join(MANIFEST))?;
    std::fs::write(project.join(MANIFEST), &manifest).context("writing the project's manifest")?;

    let folder = read_tree(&project)?;
    fail_on("dist/zoho", rules::check_project(&folder, &manifest))?;
    zet::validate(&node.zet, &project)?;
    zet::pack(&node.zet, &project, &zip)?;
    let zipped = read_zip(&zip)?;
    fail_on("dist/sidechat-zoho.zip", rules::check_zip(&folder, &zipped.files, zipped.bytes))?;

    let module = &folder[&format!("app/{}", app::SHIPPED_MODULE)];
    let app: Vec<&Vec<u8>> = folder.iter().filter(|(path, _)| path.starts_with("app/")).map(|(_, b)| b).collect();
    Ok(Packed {
        files: app.len(),
        bytes: app.iter().map(|bytes| bytes.len()).sum(),
        zip_bytes: zipped.bytes,
        module_bytes: module.len(),
        module_gzip_bytes: gzip::level9_len(module)?,
    })
}

fn fail_on(what: &str, violations: Vec<Violation>) -> anyhow::Result<()> {
    if violations.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = violations.iter().map(|violation| format!("  - {violation}")).collect();
    bail!("{what} breaks Zoho's rules:\n{}", list.join("\n"))
}

/// Every file under `dir`, by its `/`-separated path inside it.
fn read_tree(dir: &Path) -> anyhow::Result<Tree> {
    fn walk(dir: &Path, prefix: &str, tree: &mut Tree) -> anyhow::Result<()> {
        for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let entry = entry?;
            let path = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type()?.is_dir() {
                walk(&entry.path(), &format!("{path}/"), tree)?;
            } else {
                tree.insert(path, read(&entry.path())?);
            }
        }
        Ok(())
    }
    let mut tree = Tree::new();
    walk(dir, "", &mut tree)?;
    Ok(tree)
}

struct Zipped {
    files: Tree,
    bytes: usize,
}

/// Every file in the zip, by its name in it, and the zip's size.
fn read_zip(path: &Path) -> anyhow::Result<Zipped> {
    let bytes = read(path)?;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
        .with_context(|| format!("{} is not a zip", path.display()))?;
    let mut files = Tree::new();
    for index in 0..archive.len() {
        let mut file = archive.by_index(index).with_context(|| format!("reading {}", path.display()))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().with_context(|| format!("{}: an unreadable file name", path.display()))?.into_owned();
        let mut contents = Vec::new();
        file.read_to_end(&mut contents).with_context(|| format!("unzipping {name}"))?;
        files.insert(name, contents);
    }
    Ok(Zipped { files, bytes: bytes.len() })
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn remove(path: &Path) -> anyhow::Result<()> {
    let removed = if path.is_dir() { std::fs::remove_dir_all(path) } else { std::fs::remove_file(path) };
    match removed {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}
