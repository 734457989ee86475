//! `cognito-migrate preflight` against moto: a ready setup passes; each misconfiguration is
//! named with what to change. The window's refusals each have a test that builds the failing
//! pool over the SDK: an app client that lets users write the legacy id or the tenant
//! (`WriteAttributes`, or an unset list for a standard attribute), self sign-up without the
//! sign-up guard, and an app client that shows user existence errors. Issue 22 (the window against
//! an attacker who chooses): a new-pool client that lets users re-point a sign-in name (an alias
//! pool, an e-mail-as-user-name pool), an old pool open to sign-up, old-pool challenges the
//! trigger's password check never meets, and a new pool without the old pool's MFA.
//! Issue 23: every trigger the runbook wires, PreTokenGeneration among them (absent, its version
//! against the feature plan, the legacy field disagreeing, the UserMigration function reused).

use aws_sdk_cognitoidentityprovider::Client;
use std::collections::BTreeMap;
use std::process::Output;

use aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AdvancedSecurityModeType, AliasAttributeType, ExplicitAuthFlowsType,
    LambdaConfigType, PreTokenGenerationLambdaVersionType, PreTokenGenerationVersionConfigType,
    PreventUserExistenceErrorTypes, SoftwareTokenMfaConfigType, UserAttributeUpdateSettingsType,
    UserPoolAddOnsType, UserPoolMfaType, UserPoolTierType, UsernameAttributeType,
    VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::create_app_client;
use integration_tests::testbed::Testbed;

const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";
const TRIGGER: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-trigger";
/// The token function the template deploys beside the sign-in function.
const TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-token";

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
    new_pool_shaped(client, with_trigger, sign_up, |r| r).await
}

/// The new pool of `new_pool_with`, with `shape` applied to its CreateUserPool request (aliases,
/// user-name attributes, update settings).
async fn new_pool_shaped(
    client: &Client,
    with_trigger: bool,
    sign_up: SignUp,
    shape: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> String {
    let mut request = shape(
        client
            .create_user_pool()
            .pool_name("preflight-new")
            .auto_verified_attributes(VerifiedAttributeType::Email),
    );
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
                .pre_token_generation_config(token_config(
                    TOKEN,
                    PreTokenGenerationLambdaVersionType::V10,
                ))
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

/// The versioned PreTokenGeneration configuration the template's `LambdaConfig` output holds.
fn token_config(
    arn: &str,
    version: PreTokenGenerationLambdaVersionType,
) -> PreTokenGenerationVersionConfigType {
    PreTokenGenerationVersionConfigType::builder()
        .lambda_arn(arn)
        .lambda_version(version)
        .build()
        .unwrap()
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

/// An old pool with the `custom` attributes, closed to self sign-up for the window, and an app
/// client (no secret) for the trigger.
async fn old_pool(client: &Client, custom: &[&str]) -> (String, String) {
    old_pool_shaped(client, custom, |r| r.admin_create_user_config(admin_only())).await
}

/// Only administrators create users.
fn admin_only() -> AdminCreateUserConfigType {
    AdminCreateUserConfigType::builder()
        .allow_admin_create_user_only(true)
        .build()
}

/// An old pool made by `shape` from a bare CreateUserPool request (self sign-up open unless
/// `shape` closes it), with the `custom` attributes and an app client (no secret) for the trigger.
async fn old_pool_shaped(
    client: &Client,
    custom: &[&str],
    shape: impl FnOnce(CreateUserPoolFluentBuilder) -> CreateUserPoolFluentBuilder,
) -> (String, String) {
    let old = shape(client.create_user_pool().pool_name("preflight-old"))
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    for name in custom {
        client
            .add_custom_attributes()
            .user_pool_id(&old)
            .custom_attributes(
                aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                    .name(*name)
                    .attribute_data_type(
                        aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                    )
                    .mutable(true)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
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
    let old = client
        .create_user_pool()
        .pool_name("preflight-old")
        .admin_create_user_config(admin_only())
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
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

/// The line of `run`'s output that starts with `mark` and holds every piece of `expected`.
fn assert_line(run: &Output, mark: &str, expected: &[&str]) {
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(mark) && expected.iter().all(|piece| l.contains(piece))),
        "no {mark} line with {expected:?} in\n{}",
        describe(run)
    );
}

fn verification_before_update(attribute: VerifiedAttributeType) -> UserAttributeUpdateSettingsType {
    UserAttributeUpdateSettingsType::builder()
        .attributes_require_verification_before_update(attribute)
        .build()
}

#[tokio::test]
async fn preflight_refuses_new_clients_that_let_users_re_point_sign_in_names() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;

    // An alias pool whose client leaves WriteAttributes unset: users can set preferred_username
    // (no verification can hold it) and e-mail.
    let aliases = |r: CreateUserPoolFluentBuilder| {
        r.alias_attributes(AliasAttributeType::PreferredUsername)
            .alias_attributes(AliasAttributeType::Email)
    };
    let alias_pool = new_pool_shaped(&client, true, SignUp::Guarded, aliases).await;
    let writer = app_client(&client, &alias_pool, true).await;
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--target-pool-id", &alias_pool],
    );
    assert_only_failure(
        &run,
        &[
            &format!("FAIL new client {writer} (web) of {alias_pool} cannot write sign-in names"),
            "signed-in users can set their own email, preferred_username",
            "WriteAttributes is unset",
            "Remove email, preferred_username from the client's WriteAttributes",
            "AttributesRequireVerificationBeforeUpdate to email",
            "preferred_username has no verification",
        ],
    );
    // Verification holds e-mail back; preferred_username still fails.
    let held = new_pool_shaped(&client, true, SignUp::Guarded, |r| {
        aliases(r).user_attribute_update_settings(verification_before_update(
            VerifiedAttributeType::Email,
        ))
    })
    .await;
    let writer = app_client(&client, &held, true).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &held]);
    assert_only_failure(
        &run,
        &[
            &format!("new client {writer} (web) of {held} cannot write sign-in names"),
            "set their own preferred_username with",
        ],
    );
    // Fixed: an explicit list without the aliases.
    let fixed = new_pool_shaped(&client, true, SignUp::Guarded, aliases).await;
    app_client_writing(&client, &fixed, true, Some(&["name", "locale"])).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &fixed]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "ok",
        &[
            &format!("of {fixed} cannot write sign-in names"),
            "not writable or held until verified",
        ],
    );

    // An e-mail-as-user-name pool: a client that lists email fails...
    let by_email =
        |r: CreateUserPoolFluentBuilder| r.username_attributes(UsernameAttributeType::Email);
    let email_pool = new_pool_shaped(&client, true, SignUp::Guarded, by_email).await;
    let writer = app_client_writing(&client, &email_pool, true, Some(&["email", "name"])).await;
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--target-pool-id", &email_pool],
    );
    assert_only_failure(
        &run,
        &[
            &format!("new client {writer} (web) of {email_pool} cannot write sign-in names"),
            "set their own email with UpdateUserAttributes (its WriteAttributes lists them)",
            "AttributesRequireVerificationBeforeUpdate to email",
        ],
    );
    // ...and passes once the pool holds a changed e-mail until it is verified.
    let email_held = new_pool_shaped(&client, true, SignUp::Guarded, |r| {
        by_email(r).user_attribute_update_settings(verification_before_update(
            VerifiedAttributeType::Email,
        ))
    })
    .await;
    app_client_writing(&client, &email_held, true, Some(&["email", "name"])).await;
    let run = preflight(
        &testbed,
        &old,
        &old_client,
        &["--target-pool-id", &email_held],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "ok",
        &[&format!("of {email_held} cannot write sign-in names")],
    );
}

#[tokio::test]
async fn preflight_refuses_an_old_pool_open_to_sign_up_with_free_form_names() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = new_pool(&client, true).await;
    app_client(&client, &new, true).await;

    let (open, open_client) = old_pool_shaped(&client, &[], |r| r).await;
    let run = preflight(&testbed, &open, &open_client, &["--target-pool-id", &new]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL old pool {open} is closed to self sign-up for the window"),
            "register a victim's e-mail or phone number as a user name",
            &format!("aws cognito-idp update-user-pool --user-pool-id {open}"),
            "AllowAdminCreateUserOnly=true",
            "UpdateUserPool resets what it is not sent",
        ],
    );

    // An e-mail-alias pool refuses e-mail-shaped user names: open sign-up is a warning, and so is
    // its client that lets users write the alias.
    let (alias, alias_client) = old_pool_shaped(&client, &[], |r| {
        r.alias_attributes(AliasAttributeType::Email)
    })
    .await;
    let run = preflight(&testbed, &alias, &alias_client, &["--target-pool-id", &new]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "WARN",
        &[
            &format!("old pool {alias} is closed to self sign-up"),
            "AllowAdminCreateUserOnly=true",
        ],
    );
    assert_line(
        &run,
        "WARN",
        &[
            &format!("old client {alias_client} (migration) of {alias} cannot write sign-in names"),
            "set their own email",
        ],
    );

    // Closed for the window: nothing to warn about.
    let (closed, closed_client) = old_pool(&client, &[]).await;
    let run = preflight(
        &testbed,
        &closed,
        &closed_client,
        &["--target-pool-id", &new],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "ok",
        &[
            &format!("old pool {closed} is closed to self sign-up"),
            "self sign-up is off",
        ],
    );
}

#[tokio::test]
async fn preflight_refuses_old_pool_challenges_the_trigger_never_meets() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let new = new_pool(&client, true).await;
    app_client(&client, &new, true).await;

    let define = "arn:aws:lambda:us-east-1:123456789012:function:define-challenge";
    let (custom, custom_client) = old_pool_shaped(&client, &[], |r| {
        r.admin_create_user_config(admin_only()).lambda_config(
            LambdaConfigType::builder()
                .define_auth_challenge(define)
                .create_auth_challenge("arn:aws:lambda:us-east-1:123456789012:function:create")
                .verify_auth_challenge_response(
                    "arn:aws:lambda:us-east-1:123456789012:function:verify",
                )
                .build(),
        )
    })
    .await;
    let run = preflight(
        &testbed,
        &custom,
        &custom_client,
        &["--target-pool-id", &new],
    );
    assert_only_failure(
        &run,
        &[
            &format!("FAIL old pool {custom} asks for nothing beyond the password"),
            &format!("LambdaConfig.DefineAuthChallenge ({define})"),
            "LambdaConfig.VerifyAuthChallengeResponse",
            "move them with the bulk import",
        ],
    );

    let (enforced, enforced_client) = old_pool_shaped(&client, &[], |r| {
        r.admin_create_user_config(admin_only()).user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Enforced)
                .build()
                .unwrap(),
        )
    })
    .await;
    // The new pool on Plus, so its feature plan covers the old pool's threat protection and the
    // challenge check is the one failure.
    let plus = new_pool_shaped(&client, true, SignUp::Guarded, |r| {
        r.user_pool_tier(UserPoolTierType::Plus)
    })
    .await;
    app_client(&client, &plus, true).await;
    let run = preflight(
        &testbed,
        &enforced,
        &enforced_client,
        &["--target-pool-id", &plus],
    );
    assert_only_failure(
        &run,
        &[
            &format!("FAIL old pool {enforced} asks for nothing beyond the password"),
            "threat protection ENFORCED (UserPoolAddOns.AdvancedSecurityMode)",
            "threat protection ENFORCED, MFA ON",
        ],
    );

    // Audit only: nothing is demanded at sign-in.
    let (audit, audit_client) = old_pool_shaped(&client, &[], |r| {
        r.admin_create_user_config(admin_only()).user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .build()
                .unwrap(),
        )
    })
    .await;
    let run = preflight(
        &testbed,
        &audit,
        &audit_client,
        &["--target-pool-id", &plus],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "ok",
        &[&format!(
            "old pool {audit} asks for nothing beyond the password"
        )],
    );
}

/// Sets a pool's MFA to `mode` with authenticator apps (TOTP).
async fn set_mfa(client: &Client, pool: &str, mode: UserPoolMfaType) {
    client
        .set_user_pool_mfa_config()
        .user_pool_id(pool)
        .mfa_configuration(mode)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn preflight_refuses_a_new_pool_without_the_old_pools_mfa() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;
    set_mfa(&client, &old, UserPoolMfaType::Optional).await;

    let without = new_pool(&client, true).await;
    app_client(&client, &without, true).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &without]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL MFA of {without} is compatible with {old}"),
            &format!("the old pool {old} has MFA OPTIONAL but the new pool {without} has it OFF"),
            "sign in with a password alone",
            "Set the new pool's MFA to OPTIONAL",
        ],
    );

    // The same MFA in the new pool: only the TOTP re-enrolment warning is left.
    let with = new_pool(&client, true).await;
    app_client(&client, &with, true).await;
    set_mfa(&client, &with, UserPoolMfaType::Optional).await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &with]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_line(
        &run,
        "WARN",
        &[
            &format!("MFA of {with} is compatible with {old}"),
            "TOTP secrets cannot be exported",
        ],
    );
}

/// `preflight --json -` of `old`/`old_client` against `new`: the exit status and each check as
/// (verdict, detail) by name.
fn preflight_json(
    testbed: &Testbed,
    old: &str,
    old_client: &str,
    new: &str,
) -> (Option<i32>, BTreeMap<String, (String, String)>) {
    let run = cognito_migrate(&testbed.moto_url)
        .args(["preflight", "--source-pool-id", old])
        .args(["--source-client-id", old_client, "--target-pool-id", new])
        .args(["--logs-role-arn", ROLE, "--json", "-"])
        .output()
        .unwrap();
    let checks: Vec<serde_json::Value> = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(&run)));
    let by_name = checks
        .iter()
        .map(|c| {
            let text = |field: &str| c[field].as_str().unwrap().to_string();
            (text("name"), (text("verdict"), text("detail")))
        })
        .collect();
    (run.status.code(), by_name)
}

/// A new pool that only administrators fill (no sign-up guard needed), with `triggers` as its
/// `LambdaConfig`, `tier` as its feature plan, and a ready app client.
async fn token_wired_pool(
    client: &Client,
    triggers: LambdaConfigType,
    tier: Option<UserPoolTierType>,
) -> String {
    let pool = new_pool_shaped(client, false, SignUp::AdminOnly, |r| {
        r.lambda_config(triggers).set_user_pool_tier(tier)
    })
    .await;
    app_client(client, &pool, true).await;
    pool
}

#[tokio::test]
async fn preflight_names_what_each_token_trigger_gap_costs() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client, &[]).await;
    let has = |pool: &str| format!("new pool {pool} has a PreTokenGeneration trigger");
    let fits =
        |pool: &str| format!("new pool {pool}'s PreTokenGeneration version fits its feature plan");
    let own =
        |pool: &str| format!("new pool {pool}'s PreTokenGeneration trigger is its own function");

    // Fully wired as the template's LambdaConfig output has it, V2_0 on the Essentials plan:
    // every check of the run passes.
    let wired = token_wired_pool(
        &client,
        LambdaConfigType::builder()
            .user_migration(TRIGGER)
            .pre_token_generation_config(token_config(
                TOKEN,
                PreTokenGenerationLambdaVersionType::V20,
            ))
            .build(),
        Some(UserPoolTierType::Essentials),
    )
    .await;
    let (status, checks) = preflight_json(&testbed, &old, &old_client, &wired);
    assert_eq!(status, Some(0), "{checks:#?}");
    let not_passed: Vec<_> = checks.iter().filter(|(_, (v, _))| v != "pass").collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    assert_eq!(checks[&has(&wired)].1, format!("{TOKEN} (V2_0 events)"));
    assert_eq!(checks[&fits(&wired)].1, "V2_0 events on ESSENTIALS");
    assert_eq!(checks[&own(&wired)].1, TOKEN);

    // No token trigger: a warning naming the cost, and nothing about a version.
    let missing = token_wired_pool(
        &client,
        LambdaConfigType::builder().user_migration(TRIGGER).build(),
        None,
    )
    .await;
    let (status, checks) = preflight_json(&testbed, &old, &old_client, &missing);
    assert_eq!(status, Some(0), "a warning only: {checks:#?}");
    let (verdict, detail) = &checks[&has(&missing)];
    assert_eq!(verdict, "warn");
    assert_eq!(
        detail,
        "the new pool has no PreTokenGeneration trigger, so users the trigger migrates get tokens \
         without their old groups (no cognito:groups, no deny-group such as blocked) until \
         cognito-migrate groups --sync next runs: deploy the template with TokenGroups=true and \
         set LambdaConfig.PreTokenGenerationConfig to its token function (the stack's \
         LambdaConfig output), or run groups --sync often and disable blocked users instead of \
         relying on a group"
    );
    assert!(!checks.contains_key(&fits(&missing)) && !checks.contains_key(&own(&missing)));

    // V2_0 on the Lite plan: the one failure of the run.
    let lite = token_wired_pool(
        &client,
        LambdaConfigType::builder()
            .user_migration(TRIGGER)
            .pre_token_generation_config(token_config(
                TOKEN,
                PreTokenGenerationLambdaVersionType::V20,
            ))
            .build(),
        Some(UserPoolTierType::Lite),
    )
    .await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &lite]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL {}", fits(&lite)),
            "LambdaVersion is V2_0 but the pool's feature plan (UserPoolTier) is LITE",
            "only in pools with the Essentials or Plus plan",
            "TokenLambdaVersion=V1_0",
        ],
    );

    // The legacy field naming another function than PreTokenGenerationConfig.
    let other = "arn:aws:lambda:us-east-1:123456789012:function:old-claims";
    let differ = token_wired_pool(
        &client,
        LambdaConfigType::builder()
            .user_migration(TRIGGER)
            .pre_token_generation(other)
            .pre_token_generation_config(token_config(
                TOKEN,
                PreTokenGenerationLambdaVersionType::V10,
            ))
            .build(),
        None,
    )
    .await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &differ]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL {}", has(&differ)),
            &format!("LambdaConfig.PreTokenGeneration ({other})"),
            &format!("PreTokenGenerationConfig.LambdaArn ({TOKEN}) differ"),
            "AWS requires them to be identical",
        ],
    );

    // The legacy field alone, naming the UserMigration function (the test bed's own wiring):
    // a V1_0 trigger that passes, and a warning pointing to the template.
    let shared = token_wired_pool(
        &client,
        LambdaConfigType::builder()
            .user_migration(TRIGGER)
            .pre_token_generation(TRIGGER)
            .build(),
        Some(UserPoolTierType::Lite),
    )
    .await;
    let (status, checks) = preflight_json(&testbed, &old, &old_client, &shared);
    assert_eq!(status, Some(0), "{checks:#?}");
    assert_eq!(
        checks[&has(&shared)],
        (
            "pass".to_string(),
            format!("{TRIGGER} (legacy LambdaConfig.PreTokenGeneration: V1_0 events)")
        )
    );
    assert_eq!(checks[&fits(&shared)].0, "pass");
    let (verdict, detail) = &checks[&own(&shared)];
    assert_eq!(verdict, "warn");
    assert!(
        detail.starts_with(&format!(
            "PreTokenGeneration calls {TRIGGER}, the UserMigration function; deploy/template.yaml \
             gives it a function of its own on purpose"
        )) && detail.contains("TokenFunctionArn"),
        "{detail}"
    );
}

/// Issue 25: the new pool's feature plan and sign-in policy must cover what the old pool's users
/// sign in with — passwordless first factors, e-mail MFA, threat protection — or they are
/// stranded or lose a factor without a word.
#[tokio::test]
async fn preflight_fails_a_new_pool_whose_plan_lacks_what_old_users_sign_in_with() {
    use aws_sdk_cognitoidentityprovider::types::{
        AuthFactorType, SignInPolicyType, UserPoolPolicyType,
    };
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let lite = new_pool_shaped(&client, true, SignUp::Guarded, |r| {
        r.user_pool_tier(UserPoolTierType::Lite)
    })
    .await;
    app_client(&client, &lite, true).await;
    let (old, old_client) = old_pool_shaped(&client, &[], |r| {
        r.admin_create_user_config(admin_only()).policies(
            UserPoolPolicyType::builder()
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        )
    })
    .await;
    let run = preflight(&testbed, &old, &old_client, &["--target-pool-id", &lite]);
    assert_only_failure(
        &run,
        &[
            &format!("FAIL new pool {lite}'s feature plan covers what the old pool's users use"),
            "sign in first with EMAIL_OTP and the new pool does not",
            "passwordless sign-in, which needs the ESSENTIALS plan or higher, and the new pool is on LITE",
        ],
    );
}
