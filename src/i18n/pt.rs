//! Portuguese (Brazil).

use super::Text;

/// The Portuguese text for `key`.
pub fn text(key: Text) -> &'static str {
    match key {
        Text::PanelLabel => "WhatsApp",
        Text::Loading => "Carregando…",
        Text::RelayDown => "Não foi possível acessar o servidor do Sidechat. Tente novamente em instantes.",
        Text::SessionExpired => "Sua sessão expirou. Reabra o registro para continuar.",
        Text::NotInstalled => {
            "O Sidechat não está instalado na sua empresa. Peça ao administrador do seu CRM para instalá-lo."
        }
        Text::RelayUnexpected => {
            "O servidor do Sidechat deu uma resposta inesperada ({status}). Tente novamente em instantes."
        }
        Text::HostFailed => "O CRM não forneceu ao painel o que é necessário. Recarregue a página.",
        Text::Retry => "Tentar novamente",
        Text::To => "Para",
        Text::NoPhones => "Este registro não tem número de telefone.",
        Text::CountryCode => "Código do país",
        Text::ChooseCountry => "Escolha o país",
        Text::SendsTo => "Envio para {number}",
        Text::InvalidNumber => "Este não é um número de telefone válido para o WhatsApp.",
        Text::NeedsCountry => "Este número não tem código do país: escolha o país.",
        Text::From => "De",
        Text::NoSenders => "Ainda não há nenhum número de WhatsApp conectado ao Sidechat.",
        Text::Sandbox => "Sandbox",
        Text::SandboxHint => "As mensagens vão para um WhatsApp simulado, não para clientes reais.",
        Text::ChatLink => "Abrir a conversa no WhatsApp",
        Text::Messages => "Mensagens recentes",
        Text::EmptyHistory => "Ainda não há mensagens com este número. Sua primeira mensagem inicia a conversa.",
        Text::Outgoing => "Enviada por você",
        Text::Incoming => "Do cliente",
        Text::StatusQueued => "Aguardando envio",
        Text::StatusSent => "Enviada",
        Text::StatusDelivered => "Entregue",
        Text::StatusRead => "Lida",
        Text::StatusFailed => "Não enviada",
        Text::Attachments => "Anexos",
        Text::NoFiles => "Nenhum arquivo neste registro.",
        Text::AddFile => "Adicionar um arquivo do computador",
        Text::Uploading => "Enviando {name}",
        Text::Remove => "Remover",
        Text::FileTooLarge => "{name} tem {size}: o limite do WhatsApp para {kind} é {limit}.",
        Text::FileUnsupported => "O WhatsApp não pode enviar {name}: este tipo de arquivo não é aceito.",
        Text::FileEmpty => "{name} está vazio.",
        Text::KindImage => "imagem",
        Text::KindAudio => "arquivo de áudio",
        Text::KindVideo => "vídeo",
        Text::KindDocument => "documento",
        Text::KindSticker => "figurinha",
        Text::Message => "Mensagem",
        Text::Placeholder => "Escreva uma mensagem",
        Text::CharCount => "{count} / {max}",
        Text::Send => "Enviar",
        Text::Sending => "Enviando…",
        Text::SendHint => "Ctrl+Enter envia",
        Text::EmptyMessage => "Escreva uma mensagem ou escolha um arquivo.",
        Text::TooLong => "Uma mensagem pode ter no máximo {max} caracteres.",
        Text::NoticeQueued => "Mensagem do WhatsApp enviada para {number}.",
        Text::NoticeFailed => "Mensagem do WhatsApp não enviada: {reason}",
        Text::CannedTexts => "Textos predefinidos",
        Text::CannedSearch => "Pesquisar por nome",
        Text::AllModules => "Todos os módulos",
        Text::ModuleFilter => "Módulo",
        Text::NoCanned => "Nenhum texto predefinido encontrado.",
        Text::Manage => "Gerenciar",
        Text::NewCanned => "Novo texto predefinido",
        Text::Name => "Nome",
        Text::Module => "Módulo",
        Text::Body => "Texto",
        Text::BodyHint => "Os campos de mesclagem têm o formato $[Persons.First Name] ou $[Persons.First Name|there].",
        Text::Save => "Salvar",
        Text::Cancel => "Cancelar",
        Text::Edit => "Editar",
        Text::Delete => "Excluir",
        Text::Close => "Fechar",
        Text::ModuleLocked => {
            "O módulo não pode ser alterado depois que o texto predefinido é criado: os campos de mesclagem deixariam de funcionar."
        }
        Text::MissingFields => "Este registro não tem valor para {fields}. Preencha antes de enviar.",
        Text::Required => "Obrigatório.",
        Text::MergeUnclosed => "O campo de mesclagem no caractere {at} não está fechado: adicione “]”.",
        Text::MergeEmpty => "O campo de mesclagem no caractere {at} está vazio: escreva $[Módulo.Rótulo do campo].",
        Text::MergeNoModule => {
            "O campo de mesclagem no caractere {at} não indica o módulo: escreva $[Módulo.Rótulo do campo]."
        }
        Text::MergeNoField => "O campo de mesclagem no caractere {at} não indica um campo depois do módulo.",
        Text::MergeWrongModule => {
            "O campo de mesclagem no caractere {at} pertence a {found}, mas este texto predefinido é para {expected}."
        }
        Text::UnknownModule => "“{module}” não é um módulo.",
        Text::NameTooLong => "O nome tem mais de {max} caracteres.",
        Text::WindowClosed => {
            "A janela de 24 horas fechou em {time}. Até o cliente escrever de novo, só é possível enviar modelos aprovados."
        }
        Text::WindowNever => "Este cliente ainda não escreveu: inicie a conversa com um modelo aprovado.",
        Text::WindowOpenUntil => "Respostas livres até {time}",
        Text::Templates => "Modelos",
        Text::ChooseTemplate => "Escolha um modelo",
        Text::NoTemplates => "Nenhum modelo aprovado disponível.",
        Text::TemplateParam => "Valor {n}",
        Text::FreeTextDisabled => "Não é permitido enviar texto livre enquanto a janela estiver fechada.",
        Text::Forbidden => "Você não tem permissão para fazer isso. Peça ao dono ou a um administrador.",
        Text::NotConnectedUser => {
            "O Sidechat lê os registros com a sua própria conta do {crm}, que ainda não está conectada."
        }
        Text::ConnectAccount => "Conectar sua conta do {crm}",
        Text::InvalidSetting => "Esta configuração não aceita esse valor.",
        Text::SentBy => "Enviada por {name}",
        Text::CreatedBy => "Criado por {name}",
        Text::SignInNeeded => {
            "Entre com sua conta do {crm} para usar o Sidechat: assim ele sabe quem você é e o que pode fazer."
        }
        Text::SignIn => "Entrar com o {crm}",
        Text::SigningIn => "Aguardando você entrar na janela que se abriu…",
        Text::SignInInTab => "A janela não abriu: entre em uma nova aba",
        Text::SignInFailed => "Não foi possível entrar. Tente de novo.",
        #[cfg(feature = "settings")]
        Text::SettingsTitle => "Configurações do Sidechat",
        Text::SettingsLink => "Configurações",
        #[cfg(feature = "settings")]
        Text::AdminsOnly => "Só um administrador da sua conta do {crm} pode mudar as configurações do Sidechat.",
        #[cfg(feature = "settings")]
        Text::WorkspaceSection => "Espaço de trabalho",
        #[cfg(feature = "settings")]
        Text::WorkspaceName => "Nome",
        #[cfg(feature = "settings")]
        Text::TimeZone => "Fuso horário (IANA, como America/Sao_Paulo)",
        #[cfg(feature = "settings")]
        Text::WhatsAppSection => "Conexões do WhatsApp",
        #[cfg(feature = "settings")]
        Text::NoConnections => "Ainda não há conexão do WhatsApp: conecte uma abaixo.",
        #[cfg(feature = "settings")]
        Text::ProviderCloud => "API do WhatsApp Cloud",
        #[cfg(feature = "settings")]
        Text::ProviderTimelines => "TimelinesAI",
        #[cfg(feature = "settings")]
        Text::ProviderSandbox => "Sandbox (demonstração)",
        #[cfg(feature = "settings")]
        Text::Numbers => "Números",
        #[cfg(feature = "settings")]
        Text::WebhookUrl => "URL do webhook (informe ao provedor)",
        #[cfg(feature = "settings")]
        Text::TokenEnding => "Token terminado em {hint}",
        #[cfg(feature = "settings")]
        Text::ConnectedBy => "Conectada por {name}",
        #[cfg(feature = "settings")]
        Text::FromOperator => "Configurada pelo operador do relay",
        #[cfg(feature = "settings")]
        Text::WhoMaySend => "Quem pode enviar por estes números",
        #[cfg(feature = "settings")]
        Text::Everyone => "Todos",
        #[cfg(feature = "settings")]
        Text::OnlyThese => "Só estas pessoas",
        #[cfg(feature = "settings")]
        Text::Disconnect => "Desconectar",
        #[cfg(feature = "settings")]
        Text::ConfirmDisconnect => "Desconectar {label}? Os números dela não enviarão mais; o histórico fica.",
        #[cfg(feature = "settings")]
        Text::ConnectSection => "Conectar o WhatsApp",
        #[cfg(feature = "settings")]
        Text::ProviderLabel => "Provedor",
        #[cfg(feature = "settings")]
        Text::AccessToken => "Token de acesso",
        #[cfg(feature = "settings")]
        Text::WabaId => "ID da conta do WhatsApp Business",
        #[cfg(feature = "settings")]
        Text::PhoneNumberIds => "IDs dos números de telefone (separados por vírgula)",
        #[cfg(feature = "settings")]
        Text::ApiToken => "Token da API da TimelinesAI",
        #[cfg(feature = "settings")]
        Text::ConnectionLabel => "Rótulo (opcional)",
        #[cfg(feature = "settings")]
        Text::Connect => "Conectar",
        #[cfg(feature = "settings")]
        Text::Connecting => "Verificando com o provedor…",
        #[cfg(feature = "settings")]
        Text::AdminLogSection => "O que os administradores fizeram",
        #[cfg(feature = "settings")]
        Text::NoLogEntries => "Nada ainda.",
        #[cfg(feature = "settings")]
        Text::LogConnect => "conectou o WhatsApp",
        #[cfg(feature = "settings")]
        Text::LogDisconnect => "desconectou o WhatsApp",
        #[cfg(feature = "settings")]
        Text::LogRename => "renomeou uma conexão",
        #[cfg(feature = "settings")]
        Text::LogRestrict => "mudou quem pode enviar",
        #[cfg(feature = "settings")]
        Text::LogErase => "apagou uma conversa",
        #[cfg(feature = "settings")]
        Text::LogSettings => "mudou as configurações do espaço",
        #[cfg(feature = "settings")]
        Text::BackToPanel => "Voltar à conversa",
    }
}
