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

use aws_sdk_cognitoidentityprovider::types::UserStatusType;
use integration_tests::factors::{SignIn, enable_user_email_mfa, sign_in_code, wired_pools};
use integration_tests::pools::{create_member, find_user};

const PASSWORD: &str = "Old-Passw0rd!";
const NEW_PASSWORD: &str = "New-Passw0rd!";

#[tokio::test]
async fn email_mfa_user_migrates_reset_required_and_gets_email_mfa_back_after_the_reset() {
    let pools = wired_pools("emailmfa-back").await;
    create_member(
        &pools.client,
        &pools.old,
        "emma",
        &[("email", "emma@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
        &[],
    )
    .await;
    enable_user_email_mfa(&pools.client, &pools.old, "emma")
        .await
        .expect("emma's e-mail MFA in the old pool");

    // The right password migrates emma, but a password is not her second factor: no tokens,
    // and the caller sees the generic answer (as for a TOTP user, window_security.rs).
    match pools.sign_in("emma", PASSWORD).await {
        SignIn::Refused(code) => assert_eq!(code, "NotAuthorizedException"),
        other => panic!("emma must reset first: {other:?}"),
    }
    let emma = find_user(&pools.client, &pools.new, "emma")
        .await
        .expect("emma migrated");
    assert_eq!(emma.user_status(), Some(&UserStatusType::ResetRequired));
    assert!(pools.new_mfa_of("emma").await.is_empty());

    // The reset code sent to her e-mail proves it; her first token turns e-mail MFA on again.
    pools.reset_password("emma", NEW_PASSWORD).await;
    match pools.sign_in("emma", NEW_PASSWORD).await {
        SignIn::Tokens => {}
        other => panic!("emma's first sign-in after the reset: {other:?}"),
    }
    assert_eq!(pools.new_mfa_of("emma").await, ["EMAIL_OTP"]);

    // From now on the new pool asks for the e-mailed code, and only the code gives tokens.
    let SignIn::EmailOtp { session, username } = pools.sign_in("emma", NEW_PASSWORD).await else {
        panic!("emma's next sign-in must ask for the EMAIL_OTP code");
    };
    let code = sign_in_code(&pools.testbed.moto_url, &pools.new, &username, "EMAIL_OTP")
        .await
        .expect("a code e-mailed to emma");
    assert!(pools.answer_email_otp(&session, &username, &code).await);
}

#[tokio::test]
async fn email_mfa_a_password_user_without_it_is_left_alone() {
    let pools = wired_pools("emailmfa-alone").await;
    create_member(
        &pools.client,
        &pools.old,
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
    let paul = find_user(&pools.client, &pools.new, "paul")
        .await
        .expect("paul migrated");
    assert_eq!(paul.user_status(), Some(&UserStatusType::Confirmed));
    assert!(pools.new_mfa_of("paul").await.is_empty());
}
