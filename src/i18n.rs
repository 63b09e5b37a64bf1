//! The panel's words in English, French, Hindi, Japanese and Portuguese: the host's locale when it gives one
//! (Zoho), else the browser's languages (Pipedrive passes none), else English.
//!
//! Every text is a [`Text`] key; each language's file answers every key (the compiler checks the `match`).
//! A text may hold `{…}` slots, filled with [`fill`].

mod en;
mod fr;
mod hi;
mod ja;
mod pt;

/// A language the panel speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// French.
    Fr,
    /// Hindi.
    Hi,
    /// Japanese.
    Ja,
    /// Portuguese.
    Pt,
}

impl Lang {
    /// Every language, in the order the panel lists them.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Fr, Lang::Hi, Lang::Ja, Lang::Pt];

    /// The language of a BCP 47 tag or a Zoho locale: `fr`, `fr-CA`, `pt_BR`, `ja_JP`.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            "hi" => Some(Self::Hi),
            "ja" => Some(Self::Ja),
            "pt" => Some(Self::Pt),
            _ => None,
        }
    }

    /// The host's locale if the panel speaks it, else the first of the browser's languages it speaks, else
    /// English.
    pub fn pick(host_locale: Option<&str>, browser: &[String]) -> Self {
        host_locale
            .and_then(Self::from_tag)
            .or_else(|| browser.iter().find_map(|tag| Self::from_tag(tag)))
            .unwrap_or(Self::En)
    }

    /// The language's tag, for `<html lang>` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
            Self::Hi => "hi",
            Self::Ja => "ja",
            Self::Pt => "pt",
        }
    }

    /// The text for `key` in this language.
    pub fn t(self, key: Text) -> &'static str {
        match self {
            Self::En => en::text(key),
            Self::Fr => fr::text(key),
            Self::Hi => hi::text(key),
            Self::Ja => ja::text(key),
            Self::Pt => pt::text(key),
        }
    }
}

/// Fills a text's `{name}` slots.
pub fn fill(text: &str, slots: &[(&str, &str)]) -> String {
    slots.iter().fold(text.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// Every text the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// The panel's name for screen readers.
    PanelLabel,
    /// While the record and numbers load.
    Loading,
    /// The relay cannot be reached.
    RelayDown,
    /// The relay refused the credential.
    SessionExpired,
    /// The company has not installed Sidechat.
    NotInstalled,
    /// The relay answered something unexpected; `{status}`.
    RelayUnexpected,
    /// The host did not give what the panel needs.
    HostFailed,
    /// A button that tries again.
    Retry,
    /// The recipient's label.
    To,
    /// The record has no phone number.
    NoPhones,
    /// The country code's label.
    CountryCode,
    /// The country list's first, empty choice.
    ChooseCountry,
    /// The number a message will go to; `{number}`.
    SendsTo,
    /// A stored number that is not a phone number.
    InvalidNumber,
    /// The number lacks a country code and none is chosen.
    NeedsCountry,
    /// The sender's label.
    From,
    /// No sender is connected.
    NoSenders,
    /// The sandbox badge.
    Sandbox,
    /// The sandbox badge's explanation.
    SandboxHint,
    /// The chat link.
    ChatLink,
    /// The message list's label.
    Messages,
    /// No messages with this number yet.
    EmptyHistory,
    /// A message sent by the business.
    Outgoing,
    /// A message from the customer.
    Incoming,
    /// Status: accepted by Sidechat.
    StatusQueued,
    /// Status: accepted by WhatsApp.
    StatusSent,
    /// Status: on the phone.
    StatusDelivered,
    /// Status: seen.
    StatusRead,
    /// Status: failed.
    StatusFailed,
    /// The attachments' label.
    Attachments,
    /// No files on the record.
    NoFiles,
    /// The local file button.
    AddFile,
    /// An upload under way; `{name}`.
    Uploading,
    /// Removes a chosen file.
    Remove,
    /// A file over the limit; `{name}`, `{size}`, `{kind}`, `{limit}`.
    FileTooLarge,
    /// A file type the provider does not send; `{name}`.
    FileUnsupported,
    /// An empty file; `{name}`.
    FileEmpty,
    /// Image (a kind of file).
    KindImage,
    /// Audio.
    KindAudio,
    /// Video.
    KindVideo,
    /// Document.
    KindDocument,
    /// Sticker.
    KindSticker,
    /// The message box's label.
    Message,
    /// The message box's placeholder.
    Placeholder,
    /// The character count; `{count}`, `{max}`.
    CharCount,
    /// The send button.
    Send,
    /// While sending.
    Sending,
    /// The keyboard shortcut's hint.
    SendHint,
    /// Nothing to send.
    EmptyMessage,
    /// Over 4096 characters; `{max}`.
    TooLong,
    /// The snackbar after a send; `{number}`.
    NoticeQueued,
    /// The snackbar after a failure; `{reason}`.
    NoticeFailed,
    /// The canned texts button.
    CannedTexts,
    /// The canned search box.
    CannedSearch,
    /// The module filter's "all" choice.
    AllModules,
    /// The module filter's label.
    ModuleFilter,
    /// No canned texts match.
    NoCanned,
    /// The manage button.
    Manage,
    /// Creates a canned text.
    NewCanned,
    /// A canned text's name.
    Name,
    /// A canned text's module.
    Module,
    /// A canned text's body.
    Body,
    /// The merge-field hint under the body.
    BodyHint,
    /// Saves.
    Save,
    /// Cancels.
    Cancel,
    /// Edits.
    Edit,
    /// Deletes.
    Delete,
    /// Closes a view.
    Close,
    /// The module is locked when editing.
    ModuleLocked,
    /// Fields the record lacks; `{fields}`.
    MissingFields,
    /// A required field is empty.
    Required,
    /// A merge field without its `]`; `{at}` (a character position).
    MergeUnclosed,
    /// `$[]`; `{at}`.
    MergeEmpty,
    /// A merge field without a module; `{at}`.
    MergeNoModule,
    /// A merge field without a field after the module; `{at}`.
    MergeNoField,
    /// A merge field of another module; `{at}`, `{found}`, `{expected}`.
    MergeWrongModule,
    /// Not a module name; `{module}`.
    UnknownModule,
    /// A canned text's name over the limit; `{max}`.
    NameTooLong,
    /// The window banner when closed; `{time}`.
    WindowClosed,
    /// The window banner when the customer never wrote.
    WindowNever,
    /// Free replies are possible until `{time}`.
    WindowOpenUntil,
    /// The template picker's label.
    Templates,
    /// The template picker's first choice.
    ChooseTemplate,
    /// No templates.
    NoTemplates,
    /// A template parameter; `{n}`.
    TemplateParam,
    /// Free text is disabled while the window is closed.
    FreeTextDisabled,
    /// The relay refused: the user may not do this (another's canned text).
    Forbidden,
    /// The user's own CRM account is not connected to Sidechat, which reads records with it; `{crm}`.
    NotConnectedUser,
    /// The link that connects the user's CRM account; `{crm}`.
    ConnectAccount,
    /// A setting refused for its value.
    InvalidSetting,
    /// Who sent an outgoing message, for screen readers around the name shown; `{name}`.
    SentBy,
    /// Who created a canned text; `{name}`.
    CreatedBy,
    /// Why the panel asks a Zoho user to sign in; `{crm}`.
    SignInNeeded,
    /// The button that opens the sign-in window; `{crm}`.
    SignIn,
    /// While the sign-in window is open.
    SigningIn,
    /// The link that opens the sign-in in a new tab, when no window could be opened.
    SignInInTab,
    /// The sign-in could not start or finish.
    SignInFailed,
    /// The settings view's title.
    #[cfg(feature = "settings")]
    SettingsTitle,
    /// The panel's link to the settings view, for admins.
    SettingsLink,
    /// A member opened the settings view; `{crm}`.
    #[cfg(feature = "settings")]
    AdminsOnly,
    /// The workspace section's heading.
    #[cfg(feature = "settings")]
    WorkspaceSection,
    /// The workspace name's label.
    #[cfg(feature = "settings")]
    WorkspaceName,
    /// The time zone's label.
    #[cfg(feature = "settings")]
    TimeZone,
    /// The connections section's heading.
    #[cfg(feature = "settings")]
    WhatsAppSection,
    /// The workspace has no WhatsApp connection.
    #[cfg(feature = "settings")]
    NoConnections,
    /// Meta's Cloud API, by name.
    #[cfg(feature = "settings")]
    ProviderCloud,
    /// TimelinesAI, by name.
    #[cfg(feature = "settings")]
    ProviderTimelines,
    /// The sandbox, by name.
    #[cfg(feature = "settings")]
    ProviderSandbox,
    /// The numbers of a connection.
    #[cfg(feature = "settings")]
    Numbers,
    /// The webhook URL's label.
    #[cfg(feature = "settings")]
    WebhookUrl,
    /// A token's last characters; `{hint}`.
    #[cfg(feature = "settings")]
    TokenEnding,
    /// Who made a connection; `{name}`.
    #[cfg(feature = "settings")]
    ConnectedBy,
    /// A connection the relay's operator configured.
    #[cfg(feature = "settings")]
    FromOperator,
    /// Who may send from a connection.
    #[cfg(feature = "settings")]
    WhoMaySend,
    /// Every user may send.
    #[cfg(feature = "settings")]
    Everyone,
    /// Only the chosen users may send.
    #[cfg(feature = "settings")]
    OnlyThese,
    /// Disconnects a connection.
    #[cfg(feature = "settings")]
    Disconnect,
    /// Asks again before disconnecting; `{label}`.
    #[cfg(feature = "settings")]
    ConfirmDisconnect,
    /// The connect form's heading.
    #[cfg(feature = "settings")]
    ConnectSection,
    /// The provider's label.
    #[cfg(feature = "settings")]
    ProviderLabel,
    /// The Cloud API access token's label.
    #[cfg(feature = "settings")]
    AccessToken,
    /// The business account id's label.
    #[cfg(feature = "settings")]
    WabaId,
    /// The phone number ids' label.
    #[cfg(feature = "settings")]
    PhoneNumberIds,
    /// The TimelinesAI token's label.
    #[cfg(feature = "settings")]
    ApiToken,
    /// The connection label's label.
    #[cfg(feature = "settings")]
    ConnectionLabel,
    /// Connects.
    #[cfg(feature = "settings")]
    Connect,
    /// While the provider checks the credentials.
    #[cfg(feature = "settings")]
    Connecting,
    /// The admin log's heading.
    #[cfg(feature = "settings")]
    AdminLogSection,
    /// The admin log is empty.
    #[cfg(feature = "settings")]
    NoLogEntries,
    /// Log: a connection was made.
    #[cfg(feature = "settings")]
    LogConnect,
    /// Log: a connection was removed.
    #[cfg(feature = "settings")]
    LogDisconnect,
    /// Log: a connection was renamed.
    #[cfg(feature = "settings")]
    LogRename,
    /// Log: who may send changed.
    #[cfg(feature = "settings")]
    LogRestrict,
    /// Log: a customer's conversation was erased.
    #[cfg(feature = "settings")]
    LogErase,
    /// Log: the workspace's settings changed.
    #[cfg(feature = "settings")]
    LogSettings,
    /// The settings view's link back to the panel.
    #[cfg(feature = "settings")]
    BackToPanel,
}

#[cfg(test)]
mod tests;
