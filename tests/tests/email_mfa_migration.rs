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
//! - `groups --sync` reaches an e-mail-MFA user the trigger migrated before the first sign-in
//!   after the reset. Where the token function is wired, it leaves her alone (no groups, listed
//!   `left_to_token_function`), so her first token after the reset carries her old groups and
//!   turns e-mail MFA on: her second sign-in asks for the code, before any second `--sync`. A
//!   proven `CONFIRMED` user beside her gets groups and e-mail MFA at once. Where no token
//!   function is wired, `--sync` writes her groups, AWS refuses her e-mail MFA until the reset,
//!   she waits in `groups-state.json` and the summary warns that she signs in with a password
//!   alone once reset; the next `groups --sync` turns it on. A user whose address the old pool
//!   never verified, one whose new-pool address is another, and a stranger who holds the name
//!   and the address without the legacy id never get it, though each is `CONFIRMED` and one
//!   request would do it; once an operator turns one on by hand, the next run takes it off
//!   `groups-report.csv`.
//! - `groups` from an export's files does the same for an imported e-mail-MFA user (the sweep):
//!   where the token function is wired, the user `mfa-reenrol.csv` lists with the e-mail carried
//!   verified is given no groups while `RESET_REQUIRED` (each membership and the e-mail MFA row
//!   `left_to_token_function`), so the first token after the reset carries the old groups and
//!   turns e-mail MFA on, with no `import --resume`; the next `groups` run adds the memberships
//!   (already there) and lists nobody. The row is known by its code: an export folder written
//!   before the codes (the reason's old words) is read the same by `import` and `groups`.
//!
//! The emulator's rules these tests rely on (`tests/emulator/README.md`, "Sign-in factors", each
//! with its AWS page): `EmailMfaSettings` on AdminSetUserMFAPreference and `EMAIL_OTP` in
//! `UserMFASettingList`; a right password of an e-mail-MFA user is answered with the `EMAIL_OTP`
//! challenge, the code read back through the test-only `GET /_testbed/sign-in-code`.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
use integration_tests::factors::{
    SignIn, WiredPools, enable_user_email_mfa, wired_pools, wired_pools_without_token_function,
};
use integration_tests::import_support::import_state;
use integration_tests::pools::{create_user, create_verified_member, find_user, groups_of, sub_of};
use integration_tests::report_rows::{email_mfa_row, groups_report_rows_of, reenrol_row};
use integration_tests::tokens::groups_claim;
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";
const NEW_PASSWORD: &str = "New-Passw0rd!";

#[tokio::test]
async fn email_mfa_user_migrates_reset_required_and_gets_email_mfa_back_after_the_reset() {
    let pools = wired_pools("emailmfa-back").await;
    create_verified_member(&pools.client, &pools.old, "emma", &[], Some(PASSWORD), &[]).await;
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
    pools
        .sign_in_with_the_emailed_code("emma", NEW_PASSWORD)
        .await;
}

#[tokio::test]
async fn email_mfa_a_password_user_without_it_is_left_alone() {
    let pools = wired_pools("emailmfa-alone").await;
    create_verified_member(&pools.client, &pools.old, "paul", &[], Some(PASSWORD), &[]).await;
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

/// Runs `cognito-migrate groups --sync` from the old pool into the new one, state in `dir`; its
/// standard output, the exit status being `status` (1: a membership is refused, as a stranger's
/// by design).
fn groups_sync(pools: &WiredPools, dir: &Path, status: i32) -> String {
    let args = [
        "groups",
        "--sync",
        "--source-pool-id",
        &pools.old,
        "--target-pool-id",
        &pools.new,
    ];
    pools.run(&args, &[("--dir", dir)], status)
}

/// A user of the new pool created there directly (as an import or the trigger would), carrying
/// `legacy_sub` (or none), `CONFIRMED` with a password: one `AdminSetUserMFAPreference` would
/// turn e-mail MFA on for them at once, so only the tool's proof keeps it off.
async fn confirmed_new_user(pools: &WiredPools, name: &str, email: &str, legacy_sub: Option<&str>) {
    let mut attributes = vec![("email", email), ("email_verified", "true")];
    attributes.extend(legacy_sub.map(|sub| ("custom:legacy_sub", sub)));
    create_user(
        &pools.client,
        &pools.new,
        name,
        &attributes,
        Some(NEW_PASSWORD),
    )
    .await;
}

#[tokio::test]
async fn email_mfa_groups_sync_before_the_reset_carries_it_at_its_next_run_only_where_proven() {
    // No token function: nothing else would turn emma's e-mail MFA on after her reset.
    let pools = wired_pools_without_token_function("emailmfa-sync").await;
    let client = &pools.client;
    // Each old user: e-mail MFA, a verified e-mail, in the group `staff`.
    for name in ["emma", "uma", "cara", "sid"] {
        create_verified_member(client, &pools.old, name, &[], Some(PASSWORD), &["staff"]).await;
        enable_user_email_mfa(client, &pools.old, name)
            .await
            .unwrap_or_else(|code| panic!("{name}'s e-mail MFA in the old pool: {code}"));
    }
    // uma's address was never verified in the old pool.
    client
        .admin_update_user_attributes()
        .user_pool_id(&pools.old)
        .username("uma")
        .user_attributes(
            AttributeType::builder()
                .name("email_verified")
                .value("false")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("uma's e-mail unverified");

    // emma migrates at sign-in: RESET_REQUIRED, no token yet, so no groups and no e-mail MFA.
    assert!(matches!(
        pools.sign_in("emma", PASSWORD).await,
        SignIn::Refused(_)
    ));
    // uma is in the new pool with her legacy id and the address verified there, not in the old
    // pool; cara with her legacy id and another address, verified; sid's name and address are
    // held by a stranger without sid's legacy id.
    let uma_sub = sub_of(client, &pools.old, "uma").await;
    confirmed_new_user(&pools, "uma", "uma@example.com", Some(&uma_sub)).await;
    let cara_sub = sub_of(client, &pools.old, "cara").await;
    confirmed_new_user(&pools, "cara", "cara@elsewhere.example", Some(&cara_sub)).await;
    confirmed_new_user(&pools, "sid", "sid@example.com", None).await;

    // groups --sync reaches emma before her first token: her groups are written, and AWS refuses
    // her e-mail MFA until the reset, so she waits in the state; the summary says what that costs.
    let dir = tempfile::tempdir().unwrap();
    let out = groups_sync(&pools, dir.path(), 1);
    assert!(
        out.contains("1 pending (retried at each run), 2 left off"),
        "{out}"
    );
    assert!(
        out.contains("0 left to the token function"),
        "no token function, nobody is left to it: {out}"
    );
    assert!(
        out.contains(
            "warning: 1 of them wait for their reset, and the new pool has no PreTokenGeneration \
             trigger (token function): once reset, each signs in with a password alone until the \
             next groups --sync turns e-mail MFA on"
        ),
        "{out}"
    );
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("groups-state.json")).unwrap(),
    )
    .unwrap();
    let pending = &state["email_mfa"]["pending"];
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{state}");
    assert_eq!(pending[0]["new_username"], "emma", "{state}");
    assert_eq!(pending[0]["reason"], "email_mfa_after_reset", "{state}");
    let emma = find_user(client, &pools.new, "emma").await.unwrap();
    assert_eq!(emma.user_status(), Some(&UserStatusType::ResetRequired));
    assert!(pools.new_mfa_of("emma").await.is_empty());
    for (name, reason) in [
        ("emma", "email_mfa_after_reset"),
        ("uma", "email_mfa_unproven"),
        ("cara", "email_mfa_unproven"),
    ] {
        let row = email_mfa_row(dir.path(), name).unwrap_or_else(|| panic!("{name}'s row"));
        assert!(row.contains(reason), "{row}");
    }
    assert_eq!(
        email_mfa_row(dir.path(), "sid"),
        None,
        "a stranger is not asked about"
    );

    assert_eq!(groups_of(client, &pools.new, "emma").await, ["staff"]);

    // emma resets and signs in: nothing turns her e-mail MFA on before the next run.
    pools.reset_password("emma", NEW_PASSWORD).await;
    assert!(matches!(
        pools.sign_in("emma", NEW_PASSWORD).await,
        SignIn::Tokens
    ));
    assert!(pools.new_mfa_of("emma").await.is_empty());

    // The next groups --sync asks again: e-mail MFA is on, the next sign-in asks for the code.
    let out = groups_sync(&pools, dir.path(), 1);
    assert!(
        out.contains("1 turned on, 0 pending (retried at each run), 2 left off"),
        "{out}"
    );
    assert_eq!(pools.new_mfa_of("emma").await, ["EMAIL_OTP"]);
    assert!(matches!(
        pools.sign_in("emma", NEW_PASSWORD).await,
        SignIn::EmailOtp { .. }
    ));
    assert_eq!(email_mfa_row(dir.path(), "emma"), None);

    // Never more trust than the proof given: an address the old pool did not verify, another
    // address, a stranger who shares the name and the address: all CONFIRMED, all left off.
    for name in ["uma", "cara", "sid"] {
        assert!(pools.new_mfa_of(name).await.is_empty(), "{name}");
    }
    let (sid_groups, cara_groups) = (
        groups_of(client, &pools.new, "sid").await,
        groups_of(client, &pools.new, "cara").await,
    );
    assert!(
        sid_groups.is_empty(),
        "the stranger gets nothing: {sid_groups:?}"
    );
    assert_eq!(
        cara_groups,
        ["staff"],
        "cara is proven: her groups, not her MFA"
    );

    // The operator checks cara's new address and turns her e-mail MFA on by hand: the next run
    // finds it on and takes her off the list. The state never keeps anyone's address.
    enable_user_email_mfa(client, &pools.new, "cara")
        .await
        .expect("cara's e-mail MFA, by hand");
    let out = groups_sync(&pools, dir.path(), 1);
    assert!(
        out.contains("0 pending (retried at each run), 1 left off"),
        "{out}"
    );
    assert_eq!(email_mfa_row(dir.path(), "cara"), None);
    assert!(email_mfa_row(dir.path(), "uma").is_some());
    let state = std::fs::read_to_string(dir.path().join("groups-state.json")).unwrap();
    assert!(!state.contains("@example.com"), "{state}");
}

#[tokio::test]
async fn email_mfa_groups_sync_before_the_reset_leaves_the_user_to_the_token_function() {
    let pools = wired_pools("emailmfa-left").await;
    let client = &pools.client;
    // emma and carl: e-mail MFA and a verified e-mail in the old pool; emma is in two groups.
    for (name, groups) in [("emma", &["ops", "staff"][..]), ("carl", &["staff"][..])] {
        create_verified_member(client, &pools.old, name, &[], Some(PASSWORD), groups).await;
        enable_user_email_mfa(client, &pools.old, name)
            .await
            .unwrap_or_else(|code| panic!("{name}'s e-mail MFA in the old pool: {code}"));
    }
    // emma migrates at sign-in: RESET_REQUIRED, no token yet. carl is in the new pool already,
    // proven, CONFIRMED, his address unchanged and verified.
    assert!(matches!(
        pools.sign_in("emma", PASSWORD).await,
        SignIn::Refused(_)
    ));
    let carl_sub = sub_of(client, &pools.old, "carl").await;
    confirmed_new_user(&pools, "carl", "carl@example.com", Some(&carl_sub)).await;

    // groups --sync reaches emma before her first token: she is left to the token function,
    // with no group (else it would skip her). carl gets his groups and his e-mail MFA at once.
    let dir = tempfile::tempdir().unwrap();
    let out = groups_sync(&pools, dir.path(), 0);
    assert!(
        out.contains(
            "1 turned on, 0 pending (retried at each run), 0 left off because the e-mail proves \
             nothing (groups-report.csv), 1 left to the token function"
        ),
        "{out}"
    );
    assert!(!out.contains("password alone"), "{out}");
    assert!(groups_of(client, &pools.new, "emma").await.is_empty());
    assert!(pools.new_mfa_of("emma").await.is_empty());
    let row = email_mfa_row(dir.path(), "emma").expect("emma's row");
    assert!(row.contains(",left_to_token_function,"), "{row}");
    assert_eq!(groups_of(client, &pools.new, "carl").await, ["staff"]);
    assert_eq!(pools.new_mfa_of("carl").await, ["EMAIL_OTP"]);

    // emma resets and signs in: her very first token carries her old groups, and her e-mail MFA
    // is on right after it, with no second groups --sync.
    pools.reset_password("emma", NEW_PASSWORD).await;
    let token = pools.id_token("emma", NEW_PASSWORD).await;
    assert_eq!(groups_claim(&token), ["ops", "staff"]);
    assert_eq!(pools.new_mfa_of("emma").await, ["EMAIL_OTP"]);
    let mut written = groups_of(client, &pools.new, "emma").await;
    written.sort();
    assert_eq!(written, ["ops", "staff"], "written to the new pool too");
    pools
        .sign_in_with_the_emailed_code("emma", NEW_PASSWORD)
        .await;

    // The next run finds her done (groups there, the factor on) and takes her off the list.
    let out = groups_sync(&pools, dir.path(), 0);
    assert!(
        out.contains(
            "0 pending (retried at each run), 0 left off because the e-mail proves \
                      nothing (groups-report.csv), 0 left to the token function"
        ),
        "{out}"
    );
    assert_eq!(email_mfa_row(dir.path(), "emma"), None);
}

/// Runs `cognito-migrate groups` over the export's files in `dir`, which must exit 0; its
/// standard output.
fn groups_from_files(pools: &WiredPools, dir: &Path) -> String {
    pools.run(
        &["groups", "--target-pool-id", &pools.new],
        &[("--dir", dir)],
        0,
    )
}

#[tokio::test]
async fn email_mfa_groups_from_the_export_files_leaves_an_imported_user_to_the_token_function() {
    let pools = wired_pools("emailmfa-files").await;
    let client = &pools.client;
    // eve: e-mail MFA and a verified e-mail, in two groups; dan: a password alone, in one.
    for (name, groups) in [("eve", &["ops", "staff"][..]), ("dan", &["staff"][..])] {
        create_verified_member(client, &pools.old, name, &[], Some(PASSWORD), groups).await;
    }
    enable_user_email_mfa(client, &pools.old, "eve")
        .await
        .expect("eve's e-mail MFA in the old pool");

    // The sweep: both dormant users exported; eve's re-enrol row carries its code.
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("sweep");
    pools.export(&sweep, "not-in-target");
    let eve_sub = sub_of(client, &pools.old, "eve").await;
    let row = reenrol_row(&sweep, "eve").expect("eve on the re-enrol list");
    assert!(row.contains("[email-mfa-at-import] e-mail MFA:"), "{row}");
    // An export folder of an earlier version carried the reason without its code, in words
    // since reworded: import and groups read it the same.
    let old_words = "e-mail MFA: the e-mail is carried unchanged and verified, so import turns \
                     e-mail MFA on right after the import job where the new pool has it \
                     configured and accepts it (AWS lists PasswordResetRequiredException for a \
                     user whose password must be reset, as every imported user's must: then the \
                     token function turns it on at the user's first sign-in after the reset; the \
                     import report says which)";
    std::fs::write(
        sweep.join("mfa-reenrol.csv"),
        format!("username,sub,reason\neve,{eve_sub},\"{old_words}\"\n"),
    )
    .unwrap();

    pools.import(&sweep, &[]);
    assert_eq!(
        import_state(&sweep)["email_mfa"]["after_reset"],
        1,
        "eve is listed, and AWS refuses MFA settings until the reset"
    );

    // groups from the files: eve is left to the token function, with no group; dan gets his.
    let out = groups_from_files(&pools, &sweep);
    assert!(out.contains("1 left to the token function"), "{out}");
    assert!(out.contains("2  left_to_token_function"), "{out}");
    assert!(groups_of(client, &pools.new, "eve").await.is_empty());
    assert_eq!(groups_of(client, &pools.new, "dan").await, ["staff"]);
    let eve = find_user(client, &pools.new, "eve").await.unwrap();
    assert_eq!(eve.user_status(), Some(&UserStatusType::ResetRequired));
    let mut rows = groups_report_rows_of(&sweep, "eve");
    rows.sort();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].starts_with("email_mfa,,eve,"), "{rows:?}");
    assert!(rows[1].starts_with("membership,ops,eve,"), "{rows:?}");
    assert!(rows[2].starts_with("membership,staff,eve,"), "{rows:?}");
    assert!(
        rows.iter().all(|r| r.contains(",left_to_token_function,")),
        "{rows:?}"
    );
    // A run before her reset leaves her as she is.
    let out = groups_from_files(&pools, &sweep);
    assert!(out.contains("1 left to the token function"), "{out}");
    assert!(groups_of(client, &pools.new, "eve").await.is_empty());

    // eve resets and signs in: her very first token carries her old groups and turns e-mail MFA
    // on, with no import --resume; her next sign-in asks for the code.
    pools.reset_password("eve", NEW_PASSWORD).await;
    let token = pools.id_token("eve", NEW_PASSWORD).await;
    assert_eq!(groups_claim(&token), ["ops", "staff"]);
    assert_eq!(pools.new_mfa_of("eve").await, ["EMAIL_OTP"]);
    pools
        .sign_in_with_the_emailed_code("eve", NEW_PASSWORD)
        .await;

    // The next groups run finds her reset: her memberships are applied (already there), and
    // nobody is listed any more.
    let out = groups_from_files(&pools, &sweep);
    assert!(out.contains("0 left to the token function"), "{out}");
    assert!(groups_report_rows_of(&sweep, "eve").is_empty(), "{out}");
    let mut written = groups_of(client, &pools.new, "eve").await;
    written.sort();
    assert_eq!(written, ["ops", "staff"]);
}
