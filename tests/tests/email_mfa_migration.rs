//! E-mail MFA across the migration, end to end (issue 25, item 2): the new pool in moto fires the
//! real trigger binary (hosted by the Lambda host) as its UserMigration and PreTokenGeneration
//! trigger, and the old pool, also in moto, has e-mail MFA configured (Essentials, Amazon SES).
//!
//! - A user enrolled in e-mail MFA signs in with the right password: migrated `RESET_REQUIRED`
//!   (a password never stands in for a second factor), no tokens. The user resets with the code
//!   sent to the e-mail and signs in: that first token's companion turns e-mail MFA on again in
//!   the new pool, so the next sign-in asks for the `EMAIL_OTP` code, and the right code gives
//!   tokens. Nobody ends with fewer factors than before.
//! - A password user without e-mail MFA migrates and is left alone: no MFA, tokens at once.
//!
//! The emulator's rules these tests rely on (`tests/emulator/README.md`, "Sign-in factors", each
//! with its AWS page): `EmailMfaSettings` on AdminSetUserMFAPreference and `EMAIL_OTP` in
//! `UserMFASettingList`; a right password of an e-mail-MFA user is answered with the `EMAIL_OTP`
//! challenge, the code read back through the test-only `GET /_testbed/sign-in-code`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType, UserStatusType};
use integration_tests::factors::{enable_email_mfa, enable_user_email_mfa, sign_in_code};
use integration_tests::lambda::{Function, LambdaHost, function_arn, trigger_env};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_member, create_pool, create_sign_in_client,
    find_user,
};
use integration_tests::testbed::{Testbed, binary, forgot_password_code};

const PASSWORD: &str = "Old-Passw0rd!";
const NEW_PASSWORD: &str = "New-Passw0rd!";
const MARKER: &str = "cognito-migrate-no-old-groups";

/// Both pools with e-mail MFA configured; the new pool's UserMigration and PreTokenGeneration
/// are the host's function `function`, the real trigger binary.
struct Pools {
    testbed: Testbed,
    client: Client,
    old_pool: String,
    new_pool: String,
    new_client: String,
}

async fn pools(name: &str) -> Pools {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old_pool = create_pool(&client, &PoolSpec::named(&format!("emailmfa-{name}-old"))).await;
    let (old_client, _) = create_app_client(&client, &old_pool, false).await;
    enable_email_mfa(&client, &old_pool)
        .await
        .expect("e-mail MFA in the old pool");

    let function = format!("email-mfa-{name}");
    let arn = function_arn(&function);
    let mut spec = PoolSpec::named(&format!("emailmfa-{name}-new")).with_custom(&["legacy_sub"]);
    spec.lambda_config = Some(
        LambdaConfigType::builder()
            .user_migration(&arn)
            .pre_token_generation(&arn)
            .build(),
    );
    let new_pool = create_pool(&client, &spec).await;
    enable_email_mfa(&client, &new_pool)
        .await
        .expect("e-mail MFA in the new pool");
    let new_client = create_sign_in_client(&client, &new_pool).await;
    create_group(&client, &new_pool, MARKER).await;

    let env = trigger_env(
        &testbed,
        &old_pool,
        &old_client,
        &[
            ("RETURN_OLD_USERNAME", "false"),
            ("NEW_USER_POOL_ID", new_pool.as_str()),
            ("USER_REF_KEY", "email-mfa-test-key"),
        ],
    );
    LambdaHost::from_env()
        .register(
            &Function {
                name: function,
                env,
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
    Pools {
        testbed,
        client,
        old_pool,
        new_pool,
        new_client,
    }
}

/// How a password sign-in to the new pool ended.
#[derive(Debug)]
enum SignIn {
    Tokens,
    EmailOtp { session: String, username: String },
    Refused(String),
}

impl Pools {
    async fn sign_in(&self, name: &str, password: &str) -> SignIn {
        match self
            .client
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
        {
            Ok(output) if output.authentication_result().is_some() => SignIn::Tokens,
            Ok(output) if output.challenge_name() == Some(&ChallengeNameType::EmailOtp) => {
                SignIn::EmailOtp {
                    session: output.session().expect("a session").to_string(),
                    username: output
                        .challenge_parameters()
                        .and_then(|p| p.get("USERNAME"))
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                }
            }
            Ok(output) => panic!("{name}: neither tokens nor EMAIL_OTP: {output:?}"),
            Err(error) => SignIn::Refused(error.code().unwrap_or_default().to_string()),
        }
    }

    async fn answer_email_otp(&self, session: &str, username: &str, code: &str) -> bool {
        self.client
            .respond_to_auth_challenge()
            .client_id(&self.new_client)
            .challenge_name(ChallengeNameType::EmailOtp)
            .session(session)
            .challenge_responses("USERNAME", username)
            .challenge_responses("EMAIL_OTP_CODE", code)
            .send()
            .await
            .expect("RespondToAuthChallenge EMAIL_OTP")
            .authentication_result()
            .is_some()
    }

    /// The new-pool user's `UserMFASettingList`.
    async fn new_mfa_of(&self, name: &str) -> Vec<String> {
        find_user(&self.client, &self.new_pool, name)
            .await
            .unwrap_or_else(|| panic!("{name} in the new pool"))
            .user_mfa_setting_list()
            .to_vec()
    }
}

#[tokio::test]
async fn email_mfa_user_migrates_reset_required_and_gets_email_mfa_back_after_the_reset() {
    let pools = pools("back").await;
    create_member(
        &pools.client,
        &pools.old_pool,
        "emma",
        &[("email", "emma@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
        &[],
    )
    .await;
    enable_user_email_mfa(&pools.client, &pools.old_pool, "emma")
        .await
        .expect("emma's e-mail MFA in the old pool");

    // The right password migrates emma, but a password is not her second factor: no tokens,
    // and the caller sees the generic answer (as for a TOTP user, window_security.rs).
    match pools.sign_in("emma", PASSWORD).await {
        SignIn::Refused(code) => assert_eq!(code, "NotAuthorizedException"),
        other => panic!("emma must reset first: {other:?}"),
    }
    let emma = find_user(&pools.client, &pools.new_pool, "emma")
        .await
        .expect("emma migrated");
    assert_eq!(emma.user_status(), Some(&UserStatusType::ResetRequired));
    assert!(pools.new_mfa_of("emma").await.is_empty());

    // The reset code sent to her e-mail proves it; her first token turns e-mail MFA on again.
    let code = forgot_password_code(&pools.testbed.moto_url, &pools.new_client, "emma").await;
    pools
        .client
        .confirm_forgot_password()
        .client_id(&pools.new_client)
        .username("emma")
        .confirmation_code(code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword emma");
    match pools.sign_in("emma", NEW_PASSWORD).await {
        SignIn::Tokens => {}
        other => panic!("emma's first sign-in after the reset: {other:?}"),
    }
    assert_eq!(pools.new_mfa_of("emma").await, ["EMAIL_OTP"]);

    // From now on the new pool asks for the e-mailed code, and only the code gives tokens.
    let SignIn::EmailOtp { session, username } = pools.sign_in("emma", NEW_PASSWORD).await else {
        panic!("emma's next sign-in must ask for the EMAIL_OTP code");
    };
    let code = sign_in_code(
        &pools.testbed.moto_url,
        &pools.new_pool,
        &username,
        "EMAIL_OTP",
    )
    .await
    .expect("a code e-mailed to emma");
    assert!(pools.answer_email_otp(&session, &username, &code).await);
}

#[tokio::test]
async fn email_mfa_a_password_user_without_it_is_left_alone() {
    let pools = pools("alone").await;
    create_member(
        &pools.client,
        &pools.old_pool,
        "paul",
        &[("email", "paul@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
        &[],
    )
    .await;
    for round in ["migrating", "again"] {
        match pools.sign_in("paul", PASSWORD).await {
            SignIn::Tokens => {}
            other => panic!("paul, {round}: {other:?}"),
        }
    }
    let paul = find_user(&pools.client, &pools.new_pool, "paul")
        .await
        .expect("paul migrated");
    assert_eq!(paul.user_status(), Some(&UserStatusType::Confirmed));
    assert!(pools.new_mfa_of("paul").await.is_empty());
}
