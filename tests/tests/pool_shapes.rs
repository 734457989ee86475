//! The pool-shape matrix: the runbook's whole migration, once per pair of old and new pool shapes.
//!
//! For each pair: plan → export passwordless → import → groups → sign-ins during the window by
//! every name a person may type → forgot-password → sweep (export not-in-target → import →
//! groups) → groups --sync → verify finds nothing missing or different. The first ID token of a
//! migrating sign-in already carries the old groups (the PreTokenGeneration companion).
//!
//! One emulated new pool does both halves: it receives the import jobs *and* calls the real
//! trigger binary (through the Lambda host) from its own `LambdaConfig` on sign-in and
//! forgot-password, as AWS's "Migrate user Lambda trigger" page describes. No step of the test
//! plays Cognito's part.
//!
//! The pairs cover each sign-in mode as the old and as the new pool, both case rules on each
//! side, and the change most teams migrate for: user names → e-mail sign-in.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UserStatusType};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::lambda::{Function, LambdaHost, trigger_env};
use integration_tests::pools::{create_app_client, create_user};
use integration_tests::shapes::{Person, Shape, SignIn};
use integration_tests::testbed::{Testbed, binary, forgot_password_code};
use integration_tests::tokens::groups_claim;
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";
const RESET_PASSWORD: &str = "Reset-Passw0rd!2";
const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";

const fn shape(sign_in: SignIn, case_sensitive: bool) -> Shape {
    Shape {
        sign_in,
        case_sensitive,
    }
}

/// A user-pool client's `USER_PASSWORD_AUTH` sign-in; `Ok` carries the ID token.
async fn sign_in(
    client: &Client,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<String, String> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| {
            use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
            format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or(""))
        })
        .and_then(|out| {
            out.authentication_result()
                .and_then(|r| r.id_token())
                .map(str::to_string)
                .ok_or_else(|| format!("no tokens (challenge {:?})", out.challenge_name()))
        })
}

fn run_ok(command: &mut std::process::Command, what: &str) -> std::process::Output {
    let output = command.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: {}",
        describe(&output)
    );
    output
}

/// The whole runbook for one pair of shapes.
async fn rehearse(old_shape: Shape, new_shape: Shape, tag: &str, number_base: u32) {
    let pair = format!("{} → {}", old_shape.label(), new_shape.label());
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let function = format!("shapes-{tag}");
    let old = old_shape
        .create_pool(&client, &format!("shapes-old-{tag}"), &["tenant"], None)
        .await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    let new = new_shape
        .create_pool(
            &client,
            &format!("shapes-new-{tag}"),
            &["tenant", "legacy_sub"],
            Some(&function),
        )
        .await;
    let (new_client, _) = create_app_client(&client, &new, false).await;

    let extra: Vec<(&str, &str)> = if new_shape.sign_in == SignIn::UserNameWithAliases {
        Vec::new()
    } else {
        vec![("RETURN_OLD_USERNAME", "false")]
    };
    LambdaHost::from_env()
        .register(
            &Function {
                name: function.clone(),
                env: trigger_env(&testbed, &old, &old_client, &extra),
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;

    // The people: two sign in during the window, one resets the password, one never comes back
    // (swept), one only ever had a temporary password (imported before the window).
    let person = |name: &str, n: u32| Person::new(name, number_base + n);
    let (ana, bo, cy, dee, eve) = (
        person("ana", 1),
        person("bo", 2),
        person("cy", 3),
        person("dee", 4),
        person("eve", 5),
    );
    for (who, password) in [
        (&ana, Some(PASSWORD)),
        (&bo, Some(PASSWORD)),
        (&cy, Some(PASSWORD)),
        (&dee, Some(PASSWORD)),
        (&eve, None),
    ] {
        let attributes = who.attributes(old_shape);
        let attributes: Vec<(&str, &str)> =
            attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
        create_user(
            &client,
            &old,
            &old_shape.admin_username(who),
            &attributes,
            password,
        )
        .await;
    }
    client
        .create_group()
        .user_pool_id(&old)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    for who in [&ana, &dee, &eve] {
        client
            .admin_add_user_to_group()
            .user_pool_id(&old)
            .group_name("admins")
            .username(old_shape.admin_username(who))
            .send()
            .await
            .unwrap();
    }

    let work = tempfile::tempdir().unwrap();
    let dir = |name: &str| work.path().join(name);
    let migrate = |args: &[&str]| {
        let mut command = cognito_migrate(&testbed.moto_url);
        command.args(args);
        command
    };

    // Plan: four users keep their password through the trigger, one can be imported now.
    let plan = dir("plan.json");
    run_ok(
        migrate(&[
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&plan),
        &format!("{pair}: plan"),
    );
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    assert_eq!(
        plan["importable_now_without_losing_a_password"], 1,
        "{pair}: {plan}"
    );

    // Before the window: the passwordless user is imported.
    let pre = dir("pre");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &pre,
        &["--select", "passwordless"],
    );
    assert_eq!(run.status.code(), Some(0), "{pair}: {}", describe(&run));
    let pre_arg = pre.to_str().unwrap();
    run_ok(
        &mut migrate(&[
            "import",
            "--target-pool-id",
            &new,
            "--dir",
            pre_arg,
            "--logs-role-arn",
            ROLE,
            "--wait",
        ]),
        &format!("{pair}: import pre"),
    );
    run_ok(
        &mut migrate(&["groups", "--target-pool-id", &new, "--dir", pre_arg]),
        &format!("{pair}: groups pre"),
    );

    // The window: the new pool calls the trigger; the first sign-in migrates with the password,
    // then every name the new pool knows the person by signs them in.
    for (who, old_groups) in [(&ana, vec!["admins".to_string()]), (&bo, Vec::new())] {
        let first = new_shape.first_name(old_shape, who);
        let id_token = sign_in(&client, &new_client, &first, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{pair}: {} signs in as {first}: {e}", who.name));
        assert_eq!(
            groups_claim(&id_token),
            old_groups,
            "{pair}: the first ID token of {} carries the old groups",
            who.name
        );
        let migrated = client
            .admin_get_user()
            .user_pool_id(&new)
            .username(&first)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{pair}: {first} is in the new pool: {e:?}"));
        assert_eq!(
            migrated.user_status(),
            Some(&UserStatusType::Confirmed),
            "{pair}: {first} kept the password"
        );
        for name in new_shape.names(migrated.username(), who) {
            sign_in(&client, &new_client, &name, PASSWORD)
                .await
                .unwrap_or_else(|e| panic!("{pair}: {} signs in again as {name}: {e}", who.name));
        }
    }
    let dee_first = new_shape.first_name(old_shape, &dee);
    assert!(
        sign_in(&client, &new_client, &dee_first, "not-the-password")
            .await
            .is_err(),
        "{pair}: a wrong password signs nobody in"
    );
    assert!(
        client
            .admin_get_user()
            .user_pool_id(&new)
            .username(&dee_first)
            .send()
            .await
            .is_err(),
        "{pair}: a wrong password migrates nobody"
    );

    // Forgot-password during the window: the trigger returns the reachable user, the code goes
    // out, the new password works.
    let cy_first = new_shape.first_name(old_shape, &cy);
    let code = forgot_password_code(&testbed.moto_url, &new_client, &cy_first).await;
    client
        .confirm_forgot_password()
        .client_id(&new_client)
        .username(&cy_first)
        .confirmation_code(code)
        .password(RESET_PASSWORD)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{pair}: confirm forgot-password for {cy_first}: {e:?}"));
    sign_in(&client, &new_client, &cy_first, RESET_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{pair}: {cy_first} signs in with the new password: {e}"));

    // After the window: the sweep brings the one who never came back.
    let sweep = dir("sweep");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &sweep,
        &["--select", "not-in-target"],
    );
    assert_eq!(run.status.code(), Some(0), "{pair}: {}", describe(&run));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(sweep.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(
        summary["exported"], 1,
        "{pair}: only dee is missing: {summary}"
    );
    assert_eq!(summary["skipped"], 4, "{pair}: {summary}");
    let sweep_arg = sweep.to_str().unwrap();
    run_ok(
        &mut migrate(&[
            "import",
            "--target-pool-id",
            &new,
            "--dir",
            sweep_arg,
            "--logs-role-arn",
            ROLE,
            "--wait",
        ]),
        &format!("{pair}: import sweep"),
    );
    run_ok(
        &mut migrate(&["groups", "--target-pool-id", &new, "--dir", sweep_arg]),
        &format!("{pair}: groups sweep"),
    );
    let state = dir("groups-sync");
    std::fs::create_dir_all(&state).unwrap();
    run_ok(
        &mut migrate(&[
            "groups",
            "--sync",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--dir",
            state.to_str().unwrap(),
        ]),
        &format!("{pair}: groups --sync"),
    );

    // Verify: nothing missing, nothing different.
    let differences = dir("differences.csv");
    run_ok(
        migrate(&[
            "verify",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--differences",
        ])
        .arg(&differences),
        &format!("{pair}: verify"),
    );
    let rows = std::fs::read_to_string(&differences).unwrap();
    assert_eq!(rows.lines().count(), 1, "{pair}: only the header: {rows}");
}

#[tokio::test]
async fn user_names_to_user_names() {
    rehearse(
        shape(SignIn::UserName, true),
        shape(SignIn::UserName, true),
        "u-u",
        100,
    )
    .await;
}

#[tokio::test]
async fn user_names_to_email_sign_in_case_insensitive() {
    rehearse(
        shape(SignIn::UserName, true),
        shape(SignIn::Email, false),
        "u-e",
        200,
    )
    .await;
}

#[tokio::test]
async fn aliases_to_aliases_case_insensitive() {
    rehearse(
        shape(SignIn::UserNameWithAliases, false),
        shape(SignIn::UserNameWithAliases, false),
        "a-a",
        300,
    )
    .await;
}

#[tokio::test]
async fn aliases_to_phone_sign_in() {
    rehearse(
        shape(SignIn::UserNameWithAliases, true),
        shape(SignIn::Phone, true),
        "a-p",
        400,
    )
    .await;
}

#[tokio::test]
async fn email_to_email_case_insensitive() {
    rehearse(
        shape(SignIn::Email, true),
        shape(SignIn::Email, false),
        "e-e",
        500,
    )
    .await;
}

#[tokio::test]
async fn phone_to_email_or_phone() {
    rehearse(
        shape(SignIn::Phone, true),
        shape(SignIn::EmailOrPhone, true),
        "p-ep",
        600,
    )
    .await;
}

#[tokio::test]
async fn email_or_phone_to_user_names_case_insensitive() {
    rehearse(
        shape(SignIn::EmailOrPhone, false),
        shape(SignIn::UserName, false),
        "ep-u",
        700,
    )
    .await;
}

#[tokio::test]
async fn case_insensitive_user_names_to_email_or_phone() {
    rehearse(
        shape(SignIn::UserName, false),
        shape(SignIn::EmailOrPhone, false),
        "u-ep",
        800,
    )
    .await;
}
