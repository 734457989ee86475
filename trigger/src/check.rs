//! `cognito-migrate-trigger --check`: the function's configuration checked outside Lambda.
//!
//! Reads the same environment as the function, reports every problem at once (not the first
//! only), then asks the old pool one harmless question with the function's own permission
//! (`AdminGetUser` of a made-up name: "no such user" is the expected answer), so an operator
//! learns before the first sign-in whether the pool, the app client's secret and the credentials
//! work. Nothing is written anywhere.

use std::process::ExitCode;

use crate::clients;
use crate::companion_config::CompanionConfig;
use crate::config::{Config, ConfigError};
use crate::old_pool::{Lookup, OldPool};

/// The flag that runs the check.
pub const FLAG: &str = "--check";

/// A made-up user name for the probe: valid for Cognito, and new at every run.
fn probe_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!("cognito-migrate-check-{}-{nanos}", std::process::id())
}

/// Exit status: every check passed.
const EXIT_OK: u8 = 0;
/// Exit status: the configuration or the old pool has a problem.
const EXIT_PROBLEM: u8 = 2;

/// Runs the check, printing one line per finding; the exit status says whether it passed.
pub async fn run() -> ExitCode {
    let companions = CompanionConfig::from_env().err();
    let config = match Config::from_env_all() {
        Ok(config) if companions.is_none() => config,
        Ok(_) => return report_problems(companions),
        Err(problems) => return report_problems(problems.into_iter().chain(companions)),
    };
    println!("ok   configuration: old pool {}", config.old_pool_id);
    let sdk = clients::sdk_config(&config).await;
    let old_pool = match clients::old_pool(&config, &sdk).await {
        Ok(old_pool) => old_pool,
        Err(problem) => return report_problems([problem]),
    };
    match old_pool.get_user(&probe_name()).await {
        Ok(Lookup::NotFound | Lookup::Found(_)) => {
            println!(
                "ok   the old pool {} answers AdminGetUser with these credentials",
                config.old_pool_id
            );
            ExitCode::from(EXIT_OK)
        }
        Err(fault) => {
            println!(
                "FAIL the old pool {} cannot be asked: {fault}",
                config.old_pool_id
            );
            ExitCode::from(EXIT_PROBLEM)
        }
    }
}

/// Prints every configuration problem, one line each.
fn report_problems(problems: impl IntoIterator<Item = ConfigError>) -> ExitCode {
    for problem in problems {
        println!("FAIL {problem}");
    }
    ExitCode::from(EXIT_PROBLEM)
}

/// The message for a start outside Lambda without `--check`: what this binary is and what to run.
pub fn outside_lambda_message() -> String {
    format!(
        "cognito-migrate-trigger is an AWS Lambda function (AWS_LAMBDA_RUNTIME_API is not set, so \
         this is not Lambda). Deploy it with deploy/template.yaml, or check its configuration \
         here with: cognito-migrate-trigger {FLAG}"
    )
}
