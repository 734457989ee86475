//! `cognito-migrate preflight` against moto: a ready setup passes; each misconfiguration is
//! named with what to change.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, LambdaConfigType, PreventUserExistenceErrorTypes, VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool};
use integration_tests::testbed::Testbed;

const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";

async fn new_pool(client: &Client, with_trigger: bool) -> String {
    let mut request = client
        .create_user_pool()
        .pool_name("preflight-new")
        .auto_verified_attributes(VerifiedAttributeType::Email);
    if with_trigger {
        request = request.lambda_config(
            LambdaConfigType::builder()
                .user_migration(
                    "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-trigger",
                )
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

async fn app_client(client: &Client, pool: &str, prevent_existence_errors: bool) {
    let mut request = client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth);
    if prevent_existence_errors {
        request = request.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    request.send().await.unwrap();
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
