//! The sweep after the migration window (`export --select not-in-target`) and `plan` against
//! moto: the new pool is read in whole pages (a native sign-up without the legacy id is no
//! obstacle), users are matched by legacy id or by the new pool's sign-in value, an ambiguous pair
//! of pool shapes stops before the old pool is read, and a run killed while reading the new pool
//! continues without reading its finished shards again (counted at the fault proxy).

use std::io::Read;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, SchemaAttributeType, StringAttributeConstraintsType, UsernameAttributeType,
    UsernameConfigurationType, VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{assert_reconciles, import_rows, reason_rows};
use integration_tests::import_support::FaultProxy;
use integration_tests::pools::{create_user, csv_header, sub_of};
use integration_tests::testbed::Testbed;
use serde_json::Value;

/// How a test pool signs users in, and whether it carries the legacy id.
#[derive(Clone, Copy)]
struct Shape {
    /// Signs in by e-mail instead of a user name.
    email_username: bool,
    /// `UsernameConfiguration.CaseSensitive`.
    case_sensitive: bool,
    /// Has `custom:legacy_sub`.
    legacy_sub: bool,
}

const PLAIN: Shape = Shape {
    email_username: false,
    case_sensitive: true,
    legacy_sub: false,
};

/// Creates a pool of `shape` that auto-verifies e-mail; returns its id.
async fn create_shaped_pool(client: &Client, name: &str, shape: Shape) -> String {
    let mut request = client
        .create_user_pool()
        .pool_name(name)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(shape.case_sensitive)
                .build()
                .expect("username configuration"),
        );
    if shape.email_username {
        request = request.username_attributes(UsernameAttributeType::Email);
    }
    let id = request
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .and_then(|p| p.id)
        .expect("pool id");
    if shape.legacy_sub {
        let attribute = SchemaAttributeType::builder()
            .name("legacy_sub")
            .attribute_data_type(AttributeDataType::String)
            .mutable(true)
            .string_attribute_constraints(
                StringAttributeConstraintsType::builder()
                    .max_length("2048")
                    .build(),
            )
            .build();
        client
            .add_custom_attributes()
            .user_pool_id(&id)
            .custom_attributes(attribute)
            .send()
            .await
            .expect("AddCustomAttributes");
    }
    id
}

fn verified(email: &str) -> [(&str, &str); 2] {
    [("email", email), ("email_verified", "true")]
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// The `email` column of every exported row, sorted (the user-name column depends on the new
/// pool's shape).
fn exported_emails(dir: &Path, header: &[String]) -> Vec<String> {
    sorted(
        import_rows(dir, header)
            .into_iter()
            .map(|r| r["email"].clone())
            .collect(),
    )
}

/// ListUsers requests the proxy forwarded.
fn list_users(proxy: &FaultProxy) -> u64 {
    proxy.stats()["by_operation"]["ListUsers"]["requests"]
        .as_u64()
        .unwrap_or(0)
}

/// Old users: `migrated` (in the new pool under another name, with its legacy id), `ada` (whose
/// name a native sign-up without its legacy id holds: someone else, reported), `dormant-1` and
/// `dormant-2` (not there). New pool: those two, and `newcomer`, a native sign-up unknown to the old pool.
#[tokio::test]
async fn the_sweep_exports_exactly_the_users_the_new_pool_lacks() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-old", PLAIN).await;
    let new_shape = Shape {
        legacy_sub: true,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-new", new_shape).await;
    for name in ["migrated", "ada", "dormant-1", "dormant-2"] {
        let email = format!("{name}@example.com");
        create_user(&client, &old, name, &verified(&email), Some("Passw0rd!")).await;
    }
    let migrated_sub = sub_of(&client, &old, "migrated").await;
    let mut renamed = verified("migrated@example.com").to_vec();
    renamed.push(("custom:legacy_sub", &migrated_sub));
    create_user(&client, &new, "migrated-renamed", &renamed, None).await;
    create_user(&client, &new, "ada", &verified("ada@example.com"), None).await;
    create_user(&client, &new, "newcomer", &verified("n@example.com"), None).await;

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let extra = ["--select", "not-in-target", "--segments", "4"];
    let run = export(&testbed.moto_url, &old, &new, &dir, &extra);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let header = csv_header(&client, &new).await;
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(exported.len(), 2);
    assert_eq!(
        exported_emails(&dir, &header),
        ["dormant-1@example.com", "dormant-2@example.com"]
    );
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(sorted(skipped), ["ada", "migrated"]);
    let reasons = reason_rows(&dir, "skipped.csv");
    let reason_of = |name: &str| {
        reasons
            .iter()
            .find(|r| r.0 == name)
            .map(|r| r.2.clone())
            .unwrap_or_default()
    };
    assert!(
        reason_of("migrated").contains("already in the new pool"),
        "{reasons:?}"
    );
    assert!(
        reason_of("ada").contains("holds its sign-in value"),
        "the native ada is someone else: the old ada is neither migrated nor hidden: {reasons:?}"
    );
    let index = dir.join(".export/target-index").join(&new).join("keys.bin");
    assert_eq!(
        std::fs::metadata(&index).expect("the index is kept").len(),
        16 + 3 * 16,
        "a 16-byte header and one 16-byte key per new-pool user"
    );
}

#[tokio::test]
async fn a_case_insensitive_new_pool_matches_user_names_in_any_case() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-case-old", PLAIN).await;
    let insensitive = Shape {
        case_sensitive: false,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-case-new", insensitive).await;
    create_user(&client, &old, "Ada", &verified("a@example.com"), None).await;
    create_user(&client, &old, "Bo", &verified("b@example.com"), None).await;
    create_user(&client, &new, "ada", &verified("a@example.com"), None).await;

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    // Without a legacy id the operator opts out of it, and the sweep matches by user name.
    let mapping = out.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute":null}"#).unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &dir,
        &[
            "--select",
            "not-in-target",
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let header = csv_header(&client, &new).await;
    let (_, _, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(skipped, ["Ada"]);
    assert_eq!(exported_emails(&dir, &header), ["b@example.com"]);
}

#[tokio::test]
async fn an_e_mail_new_pool_with_the_legacy_id_finds_migrated_users() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-mail-old", PLAIN).await;
    let email_pool = Shape {
        email_username: true,
        case_sensitive: false,
        legacy_sub: true,
    };
    let new = create_shaped_pool(&client, "sweep-mail-new", email_pool).await;
    create_user(&client, &old, "ada", &verified("a@example.com"), None).await;
    create_user(&client, &old, "bo", &verified("b@example.com"), None).await;
    let ada_sub = sub_of(&client, &old, "ada").await;
    let migrated = [("email_verified", "true"), ("custom:legacy_sub", &ada_sub)];
    create_user(&client, &new, "a@example.com", &migrated, None).await;
    let native = [("email_verified", "true")];
    create_user(&client, &new, "n@example.com", &native, None).await;

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &dir,
        &["--select", "not-in-target", "--segments", "2"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let header = csv_header(&client, &new).await;
    let (_, _, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(skipped, ["ada"]);
    assert_eq!(exported_emails(&dir, &header), ["b@example.com"]);
}

#[tokio::test]
async fn an_ambiguous_pair_of_pool_shapes_stops_before_reading_the_old_pool() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-ambiguous-old", PLAIN).await;
    let email_pool = Shape {
        email_username: true,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-ambiguous-new", email_pool).await;
    create_user(&client, &old, "ada", &verified("a@example.com"), None).await;
    let source_proxy = FaultProxy::start(&testbed.moto_url);

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &dir,
        &[
            "--select",
            "not-in-target",
            "--source-endpoint-url",
            &source_proxy.url,
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    eprintln!("{stderr}");
    assert!(stderr.contains(&old) && stderr.contains(&new), "{stderr}");
    assert!(
        stderr.contains(&format!("Add custom:legacy_sub to the new pool {new}")),
        "{stderr}"
    );
    assert!(!stderr.contains("Error {"), "no debug structure: {stderr}");
    assert_eq!(list_users(&source_proxy), 0, "the old pool was not read");
    assert!(
        !dir.join(".export").exists(),
        "nothing written, so the same command runs again once the pool is fixed"
    );

    let plan = cognito_migrate(&testbed.moto_url)
        .args(["plan", "--source-pool-id", &old, "--target-pool-id", &new])
        .output()
        .unwrap();
    assert_eq!(plan.status.code(), Some(2), "{}", describe(&plan));
    assert!(
        String::from_utf8_lossy(&plan.stderr).contains("Add custom:legacy_sub"),
        "{}",
        describe(&plan)
    );

    // Opting out of the legacy id does not make the pair matchable: the sweep still stops.
    let mapping = out.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute":null}"#).unwrap();
    let opted_out = export(
        &testbed.moto_url,
        &old,
        &new,
        &dir,
        &[
            "--select",
            "not-in-target",
            "--mapping",
            mapping.to_str().unwrap(),
            "--source-endpoint-url",
            &source_proxy.url,
        ],
    );
    assert_eq!(opted_out.status.code(), Some(2), "{}", describe(&opted_out));
    let stderr = String::from_utf8_lossy(&opted_out.stderr);
    assert!(
        stderr.contains("cannot tell which users of the old pool"),
        "{stderr}"
    );
    assert_eq!(list_users(&source_proxy), 0, "the old pool was not read");
}

/// Waits for `child` at most `limit`.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("export still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("piped")
        .read_to_string(&mut stderr)
        .ok();
    std::process::Output {
        status: child.wait().expect("status"),
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[tokio::test]
async fn a_sweep_killed_while_reading_the_new_pool_resumes_without_reading_finished_shards() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-kill-old", PLAIN).await;
    let new_shape = Shape {
        legacy_sub: true,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-kill-new", new_shape).await;
    for i in 0..6 {
        let name = format!("old-{i}");
        let email = format!("{name}@example.com");
        create_user(&client, &old, &name, &verified(&email), None).await;
    }
    for i in 0..3 {
        let name = format!("old-{i}");
        let email = format!("{name}@example.com");
        create_user(&client, &new, &name, &verified(&email), None).await;
    }
    for i in 0..30 {
        let name = format!("native-{i}");
        let email = format!("{name}@example.com");
        create_user(&client, &new, &name, &verified(&email), None).await;
    }
    let target_proxy = FaultProxy::start(&testbed.moto_url);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let sweep = |extra: &[&str]| {
        cognito_migrate(&testbed.moto_url)
            .args(["export", "--source-pool-id", &old, "--target-pool-id", &new])
            .arg("--out")
            .arg(&dir)
            .args(["--select", "not-in-target", "--segments", "16"])
            .args(["--target-endpoint-url", &target_proxy.url])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cognito-migrate starts")
    };

    // 16 shards of fewer than 60 users: one ListUsers page each, two a second.
    let mut child = sweep(&["--rps", "2"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while list_users(&target_proxy) < 7 {
        assert!(Instant::now() < deadline, "the new pool is not being read");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("SIGKILL");
    child.wait().ok();
    let read_before = list_users(&target_proxy);
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join(".export/target-index")
                .join(&new)
                .join("state.json"),
        )
        .expect("the index state is kept"),
    )
    .unwrap();
    let shards = state["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 16);
    let done = shards.iter().filter(|s| s["done"] == true).count() as u64;
    assert!(
        (1..16).contains(&done),
        "killed mid-scan: {done} shards done"
    );

    let mut child = sweep(&["--resume", "--rps", "20"]);
    let run = wait_at_most(&mut child, Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_eq!(
        list_users(&target_proxy) - read_before,
        16 - done,
        "only the unfinished shards are read again"
    );
    let header = csv_header(&client, &new).await;
    let (_, _, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(sorted(skipped), ["old-0", "old-1", "old-2"]);
    assert_eq!(
        exported_emails(&dir, &header),
        [
            "old-3@example.com",
            "old-4@example.com",
            "old-5@example.com"
        ]
    );

    let read_before = list_users(&target_proxy);
    let mut child = sweep(&["--resume"]);
    let run = wait_at_most(&mut child, Duration::from_secs(60));
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_eq!(
        list_users(&target_proxy),
        read_before,
        "a finished index is loaded, not read again"
    );
}

#[tokio::test]
async fn plan_reads_a_new_pool_with_a_native_sign_up() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-plan-old", PLAIN).await;
    let new_shape = Shape {
        legacy_sub: true,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-plan-new", new_shape).await;
    for name in ["migrated", "waiting"] {
        let email = format!("{name}@example.com");
        create_user(&client, &old, name, &verified(&email), Some("Passw0rd!")).await;
    }
    let migrated_sub = sub_of(&client, &old, "migrated").await;
    let mut migrated = verified("migrated@example.com").to_vec();
    migrated.push(("custom:legacy_sub", &migrated_sub));
    create_user(&client, &new, "migrated", &migrated, None).await;
    create_user(&client, &new, "native", &verified("n@example.com"), None).await;

    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("plan.json");
    let run = cognito_migrate(&testbed.moto_url)
        .args(["plan", "--source-pool-id", &old, "--target-pool-id", &new])
        .args(["--segments", "4", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["total"], 2);
    assert_eq!(plan["already_in_target"], 1);
    assert_eq!(
        plan["need_trigger"], 1,
        "waiting is not in the new pool yet"
    );
}

#[tokio::test]
async fn a_failing_read_of_the_new_pool_names_the_pool_the_call_and_the_fix() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_shaped_pool(&client, "sweep-fail-old", PLAIN).await;
    let new_shape = Shape {
        legacy_sub: true,
        ..PLAIN
    };
    let new = create_shaped_pool(&client, "sweep-fail-new", new_shape).await;
    create_user(&client, &old, "ada", &verified("a@example.com"), None).await;
    let target_proxy = FaultProxy::start(&testbed.moto_url);
    target_proxy.configure(r#"{"error_share": 1.0, "operations": ["ListUsers"]}"#);

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("sweep");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &dir,
        &[
            "--select",
            "not-in-target",
            "--max-retries",
            "0",
            "--target-endpoint-url",
            &target_proxy.url,
        ],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    eprintln!("{stderr}");
    assert!(stderr.contains(&format!("ListUsers on {new}")), "{stderr}");
    assert!(
        stderr.contains("InternalErrorException: injected fault") || stderr.contains("HTTP 503"),
        "the service's code: {stderr}"
    );
    assert!(stderr.contains("rerun with --resume"), "{stderr}");
    assert!(!stderr.contains("Error {"), "no debug structure: {stderr}");
}
