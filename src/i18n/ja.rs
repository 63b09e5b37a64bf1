//! Japanese.

use super::Text;

/// The Japanese text for `key`.
pub fn text(key: Text) -> &'static str {
    match key {
        Text::PanelLabel => "WhatsApp",
        Text::Loading => "読み込み中…",
        Text::RelayDown => "Sidechat のサーバーに接続できません。しばらくしてから再度お試しください。",
        Text::SessionExpired => "セッションの有効期限が切れました。続行するにはレコードを開き直してください。",
        Text::NotInstalled => {
            "お使いの会社には Sidechat がインストールされていません。CRM の管理者にインストールを依頼してください。"
        }
        Text::RelayUnexpected => {
            "Sidechat のサーバーから予期しない応答がありました（{status}）。しばらくしてから再度お試しください。"
        }
        Text::HostFailed => "CRM からパネルに必要な情報が渡されませんでした。ページを再読み込みしてください。",
        Text::Retry => "再試行",
        Text::To => "宛先",
        Text::NoPhones => "このレコードには電話番号がありません。",
        Text::CountryCode => "国番号",
        Text::ChooseCountry => "国を選択",
        Text::SendsTo => "送信先：{number}",
        Text::InvalidNumber => "WhatsApp で連絡できる電話番号ではありません。",
        Text::NeedsCountry => "この番号には国番号がありません。国を選択してください。",
        Text::From => "送信元",
        Text::NoSenders => "Sidechat に接続された WhatsApp 番号はまだありません。",
        Text::Sandbox => "サンドボックス",
        Text::SandboxHint => "メッセージは実際の顧客ではなく、シミュレーション用の WhatsApp に送信されます。",
        Text::ChatLink => "WhatsApp でチャットを開く",
        Text::Messages => "最近のメッセージ",
        Text::EmptyHistory => "この番号とのメッセージはまだありません。最初のメッセージを送るとチャットが始まります。",
        Text::Outgoing => "自分が送信",
        Text::Incoming => "顧客から",
        Text::StatusQueued => "送信待ち",
        Text::StatusSent => "送信済み",
        Text::StatusDelivered => "配信済み",
        Text::StatusRead => "既読",
        Text::StatusFailed => "送信失敗",
        Text::Attachments => "添付ファイル",
        Text::NoFiles => "このレコードにはファイルがありません。",
        Text::AddFile => "パソコンからファイルを追加",
        Text::Uploading => "{name} をアップロード中",
        Text::Remove => "取り除く",
        Text::FileTooLarge => "{name} のサイズは {size} です。WhatsApp で送信できる{kind}は {limit} までです。",
        Text::FileUnsupported => "WhatsApp では {name} を送信できません。この種類のファイルには対応していません。",
        Text::FileEmpty => "{name} は空です。",
        Text::KindImage => "画像",
        Text::KindAudio => "音声ファイル",
        Text::KindVideo => "動画",
        Text::KindDocument => "ドキュメント",
        Text::KindSticker => "ステッカー",
        Text::Message => "メッセージ",
        Text::Placeholder => "メッセージを入力",
        Text::CharCount => "{count} / {max}",
        Text::Send => "送信",
        Text::Sending => "送信中…",
        Text::SendHint => "Ctrl+Enter で送信",
        Text::EmptyMessage => "メッセージを入力するか、ファイルを選択してください。",
        Text::TooLong => "メッセージは {max} 文字以内で入力してください。",
        Text::NoticeQueued => "{number} に WhatsApp メッセージを送信しました。",
        Text::NoticeFailed => "WhatsApp メッセージを送信できませんでした：{reason}",
        Text::CannedTexts => "定型文",
        Text::CannedSearch => "名前で検索",
        Text::AllModules => "すべてのモジュール",
        Text::ModuleFilter => "モジュール",
        Text::NoCanned => "一致する定型文はありません。",
        Text::Manage => "管理",
        Text::NewCanned => "新しい定型文",
        Text::Name => "名前",
        Text::Module => "モジュール",
        Text::Body => "本文",
        Text::BodyHint => {
            "差し込みフィールドは $[Persons.First Name] や $[Persons.First Name|there] のように記述します。"
        }
        Text::Save => "保存",
        Text::Cancel => "キャンセル",
        Text::Edit => "編集",
        Text::Delete => "削除",
        Text::Close => "閉じる",
        Text::ModuleLocked => {
            "定型文の作成後はモジュールを変更できません。変更すると差し込みフィールドが機能しなくなります。"
        }
        Text::MissingFields => "このレコードには {fields} の値がありません。送信する前に入力してください。",
        Text::Required => "必須項目です。",
        Text::MergeUnclosed => "{at} 文字目の差し込みフィールドが閉じていません。「]」を追加してください。",
        Text::MergeEmpty => "{at} 文字目の差し込みフィールドが空です。$[モジュール.項目名] と書いてください。",
        Text::MergeNoModule => {
            "{at} 文字目の差し込みフィールドにモジュールがありません。$[モジュール.項目名] と書いてください。"
        }
        Text::MergeNoField => "{at} 文字目の差し込みフィールドのモジュールの後に項目名がありません。",
        Text::MergeWrongModule => {
            "{at} 文字目の差し込みフィールドは {found} のものですが、この定型文は {expected} 用です。"
        }
        Text::UnknownModule => "「{module}」はモジュールではありません。",
        Text::NameTooLong => "名前が {max} 文字を超えています。",
        Text::WindowClosed => {
            "24時間ウィンドウは {time} に終了しました。顧客から再度メッセージが届くまでは、承認済みのテンプレートのみ送信できます。"
        }
        Text::WindowNever => {
            "この顧客からのメッセージはまだありません。承認済みのテンプレートでチャットを開始してください。"
        }
        Text::WindowOpenUntil => "{time} まで自由に返信できます",
        Text::Templates => "テンプレート",
        Text::ChooseTemplate => "テンプレートを選択",
        Text::NoTemplates => "利用できる承認済みテンプレートはありません。",
        Text::TemplateParam => "値 {n}",
        Text::FreeTextDisabled => "24時間ウィンドウが終了している間は、自由入力のメッセージを送信できません。",
        Text::Forbidden => "この操作は許可されていません。作成者または管理者に依頼してください。",
        Text::NotConnectedUser => {
            "Sidechat はご自身の {crm} アカウントでレコードを読み込みますが、まだ接続されていません。"
        }
        Text::ConnectAccount => "{crm} アカウントを接続する",
        Text::InvalidSetting => "この設定にその値は指定できません。",
        Text::SentBy => "送信者: {name}",
        Text::CreatedBy => "作成者: {name}",
        Text::SignInNeeded => {
            "Sidechat を使うには {crm} アカウントでサインインしてください。あなたが誰で何ができるかを Sidechat が確認します。"
        }
        Text::SignIn => "{crm} でサインイン",
        Text::SigningIn => "開いたウィンドウでのサインインを待っています…",
        Text::SignInInTab => "ウィンドウが開きませんでした。新しいタブでサインインしてください",
        Text::SignInFailed => "サインインできませんでした。もう一度お試しください。",
        #[cfg(feature = "settings")]
        Text::SettingsTitle => "Sidechat の設定",
        Text::SettingsLink => "設定",
        #[cfg(feature = "settings")]
        Text::AdminsOnly => "Sidechat の設定を変更できるのは {crm} アカウントの管理者だけです。",
        #[cfg(feature = "settings")]
        Text::WorkspaceSection => "ワークスペース",
        #[cfg(feature = "settings")]
        Text::WorkspaceName => "名前",
        #[cfg(feature = "settings")]
        Text::TimeZone => "タイムゾーン(IANA 形式。例: Asia/Tokyo)",
        #[cfg(feature = "settings")]
        Text::WhatsAppSection => "WhatsApp 接続",
        #[cfg(feature = "settings")]
        Text::NoConnections => "WhatsApp 接続はまだありません。下で接続してください。",
        #[cfg(feature = "settings")]
        Text::ProviderCloud => "WhatsApp Cloud API",
        #[cfg(feature = "settings")]
        Text::ProviderTimelines => "TimelinesAI",
        #[cfg(feature = "settings")]
        Text::ProviderSandbox => "サンドボックス(デモ)",
        #[cfg(feature = "settings")]
        Text::Numbers => "番号",
        #[cfg(feature = "settings")]
        Text::WebhookUrl => "Webhook URL(プロバイダーに設定してください)",
        #[cfg(feature = "settings")]
        Text::TokenEnding => "末尾が {hint} のトークン",
        #[cfg(feature = "settings")]
        Text::ConnectedBy => "{name} が接続",
        #[cfg(feature = "settings")]
        Text::FromOperator => "リレーの運用者が設定",
        #[cfg(feature = "settings")]
        Text::WhoMaySend => "これらの番号から送信できる人",
        #[cfg(feature = "settings")]
        Text::Everyone => "全員",
        #[cfg(feature = "settings")]
        Text::OnlyThese => "次の人のみ",
        #[cfg(feature = "settings")]
        Text::Disconnect => "接続を解除",
        #[cfg(feature = "settings")]
        Text::ConfirmDisconnect => "{label} の接続を解除しますか? その番号からは送信できなくなります。履歴は残ります。",
        #[cfg(feature = "settings")]
        Text::ConnectSection => "WhatsApp を接続",
        #[cfg(feature = "settings")]
        Text::ProviderLabel => "プロバイダー",
        #[cfg(feature = "settings")]
        Text::AccessToken => "アクセストークン",
        #[cfg(feature = "settings")]
        Text::WabaId => "WhatsApp Business アカウント ID",
        #[cfg(feature = "settings")]
        Text::PhoneNumberIds => "電話番号 ID(カンマ区切り)",
        #[cfg(feature = "settings")]
        Text::ApiToken => "TimelinesAI API トークン",
        #[cfg(feature = "settings")]
        Text::ConnectionLabel => "ラベル(任意)",
        #[cfg(feature = "settings")]
        Text::Connect => "接続",
        #[cfg(feature = "settings")]
        Text::Connecting => "プロバイダーに確認しています…",
        #[cfg(feature = "settings")]
        Text::AdminLogSection => "管理者の操作履歴",
        #[cfg(feature = "settings")]
        Text::NoLogEntries => "まだありません。",
        #[cfg(feature = "settings")]
        Text::LogConnect => "WhatsApp を接続",
        #[cfg(feature = "settings")]
        Text::LogDisconnect => "WhatsApp の接続を解除",
        #[cfg(feature = "settings")]
        Text::LogRename => "接続名を変更",
        #[cfg(feature = "settings")]
        Text::LogRestrict => "送信できる人を変更",
        #[cfg(feature = "settings")]
        Text::LogErase => "会話を消去",
        #[cfg(feature = "settings")]
        Text::LogSettings => "ワークスペースの設定を変更",
        #[cfg(feature = "settings")]
        Text::BackToPanel => "会話に戻る",
    }
}
