//! Building the widget (cargo → wasm-bindgen → wasm-opt → dist/widget/) and the relay binary.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cmd::{self, cargo, command, exec, root, target_dir};
use crate::{gzip, tools};

/// Where the built widget goes; the relay serves it from there.
pub fn widget_dir() -> PathBuf {
    root().join("dist/widget")
}

/// Where the dev host pages go; the demo serves them on its second port.
pub fn dev_hosts_dir() -> PathBuf {
    root().join("dist/dev")
}

/// The relay binary `build_relay` makes.
pub fn relay_binary() -> PathBuf {
    target_dir().join("release/sidechat-relay")
}

/// Builds the widget and the relay; returns the relay binary.
pub fn build_all() -> anyhow::Result<PathBuf> {
    build_widget()?;
    build_relay()
}

/// Builds the widget in release mode into `dist/widget/`.
pub fn build_widget() -> anyhow::Result<()> {
    tools::ensure_wasm_target()?;
    tools::ensure_wasm_bindgen()?;
    let node = tools::ensure_node_tools()?;

    let out = widget_dir();
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
    }
    cmd::step("building the widget: the panel's module");
    build_module(&node, None, &out)?;
    // The settings view is a module of its own, in `settings/`, loaded only by `?view=settings`: the panel's
    // download does not grow with it.
    cmd::step("building the widget: the settings view's module");
    build_module(&node, Some("settings"), &out.join(SETTINGS_DIR))?;
    copy_static(&root().join("static"), &out)?;
    // The glue and the style sheet ship with the module; minified, they are 2.5 KB (gzip) smaller.
    for file in ["sidechat_widget.js", "style.css"] {
        minify(&node.esbuild, &out.join(file))?;
    }
    minify(&node.esbuild, &out.join(SETTINGS_DIR).join("sidechat_widget.js"))?;
    precompress(&out)?;
    precompress(&out.join(SETTINGS_DIR))?;
    // The pages that play the CRM hosts, for the demo's second port and the browser tests.
    let dev = dev_hosts_dir();
    if dev.exists() {
        std::fs::remove_dir_all(&dev).with_context(|| format!("clearing {}", dev.display()))?;
    }
    std::fs::create_dir_all(&dev)?;
    copy_static(&root().join("static/dev"), &dev)
}

/// Where the settings view's module goes, inside the widget's folder.
pub const SETTINGS_DIR: &str = "settings";

/// Builds the widget crate for wasm with `feature` (none: the panel), and writes its module and glue into `out`,
/// optimized.
fn build_module(node: &tools::NodeTools, feature: Option<&str>, out: &Path) -> anyhow::Result<()> {
    let mut build = cargo();
    build.args([
        "build",
        "--package",
        "sidechat-widget",
        "--lib",
        "--profile",
        "wasm-release",
        "--target",
        tools::WASM_TARGET,
    ]);
    if let Some(feature) = feature {
        build.args(["--features", feature]);
    }
    if tools::ensure_rust_src() {
        build
            .args(STD_FOR_SIZE)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_ENCODED_RUSTFLAGS", SIZE_RUSTFLAGS.join("\x1f"));
    } else {
        eprintln!(
            "warning: building the widget with the prebuilt standard library: its module is ~33 KB (gzip) larger"
        );
    }
    exec(&mut build)?;
    let module = target_dir().join(tools::WASM_TARGET).join("wasm-release/sidechat_widget.wasm");
    exec(command("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(out).arg(&module))?;
    let wasm = out.join("sidechat_widget_bg.wasm");
    exec(
        command(&node.wasm_opt)
            .args(WASM_OPT_PASSES)
            .args(["--strip-debug", "--strip-producers"])
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm),
    )
}

/// The widget's release build compiles the standard library itself, for size and without panic messages (a
/// panic in the panel aborts either way, and wasm32-unknown-unknown prints its message nowhere): the module is
/// 310.0 KB gzip with the prebuilt one, 278.0 KB so. These are unstable cargo and rustc options, allowed on the
/// stable toolchain by `RUSTC_BOOTSTRAP=1` for this one build; the tests' builds do without.
const STD_FOR_SIZE: &[&str] = &["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"];

/// The rustflags of that build: `.cargo/config.toml`'s for wasm32 (which these replace), then no panic machinery,
/// no `Debug` output and no source locations.
const SIZE_RUSTFLAGS: &[&str] = &[
    "--cfg",
    "erase_components",
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Zfmt-debug=none",
    "-Zlocation-detail=none",
];

/// wasm-opt's passes, in order. First, the exports of wasm-streams' classes go, with the code only they reach
/// (1.9 KB gzip): Leptos links that crate for server functions, which the panel does not use, and its exported
/// classes would keep that code alive. Then flattening and re-looping the control flow before two rounds of `-Oz`
/// leaves a module about 2 KB (gzip) smaller than one `-Oz`.
const WASM_OPT_PASSES: &[&str] =
    &["--remove-exports", "--pass-arg=remove-exports@*intounderlying*", "--flatten", "--rereloop", "-Oz", "-Oz"];

/// The WebAssembly features rustc emits for wasm32-unknown-unknown, which wasm-opt must keep.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-multivalue",
];

/// Minifies a JS or CSS file in place.
fn minify(esbuild: &Path, file: &Path) -> anyhow::Result<()> {
    let mut outfile = std::ffi::OsString::from("--outfile=");
    outfile.push(file);
    exec(command(esbuild).arg(file).args(["--minify", "--allow-overwrite", "--log-level=warning"]).arg(outfile))
}

/// Copies the widget's shell (HTML, JS boot, CSS) beside the module; the dev host pages stay out.
fn copy_static(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name()))
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Writes `name.gz` beside each file, which the relay serves to browsers that accept gzip: the best compression,
/// Zopfli's, once at build time instead of some on every request.
fn precompress(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if !path.is_file() || path.extension().is_some_and(|ext| ext == "gz") {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut target = path.clone().into_os_string();
        target.push(".gz");
        std::fs::write(&target, gzip::zopfli(&bytes)?)
            .with_context(|| format!("writing {}", Path::new(&target).display()))?;
    }
    Ok(())
}

/// Builds the relay binary in release mode.
pub fn build_relay() -> anyhow::Result<PathBuf> {
    cmd::step("building the relay");
    exec(cargo().args(["build", "--package", "sidechat-relay", "--release"]))?;
    Ok(relay_binary())
}

/// `cargo test` of one of the widget's browser targets (`e2e`, `widget_bench`), pointed at the built relay, the
/// built widget, the dev host pages and the browser.
pub fn browser_target(target: &str, relay: &Path, browser: &tools::Browser) -> std::process::Command {
    let mut command = cargo();
    command
        .args(["test", "--package", "sidechat-widget", "--features", "e2e", "--test", target])
        .env("SIDECHAT_RELAY_BIN", relay)
        .env("SIDECHAT_WIDGET_DIR", widget_dir())
        .env("SIDECHAT_DEV_HOSTS_DIR", dev_hosts_dir())
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("CHROMIUM", &browser.chromium);
    command
}
