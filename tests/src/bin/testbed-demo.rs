//! The README's first command, end to end on the local emulators (`scripts/demo` runs it): walks
//! the README's cutover runbook on one new pool that signs people in by e-mail (the most common
//! reason to migrate: `UsernameAttributes` cannot be changed on an existing pool).
//!
//! The old pool (user names, a few hundred varied users) and the new pool both live in moto with
//! the project's extension; the new pool receives the import jobs *and* calls the real trigger
//! binary behind the Lambda host from its own `LambdaConfig`, as Cognito does. Steps: preflight,
//! plan, passwordless export and import, sign-ins during the window, forgot-password, sweep,
//! groups, verify, status.
//!
//! Each run is its own: new pools, and functions on the Lambda host named after the run's old
//! pool, so a second run in the same test bed leaves the first run's new pool migrating from the
//! first run's old pool (the host keys a function by its name).

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType, PreventUserExistenceErrorTypes, UserStatusType,
    UsernameAttributeType, UsernameConfigurationType, VerifiedAttributeType,
};
use integration_tests::lambda::{Function, LambdaHost, function_arn, trigger_env};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_pool, create_user,
};
use integration_tests::testbed::{Testbed, aws_env, binary};

const USERS: usize = 300;
const PASSWORD: &str = "Old-Passw0rd!";
/// The token function's marker group (`GROUPS_MARKER_GROUP`'s default), which the deploy stack
/// creates in the new pool.
const MARKER_GROUP: &str = "cognito-migrate-no-old-groups";

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

async fn seed_old_pool(client: &Client, pool: &str, users: usize) {
    for i in 0..users {
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

/// One run's pools and app clients; its functions on the Lambda host are named after `old_pool`.
struct DemoRun {
    old_pool: String,
    old_client: String,
    new_pool: String,
    app: String,
}

/// The names of one run's two functions, as `deploy/template.yaml` deploys them: the sign-in
/// function (UserMigration, PreSignUp) and the token function (PreTokenGeneration). `run_id` (the
/// run's old pool) makes them the run's own: the Lambda host keys a registration by name, so with
/// a fixed name a second run would point the first run's new pool at the second run's old pool.
fn function_names(run_id: &str) -> (String, String) {
    (
        format!("demo-sign-in-{run_id}"),
        format!("demo-token-{run_id}"),
    )
}

/// The runbook's first two steps for one run: an old pool seeded with `users` users, a new pool
/// that signs in by e-mail, and the trigger deployed as the template does it (two functions, the
/// token function's marker group) and wired to the new pool.
async fn set_up(testbed: &Testbed, moto: &Client, users: usize) -> DemoRun {
    step(&format!(
        "seed an old pool (user names) with {users} varied users; create a new pool that signs in by e-mail"
    ));
    // Both pools as the runbook leaves them for the window: the old pool closed for sign-ups
    // (nobody can take a victim's e-mail as an old user name), the new pool holding a changed
    // e-mail back until it is verified (nobody can re-point a sign-in name after sign-up).
    let old_spec = PoolSpec {
        admin_create_only: true,
        ..PoolSpec::named("demo-old").with_custom(&["tenant"])
    };
    let old_pool = create_pool(moto, &old_spec).await;
    let (old_client, _) = create_app_client(moto, &old_pool, false).await;
    seed_old_pool(moto, &old_pool, users).await;
    let (sign_in_function, token_function) = function_names(&old_pool);
    let sign_in_arn = function_arn(&sign_in_function);
    // The stack's LambdaConfig output with its defaults (SignUpGuard, TokenGroups, V1_0).
    let triggers = LambdaConfigType::builder()
        .user_migration(&sign_in_arn)
        .pre_sign_up(&sign_in_arn)
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_arn(function_arn(&token_function))
                .lambda_version(PreTokenGenerationLambdaVersionType::V10)
                .build()
                .unwrap(),
        )
        .build();
    let new_spec = PoolSpec {
        username_attributes: vec![UsernameAttributeType::Email],
        username_configuration: Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        ),
        lambda_config: Some(triggers),
        verify_before_update: vec![VerifiedAttributeType::Email],
        ..PoolSpec::named("demo-new").with_custom(&["tenant", "legacy_sub"])
    };
    let new_pool = create_pool(moto, &new_spec).await;
    let app = app_client(moto, &new_pool).await;
    println!("old pool {old_pool}, new pool {new_pool} (e-mail as user name, case-insensitive)");

    step(
        "deploy the trigger: the sign-in function (UserMigration, PreSignUp) and the token function (PreTokenGeneration)",
    );
    create_group(moto, &new_pool, MARKER_GROUP).await;
    let host = LambdaHost::from_env();
    for (name, extra) in [
        (&sign_in_function, ("RETURN_OLD_USERNAME", "false")),
        (&token_function, ("NEW_USER_POOL_ID", new_pool.as_str())),
    ] {
        let function = Function {
            name: name.clone(),
            env: trigger_env(testbed, &old_pool, &old_client, &[extra]),
            timeout_seconds: 5.0,
        };
        host.register(&function, &binary("cognito-migrate-trigger"))
            .await;
        println!("function {name} registered with the Lambda host");
    }
    DemoRun {
        old_pool,
        old_client,
        new_pool,
        app,
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

    let DemoRun {
        old_pool,
        old_client,
        new_pool,
        app,
    } = set_up(&testbed, &moto, USERS).await;

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

    use integration_tests::pools::sub_of;

    #[test]
    fn each_run_names_its_functions_after_its_own_old_pool() {
        let (sign_in, token) = function_names("us-east-1_39a032676c1341a2bcde864587e821a6");
        let (other_sign_in, other_token) =
            function_names("us-east-1_66bad2933b9d479aa3dead31a4382e46");
        assert_ne!(sign_in, other_sign_in);
        assert_ne!(token, other_token);
        assert_ne!(sign_in, token);
        for name in [sign_in, token] {
            assert!(
                name.len() <= 64
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{name} is no Lambda function name"
            );
        }
    }

    /// Two demo runs in one test bed: after the second run, the first run's new pool still
    /// migrates from the first run's old pool. Both old pools hold `user0004` with the same
    /// password, so only the legacy id the first new pool keeps (the old `sub`) tells which old
    /// pool the trigger asked; the marker group shows the first run's token function wrote to the
    /// first run's new pool.
    #[tokio::test]
    async fn a_second_run_leaves_the_first_runs_trigger_on_its_own_old_pool() {
        let testbed = Testbed::from_env();
        let moto = testbed.moto_client().await;
        let first = set_up(&testbed, &moto, 5).await;
        let second = set_up(&testbed, &moto, 5).await;

        let answer = moto
            .initiate_auth()
            .client_id(&first.app)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "user0004@example.com")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .expect("the first run's new pool signs user0004 in");
        assert!(answer.authentication_result().is_some());
        let migrated = moto
            .admin_get_user()
            .user_pool_id(&first.new_pool)
            .username("user0004@example.com")
            .send()
            .await
            .expect("user0004 migrated into the first run's new pool");
        let legacy_sub = migrated
            .user_attributes()
            .iter()
            .find(|a| a.name() == "custom:legacy_sub")
            .and_then(|a| a.value())
            .expect("the legacy id is kept");
        assert_eq!(
            legacy_sub,
            sub_of(&moto, &first.old_pool, "user0004").await,
            "migrated from the first run's old pool"
        );
        assert_ne!(
            legacy_sub,
            sub_of(&moto, &second.old_pool, "user0004").await
        );
        let groups = moto
            .admin_list_groups_for_user()
            .user_pool_id(&first.new_pool)
            .username("user0004@example.com")
            .send()
            .await
            .unwrap();
        let names: Vec<&str> = groups
            .groups()
            .iter()
            .filter_map(|g| g.group_name())
            .collect();
        assert_eq!(names, [MARKER_GROUP], "the first run's token function ran");
    }

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
