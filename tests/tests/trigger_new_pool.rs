//! End to end: the **new** pool really calls the trigger from its own `LambdaConfig` (the test
//! bed's moto extension, following AWS's "Migrate user Lambda trigger" page; the function is
//! hosted by the Lambda host) during `InitiateAuth` and `ForgotPassword`; the old pool is in moto
//! too. Each test has its own pools and its own function, so they run in parallel.
//!
//! The behaviours these tests rely on, each cited in `tests/emulator/README.md`:
//! - ForgotPassword fires `UserMigration_ForgotPassword` for an unknown user;
//! - a trigger response without user attributes means "no such user" and creates nobody, and the
//!   caller gets the unknown-user answer of "Managing user existence error responses";
//! - an absent `finalUserStatus` means `RESET_REQUIRED`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserStatusType};
use integration_tests::lambda::{Function, LambdaHost, trigger_env, user_migration_config};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_pool, create_sign_in_client, create_user, find_user,
};
use integration_tests::testbed::{Testbed, binary};

const PASSWORD: &str = "Old-Passw0rd!";

struct Bed {
    old: Client,
    old_pool: String,
    new: Client,
    new_pool: String,
    new_client: String,
    host: LambdaHost,
    function: String,
}

/// A fresh old pool in moto, a fresh new pool (in moto too, calling the trigger from its
/// LambdaConfig), and the trigger registered for them.
async fn bed(name: &str) -> Bed {
    let testbed = Testbed::from_env();
    let old = testbed.moto_client().await;
    let old_pool = create_pool(
        &old,
        &PoolSpec::named(&format!("e2e-{name}-old")).with_custom(&["tenant"]),
    )
    .await;
    let (old_client, _) = create_app_client(&old, &old_pool, false).await;

    let function = format!("e2e-{name}");
    let new = testbed.moto_client().await;
    let mut spec =
        PoolSpec::named(&format!("e2e-{name}-new")).with_custom(&["tenant", "legacy_sub"]);
    spec.lambda_config = Some(user_migration_config(&function));
    let new_pool = create_pool(&new, &spec).await;
    let new_client = create_sign_in_client(&new, &new_pool).await;

    let host = LambdaHost::from_env();
    host.register(
        &Function {
            name: function.clone(),
            env: trigger_env(&testbed, &old_pool, &old_client, &[]),
            timeout_seconds: 5.0,
        },
        &binary("cognito-migrate-trigger"),
    )
    .await;
    Bed {
        old,
        old_pool,
        new,
        new_pool,
        new_client,
        host,
        function,
    }
}

impl Bed {
    async fn sign_in(&self, username: &str, password: &str) -> Result<(), (String, String)> {
        self.new
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map(|output| {
                assert!(
                    output.authentication_result().is_some(),
                    "no tokens: {output:?}"
                )
            })
            .map_err(|e| {
                (
                    e.code().unwrap_or_default().to_string(),
                    e.message().unwrap_or_default().to_string(),
                )
            })
    }

    async fn new_user(
        &self,
        username: &str,
    ) -> Option<aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput>
    {
        find_user(&self.new, &self.new_pool, username).await
    }

    async fn new_pool_size(&self) -> usize {
        self.new
            .list_users()
            .user_pool_id(&self.new_pool)
            .send()
            .await
            .expect("ListUsers in the new pool")
            .users()
            .len()
    }

    async fn migrations_logged(&self) -> usize {
        let logs = self.host.logs(&self.function).await;
        logs.matches("\"outcome\":\"migrated-").count()
    }
}

fn attribute<'a>(
    user: &'a aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput,
    name: &str,
) -> Option<&'a str> {
    user.user_attributes()
        .iter()
        .find(|a| a.name() == name)
        .and_then(|a| a.value())
}

#[tokio::test]
async fn trigger_e2e_sign_in_migrates_once_with_the_old_attributes() {
    let bed = bed("sign-in").await;
    create_user(
        &bed.old,
        &bed.old_pool,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("custom:tenant", "acme"),
        ],
        Some(PASSWORD),
    )
    .await;
    let old_sub = bed
        .old
        .admin_get_user()
        .user_pool_id(&bed.old_pool)
        .username("alice")
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value().map(str::to_string))
        .unwrap();

    assert!(bed.new_user("alice").await.is_none());
    bed.sign_in("alice", PASSWORD)
        .await
        .expect("first sign-in migrates");
    let user = bed
        .new_user("alice")
        .await
        .expect("alice now lives in the new pool");
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));
    assert_eq!(attribute(&user, "email"), Some("alice@example.com"));
    assert_eq!(attribute(&user, "email_verified"), Some("true"));
    assert_eq!(attribute(&user, "custom:tenant"), Some("acme"));
    assert_eq!(
        attribute(&user, "custom:legacy_sub"),
        Some(old_sub.as_str())
    );
    assert_eq!(bed.migrations_logged().await, 1);

    bed.sign_in("alice", PASSWORD)
        .await
        .expect("second sign-in");
    assert_eq!(
        bed.migrations_logged().await,
        1,
        "the second sign-in must not migrate again"
    );
    assert_eq!(bed.new_pool_size().await, 1);
}

#[tokio::test]
async fn trigger_e2e_wrong_password_and_unknown_user_leave_no_user_and_look_alike() {
    let bed = bed("wrong").await;
    create_user(
        &bed.old,
        &bed.old_pool,
        "bob",
        &[("email", "bob@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;

    let wrong = bed
        .sign_in("bob", "Not-The-Passw0rd")
        .await
        .expect_err("wrong password");
    let unknown = bed
        .sign_in("nobody", "Not-The-Passw0rd")
        .await
        .expect_err("unknown user");
    assert_eq!(wrong.0, "NotAuthorizedException", "{wrong:?}");
    assert_eq!(
        wrong, unknown,
        "the caller cannot tell a wrong password from an unknown user"
    );
    assert!(bed.new_user("bob").await.is_none());
    assert_eq!(bed.new_pool_size().await, 0);

    // The right password still works afterwards.
    bed.sign_in("bob", PASSWORD).await.expect("right password");
}

#[tokio::test]
async fn trigger_e2e_temporary_password_lands_as_reset_required() {
    let bed = bed("temporary").await;
    create_user(
        &bed.old,
        &bed.old_pool,
        "tim",
        &[("email", "tim@example.com"), ("email_verified", "true")],
        None,
    )
    .await;

    let refused = bed
        .sign_in("tim", "Temp-Passw0rd!")
        .await
        .expect_err("a temporary password is not kept");
    // "If PreventUserExistenceErrors is enabled, during authentication of imported users a
    // generic NotAuthorizedException error is returned … instead of returning
    // PasswordResetRequiredException" ("Managing user existence error responses").
    assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");
    let user = bed.new_user("tim").await.expect("migrated");
    assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
}

#[tokio::test]
async fn trigger_e2e_forgot_password_migrates_only_reachable_users() {
    let bed = bed("forgot").await;
    create_user(
        &bed.old,
        &bed.old_pool,
        "carol",
        &[("email", "carol@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &bed.old,
        &bed.old_pool,
        "dave",
        &[("email", "dave@example.com")],
        Some(PASSWORD),
    )
    .await;

    bed.new
        .forgot_password()
        .client_id(&bed.new_client)
        .username("carol")
        .send()
        .await
        .expect("ForgotPassword carol");
    let user = bed
        .new_user("carol")
        .await
        .expect("carol migrated for the reset");
    assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
    let refused = bed
        .sign_in("carol", PASSWORD)
        .await
        .expect_err("must reset first");
    // "If PreventUserExistenceErrors is enabled, during authentication of imported users a
    // generic NotAuthorizedException error is returned … instead of returning
    // PasswordResetRequiredException" ("Managing user existence error responses").
    assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");

    // dave has no verified contact: answered like an unknown user, and nobody is created.
    bed.new
        .forgot_password()
        .client_id(&bed.new_client)
        .username("dave")
        .send()
        .await
        .expect("ForgotPassword dave (simulated delivery)");
    assert!(bed.new_user("dave").await.is_none());
}
