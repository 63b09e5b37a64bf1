//! **Connect your CRM account**: shown where the relay refused because the user has not connected their own
//! CRM account to Sidechat yet (`not_connected_user`): why, and the link that connects it, opened in a new tab
//! (the CRM's page around the panel stays as it is).

use leptos::prelude::*;

use crate::context::PanelCtx;
use crate::i18n::{Text, fill};

/// Why the panel needs the user's CRM account, and the link to connect it.
#[component]
pub fn ConnectAccount(
    /// Where the user connects their account: the relay's `connect_url`.
    url: String,
) -> impl IntoView {
    let ctx = PanelCtx::expect();
    let crm = ctx.host().crm_name();
    view! {
        <p class="connect" data-testid="connect-crm">
            {move || fill(ctx.t(Text::NotConnectedUser), &[("crm", crm)])}
            " "
            <a data-testid="connect-crm-account" href=url target="_blank" rel="noopener noreferrer">
                {move || fill(ctx.t(Text::ConnectAccount), &[("crm", crm)])}
            </a>
        </p>
    }
}
