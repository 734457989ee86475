//! Every way a user signs in, side by side in one old pool, through the runbook end to end with
//! the real binaries (issue 25, "Tests"; the table of outcomes is `docs/user-kinds.md`).
//!
//! The old pool (Essentials) signs in with passwords, e-mail codes and passkeys first and has
//! e-mail, SMS and TOTP MFA; every user is in the group `staff`. The new pool (Essentials, e-mail
//! codes first, e-mail MFA configured) runs the real trigger binary as UserMigration and
//! PreTokenGeneration. The kinds:
//!
//! | user | kind                       | path                                   |
//! |------|----------------------------|----------------------------------------|
//! | pia  | passwordless only (code)   | imported before cutover, back by code  |
//! | pat  | password                   | the trigger at sign-in                 |
//! | emma | password + e-mail MFA      | the trigger, reset, e-mail MFA back    |
//! | kai  | password + passkey         | the sweep, back by code, re-enrol list |
//! | sam  | password + SMS MFA         | the sweep, SMS MFA carried             |
//! | tom  | password + TOTP            | the sweep, re-enrol list               |
//! | eve  | password + e-mail MFA      | the sweep, reset, the token function   |
//!
//! Steps as the README's runbook orders them: `plan`; `export --select passwordless` → `import`
//! → `groups`; cutover (sign-ins through the trigger); the sweep (`export --select
//! not-in-target` → `import` → `groups`); `status`. Each user ends with what the runbook promises:
//! its status in the new pool, its factors, its MFA and its row (or none) in `mfa-reenrol.csv`.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFactorType, SmsMfaSettingsType, UserPoolTierType, UserStatusType,
};
use integration_tests::factors::{
    SignIn, WiredPools, enable_user_email_mfa, give_passkey, offer_email_codes_first,
    set_tier_and_first_factors, sign_in_with_email_otp, user_auth_client, wired_pools,
};
use integration_tests::import_support::import_state;
use integration_tests::pools::{
    add_to_group, create_verified_member, enrol_totp, find_user, groups_of,
};
use integration_tests::report_rows::reenrol_row;
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";
const NEW_PASSWORD: &str = "New-Passw0rd!";
const GROUP: &str = "staff";

/// A password user of the old pool in `staff`, with a verified e-mail and `extra` attributes.
async fn password_user(pools: &WiredPools, name: &str, extra: &[(&str, &str)]) {
    create_verified_member(
        &pools.client,
        &pools.old,
        name,
        extra,
        Some(PASSWORD),
        &[GROUP],
    )
    .await;
}

/// `pia`: signs up with no password (the old pool lets e-mail codes sign in first), confirmed,
/// her e-mail verified.
async fn passwordless_user(pools: &WiredPools, name: &str) {
    let client = &pools.client;
    let attribute = |name: &str, value: String| {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    };
    client
        .sign_up()
        .client_id(&pools.old_client)
        .username(name)
        .user_attributes(attribute("email", format!("{name}@example.com")))
        .send()
        .await
        .expect("SignUp without a password");
    client
        .admin_confirm_sign_up()
        .user_pool_id(&pools.old)
        .username(name)
        .send()
        .await
        .expect("AdminConfirmSignUp");
    client
        .admin_update_user_attributes()
        .user_pool_id(&pools.old)
        .username(name)
        .user_attributes(attribute("email_verified", "true".to_string()))
        .send()
        .await
        .expect("e-mail verified");
    add_to_group(client, &pools.old, name, GROUP).await;
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The new-pool user's status and groups.
async fn new_user(pools: &WiredPools, name: &str) -> (UserStatusType, Vec<String>) {
    let user = find_user(&pools.client, &pools.new, name)
        .await
        .unwrap_or_else(|| panic!("{name} in the new pool"));
    let groups = groups_of(&pools.client, &pools.new, user.username()).await;
    (user.user_status().cloned().unwrap(), groups)
}

/// `name` resets the password and signs in with the new one: tokens, e-mail MFA on again, and
/// `CONFIRMED` in `staff`.
async fn resets_and_has_email_mfa_back(pools: &WiredPools, name: &str) {
    pools.reset_password(name, NEW_PASSWORD).await;
    assert!(
        matches!(pools.sign_in(name, NEW_PASSWORD).await, SignIn::Tokens),
        "{name}"
    );
    assert_eq!(pools.new_mfa_of(name).await, ["EMAIL_OTP"], "{name}");
    assert_eq!(
        new_user(pools, name).await,
        (UserStatusType::Confirmed, vec![GROUP.to_string()]),
        "{name}"
    );
}

#[tokio::test]
async fn every_kind_of_user_ends_with_what_the_runbook_promises() {
    let pools = wired_pools("kinds").await;
    let client = &pools.client;
    let moto = pools.testbed.moto_url.clone();
    set_tier_and_first_factors(
        client,
        &pools.old,
        UserPoolTierType::Essentials,
        &[
            AuthFactorType::Password,
            AuthFactorType::EmailOtp,
            AuthFactorType::WebAuthn,
        ],
    )
    .await
    .unwrap();
    offer_email_codes_first(client, &pools.new).await;
    let code_client = user_auth_client(client, &pools.new).await;

    passwordless_user(&pools, "pia").await;
    for name in ["pat", "emma", "kai", "tom", "eve"] {
        password_user(&pools, name, &[]).await;
    }
    password_user(
        &pools,
        "sam",
        &[
            ("phone_number", "+15555550123"),
            ("phone_number_verified", "true"),
        ],
    )
    .await;
    for name in ["emma", "eve"] {
        enable_user_email_mfa(client, &pools.old, name)
            .await
            .unwrap();
    }
    give_passkey(&moto, &pools.old, "kai").await;
    client
        .admin_set_user_mfa_preference()
        .user_pool_id(&pools.old)
        .username("sam")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .expect("sam's SMS MFA");
    enrol_totp(client, &pools.old, &pools.old_client, "tom", PASSWORD).await;

    let dir = tempfile::tempdir().unwrap();
    let (pre, sweep) = (dir.path().join("pre"), dir.path().join("sweep"));
    let pools_args = [
        "--source-pool-id",
        pools.old.as_str(),
        "--target-pool-id",
        pools.new.as_str(),
    ];

    // 4. Plan: each kind in its group, by what the new pool lets it do.
    let plan_json = dir.path().join("plan.json");
    pools.run(
        &[&["plan"][..], &pools_args[..]].concat(),
        &[("--json", &plan_json)],
        0,
    );
    let plan = json(&plan_json);
    let factors = &plan["factors"];
    for (group, n) in [
        ("passwordless_only", 1),
        ("password_and_passwordless", 2),
        ("password_only", 4),
        ("passwordless_needs_reset", 0),
        ("not_read", 0),
        ("passkey", 1),
        ("email_mfa", 2),
        ("sms_mfa", 1),
        ("totp", 1),
    ] {
        assert_eq!(factors[group], n, "{group}: {plan}");
    }
    assert_eq!(plan["total"], 7, "{plan}");
    assert_eq!(
        plan["importable_now_without_losing_a_password"], 1,
        "pia: {plan}"
    );
    assert_eq!(plan["need_trigger"], 6, "{plan}");

    // 5. Before cutover: the passwordless user is imported and signs in by a code.
    pools.export(&pre, "passwordless");
    pools.import(&pre, &[]);
    pools.run(
        &["groups", "--target-pool-id", &pools.new],
        &[("--dir", &pre)],
        0,
    );
    assert_eq!(
        new_user(&pools, "pia").await,
        (UserStatusType::ResetRequired, vec![GROUP.to_string()])
    );
    sign_in_with_email_otp(client, &moto, &pools.new, &code_client, "pia")
        .await
        .expect("pia signs in with an e-mailed code, no password ever");
    assert_eq!(reenrol_row(&pre, "pia"), None);

    // 6. Cutover: the password user migrates at sign-in with the password.
    assert!(matches!(
        pools.sign_in("pat", PASSWORD).await,
        SignIn::Tokens
    ));
    assert_eq!(
        new_user(&pools, "pat").await,
        (UserStatusType::Confirmed, vec![GROUP.to_string()])
    );
    assert!(pools.new_mfa_of("pat").await.is_empty());

    // The e-mail-MFA user: a password is no second factor, so RESET_REQUIRED; the reset code
    // proves the e-mail, and the first token turns e-mail MFA on again.
    assert!(matches!(
        pools.sign_in("emma", PASSWORD).await,
        SignIn::Refused(_)
    ));
    resets_and_has_email_mfa_back(&pools, "emma").await;
    pools
        .sign_in_with_the_emailed_code("emma", NEW_PASSWORD)
        .await;

    // 7. The sweep: the dormant users.
    pools.export(&sweep, "not-in-target");
    let kai = reenrol_row(&sweep, "kai").expect("kai on the re-enrol list");
    assert!(kai.contains("passkey (WebAuthn)"), "{kai}");
    let tom = reenrol_row(&sweep, "tom").expect("tom on the re-enrol list");
    assert!(tom.contains("TOTP"), "{tom}");
    let eve = reenrol_row(&sweep, "eve").expect("eve on the re-enrol list");
    assert!(eve.contains("carried unchanged and verified"), "{eve}");
    assert_eq!(reenrol_row(&sweep, "sam"), None, "SMS MFA is carried");
    pools.import(&sweep, &[]);
    assert_eq!(
        import_state(&sweep)["email_mfa"]["after_reset"],
        1,
        "eve: AWS refuses MFA settings until the reset"
    );
    pools.run(
        &["groups", "--target-pool-id", &pools.new],
        &[("--dir", &sweep)],
        0,
    );
    for name in ["kai", "sam", "tom"] {
        assert_eq!(
            new_user(&pools, name).await,
            (UserStatusType::ResetRequired, vec![GROUP.to_string()]),
            "{name}"
        );
    }
    sign_in_with_email_otp(client, &moto, &pools.new, &code_client, "kai")
        .await
        .expect("kai comes back by an e-mailed code, no reset");
    assert_eq!(pools.new_mfa_of("sam").await, ["SMS_MFA"]);
    assert!(
        pools.new_mfa_of("tom").await.is_empty(),
        "TOTP is set up again"
    );
    assert!(pools.new_mfa_of("eve").await.is_empty(), "until the reset");
    assert_eq!(
        new_user(&pools, "eve").await,
        (UserStatusType::ResetRequired, vec![]),
        "eve: groups left her to the token function"
    );

    // Eve resets and signs in: her first token writes her groups and turns e-mail MFA on, so
    // no sign-in after the reset is a password alone; `import --resume` then finds it on.
    resets_and_has_email_mfa_back(&pools, "eve").await;
    pools.import(&sweep, &["--resume"]);
    assert_eq!(
        import_state(&sweep)["email_mfa"],
        serde_json::json!({"listed": 1, "restored": 1, "after_reset": 0, "not_configured": 0, "not_found": 0})
    );
    assert_eq!(pools.new_mfa_of("eve").await, ["EMAIL_OTP"]);
    assert!(matches!(
        pools.sign_in("eve", NEW_PASSWORD).await,
        SignIn::EmailOtp { .. }
    ));

    // 8. Status: every old user moved, each factor group shown.
    let status_json = dir.path().join("status.json");
    pools.run(
        &[&["status"][..], &pools_args[..]].concat(),
        &[("--dir", &pre), ("--dir", &sweep), ("--json", &status_json)],
        0,
    );
    let status = json(&status_json);
    assert_eq!(status["old_users"]["migrated"], 7, "{status}");
    assert_eq!(status["factors"]["old_pool"], plan["factors"], "{status}");
    let reenrol = &status["factors"]["reenrol"];
    for (reason, n) in [
        ("listed", 3),
        ("passkey", 1),
        ("totp", 1),
        ("email_mfa_at_import", 1),
        ("email_mfa_after_reset", 0),
    ] {
        assert_eq!(reenrol[reason], n, "{reason}: {status}");
    }
    assert_eq!(
        status["factors"]["email_mfa_at_import"]["restored"], 1,
        "{status}"
    );
}
