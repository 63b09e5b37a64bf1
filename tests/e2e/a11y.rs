//! An axe-core audit of the panel (npm `axe-core`, pinned in package.json) in the Pipedrive dev host, light and
//! dark, with the canned-text picker and the attachments open, then with the closed-window banner and its
//! templates: no serious or critical violation.
//!
//! axe is injected as the text of a WebDriver script: the relay's policy on `/widget/` allows no inline script
//! and no `eval`, but scripts run through WebDriver are outside the page's policy.

use fantoccini::Client;
use serde::Deserialize;

use crate::support::{Browser, Relay, count, open_in_host, open_panel, until, wait};

/// One rule axe found broken, with the elements that break it.
#[derive(Debug, Deserialize)]
pub(crate) struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    nodes: Vec<Offender>,
}

#[derive(Debug, Deserialize)]
struct Offender {
    target: String,
    summary: String,
}

impl Violation {
    fn blocks(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

/// axe's browser build, as `npm ci` installs it at the repository root (the tests run from there).
pub(crate) fn axe_source() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error} (run `npm ci`, as `cargo xtask test` does)", path.display()))
}

/// What axe says of a page: the rules broken, and the ids of those it checked and found kept.
#[derive(Debug, Deserialize)]
pub(crate) struct Audit {
    pub(crate) violations: Vec<Violation>,
    passes: Vec<String>,
}

/// Runs axe on the frame the client is in and returns what it found.
pub(crate) async fn audit(client: &Client, axe: &str) -> Audit {
    let injected = client.execute(&format!("{axe}\n;return typeof window.axe"), vec![]).await;
    assert_eq!(injected.expect("injecting axe-core").as_str(), Some("object"), "axe-core did not load in the panel");
    let found = client
        .execute(
            "return window.axe.run(document, { resultTypes: ['violations'] }).then((results) => ({
               passes: results.passes.map((p) => p.id),
               violations: results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary || '' })) })) }))",
            vec![],
        )
        .await
        .expect("running axe-core");
    let audit: Audit = serde_json::from_value(found).expect("axe's results");
    // Not an empty page: the panel's text and its form fields were checked.
    for rule in ["color-contrast", "label"] {
        let checked = audit.passes.iter().chain(audit.violations.iter().map(|v| &v.id)).any(|id| id == rule);
        assert!(checked, "axe checked no element for `{rule}`: {:?}", audit.passes);
    }
    audit
}

/// Prints every violation and fails on the serious and critical ones.
pub(crate) fn assert_no_serious(state: &str, violations: &[Violation]) {
    for violation in violations {
        eprintln!("[{state}] {} ({}): {}", violation.id, violation.impact.as_deref().unwrap_or("?"), violation.help);
        for node in &violation.nodes {
            eprintln!("    {}\n      {}", node.target, node.summary.replace('\n', "\n      "));
        }
    }
    let blocking: Vec<_> = violations.iter().filter(|v| v.blocks()).map(|v| v.id.as_str()).collect();
    assert!(blocking.is_empty(), "[{state}] serious or critical violations: {blocking:?} (printed above)");
}

/// Audits the panel in `theme`: the conversation with the pickers open, then a number whose window is closed.
async fn audit_panel(theme: &str) {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    let axe = axe_source();
    open_panel(client, &relay, "person:1", &format!("&theme={theme}")).await;
    wait(client, &format!("html[data-theme={theme}]")).await;
    wait(client, "[data-testid=message][data-direction=in]").await;

    wait(client, "[aria-controls=canned-picker]").await.click().await.unwrap();
    wait(client, "[data-testid=canned-option]").await;
    wait(client, "[data-testid=attachment-picker] summary").await.click().await.unwrap();
    wait(client, "[data-testid=attachment-picker][open] [data-testid=attachment-option]").await;
    assert_no_serious(&format!("{theme}, pickers open"), &audit(client, &axe).await.violations);

    // A number that never wrote: the window banner and the templates.
    wait(client, "[data-testid=to-select]").await.select_by_value("01 42 68 53 00").await.unwrap();
    wait(client, "[data-testid=country-code]").await.select_by_value("FR").await.unwrap();
    wait(client, "[data-testid=window-banner]").await;
    until(client, "the templates to load", "return !!document.querySelector('[data-testid=template-picker]')").await;
    assert_no_serious(&format!("{theme}, window closed"), &audit(client, &axe).await.violations);
    browser.client.clone().close().await.unwrap();
}

#[tokio::test]
async fn the_panel_has_no_serious_accessibility_violation_in_the_light_theme() {
    audit_panel("light").await;
}

#[tokio::test]
async fn the_panel_has_no_serious_accessibility_violation_in_the_dark_theme() {
    audit_panel("dark").await;
}

#[tokio::test]
async fn the_settings_view_is_for_admins_and_has_no_serious_accessibility_violation_in_the_dark_theme() {
    let relay = Relay::start();
    let browser = Browser::start().await;
    let client = &browser.client;
    let axe = axe_source();
    // Pipedrive's app settings page, as the demo's administrator sees it.
    open_in_host(client, &format!("{}&page=settings&theme=dark", relay.pipedrive_host), "initialized").await;
    wait(client, "html[data-theme=dark]").await;
    wait(client, "[data-testid=settings-view] [data-testid=connection-row]").await;
    wait(client, "[data-testid=connect-whatsapp]").await;
    assert_no_serious("settings, dark", &audit(client, &axe).await.violations);

    // A member (the dev host's user 2) is told the view is for admins, and sees nothing of it.
    client.enter_parent_frame().await.unwrap();
    open_in_host(client, &format!("{}&page=settings&user=2", relay.pipedrive_host), "initialized").await;
    wait(client, "[data-testid=settings-view] [data-testid=error]").await;
    assert_eq!(count(client, "[data-testid=connection-row]").await, 0);
    assert_eq!(count(client, "[data-testid=connect-whatsapp]").await, 0);
    browser.client.clone().close().await.unwrap();
}
