//! `cognito-migrate-trigger` outside Lambda: `--check` reads the function's environment, names
//! every problem at once, and asks the old pool (in moto) one harmless question; without `--check`
//! the binary says what it is instead of failing inside the Lambda runtime.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use integration_tests::cli::describe;
use integration_tests::pools::{PoolSpec, create_app_client, create_pool};
use integration_tests::testbed::{Testbed, aws_env, binary};

/// The trigger binary with only `env` (no Lambda runtime, no inherited AWS settings).
fn trigger(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(binary("cognito-migrate-trigger"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(aws_env())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("cognito-migrate-trigger runs")
}

#[test]
fn outside_lambda_it_says_what_it_is_and_how_to_check_it() {
    let output = trigger(&[], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("AWS Lambda function"), "{stderr}");
    assert!(
        stderr.contains("cognito-migrate-trigger --check"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn check_names_every_configuration_problem_at_once() {
    let output = trigger(
        &["--check"],
        &[
            ("OLD_CLIENT_ID", "not a client"),
            ("OLD_POOL_TIMEOUT_MS", "9000"),
            ("FORGOT_PASSWORD", "maybe"),
            ("MAPPING_JSON", "{not json"),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "OLD_USER_POOL_ID",
        "OLD_CLIENT_ID",
        "OLD_POOL_TIMEOUT_MS",
        "FORGOT_PASSWORD",
        "MAPPING_JSON",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("FAIL") && l.contains(variable)),
            "{variable} is named: {stdout}"
        );
    }
}

#[tokio::test]
async fn check_asks_the_old_pool_and_names_it_when_it_cannot_be_reached() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let pool = create_pool(&client, &PoolSpec::named("trigger-check")).await;
    let (client_id, _) = create_app_client(&client, &pool, false).await;
    let env = |endpoint: &str| {
        vec![
            ("OLD_USER_POOL_ID".to_string(), pool.clone()),
            ("OLD_CLIENT_ID".to_string(), client_id.clone()),
            ("AWS_ENDPOINT_URL".to_string(), endpoint.to_string()),
        ]
    };
    let run = |env: Vec<(String, String)>| {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        trigger(&["--check"], &env)
    };

    let output = run(env(&testbed.moto_url));
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("ok   the old pool {pool} answers")),
        "{stdout}"
    );

    // Nothing listens on port 9 of the loopback: refused at once, named, bounded.
    let started = Instant::now();
    let output = run(env("http://127.0.0.1:9"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("FAIL the old pool {pool} cannot be asked")),
        "{stdout}"
    );
}
