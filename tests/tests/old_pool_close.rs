//! `cognito-migrate old-pool close|reopen` against moto, whose `UpdateUserPool` resets whatever it
//! is not sent, as AWS's does: closing refuses sign-ups to the old pool and keeps every other
//! setting (triggers, auto-verification, verification before update, MFA); reopening puts back
//! what close found; each step is idempotent and a reopen without a close says what to run.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    LambdaConfigType, UserPoolMfaType, UserPoolType, VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_pool};
use integration_tests::testbed::Testbed;

const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:old-pool-close";

fn old_pool_command(endpoint: &str, action: &str, pool: &str, dir: &Path) -> std::process::Output {
    cognito_migrate(endpoint)
        .args(["old-pool", action, "--source-pool-id", pool])
        .arg("--dir")
        .arg(dir)
        .output()
        .expect("cognito-migrate runs")
}

async fn pool(client: &Client, id: &str) -> UserPoolType {
    client
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .expect("DescribeUserPool")
        .user_pool
        .expect("a pool")
}

async fn sign_up(client: &Client, client_id: &str, name: &str) -> Result<(), String> {
    client
        .sign_up()
        .client_id(client_id)
        .username(name)
        .password("New-Passw0rd!")
        .send()
        .await
        .map(|_| ())
        .map_err(|e| e.code().unwrap_or_default().to_string())
}

#[tokio::test]
async fn closing_the_old_pool_refuses_sign_ups_keeps_every_setting_and_reopens_as_found() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let spec = PoolSpec {
        // Triggers SignUp never fires (the test bed has no such function).
        lambda_config: Some(
            LambdaConfigType::builder()
                .user_migration(FUNCTION)
                .post_authentication(FUNCTION)
                .build(),
        ),
        verify_before_update: vec![VerifiedAttributeType::Email],
        ..PoolSpec::named("old-pool-close").with_custom(&["tenant"])
    };
    let id = create_pool(&client, &spec).await;
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            aws_sdk_cognitoidentityprovider::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let app = client
        .create_user_pool_client()
        .user_pool_id(&id)
        .client_name("app")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    sign_up(&client, &app, "early").await.expect("open before");
    let before = pool(&client, &id).await;
    let dir = tempfile::tempdir().unwrap();

    for run in 1..=2 {
        let closed = old_pool_command(&testbed.moto_url, "close", &id, dir.path());
        assert_eq!(
            closed.status.code(),
            Some(0),
            "run {run}: {}",
            describe(&closed)
        );
        let stdout = String::from_utf8_lossy(&closed.stdout);
        let expected = if run == 1 {
            "now closed"
        } else {
            "already closed"
        };
        assert!(stdout.contains(expected), "run {run}: {stdout}");
    }
    let after = pool(&client, &id).await;
    assert!(
        after
            .admin_create_user_config()
            .is_some_and(|c| c.allow_admin_create_user_only())
    );
    assert_eq!(
        after.lambda_config(),
        before.lambda_config(),
        "triggers kept"
    );
    assert_eq!(
        after.auto_verified_attributes(),
        before.auto_verified_attributes()
    );
    assert_eq!(
        after.user_attribute_update_settings(),
        before.user_attribute_update_settings()
    );
    assert_eq!(after.mfa_configuration(), before.mfa_configuration());
    assert_eq!(after.policies(), before.policies());
    assert_eq!(
        sign_up(&client, &app, "late").await,
        Err("NotAuthorizedException".to_string()),
        "closed: nobody signs up"
    );

    let reopened = old_pool_command(&testbed.moto_url, "reopen", &id, dir.path());
    assert_eq!(reopened.status.code(), Some(0), "{}", describe(&reopened));
    let again = pool(&client, &id).await;
    assert!(
        !again
            .admin_create_user_config()
            .is_some_and(|c| c.allow_admin_create_user_only()),
        "open again, as close found it"
    );
    assert_eq!(again.lambda_config(), before.lambda_config());
    sign_up(&client, &app, "later").await.expect("open after");

    let orphan = old_pool_command(&testbed.moto_url, "reopen", &id, dir.path());
    assert_eq!(orphan.status.code(), Some(2), "{}", describe(&orphan));
    let stderr = String::from_utf8_lossy(&orphan.stderr);
    assert!(
        stderr.contains("old-pool close"),
        "says what to run: {stderr}"
    );
}
