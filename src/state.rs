//! The conversation's state, shared by its components through one typed context: who the message goes to
//! and from, the messages, the window, and the draft. All handles are `Copy`.

use leptos::prelude::*;
use sidechat_domain::window::ServiceWindow;
use sidechat_domain::wire::{AttachmentRef, Phone, Record, Sender, TemplateSend};
use sidechat_domain::{Country, E164};

use crate::timeline::Timeline;

/// The number messages go to, as far as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// An international number.
    Ready(E164),
    /// Stored without a country code, and no country is chosen.
    NeedsCountry,
    /// The relay is working out the number with the chosen country.
    Resolving,
    /// Not a number WhatsApp can reach.
    Invalid,
}

/// Where the recent messages stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    /// No number to show messages for yet (none chosen, or not a reachable one).
    Idle,
    /// Asked of the relay.
    Loading,
    /// Shown.
    Ready,
    /// The relay could not give them; why, for people.
    Failed(String),
}

/// Where a chosen file stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    /// On its way to the relay (0 to 1).
    Uploading(f64),
    /// Ready to go with the message.
    Ready(AttachmentRef),
}

/// A file chosen for the next message.
#[derive(Debug, Clone, PartialEq)]
pub struct ChosenFile {
    /// Tells chosen files apart (a record file's id, or a local file's name and time).
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its type.
    pub mime: String,
    /// Where it stands.
    pub state: FileState,
}

/// The conversation's state.
#[derive(Clone, Copy)]
pub struct ChatState {
    /// The record.
    pub record: StoredValue<Record>,
    /// The connected sender numbers.
    pub senders: StoredValue<Vec<Sender>>,
    /// The chosen phone, by its `raw` value.
    pub to: RwSignal<String>,
    /// The chosen country, for a phone without a country code.
    pub country: RwSignal<Option<Country>>,
    /// The number messages go to.
    pub recipient: RwSignal<Recipient>,
    /// The chosen sender's id.
    pub from: RwSignal<Option<String>>,
    /// Whether the user picked the sender (then the last sender no longer overrides it).
    pub from_chosen: RwSignal<bool>,
    /// The messages with the number.
    pub timeline: RwSignal<Timeline>,
    /// The 24-hour window between the sender and the number.
    pub window: RwSignal<Option<ServiceWindow>>,
    /// Where the messages stand.
    pub history: RwSignal<History>,
    /// The message text.
    pub body: RwSignal<String>,
    /// The files for the next message.
    pub files: RwSignal<Vec<ChosenFile>>,
    /// The template for the next message (a closed window).
    pub template: RwSignal<Option<TemplateSend>>,
}

impl ChatState {
    /// The state for a record, provided to the components below: the primary phone first, the first sender.
    pub fn provide(record: Record, senders: Vec<Sender>) -> Self {
        let to = record.phones.iter().find(|p| p.primary).or(record.phones.first()).map(|p| p.raw.clone());
        let from = senders.first().map(|s| s.id.clone());
        let state = Self {
            record: StoredValue::new(record),
            senders: StoredValue::new(senders),
            to: RwSignal::new(to.unwrap_or_default()),
            country: RwSignal::new(None),
            recipient: RwSignal::new(Recipient::NeedsCountry),
            from: RwSignal::new(from),
            from_chosen: RwSignal::new(false),
            timeline: RwSignal::new(Timeline::default()),
            window: RwSignal::new(None),
            history: RwSignal::new(History::Loading),
            body: RwSignal::new(String::new()),
            files: RwSignal::new(Vec::new()),
            template: RwSignal::new(None),
        };
        provide_context(state);
        state
    }

    /// The state [`Chat`](crate::components::chat::Chat) provides.
    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// The chosen phone (tracked).
    pub fn phone(&self) -> Option<Phone> {
        let raw = self.to.get();
        self.record.with_value(|record| record.phones.iter().find(|p| p.raw == raw).cloned())
    }

    /// The chosen phone, without tracking.
    pub fn phone_untracked(&self) -> Option<Phone> {
        let raw = self.to.get_untracked();
        self.record.with_value(|record| record.phones.iter().find(|p| p.raw == raw).cloned())
    }

    /// The chosen sender (tracked).
    pub fn sender(&self) -> Option<Sender> {
        let id = self.from.get()?;
        self.senders.with_value(|senders| senders.iter().find(|s| s.id == id).cloned())
    }

    /// Takes the sender that last talked with the number, unless the user chose one.
    pub fn adopt_last_sender(&self, last: Option<String>) {
        let known = last.filter(|id| self.senders.with_value(|senders| senders.iter().any(|s| &s.id == id)));
        if let Some(id) = known
            && !self.from_chosen.get_untracked()
            && self.from.get_untracked().as_ref() != Some(&id)
        {
            self.from.set(Some(id));
        }
    }
}
