//! What admins did, newest first: who, when, what.

use leptos::prelude::*;
use sidechat_domain::wire::AdminLogEntry;

use crate::context::PanelCtx;
use crate::i18n::Text;

/// The log.
#[component]
pub fn AdminLogList(
    /// The newest entries first.
    entries: Vec<AdminLogEntry>,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let empty = entries.is_empty();
    let items = entries
        .into_iter()
        .map(|entry| {
            let action = match entry.action.as_str() {
                "connect" => Text::LogConnect,
                "disconnect" => Text::LogDisconnect,
                "rename" => Text::LogRename,
                "restrict" => Text::LogRestrict,
                "erase" => Text::LogErase,
                _ => Text::LogSettings,
            };
            let who = entry.user.map(|user| user.name).unwrap_or_default();
            let when = entry.at.strftime("%Y-%m-%d %H:%M UTC").to_string();
            let subject = entry.subject.unwrap_or_default();
            view! {
                <li data-testid="log-entry" data-action=entry.action.clone()>
                    <time datetime=entry.at.to_string()>{when}</time>" · "{who}" · "{move || ctx.t(action)}" "
                    <span class="muted">{subject}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="settings-section" aria-labelledby="log-heading">
            <h2 id="log-heading">{move || ctx.t(Text::AdminLogSection)}</h2>
            {empty.then(|| view! { <p class="muted">{move || ctx.t(Text::NoLogEntries)}</p> })}
            <ol class="admin-log">{items}</ol>
        </section>
    }
}
