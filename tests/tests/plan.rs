//! `cognito-migrate plan` against moto: the numbers match what export and the trigger will do.

use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{MigrationPools, create_user, disable_user, sub_of};

/// Runs `plan` and returns its JSON.
fn plan(endpoint: &str, old: &str, new: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("plan.json");
    let run = cognito_migrate(endpoint)
        .args([
            "plan",
            "--source-pool-id",
            old,
            "--target-pool-id",
            new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[tokio::test]
async fn plan_counts_who_moves_how() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("plan").await;
    let verified = |email: &'static str| vec![("email", email), ("email_verified", "true")];
    create_user(
        &client,
        &old,
        "confirmed",
        &verified("c@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(&client, &old, "temporary", &verified("t@example.com"), None).await;
    create_user(
        &client,
        &old,
        "stranded",
        &[("email", "s@example.com")],
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &client,
        &old,
        "off",
        &verified("o@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("off")
        .send()
        .await
        .unwrap();
    create_user(
        &client,
        &old,
        "moved",
        &verified("m@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    // Moved: carries its legacy id, as the import and the trigger write it.
    let moved_sub = sub_of(&client, &old, "moved").await;
    let mut moved = verified("m@example.com");
    moved.push(("custom:legacy_sub", moved_sub.as_str()));
    create_user(&client, &new, "moved", &moved, None).await;
    // A stranger who signed up as "stranded" holds that name without being that user.
    create_user(&client, &new, "stranded", &[], None).await;

    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("plan.json");
    let run = cognito_migrate(&endpoint)
        .args([
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("stranded"), "{stdout}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["total"], 5);
    assert_eq!(plan["by_status"]["CONFIRMED"], 4);
    assert_eq!(plan["by_status"]["FORCE_CHANGE_PASSWORD"], 1);
    assert_eq!(plan["disabled"], 1);
    assert_eq!(plan["already_in_target"], 1);
    assert_eq!(
        plan["name_held_by_another_user"], 1,
        "stranded: the new pool's stranded is a stranger"
    );
    assert_eq!(plan["importable_now_without_losing_a_password"], 1);
    assert_eq!(
        plan["need_trigger"], 1,
        "confirmed; stranded's name is held by a stranger, off is disabled: the trigger carries neither"
    );
    assert_eq!(
        plan["remaining"], 2,
        "confirmed, and temporary (reset code)"
    );
    assert_eq!(plan["stranded"], 2);
    assert_eq!(
        plan["stranded_by_reason"],
        serde_json::json!({"disabled": 1, "name-held-by-another-user": 1})
    );
    assert_eq!(plan["need_trigger_without_verified_contact"], 0);
    assert_eq!(plan["disabled_import_only"], 1, "off");
    assert_eq!(plan["without_verified_contact"], 1);
    assert_eq!(plan["would_be_rejected"]["no-verified-contact"], 1);
}

/// Each line of the plan is a set of users one can name; the test names them. A disabled user is
/// never among those who "need the trigger": the trigger refuses disabled users, so they arrive
/// only by export and import (created disabled).
#[tokio::test]
async fn every_plan_line_is_a_set_of_named_users() {
    let MigrationPools {
        endpoint,
        client,
        old,
        new,
    } = MigrationPools::create("lines").await;
    let verified = |name: &str| {
        vec![
            ("email".to_string(), format!("{name}@example.com")),
            ("email_verified".to_string(), "true".to_string()),
        ]
    };
    let unverified = |name: &str| vec![("email".to_string(), format!("{name}@example.com"))];
    // (user, attributes, confirmed with a password, enabled)
    let users = [
        ("ada", verified("ada"), true, true),
        ("bo", unverified("bo"), true, true),
        ("cy", verified("cy"), false, true),
        ("dee", verified("dee"), true, false),
        ("eve", verified("eve"), false, false),
        ("fay", verified("fay"), true, true),
        ("gus", unverified("gus"), true, false),
    ];
    for (name, attributes, confirmed, enabled) in &users {
        let attributes: Vec<(&str, &str)> = attributes
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let password = confirmed.then_some("Passw0rd!");
        create_user(&client, &old, name, &attributes, password).await;
        if !enabled {
            disable_user(&client, &old, name).await;
        }
    }
    let fay_sub = sub_of(&client, &old, "fay").await;
    create_user(
        &client,
        &new,
        "fay",
        &[
            ("email", "fay@example.com"),
            ("email_verified", "true"),
            ("custom:legacy_sub", &fay_sub),
        ],
        None,
    )
    .await;

    let plan = plan(&endpoint, &old, &new);
    let lines = [
        ("total", 7, "everyone"),
        ("enabled", 4, "ada bo cy fay"),
        ("disabled", 3, "dee eve gus"),
        ("already_in_target", 1, "fay"),
        (
            "need_trigger",
            2,
            "ada bo: enabled, CONFIRMED, not in the new pool",
        ),
        (
            "remaining",
            3,
            "ada bo cy: the trigger carries them at sign-in",
        ),
        (
            "stranded",
            3,
            "dee eve gus: disabled, the trigger refuses them",
        ),
        (
            "need_trigger_without_verified_contact",
            1,
            "bo: needs the trigger, no verified contact",
        ),
        (
            "disabled_import_only",
            1,
            "dee: disabled CONFIRMED, the trigger refuses it",
        ),
        (
            "importable_now_without_losing_a_password",
            2,
            "cy, and eve (created disabled)",
        ),
        ("with_verified_contact", 5, "ada cy dee eve fay"),
        ("without_verified_contact", 2, "bo gus"),
    ];
    for (line, n, who) in lines {
        assert_eq!(plan[line], n, "{line}: {who}\n{plan:#}");
    }
    assert_eq!(
        plan["would_be_rejected"]["no-verified-contact"], 2,
        "bo gus\n{plan:#}"
    );
    assert_eq!(plan["by_status"]["CONFIRMED"], 5, "ada bo dee fay gus");
    assert_eq!(plan["by_status"]["FORCE_CHANGE_PASSWORD"], 2, "cy eve");
}
