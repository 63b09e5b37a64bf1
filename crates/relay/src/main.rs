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
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    sidechat_relay::telemetry::init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => match ConfigError::from_clap(&error) {
            Some(setting) => return refuse(&setting),
            None => error.exit(),
        },
    };
    let Command::Serve { demo, settings } = cli.command;
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

/// A setting stops the start: one line naming it.
fn refuse(error: &ConfigError) -> std::process::ExitCode {
    eprintln!("sidechat-relay: {error}");
    std::process::ExitCode::from(2)
}
