//! French.

use super::Text;

/// The French text for `key`.
pub fn text(key: Text) -> &'static str {
    match key {
        Text::PanelLabel => "WhatsApp",
        Text::Loading => "Chargement…",
        Text::RelayDown => "Le serveur de Sidechat est injoignable. Réessayez dans un instant.",
        Text::SessionExpired => "Votre session a expiré. Rouvrez la fiche pour continuer.",
        Text::NotInstalled => {
            "Sidechat n’est pas installé pour votre entreprise. Demandez à l’administrateur de votre CRM de l’installer."
        }
        Text::RelayUnexpected => {
            "Le serveur de Sidechat a répondu de façon inattendue ({status}). Réessayez dans un instant."
        }
        Text::HostFailed => "Le CRM n’a pas fourni au panneau ce dont il a besoin. Rechargez la page.",
        Text::Retry => "Réessayer",
        Text::To => "À",
        Text::NoPhones => "Cette fiche n’a aucun numéro de téléphone.",
        Text::CountryCode => "Indicatif pays",
        Text::ChooseCountry => "Choisir le pays",
        Text::SendsTo => "Envoi au {number}",
        Text::InvalidNumber => "Ce numéro de téléphone n’est pas joignable par WhatsApp.",
        Text::NeedsCountry => "Ce numéro n’a pas d’indicatif pays : choisissez le pays.",
        Text::From => "De",
        Text::NoSenders => "Aucun numéro WhatsApp n’est encore connecté à Sidechat.",
        Text::Sandbox => "Bac à sable",
        Text::SandboxHint => "Les messages partent vers un WhatsApp simulé, pas vers de vrais clients.",
        Text::ChatLink => "Ouvrir la conversation dans WhatsApp",
        Text::Messages => "Messages récents",
        Text::EmptyHistory => {
            "Aucun message avec ce numéro pour l’instant. Votre premier message lancera la conversation."
        }
        Text::Outgoing => "Envoyé par vous",
        Text::Incoming => "Du client",
        Text::StatusQueued => "En attente d’envoi",
        Text::StatusSent => "Envoyé",
        Text::StatusDelivered => "Distribué",
        Text::StatusRead => "Lu",
        Text::StatusFailed => "Non envoyé",
        Text::Attachments => "Pièces jointes",
        Text::NoFiles => "Aucun fichier sur cette fiche.",
        Text::AddFile => "Ajouter un fichier depuis votre ordinateur",
        Text::Uploading => "Importation de {name}",
        Text::Remove => "Retirer",
        Text::FileTooLarge => "{name} fait {size} : WhatsApp accepte {kind} de {limit} maximum.",
        Text::FileUnsupported => "WhatsApp ne peut pas envoyer {name} : ce type de fichier n’est pas accepté.",
        Text::FileEmpty => "{name} est vide.",
        Text::KindImage => "une image",
        Text::KindAudio => "un fichier audio",
        Text::KindVideo => "une vidéo",
        Text::KindDocument => "un document",
        Text::KindSticker => "un sticker",
        Text::Message => "Votre message",
        Text::Placeholder => "Rédigez un message",
        Text::CharCount => "{count} / {max}",
        Text::Send => "Envoyer",
        Text::Sending => "Envoi…",
        Text::SendHint => "Ctrl+Entrée pour envoyer",
        Text::EmptyMessage => "Rédigez un message ou choisissez un fichier.",
        Text::TooLong => "Un message ne peut pas dépasser {max} caractères.",
        Text::NoticeQueued => "Message WhatsApp envoyé au {number}.",
        Text::NoticeFailed => "Message WhatsApp non envoyé : {reason}",
        Text::CannedTexts => "Textes prédéfinis",
        Text::CannedSearch => "Rechercher par nom",
        Text::AllModules => "Tous les modules",
        Text::ModuleFilter => "Filtrer par module",
        Text::NoCanned => "Aucun texte prédéfini ne correspond.",
        Text::Manage => "Gérer",
        Text::NewCanned => "Nouveau texte prédéfini",
        Text::Name => "Nom",
        Text::Module => "Module",
        Text::Body => "Texte",
        Text::BodyHint => "Les champs de fusion s’écrivent $[Persons.First Name] ou $[Persons.First Name|there].",
        Text::Save => "Enregistrer",
        Text::Cancel => "Annuler",
        Text::Edit => "Modifier",
        Text::Delete => "Supprimer",
        Text::Close => "Fermer",
        Text::ModuleLocked => {
            "Le module ne peut plus changer une fois le texte prédéfini créé : ses champs de fusion ne fonctionneraient plus."
        }
        Text::MissingFields => "Cette fiche n’a pas de valeur pour {fields}. Complétez-la avant l’envoi.",
        Text::Required => "Obligatoire.",
        Text::MergeUnclosed => "Le champ de fusion au caractère {at} n’est pas fermé : ajoutez « ] ».",
        Text::MergeEmpty => "Le champ de fusion au caractère {at} est vide : écrivez $[Module.Libellé du champ].",
        Text::MergeNoModule => {
            "Le champ de fusion au caractère {at} ne nomme aucun module : écrivez $[Module.Libellé du champ]."
        }
        Text::MergeNoField => "Le champ de fusion au caractère {at} ne nomme aucun champ après le module.",
        Text::MergeWrongModule => {
            "Le champ de fusion au caractère {at} appartient à {found}, mais ce texte prédéfini est pour {expected}."
        }
        Text::UnknownModule => "« {module} » n’est pas un module.",
        Text::NameTooLong => "Le nom dépasse {max} caractères.",
        Text::WindowClosed => {
            "La fenêtre de 24 heures s’est fermée le {time}. Tant que le client n’a pas réécrit, seuls des modèles approuvés peuvent être envoyés."
        }
        Text::WindowNever => "Ce client n’a pas encore écrit : démarrez la conversation avec un modèle approuvé.",
        Text::WindowOpenUntil => "Réponses libres jusqu’au {time}",
        Text::Templates => "Modèles",
        Text::ChooseTemplate => "Choisir un modèle",
        Text::NoTemplates => "Aucun modèle approuvé n’est disponible.",
        Text::TemplateParam => "Valeur {n}",
        Text::FreeTextDisabled => "Le texte libre n’est pas autorisé tant que la fenêtre est fermée.",
        Text::Forbidden => {
            "Vous n’avez pas le droit de faire cela. Demandez-le à son propriétaire ou à un administrateur."
        }
        Text::NotConnectedUser => {
            "Sidechat lit les fiches avec votre propre compte {crm}, qui n’est pas encore connecté."
        }
        Text::ConnectAccount => "Connecter votre compte {crm}",
        Text::InvalidSetting => "Ce réglage ne peut pas prendre cette valeur.",
        Text::SentBy => "Envoyé par {name}",
        Text::CreatedBy => "Créé par {name}",
        Text::SignInNeeded => {
            "Connectez-vous avec votre compte {crm} pour utiliser Sidechat : il saura alors qui vous êtes et ce que vous pouvez faire."
        }
        Text::SignIn => "Se connecter avec {crm}",
        Text::SigningIn => "En attente de votre connexion dans la fenêtre ouverte…",
        Text::SignInInTab => "La fenêtre ne s’est pas ouverte : connectez-vous dans un nouvel onglet",
        Text::SignInFailed => "La connexion n’a pas abouti. Réessayez.",
        #[cfg(feature = "settings")]
        Text::SettingsTitle => "Réglages de Sidechat",
        Text::SettingsLink => "Réglages",
        #[cfg(feature = "settings")]
        Text::AdminsOnly => "Seul un administrateur de votre compte {crm} peut modifier les réglages de Sidechat.",
        #[cfg(feature = "settings")]
        Text::WorkspaceSection => "Espace de travail",
        #[cfg(feature = "settings")]
        Text::WorkspaceName => "Nom",
        #[cfg(feature = "settings")]
        Text::TimeZone => "Fuseau horaire (IANA, par exemple Europe/Paris)",
        #[cfg(feature = "settings")]
        Text::WhatsAppSection => "Connexions WhatsApp",
        #[cfg(feature = "settings")]
        Text::NoConnections => "Aucune connexion WhatsApp pour l’instant : connectez-en une ci-dessous.",
        #[cfg(feature = "settings")]
        Text::ProviderCloud => "API WhatsApp Cloud",
        #[cfg(feature = "settings")]
        Text::ProviderTimelines => "TimelinesAI",
        #[cfg(feature = "settings")]
        Text::ProviderSandbox => "Bac à sable (démo)",
        #[cfg(feature = "settings")]
        Text::Numbers => "Numéros",
        #[cfg(feature = "settings")]
        Text::WebhookUrl => "URL du webhook (à donner au fournisseur)",
        #[cfg(feature = "settings")]
        Text::TokenEnding => "Jeton se terminant par {hint}",
        #[cfg(feature = "settings")]
        Text::ConnectedBy => "Connectée par {name}",
        #[cfg(feature = "settings")]
        Text::FromOperator => "Configurée par l’opérateur du relais",
        #[cfg(feature = "settings")]
        Text::WhoMaySend => "Qui peut envoyer depuis ces numéros",
        #[cfg(feature = "settings")]
        Text::Everyone => "Tout le monde",
        #[cfg(feature = "settings")]
        Text::OnlyThese => "Seulement ces personnes",
        #[cfg(feature = "settings")]
        Text::Disconnect => "Déconnecter",
        #[cfg(feature = "settings")]
        Text::ConfirmDisconnect => "Déconnecter {label} ? Ses numéros n’enverront plus rien ; l’historique reste.",
        #[cfg(feature = "settings")]
        Text::ConnectSection => "Connecter WhatsApp",
        #[cfg(feature = "settings")]
        Text::ProviderLabel => "Fournisseur",
        #[cfg(feature = "settings")]
        Text::AccessToken => "Jeton d’accès",
        #[cfg(feature = "settings")]
        Text::WabaId => "ID du compte WhatsApp Business",
        #[cfg(feature = "settings")]
        Text::PhoneNumberIds => "ID des numéros de téléphone (séparés par des virgules)",
        #[cfg(feature = "settings")]
        Text::ApiToken => "Jeton d’API TimelinesAI",
        #[cfg(feature = "settings")]
        Text::ConnectionLabel => "Libellé (facultatif)",
        #[cfg(feature = "settings")]
        Text::Connect => "Connecter",
        #[cfg(feature = "settings")]
        Text::Connecting => "Vérification auprès du fournisseur…",
        #[cfg(feature = "settings")]
        Text::AdminLogSection => "Ce qu’ont fait les administrateurs",
        #[cfg(feature = "settings")]
        Text::NoLogEntries => "Rien pour l’instant.",
        #[cfg(feature = "settings")]
        Text::LogConnect => "a connecté WhatsApp",
        #[cfg(feature = "settings")]
        Text::LogDisconnect => "a déconnecté WhatsApp",
        #[cfg(feature = "settings")]
        Text::LogRename => "a renommé une connexion",
        #[cfg(feature = "settings")]
        Text::LogRestrict => "a changé qui peut envoyer",
        #[cfg(feature = "settings")]
        Text::LogErase => "a effacé une conversation",
        #[cfg(feature = "settings")]
        Text::LogSettings => "a modifié les réglages de l’espace",
        #[cfg(feature = "settings")]
        Text::BackToPanel => "Retour à la conversation",
    }
}
