//! The hybrid migration in one test, as the README's runbook walks it: plan → export
//! passwordless → import → trigger sign-ins during the window → groups --sync → export
//! not-in-target → import → verify reports zero missing.
//!
//! The new pool is in moto (the only emulator with import jobs). moto never calls a trigger, so
//! for sign-ins the test invokes the real trigger binary through the Lambda host with the event
//! Cognito sends and then does what Cognito does with the answer (developer guide, "Migrate user
//! Lambda trigger"): create the user with the returned `userAttributes` (the user name from
//! `userAttributes.username` when present), without a welcome message (`messageAction: SUPPRESS`),
//! and keep the typed password when `finalUserStatus` is `CONFIRMED`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType, UserStatusType};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::lambda::{Function, LambdaHost, sign_in_event, trigger_env};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool, create_user};
use integration_tests::testbed::{Testbed, binary};
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";
const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";

/// What Cognito does with a UserMigration answer: create the user, keep the password if confirmed.
async fn cognito_applies(
    new: &Client,
    pool: &str,
    event: &Value,
    answer: &Value,
    password: &str,
) -> bool {
    let response = &answer["response"];
    let Some(attributes) = response["userAttributes"]
        .as_object()
        .filter(|a| !a.is_empty())
    else {
        return false;
    };
    let username = attributes
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or_else(|| event["userName"].as_str().unwrap());
    let attributes: Vec<AttributeType> = attributes
        .iter()
        .filter(|(name, _)| name.as_str() != "username")
        .map(|(name, value)| {
            AttributeType::builder()
                .name(name)
                .value(value.as_str().unwrap())
                .build()
                .unwrap()
        })
        .collect();
    assert_eq!(response["messageAction"], "SUPPRESS");
    new.admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .set_user_attributes(Some(attributes))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    if response["finalUserStatus"] == "CONFIRMED" {
        new.admin_set_user_password()
            .user_pool_id(pool)
            .username(username)
            .password(password)
            .permanent(true)
            .send()
            .await
            .unwrap();
    }
    true
}

fn run_ok(command: &mut std::process::Command, what: &str) -> std::process::Output {
    let output = command.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}",
        describe(&output)
    );
    output
}

#[tokio::test]
async fn hybrid_migration_end_to_end_verifies_with_nothing_missing() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        &PoolSpec::named("rehearsal-old").with_custom(&["tenant"]),
    )
    .await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("rehearsal-new").with_custom(&["tenant", "legacy_sub"]),
    )
    .await;
    let users = [
        "active1", "active2", "active3", "dormant1", "dormant2", "temp1", "temp2",
    ];
    for name in users {
        let email = format!("{name}@example.com");
        let password = (!name.starts_with("temp")).then_some(PASSWORD);
        create_user(
            &client,
            &old,
            name,
            &[
                ("email", &email),
                ("email_verified", "true"),
                ("custom:tenant", "acme"),
            ],
            password,
        )
        .await;
    }
    client
        .create_group()
        .user_pool_id(&old)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    for name in ["active1", "dormant1", "temp1"] {
        client
            .admin_add_user_to_group()
            .user_pool_id(&old)
            .group_name("admins")
            .username(name)
            .send()
            .await
            .unwrap();
    }
    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name);
    let migrate = |args: &[&str]| {
        let mut command = cognito_migrate(&testbed.moto_url);
        command.args(args);
        command
    };

    // Plan.
    let plan = dir("plan.json");
    run_ok(
        migrate(&[
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&plan),
        "plan",
    );
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(plan["importable_now_without_losing_a_password"], 2);
    assert_eq!(plan["need_trigger"], 5);

    // Before cutover: the passwordless users.
    let pre = dir("pre");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &pre,
        &["--select", "passwordless"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let pre_arg = pre.to_str().unwrap();
    run_ok(
        &mut migrate(&[
            "import",
            "--target-pool-id",
            &new,
            "--dir",
            pre_arg,
            "--logs-role-arn",
            ROLE,
            "--wait",
        ]),
        "import pre",
    );
    run_ok(
        &mut migrate(&["groups", "--target-pool-id", &new, "--dir", pre_arg]),
        "groups pre",
    );

    // The window: three users sign in; the trigger proves their passwords against the old pool.
    let host = LambdaHost::from_env();
    host.register(
        &Function {
            name: "rehearsal".into(),
            env: trigger_env(&testbed, &old, &old_client, &[]),
            timeout_seconds: 5.0,
        },
        &binary("cognito-migrate-trigger"),
    )
    .await;
    for name in ["active1", "active2", "active3"] {
        let event = sign_in_event(name, PASSWORD);
        let answer = host.invoke_json("rehearsal", &event).await.ok();
        assert!(
            cognito_applies(&client, &new, &event, &answer, PASSWORD).await,
            "{name} migrates"
        );
    }
    let wrong = sign_in_event("dormant2", "not-the-password");
    let answer = host.invoke_json("rehearsal", &wrong).await.ok();
    assert!(
        !cognito_applies(&client, &new, &wrong, &answer, "x").await,
        "a wrong password migrates nobody"
    );
    let active1 = client
        .admin_get_user()
        .user_pool_id(&new)
        .username("active1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        active1.user_status(),
        Some(&UserStatusType::Confirmed),
        "the password survived"
    );
    let state = dir("groups-sync");
    std::fs::create_dir_all(&state).unwrap();
    let sync = migrate(&[
        "groups",
        "--sync",
        "--source-pool-id",
        &old,
        "--target-pool-id",
        &new,
        "--dir",
        state.to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert_eq!(
        sync.status.code(),
        Some(1),
        "dormant1 is not in the new pool yet: {}",
        describe(&sync)
    );

    // After the window: sweep the dormant users.
    let sweep = dir("sweep");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &sweep,
        &["--select", "not-in-target"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(sweep.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["exported"], 2, "dormant1 and dormant2");
    assert_eq!(summary["skipped"], 5);
    let sweep_arg = sweep.to_str().unwrap();
    run_ok(
        &mut migrate(&[
            "import",
            "--target-pool-id",
            &new,
            "--dir",
            sweep_arg,
            "--logs-role-arn",
            ROLE,
            "--wait",
        ]),
        "import sweep",
    );
    run_ok(
        &mut migrate(&["groups", "--target-pool-id", &new, "--dir", sweep_arg]),
        "groups sweep",
    );

    // Verify: nothing missing, every membership in place.
    let differences = dir("differences.csv");
    run_ok(
        migrate(&[
            "verify",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--differences",
        ])
        .arg(&differences),
        "verify",
    );
    let rows = std::fs::read_to_string(&differences).unwrap();
    assert_eq!(rows.lines().count(), 1, "only the header: {rows}");
}
