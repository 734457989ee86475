//! `cognito-migrate`: parse, start logging, run, exit with a documented status.

use std::process::ExitCode;

use bulk::cli::{self, Cli};
use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Warnings, but not the SDK's own (a missing optional file, a retry): the tool says what matters
/// in its own words. `COGNITO_MIGRATE_LOG=debug` shows everything.
const QUIET_SDK: &str = "warn,aws_runtime=error,aws_config=error,aws_smithy_runtime=error";

/// A reader that stopped reading (`cognito-migrate plan | head`) is not an error: the output
/// macros panic on a closed pipe (Rust ignores SIGPIPE), and this ends the run quietly instead.
fn end_quietly_on_a_closed_pipe() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        report(info);
    }));
}

/// True when the run failed only because standard output's reader went away.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    end_quietly_on_a_closed_pipe();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("COGNITO_MIGRATE_LOG")
                .unwrap_or_else(|_| EnvFilter::new(QUIET_SDK)),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli::run(cli).await {
        Ok(code) => code,
        Err(err) if closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", shared::error_text::one_line(err.chain()));
            ExitCode::from(cli::EXIT_FATAL)
        }
    }
}
