//! `cognito-migrate export` against moto (old and new pool) with the project's GetCSVHeader
//! extension: every mapping and format rule, hostile values, selection modes, segments, resume
//! after a kill, expired tokens, and the reconciliation invariant.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{
    assert_reconciles, disabled_rows, import_rows, reason_rows, summary,
};
use integration_tests::pools::{MigrationPools, PoolSpec, create_user, disable_user, sub_of};

async fn pools(name: &str) -> MigrationPools {
    MigrationPools::create_with(
        &PoolSpec::named(&format!("{name}-old")).with_custom(&["tenant", "note"]),
        &PoolSpec::named(&format!("{name}-new")).with_custom(&["tenant", "note", "legacy_sub"]),
    )
    .await
}

fn by_username(rows: Vec<BTreeMap<String, String>>) -> BTreeMap<String, BTreeMap<String, String>> {
    rows.into_iter()
        .map(|r| (r["cognito:username"].clone(), r))
        .collect()
}

const VERIFIED: [(&str, &str); 2] = [("email_verified", "true"), ("email", "placeholder")];

fn verified(email: &str) -> Vec<(&str, &str)> {
    vec![("email", email), ("email_verified", "true")]
}

#[tokio::test]
async fn every_format_rule_and_hostile_value_is_written_or_rejected_with_a_reason() {
    let p = pools("format").await;
    let _ = VERIFIED;
    let long = "ж".repeat(2000);
    let mut users = format_users(&long);
    users.push(("disabled", verified("off@example.com")));
    for (name, attributes) in &users {
        create_user(&p.client, &p.old, name, attributes, Some("Passw0rd!")).await;
    }
    disable_user(&p.client, &p.old, "disabled").await;

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("export");
    let run = export(&p.endpoint, &p.old, &p.new, &dir, &["--select", "all"]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "some users are rejected: {}",
        describe(&run)
    );

    let header = p.header().await;
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(exported.len() + rejected.len(), users.len());
    assert!(skipped.is_empty());
    assert_written_rows(&p, &dir, &header, &long).await;
    assert_rejects_name_user_and_field(&dir);

    let disabled = disabled_rows(&dir, &header);
    assert_eq!(disabled.len(), 1, "{disabled:?}");
    assert_eq!(disabled[0]["cognito:username"], "disabled");
    assert_eq!(disabled[0]["email"], "off@example.com");
    let summary = summary(&dir);
    assert_eq!(summary["rejected_by_reason"]["no-verified-contact"], 2);
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["files"][0]["name"], "users-0001.csv");
    let mapping = std::fs::read_to_string(dir.join("mapping.json")).unwrap();
    assert!(
        mapping.contains("custom:legacy_sub"),
        "the effective mapping is written for the trigger"
    );
}

/// The old users of the format test: one per format rule that is written, and one per reason a
/// user is rejected (`long` is a 2,000-character value).
fn format_users(long: &str) -> Vec<(&'static str, Vec<(&str, &str)>)> {
    vec![
        ("plain", verified("plain@example.com")),
        (
            "comma",
            [
                verified("comma@example.com"),
                vec![("name", "Lovelace, Ada"), ("custom:note", "a,b,,c")],
            ]
            .concat(),
        ),
        (
            "backslash",
            [
                verified("bs@example.com"),
                vec![("custom:note", "C:\\dir\\file")],
            ]
            .concat(),
        ),
        (
            "quotes",
            [
                verified("q@example.com"),
                vec![("nickname", "The \"Count\"")],
            ]
            .concat(),
        ),
        (
            "scripts",
            [
                verified("s@example.com"),
                vec![
                    ("name", "Zoë Ólafsdóttir 山田太郎 Дмитрий"),
                    ("custom:note", "🦀🚀"),
                ],
            ]
            .concat(),
        ),
        (
            "long",
            [verified("long@example.com"), vec![("custom:note", long)]].concat(),
        ),
        (
            "dates",
            [
                verified("d@example.com"),
                vec![("birthdate", "1985-02-01"), ("updated_at", "1471453471")],
            ]
            .concat(),
        ),
        (
            "phone",
            vec![
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
                ("email", "ph@example.com"),
                ("email_verified", "true"),
            ],
        ),
        (
            "tenant",
            [verified("t@example.com"), vec![("custom:tenant", "acme")]].concat(),
        ),
        // Rejected, each for its own reason:
        (
            "newline",
            [
                verified("nl@example.com"),
                vec![("custom:note", "two\nlines")],
            ]
            .concat(),
        ),
        ("nocontact", vec![("name", "No Contact")]),
        (
            "unverified",
            vec![("email", "u@example.com"), ("email_verified", "false")],
        ),
        (
            "badphone",
            [
                verified("bp@example.com"),
                vec![("phone_number", "555-1234")],
            ]
            .concat(),
        ),
        (
            "trailingbs",
            [verified("tb@example.com"), vec![("custom:note", "ends\\")]].concat(),
        ),
    ]
}

/// The written users' rows: every value as Cognito's import format carries it.
async fn assert_written_rows(p: &MigrationPools, dir: &Path, header: &[String], long: &str) {
    let rows = by_username(import_rows(dir, header));
    assert_eq!(rows["plain"]["email"], "plain@example.com");
    assert_eq!(rows["plain"]["email_verified"], "TRUE");
    assert_eq!(rows["plain"]["cognito:mfa_enabled"], "FALSE");
    assert_eq!(
        rows["plain"]["custom:legacy_sub"],
        sub_of(&p.client, &p.old, "plain").await
    );
    assert!(!header.contains(&"sub".to_string()));
    assert_eq!(rows["comma"]["name"], "Lovelace, Ada");
    assert_eq!(rows["comma"]["custom:note"], "a,b,,c");
    assert_eq!(rows["backslash"]["custom:note"], "C:\\dir\\file");
    assert_eq!(rows["quotes"]["nickname"], "The \"Count\"");
    assert_eq!(rows["scripts"]["name"], "Zoë Ólafsdóttir 山田太郎 Дмитрий");
    assert_eq!(rows["scripts"]["custom:note"], "🦀🚀");
    assert_eq!(rows["long"]["custom:note"], long);
    assert_eq!(rows["dates"]["birthdate"], "02/01/1985");
    assert_eq!(rows["dates"]["updated_at"], "1471453471");
    assert_eq!(rows["phone"]["phone_number_verified"], "TRUE");
    assert_eq!(rows["tenant"]["custom:tenant"], "acme");
    assert!(
        !rows.contains_key("disabled"),
        "a disabled user is never in an import file (it would be live after the job)"
    );
    let raw = std::fs::read_to_string(dir.join("users-0001.csv")).unwrap();
    assert!(
        raw.contains("Lovelace\\, Ada"),
        "commas are escaped with a backslash, never quoted"
    );
}

/// The rejected users, each with the sentence naming its field and its old sub.
fn assert_rejects_name_user_and_field(dir: &Path) {
    let reasons: BTreeMap<String, String> = reason_rows(dir, "rejected.csv")
        .into_iter()
        .map(|(u, _, r)| (u, r))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    assert_eq!(
        reasons["newline"],
        "custom:note contains a line break, which the CSV import format cannot carry"
    );
    assert!(
        reasons["nocontact"]
            .starts_with("no verified email or phone: the user could never reset the password")
    );
    assert!(reasons["unverified"].starts_with("no verified email or phone"));
    assert_eq!(
        reasons["badphone"],
        "phone_number not E.164 (+ then 2 to 15 digits)"
    );
    assert_eq!(
        reasons["trailingbs"],
        "custom:note ends with a backslash, which the CSV import format cannot carry"
    );
    let rejected_subs: Vec<String> = reason_rows(dir, "rejected.csv")
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert!(
        rejected_subs.iter().all(|s| !s.is_empty()),
        "rejects carry the old sub"
    );
}

async fn seed_many(p: &MigrationPools, count: usize, prefix: &str) {
    let mut tasks = Vec::new();
    for chunk in (0..count)
        .collect::<Vec<_>>()
        .chunks(count.div_ceil(8).max(1))
    {
        let client = p.client.clone();
        let pool = p.old.clone();
        let chunk = chunk.to_vec();
        let prefix = prefix.to_string();
        tasks.push(tokio::spawn(async move {
            for i in chunk {
                let name = format!("{prefix}{i:05}");
                let email = format!("{name}@example.com");
                let attributes = [
                    ("email", email.as_str()),
                    ("email_verified", if i % 10 == 0 { "false" } else { "true" }),
                ];
                create_user(&client, &pool, &name, &attributes, None).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn one_and_sixteen_segments_give_the_same_files() {
    let p = pools("segments").await;
    seed_many(&p, 300, "seg").await;
    let header = p.header().await;
    let out = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for segments in ["1", "16"] {
        let dir = out.path().join(segments);
        let run = export(
            &p.endpoint,
            &p.old,
            &p.new,
            &dir,
            &["--select", "all", "--segments", segments, "--rps", "30"],
        );
        assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
        let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
        let mut rows: Vec<String> = import_rows(&dir, &header)
            .into_iter()
            .map(|r| format!("{r:?}"))
            .collect();
        rows.sort();
        results.push((sorted(exported), sorted(rejected), skipped, rows));
    }
    assert_eq!(results[0].0.len(), 270);
    assert_eq!(results[0].1.len(), 30);
    assert_eq!(results[0], results[1]);
}

#[tokio::test]
async fn import_files_rotate_at_the_row_limit() {
    let p = pools("rotate").await;
    seed_many(&p, 25, "rot").await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "all", "--max-rows-per-file", "10"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let header = p.header().await;
    let (exported, _, _) = assert_reconciles(&dir, &header);
    assert_eq!(exported.len(), 22);
    let files = summary(&dir)["files"].as_array().unwrap().clone();
    let rows: Vec<u64> = files.iter().map(|f| f["rows"].as_u64().unwrap()).collect();
    assert_eq!(rows, [10, 10, 2]);
    assert!(dir.join("users-0003.csv").exists());
}

/// Runs an export and kills it with SIGKILL as soon as its checkpoint satisfies `ready`;
/// returns whether it was killed (false: it finished first).
fn export_killed_when(
    p: &MigrationPools,
    dir: &Path,
    extra: &[&str],
    ready: impl Fn(&serde_json::Value) -> bool,
) -> bool {
    let mut child = cognito_migrate(&p.endpoint)
        .args([
            "export",
            "--source-pool-id",
            &p.old,
            "--target-pool-id",
            &p.new,
            "--select",
            "all",
            "--out",
        ])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let checkpoint = dir.join(".export/checkpoint.json");
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let state = std::fs::read_to_string(&checkpoint)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        if state.as_ref().is_some_and(&ready) {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("the export never reached the awaited checkpoint");
}

fn shards_done(checkpoint: &serde_json::Value) -> usize {
    checkpoint["shards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["done"] == true)
        .count()
}
// 16 shards of ~25 users at 2 requests/s: kill it twice as its checkpoint shows progress.
#[tokio::test]
async fn a_killed_export_resumes_with_nothing_lost_or_duplicated() {
    let p = pools("resume").await;
    seed_many(&p, 400, "res").await;
    let header = p.header().await;
    let out = tempfile::tempdir().unwrap();

    let reference = out.path().join("reference");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &reference,
        &["--select", "all", "--rps", "30", "--segments", "4"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let expected = assert_reconciles(&reference, &header);

    // 16 shards of ~25 users at 2 requests/s: the run takes about 8 s; kill it mid-way, twice.
    let dir = out.path().join("killed");
    let slow = ["--rps", "2", "--segments", "4"];
    assert!(
        export_killed_when(&p, &dir, &slow, |c| shards_done(c) >= 3),
        "killed while running"
    );
    let mut resume: Vec<&str> = slow.to_vec();
    resume.push("--resume");
    assert!(
        export_killed_when(&p, &dir, &resume, |c| shards_done(c) >= 8),
        "killed while running"
    );
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &[
            "--select",
            "all",
            "--rps",
            "30",
            "--segments",
            "4",
            "--resume",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(sorted(exported), sorted(expected.0));
    assert_eq!(sorted(rejected), sorted(expected.1));
    assert_eq!(skipped, expected.2);
}

#[tokio::test]
async fn an_expired_pagination_token_restarts_the_shard_without_duplicates() {
    let p = pools("expired").await;
    seed_many(&p, 240, "exp").await;
    let header = p.header().await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    // One unfiltered scan of 4 pages at 1 request/s: kill once a page is checkpointed.
    assert!(export_killed_when(&p, &dir, &["--rps", "1"], |c| {
        c["shards"][0]["next_token"].is_string()
    }));
    let checkpoint_path = dir.join(".export/checkpoint.json");
    let mut checkpoint: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint_path).unwrap()).unwrap();
    let shard = &mut checkpoint["shards"][0];
    assert!(shard["next_token"].is_string(), "killed mid-scan: {shard}");
    shard["next_token"] = serde_json::json!("dGhpcyB0b2tlbiBoYXMgZXhwaXJlZA==");
    std::fs::write(&checkpoint_path, serde_json::to_vec(&checkpoint).unwrap()).unwrap();

    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "all", "--resume", "--rps", "30"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (exported, rejected, _) = assert_reconciles(&dir, &header);
    assert_eq!(exported.len() + rejected.len(), 240);
}

#[tokio::test]
async fn passwordless_leaves_confirmed_users_for_the_trigger() {
    let p = pools("passwordless").await;
    create_user(
        &p.client,
        &p.old,
        "confirmed",
        &verified("c@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &p.client,
        &p.old,
        "temporary",
        &verified("t@example.com"),
        None,
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "passwordless"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let (exported, rejected, skipped) = assert_reconciles(&dir, &p.header().await);
    assert_eq!(exported, ["temporary"]);
    assert!(rejected.is_empty());
    assert_eq!(skipped, ["confirmed"]);
    let reason = &reason_rows(&dir, "skipped.csv")[0].2;
    assert!(reason.contains("UserMigration trigger"), "{reason}");
}

#[tokio::test]
async fn not_in_target_skips_users_the_new_pool_already_has() {
    let p = pools("sweep").await;
    create_user(
        &p.client,
        &p.old,
        "migrated",
        &verified("m@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &p.client,
        &p.old,
        "dormant",
        &verified("d@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &p.client,
        &p.old,
        "renamed",
        &verified("r@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    let renamed_sub = sub_of(&p.client, &p.old, "renamed").await;
    create_user(
        &p.client,
        &p.new,
        "migrated",
        &verified("m@example.com"),
        None,
    )
    .await;
    create_user(
        &p.client,
        &p.new,
        "someone-else",
        &[
            ("email", "r@example.com"),
            ("email_verified", "true"),
            ("custom:legacy_sub", &renamed_sub),
        ],
        None,
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "not-in-target"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let (exported, _, skipped) = assert_reconciles(&dir, &p.header().await);
    assert_eq!(exported, ["dormant"]);
    assert_eq!(sorted(skipped), ["migrated", "renamed"]);
}

#[tokio::test]
async fn a_mapping_file_renames_drops_and_defaults() {
    let p = pools("mapping").await;
    create_user(
        &p.client,
        &p.old,
        "ada",
        &[
            ("email", "a@example.com"),
            ("email_verified", "true"),
            ("custom:note", "secret note"),
            ("custom:tenant", "acme"),
        ],
        Some("Passw0rd!"),
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let mapping = out.path().join("mapping.json");
    std::fs::write(
        &mapping,
        r#"{"rename":{"custom:tenant":"custom:note"},"drop":["custom:note"],"defaults":{"locale":"en-GB"},"legacy_sub_attribute":null}"#,
    )
    .unwrap();
    let dir = out.path().join("e");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "all", "--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let header = p.header().await;
    let rows = by_username(import_rows(&dir, &header));
    assert_eq!(rows["ada"]["custom:note"], "acme");
    assert_eq!(rows["ada"]["custom:tenant"], "");
    assert_eq!(rows["ada"]["locale"], "en-GB");
    assert_eq!(rows["ada"]["custom:legacy_sub"], "");
}

#[tokio::test]
async fn errors_say_what_to_do_next() {
    let p = pools("errors").await;
    let out = tempfile::tempdir().unwrap();
    let run = export(
        &p.endpoint,
        "us-east-1_doesnotexist",
        &p.new,
        &out.path().join("a"),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("us-east-1_doesnotexist") && stderr.contains("region"),
        "{stderr}"
    );

    std::fs::write(out.path().join("stray.txt"), "x").unwrap();
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        out.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("--resume"),
        "{}",
        describe(&run)
    );

    let bad_mapping = out.path().join("bad.json");
    std::fs::write(&bad_mapping, r#"{"rename":{"custom:x":"sub"}}"#).unwrap();
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &out.path().join("b"),
        &[
            "--select",
            "all",
            "--mapping",
            bad_mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("sub can never be written"),
        "{}",
        describe(&run)
    );

    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &out.path().join("c"),
        &["--select", "all", "--rps", "31"],
    );
    assert_eq!(
        run.status.code(),
        Some(2),
        "rps above the ListUsers quota is refused: {}",
        describe(&run)
    );

    // A malformed pool id is refused when the flags are read, naming the flag: no request is sent
    // (the endpoint is a closed port).
    let run = export(
        "http://127.0.0.1:9",
        "eu-west-1-AbC123",
        &p.new,
        &out.path().join("d"),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("--source-pool-id") && stderr.contains("<region>_<id>"),
        "{stderr}"
    );

    // An --out that cannot be created (a file is in the way) is found before any request.
    let in_the_way = out.path().join("a-file");
    std::fs::write(&in_the_way, "x").unwrap();
    let run = export(
        "http://127.0.0.1:9",
        &p.old,
        &p.new,
        &in_the_way.join("export"),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("cannot write to --out") && stderr.contains("a-file"),
        "{stderr}"
    );
    assert!(!stderr.contains("could not be reached"), "{stderr}");
}

#[tokio::test]
async fn the_region_comes_from_the_pool_id_when_nothing_else_names_one() {
    let p = pools("region").await;
    create_user(&p.client, &p.old, "ada", &verified("ada@example.com"), None).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("export");
    let run = cognito_migrate(&p.endpoint)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env("AWS_CONFIG_FILE", out.path().join("no-config"))
        .args(["export", "--select", "all", "--source-pool-id", &p.old])
        .args(["--target-pool-id", &p.new, "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_eq!(summary(&dir)["exported"], 1);
}

#[tokio::test]
async fn groups_and_memberships_are_exported() {
    let p = pools("groups").await;
    for name in ["ada", "bo"] {
        create_user(
            &p.client,
            &p.old,
            name,
            &verified(&format!("{name}@example.com")),
            Some("Passw0rd!"),
        )
        .await;
    }
    p.client
        .create_group()
        .user_pool_id(&p.old)
        .group_name("admins")
        .description("can do everything, really")
        .precedence(1)
        .role_arn("arn:aws:iam::123456789012:role/admins")
        .send()
        .await
        .unwrap();
    p.client
        .create_group()
        .user_pool_id(&p.old)
        .group_name("readers")
        .send()
        .await
        .unwrap();
    for (group, user) in [("admins", "ada"), ("readers", "ada"), ("readers", "bo")] {
        p.client
            .admin_add_user_to_group()
            .user_pool_id(&p.old)
            .group_name(group)
            .username(user)
            .send()
            .await
            .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let run = export(&p.endpoint, &p.old, &p.new, &dir, &["--select", "all"]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let lines = |file: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(dir.join(file))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let mut groups = lines("groups.jsonl");
    groups.sort_by_key(|g| g["name"].as_str().unwrap().to_string());
    assert_eq!(
        groups[0],
        serde_json::json!({"name": "admins", "description": "can do everything, really", "precedence": 1, "role_arn": "arn:aws:iam::123456789012:role/admins"})
    );
    assert_eq!(groups[1]["name"], "readers");
    assert_eq!(groups[1]["precedence"], serde_json::Value::Null);
    let mut memberships: Vec<(String, String)> = lines("memberships.jsonl")
        .iter()
        .map(|m| {
            (
                m["group"].as_str().unwrap().into(),
                m["username"].as_str().unwrap().into(),
            )
        })
        .collect();
    memberships.sort();
    assert_eq!(
        memberships,
        [
            ("admins".into(), "ada".into()),
            ("readers".into(), "ada".into()),
            ("readers".into(), "bo".into())
        ]
    );
    let summary = summary(&dir);
    assert_eq!(summary["groups"], 2);
    assert_eq!(summary["memberships"], 3);
}

#[tokio::test]
async fn a_run_killed_before_its_first_checkpoint_resumes_from_scratch() {
    let p = pools("unstarted").await;
    create_user(
        &p.client,
        &p.old,
        "ada",
        &verified("ada@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    // What a run killed during set-up leaves: its state folder and some files, no checkpoint.
    std::fs::create_dir_all(dir.join(".export")).unwrap();
    std::fs::write(dir.join(".export/seen-all.txt"), "").unwrap();
    std::fs::write(dir.join("rejected.csv"), "username,sub,reason\n").unwrap();
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "all", "--resume"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let (exported, _, _) = assert_reconciles(&dir, &p.header().await);
    assert_eq!(exported, ["ada"]);

    // Killed before it wrote anything: an empty folder (a run creates --out before anything else).
    let never = out.path().join("never");
    std::fs::create_dir_all(&never).unwrap();
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &never,
        &["--select", "all", "--resume"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("holds no export yet"),
        "{}",
        describe(&run)
    );
    assert_eq!(assert_reconciles(&never, &p.header().await).0, ["ada"]);

    // No folder at all is a typo, not a run to resume (operator_errors.rs has the message).
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &out.path().join("typo"),
        &["--select", "all", "--resume"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));

    // A folder that is not such a leftover is still refused.
    let other = out.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &other,
        &["--select", "all", "--resume"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    assert!(other.join("notes.txt").exists());
}
