//! Each mistake an operator makes in the first hour, fed to the real binary: the exit status, and
//! a message of a line or two that names the thing (flag, file, profile, pool) and the fix, with
//! no SDK structure and no cause printed twice. Mistakes that can be found locally are found
//! before the first request: those runs point at a closed port, so any request would fail
//! differently.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::import_support::FaultProxy;
use integration_tests::pools::{PoolSpec, create_pool};
use integration_tests::testbed::Testbed;

/// An endpoint where nothing listens.
const CLOSED_PORT: &str = "http://127.0.0.1:9";

/// AWS config and credentials files written for one test, so the machine's own never count.
struct AwsFiles {
    dir: tempfile::TempDir,
}

impl AwsFiles {
    fn new(config: &str, credentials: &str) -> AwsFiles {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(dir.path().join("credentials"), credentials).unwrap();
        AwsFiles { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// `cognito-migrate` reading these files and no other AWS setting from the environment.
    fn command(&self, endpoint: &str) -> Command {
        let mut command = cognito_migrate(endpoint);
        command
            .env("AWS_CONFIG_FILE", self.config())
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("credentials"),
            )
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_REGION");
        command
    }
}

const PLAN: [&str; 5] = [
    "plan",
    "--source-pool-id",
    "us-east-1_Old000001",
    "--target-pool-id",
    "us-east-1_New000001",
];

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 and one short `error:` line with no SDK internals; returns that line.
fn one_error_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{}", describe(output));
    let text = stderr(output);
    let line = text
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line: {}", describe(output)))
        .to_string();
    assert!(line.len() < 500, "more than two lines: {line}");
    for internal in [
        "ServiceError",
        "raw: Response",
        "Attempted:",
        "DispatchFailure {",
    ] {
        assert!(!text.contains(internal), "SDK internals shown: {text}");
    }
    line
}

#[test]
fn a_profile_in_no_aws_file_is_named_with_the_files_looked_in() {
    let files = AwsFiles::new("[profile dev]\nregion = us-east-1\n", "");
    let run = files
        .command(CLOSED_PORT)
        .args(["--profile", "prod"])
        .args(PLAN)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(line.contains("profile prod"), "{line}");
    assert!(line.contains("--profile"), "{line}");
    assert!(
        line.contains(&files.config().display().to_string()),
        "{line}"
    );
    assert!(!line.contains("could not be reached"), "{line}");

    // The same profile named by AWS_PROFILE is reported as coming from there.
    let run = files
        .command(CLOSED_PORT)
        .env("AWS_PROFILE", "prod")
        .args(PLAN)
        .output()
        .unwrap();
    assert!(
        one_error_line(&run).contains("AWS_PROFILE"),
        "{}",
        describe(&run)
    );
}

#[test]
fn missing_credentials_say_how_to_provide_them_in_one_line() {
    let files = AwsFiles::new("[profile dev]\nregion = us-east-1\n", "");
    let run = files
        .command(CLOSED_PORT)
        .args(["--profile", "dev"])
        .args(PLAN)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(line.contains("no usable AWS credentials"), "{line}");
    assert!(line.contains("us-east-1_Old000001"), "{line}");
    assert!(line.contains("AWS_ACCESS_KEY_ID"), "{line}");
}

#[tokio::test]
async fn the_region_comes_from_the_flag_then_the_environment_then_the_profile() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("precedence-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("precedence-new").with_custom(&["legacy_sub"]),
    )
    .await;
    let files = AwsFiles::new(
        "[profile elsewhere]\nregion = eu-west-1\n",
        "[elsewhere]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    );
    let plan = |region_flag: Option<&str>, region_env: Option<&str>| {
        let mut command = files.command(&testbed.moto_url);
        command.args(["--profile", "elsewhere"]);
        if let Some(region) = region_flag {
            command.args(["--region", region]);
        }
        if let Some(region) = region_env {
            command.env("AWS_REGION", region);
        }
        command
            .args(["plan", "--source-pool-id", &old, "--target-pool-id", &new])
            .output()
            .unwrap()
    };
    // The pools live in moto's us-east-1. The profile alone says eu-west-1: not found there.
    let run = plan(None, None);
    let line = one_error_line(&run);
    assert!(line.contains(&old) && line.contains("region"), "{line}");
    // The environment beats the profile.
    let run = plan(None, Some("us-east-1"));
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    // The flag beats the environment.
    let run = plan(Some("eu-west-1"), Some("us-east-1"));
    assert!(one_error_line(&run).contains(&old), "{}", describe(&run));
    let run = plan(Some("us-east-1"), Some("eu-west-1"));
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
}

#[test]
fn a_missing_mapping_file_is_named_once_before_any_request() {
    let out = tempfile::tempdir().unwrap();
    let mapping = out.path().join("mapping.json");
    let run = cognito_migrate(CLOSED_PORT)
        .args(PLAN)
        .arg("--mapping")
        .arg(&mapping)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(line.contains(&mapping.display().to_string()), "{line}");
    assert_eq!(line.matches("No such file").count(), 1, "{line}");
    assert!(!line.contains("could not be reached"), "{line}");
}

#[test]
fn report_paths_that_cannot_be_written_are_named_before_any_request() {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("no-such-folder/plan.json");
    let run = cognito_migrate(CLOSED_PORT)
        .args(PLAN)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(
        line.contains("--json") && line.contains("no-such-folder"),
        "{line}"
    );

    let differences = out.path().join("no-such-folder/differences.csv");
    let run = cognito_migrate(CLOSED_PORT)
        .args([
            "verify",
            "--source-pool-id",
            "us-east-1_Old000001",
            "--target-pool-id",
            "us-east-1_New000001",
            "--differences",
        ])
        .arg(&differences)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(line.contains("differences.csv"), "{line}");
    assert!(!line.contains("could not be reached"), "{line}");
}

#[test]
fn resume_without_a_previous_run_says_there_is_nothing_to_resume() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("export-typo");
    let run = cognito_migrate(CLOSED_PORT)
        .args([
            "export",
            "--source-pool-id",
            "us-east-1_Old000001",
            "--target-pool-id",
            "us-east-1_New000001",
            "--select",
            "passwordless",
            "--resume",
            "--out",
        ])
        .arg(&folder)
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(
        line.contains("--resume") && line.contains("export-typo"),
        "{line}"
    );
    assert!(line.contains("no export to resume"), "{line}");
    assert!(
        !Path::new(&folder).exists(),
        "a typo must not create a folder"
    );
}

#[tokio::test]
async fn a_missing_old_pool_is_named_before_the_new_pool_is_read() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = create_pool(&client, &PoolSpec::named("missing-old-new")).await;
    let proxy = FaultProxy::start(&testbed.moto_url);
    for command in ["verify", "plan"] {
        let run = cognito_migrate(&proxy.url)
            .args([
                command,
                "--source-pool-id",
                "us-east-1_Gone00001",
                "--target-pool-id",
                &new,
            ])
            .output()
            .unwrap();
        let line = one_error_line(&run);
        assert!(line.contains("us-east-1_Gone00001"), "{command}: {line}");
        assert!(line.contains("not found"), "{command}: {line}");
    }
    let stats = proxy.stats();
    assert!(
        stats["by_operation"].get("ListUsers").is_none(),
        "no pool was scanned: {stats}"
    );
}

#[tokio::test]
async fn a_service_error_shows_its_code_and_message_only() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("service-error-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("service-error-new").with_custom(&["legacy_sub"]),
    )
    .await;
    let proxy = FaultProxy::start(&testbed.moto_url);
    proxy.configure(r#"{"error_share": 1.0, "operations": ["ListUsers"]}"#);
    let out = tempfile::tempdir().unwrap();
    let run = cognito_migrate(&proxy.url)
        .args([
            "export",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--select",
            "not-in-target",
            "--max-retries",
            "0",
            "--out",
        ])
        .arg(out.path().join("export"))
        .output()
        .unwrap();
    let line = one_error_line(&run);
    assert!(line.contains("ListUsers"), "{line}");
    assert!(
        line.contains("InternalErrorException") || line.contains("HTTP 503"),
        "{line}"
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_says_it_retries_and_gives_up_within_a_minute() {
    let started = Instant::now();
    let run = cognito_migrate(CLOSED_PORT).args(PLAN).output().unwrap();
    let elapsed = started.elapsed();
    let line = one_error_line(&run);
    let text = stderr(&run);
    assert!(
        text.lines()
            .next()
            .unwrap_or_default()
            .contains("retrying for up to a minute"),
        "the retries are announced first: {text}"
    );
    assert!(line.contains("could not be reached"), "{line}");
    assert!(line.contains("--endpoint-url"), "{line}");
    assert!(line.contains("us-east-1_Old000001"), "{line}");
    assert!(
        elapsed < Duration::from_secs(90),
        "gave up after {elapsed:?}"
    );
}

/// `--dir` of the commands that read an export folder, as the operator mistypes or mis-sets it:
/// each answer names the path, the real problem and the fix, before any request (the endpoint is
/// a closed port); "run export first" only where that is the fix.
#[test]
fn an_unusable_dir_is_named_with_its_real_problem_before_any_request() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("users-0001.csv");
    std::fs::write(&file, "cognito:username\n").unwrap();
    let missing = tmp.path().join("export-typo");
    let below_file = file.join("export");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();

    let run = |command: &str, dir: &Path| -> String {
        let mut cmd = cognito_migrate(CLOSED_PORT);
        cmd.args([command, "--target-pool-id", "us-east-1_New000001"]);
        if command == "status" {
            cmd.args(["--source-pool-id", "us-east-1_Old000001"]);
        } else if command != "groups" {
            cmd.args([
                "--logs-role-arn",
                "arn:aws:iam::123456789012:role/CognitoImport",
            ]);
        }
        let output = cmd.arg("--dir").arg(dir).output().unwrap();
        one_error_line(&output)
    };
    for command in ["groups", "import", "canary", "status"] {
        assert_eq!(
            run(command, &file),
            format!(
                "error: --dir {} is a file, not a folder: pass the folder cognito-migrate export \
                 --out wrote (the one holding summary.json and users-NNNN.csv)",
                file.display()
            ),
            "{command}"
        );
        assert_eq!(
            run(command, &missing),
            format!(
                "error: --dir {0} does not exist: run cognito-migrate export --out {0} first, or \
                 pass the folder an export wrote",
                missing.display()
            ),
            "{command}"
        );
        assert_eq!(
            run(command, &below_file),
            format!(
                "error: --dir {} cannot be reached: a part of its path is a file, not a folder: \
                 pass the folder cognito-migrate export --out wrote",
                below_file.display()
            ),
            "{command}"
        );
    }
    assert!(!missing.exists(), "a typo must not create a folder");
    // A folder an export has not written: there "run export first" is the fix.
    assert_eq!(
        run("groups", &empty),
        format!(
            "error: cannot read {}: run cognito-migrate export --out {} first (it writes \
             groups.jsonl, memberships.jsonl and disabled.csv)",
            empty.join("groups.jsonl").display(),
            empty.display()
        )
    );
    assert_eq!(
        run("import", &empty),
        format!(
            "error: no {}: import only folders written by cognito-migrate export (run \
             cognito-migrate export --out {} first, or pass the folder an export wrote)",
            empty.join("summary.json").display(),
            empty.display()
        )
    );

    // A folder this user may not read (not enforced for root, who reads it anyway).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = tmp.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::write(locked.join("groups.jsonl"), "").unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let enforced = std::fs::read_dir(&locked).is_err();
        let answers: Vec<(&str, String)> = ["groups", "import"]
            .into_iter()
            .map(|command| (command, run(command, &locked)))
            .collect();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        if enforced {
            for (command, line) in answers {
                assert_eq!(
                    line,
                    format!(
                        "error: --dir {0} cannot be read: permission denied: give the user \
                         running cognito-migrate read and search permission on it and the \
                         folders above it (as its owner: chmod u+rx {0}), or run as the user \
                         that ran the export",
                        locked.display()
                    ),
                    "{command}"
                );
            }
        } else {
            eprintln!("running as root: the permission-denied answer is covered by unit tests");
        }
    }
}
