//! `cognito-migrate verify` against moto: missing users, differing attributes, enabled state
//! and missing memberships are found and named; a complete migration verifies clean, and so does
//! export → import → groups with a disabled user (created disabled).

use std::path::Path;
use std::process::Output;

use aws_sdk_cognitoidentityprovider::Client;
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::import_support::import;
use integration_tests::pools::{MigrationPools, create_user, disable_user, group_with, sub_of};

/// Copies an old user into the new pool the way a migration would (same name, legacy sub).
async fn migrate(client: &Client, old: &str, new: &str, username: &str, email: &str) {
    let sub = sub_of(client, old, username).await;
    create_user(
        client,
        new,
        username,
        &[
            ("email", email),
            ("email_verified", "true"),
            ("custom:legacy_sub", &sub),
        ],
        None,
    )
    .await;
}

#[tokio::test]
async fn verify_names_what_is_missing_or_different() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("verify").await;
    for name in ["moved", "changed", "missing"] {
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
    create_user(
        &client,
        &old,
        "invalid",
        &[("phone_number", "12345")],
        Some("Passw0rd!"),
    )
    .await;
    group_with(&client, &old, "admins", &["moved", "changed"]).await;
    migrate(&client, &old, &new, "moved", "moved@example.com").await;
    migrate(&client, &old, &new, "changed", "other@example.com").await;
    group_with(&client, &new, "admins", &["moved"]).await;

    let dir = tempfile::tempdir().unwrap();
    let differences = dir.path().join("differences.csv");
    let json = dir.path().join("verify.json");
    let run = cognito_migrate(&endpoint)
        .args([
            "verify",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--differences",
        ])
        .arg(&differences)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let counts: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(counts["old_users"], 4);
    assert_eq!(counts["present"], 2);
    assert_eq!(counts["missing"], 1);
    assert_eq!(counts["expected_missing"]["invalid-value"], 1);
    assert_eq!(counts["attributes_differ"], 1);
    assert_eq!(counts["memberships_missing"], 1);
    let mut rows: Vec<String> = std::fs::read_to_string(&differences)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            "changed,attributes-differ,email",
            "changed,membership-missing,admins",
            "invalid,expected-missing,phone_number not E.164 (+ then 2 to 15 digits)",
            "missing,missing,not in the new pool",
            "username,kind,detail",
        ]
    );
    assert!(
        !rows.iter().any(|r| r.contains("other@example.com")),
        "values never reach the report"
    );
}

#[tokio::test]
async fn a_complete_migration_verifies_clean() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("clean").await;
    create_user(
        &client,
        &old,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        Some("Passw0rd!"),
    )
    .await;
    group_with(&client, &old, "readers", &["ada"]).await;
    migrate(&client, &old, &new, "ada", "ada@example.com").await;
    group_with(&client, &new, "readers", &["ada"]).await;
    let run = cognito_migrate(&endpoint)
        .args(["verify", "--source-pool-id", &old, "--target-pool-id", &new])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("nothing is missing"));
}

/// Runs `verify` with a differences report and JSON counts in `dir`.
fn verify(endpoint: &str, old: &str, new: &str, dir: &Path) -> Output {
    cognito_migrate(endpoint)
        .args(["verify", "--source-pool-id", old, "--target-pool-id", new])
        .arg("--differences")
        .arg(dir.join("differences.csv"))
        .arg("--json")
        .arg(dir.join("verify.json"))
        .output()
        .unwrap()
}

fn counts(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("verify.json")).unwrap()).unwrap()
}

fn sorted_rows(dir: &Path) -> Vec<String> {
    let mut rows: Vec<String> = std::fs::read_to_string(dir.join("differences.csv"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    rows.sort();
    rows
}

/// The issue's first finding: a user banned (disabled) in the old pool who is live in the new one.
#[tokio::test]
async fn a_banned_user_live_in_the_new_pool_is_a_difference() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("banned").await;
    for name in ["banned", "member"] {
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
        migrate(&client, &old, &new, name, &format!("{name}@example.com")).await;
    }
    disable_user(&client, &old, "banned").await;
    group_with(&client, &old, "staff", &["member"]).await;
    group_with(&client, &new, "staff", &[]).await;

    let dir = tempfile::tempdir().unwrap();
    let run = verify(&endpoint, &old, &new, dir.path());
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let counts = counts(dir.path());
    assert_eq!(counts["present"], 2);
    assert_eq!(counts["enabled_differs"], 1, "banned");
    assert_eq!(counts["status_differs"], 0);
    assert_eq!(counts["attributes_differ"], 0);
    assert_eq!(counts["memberships_missing"], 1, "member in staff");
    assert_eq!(
        sorted_rows(dir.path()),
        [
            "banned,enabled-differs,\"disabled in the old pool, enabled in the new pool\"",
            "member,membership-missing,staff",
            "username,kind,detail",
        ]
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("enabled differs 1"), "{stdout}");
    assert!(stdout.contains("differences found"), "{stdout}");
}

/// `import` creates the old pool's disabled users disabled (`FORCE_CHANGE_PASSWORD`) and the
/// others `RESET_REQUIRED`: what a migration does, so verify is clean and counts the resets.
#[tokio::test]
async fn export_import_groups_with_a_disabled_user_verifies_clean() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("verify-import").await;
    for name in ["ada", "banned"] {
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
    create_user(
        &client,
        &old,
        "temporary",
        &[("email", "t@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    disable_user(&client, &old, "banned").await;
    group_with(&client, &old, "readers", &["ada", "banned", "temporary"]).await;

    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("export");
    let run = export(&endpoint, &old, &new, &out, &["--select", "not-in-target"]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let run = import(&endpoint, &new, &out, &["--wait"]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let run = cognito_migrate(&endpoint)
        .args(["groups", "--target-pool-id", &new, "--dir"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let banned = client
        .admin_get_user()
        .user_pool_id(&new)
        .username("banned")
        .send()
        .await
        .unwrap();
    assert!(!banned.enabled(), "import creates the banned user disabled");

    let run = verify(&endpoint, &old, &new, work.path());
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let counts = counts(work.path());
    assert_eq!(counts["present"], 3);
    assert_eq!(counts["enabled_differs"], 0);
    assert_eq!(counts["status_differs"], 0);
    assert_eq!(counts["memberships_missing"], 0);
    assert_eq!(
        counts["passwords_reset"], 2,
        "ada (imported RESET_REQUIRED) and banned (created disabled) had passwords"
    );
    assert_eq!(sorted_rows(work.path()), ["username,kind,detail"]);
}

/// The two pool ids swapped: the "old" pool carries the legacy-id attribute, the "new" one not.
/// Every command that reads both pools says so before reading a user, instead of a verify that
/// finds nobody and calls it nothing missing.
#[tokio::test]
async fn swapped_pools_are_named_before_anything_is_read() {
    let pools = MigrationPools::create("verify-swapped").await;
    create_user(
        &pools.client,
        &pools.old,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    migrate(
        &pools.client,
        &pools.old,
        &pools.new,
        "ada",
        "ada@example.com",
    )
    .await;
    let swapped = [
        "--source-pool-id",
        &pools.new,
        "--target-pool-id",
        &pools.old,
    ];
    for command in ["verify", "plan", "status"] {
        let run = cognito_migrate(&pools.endpoint)
            .arg(command)
            .args(swapped)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2), "{command}: {}", describe(&run));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains("did you swap the two pool ids")
                && stderr.contains(pools.old.as_str())
                && stderr.contains(pools.new.as_str()),
            "{command}: {stderr}"
        );
    }
}

/// A mapping that names an attribute neither pool has (a typo) stops `plan`, `verify`, `status`
/// and `export` before any user is read, naming the name, the closest one the pool has and the
/// mapping file; a silent `drop` of a misspelled name would copy the attribute meant to stay
/// behind. Each kind of name: `drop`, `rename` source and target, `defaults`, and the legacy id.
#[tokio::test]
async fn a_mapping_typo_stops_the_run_naming_the_closest_attribute() {
    use integration_tests::pools::PoolSpec;
    let pools = MigrationPools::create_with(
        &PoolSpec::named("mapping-typo-old").with_custom(&["tenant", "org"]),
        &PoolSpec::named("mapping-typo-new").with_custom(&["tenant", "team", "legacy_sub"]),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let typos = [
        (
            r#"{"drop":["custom:tennant"]}"#,
            "drop names \"custom:tennant\"",
            "custom:tenant",
        ),
        (
            r#"{"rename":{"custom:orgg":"custom:team"}}"#,
            "rename (source) names \"custom:orgg\"",
            "custom:org",
        ),
        (
            r#"{"rename":{"custom:org":"custom:teem"}}"#,
            "rename (target) names \"custom:teem\"",
            "custom:team",
        ),
        (
            r#"{"defaults":{"custom:tenantt":"x"}}"#,
            "defaults names \"custom:tenantt\"",
            "custom:tenant",
        ),
        (
            r#"{"legacy_sub_attribute":"custom:legacy_sib"}"#,
            "legacy_sub_attribute names \"custom:legacy_sib\"",
            "custom:legacy_sub",
        ),
    ];
    for (i, (json, named, closest)) in typos.iter().enumerate() {
        let mapping = dir.path().join(format!("mapping-{i}.json"));
        std::fs::write(&mapping, json).unwrap();
        let out = dir.path().join(format!("out-{i}"));
        for command in ["plan", "verify", "status", "export"] {
            let mut run = cognito_migrate(&pools.endpoint);
            run.arg(command)
                .args([
                    "--source-pool-id",
                    &pools.old,
                    "--target-pool-id",
                    &pools.new,
                ])
                .arg("--mapping")
                .arg(&mapping);
            if command == "export" {
                run.arg("--out").arg(&out).args(["--select", "all"]);
            }
            let run = run.output().unwrap();
            assert_eq!(
                run.status.code(),
                Some(2),
                "{command} {json}: {}",
                describe(&run)
            );
            let stderr = String::from_utf8_lossy(&run.stderr);
            assert!(
                stderr.contains(named)
                    && stderr.contains(&format!("did you mean \"{closest}\""))
                    && stderr.contains(&format!("the mapping file {}", mapping.display())),
                "{command} {json}: {stderr}"
            );
        }
    }
}

/// A new pool without the legacy-id attribute (the pools not swapped): `verify`, `plan`, `status`
/// and `export` stop before reading a user, saying what to add, instead of a verify that counts
/// every old user as expected to be missing and exits 0. A mapping that opts out of the legacy id
/// (`null`) lets `verify` compare by user name, and it says so.
#[tokio::test]
async fn a_new_pool_without_the_legacy_id_stops_every_comparison_unless_opted_out() {
    use integration_tests::pools::PoolSpec;
    let pools = MigrationPools::create_with(
        &PoolSpec::named("no-legacy-old"),
        &PoolSpec::named("no-legacy-new"),
    )
    .await;
    create_user(
        &pools.client,
        &pools.old,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let pool_args = [
        "--source-pool-id",
        &pools.old,
        "--target-pool-id",
        &pools.new,
    ];
    for command in ["verify", "plan", "status", "export"] {
        let mut run = cognito_migrate(&pools.endpoint);
        run.arg(command).args(pool_args);
        if command == "export" {
            run.arg("--out")
                .arg(dir.path().join("out"))
                .args(["--select", "all"]);
        }
        let run = run.output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{command}: {}", describe(&run));
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(
            stderr.contains(&format!(
                "Add custom:legacy_sub to the new pool {}",
                pools.new
            )) && stderr.contains("\"legacy_sub_attribute\": null"),
            "{command}: {stderr}"
        );
    }

    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute":null}"#).unwrap();
    let run = cognito_migrate(&pools.endpoint)
        .arg("verify")
        .args(pool_args)
        .arg("--mapping")
        .arg(&mapping)
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(1),
        "ada is missing: {}",
        describe(&run)
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("matched by user name"), "{stderr}");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("missing 1"), "{stdout}");
}

/// Without legacy ids `verify` finds old users by the rule `plan`, `status` and the sweep use
/// (`MatchRule`): in a case-insensitive new pool, a user the trigger created under the case typed
/// at sign-in ("Ada" for the old "ada") is present; where the two pools sign in by different kinds
/// of value (user name, e-mail as user name), nothing can tie a new user to an old one, and
/// `verify` stops with what to add instead of counting everyone missing.
#[tokio::test]
async fn without_legacy_ids_verify_matches_by_the_runs_one_rule_on_each_shape() {
    use aws_sdk_cognitoidentityprovider::types::{
        UsernameAttributeType, UsernameConfigurationType,
    };
    use integration_tests::pools::PoolSpec;
    let case_insensitive = PoolSpec {
        username_configuration: Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        ),
        ..PoolSpec::named("verify-folded-new")
    };
    let pools =
        MigrationPools::create_with(&PoolSpec::named("verify-folded-old"), &case_insensitive).await;
    let email = [("email", "ada@example.com"), ("email_verified", "true")];
    create_user(&pools.client, &pools.old, "ada", &email, Some("Passw0rd!x")).await;
    create_user(&pools.client, &pools.new, "Ada", &email, Some("Passw0rd!y")).await;
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute":null}"#).unwrap();
    let verify = |pools: &MigrationPools| {
        cognito_migrate(&pools.endpoint)
            .args(["verify", "--source-pool-id", &pools.old])
            .args(["--target-pool-id", &pools.new])
            .arg("--mapping")
            .arg(&mapping)
            .output()
            .unwrap()
    };
    let run = verify(&pools);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("missing 0"),
        "Ada is ada: {}",
        describe(&run)
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));

    let email_as_name = PoolSpec {
        username_attributes: vec![UsernameAttributeType::Email],
        ..PoolSpec::named("verify-email-new")
    };
    let pools =
        MigrationPools::create_with(&PoolSpec::named("verify-names-old"), &email_as_name).await;
    create_user(&pools.client, &pools.old, "ada", &email, Some("Passw0rd!x")).await;
    let run = verify(&pools);
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("cannot tell which users of the old pool")
            && stderr.contains("Add custom:legacy_sub"),
        "{stderr}"
    );
}
