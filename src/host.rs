//! The CRM around the panel. One file per CRM; the rest of the widget sees only [`Host`].

pub mod pipedrive;

use pipedrive::Pipedrive;

/// Where the panel runs.
#[derive(Clone)]
pub enum Host {
    /// A Pipedrive custom panel.
    Pipedrive(Pipedrive),
    /// Opened directly (no CRM around it): the panel only checks the relay.
    Standalone,
}

/// The record the panel sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// `person` or `deal`.
    pub kind: String,
    /// The CRM's id.
    pub id: String,
}

impl Host {
    /// Recognises the host from the page's URL.
    pub fn detect() -> Self {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        match pipedrive::PanelContext::from_query(&search) {
            Some(context) => Self::Pipedrive(Pipedrive::new(context)),
            None => Self::Standalone,
        }
    }

    /// Tells the host the panel is alive, with its height; first thing at start-up (Pipedrive hides a panel
    /// that has not done so within 10 seconds).
    pub async fn initialize(&self, height: f64) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.initialize(height).await;
        }
    }

    /// Asks the host to fit the frame to the panel's height.
    pub fn resize(&self, height: f64) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.resize(height);
        }
    }

    /// The record the panel is opened on.
    pub fn record(&self) -> Option<RecordRef> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.record(),
            Self::Standalone => None,
        }
    }

    /// The credential for the relay: the host's signed token.
    pub fn token(&self) -> Option<String> {
        match self {
            Self::Pipedrive(pipedrive) => Some(pipedrive.context().token.clone()),
            Self::Standalone => None,
        }
    }

    /// The theme the host asked for (`light` or `dark`), if it says.
    pub fn theme(&self) -> Option<String> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.context().theme.clone(),
            Self::Standalone => None,
        }
    }

    /// Calls `on_theme` whenever the host's theme changes.
    pub fn on_theme_change(&self, on_theme: impl Fn(String) + 'static) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.listen_theme(on_theme);
        }
    }
}
