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
use crate::config::{Config, ConfigError, NewPoolSignIn};
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
    println!("{}", sign_in_line(&config.new_pool_sign_in));
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

/// What the sign-in makes of the new pool's shape (`NEW_POOL_SIGN_IN`): in a pool that signs in
/// by e-mail or phone as the user name, who is never migrated (the rule `plan` and `status`
/// count by, `shared::trigger_reach`).
fn sign_in_line(sign_in: &NewPoolSignIn) -> String {
    if *sign_in == NewPoolSignIn::UNKNOWN {
        return "note NEW_POOL_SIGN_IN is unset: every shape is guarded, and no user is refused \
                for want of a verified e-mail or phone to sign in with; set it to the new pool's \
                shape"
            .to_string();
    }
    let by = sign_in.shape().username_attributes;
    if by.is_empty() {
        return "ok   new pool signs in by user name: the old user name signs in".to_string();
    }
    let by = by.join(" or ");
    format!(
        "ok   new pool signs in by {by} as the user name: old users without a verified {by} \
         are never migrated at sign-in (plan and status count them stranded: {})",
        shared::trigger_reach::SIGN_IN_VALUE_UNVERIFIED
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_says_whom_the_new_pools_shape_leaves_out() {
        let line = |text: &str| sign_in_line(&NewPoolSignIn::parse(text).unwrap());
        assert_eq!(
            line("email"),
            "ok   new pool signs in by email as the user name: old users without a verified \
             email are never migrated at sign-in (plan and status count them stranded: \
             sign-in-value-unverified)"
        );
        assert!(line("email,phone_number").contains("verified email or phone_number"));
        assert!(line("username,email").contains("by user name"));
        assert!(
            sign_in_line(&NewPoolSignIn::UNKNOWN).starts_with("note NEW_POOL_SIGN_IN is unset")
        );
    }
}
