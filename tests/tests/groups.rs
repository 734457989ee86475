//! `cognito-migrate groups` against moto: groups, memberships and disabled state from the
//! export's files, idempotent on a second run, what is left over (a user not in the new pool yet,
//! a conflicting group) reported and applied by a later run; `--sync` reading the old pool live
//! picks up a user who appeared in the new pool later.
//!
//! And as an attacker would try it: a stranger in the new pool who answers to an unmigrated old
//! user's name — through `preferred_username`, letter case on a case-insensitive pool, or the
//! e-mail of an e-mail pool — is never given its groups nor disabled in its place; a new pool
//! without the legacy id grants nothing. Only a user carrying the old `sub` as its legacy id is
//! the old user (`shared::identity`).

use std::collections::BTreeSet;
use std::path::Path;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, UsernameAttributeType, UsernameConfigurationType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::pools::{PoolSpec, create_pool, create_user, sub_of};
use integration_tests::testbed::Testbed;

const ROLE: &str = "arn:aws:iam::123456789012:role/Admins";

fn groups(endpoint: &str, target: &str, dir: &Path, extra: &[&str]) -> std::process::Output {
    cognito_migrate(endpoint)
        .args(["groups", "--target-pool-id", target])
        .arg("--dir")
        .arg(dir)
        .args(extra)
        .output()
        .expect("cognito-migrate runs")
}

async fn add_group(client: &Client, pool: &str, name: &str, precedence: i32, members: &[&str]) {
    client
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .description(format!("{name}, the description"))
        .precedence(precedence)
        .role_arn(ROLE)
        .send()
        .await
        .expect("CreateGroup");
    for member in members {
        client
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .group_name(name)
            .username(*member)
            .send()
            .await
            .expect("AdminAddUserToGroup");
    }
}

/// `pools::groups_of` as a set, for comparing memberships whatever their order.
async fn groups_of(client: &Client, pool: &str, username: &str) -> BTreeSet<String> {
    integration_tests::pools::groups_of(client, pool, username)
        .await
        .into_iter()
        .collect()
}

async fn enabled(client: &Client, pool: &str, username: &str) -> bool {
    client
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .expect("AdminGetUser")
        .enabled()
}

async fn verified_user(client: &Client, pool: &str, username: &str) {
    let email = format!("{username}@example.com");
    create_user(
        client,
        pool,
        username,
        &[("email", email.as_str()), ("email_verified", "true")],
        None,
    )
    .await;
}

/// The old user `username` as the import or the trigger would have put it in the new pool: same
/// name and e-mail, verified, carrying the old `sub` as its legacy id.
async fn migrated_user(client: &Client, old: &str, new: &str, username: &str) {
    let email = format!("{username}@example.com");
    let legacy = sub_of(client, old, username).await;
    create_user(
        client,
        new,
        username,
        &[
            ("email", email.as_str()),
            ("email_verified", "true"),
            ("custom:legacy_sub", legacy.as_str()),
        ],
        None,
    )
    .await;
}

/// A new pool with the legacy-id attribute, as the runbook prepares it.
fn new_pool(name: &str) -> PoolSpec {
    PoolSpec::named(name).with_custom(&["legacy_sub"])
}

/// `groups-report.csv` rows as `kind,group,username,reason`.
fn report(dir: &Path) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_path(dir.join("groups-report.csv")).expect("report");
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["kind", "group", "username", "reason", "detail"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            format!("{},{},{},{}", &r[0], &r[1], &r[2], &r[3])
        })
        .collect()
}

#[tokio::test]
async fn groups_memberships_and_disabled_state_apply_idempotently_and_leftovers_later() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-files-old")).await;
    let new = create_pool(&client, &new_pool("groups-files-new")).await;
    for name in ["ada", "bob", "carl"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "admins", 1, &["ada", "carl"]).await;
    add_group(&client, &old, "readers", 5, &["ada", "bob"]).await;
    add_group(&client, &old, "ops", 2, &["ada"]).await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("bob")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(&testbed.moto_url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));

    // As if the import landed ada and bob but not carl; the new pool already has an "ops" group
    // that is set up differently.
    migrated_user(&client, &old, &new, "ada").await;
    migrated_user(&client, &old, &new, "bob").await;
    client
        .create_group()
        .user_pool_id(&new)
        .group_name("ops")
        .precedence(9)
        .send()
        .await
        .unwrap();

    let expected_leftovers: BTreeSet<String> = [
        "group,ops,,group_conflict",
        "membership,ops,ada,group_conflict",
        "membership,admins,carl,user_not_in_new_pool",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for run in 1..=2 {
        let output = groups(&testbed.moto_url, &new, &out, &[]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "run {run}: {}",
            describe(&output)
        );
        assert_eq!(report(&out), expected_leftovers, "run {run}");
        assert_eq!(
            groups_of(&client, &new, "ada").await,
            BTreeSet::from(["admins".to_string(), "readers".to_string()])
        );
        assert_eq!(
            groups_of(&client, &new, "bob").await,
            BTreeSet::from(["readers".to_string()])
        );
        assert!(!enabled(&client, &new, "bob").await, "bob is disabled");
        assert!(enabled(&client, &new, "ada").await);
    }
    let admins = client
        .get_group()
        .user_pool_id(&new)
        .group_name("admins")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(admins.description(), Some("admins, the description"));
    assert_eq!(admins.precedence(), Some(1));
    assert_eq!(admins.role_arn(), Some(ROLE));

    // The trigger migrates carl, the operator aligns "ops": the next run applies the leftovers.
    migrated_user(&client, &old, &new, "carl").await;
    client
        .update_group()
        .user_pool_id(&new)
        .group_name("ops")
        .description("ops, the description")
        .precedence(2)
        .role_arn(ROLE)
        .send()
        .await
        .unwrap();
    let output = groups(&testbed.moto_url, &new, &out, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(report(&out).is_empty());
    assert_eq!(
        groups_of(&client, &new, "carl").await,
        BTreeSet::from(["admins".to_string()])
    );
    assert!(groups_of(&client, &new, "ada").await.contains("ops"));
}

/// `groups` run before `import`: nobody is in the new pool yet, so every item is
/// `user_not_in_new_pool`; the summary says why and what to run, and the same command, rerun once
/// the users are there, applies everything.
#[tokio::test]
async fn groups_before_import_says_to_import_first_and_a_rerun_applies_everything() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-early-old")).await;
    let new = create_pool(&client, &new_pool("groups-early-new")).await;
    for name in ["ada", "bob", "cyd"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "admins", 1, &["ada", "bob"]).await;
    add_group(&client, &old, "readers", 5, &["ada", "cyd"]).await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("cyd")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(&testbed.moto_url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));

    let early = groups(&testbed.moto_url, &new, &out, &[]);
    assert_eq!(early.status.code(), Some(1), "{}", describe(&early));
    assert_eq!(
        report(&out),
        [
            "membership,admins,ada,user_not_in_new_pool",
            "membership,admins,bob,user_not_in_new_pool",
            "membership,readers,ada,user_not_in_new_pool",
            "membership,readers,cyd,user_not_in_new_pool",
            "disabled,,cyd,user_not_in_new_pool",
        ]
        .into_iter()
        .map(String::from)
        .collect::<BTreeSet<_>>()
    );
    let stdout = String::from_utf8_lossy(&early.stdout);
    let hint = format!(
        "hint: none of the 5 users looked up (memberships, disabled users) is in the new pool \
         {new} yet: groups ran before the users were there. Run cognito-migrate import \
         --target-pool-id {new} --dir {} --logs-role-arn … first (or wait for the trigger to \
         move them at sign-in), then rerun this groups command: it retries only what was not \
         applied",
        out.display()
    );
    assert!(stdout.lines().any(|line| line == hint), "{stdout}");

    // The import lands them: the same command applies everything, and says nothing of it.
    for name in ["ada", "bob", "cyd"] {
        migrated_user(&client, &old, &new, name).await;
    }
    let later = groups(&testbed.moto_url, &new, &out, &[]);
    assert_eq!(later.status.code(), Some(0), "{}", describe(&later));
    assert!(report(&out).is_empty());
    let stdout = String::from_utf8_lossy(&later.stdout);
    assert!(!stdout.contains("hint:"), "{stdout}");
    assert!(stdout.contains("memberships applied 4"), "{stdout}");
    assert_eq!(
        groups_of(&client, &new, "ada").await,
        BTreeSet::from(["admins".to_string(), "readers".to_string()])
    );
    assert!(!enabled(&client, &new, "cyd").await, "cyd is disabled");
}

#[tokio::test]
async fn sync_picks_up_a_user_who_appears_in_the_new_pool_later() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-sync-old")).await;
    let new = create_pool(&client, &new_pool("groups-sync-new")).await;
    for name in ["early", "late"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "staff", 3, &["early", "late"]).await;
    migrated_user(&client, &old, &new, "early").await;
    let dir = tempfile::tempdir().unwrap();
    let sync = ["--sync", "--source-pool-id", old.as_str()];

    let first = groups(&testbed.moto_url, &new, dir.path(), &sync);
    assert_eq!(first.status.code(), Some(1), "{}", describe(&first));
    assert_eq!(
        report(dir.path()),
        BTreeSet::from(["membership,staff,late,user_not_in_new_pool".to_string()])
    );
    assert_eq!(
        groups_of(&client, &new, "early").await,
        BTreeSet::from(["staff".to_string()])
    );

    // The trigger migrates "late" on its first sign-in; the periodic --sync adds the membership.
    migrated_user(&client, &old, &new, "late").await;
    let second = groups(&testbed.moto_url, &new, dir.path(), &sync);
    assert_eq!(second.status.code(), Some(0), "{}", describe(&second));
    assert!(report(dir.path()).is_empty());
    assert_eq!(
        groups_of(&client, &new, "late").await,
        BTreeSet::from(["staff".to_string()])
    );
    let stdout = String::from_utf8_lossy(&second.stdout);
    assert!(stdout.contains("memberships applied 2"), "{stdout}");
}

#[tokio::test]
async fn sync_reports_only_the_missing_members_of_a_conflicting_group_and_applies_the_others() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-sync-conflict-old")).await;
    let new = create_pool(&client, &new_pool("groups-sync-conflict-new")).await;
    for name in ["ada", "bo", "cy"] {
        verified_user(&client, &old, name).await;
        migrated_user(&client, &old, &new, name).await;
    }
    add_group(&client, &old, "ops", 1, &["ada", "bo"]).await;
    add_group(&client, &old, "staff", 2, &["ada", "bo", "cy"]).await;
    // The new pool's "ops" has another precedence (a conflict) and already holds ada.
    add_group(&client, &new, "ops", 9, &["ada"]).await;
    let dir = tempfile::tempdir().unwrap();
    let sync = ["--sync", "--source-pool-id", old.as_str()];

    let run = groups(&testbed.moto_url, &new, dir.path(), &sync);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert_eq!(
        report(dir.path()),
        BTreeSet::from([
            "group,ops,,group_conflict".to_string(),
            "membership,ops,bo,group_conflict".to_string(),
        ]),
        "ada is in ops already: nothing to report for her"
    );
    for name in ["ada", "bo", "cy"] {
        assert!(
            groups_of(&client, &new, name).await.contains("staff"),
            "{name} was added to staff"
        );
    }
    assert!(!groups_of(&client, &new, "bo").await.contains("ops"));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("memberships applied 3"), "{stdout}");
}

/// A stranger who signed up in the new pool during the window: no legacy id.
async fn stranger(client: &Client, pool: &str, username: &str, attributes: &[(&str, &str)]) {
    create_user(
        client,
        pool,
        username,
        attributes,
        Some("Str4nger-Passw0rd!"),
    )
    .await;
}

fn held_by_another(kind: &str, group: &str, username: &str) -> String {
    format!("{kind},{group},{username},name_held_by_another_user")
}

#[tokio::test]
async fn sync_never_gives_an_old_users_groups_to_a_stranger_holding_its_alias_or_case() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-attack-alias-old")).await;
    // The new pool as teams choose it: case-insensitive, preferred_username as an alias.
    let spec = PoolSpec {
        alias_attributes: vec![AliasAttributeType::PreferredUsername],
        username_configuration: Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        ),
        ..new_pool("groups-attack-alias-new")
    };
    let new = create_pool(&client, &spec).await;
    for name in ["admin", "root", "ada"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "admins", 1, &["admin", "root", "ada"]).await;
    migrated_user(&client, &old, &new, "ada").await;
    // mallory sets preferred_username=admin; another stranger signs up as ROOT.
    stranger(&client, &new, "mallory", &[("preferred_username", "admin")]).await;
    stranger(&client, &new, "ROOT", &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let sync = ["--sync", "--source-pool-id", old.as_str()];

    for run in 1..=2 {
        let output = groups(&testbed.moto_url, &new, dir.path(), &sync);
        assert_eq!(
            output.status.code(),
            Some(1),
            "run {run}: {}",
            describe(&output)
        );
        assert_eq!(
            report(dir.path()),
            BTreeSet::from([
                held_by_another("membership", "admins", "admin"),
                held_by_another("membership", "admins", "root"),
            ]),
            "run {run}"
        );
        assert!(
            groups_of(&client, &new, "mallory").await.is_empty(),
            "run {run}"
        );
        assert!(
            groups_of(&client, &new, "ROOT").await.is_empty(),
            "run {run}"
        );
        assert_eq!(
            groups_of(&client, &new, "ada").await,
            BTreeSet::from(["admins".to_string()]),
            "the proven user gets the group"
        );
    }
    let detail = std::fs::read_to_string(dir.path().join("groups-report.csv")).unwrap();
    assert!(
        detail.contains("\"\"mallory\"\""),
        "the holder is named: {detail}"
    );
}

/// The e-mail/phone sign-in shapes, each with the value a stranger signs up with: the unmigrated
/// admin's e-mail exactly, in another letter case on a case-insensitive pool, or its phone.
#[tokio::test]
async fn sync_never_gives_an_old_users_groups_to_a_stranger_holding_its_e_mail_or_phone() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let insensitive = || {
        Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
    };
    let shapes = [
        (
            "email",
            UsernameAttributeType::Email,
            None,
            "admin@example.com",
        ),
        (
            "email-ci",
            UsernameAttributeType::Email,
            insensitive(),
            "ADMIN@Example.COM",
        ),
        (
            "phone",
            UsernameAttributeType::PhoneNumber,
            None,
            "+15550100",
        ),
    ];
    for (label, attribute, case, squatted) in shapes {
        let old = create_pool(
            &client,
            &PoolSpec::named(&format!("groups-attack-{label}-old")),
        )
        .await;
        let spec = PoolSpec {
            username_attributes: vec![attribute.clone()],
            username_configuration: case,
            ..new_pool(&format!("groups-attack-{label}-new"))
        };
        let new = create_pool(&client, &spec).await;
        create_user(
            &client,
            &old,
            "admin",
            &[
                ("email", "admin@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15550100"),
                ("phone_number_verified", "true"),
            ],
            None,
        )
        .await;
        add_group(&client, &old, "admins", 1, &["admin"]).await;
        // Signed up with the unmigrated admin's e-mail or phone as their sign-in name.
        let contact = if attribute == UsernameAttributeType::Email {
            "email"
        } else {
            "phone_number"
        };
        stranger(&client, &new, squatted, &[(contact, squatted)]).await;
        let dir = tempfile::tempdir().unwrap();
        let sync = ["--sync", "--source-pool-id", old.as_str()];
        let output = groups(&testbed.moto_url, &new, dir.path(), &sync);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{label}: {}",
            describe(&output)
        );
        assert_eq!(
            report(dir.path()),
            BTreeSet::from([held_by_another("membership", "admins", "admin")]),
            "{label}"
        );
        assert!(
            groups_of(&client, &new, squatted).await.is_empty(),
            "{label}: the stranger got nothing"
        );
    }
}

#[tokio::test]
async fn files_never_give_groups_to_nor_disable_a_stranger_holding_an_old_name() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-attack-files-old")).await;
    let new = create_pool(&client, &new_pool("groups-attack-files-new")).await;
    for name in ["admin", "gone"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "admins", 1, &["admin"]).await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("gone")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let exported = export(&testbed.moto_url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));
    // Before the groups step, strangers took both names in the new pool.
    stranger(&client, &new, "admin", &[]).await;
    stranger(&client, &new, "gone", &[]).await;

    let output = groups(&testbed.moto_url, &new, &out, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(
        report(&out),
        BTreeSet::from([
            held_by_another("membership", "admins", "admin"),
            held_by_another("disabled", "", "gone"),
        ])
    );
    assert!(groups_of(&client, &new, "admin").await.is_empty());
    assert!(
        enabled(&client, &new, "gone").await,
        "a stranger is never disabled"
    );
}

#[tokio::test]
async fn a_new_pool_without_the_legacy_id_grants_nothing_and_says_how_to_fix_it() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-unprovable-old")).await;
    let new = create_pool(&client, &PoolSpec::named("groups-unprovable-new")).await;
    verified_user(&client, &old, "admin").await;
    add_group(&client, &old, "admins", 1, &["admin"]).await;
    verified_user(&client, &new, "admin").await;
    let dir = tempfile::tempdir().unwrap();
    let sync = ["--sync", "--source-pool-id", old.as_str()];
    let output = groups(&testbed.moto_url, &new, dir.path(), &sync);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert_eq!(
        report(dir.path()),
        BTreeSet::from(["membership,admins,admin,identity_unprovable".to_string()])
    );
    assert!(groups_of(&client, &new, "admin").await.is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("AddCustomAttributes"),
        "{}",
        describe(&output)
    );
}

/// A mapping that keeps the old `sub` under another attribute (`custom:old_id`): `groups` proves
/// users by that attribute — from the export's `mapping.json` for the files, from `--mapping`
/// with `--sync` — never by the default one the new pool does not have.
#[tokio::test]
async fn groups_prove_users_by_the_mappings_legacy_attribute() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("groups-old-id-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("groups-old-id-new").with_custom(&["old_id"]),
    )
    .await;
    for name in ["ada", "bo"] {
        verified_user(&client, &old, name).await;
    }
    add_group(&client, &old, "staff", 3, &["ada"]).await;
    add_group(&client, &old, "crew", 4, &["bo"]).await;
    for name in ["ada", "bo"] {
        let sub = sub_of(&client, &old, name).await;
        let email = format!("{name}@example.com");
        create_user(
            &client,
            &new,
            name,
            &[
                ("email", &email),
                ("email_verified", "true"),
                ("custom:old_id", &sub),
            ],
            None,
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"legacy_sub_attribute":"custom:old_id"}"#).unwrap();
    let out = dir.path().join("export");
    let exported = export(
        &testbed.moto_url,
        &old,
        &new,
        &out,
        &["--select", "all", "--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));

    // The files: the export's own mapping.json names custom:old_id.
    let files = groups(&testbed.moto_url, &new, &out, &[]);
    assert_eq!(files.status.code(), Some(0), "{}", describe(&files));
    assert_eq!(
        groups_of(&client, &new, "ada").await,
        BTreeSet::from(["staff".to_string()])
    );

    // --sync: the mapping given on the command line, for a membership the files did not have.
    client
        .admin_add_user_to_group()
        .user_pool_id(&old)
        .username("ada")
        .group_name("crew")
        .send()
        .await
        .unwrap();
    let state = dir.path().join("state");
    let sync = groups(
        &testbed.moto_url,
        &new,
        &state,
        &[
            "--sync",
            "--source-pool-id",
            old.as_str(),
            "--mapping",
            mapping.to_str().unwrap(),
        ],
    );
    assert_eq!(sync.status.code(), Some(0), "{}", describe(&sync));
    assert_eq!(
        groups_of(&client, &new, "ada").await,
        BTreeSet::from(["staff".to_string(), "crew".to_string()])
    );
}
