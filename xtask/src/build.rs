//! Building the widget (cargo → wasm-bindgen → wasm-opt → dist/widget/) and the relay binary.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cmd::{self, cargo, command, exec, root};
use crate::tools;

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
    root().join("target/release/sidechat-relay")
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
    let wasm_opt = tools::ensure_node_tools()?;

    cmd::step("building the widget");
    exec(cargo().args([
        "build",
        "--package",
        "sidechat-widget",
        "--lib",
        "--profile",
        "wasm-release",
        "--target",
        tools::WASM_TARGET,
    ]))?;
    let out = widget_dir();
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
    }
    let module = root().join("target").join(tools::WASM_TARGET).join("wasm-release/sidechat_widget.wasm");
    exec(command("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&out).arg(&module))?;

    let wasm = out.join("sidechat_widget_bg.wasm");
    exec(
        command(&wasm_opt)
            .args(WASM_OPT_PASSES)
            .args(["--strip-debug", "--strip-producers"])
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm),
    )?;
    copy_static(&root().join("static"), &out)?;
    // The pages that play the CRM hosts, for the demo's second port and the browser tests.
    let dev = dev_hosts_dir();
    if dev.exists() {
        std::fs::remove_dir_all(&dev).with_context(|| format!("clearing {}", dev.display()))?;
    }
    std::fs::create_dir_all(&dev)?;
    copy_static(&root().join("static/dev"), &dev)
}

/// wasm-opt's passes, in order: flattening and re-looping the control flow before two rounds of `-Oz` leaves a
/// module about 2 KB (gzip) smaller than one `-Oz`.
const WASM_OPT_PASSES: &[&str] = &["--flatten", "--rereloop", "-Oz", "-Oz"];

/// The WebAssembly features rustc emits for wasm32-unknown-unknown, which wasm-opt must keep.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-multivalue",
];

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

/// Builds the relay binary in release mode.
pub fn build_relay() -> anyhow::Result<PathBuf> {
    cmd::step("building the relay");
    exec(cargo().args(["build", "--package", "sidechat-relay", "--release"]))?;
    Ok(relay_binary())
}
