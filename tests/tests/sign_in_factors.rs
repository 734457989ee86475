//! Issue 25 against the test bed: an old pool that lets users sign in without a password and has
//! e-mail MFA. `export` reads each user's factors (`AdminGetUserAuthFactors`) beside the scan:
//! a passkey user and an e-mail-MFA user are listed in `mfa-reenrol.csv` with their reasons, a
//! password user is not; `plan` counts who comes back by a one-time code after an import, with no
//! password reset, where the new pool offers codes first; `preflight`'s plan check is in
//! tests/tests/preflight.rs.

use aws_sdk_cognitoidentityprovider::types::{AuthFactorType, UserPoolTierType};
use std::path::Path;

use integration_tests::cli::{self, cognito_migrate, describe, export_ok};
use integration_tests::factors::{
    enable_email_mfa, enable_user_email_mfa, give_passkey, offer_email_codes_first,
    set_tier_and_first_factors,
};
use integration_tests::import_support::{import, import_state};
use integration_tests::pools::{MigrationPools, PoolSpec, create_user, create_verified_member};

const CODES: [AuthFactorType; 3] = [
    AuthFactorType::Password,
    AuthFactorType::EmailOtp,
    AuthFactorType::WebAuthn,
];

fn verified(email: &str) -> Vec<(&str, &str)> {
    vec![("email", email), ("email_verified", "true")]
}

/// An old pool that offers passwords, e-mail codes and passkeys first and has e-mail MFA, with a
/// password user of a verified `NAME@example.com` for each of `names`; the new pool keeps the
/// legacy id.
async fn pools_with_factors(name: &str, names: &[&str]) -> MigrationPools {
    let pools = MigrationPools::create_with(
        &PoolSpec::named(&format!("{name}-old")),
        &PoolSpec::named(&format!("{name}-new")).with_custom(&["legacy_sub"]),
    )
    .await;
    let client = &pools.client;
    set_tier_and_first_factors(client, &pools.old, UserPoolTierType::Essentials, &CODES)
        .await
        .unwrap();
    enable_email_mfa(client, &pools.old).await.unwrap();
    for name in names {
        create_verified_member(client, &pools.old, name, &[], Some("Passw0rd!"), &[]).await;
    }
    pools
}

/// Exports every user of `pools` into `out`, which must exit 0; `mfa-reenrol.csv` as written.
fn export_all(pools: &MigrationPools, out: &Path) -> String {
    export_ok(
        &pools.endpoint,
        &pools.old,
        &pools.new,
        out,
        &["--select", "all"],
    );
    std::fs::read_to_string(out.join("mfa-reenrol.csv")).unwrap()
}

#[tokio::test]
async fn export_lists_passkey_and_email_mfa_users_to_set_up_again_and_no_one_else() {
    let pools = pools_with_factors("factors", &["ada", "bo", "cy"]).await;
    let client = &pools.client;
    give_passkey(&pools.endpoint, &pools.old, "ada").await;
    enable_user_email_mfa(client, &pools.old, "bo")
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let reenrol = export_all(&pools, &out);
    let rows: Vec<&str> = reenrol.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{reenrol}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("ada,") && r.contains("passkey (WebAuthn)")),
        "{reenrol}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("bo,") && r.contains("e-mail MFA")),
        "{reenrol}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["mfa_reenrol"], 2, "{summary}");
    assert_eq!(summary["mfa_unknown"], 0, "{summary}");
}

#[tokio::test]
async fn plan_counts_who_comes_back_by_a_code_without_a_reset() {
    let pools = MigrationPools::create_with(
        &PoolSpec::named("codes-old"),
        &PoolSpec::named("codes-new").with_custom(&["legacy_sub"]),
    )
    .await;
    let client = &pools.client;
    offer_email_codes_first(client, &pools.new).await;
    create_user(
        client,
        &pools.old,
        "ada",
        &verified("ada@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        client,
        &pools.old,
        "bo",
        &[("email", "bo@example.com")],
        Some("Passw0rd!"),
    )
    .await;
    create_user(client, &pools.old, "cy", &verified("cy@example.com"), None).await;

    let (plan, stdout) = cli::plan(&pools.endpoint, &pools.old, &pools.new, &[]);
    assert_eq!(
        plan["back_by_code_without_reset"], 2,
        "ada and cy have a verified e-mail; bo's is not verified: {plan}"
    );
    assert!(
        stdout.contains("back by a one-time code after an import, no reset"),
        "{stdout}"
    );
    assert!(
        plan["factors"].is_null(),
        "the old pool offers no passwordless first factor: {plan}"
    );
    assert!(
        stdout.contains("no AdminGetUserAuthFactors look-ups made"),
        "{stdout}"
    );
}

/// Runs `plan` and returns its JSON and text.
fn plan(pools: &MigrationPools) -> (serde_json::Value, String) {
    cli::plan(
        &pools.endpoint,
        &pools.old,
        &pools.new,
        &["--factors-rps", "50"],
    )
}

#[tokio::test]
async fn plan_counts_each_users_factors_by_what_the_new_pool_lets_it_do() {
    let pools = pools_with_factors("inventory", &["ada", "bo", "cy"]).await;
    let client = &pools.client;
    create_user(client, &pools.old, "dee", &[], Some("Passw0rd!")).await;
    enable_user_email_mfa(client, &pools.old, "bo")
        .await
        .unwrap();
    give_passkey(&pools.endpoint, &pools.old, "cy").await;

    let (before, text) = plan(&pools);
    let factors = &before["factors"];
    assert_eq!(
        factors["password_only"], 4,
        "a password and an e-mail code the new pool does not offer first is a password user: {before}"
    );
    assert_eq!(factors["password_and_passwordless"], 0, "{before}");
    assert_eq!(factors["passkey"], 1, "{before}");
    assert_eq!(factors["email_mfa"], 1, "{before}");
    assert_eq!(before["need_trigger"], 4, "{before}");
    assert_eq!(
        before["mfa_not_visible"], 0,
        "each user's MFA was read: {before}"
    );
    assert!(text.contains("with a passkey (re-enrol list"), "{text}");

    offer_email_codes_first(client, &pools.new).await;
    let (after, _) = plan(&pools);
    let factors = &after["factors"];
    assert_eq!(
        factors["password_and_passwordless"], 2,
        "ada and cy: a password and a verified e-mail the new pool sends codes to: {after}"
    );
    assert_eq!(
        factors["password_only"], 2,
        "bo has e-mail MFA (no code sign-in), dee no e-mail: {after}"
    );
    let groups = [
        "password_only",
        "password_and_passwordless",
        "passwordless_only",
        "passwordless_needs_reset",
        "not_read",
    ];
    let sum: u64 = groups.iter().map(|g| factors[g].as_u64().unwrap()).sum();
    assert_eq!(
        sum,
        after["total"].as_u64().unwrap(),
        "the groups reconcile: {after}"
    );
}

#[tokio::test]
async fn import_tries_email_mfa_for_a_carried_verified_email_and_follows_aws_refusal_until_the_reset()
 {
    let pools = pools_with_factors("mfa-import", &["ada"]).await;
    let client = &pools.client;
    enable_email_mfa(client, &pools.new).await.unwrap();
    enable_user_email_mfa(client, &pools.old, "ada")
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let reenrol = export_all(&pools, &out);
    assert!(
        reenrol.contains("carried unchanged and verified"),
        "the old pool verified the e-mail and the mapping keeps it: {reenrol}"
    );

    let run = import(&pools.endpoint, &pools.new, &out, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let state = import_state(&out);
    assert_eq!(
        state["email_mfa"],
        serde_json::json!({"listed": 1, "restored": 0, "after_reset": 1, "not_configured": 0, "not_found": 0}),
        "AWS refuses a RESET_REQUIRED user: {state}"
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("refused until the reset"), "{stdout}");
    let user = client
        .admin_get_user()
        .user_pool_id(&pools.new)
        .username("ada")
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.user_status().map(|s| s.as_str()),
        Some("RESET_REQUIRED")
    );
    assert!(
        user.user_mfa_setting_list().is_empty(),
        "the token function turns it on after the reset: {user:?}"
    );

    let json = dir.path().join("status.json");
    let run = cognito_migrate(&pools.endpoint)
        .args([
            "status",
            "--source-pool-id",
            &pools.old,
            "--target-pool-id",
            &pools.new,
        ])
        .arg("--dir")
        .arg(&out)
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(dir.path().join("status.html"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let page = std::fs::read_to_string(dir.path().join("status.html")).unwrap();
    assert!(
        page.contains(r#"<table id="factors">"#)
            && page.contains("<td>e-mail MFA turned on by import</td>"),
        "the page shows the factor groups"
    );
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let factors = &status["factors"];
    assert_eq!(factors["old_pool"]["password_only"], 1, "{status}");
    assert_eq!(factors["old_pool"]["email_mfa"], 1, "{status}");
    assert_eq!(factors["reenrol"]["email_mfa_at_import"], 1, "{status}");
    assert_eq!(factors["email_mfa_at_import"]["after_reset"], 1, "{status}");
    let table = String::from_utf8_lossy(&run.stdout);
    assert!(
        table.contains("waiting for the reset (import --resume, token fn)"),
        "{table}"
    );
}
