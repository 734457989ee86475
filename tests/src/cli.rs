//! Running the built `cognito-migrate` binary against the test bed.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::testbed::{aws_env, binary};

/// `cognito-migrate` with the test bed's AWS environment and `--endpoint-url`.
pub fn cognito_migrate(endpoint: &str) -> Command {
    let mut command = Command::new(binary("cognito-migrate"));
    command
        .envs(aws_env())
        .env_remove("AWS_PROFILE")
        .arg("--endpoint-url")
        .arg(endpoint);
    command.stdin(Stdio::null());
    command
}

/// Runs `cognito-migrate export` from `source` to `target` into `out` with extra arguments.
pub fn export(endpoint: &str, source: &str, target: &str, out: &Path, extra: &[&str]) -> Output {
    cognito_migrate(endpoint)
        .args([
            "export",
            "--source-pool-id",
            source,
            "--target-pool-id",
            target,
            "--out",
        ])
        .arg(out)
        .args(extra)
        .output()
        .expect("cognito-migrate runs")
}

/// stdout and stderr of a finished command, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
