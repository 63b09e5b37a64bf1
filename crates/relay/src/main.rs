//! `sidechat-relay`: the command line around the relay library.

use clap::{Parser, Subcommand};

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
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    sidechat_relay::telemetry::init();
    let Cli { command: Command::Serve { demo } } = Cli::parse();
    let config = match sidechat_relay::config::Config::from_env(demo) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("sidechat-relay: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    match sidechat_relay::serve(config, sidechat_relay::shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("sidechat-relay: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
