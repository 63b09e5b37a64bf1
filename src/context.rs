//! What every component may reach: the host, the relay and the language, as one typed context.

use leptos::prelude::*;

use crate::host::Host;
use crate::i18n::{Lang, Text};
use crate::relay::{Relay, RelayError};

/// The panel's shared handles (all `Copy`: they are arena handles).
#[derive(Clone, Copy)]
pub struct PanelCtx {
    /// The CRM around the panel.
    pub host: StoredValue<Host, LocalStorage>,
    /// The relay, with the host's credentials.
    pub relay: StoredValue<Relay, LocalStorage>,
    /// The language the panel speaks.
    pub lang: RwSignal<Lang>,
}

impl PanelCtx {
    /// Provides the context to the components below.
    pub fn provide(host: Host, relay: Relay, lang: Lang) -> Self {
        let ctx = Self {
            host: StoredValue::new_local(host),
            relay: StoredValue::new_local(relay),
            lang: RwSignal::new(lang),
        };
        provide_context(ctx);
        ctx
    }

    /// The context [`App`](crate::app::App) provides.
    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// A text in the panel's language (reactive: it follows a change of language).
    pub fn t(&self, key: Text) -> &'static str {
        self.lang.get().t(key)
    }

    /// The host.
    pub fn host(&self) -> Host {
        self.host.get_value()
    }

    /// The relay.
    pub fn relay(&self) -> Relay {
        self.relay.get_value()
    }

    /// What to tell people about a failed relay call, in their language where the relay's own message would
    /// not help them (the relay's messages are specific, so they are shown as they are).
    pub fn describe(&self, error: &RelayError) -> String {
        use sidechat_domain::wire::ErrorCode;
        let lang = self.lang.get_untracked();
        match error {
            RelayError::Unreachable => lang.t(Text::RelayDown).to_owned(),
            RelayError::Unexpected(status) => {
                crate::i18n::fill(lang.t(Text::RelayUnexpected), &[("status", &status.to_string())])
            }
            RelayError::Host(_) => lang.t(Text::HostFailed).to_owned(),
            RelayError::SignInNeeded => {
                crate::i18n::fill(lang.t(Text::SignInNeeded), &[("crm", self.host().crm_name())])
            }
            RelayError::Api { code: ErrorCode::Unauthorized, .. } => lang.t(Text::SessionExpired).to_owned(),
            RelayError::Api { code: ErrorCode::NotInstalled, .. } => lang.t(Text::NotInstalled).to_owned(),
            RelayError::Api { code: ErrorCode::Forbidden, .. } => lang.t(Text::Forbidden).to_owned(),
            RelayError::Api { code: ErrorCode::NotConnectedUser, .. } => {
                crate::i18n::fill(lang.t(Text::NotConnectedUser), &[("crm", self.host().crm_name())])
            }
            RelayError::Api { code: ErrorCode::InvalidSetting, .. } => lang.t(Text::InvalidSetting).to_owned(),
            RelayError::Api { message, .. } => message.clone(),
        }
    }
}
