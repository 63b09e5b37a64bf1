//! `sidechat-relay`: the command line around the relay library.

use clap::{Parser, Subcommand};
use sidechat_relay::config::{Config, ConfigError, Settings};

/// Sidechat's relay: the thin server between the widget and WhatsApp.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serves the relay API and the built widget, configured by environment variables (see the README).
    Serve {
        /// Demo mode: the sandbox provider and the dev host pages, for trying Sidechat without any account.
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// The secrets kept in the database.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
    /// The workspaces: one per customer organization.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
}

#[derive(Subcommand)]
enum WorkspaceCommand {
    /// Lists every workspace: its id, name, CRM accounts and size.
    List {
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Deletes a workspace and everything in it (not the operator workspace).
    Delete {
        /// The workspace's id, as `workspace list` shows it.
        id: String,
        #[command(flatten)]
        settings: Box<Settings>,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Seals every secret in the database again with SIDECHAT_SECRET_KEY; those sealed with
    /// SIDECHAT_SECRET_KEY_PREVIOUS open during the run. Safe while relays serve.
    Rotate {
        #[command(flatten)]
        settings: Box<Settings>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match ConfigError::from_clap(&error) {
            Some(setting) => return refuse(&setting),
            None => error.exit(),
        },
    };
    let log_format = match &cli.command {
        Command::Serve { settings, .. }
        | Command::Secrets { command: SecretsCommand::Rotate { settings } }
        | Command::Workspace {
            command: WorkspaceCommand::List { settings } | WorkspaceCommand::Delete { settings, .. },
        } => settings.log_format,
    };
    sidechat_relay::telemetry::init(log_format);
    if std::env::var_os("ZOHO_INSTALL_KEY").is_some() {
        // Whoever could read the org variable could use it: Zoho users sign in now.
        let error = ConfigError {
            name: "ZOHO_INSTALL_KEY",
            problem: "is no longer used: Zoho users sign in (set ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET, see the \
                      README) and the org variable can be deleted; unset it"
                .to_owned(),
        };
        return refuse(&error);
    }
    let (demo, settings) = match cli.command {
        Command::Serve { demo, settings } => (demo, settings),
        Command::Secrets { command: SecretsCommand::Rotate { settings } } => return rotate(&settings).await,
        Command::Workspace { command: WorkspaceCommand::List { settings } } => {
            return run(&settings, |store| async move { sidechat_relay::operator::list_workspaces(&store).await })
                .await;
        }
        Command::Workspace { command: WorkspaceCommand::Delete { id, settings } } => {
            return run(
                &settings,
                |store| async move { sidechat_relay::operator::delete_workspace(&store, &id).await },
            )
            .await;
        }
    };
    let config = match Config::from_settings(*settings, demo) {
        Ok(config) => config,
        Err(error) => return refuse(&error),
    };
    match sidechat_relay::serve(config, sidechat_relay::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sidechat-relay: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `secrets rotate`: reports what it sealed again; fails if a value opened with neither key.
async fn rotate(settings: &Settings) -> std::process::ExitCode {
    let done = async {
        let (store, sealer) = sidechat_relay::operator::open(settings).await?;
        let rotation = sidechat_relay::operator::rotate_secrets(&store, &sealer).await;
        store.close().await;
        rotation
    };
    match done.await {
        Ok(rotation) if rotation.unopened == 0 => {
            println!("sealed {} secrets again with SIDECHAT_SECRET_KEY", rotation.resealed);
            std::process::ExitCode::SUCCESS
        }
        Ok(rotation) => {
            eprintln!(
                "sidechat-relay: sealed {} secrets again; {} opened with neither SIDECHAT_SECRET_KEY nor \
                 SIDECHAT_SECRET_KEY_PREVIOUS and were left as they are",
                rotation.resealed, rotation.unopened
            );
            std::process::ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("sidechat-relay: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// An operator command on the database: prints what it answers, or the error.
async fn run<F, Fut>(settings: &Settings, command: F) -> std::process::ExitCode
where
    F: FnOnce(sidechat_relay::store::Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    let done = async {
        let (store, _) = sidechat_relay::operator::open(settings).await?;
        let answer = command(store.clone()).await;
        store.close().await;
        answer
    };
    match done.await {
        Ok(answer) => {
            println!("{}", answer.trim_end());
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("sidechat-relay: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A setting stops the start: one line naming it.
fn refuse(error: &ConfigError) -> std::process::ExitCode {
    eprintln!("sidechat-relay: {error}");
    std::process::ExitCode::from(2)
}
