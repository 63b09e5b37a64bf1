//! `cargo xtask …`: the commands the README names. Each installs what it needs, then does one job.

mod bench;
mod build;
mod cmd;
mod demo;
mod gzip;
mod pack_zoho;
mod postgres;
mod s3;
mod test;
mod tools;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Sidechat's build, demo, test and bench commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Builds the widget (release, into dist/widget/) and the relay binary.
    Build,
    /// Builds everything and starts the relay in demo mode on http://127.0.0.1:8787.
    Demo,
    /// Runs every check: formatting, clippy, native tests, the domain crate for wasm, browser tests.
    Test,
    /// Prints the project's performance figures.
    Bench,
    /// Builds the widget and packs it for Zoho CRM: dist/zoho/ (zet's project layout) and dist/sidechat-zoho.zip.
    PackZoho {
        /// Where the relay is, as the widget will call it from Zoho's origin (https://, or http://127.0.0.1 or
        /// http://localhost for trying it on this machine).
        #[arg(long, value_name = "URL")]
        relay_url: String,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Build => build::build_all().map(|_| ()),
        Command::Demo => demo::run(),
        Command::Test => test::run(),
        Command::Bench => bench::run(),
        Command::PackZoho { relay_url } => pack_zoho::run(&relay_url),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
