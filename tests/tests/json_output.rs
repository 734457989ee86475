//! `--json PATH` means one thing in every command that reports: the report as JSON in PATH, or on
//! standard output for `-`, and then standard output holds nothing else (it parses).

use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool};
use integration_tests::testbed::Testbed;

#[tokio::test]
async fn json_to_standard_output_is_all_that_standard_output_holds() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("json-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("json-new").with_custom(&["legacy_sub"]),
    )
    .await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    let pools = ["--source-pool-id", &old, "--target-pool-id", &new];
    let runs: [(&str, Vec<&str>); 4] = [
        ("plan", vec![]),
        ("verify", vec![]),
        ("status", vec![]),
        ("preflight", vec!["--source-client-id", &old_client]),
    ];
    for (command, extra) in runs {
        let run = cognito_migrate(&testbed.moto_url)
            .arg(command)
            .args(pools)
            .args(extra)
            .args(["--json", "-"])
            .output()
            .unwrap();
        assert!(
            matches!(run.status.code(), Some(0 | 1)),
            "{command}: {}",
            describe(&run)
        );
        let parsed: Result<serde_json::Value, _> = serde_json::from_slice(&run.stdout);
        assert!(
            parsed.as_ref().is_ok_and(|v| v.is_object() || v.is_array()),
            "{command}: standard output is not only JSON: {}",
            describe(&run)
        );
    }
}

#[tokio::test]
async fn a_reader_that_stops_reading_ends_the_command_quietly() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("pipe-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("pipe-new").with_custom(&["legacy_sub"]),
    )
    .await;
    // `status | head -0`: the reader is gone before the table is written.
    let mut child = cognito_migrate(&testbed.moto_url)
        .args(["status", "--source-pool-id", &old, "--target-pool-id", &new])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        !stderr.contains("error") && !stderr.contains("panicked"),
        "{}",
        describe(&run)
    );
}
