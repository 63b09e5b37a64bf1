//! The CRM around the panel. One file per CRM; the rest of the widget sees only [`Host`].

pub mod pipedrive;
pub mod zoho;

use std::fmt;

use sidechat_domain::wire::{AttachmentRef, Record, RecordFile, RecordKind};

use crate::relay::{Relay, RelayError};
use pipedrive::Pipedrive;
use zoho::Zoho;

/// Where the panel runs.
#[derive(Clone)]
pub enum Host {
    /// A Pipedrive custom panel.
    Pipedrive(Pipedrive),
    /// A Zoho CRM widget.
    Zoho(Zoho),
    /// Opened directly (no CRM around it): the panel only checks the relay.
    Standalone,
}

/// The record the panel sits on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// A person or a deal.
    pub kind: RecordKind,
    /// The CRM's id.
    pub id: String,
}

/// What went wrong between the panel and its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostError {
    /// The page has no host around it (no parent window, or not the expected one).
    NoHost,
    /// The host answered a call with an error.
    Refused(String),
    /// The host answered with something the panel cannot read.
    Malformed(String),
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHost => f.write_str("the panel is not inside its CRM"),
            Self::Refused(reason) => write!(f, "the CRM refused: {reason}"),
            Self::Malformed(what) => write!(f, "the CRM sent something unreadable: {what}"),
        }
    }
}

/// A light or dark page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Dark text on light.
    Light,
    /// Light text on dark.
    Dark,
}

impl Theme {
    /// Reads `light` or `dark`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    /// The name in `data-theme`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

/// A short note the host shows over its own page (Pipedrive's snackbar).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What happened.
    pub message: String,
    /// A link and its label, shown beside it.
    pub link: Option<(String, String)>,
}

impl Host {
    /// Recognises the host from the page's URL.
    pub fn detect() -> Self {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        if let Some(context) = pipedrive::PanelContext::from_query(&search) {
            return Self::Pipedrive(Pipedrive::new(context));
        }
        match Zoho::from_query(&search) {
            Some(zoho) => Self::Zoho(zoho),
            None => Self::Standalone,
        }
    }

    /// Tells the host the panel is alive, with its height, and waits until the host has said which record the
    /// panel is on. First thing at start-up: Pipedrive hides a panel that has not done so within 10 seconds.
    pub async fn connect(&self, height: f64) -> Result<(), HostError> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.initialize(height).await,
            Self::Zoho(zoho) => zoho.connect().await,
            Self::Standalone => Ok(()),
        }
    }

    /// Asks the host to fit the frame to the panel's height.
    pub fn resize(&self, height: f64) {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.resize(height),
            Self::Zoho(zoho) => zoho.resize(height),
            Self::Standalone => {}
        }
    }

    /// The CRM's name, as the panel tells it to the user.
    pub fn crm_name(&self) -> &'static str {
        match self {
            Self::Pipedrive(_) => "Pipedrive",
            Self::Zoho(_) => "Zoho CRM",
            Self::Standalone => "CRM",
        }
    }

    /// The record the panel is opened on.
    pub fn record(&self) -> Option<RecordRef> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.record(),
            Self::Zoho(zoho) => zoho.record(),
            Self::Standalone => None,
        }
    }

    /// The CRM module of the record, as merge fields name it (`Persons`, `Deals`, `Leads`, `Contacts`).
    pub fn module(&self) -> Option<String> {
        let record = self.record()?;
        match self {
            Self::Pipedrive(_) => Some(
                match record.kind {
                    RecordKind::Deal => "Deals",
                    RecordKind::Person => "Persons",
                }
                .to_owned(),
            ),
            Self::Zoho(zoho) => zoho.module(),
            Self::Standalone => None,
        }
    }

    /// The modules whose canned texts make sense in this CRM, for the picker's filter.
    pub fn modules(&self) -> &'static [&'static str] {
        match self {
            Self::Pipedrive(_) | Self::Standalone => &["Persons", "Deals"],
            Self::Zoho(_) => &["Leads", "Contacts", "Deals"],
        }
    }

    /// The theme the host asked for, if it says (Zoho does not: the panel then follows the system's).
    pub fn theme(&self) -> Option<Theme> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.context().theme.as_deref().and_then(Theme::parse),
            Self::Zoho(_) | Self::Standalone => None,
        }
    }

    /// Calls `on_theme` whenever the host's theme changes.
    pub fn on_theme_change(&self, on_theme: impl Fn(Theme) + 'static) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.listen_theme(move |theme| {
                if let Some(theme) = Theme::parse(&theme) {
                    on_theme(theme);
                }
            });
        }
    }

    /// Calls `on_shown` whenever the host shows the panel again after hiding it (Pipedrive's panel expanded).
    pub fn on_shown(&self, on_shown: impl Fn() + 'static) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.listen("visibility", move |data| {
                if js_sys::Reflect::get(&data, &"is_visible".into()).ok().and_then(|v| v.as_bool()) == Some(true) {
                    on_shown();
                }
            });
        }
    }

    /// This page's address with `view=settings` set (`true`) or removed (`false`), keeping the host's parameters:
    /// how the Zoho panel and its settings view lead to each other in the same frame.
    pub fn view_url(settings: bool) -> Option<String> {
        let location = web_sys::window()?.location();
        let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
        if settings {
            params.set("view", "settings");
        } else {
            params.delete("view");
        }
        Some(format!("{}?{}", location.pathname().ok()?, String::from(params.to_string())))
    }

    /// The user's locale as the host gives it (`fr_FR`), if it does (Pipedrive does not).
    pub fn locale(&self) -> Option<String> {
        match self {
            Self::Zoho(zoho) => zoho.locale(),
            Self::Pipedrive(_) | Self::Standalone => None,
        }
    }

    /// The credential the relay accepts from the host: Pipedrive's signed token from the URL. (Zoho users sign in
    /// with the relay instead: see `relay::session`.)
    pub async fn credential(&self) -> Result<String, HostError> {
        match self {
            Self::Pipedrive(pipedrive) => Ok(pipedrive.context().token.clone()),
            Self::Zoho(_) | Self::Standalone => Err(HostError::NoHost),
        }
    }

    /// A new credential after the relay refused the last one (Pipedrive's URL token expires).
    pub async fn fresh_credential(&self) -> Result<String, HostError> {
        match self {
            Self::Pipedrive(pipedrive) => pipedrive.signed_token().await,
            Self::Zoho(_) | Self::Standalone => Err(HostError::NoHost),
        }
    }

    /// Reads the record the panel is on, with its phones normalized by the relay: Pipedrive's through the
    /// relay, Zoho's through the host.
    pub async fn load_record(&self, relay: &Relay) -> Result<Record, RelayError> {
        match self {
            Self::Pipedrive(_) => {
                let record = self.record().ok_or(RelayError::Host(HostError::NoHost))?;
                relay.pipedrive_record(&record).await
            }
            Self::Zoho(zoho) => {
                let mut record = zoho.read_record().await.map_err(RelayError::Host)?;
                let stored = std::mem::take(&mut record.phones);
                let phones = if stored.is_empty() { Vec::new() } else { relay.normalize(stored, None).await? };
                Ok(record.into_wire(phones))
            }
            Self::Standalone => Err(RelayError::Host(HostError::NoHost)),
        }
    }

    /// How the relay gets a record file for a message: Pipedrive's files the relay fetches itself; Zoho's are
    /// read through the host and uploaded.
    pub async fn attachment(
        &self,
        relay: &Relay,
        file: &RecordFile,
        progress: impl Fn(f64) + 'static,
    ) -> Result<AttachmentRef, RelayError> {
        match self {
            Self::Pipedrive(_) => Ok(AttachmentRef::RecordFile { record_file: file.id.clone() }),
            Self::Zoho(zoho) => {
                let bytes = zoho.file(file).await.map_err(RelayError::Host)?;
                let upload = relay.upload(&bytes, &file.name, progress).await?;
                Ok(AttachmentRef::Upload { upload: upload.id })
            }
            Self::Standalone => Err(RelayError::Host(HostError::NoHost)),
        }
    }

    /// Shows a note over the host's page, where the host has such a thing (Zoho has none).
    pub fn notify(&self, notice: &Notice) {
        if let Self::Pipedrive(pipedrive) = self {
            pipedrive.show_snackbar(notice);
        }
    }
}
