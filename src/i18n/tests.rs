use super::*;

/// Every key, so each language can be checked for each.
const KEYS: &[Text] = &[
    Text::PanelLabel,
    Text::Loading,
    Text::RelayDown,
    Text::SessionExpired,
    Text::NotInstalled,
    Text::RelayUnexpected,
    Text::HostFailed,
    Text::Retry,
    Text::To,
    Text::NoPhones,
    Text::CountryCode,
    Text::ChooseCountry,
    Text::SendsTo,
    Text::InvalidNumber,
    Text::NeedsCountry,
    Text::From,
    Text::NoSenders,
    Text::Sandbox,
    Text::SandboxHint,
    Text::ChatLink,
    Text::Messages,
    Text::EmptyHistory,
    Text::Outgoing,
    Text::Incoming,
    Text::StatusQueued,
    Text::StatusSent,
    Text::StatusDelivered,
    Text::StatusRead,
    Text::StatusFailed,
    Text::Attachments,
    Text::NoFiles,
    Text::AddFile,
    Text::Uploading,
    Text::Remove,
    Text::FileTooLarge,
    Text::FileUnsupported,
    Text::FileEmpty,
    Text::KindImage,
    Text::KindAudio,
    Text::KindVideo,
    Text::KindDocument,
    Text::KindSticker,
    Text::Message,
    Text::Placeholder,
    Text::CharCount,
    Text::Send,
    Text::Sending,
    Text::SendHint,
    Text::EmptyMessage,
    Text::TooLong,
    Text::NoticeQueued,
    Text::NoticeFailed,
    Text::CannedTexts,
    Text::CannedSearch,
    Text::AllModules,
    Text::ModuleFilter,
    Text::NoCanned,
    Text::Manage,
    Text::NewCanned,
    Text::Name,
    Text::Module,
    Text::Body,
    Text::BodyHint,
    Text::Save,
    Text::Cancel,
    Text::Edit,
    Text::Delete,
    Text::Close,
    Text::ModuleLocked,
    Text::MissingFields,
    Text::Required,
    Text::MergeUnclosed,
    Text::MergeEmpty,
    Text::MergeNoModule,
    Text::MergeNoField,
    Text::MergeWrongModule,
    Text::UnknownModule,
    Text::NameTooLong,
    Text::WindowClosed,
    Text::WindowNever,
    Text::WindowOpenUntil,
    Text::Templates,
    Text::ChooseTemplate,
    Text::NoTemplates,
    Text::TemplateParam,
    Text::FreeTextDisabled,
    Text::Forbidden,
    Text::NotConnectedUser,
    Text::ConnectAccount,
    Text::InvalidSetting,
    Text::SentBy,
    Text::CreatedBy,
    Text::SignInNeeded,
    Text::SignIn,
    Text::SigningIn,
    Text::SignInInTab,
    Text::SignInFailed,
    #[cfg(feature = "settings")]
    Text::SettingsTitle,
    Text::SettingsLink,
    #[cfg(feature = "settings")]
    Text::AdminsOnly,
    #[cfg(feature = "settings")]
    Text::WorkspaceSection,
    #[cfg(feature = "settings")]
    Text::WorkspaceName,
    #[cfg(feature = "settings")]
    Text::TimeZone,
    #[cfg(feature = "settings")]
    Text::WhatsAppSection,
    #[cfg(feature = "settings")]
    Text::NoConnections,
    #[cfg(feature = "settings")]
    Text::ProviderCloud,
    #[cfg(feature = "settings")]
    Text::ProviderTimelines,
    #[cfg(feature = "settings")]
    Text::ProviderSandbox,
    #[cfg(feature = "settings")]
    Text::Numbers,
    #[cfg(feature = "settings")]
    Text::WebhookUrl,
    #[cfg(feature = "settings")]
    Text::TokenEnding,
    #[cfg(feature = "settings")]
    Text::ConnectedBy,
    #[cfg(feature = "settings")]
    Text::FromOperator,
    #[cfg(feature = "settings")]
    Text::WhoMaySend,
    #[cfg(feature = "settings")]
    Text::Everyone,
    #[cfg(feature = "settings")]
    Text::OnlyThese,
    #[cfg(feature = "settings")]
    Text::Disconnect,
    #[cfg(feature = "settings")]
    Text::ConfirmDisconnect,
    #[cfg(feature = "settings")]
    Text::ConnectSection,
    #[cfg(feature = "settings")]
    Text::ProviderLabel,
    #[cfg(feature = "settings")]
    Text::AccessToken,
    #[cfg(feature = "settings")]
    Text::WabaId,
    #[cfg(feature = "settings")]
    Text::PhoneNumberIds,
    #[cfg(feature = "settings")]
    Text::ApiToken,
    #[cfg(feature = "settings")]
    Text::ConnectionLabel,
    #[cfg(feature = "settings")]
    Text::Connect,
    #[cfg(feature = "settings")]
    Text::Connecting,
    #[cfg(feature = "settings")]
    Text::AdminLogSection,
    #[cfg(feature = "settings")]
    Text::NoLogEntries,
    #[cfg(feature = "settings")]
    Text::LogConnect,
    #[cfg(feature = "settings")]
    Text::LogDisconnect,
    #[cfg(feature = "settings")]
    Text::LogRename,
    #[cfg(feature = "settings")]
    Text::LogRestrict,
    #[cfg(feature = "settings")]
    Text::LogErase,
    #[cfg(feature = "settings")]
    Text::LogSettings,
    #[cfg(feature = "settings")]
    Text::BackToPanel,
];

/// The `{slot}` names in a text, sorted.
fn slots(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> =
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
    found.sort_unstable();
    found
}

#[test]
fn every_language_fills_the_same_slots_as_english() {
    for lang in Lang::ALL {
        for key in KEYS {
            let text = lang.t(*key);
            assert!(!text.trim().is_empty(), "{lang:?} {key:?} is empty");
            assert_eq!(slots(text), slots(Lang::En.t(*key)), "{lang:?} {key:?}: {text}");
        }
    }
}

#[test]
fn translations_are_not_english_copies() {
    for lang in [Lang::Fr, Lang::Hi, Lang::Ja, Lang::Pt] {
        let same = KEYS.iter().filter(|key| lang.t(**key) == Lang::En.t(**key)).count();
        // A few words are the same in several languages (WhatsApp, Sandbox); most must not be.
        assert!(same <= 3, "{lang:?} leaves {same} texts in English");
    }
}

#[test]
fn the_host_locale_wins_then_the_browser_then_english() {
    let browser = vec!["de-DE".to_owned(), "ja".to_owned(), "fr".to_owned()];
    assert_eq!(Lang::pick(Some("pt_BR"), &browser), Lang::Pt);
    assert_eq!(Lang::pick(Some("de_DE"), &browser), Lang::Ja);
    assert_eq!(Lang::pick(None, &browser), Lang::Ja);
    assert_eq!(Lang::pick(None, &["hi-IN".to_owned()]), Lang::Hi);
    assert_eq!(Lang::pick(None, &["zh-CN".to_owned()]), Lang::En);
    assert_eq!(Lang::pick(Some(""), &[]), Lang::En);
}

#[test]
fn slots_are_filled_by_name() {
    assert_eq!(fill("{count} / {max}", &[("count", "12"), ("max", "4096")]), "12 / 4096");
    assert_eq!(fill("no slots", &[("x", "y")]), "no slots");
}
