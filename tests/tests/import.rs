//! `cognito-migrate import` against moto with the project's import-job extension: export then
//! import, bad rows reported per line, a failed job reported and retried once on request, a run
//! killed mid-poll resumed without importing a file twice, one active job per account (wait or
//! stop), an upload whose URL expires, and an upload answered with server errors.
//!
//! Tests on the shared moto hold `SHARED_ACCOUNT` (and pass `--wait`, in case another checkout's
//! tests run a job in the same account); tests that need slow jobs or an idle account start a
//! private moto.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{UserStatusType, UsernameConfigurationType};
use integration_tests::cli::{describe, export};
use integration_tests::import_support::{
    FaultProxy, PrivateMoto, import, import_command, import_line, import_log, import_state,
    write_import_file,
};
use integration_tests::pools::{PoolSpec, create_pool, create_user, csv_header, sub_of};
use integration_tests::testbed::{Testbed, client_for};
use tokio::sync::Mutex;

/// Import jobs of the shared moto run one at a time per account.
static SHARED_ACCOUNT: Mutex<()> = Mutex::const_new(());

async fn user(
    client: &Client,
    pool: &str,
    username: &str,
) -> (UserStatusType, BTreeMap<String, String>) {
    let user = client
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {username}: {e:?}"));
    let attributes = user
        .user_attributes()
        .iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    (user.user_status().unwrap().clone(), attributes)
}

async fn job_count(client: &Client, pool: &str) -> usize {
    client
        .list_user_import_jobs()
        .user_pool_id(pool)
        .max_results(60)
        .send()
        .await
        .expect("ListUserImportJobs")
        .user_import_jobs()
        .len()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn verified_user(header: &[String], username: &str) -> String {
    import_line(
        header,
        &[
            ("cognito:username", username),
            ("cognito:mfa_enabled", "false"),
            ("email", &format!("{username}@example.com")),
            ("email_verified", "true"),
        ],
    )
}

fn jobs_of(state: &serde_json::Value, file: usize) -> Vec<serde_json::Value> {
    state["files"][file]["jobs"].as_array().unwrap().clone()
}

/// Waits until the state file shows the first file's job started, then returns its id.
fn wait_until_started(dir: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(dir.join("import-state.json")) {
            let state: serde_json::Value = serde_json::from_str(&text).unwrap();
            if let Some(job) = state["files"][0]["jobs"].as_array().and_then(|j| j.last())
                && matches!(job["phase"].as_str(), Some("Pending" | "InProgress"))
            {
                return job["job_id"].as_str().unwrap().to_string();
            }
        }
        assert!(
            Instant::now() < deadline,
            "the import never started its job"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_user_disabled_in_the_old_pool_is_created_disabled_never_imported_live() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("import-disabled-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("import-disabled-new").with_custom(&["legacy_sub"]),
    )
    .await;
    for name in ["live", "banned"] {
        create_user(
            &client,
            &old,
            name,
            &[
                ("email", &format!("{name}@example.com")),
                ("email_verified", "true"),
                ("name", "Lovelace, Ada"),
            ],
            Some("Passw0rd!"),
        )
        .await;
    }
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("banned")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(&testbed.moto_url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));
    let users_file = std::fs::read_to_string(out.join("users-0001.csv")).unwrap();
    assert!(
        !users_file.contains("banned"),
        "the import job would make a disabled user live: {users_file}"
    );

    let imported = import(&testbed.moto_url, &new, &out, &["--wait"]);
    assert_eq!(imported.status.code(), Some(0), "{}", describe(&imported));
    assert!(
        stdout(&imported).contains("disabled in the old pool: 1 created disabled"),
        "{}",
        describe(&imported)
    );
    let banned = client
        .admin_get_user()
        .user_pool_id(&new)
        .username("banned")
        .send()
        .await
        .unwrap();
    assert!(!banned.enabled(), "disabled from the start");
    assert_eq!(
        banned.user_status(),
        Some(&UserStatusType::ForceChangePassword),
        "no password anyone knows, and none a reset could set"
    );
    let (_, attributes) = user(&client, &new, "banned").await;
    assert_eq!(attributes["name"], "Lovelace, Ada", "attributes carried");
    assert_eq!(attributes["email_verified"], "true");
    let (status, _) = user(&client, &new, "live").await;
    assert_eq!(status, UserStatusType::ResetRequired);

    // Resumed: nothing is created twice.
    let resumed = import(&testbed.moto_url, &new, &out, &["--wait", "--resume"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", describe(&resumed));
    assert_eq!(import_state(&out)["disabled"]["created"], 1);
    assert_eq!(import_state(&out)["disabled"]["done"], 1);
}

#[tokio::test]
async fn a_stranger_holding_a_disabled_users_name_is_never_disabled_in_its_place() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("import-disabled-squat-old")).await;
    // A case-insensitive new pool: "BANNED" answers to "banned".
    let spec = PoolSpec {
        username_configuration: Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        ),
        ..PoolSpec::named("import-disabled-squat-new").with_custom(&["legacy_sub"])
    };
    let new = create_pool(&client, &spec).await;
    for name in ["live", "banned", "known"] {
        create_user(
            &client,
            &old,
            name,
            &[
                ("email", &format!("{name}@example.com")),
                ("email_verified", "true"),
            ],
            Some("Passw0rd!"),
        )
        .await;
    }
    for name in ["banned", "known"] {
        client
            .admin_disable_user()
            .user_pool_id(&old)
            .username(name)
            .send()
            .await
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(&testbed.moto_url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));
    // A stranger signs up as BANNED; "known" is already there, carrying its legacy id.
    create_user(&client, &new, "BANNED", &[], Some("Str4nger-Passw0rd!")).await;
    let known_sub = sub_of(&client, &old, "known").await;
    create_user(
        &client,
        &new,
        "known",
        &[("custom:legacy_sub", &known_sub)],
        None,
    )
    .await;

    let imported = import(&testbed.moto_url, &new, &out, &["--wait"]);
    assert_eq!(imported.status.code(), Some(0), "{}", describe(&imported));
    let state = import_state(&out);
    assert_eq!(state["disabled"]["held_by_another_user"], 1, "{state}");
    assert_eq!(state["disabled"]["already_there"], 1, "{state}");
    assert!(
        stderr(&imported).contains("\"BANNED\""),
        "the holder is named: {}",
        describe(&imported)
    );
    let stranger = client
        .admin_get_user()
        .user_pool_id(&new)
        .username("BANNED")
        .send()
        .await
        .unwrap();
    assert!(stranger.enabled(), "a stranger is never disabled");
    let known = client
        .admin_get_user()
        .user_pool_id(&new)
        .username("known")
        .send()
        .await
        .unwrap();
    assert!(!known.enabled(), "the proven user is disabled");
}

#[tokio::test]
async fn export_then_import_lands_every_user_reset_required_with_its_attributes() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        &PoolSpec::named("import-e2e-old").with_custom(&["tenant"]),
    )
    .await;
    let new = create_pool(
        &client,
        &PoolSpec::named("import-e2e-new").with_custom(&["tenant", "legacy_sub"]),
    )
    .await;
    let users = [
        ("ada", "Lovelace, Ada", "acme"),
        ("grace", "Grace Hopper", "navy"),
        ("alan", "Alan Turing", "acme"),
    ];
    for (name, full_name, tenant) in users {
        create_user(
            &client,
            &old,
            name,
            &[
                ("email", &format!("{name}@example.com")),
                ("email_verified", "true"),
                ("name", full_name),
                ("custom:tenant", tenant),
            ],
            Some("Passw0rd!"),
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(
        &testbed.moto_url,
        &old,
        &new,
        &out,
        &["--select", "all", "--max-rows-per-file", "2"],
    );
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));

    let imported = import(&testbed.moto_url, &new, &out, &["--wait"]);
    assert_eq!(imported.status.code(), Some(0), "{}", describe(&imported));
    let report = stdout(&imported);
    assert!(
        report.contains(
            "total: 3 rows, imported 3, skipped 0, failed 0; 0 of 2 file(s) not imported"
        ),
        "{report}"
    );
    for (name, full_name, tenant) in users {
        let (status, attributes) = user(&client, &new, name).await;
        assert_eq!(status, UserStatusType::ResetRequired, "{name}");
        assert_eq!(attributes["email"], format!("{name}@example.com"));
        assert_eq!(attributes["email_verified"], "true");
        assert_eq!(attributes["name"], full_name);
        assert_eq!(attributes["custom:tenant"], tenant);
    }
    let state = import_state(&out);
    for file in 0..2 {
        let jobs = jobs_of(&state, file);
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0]["phase"], "Succeeded");
    }

    // The state makes a second run refuse without --resume, and do nothing with it.
    let again = import(&testbed.moto_url, &new, &out, &["--wait"]);
    assert_eq!(again.status.code(), Some(2), "{}", describe(&again));
    assert!(
        stderr(&again).contains("Pass --resume"),
        "{}",
        describe(&again)
    );
    let resumed = import(&testbed.moto_url, &new, &out, &["--wait", "--resume"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", describe(&resumed));
    assert_eq!(job_count(&client, &new).await, 2, "no file imported twice");
}

#[tokio::test]
async fn bad_rows_are_reported_per_line_with_the_log_group_and_stream_to_read() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = create_pool(&client, &PoolSpec::named("import-bad-rows")).await;
    create_user(
        &client,
        &new,
        "already",
        &[("email", "already@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    let rows = vec![
        verified_user(&header, "good"),
        import_line(
            &header,
            &[
                ("cognito:username", "unverified"),
                ("cognito:mfa_enabled", "false"),
                ("email", "unverified@example.com"),
                ("email_verified", "false"),
            ],
        ),
        verified_user(&header, "already"),
        import_line(
            &header,
            &[
                ("cognito:username", "bad birthdate"),
                ("cognito:mfa_enabled", "false"),
                ("email", "bd@example.com"),
                ("email_verified", "true"),
            ],
        ),
    ];
    write_import_file(dir.path(), "users-0001.csv", &header, &rows);

    let output = import(&testbed.moto_url, &new, dir.path(), &["--wait"]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let report = stdout(&output);
    assert!(
        report.contains(
            "total: 4 rows, imported 1, skipped 1, failed 2; 0 of 1 file(s) not imported"
        ),
        "{report}"
    );
    let job = &jobs_of(&import_state(dir.path()), 0)[0];
    let (job_id, job_name) = (
        job["job_id"].as_str().unwrap(),
        job["job_name"].as_str().unwrap(),
    );
    assert_eq!(job_name, "cognito-migrate-users-0001-1");
    assert!(
        report.contains(&format!(
            "group /aws/cognito/userpools/{new}/import-bad-rows:"
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!("stream {job_id}/{job_name}")),
        "{report}"
    );
    let log = import_log(&testbed.moto_url, job_id);
    assert_eq!(log.len(), 4, "{log:?}");
    assert!(log[0].starts_with("[SUCCEEDED] Line Number 2 "), "{log:?}");
    assert!(
        log[1].starts_with("[FAILED] Line Number 3 - The User Record does not set any of the auto verified attributes"),
        "{log:?}"
    );
    assert!(
        log[2].starts_with("[SKIPPED] Line Number 4 - The user already exists."),
        "{log:?}"
    );
    assert!(log[3].starts_with("[FAILED] Line Number 5 "), "{log:?}");
    assert_eq!(
        user(&client, &new, "good").await.0,
        UserStatusType::ResetRequired
    );
}

#[tokio::test]
async fn a_failed_job_is_reported_and_retried_once_only_when_asked() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = create_pool(&client, &PoolSpec::named("import-failed-job")).await;
    let mut header = csv_header(&client, &new).await;
    header.retain(|c| c != "nickname");
    let dir = tempfile::tempdir().unwrap();
    write_import_file(
        dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "x")],
    );

    let first = import(&testbed.moto_url, &new, dir.path(), &["--wait"]);
    assert_eq!(first.status.code(), Some(1), "{}", describe(&first));
    assert!(
        stdout(&first).contains("Failed: The CSV header is missing 1 column(s) of GetCSVHeader"),
        "{}",
        describe(&first)
    );
    assert!(
        stdout(&first).contains("--resume --retry-failed"),
        "{}",
        describe(&first)
    );

    let resumed = import(&testbed.moto_url, &new, dir.path(), &["--wait", "--resume"]);
    assert_eq!(resumed.status.code(), Some(1), "{}", describe(&resumed));
    assert_eq!(
        jobs_of(&import_state(dir.path()), 0).len(),
        1,
        "not retried unasked"
    );

    for _ in 0..2 {
        let retried = import(
            &testbed.moto_url,
            &new,
            dir.path(),
            &["--wait", "--resume", "--retry-failed"],
        );
        assert_eq!(retried.status.code(), Some(1), "{}", describe(&retried));
    }
    let jobs = jobs_of(&import_state(dir.path()), 0);
    assert_eq!(jobs.len(), 2, "retried exactly once: {jobs:?}");
    assert!(jobs.iter().all(|j| j["phase"] == "Failed"), "{jobs:?}");
    assert_eq!(jobs[1]["job_name"], "cognito-migrate-users-0001-2");
    assert_eq!(job_count(&client, &new).await, 2);
}

#[tokio::test]
async fn an_import_killed_mid_poll_resumes_without_importing_a_file_twice() {
    let moto = PrivateMoto::start(&[("TESTBED_IMPORT_STEP_SECONDS", "2")]);
    let client = client_for(&moto.url).await;
    let new = create_pool(&client, &PoolSpec::named("import-killed")).await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    write_import_file(
        dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "a1"), verified_user(&header, "a2")],
    );
    write_import_file(
        dir.path(),
        "users-0002.csv",
        &header,
        &[verified_user(&header, "b1")],
    );

    let mut running = import_command(&moto.url, &new, dir.path(), &["--max-poll-seconds", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start import");
    let job_id = wait_until_started(dir.path());
    running.kill().expect("kill -9");
    running.wait().unwrap();
    let still_running = client
        .describe_user_import_job()
        .user_pool_id(&new)
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(
            still_running
                .user_import_job()
                .unwrap()
                .status()
                .unwrap()
                .as_str(),
            "Pending" | "InProgress"
        ),
        "the job should outlive the killed run"
    );

    let resumed = import(
        &moto.url,
        &new,
        dir.path(),
        &["--resume", "--max-poll-seconds", "1"],
    );
    assert_eq!(resumed.status.code(), Some(0), "{}", describe(&resumed));
    let state = import_state(dir.path());
    assert_eq!(jobs_of(&state, 0).len(), 1);
    assert_eq!(jobs_of(&state, 0)[0]["job_id"], job_id.as_str());
    assert_eq!(jobs_of(&state, 1).len(), 1);
    assert_eq!(job_count(&client, &new).await, 2, "one job per file");
    for name in ["a1", "a2", "b1"] {
        assert_eq!(
            user(&client, &new, name).await.0,
            UserStatusType::ResetRequired
        );
    }
}

#[tokio::test]
async fn another_active_job_makes_an_import_stop_naming_it_or_wait_for_it() {
    let moto = PrivateMoto::start(&[("TESTBED_IMPORT_STEP_SECONDS", "2")]);
    let client = client_for(&moto.url).await;
    let busy = create_pool(&client, &PoolSpec::named("import-busy")).await;
    let other = create_pool(&client, &PoolSpec::named("import-other")).await;
    let header = csv_header(&client, &busy).await;
    let busy_dir = tempfile::tempdir().unwrap();
    write_import_file(
        busy_dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "first")],
    );
    let mut running = import_command(
        &moto.url,
        &busy,
        busy_dir.path(),
        &["--max-poll-seconds", "1"],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("start the first import");
    let active = wait_until_started(busy_dir.path());

    // Same pool: ListUserImportJobs names the active job.
    let same_pool_dir = tempfile::tempdir().unwrap();
    write_import_file(
        same_pool_dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "second")],
    );
    let stopped = import(&moto.url, &busy, same_pool_dir.path(), &[]);
    assert_eq!(stopped.status.code(), Some(2), "{}", describe(&stopped));
    assert!(
        stderr(&stopped).contains(&format!(
            "import job {active} (cognito-migrate-users-0001-1) is"
        )),
        "{}",
        describe(&stopped)
    );
    assert!(
        stderr(&stopped).contains("--resume --wait"),
        "{}",
        describe(&stopped)
    );

    // Another pool of the account: only StartUserImportJob tells.
    let other_dir = tempfile::tempdir().unwrap();
    write_import_file(
        other_dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "third")],
    );
    let refused = import(&moto.url, &other, other_dir.path(), &[]);
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    assert!(
        stderr(&refused).contains("another import job is active in this AWS account"),
        "{}",
        describe(&refused)
    );
    assert_eq!(
        jobs_of(&import_state(other_dir.path()), 0)[0]["phase"],
        "Uploaded"
    );

    let waited = import(
        &moto.url,
        &other,
        other_dir.path(),
        &["--resume", "--wait", "--max-poll-seconds", "1"],
    );
    assert_eq!(waited.status.code(), Some(0), "{}", describe(&waited));
    assert!(stderr(&waited).contains("waiting"), "{}", describe(&waited));
    assert_eq!(running.wait().unwrap().code(), Some(0));
    assert_eq!(
        job_count(&client, &other).await,
        1,
        "the uploaded job was started, not replaced"
    );
    assert_eq!(
        user(&client, &other, "third").await.0,
        UserStatusType::ResetRequired
    );
}

#[tokio::test]
async fn an_upload_whose_url_expired_gets_new_jobs_then_is_reported_failed() {
    let moto = PrivateMoto::start(&[("TESTBED_IMPORT_URL_TTL_SECONDS", "0")]);
    let client = client_for(&moto.url).await;
    let new = create_pool(&client, &PoolSpec::named("import-expired-url")).await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    write_import_file(
        dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "late")],
    );

    let output = import(&moto.url, &new, dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let jobs = jobs_of(&import_state(dir.path()), 0);
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    assert!(jobs.iter().all(|j| j["phase"] == "UrlExpired"), "{jobs:?}");
    assert!(
        stdout(&output).contains("UrlExpired: the pre-signed URL expired before the upload"),
        "{}",
        describe(&output)
    );
    assert!(
        stdout(&output).contains("1 of 1 file(s) not imported"),
        "{}",
        describe(&output)
    );
}

#[tokio::test]
async fn an_upload_answered_with_server_errors_is_retried_reported_and_redone_on_resume() {
    let _account = SHARED_ACCOUNT.lock().await;
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = create_pool(&client, &PoolSpec::named("import-upload-5xx")).await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    write_import_file(
        dir.path(),
        "users-0001.csv",
        &header,
        &[verified_user(&header, "patient")],
    );
    let proxy = FaultProxy::start(&testbed.moto_url);
    proxy.configure(
        r#"{"operations": ["/_testbed/import-upload/"], "error_share": 1.0, "seed": 7}"#,
    );

    let failed = import(&proxy.url, &new, dir.path(), &["--wait"]);
    assert_eq!(failed.status.code(), Some(1), "{}", describe(&failed));
    assert!(
        stdout(&failed).contains("UploadFailed: upload failed: S3 answered HTTP 50"),
        "{}",
        describe(&failed)
    );
    assert!(
        stdout(&failed).contains("gave up after 4 attempts"),
        "{}",
        describe(&failed)
    );
    let stats = proxy.stats();
    let uploads: u64 = stats["by_operation"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(operation, _)| operation.starts_with("/_testbed/import-upload/"))
        .map(|(_, s)| s["requests"].as_u64().unwrap())
        .sum();
    assert_eq!(uploads, 4, "{stats}");

    proxy.configure(r#"{"error_share": 0.0}"#);
    let resumed = import(&proxy.url, &new, dir.path(), &["--wait", "--resume"]);
    assert_eq!(resumed.status.code(), Some(0), "{}", describe(&resumed));
    let jobs = jobs_of(&import_state(dir.path()), 0);
    let phases: Vec<&str> = jobs.iter().map(|j| j["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["UploadFailed", "Succeeded"]);
    assert_eq!(
        user(&client, &new, "patient").await.0,
        UserStatusType::ResetRequired
    );
}
