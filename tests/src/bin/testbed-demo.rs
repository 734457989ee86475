//! The README's first command, end to end on the local emulators (`scripts/demo` runs it): walks
//! the README's cutover runbook on one new pool that signs people in by e-mail (the most common
//! reason to migrate: `UsernameAttributes` cannot be changed on an existing pool).
//!
//! The old pool (user names, a few hundred varied users) and the new pool both live in moto with
//! the project's extension; the new pool receives the import jobs *and* calls the real trigger
//! binary behind the Lambda host from its own `LambdaConfig`, as Cognito does. Steps: preflight,
//! plan, passwordless export and import, sign-ins during the window, forgot-password, sweep,
//! groups, verify, status.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UserStatusType,
    UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use integration_tests::lambda::{Function, LambdaHost, trigger_env, window_config};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool, create_user};
use integration_tests::testbed::{Testbed, aws_env, binary};

const USERS: usize = 300;
const PASSWORD: &str = "Old-Passw0rd!";

fn step(text: &str) {
    println!("\n== {text}");
}

/// Runs `cognito-migrate` with the test bed's endpoint, printing its output; returns the status.
fn cognito_migrate(endpoint: &str, args: &[&str]) -> i32 {
    println!("$ cognito-migrate {}", args.join(" "));
    let status = Command::new(binary("cognito-migrate"))
        .envs(aws_env())
        .arg("--endpoint-url")
        .arg(endpoint)
        .args(args)
        .status()
        .expect("cognito-migrate runs");
    status.code().unwrap_or(-1)
}

async fn seed_old_pool(client: &Client, pool: &str) {
    for i in 0..USERS {
        let name = format!("user{i:04}");
        let email = format!("{name}@example.com");
        let display = match i % 5 {
            0 => format!("Lovelace, Ada {i}"),
            1 => format!("Zoë Ólafsdóttir {i}"),
            2 => format!("山田 太郎 {i}"),
            3 => format!("O'Brien \"Bob\" {i}"),
            _ => format!("Plain User {i}"),
        };
        let tenant = ["acme", "globex", "initech"][i % 3];
        let verified = if i % 17 == 0 { "false" } else { "true" };
        let mut attributes = vec![
            ("email", email.as_str()),
            ("email_verified", verified),
            ("name", display.as_str()),
            ("custom:tenant", tenant),
        ];
        if i % 23 == 0 {
            attributes.push(("phone_number", "555-0100"));
        }
        // Every seventh user only has a temporary password (FORCE_CHANGE_PASSWORD).
        let password = (i % 7 != 0).then_some(PASSWORD);
        create_user(client, pool, &name, &attributes, password).await;
    }
    client
        .admin_disable_user()
        .user_pool_id(pool)
        .username("user0003")
        .send()
        .await
        .unwrap();
    client
        .create_group()
        .user_pool_id(pool)
        .group_name("admins")
        .precedence(1)
        .send()
        .await
        .unwrap();
    for name in ["user0001", "user0002"] {
        client
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .group_name("admins")
            .username(name)
            .send()
            .await
            .unwrap();
    }
}

fn show_file(path: &Path, lines: usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    println!(
        "--- {} (first {lines} lines of {})",
        path.display(),
        text.lines().count()
    );
    for line in text.lines().take(lines) {
        println!("{line}");
    }
}

/// The new pool's app client: password sign-in for the window, one answer for unknown users and
/// wrong passwords.
async fn app_client(client: &Client, pool: &str) -> String {
    client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

/// What Cognito answered, as a person reads it: its code and message, never the SDK's structure.
fn refusal(err: &impl ProvideErrorMetadata) -> String {
    format!(
        "{}: {}",
        err.code().unwrap_or("no error code"),
        err.message().unwrap_or_default()
    )
}

/// Signs in with `USER_PASSWORD_AUTH` and prints what the person would see.
async fn sign_in(client: &Client, app: &str, name: &str, password: &str) {
    let answer = client
        .initiate_auth()
        .client_id(app)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await;
    match answer {
        Ok(answer) => println!(
            "sign-in {name}: tokens issued: {}",
            answer.authentication_result().is_some()
        ),
        Err(err) => println!("sign-in {name}: refused ({})", refusal(&err)),
    }
}

/// Prints a new-pool user's status and attributes.
async fn show_user(client: &Client, pool: &str, name: &str) {
    match client
        .admin_get_user()
        .user_pool_id(pool)
        .username(name)
        .send()
        .await
    {
        Ok(user) => {
            println!(
                "{name} in the new pool: status {:?}",
                user.user_status().map(UserStatusType::as_str)
            );
            for attribute in user.user_attributes() {
                println!(
                    "  {} = {}",
                    attribute.name(),
                    attribute.value().unwrap_or_default()
                );
            }
        }
        Err(err) => println!("{name}: {}", refusal(&err)),
    }
}

/// The file that marks a folder as the demo's own: only such a folder is emptied by a new run.
const DEMO_MARKER: &str = ".cognito-migrate-demo";

/// Empties `work` for a new run when the demo made it (it holds [`DEMO_MARKER`]) or it is empty
/// or absent; any other folder is refused, never deleted.
fn prepare_work_folder(work: &Path) -> Result<(), String> {
    let empty = std::fs::read_dir(work).map_or(true, |mut entries| entries.next().is_none());
    if !empty && !work.join(DEMO_MARKER).exists() {
        return Err(format!(
            "{} is not empty and was not made by the demo: give a new or empty folder (the demo \
             empties its folder before each run)",
            work.display()
        ));
    }
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work)
        .and_then(|()| std::fs::write(work.join(DEMO_MARKER), b"made by scripts/demo\n"))
        .map_err(|err| format!("cannot create {}: {err}", work.display()))
}

#[tokio::main]
async fn main() {
    let given = std::env::args().nth(1).map(PathBuf::from);
    let default = std::env::temp_dir().join("cognito-migrate-demo");
    let work = given.clone().unwrap_or_else(|| default.clone());
    // The default folder is the demo's own by its name, whichever version made it.
    if given.is_none() {
        let _ = std::fs::write(default.join(DEMO_MARKER), b"made by scripts/demo\n");
    }
    if let Err(problem) = prepare_work_folder(&work) {
        eprintln!("testbed-demo: {problem}");
        std::process::exit(2);
    }
    let testbed = Testbed::from_env();
    let moto = testbed.moto_client().await;
    let url = testbed.moto_url.clone();
    let role = "arn:aws:iam::123456789012:role/demo-import";

    step(&format!(
        "seed an old pool (user names) with {USERS} varied users; create a new pool that signs in by e-mail"
    ));
    // Both pools as the runbook leaves them for the window: the old pool closed for sign-ups
    // (nobody can take a victim's e-mail as an old user name), the new pool holding a changed
    // e-mail back until it is verified (nobody can re-point a sign-in name after sign-up).
    let old_spec = PoolSpec {
        admin_create_only: true,
        ..PoolSpec::named("demo-old").with_custom(&["tenant"])
    };
    let old_pool = create_pool(&moto, &old_spec).await;
    let (old_client, _) = create_app_client(&moto, &old_pool, false).await;
    seed_old_pool(&moto, &old_pool).await;
    let trigger = "demo-trigger";
    let new_spec = PoolSpec {
        username_attributes: vec![UsernameAttributeType::Email],
        username_configuration: Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        ),
        lambda_config: Some(window_config(trigger)),
        verify_before_update: vec![VerifiedAttributeType::Email],
        ..PoolSpec::named("demo-new").with_custom(&["tenant", "legacy_sub"])
    };
    let new_pool = create_pool(&moto, &new_spec).await;
    let app = app_client(&moto, &new_pool).await;
    println!("old pool {old_pool}, new pool {new_pool} (e-mail as user name, case-insensitive)");

    step("deploy the trigger: the new pool's UserMigration, PreSignUp and PreTokenGeneration");
    LambdaHost::from_env()
        .register(
            &Function {
                name: trigger.to_string(),
                env: trigger_env(
                    &testbed,
                    &old_pool,
                    &old_client,
                    &[("RETURN_OLD_USERNAME", "false")],
                ),
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
    println!("function {trigger} registered with the Lambda host");

    step("preflight: check the wiring before cutover");
    cognito_migrate(
        &url,
        &[
            "preflight",
            "--source-pool-id",
            &old_pool,
            "--source-client-id",
            &old_client,
            "--target-pool-id",
            &new_pool,
            "--logs-role-arn",
            role,
        ],
    );

    step("plan the migration");
    cognito_migrate(
        &url,
        &[
            "plan",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
        ],
    );

    step("before cutover: export and import the users without a password to keep");
    let pre = work.join("pre");
    let pre_arg = pre.to_str().unwrap();
    let status = cognito_migrate(
        &url,
        &[
            "export",
            "--select",
            "passwordless",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--out",
            pre_arg,
            "--segments",
            "4",
            "--rps",
            "20",
        ],
    );
    println!("(exit status {status}: 1 means some users are in rejected.csv)");
    show_file(&pre.join("users-0001.csv"), 4);
    show_file(&pre.join("rejected.csv"), 4);
    show_file(&pre.join("summary.json"), 14);
    cognito_migrate(
        &url,
        &[
            "import",
            "--target-pool-id",
            &new_pool,
            "--dir",
            pre_arg,
            "--logs-role-arn",
            role,
            "--wait",
        ],
    );
    cognito_migrate(
        &url,
        &["groups", "--target-pool-id", &new_pool, "--dir", pre_arg],
    );

    step("the window: people sign in to the new pool by e-mail; the trigger proves their password");
    sign_in(&moto, &app, "user0001@example.com", PASSWORD).await;
    sign_in(&moto, &app, "USER0001@example.com", PASSWORD).await;
    sign_in(&moto, &app, "user0002@example.com", "wrong-password").await;
    sign_in(&moto, &app, "nobody@example.com", PASSWORD).await;
    show_user(&moto, &new_pool, "user0001@example.com").await;

    step("forgot-password during the window: a dormant user asks for a reset code");
    match moto
        .forgot_password()
        .client_id(&app)
        .username("user0004@example.com")
        .send()
        .await
    {
        Ok(answer) => println!(
            "forgot-password user0004@example.com: code sent via {:?}",
            answer
                .code_delivery_details()
                .and_then(|d| d.delivery_medium())
        ),
        Err(err) => println!("forgot-password: {}", refusal(&err)),
    }
    show_user(&moto, &new_pool, "user0004@example.com").await;

    step("after the window: sweep the users who never came back");
    let sweep = work.join("sweep");
    let sweep_arg = sweep.to_str().unwrap();
    cognito_migrate(
        &url,
        &[
            "export",
            "--select",
            "not-in-target",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--out",
            sweep_arg,
        ],
    );
    show_file(&sweep.join("summary.json"), 14);
    cognito_migrate(
        &url,
        &[
            "import",
            "--target-pool-id",
            &new_pool,
            "--dir",
            sweep_arg,
            "--logs-role-arn",
            role,
            "--wait",
        ],
    );
    cognito_migrate(
        &url,
        &["groups", "--target-pool-id", &new_pool, "--dir", sweep_arg],
    );
    let sync = work.join("groups-sync");
    std::fs::create_dir_all(&sync).unwrap();
    cognito_migrate(
        &url,
        &[
            "groups",
            "--sync",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--dir",
            sync.to_str().unwrap(),
        ],
    );

    step("verify: every old user is in the new pool, with its attributes and groups");
    let differences = work.join("differences.csv");
    cognito_migrate(
        &url,
        &[
            "verify",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--differences",
            differences.to_str().unwrap(),
        ],
    );
    show_file(&differences, 6);

    step("status: where the window stands (also as a page with charts: status.html)");
    let page = work.join("status.html");
    cognito_migrate(
        &url,
        &[
            "status",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--dir",
            pre.to_str().unwrap(),
            "--dir",
            sweep_arg,
            "--html",
            page.to_str().unwrap(),
        ],
    );
    step(&format!("done; files in {}", work.display()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_folder_the_demo_made_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("demo");
        prepare_work_folder(&work).expect("an absent folder is created");
        std::fs::write(work.join("users-0001.csv"), "x").unwrap();
        prepare_work_folder(&work).expect("the demo's own folder is emptied");
        assert!(!work.join("users-0001.csv").exists());
        assert!(work.join(DEMO_MARKER).exists());

        let precious = dir.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("thesis.tex"), "x").unwrap();
        let refused = prepare_work_folder(&precious).unwrap_err();
        assert!(refused.contains("not made by the demo"), "{refused}");
        assert!(precious.join("thesis.tex").exists(), "nothing deleted");
    }
}
