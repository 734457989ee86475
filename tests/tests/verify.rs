//! `cognito-migrate verify` against moto: missing users, differing attributes and missing
//! memberships are found and named; a complete migration verifies clean.

use aws_sdk_cognitoidentityprovider::Client;
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_pool, create_user};
use integration_tests::testbed::Testbed;

async fn sub_of(client: &Client, pool: &str, username: &str) -> String {
    let user = client
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap();
    user.user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_string()
}

async fn group_with(client: &Client, pool: &str, group: &str, members: &[&str]) {
    client
        .create_group()
        .user_pool_id(pool)
        .group_name(group)
        .send()
        .await
        .unwrap();
    for member in members {
        client
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .group_name(group)
            .username(*member)
            .send()
            .await
            .unwrap();
    }
}

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
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("verify-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("verify-new").with_custom(&["legacy_sub"]),
    )
    .await;
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
    let run = cognito_migrate(&testbed.moto_url)
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
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("clean-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("clean-new").with_custom(&["legacy_sub"]),
    )
    .await;
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
    let run = cognito_migrate(&testbed.moto_url)
        .args(["verify", "--source-pool-id", &old, "--target-pool-id", &new])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("nothing is missing"));
}
