//! `cognito-migrate`: parse, start logging, run, exit with a documented status.

use std::process::ExitCode;

use bulk::cli::{self, Cli};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Warnings, but not the SDK's own (a missing optional file, a retry): the tool says what matters
/// in its own words. `COGNITO_MIGRATE_LOG=debug` shows everything.
const QUIET_SDK: &str = "warn,aws_runtime=error,aws_config=error,aws_smithy_runtime=error";

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("COGNITO_MIGRATE_LOG")
                .unwrap_or_else(|_| EnvFilter::new(QUIET_SDK)),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli::run(cli).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", shared::error_text::one_line(err.chain()));
            ExitCode::from(cli::EXIT_FATAL)
        }
    }
}
