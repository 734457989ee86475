//! `cognito-migrate preflight` against moto: a ready setup passes; each misconfiguration is
//! named with what to change. The window's refusals each have a test that builds the failing
//! pool over the SDK: an app client that lets users write the legacy id or the tenant
//! (`WriteAttributes`, or an unset list for a standard attribute), self sign-up without the
//! sign-up guard, and an app client that shows user existence errors.

use aws_sdk_cognitoidentityprovider::Client;
use std::process::Output;

use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, ExplicitAuthFlowsType, LambdaConfigType,
    PreventUserExistenceErrorTypes, VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool};
use integration_tests::testbed::Testbed;

const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";
const TRIGGER: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-trigger";

/// How the new pool's self sign-up is wired.
#[derive(Clone, Copy)]
enum SignUp {
    /// Self sign-up allowed, PreSignUp is the UserMigration function (the guard).
    Guarded,
    /// Self sign-up allowed, no PreSignUp trigger.
    Unguarded,
    /// Self sign-up allowed, PreSignUp is another function.
    OtherFunction,
    /// `AllowAdminCreateUserOnly`: nobody signs up.
    AdminOnly,
}

async fn new_pool(client: &Client, with_trigger: bool) -> String {
    new_pool_with(client, with_trigger, SignUp::Guarded).await
}

async fn new_pool_with(client: &Client, with_trigger: bool, sign_up: SignUp) -> String {
    let mut request = client
        .create_user_pool()
        .pool_name("preflight-new")
        .auto_verified_attributes(VerifiedAttributeType::Email);
    let pre_sign_up = match sign_up {
        SignUp::Guarded => Some(TRIGGER),
        SignUp::OtherFunction => Some("arn:aws:lambda:us-east-1:123456789012:function:welcome"),
        SignUp::Unguarded | SignUp::AdminOnly => None,
    };
    if with_trigger {
        request = request.lambda_config(
            LambdaConfigType::builder()
                .user_migration(TRIGGER)
                .set_pre_sign_up(pre_sign_up.map(String::from))
                .build(),
        );
    }
    if let SignUp::AdminOnly = sign_up {
        request = request.admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        );
    }
    let id = request.send().await.unwrap().user_pool.unwrap().id.unwrap();
    client
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("legacy_sub")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    id
}

async fn app_client(client: &Client, pool: &str, prevent_existence_errors: bool) -> String {
    app_client_writing(client, pool, prevent_existence_errors, None).await
}

/// An app client; `write_attributes` `None` leaves `WriteAttributes` unset (AWS's default).
async fn app_client_writing(
    client: &Client,
    pool: &str,
    prevent_existence_errors: bool,
    write_attributes: Option<&[&str]>,
) -> String {
    let mut request = client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .set_write_attributes(write_attributes.map(|a| a.iter().map(|s| s.to_string()).collect()));
    if prevent_existence_errors {
        request = request.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    request
        .send()
        .await
        .unwrap()
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("client id")
}

/// An old pool with the `custom` attributes and an app client (no secret) for the trigger.
async fn old_pool(client: &Client, custom: &[&str]) -> (String, String) {
    let old = create_pool(
        client,
        &PoolSpec::named("preflight-old").with_custom(custom),
    )
    .await;
    let (old_client, _) = create_app_client(client, &old, false).await;
    (old, old_client)
}

/// `preflight` of `old`/`old_client` against the new pool(s) `target` names (the target
/// arguments).
fn preflight(testbed: &Testbed, old: &str, old_client: &str, target: &[&str]) -> Output {
    cognito_migrate(&testbed.moto_url)
        .args([
            "preflight",
            "--source-pool-id",
            old,
            "--source-client-id",
            old_client,
        ])
        .args(target)
        .args(["--logs-role-arn", ROLE])
        .output()
        .unwrap()
}

/// The run failed (exit 1) with a FAIL line holding every piece of `expected`, and nothing else
/// failed.
fn assert_only_failure(run: &Output, expected: &[&str]) {
    assert_eq!(run.status.code(), Some(1), "{}", describe(run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let failures: Vec<&str> = stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(
        failures.len(),
        1,
        "exactly one failure expected in\n{stdout}"
    );
    for piece in expected {
        assert!(
            failures[0].contains(piece),
            "missing {piece:?} in {:?}",
            failures[0]
        );
    }
}

#[tokio::test]
async fn a_ready_setup_passes_and_each_gap_is_named() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("preflight-old")).await;
    let (old_client, secret) = create_app_client(&client, &old, true).await;
    let secret = secret.expect("a secret was generated");

    let ready = new_pool(&client, true).await;
    app_client(&client, &ready, true).await;
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "preflight",
            "--source-pool-id",
            &old,
            "--source-client-id",
            &old_client,
            "--target-pool-id",
            &ready,
        ])
        .args(["--logs-role-arn", ROLE])
        .env("COGNITO_MIGRATE_SOURCE_CLIENT_SECRET", &secret)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        !String::from_utf8_lossy(&run.stdout).contains(&secret),
        "the secret is never printed"
    );

    let broken = new_pool(&client, false).await;
    app_client(&client, &broken, false).await;
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "preflight",
            "--source-pool-id",
            &old,
            "--source-client-id",
            &old_client,
            "--target-pool-id",
            &broken,
        ])
        .env("COGNITO_MIGRATE_SOURCE_CLIENT_SECRET", "not-the-secret")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    for expected in [
        "FAIL old app client secret: the given secret does not match",
        "FAIL new pool has a UserMigration trigger",
        "prevents user existence errors: set PreventUserExistenceErrors to ENABLED",
        "FAIL import logs role: pass --logs-role-arn",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    assert!(!stdout.contains("not-the-secret") && !stdout.contains(&secret));
}

#[tokio::test]
async fn preflight_refuses_a_client_that_lets_users_write_the_legacy_id() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;
    let pool = new_pool(&client, true).await;
    let writer =
        app_client_writing(&client, &pool, true, Some(&["email", "custom:legacy_sub"])).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &pool]);
    assert_only_failure(
        &run,
        &[
            &format!("new client {writer} (web) of {pool} cannot write migration attributes"),
            "signed-in users can set their own custom:legacy_sub",
            "give the client an explicit WriteAttributes without them",
        ],
    );

    // The same pool with a client whose list leaves it out, and one with no list at all (AWS:
    // only the standard attributes are writable then), passes.
    let fixed = new_pool(&client, true).await;
    app_client_writing(&client, &fixed, true, Some(&["email", "name"])).await;
    app_client_writing(&client, &fixed, true, None).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &fixed]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout)
            .contains("cannot write migration attributes: custom:legacy_sub"),
        "{}",
        describe(&run)
    );
}

#[tokio::test]
async fn preflight_refuses_a_client_that_lets_users_write_the_tenant() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &["tenant"]).await;
    let pool = new_pool(&client, true).await;
    client
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    app_client_writing(&client, &pool, true, Some(&["email", "custom:tenant"])).await;
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("tenants.json");
    std::fs::write(
        &table,
        format!(
            r#"{{"attribute": "custom:tenant", "tenants": {{"acme": {{"pool_id": "{pool}"}}}}}}"#
        ),
    )
    .unwrap();
    let table = table.to_str().unwrap();
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--partition-by", "custom:tenant", "--targets", table],
    );
    assert_only_failure(
        &run,
        &[
            &format!("tenant acme ({pool})"),
            "signed-in users can set their own custom:tenant",
        ],
    );
}

#[tokio::test]
async fn preflight_refuses_self_sign_up_without_the_guard() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;

    let unguarded = new_pool_with(&client, true, SignUp::Unguarded).await;
    app_client(&client, &unguarded, true).await;
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--target-pool-id", &unguarded],
    );
    assert_only_failure(
        &run,
        &[
            &format!("FAIL new pool {unguarded} guards self sign-up"),
            "has no PreSignUp trigger",
            "set LambdaConfig.PreSignUp to the UserMigration function",
            "AllowAdminCreateUserOnly to true",
        ],
    );

    let other = new_pool_with(&client, true, SignUp::OtherFunction).await;
    app_client(&client, &other, true).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &other]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL new pool {other} guards self sign-up"),
            "function:welcome is not the UserMigration function",
        ],
    );

    // Nobody signs up: nothing to guard.
    let admin_only = new_pool_with(&client, true, SignUp::AdminOnly).await;
    app_client(&client, &admin_only, true).await;
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--target-pool-id", &admin_only],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("self sign-up is off"),
        "{}",
        describe(&run)
    );
}

#[tokio::test]
async fn preflight_refuses_a_client_that_shows_user_existence_errors() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;
    let pool = new_pool(&client, true).await;
    let legacy = app_client(&client, &pool, false).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &pool]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL new client {legacy} (web) of {pool} prevents user existence errors"),
            "set PreventUserExistenceErrors to ENABLED",
        ],
    );
}
