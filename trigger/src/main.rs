//! `cognito-migrate-trigger`: hands the trigger to the Lambda runtime ([`trigger::run`]).
//!
//! Outside Lambda: `--check` checks the configuration and the old pool ([`trigger::check`]);
//! without it the binary says what it is and exits 2 instead of failing inside the runtime.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> Result<ExitCode, lambda_runtime::Error> {
    if std::env::args().nth(1).as_deref() == Some(trigger::CHECK_FLAG) {
        return Ok(trigger::check().await);
    }
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_none() {
        eprintln!("{}", trigger::outside_lambda_message());
        return Ok(ExitCode::from(2));
    }
    trigger::run().await.map(|()| ExitCode::SUCCESS)
}
