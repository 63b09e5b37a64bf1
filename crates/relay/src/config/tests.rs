use secrecy::ExposeSecret;

use super::*;

/// A widget directory with an index page, removed on drop.
struct WidgetDir(PathBuf);

impl WidgetDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("sidechat-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        Self(dir)
    }
}

impl Drop for WidgetDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let widget = WidgetDir::new();
    let widget_dir = widget.0.to_str().unwrap().to_owned();
    Config::from_lookup(false, |name| {
        if name == "SIDECHAT_WIDGET_DIR" {
            return Some(widget_dir.clone());
        }
        if name == "SIDECHAT_SECRET_KEY" && !pairs.iter().any(|(k, _)| *k == name) {
            return Some(KEY.to_owned());
        }
        // A Zoho client comes with its secret unless the case says otherwise.
        let zoho_client = pairs.iter().any(|(k, _)| *k == "ZOHO_CLIENT_ID");
        if name == "ZOHO_CLIENT_SECRET" && zoho_client && !pairs.iter().any(|(k, _)| *k == name) {
            return Some(ZOHO_SECRET.to_owned());
        }
        pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    })
}

const ZOHO: (&str, &str) = ("ZOHO_CLIENT_ID", "1000.TESTCLIENTID");
/// The Zoho client's secret [`read`] adds to a case that names the client.
const ZOHO_SECRET: &str = "zoho-client-secret-value";
const KEY: &str = "5f3c0a9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19";

#[test]
fn each_bad_setting_is_named() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("SIDECHAT_LISTEN", "localhost"), ("SIDECHAT_PROVIDER", "sandbox"), ZOHO], "SIDECHAT_LISTEN"),
        (&[ZOHO], "SIDECHAT_PROVIDER"),
        (&[("SIDECHAT_PROVIDER", "carrier-pigeon"), ZOHO], "SIDECHAT_PROVIDER"),
        (&[("SIDECHAT_PROVIDER", "sandbox")], "PIPEDRIVE_CLIENT_ID"),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_SECRET_KEY", "abc"), ZOHO], "SIDECHAT_SECRET_KEY"),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_SECRET_KEY", ""), ZOHO], "SIDECHAT_SECRET_KEY"),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_SIGNUP", "invite"), ZOHO], "SIDECHAT_SIGNUP"),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("ZOHO_ORG_IDS", "123,org"), ZOHO], "ZOHO_ORG_IDS"),
        (
            &[("SIDECHAT_PROVIDER", "sandbox"), ("ZOHO_ACCOUNTS_HOSTS", "https://accounts.example.com"), ZOHO],
            "ZOHO_ACCOUNTS_HOSTS",
        ),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("ZOHO_CLIENT_SECRET", "s")], "ZOHO_CLIENT_ID"),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_DATABASE_URL", "mysql://x"), ZOHO], "SIDECHAT_DATABASE_URL"),
        (
            &[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_PUBLIC_URL", "relay.example.com"), ZOHO],
            "SIDECHAT_PUBLIC_URL",
        ),
        (
            &[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_CORS_ORIGINS", "https://a.com/path"), ZOHO],
            "SIDECHAT_CORS_ORIGINS",
        ),
        (&[("SIDECHAT_PROVIDER", "sandbox"), ("PIPEDRIVE_CLIENT_ID", "abc")], "PIPEDRIVE_CLIENT_SECRET"),
        (
            &[
                ("SIDECHAT_PROVIDER", "sandbox"),
                ("PIPEDRIVE_CLIENT_ID", "a"),
                ("PIPEDRIVE_CLIENT_SECRET", "b"),
                ("PIPEDRIVE_COMPANY_IDS", "1,x"),
            ],
            "PIPEDRIVE_COMPANY_IDS",
        ),
        (&[("SIDECHAT_PROVIDER", "cloud"), ZOHO], "WHATSAPP_TOKEN"),
        (
            &[("SIDECHAT_PROVIDER", "cloud"), ("WHATSAPP_TOKEN", "t"), ("WHATSAPP_SENDERS", "123=4930901820"), ZOHO],
            "WHATSAPP_SENDERS",
        ),
        (
            &[
                ("SIDECHAT_PROVIDER", "timelines"),
                ("TIMELINES_API_TOKEN", "t"),
                ("TIMELINES_WEBHOOK_SECRET", "short"),
                ZOHO,
            ],
            "TIMELINES_WEBHOOK_SECRET",
        ),
    ];
    for (pairs, name) in cases {
        let error = read(pairs).expect_err(&format!("{pairs:?} should be refused"));
        assert_eq!(error.name, *name, "{pairs:?}: {error}");
        assert!(error.to_string().starts_with(&format!("{name}: ")));
    }
}

#[test]
fn cloud_senders_and_defaults() {
    let config = read(&[
        ("SIDECHAT_PROVIDER", "cloud"),
        ("WHATSAPP_TOKEN", "token"),
        ("WHATSAPP_SENDERS", "1001=+4930901820:Berlin desk, 1002=+819012345678"),
        ("WHATSAPP_WABA_ID", "555"),
        ("WHATSAPP_APP_SECRET", "secret"),
        ("WHATSAPP_VERIFY_TOKEN", "verify"),
        ("PIPEDRIVE_CLIENT_ID", "client"),
        ("PIPEDRIVE_CLIENT_SECRET", "client-secret"),
    ])
    .unwrap();
    let Some(ProviderConfig::Cloud(cloud)) = &config.provider else { panic!("expected the Cloud API") };
    assert_eq!(cloud.graph_url, DEFAULT_GRAPH_URL);
    assert_eq!(
        cloud.senders,
        [
            SenderConfig { id: "1001".into(), phone: E164::parse("+4930901820").unwrap(), label: "Berlin desk".into() },
            SenderConfig {
                id: "1002".into(),
                phone: E164::parse("+819012345678").unwrap(),
                label: "+819012345678".into()
            },
        ]
    );
    let pipedrive = config.pipedrive.unwrap();
    assert_eq!(pipedrive.jwt_secret.expose_secret(), "client-secret", "the JWT secret defaults to the client secret");
    assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 8787)));
    assert_eq!(config.public_url, "http://127.0.0.1:8787");
    assert_eq!(config.frame_ancestors, ["https://*.pipedrive.com"]);
    assert!(config.cors_origins.contains(&"https://*.zappsusercontent.com".to_owned()));
}

#[test]
fn demo_mode_needs_no_settings() {
    let widget = WidgetDir::new();
    let dir = widget.0.to_str().unwrap().to_owned();
    let config = Config::from_lookup(true, |name| match name {
        "SIDECHAT_WIDGET_DIR" => Some(dir.clone()),
        "SIDECHAT_SECRET_KEY" => Some(KEY.to_owned()),
        _ => None,
    })
    .unwrap();
    assert!(matches!(config.provider, Some(ProviderConfig::Sandbox)));
    assert!(config.pipedrive.is_some() && config.zoho.is_some());
}

#[test]
fn a_bad_value_says_what_was_expected() {
    let error = read(&[("SIDECHAT_PROVIDER", "carrier-pigeon"), ZOHO]).unwrap_err();
    assert_eq!(error.to_string(), "SIDECHAT_PROVIDER: `carrier-pigeon` is not one of sandbox, cloud, timelines");
    let error = read(&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_SEND_RATE_LIMIT", "lots"), ZOHO]).unwrap_err();
    assert_eq!(error.to_string(), "SIDECHAT_SEND_RATE_LIMIT: `lots` is not a number of messages per second");
    let error = read(&[("SIDECHAT_PROVIDER", "sandbox"), ("SIDECHAT_PUBLIC_URL", ""), ZOHO]).unwrap_err();
    assert_eq!(error.name, "SIDECHAT_PUBLIC_URL", "a variable set to nothing is refused, not taken as unset");
}

#[test]
fn secrets_never_show_in_debug_output() {
    let secrets =
        ["graph-token-value", "graph-app-secret-value", "graph-verify-value", "pipedrive-client-secret-value"];
    let config = read(&[
        ("SIDECHAT_PROVIDER", "cloud"),
        ("WHATSAPP_TOKEN", secrets[0]),
        ("WHATSAPP_SENDERS", "1001=+4930901820"),
        ("WHATSAPP_WABA_ID", "555"),
        ("WHATSAPP_APP_SECRET", secrets[1]),
        ("WHATSAPP_VERIFY_TOKEN", secrets[2]),
        ("PIPEDRIVE_CLIENT_ID", "client"),
        ("PIPEDRIVE_CLIENT_SECRET", secrets[3]),
        ZOHO,
    ])
    .unwrap();
    let printed = format!("{config:?}");
    for secret in secrets.iter().chain([&ZOHO_SECRET]) {
        assert!(!printed.contains(secret), "{secret} is printed: {printed}");
    }
    assert!(printed.contains("REDACTED"));
}

#[test]
fn every_setting_is_in_the_readme() {
    let readme = include_str!("../../../../README.md");
    for arg in Lookup::command().get_arguments() {
        let Some(variable) = arg.get_env().and_then(|v| v.to_str()) else { continue };
        assert!(readme.contains(&format!("`{variable}`")), "the README's settings table lacks `{variable}`");
        assert!(arg.get_help().is_some(), "{variable} has no help");
    }
}

#[test]
fn the_secret_key_is_required() {
    let widget = WidgetDir::new();
    let dir = widget.0.to_str().unwrap().to_owned();
    let error = Config::from_lookup(true, |name| (name == "SIDECHAT_WIDGET_DIR").then(|| dir.clone())).unwrap_err();
    assert_eq!(error.name, "SIDECHAT_SECRET_KEY", "even in demo mode: {error}");
}

#[test]
fn an_open_relay_uses_no_whatsapp_settings_and_a_closed_one_lists_who_may_use_it() {
    let open = read(&[("SIDECHAT_SIGNUP", "open"), ZOHO]).unwrap();
    assert!(open.provider.is_none(), "the operator's WhatsApp settings are not used on an open relay");
    assert_eq!(open.signup, Signup::Open);
    let closed = read(&[
        ("SIDECHAT_PROVIDER", "sandbox"),
        ("PIPEDRIVE_CLIENT_ID", "client"),
        ("PIPEDRIVE_CLIENT_SECRET", "secret"),
        ("PIPEDRIVE_COMPANY_IDS", "7, 8"),
        ("ZOHO_ORG_IDS", "60001,60002"),
        ZOHO,
    ])
    .unwrap();
    assert_eq!(closed.signup, Signup::Closed, "closed by default");
    assert_eq!(closed.pipedrive.unwrap().company_ids, [7, 8]);
    assert_eq!(closed.zoho_org_ids, ["60001", "60002"]);
}

#[test]
fn zoho_accounts_servers_come_with_their_api_domains() {
    let config = read(&[("SIDECHAT_PROVIDER", "sandbox"), ZOHO]).unwrap();
    let zoho = config.zoho.unwrap();
    assert_eq!(zoho.accounts.len(), 9, "Zoho's nine data centres by default");
    assert_eq!(zoho.api_domain_of("https://accounts.zoho.eu"), Some("https://www.zohoapis.eu"));
    assert_eq!(zoho.api_domain_of("https://accounts.zohocloud.ca/"), Some("https://www.zohoapis.ca"));
    assert_eq!(zoho.api_domain_of("https://accounts.evil.example"), None);
    let listed = read(&[
        ("SIDECHAT_PROVIDER", "sandbox"),
        ("ZOHO_ACCOUNTS_HOSTS", "http://127.0.0.1:9001=http://127.0.0.1:9001, https://accounts.zoho.in"),
        ZOHO,
    ])
    .unwrap();
    let zoho = listed.zoho.unwrap();
    assert_eq!(zoho.api_domain_of("http://127.0.0.1:9001"), Some("http://127.0.0.1:9001"));
    assert_eq!(zoho.api_domain_of("https://accounts.zoho.in"), Some("https://www.zohoapis.in"));
    assert_eq!(zoho.api_domain_of("https://accounts.zoho.com"), None, "only the listed ones");
}
