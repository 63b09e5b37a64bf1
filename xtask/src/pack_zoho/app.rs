//! The Zoho app folder, derived from the built widget (`dist/widget/`): the same module, JavaScript and styles,
//! with Zoho's page and boot script from `static/zoho/`, and the module's bytes under an extension Zoho takes.

use std::path::Path;

use anyhow::{Context, bail};

use super::RelayUrl;

/// The module wasm-bindgen writes, which the relay serves as it is.
pub const MODULE: &str = "sidechat_widget_bg.wasm";
/// The same bytes as Zoho gets them: it refuses `.wasm`, and serves `.txt` as text (compressed like text).
pub const SHIPPED_MODULE: &str = "sidechat_widget_bg.txt";
/// The relay's page and boot script, which the Zoho app replaces with its own.
const REPLACED: &[&str] = &["index.html", "boot.js"];
/// Where the page template names the relay.
const RELAY_PLACEHOLDER: &str = "{{relay_url}}";

/// Writes `app/` from the built widget and the Zoho shell (`widget.html` template, `boot.js`).
pub fn write(widget: &Path, shell: &Path, app: &Path, relay: &RelayUrl) -> anyhow::Result<()> {
    if !widget.join(MODULE).is_file() {
        bail!("{} has no {MODULE}: the widget's build did not run or changed its output", widget.display());
    }
    copy_widget(widget, app)?;
    let template = read_to_string(&shell.join("widget.html"))?;
    write_file(&app.join("widget.html"), render_page(&template, relay)?.as_bytes())?;
    copy_file(&shell.join("boot.js"), &app.join("boot.js"))
}

/// The index page with the relay's URL in its `sidechat-relay` meta tag (and its preconnect link).
pub fn render_page(template: &str, relay: &RelayUrl) -> anyhow::Result<String> {
    if !template.contains(RELAY_PLACEHOLDER) {
        bail!("the Zoho page template has no {RELAY_PLACEHOLDER} for the relay's URL");
    }
    Ok(template.replace(RELAY_PLACEHOLDER, &escape_attribute(relay.as_str())))
}

/// Copies the built widget, leaving out what the Zoho app replaces and the relay's precompressed `.gz` copies
/// (Zoho compresses by itself and refuses `.gz` files), and renaming the module.
fn copy_widget(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_str().with_context(|| format!("{}: a file name that is not UTF-8", from.display()))?;
        if entry.file_type()?.is_dir() {
            // The settings view's module (`settings/`), renamed like the panel's; wasm-bindgen's `snippets/`.
            copy_widget(&entry.path(), &to.join(name))?;
        } else if !REPLACED.contains(&name) && !name.ends_with(".gz") {
            let target = if name == MODULE { SHIPPED_MODULE } else { name };
            copy_file(&entry.path(), &to.join(target))?;
        }
    }
    Ok(())
}

fn copy_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn escape_attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn read_to_string(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::{RelayUrl, render_page};

    #[test]
    fn the_page_names_the_relay_in_its_meta_tag() {
        let template = r#"<meta name="sidechat-relay" content="{{relay_url}}">"#;
        let relay = RelayUrl::parse("https://relay.example.com/a&b").unwrap();
        let page = render_page(template, &relay).unwrap();
        assert_eq!(page, r#"<meta name="sidechat-relay" content="https://relay.example.com/a&amp;b">"#);
    }

    #[test]
    fn a_template_without_the_placeholder_is_refused() {
        let relay = RelayUrl::parse("https://relay.example.com").unwrap();
        assert!(render_page("<title>Sidechat</title>", &relay).is_err());
    }
}
