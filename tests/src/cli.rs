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

/// Runs [`export`], which must exit 0.
pub fn export_ok(endpoint: &str, source: &str, target: &str, out: &Path, extra: &[&str]) {
    let run = export(endpoint, source, target, out, extra);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
}

/// Runs `cognito-migrate plan` from `source` to `target` with extra arguments, which must exit
/// 0: the plan as `--json` wrote it, and the text it printed.
pub fn plan(
    endpoint: &str,
    source: &str,
    target: &str,
    extra: &[&str],
) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().expect("a folder for plan.json");
    let json = dir.path().join("plan.json");
    let run = cognito_migrate(endpoint)
        .args([
            "plan",
            "--source-pool-id",
            source,
            "--target-pool-id",
            target,
        ])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .output()
        .expect("cognito-migrate runs");
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let text = std::fs::read_to_string(&json).expect("plan.json");
    let plan = serde_json::from_str(&text).expect("plan.json is JSON");
    (plan, String::from_utf8_lossy(&run.stdout).into_owned())
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
