//! `cognito-migrate canary` against moto with the project's import-job extension (which writes
//! each line's result to CloudWatch Logs as AWS does): a clean export in four pool shapes, a
//! deliberately wrong file, a leftover scratch pool of a crashed run, a failure in the middle and
//! a Ctrl-C in the middle. After each run no scratch pool is left and the new pool is unchanged.
//!
//! `canary --ask-user-auth` against a new pool wired to the real trigger binary: it reports what
//! the test bed does (the trigger does not fire under `USER_AUTH` with the `PASSWORD` choice) and
//! refuses, before any sign-in, a user already in the new pool and a client without
//! `ALLOW_USER_AUTH`; the password is in no output.
//!
//! Tests on the shared moto hold `SHARED_ACCOUNT`: a canary removes every scratch pool of the
//! account it finds, and AWS runs one import job per account at a time.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, SoftwareTokenMfaConfigType, UserPoolMfaType, UsernameAttributeType,
    UsernameConfigurationType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::factors::{SignIn, WiredPools, user_auth_client, wired_pools};
use integration_tests::import_support::{LOGS_ROLE_ARN, PrivateMoto};
use integration_tests::pools::{PoolSpec, create_pool, create_user, find_user};
use integration_tests::testbed::{Testbed, client_for};
use tokio::sync::Mutex;

/// Scratch pools and import jobs of the shared moto: one canary at a time.
static SHARED_ACCOUNT: Mutex<()> = Mutex::const_new(());

const PREFIX: &str = "cognito-migrate-canary-";

/// Users of the old pool whose values cover the escaping cases.
const PEOPLE: [(&str, &[(&str, &str)]); 5] = [
    (
        "ada",
        &[
            ("email", "ada@example.com"),
            ("email_verified", "true"),
            ("name", "Lovelace, Ada"),
            ("custom:tenant", "acme"),
        ],
    ),
    (
        "bob",
        &[
            ("email", "bob@example.com"),
            ("email_verified", "true"),
            ("name", "Bob \\ Back"),
            ("birthdate", "1985-02-01"),
        ],
    ),
    (
        "zoe",
        &[
            ("email", "zoe@example.com"),
            ("email_verified", "true"),
            ("name", "Zoë 日本"),
        ],
    ),
    (
        "pat",
        &[
            ("email", "pat@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15550100"),
            ("phone_number_verified", "true"),
        ],
    ),
    (
        "quinn",
        &[
            ("email", "quinn@example.com"),
            ("email_verified", "true"),
            ("given_name", "Quinn"),
        ],
    ),
];

/// An old pool with [`PEOPLE`] exported for the new pool `new` (which has `custom:tenant`).
async fn exported(client: &Client, endpoint: &str, new: &str) -> (PathBuf, tempfile::TempDir) {
    let old = create_pool(
        client,
        &PoolSpec::named("canary-old").with_custom(&["tenant"]),
    )
    .await;
    for (name, attributes) in PEOPLE {
        create_user(client, &old, name, attributes, Some("Passw0rd!")).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let done = export(endpoint, &old, new, &out, &["--select", "all"]);
    assert_eq!(done.status.code(), Some(0), "{}", describe(&done));
    (out, dir)
}

/// A new pool made by `spec` (plus `custom:tenant`) and an export for it.
async fn new_pool_and_export(
    client: &Client,
    endpoint: &str,
    spec: PoolSpec,
) -> (String, PathBuf, tempfile::TempDir) {
    let new = create_pool(client, &spec.with_custom(&["tenant", "legacy_sub"])).await;
    let (out, dir) = exported(client, endpoint, &new).await;
    (new, out, dir)
}

fn canary(endpoint: &str, pool: &str, dir: &Path, role: &str) -> Output {
    cognito_migrate(endpoint)
        .args([
            "canary",
            "--target-pool-id",
            pool,
            "--logs-role-arn",
            role,
            "--seed",
            "7",
        ])
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("cognito-migrate runs")
}

/// The scratch pool a run created, from its `created scratch pool ID (...)` line.
fn scratch_id(stderr: &str) -> String {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("created scratch pool "))
        .unwrap_or_else(|| panic!("no scratch pool created: {stderr}"));
    line.split(' ').next().unwrap().to_string()
}

/// Whether the pool still exists.
async fn pool_exists(client: &Client, id: &str) -> bool {
    match client.describe_user_pool().user_pool_id(id).send().await {
        Ok(_) => true,
        Err(err) if err.code() == Some("ResourceNotFoundException") => false,
        Err(err) => panic!("DescribeUserPool {id}: {err:?}"),
    }
}

/// What must not change in the new pool: last modification, users, import jobs.
async fn fingerprint(client: &Client, pool: &str) -> (String, usize, usize) {
    let described = client
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .expect("DescribeUserPool")
        .user_pool
        .unwrap();
    let users = client
        .list_users()
        .user_pool_id(pool)
        .send()
        .await
        .expect("ListUsers")
        .users()
        .len();
    let jobs = client
        .list_user_import_jobs()
        .user_pool_id(pool)
        .max_results(60)
        .send()
        .await
        .expect("ListUserImportJobs")
        .user_import_jobs()
        .len();
    (format!("{:?}", described.last_modified_date()), users, jobs)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn a_clean_export_passes_in_every_pool_shape_and_leaves_nothing_behind() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    // The MFA mode is part of the copy: on a pool that requires MFA every row says
    // cognito:mfa_enabled TRUE, which a copy with MFA off would fail.
    let shapes = [
        (
            "plain, MFA optional",
            PoolSpec::named("canary-new-plain"),
            UserPoolMfaType::Optional,
        ),
        (
            "e-mail as user name, MFA off",
            PoolSpec {
                username_attributes: vec![UsernameAttributeType::Email],
                ..PoolSpec::named("canary-new-email")
            },
            UserPoolMfaType::Off,
        ),
        (
            "aliases, case-insensitive, MFA required",
            PoolSpec {
                alias_attributes: vec![
                    AliasAttributeType::Email,
                    AliasAttributeType::PreferredUsername,
                ],
                username_configuration: Some(
                    UsernameConfigurationType::builder()
                        .case_sensitive(false)
                        .build()
                        .unwrap(),
                ),
                ..PoolSpec::named("canary-new-alias")
            },
            UserPoolMfaType::On,
        ),
        (
            "e-mail or phone as user name, MFA optional",
            PoolSpec {
                username_attributes: vec![
                    UsernameAttributeType::Email,
                    UsernameAttributeType::PhoneNumber,
                ],
                ..PoolSpec::named("canary-new-email-or-phone")
            },
            UserPoolMfaType::Optional,
        ),
    ];
    for (shape, spec, mfa) in shapes {
        let new = create_pool(&client, &spec.with_custom(&["tenant", "legacy_sub"])).await;
        client
            .set_user_pool_mfa_config()
            .user_pool_id(&new)
            .mfa_configuration(mfa)
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .send()
            .await
            .expect("SetUserPoolMfaConfig");
        let (out, _dir) = exported(&client, &testbed.moto_url, &new).await;
        let before = fingerprint(&client, &new).await;
        let run = canary(&testbed.moto_url, &new, &out, LOGS_ROLE_ARN);
        assert_eq!(run.status.code(), Some(0), "{shape}: {}", describe(&run));
        let text = stdout(&run);
        assert!(text.contains("result: clean"), "{shape}: {text}");
        assert!(
            text.contains("5 of 5 rows") && text.contains("5 of 5 result lines"),
            "{shape}: every row is sampled from so small an export and every line logged: {text}"
        );
        assert!(out.join("canary-sample.csv").exists());
        assert!(
            !pool_exists(&client, &scratch_id(&stderr(&run))).await,
            "{shape}: the scratch pool is deleted"
        );
        assert_eq!(
            fingerprint(&client, &new).await,
            before,
            "{shape}: the new pool is only read"
        );
    }
}

#[tokio::test]
async fn a_wrong_file_names_the_user_the_field_and_awss_reason() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (new, out, _dir) =
        new_pool_and_export(&client, &testbed.moto_url, PoolSpec::named("canary-wrong")).await;
    let file = out.join("users-0001.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    // bob no longer verifies the pool's auto-verified attribute (AWS fails the line), and zoe's
    // name gets a trailing space (the importer trims it: the value would change).
    let wrong = text
        .replace("bob@example.com,TRUE,", "bob@example.com,FALSE,")
        .replace("Zoë 日本,", "Zoë 日本 ,");
    assert_ne!(wrong, text);
    std::fs::write(&file, wrong).unwrap();
    let before = fingerprint(&client, &new).await;

    let run = canary(&testbed.moto_url, &new, &out, LOGS_ROLE_ARN);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let text = stdout(&run);
    assert!(
        text.contains(
            "FAILED   bob (users-0001.csv line 3): The User Record does not set any of the auto \
             verified attributes to true. (Example: email_verified to true)."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "CHANGED  zoe (users-0001.csv line 4): name: file \"Zoë 日本 \" -> pool \"Zoë 日本\""
        ),
        "{text}"
    );
    assert!(
        text.contains("result: 1 of 5 lines would fail, 1 value would change (1 user)"),
        "{text}"
    );
    assert!(!pool_exists(&client, &scratch_id(&stderr(&run))).await);
    assert_eq!(fingerprint(&client, &new).await, before);
}

#[tokio::test]
async fn a_leftover_scratch_pool_is_removed_by_the_next_run_and_only_a_tagged_one() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (new, out, _dir) =
        new_pool_and_export(&client, &testbed.moto_url, PoolSpec::named("canary-left")).await;
    let leftover = client
        .create_user_pool()
        .pool_name(format!("{PREFIX}19700101T000000Z"))
        .user_pool_tags("cognito-migrate:canary", "true")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let lookalike = client
        .create_user_pool()
        .pool_name(format!("{PREFIX}not-ours"))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();

    let run = canary(&testbed.moto_url, &new, &out, LOGS_ROLE_ARN);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        stderr(&run).contains(&format!(
            "removed leftover scratch pool {leftover} ({PREFIX}19700101T000000Z) of an earlier canary run"
        )),
        "{}",
        describe(&run)
    );
    let lookalike_kept = pool_exists(&client, &lookalike).await;
    client
        .delete_user_pool()
        .user_pool_id(&lookalike)
        .send()
        .await
        .ok();
    assert!(!pool_exists(&client, &leftover).await);
    assert!(!pool_exists(&client, &scratch_id(&stderr(&run))).await);
    assert!(
        lookalike_kept,
        "an untagged pool is never taken for a scratch pool"
    );
}

#[tokio::test]
async fn a_failure_in_the_middle_still_deletes_the_scratch_pool() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (new, out, _dir) =
        new_pool_and_export(&client, &testbed.moto_url, PoolSpec::named("canary-fail")).await;
    let before = fingerprint(&client, &new).await;
    // CreateUserImportJob refuses a role ARN that does not match the API's pattern: the run
    // fails after the scratch pool was created.
    let run = canary(&testbed.moto_url, &new, &out, "not-a-role-arn-at-all");
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let err = stderr(&run);
    assert!(err.contains("CreateUserImportJob"), "{err}");
    assert!(err.contains("deleted scratch pool"), "{err}");
    assert!(!pool_exists(&client, &scratch_id(&stderr(&run))).await);
    assert_eq!(fingerprint(&client, &new).await, before);
}

#[tokio::test]
async fn ctrl_c_in_the_middle_deletes_the_scratch_pool() {
    // Slow job steps, so the interrupt lands while the job runs.
    let moto = PrivateMoto::start(&[("TESTBED_IMPORT_STEP_SECONDS", "3")]);
    let client = client_for(&moto.url).await;
    let (new, out, _dir) =
        new_pool_and_export(&client, &moto.url, PoolSpec::named("canary-int")).await;
    let mut child = cognito_migrate(&moto.url)
        .args([
            "canary",
            "--target-pool-id",
            &new,
            "--logs-role-arn",
            LOGS_ROLE_ARN,
        ])
        .arg("--dir")
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cognito-migrate starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = String::new();
    while !seen.contains("started import job") {
        assert!(Instant::now() < deadline, "the job never started: {seen}");
        let line = lines.next().expect("stderr open").expect("stderr line");
        seen.push_str(&line);
        seen.push('\n');
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    for line in lines {
        seen.push_str(&line.unwrap());
        seen.push('\n');
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("deleted scratch pool"), "{seen}");
    assert!(!pool_exists(&client, &scratch_id(&seen)).await);
}

/// The test user's password: in the probe's environment only, and in none of its output.
const PROBE_PASSWORD: &str = "Probe-Pa55word-7f3c!";

/// Runs `canary --ask-user-auth user --target-client-id client` on the new pool, the password in
/// the environment and the answer also written as JSON to `json`.
fn ask_user_auth(w: &WiredPools, user: &str, client: &str, json: &Path) -> Output {
    cognito_migrate(&w.testbed.moto_url)
        .env("COGNITO_MIGRATE_PROBE_PASSWORD", PROBE_PASSWORD)
        .args([
            "canary",
            "--target-pool-id",
            &w.new,
            "--ask-user-auth",
            user,
            "--target-client-id",
            client,
        ])
        .arg("--json")
        .arg(json)
        .output()
        .expect("cognito-migrate runs")
}

/// Fails the test if the password shows in the run's output or in the JSON it wrote.
fn assert_password_hidden(run: &Output, json: &Path) {
    let written = std::fs::read_to_string(json).unwrap_or_default();
    for (place, text) in [
        ("stdout", stdout(run)),
        ("stderr", stderr(run)),
        ("--json", written),
    ] {
        assert!(
            !text.contains(PROBE_PASSWORD),
            "the password shows in {place}: {}",
            describe(run)
        );
    }
}

#[tokio::test]
async fn the_user_auth_probe_says_what_the_test_bed_does_then_refuses_the_migrated_user() {
    let w = wired_pools("canary-ua").await;
    create_user(
        &w.client,
        &w.old,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        Some(PROBE_PASSWORD),
    )
    .await;
    let choice_client = user_auth_client(&w.client, &w.new).await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("probe.json");

    let run = ask_user_auth(&w, "ada", &choice_client, &json);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_password_hidden(&run, &json);
    let text = stdout(&run);
    assert!(
        text.contains("the migration trigger fires under USER_AUTH PASSWORD: no"),
        "{text}"
    );
    assert!(
        text.contains("refused, UserNotFoundException: User does not exist."),
        "the error is named: {text}"
    );
    let answer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(answer["answer"], "no", "{answer}");
    assert_eq!(answer["in_new_pool_after"], false, "{answer}");
    assert_eq!(
        answer["sign_in"]["code"], "UserNotFoundException",
        "{answer}"
    );
    assert!(find_user(&w.client, &w.new, "ada").await.is_none());

    // The "no" is about USER_AUTH, not the set-up: the same user and password through
    // USER_PASSWORD_AUTH migrate.
    let control = w.sign_in("ada", PROBE_PASSWORD).await;
    assert!(!matches!(control, SignIn::Refused(_)), "{control:?}");
    assert!(find_user(&w.client, &w.new, "ada").await.is_some());

    let again = ask_user_auth(&w, "ada", &choice_client, &dir.path().join("again.json"));
    assert_eq!(again.status.code(), Some(2), "{}", describe(&again));
    assert_password_hidden(&again, &dir.path().join("again.json"));
    assert!(
        stderr(&again).contains("ada is already in the new pool"),
        "{}",
        describe(&again)
    );
    assert!(stdout(&again).is_empty(), "no answer: {}", describe(&again));
}

#[tokio::test]
async fn the_user_auth_probe_refuses_a_client_without_allow_user_auth() {
    let w = wired_pools("canary-ua-client").await;
    create_user(
        &w.client,
        &w.old,
        "bo",
        &[("email", "bo@example.com"), ("email_verified", "true")],
        Some(PROBE_PASSWORD),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("probe.json");
    // The wired pools' sign-in client allows USER_PASSWORD_AUTH only.
    let run = ask_user_auth(&w, "bo", &w.new_client, &json);
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    assert_password_hidden(&run, &json);
    let err = stderr(&run);
    assert!(
        err.contains(&format!(
            "app client {} of {} does not allow choice-based sign-in",
            w.new_client, w.new
        )) && err.contains("add ALLOW_USER_AUTH"),
        "{err}"
    );
    assert!(!json.exists(), "no answer is written");
    assert!(find_user(&w.client, &w.new, "bo").await.is_none());
}

#[test]
fn the_user_auth_probe_wants_the_password_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let run = cognito_migrate("http://127.0.0.1:9")
        .env_remove("COGNITO_MIGRATE_PROBE_PASSWORD")
        .args([
            "canary",
            "--target-pool-id",
            "us-east-1_Probe1",
            "--ask-user-auth",
            "ada",
            "--target-client-id",
            "client1",
        ])
        .current_dir(dir.path())
        .output()
        .expect("cognito-migrate runs");
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    assert!(
        stderr(&run).contains("COGNITO_MIGRATE_PROBE_PASSWORD, which is not set"),
        "{}",
        describe(&run)
    );
}
