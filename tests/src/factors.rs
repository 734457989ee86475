//! Sign-in factors on the test bed (tests/emulator/README.md, "Sign-in factors"): a pool's
//! feature plan and first factors, e-mail MFA, passkeys, and choice-based sign-in (`USER_AUTH`)
//! with an e-mail one-time password.
//!
//! The codes the test bed "sends" are read back through its test-only route
//! `GET /_testbed/sign-in-code` (AWS e-mails or texts them); a passkey is given with the test-only
//! `POST /_testbed/passkeys` (registering one needs a browser). Everything else is the Cognito API.
//!
//! [`wired_pools`] gives an old and a new pool with e-mail MFA, the new one wired to the real
//! trigger binary, for the end-to-end tests of who signs in how (`email_mfa_migration.rs`,
//! `user_kinds.rs`).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::{
    InitiateAuthError, InitiateAuthOutput,
};
use aws_sdk_cognitoidentityprovider::operation::update_user_pool::builders::UpdateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, AuthFlowType, AuthenticationResultType, ChallengeNameType,
    EmailConfigurationType, EmailMfaConfigType, EmailMfaSettingsType, EmailSendingAccountType,
    ExplicitAuthFlowsType, LambdaConfigType, SignInPolicyType, UserPoolMfaType, UserPoolPolicyType,
    UserPoolTierType, UserPoolType,
};
use serde_json::{Value, json};
use std::path::Path;

use crate::cli::{cognito_migrate, describe, export_ok};
use crate::import_support::import;
use crate::lambda::{Function, LambdaHost, function_arn, trigger_env};
use crate::pools::{
    PoolSpec, create_app_client, create_group, create_pool, create_sign_in_client, find_user,
};
use crate::testbed::{Testbed, binary, forgot_password_code};

/// The group the token function's tests keep in the new pool (a user in no old group).
const MARKER: &str = "cognito-migrate-no-old-groups";

/// An old pool and a new pool, both with e-mail MFA configured (Essentials, Amazon SES); the new
/// pool keeps the legacy id and its UserMigration and PreTokenGeneration (unless
/// [`wired_pools_without_token_function`]) are the real trigger binary, hosted by the Lambda host.
pub struct WiredPools {
    /// The emulators.
    pub testbed: Testbed,
    /// A client of the emulator.
    pub client: Client,
    /// The old pool.
    pub old: String,
    /// The old pool's app client (ADMIN_USER_PASSWORD_AUTH), the trigger's.
    pub old_client: String,
    /// The new pool.
    pub new: String,
    /// The new pool's sign-in client (USER_PASSWORD_AUTH).
    pub new_client: String,
}

/// Creates the pools of [`WiredPools`], named after `name`.
pub async fn wired_pools(name: &str) -> WiredPools {
    wire_pools(name, true).await
}

/// [`wired_pools`] whose new pool has no PreTokenGeneration trigger (the token function is not
/// deployed): only the UserMigration trigger is wired.
pub async fn wired_pools_without_token_function(name: &str) -> WiredPools {
    wire_pools(name, false).await
}

async fn wire_pools(name: &str, token_function: bool) -> WiredPools {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named(&format!("{name}-old"))).await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    enable_email_mfa(&client, &old)
        .await
        .expect("e-mail MFA in the old pool");

    let function = format!("{name}-trigger");
    let arn = function_arn(&function);
    let mut spec = PoolSpec::named(&format!("{name}-new")).with_custom(&["legacy_sub"]);
    let triggers = LambdaConfigType::builder().user_migration(&arn);
    let triggers = match token_function {
        true => triggers.pre_token_generation(&arn),
        false => triggers,
    };
    spec.lambda_config = Some(triggers.build());
    let new = create_pool(&client, &spec).await;
    enable_email_mfa(&client, &new)
        .await
        .expect("e-mail MFA in the new pool");
    let new_client = create_sign_in_client(&client, &new).await;
    create_group(&client, &new, MARKER).await;

    let env = trigger_env(
        &testbed,
        &old,
        &old_client,
        &[
            ("RETURN_OLD_USERNAME", "false"),
            ("NEW_USER_POOL_ID", new.as_str()),
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
    WiredPools {
        testbed,
        client,
        old,
        old_client,
        new,
        new_client,
    }
}

/// How a password sign-in to the new pool ended.
#[derive(Debug)]
pub enum SignIn {
    /// Tokens.
    Tokens,
    /// The e-mail MFA challenge.
    EmailOtp {
        /// The challenge's session.
        session: String,
        /// The user name to answer with.
        username: String,
    },
    /// Refused with this error code.
    Refused(String),
}

impl WiredPools {
    /// Signs `name` in to the new pool with `password` (USER_PASSWORD_AUTH: the trigger sees it).
    pub async fn sign_in(&self, name: &str, password: &str) -> SignIn {
        match self.initiate_password_auth(name, password).await {
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

    /// Signs `name` in as [`WiredPools::sign_in`] does, which must give tokens: the ID token.
    pub async fn id_token(&self, name: &str, password: &str) -> String {
        self.initiate_password_auth(name, password)
            .await
            .unwrap_or_else(|e| panic!("{name}'s sign-in: {:?}", e.code()))
            .authentication_result()
            .and_then(|tokens| tokens.id_token())
            .unwrap_or_else(|| panic!("{name}'s sign-in gave no tokens"))
            .to_string()
    }

    async fn initiate_password_auth(
        &self,
        name: &str,
        password: &str,
    ) -> Result<InitiateAuthOutput, SdkError<InitiateAuthError>> {
        self.client
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }

    /// Answers the e-mail MFA challenge; true when it gave tokens.
    pub async fn answer_email_otp(&self, session: &str, username: &str, code: &str) -> bool {
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

    /// Signs `name` in with `password` as [`WiredPools::sign_in`] does, which must ask for the
    /// e-mail MFA code, and answers with the code the test bed e-mailed, which must give tokens.
    pub async fn sign_in_with_the_emailed_code(&self, name: &str, password: &str) {
        let SignIn::EmailOtp { session, username } = self.sign_in(name, password).await else {
            panic!("{name}'s sign-in must ask for the EMAIL_OTP code");
        };
        let code = sign_in_code(&self.testbed.moto_url, &self.new, &username, "EMAIL_OTP")
            .await
            .unwrap_or_else(|| panic!("a code e-mailed to {name}"));
        assert!(
            self.answer_email_otp(&session, &username, &code).await,
            "{name}: the e-mailed code gives tokens"
        );
    }

    /// Runs `cognito-migrate` against the test bed with `args`, then each `(flag, path)` of
    /// `paths`, which must exit `status`; its standard output.
    pub fn run(&self, args: &[&str], paths: &[(&str, &Path)], status: i32) -> String {
        let mut command = cognito_migrate(&self.testbed.moto_url);
        command.args(args);
        for (flag, path) in paths {
            command.arg(flag).arg(path);
        }
        let output = command.output().expect("cognito-migrate runs");
        assert_eq!(
            output.status.code(),
            Some(status),
            "{args:?}: {}",
            describe(&output)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `cognito-migrate export --select SELECT` from the old pool to the new one into `out`,
    /// which must exit 0.
    pub fn export(&self, out: &Path, select: &str) {
        export_ok(
            &self.testbed.moto_url,
            &self.old,
            &self.new,
            out,
            &["--select", select],
        );
    }

    /// Runs `cognito-migrate import` into the new pool from `dir` with `extra` arguments, which
    /// must exit 0.
    pub fn import(&self, dir: &Path, extra: &[&str]) {
        let run = import(&self.testbed.moto_url, &self.new, dir, extra);
        assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    }

    /// Resets `name`'s password in the new pool with the code "sent" to its verified contact
    /// (ForgotPassword, the code read back, ConfirmForgotPassword).
    pub async fn reset_password(&self, name: &str, new_password: &str) {
        let code = forgot_password_code(&self.testbed.moto_url, &self.new_client, name).await;
        self.client
            .confirm_forgot_password()
            .client_id(&self.new_client)
            .username(name)
            .confirmation_code(code)
            .password(new_password)
            .send()
            .await
            .unwrap_or_else(|e| panic!("ConfirmForgotPassword {name}: {e:?}"));
    }

    /// The new-pool user's `UserMFASettingList`.
    pub async fn new_mfa_of(&self, name: &str) -> Vec<String> {
        find_user(&self.client, &self.new, name)
            .await
            .unwrap_or_else(|| panic!("{name} in the new pool"))
            .user_mfa_setting_list()
            .to_vec()
    }
}

/// The Cognito error code of a failed call (`FeatureUnavailableInTierException`, ...).
fn code_of<E: ProvideErrorMetadata>(error: &E) -> String {
    error.code().unwrap_or("unknown error").to_string()
}

/// DescribeUserPool, then an UpdateUserPool, not yet sent, that carries over every setting the
/// description shows but the feature plan and the policies (UpdateUserPool resets what it is not
/// sent, on AWS as on the test bed): the caller sets those and whatever it changes. `Err(code)`
/// when DescribeUserPool is refused.
async fn update_keeping_settings(
    client: &Client,
    pool_id: &str,
) -> Result<(UserPoolType, UpdateUserPoolFluentBuilder), String> {
    let described = client
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    let pool = described
        .user_pool()
        .expect("DescribeUserPool answers the pool")
        .clone();
    let update = client
        .update_user_pool()
        .user_pool_id(pool_id)
        .set_lambda_config(pool.lambda_config().cloned())
        .set_auto_verified_attributes(Some(pool.auto_verified_attributes().to_vec()))
        .set_verification_message_template(pool.verification_message_template().cloned())
        .set_user_attribute_update_settings(pool.user_attribute_update_settings().cloned())
        .set_mfa_configuration(pool.mfa_configuration().cloned())
        .set_email_configuration(pool.email_configuration().cloned())
        .set_sms_configuration(pool.sms_configuration().cloned())
        .set_admin_create_user_config(pool.admin_create_user_config().cloned())
        .set_account_recovery_setting(pool.account_recovery_setting().cloned())
        .set_deletion_protection(pool.deletion_protection().cloned());
    Ok((pool, update))
}

/// The pool's password policy with `first_factors` as its `AllowedFirstAuthFactors`.
fn policies_with_first_factors(
    pool: &UserPoolType,
    first_factors: Vec<AuthFactorType>,
) -> UserPoolPolicyType {
    UserPoolPolicyType::builder()
        .set_password_policy(pool.policies().and_then(|p| p.password_policy()).cloned())
        .sign_in_policy(
            SignInPolicyType::builder()
                .set_allowed_first_auth_factors(Some(first_factors))
                .build(),
        )
        .build()
}

/// Sets the pool's feature plan and `AllowedFirstAuthFactors` with UpdateUserPool, carrying over
/// the settings DescribeUserPool shows ([`update_keeping_settings`]). `Err(code)` when refused,
/// e.g. `FeatureUnavailableInTierException` for passwordless factors on LITE.
pub async fn set_tier_and_first_factors(
    client: &Client,
    pool_id: &str,
    tier: UserPoolTierType,
    first_factors: &[AuthFactorType],
) -> Result<(), String> {
    let (pool, update) = update_keeping_settings(client, pool_id).await?;
    update
        .user_pool_tier(tier)
        .policies(policies_with_first_factors(&pool, first_factors.to_vec()))
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    Ok(())
}

/// Puts the pool on Essentials with passwords and e-mail codes first (`PASSWORD`, `EMAIL_OTP`):
/// a new pool that lets users back by a code. Fails the test when refused.
pub async fn offer_email_codes_first(client: &Client, pool_id: &str) {
    set_tier_and_first_factors(
        client,
        pool_id,
        UserPoolTierType::Essentials,
        &[AuthFactorType::Password, AuthFactorType::EmailOtp],
    )
    .await
    .unwrap_or_else(|code| panic!("e-mail codes first in {pool_id}: {code}"));
}

/// The pool's feature plan as DescribeUserPool reports it.
pub async fn tier(client: &Client, pool_id: &str) -> Option<UserPoolTierType> {
    client
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .expect("DescribeUserPool")
        .user_pool()
        .and_then(|pool| pool.user_pool_tier().cloned())
}

/// Turns on e-mail MFA for the pool: its e-mail goes through Amazon SES (`EmailSendingAccount`
/// DEVELOPER, which e-mail MFA requires), then SetUserPoolMfaConfig with `EmailMfaConfiguration`
/// (MFA `OPTIONAL` unless already `ON`; the SMS and TOTP settings are kept). `Err(code)` when
/// refused (`FeatureUnavailableInTierException` on LITE).
pub async fn enable_email_mfa(client: &Client, pool_id: &str) -> Result<(), String> {
    let (pool, update) = update_keeping_settings(client, pool_id).await?;
    let sends_with_ses = pool
        .email_configuration()
        .and_then(|e| e.email_sending_account())
        .is_some_and(|account| *account == EmailSendingAccountType::Developer);
    if !sends_with_ses {
        let factors: Vec<AuthFactorType> = pool
            .policies()
            .and_then(|p| p.sign_in_policy())
            .map(|s| s.allowed_first_auth_factors().to_vec())
            .unwrap_or_else(|| vec![AuthFactorType::Password]);
        update
            .user_pool_tier(
                pool.user_pool_tier()
                    .cloned()
                    .unwrap_or(UserPoolTierType::Essentials),
            )
            .policies(policies_with_first_factors(&pool, factors))
            .email_configuration(
                EmailConfigurationType::builder()
                    .email_sending_account(EmailSendingAccountType::Developer)
                    .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                    .from("no-reply@example.com")
                    .build(),
            )
            .send()
            .await
            .map_err(|e| code_of(&e))?;
    }
    let current = client
        .get_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    let mfa = match current.mfa_configuration() {
        Some(UserPoolMfaType::On) => UserPoolMfaType::On,
        _ => UserPoolMfaType::Optional,
    };
    client
        .set_user_pool_mfa_config()
        .user_pool_id(pool_id)
        .mfa_configuration(mfa)
        .set_sms_mfa_configuration(current.sms_mfa_configuration().cloned())
        .set_software_token_mfa_configuration(current.software_token_mfa_configuration().cloned())
        .email_mfa_configuration(
            EmailMfaConfigType::builder()
                .message("Your sign-in code is {####}")
                .subject("Your sign-in code")
                .build(),
        )
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    Ok(())
}

/// Enables e-mail MFA for the user and makes it the preferred factor
/// (AdminSetUserMFAPreference `EmailMfaSettings`); AdminGetUser then lists `EMAIL_OTP`.
pub async fn enable_user_email_mfa(
    client: &Client,
    pool_id: &str,
    username: &str,
) -> Result<(), String> {
    client
        .admin_set_user_mfa_preference()
        .user_pool_id(pool_id)
        .username(username)
        .email_mfa_settings(
            EmailMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    Ok(())
}

/// An app client that allows choice-based sign-in (`ALLOW_USER_AUTH`) and refresh.
pub async fn user_auth_client(client: &Client, pool_id: &str) -> String {
    client
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("choice-based")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client()
        .and_then(|c| c.client_id())
        .expect("the new client's id")
        .to_string()
}

/// Gives the user a passkey (test-only `POST /_testbed/passkeys`); its credential id.
pub async fn give_passkey(moto_url: &str, pool_id: &str, username: &str) -> String {
    let body = json!({ "UserPoolId": pool_id, "Username": username }).to_string();
    let (status, _headers, answer) = crate::lambda::http(
        moto_url,
        "POST",
        "/_testbed/passkeys",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await;
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status, 200, "passkey for {username}: {text}");
    let answer: Value = serde_json::from_str(&text).expect("the passkey route answers JSON");
    answer["CredentialId"]
        .as_str()
        .expect("CredentialId")
        .to_string()
}

/// The sign-in code outstanding for the user (`EMAIL_OTP` or `SMS_OTP`, sent by USER_AUTH or by
/// e-mail MFA), read through the test-only `GET /_testbed/sign-in-code`; None when none is.
pub async fn sign_in_code(
    moto_url: &str,
    pool_id: &str,
    username: &str,
    challenge: &str,
) -> Option<String> {
    let query: String = url_encode(&[
        ("UserPoolId", pool_id),
        ("Username", username),
        ("ChallengeName", challenge),
    ]);
    let (status, _headers, answer) = crate::lambda::http(
        moto_url,
        "GET",
        &format!("/_testbed/sign-in-code?{query}"),
        &[],
        b"",
    )
    .await;
    if status == 404 {
        return None;
    }
    let text = String::from_utf8_lossy(&answer);
    assert_eq!(status, 200, "sign-in code of {username}: {text}");
    let answer: Value = serde_json::from_str(&text).expect("the code route answers JSON");
    answer["Code"].as_str().map(str::to_string)
}

fn url_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            let value: String = value
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Signs in with `USER_AUTH` and `PREFERRED_CHALLENGE` `EMAIL_OTP`: InitiateAuth, the code the
/// test bed "e-mailed", RespondToAuthChallenge `EMAIL_OTP`. `Err(code)` when Cognito refuses a
/// step (e.g. `UserNotFoundException`, `FeatureUnavailableInTierException`), or
/// `"no EMAIL_OTP challenge: <answer>"` when the user is not offered one.
pub async fn sign_in_with_email_otp(
    client: &Client,
    moto_url: &str,
    pool_id: &str,
    client_id: &str,
    username: &str,
) -> Result<AuthenticationResultType, String> {
    let started = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PREFERRED_CHALLENGE", "EMAIL_OTP")
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    if started.challenge_name() != Some(&ChallengeNameType::EmailOtp) {
        return Err(format!("no EMAIL_OTP challenge: {started:?}"));
    }
    let challenged = started
        .challenge_parameters()
        .and_then(|p| p.get("USERNAME"))
        .map(String::as_str)
        .unwrap_or(username);
    let code = sign_in_code(moto_url, pool_id, challenged, "EMAIL_OTP")
        .await
        .ok_or_else(|| format!("no code outstanding for {username}"))?;
    let answered = client
        .respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::EmailOtp)
        .set_session(started.session().map(str::to_string))
        .challenge_responses("USERNAME", challenged)
        .challenge_responses("EMAIL_OTP_CODE", code)
        .send()
        .await
        .map_err(|e| code_of(&e))?;
    answered
        .authentication_result()
        .cloned()
        .ok_or_else(|| format!("no tokens: {answered:?}"))
}
