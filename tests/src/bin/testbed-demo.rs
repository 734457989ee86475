//! The README's first command, end to end on the local emulators (`scripts/demo` runs it):
//! seeds an old pool with a few hundred varied users, plans, exports, imports the files into a
//! new pool, then migrates one user by password and one by forgot-password through the real
//! trigger binary behind the Lambda host, with cognito-local playing the new pool.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType, PreventUserExistenceErrorTypes, UserStatusType,
};
use integration_tests::lambda::{
    Function, LambdaHost, cognito_local_function, cognito_local_url, trigger_env,
};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool, create_user};
use integration_tests::testbed::{Testbed, aws_env, binary, client_for};

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

#[tokio::main]
async fn main() {
    let testbed = Testbed::from_env();
    let moto = testbed.moto_client().await;
    let work: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("cognito-migrate-demo"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();

    step(&format!(
        "seed an old pool in moto with {USERS} varied users"
    ));
    let old_pool = create_pool(&moto, &PoolSpec::named("demo-old").with_custom(&["tenant"])).await;
    let (old_client, _) = create_app_client(&moto, &old_pool, false).await;
    seed_old_pool(&moto, &old_pool).await;
    let new_pool = create_pool(
        &moto,
        &PoolSpec::named("demo-new").with_custom(&["tenant", "legacy_sub"]),
    )
    .await;
    println!("old pool {old_pool}, new pool {new_pool}");

    step("plan the migration");
    cognito_migrate(
        &testbed.moto_url,
        &[
            "plan",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
        ],
    );

    step("export every user into the new pool's import format");
    let out = work.join("export");
    let out_arg = out.to_str().unwrap();
    let status = cognito_migrate(
        &testbed.moto_url,
        &[
            "export",
            "--source-pool-id",
            &old_pool,
            "--target-pool-id",
            &new_pool,
            "--out",
            out_arg,
            "--segments",
            "4",
            "--rps",
            "20",
        ],
    );
    println!("(exit status {status}: 1 means some users are in rejected.csv)");
    show_file(&out.join("users-0001.csv"), 4);
    show_file(&out.join("rejected.csv"), 4);
    show_file(&out.join("summary.json"), 12);

    step("import the files with Cognito import jobs");
    cognito_migrate(
        &testbed.moto_url,
        &[
            "import",
            "--target-pool-id",
            &new_pool,
            "--dir",
            out_arg,
            "--logs-role-arn",
            "arn:aws:iam::123456789012:role/demo-import",
        ],
    );
    let imported = moto
        .admin_get_user()
        .user_pool_id(&new_pool)
        .username("user0001")
        .send()
        .await
        .unwrap();
    println!(
        "user0001 in the new pool: status {:?}",
        imported.user_status().map(UserStatusType::as_str)
    );

    step(
        "migrate by password: sign in to a new pool (cognito-local) whose trigger reads the old pool",
    );
    let new = client_for(&cognito_local_url()).await;
    let live_pool = new
        .create_user_pool()
        .pool_name("demo-live")
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let live_client = new
        .create_user_pool_client()
        .user_pool_id(&live_pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    LambdaHost::from_env()
        .register(
            &Function {
                name: cognito_local_function(),
                env: trigger_env(&testbed, &old_pool, &old_client, &[]),
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
    for (user, password) in [
        ("user0001", PASSWORD),
        ("user0001", PASSWORD),
        ("user0002", "wrong-password"),
    ] {
        let answer = new
            .initiate_auth()
            .client_id(&live_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("PASSWORD", password)
            .send()
            .await;
        match answer {
            Ok(answer) => println!(
                "sign-in {user}: tokens issued: {}",
                answer.authentication_result().is_some()
            ),
            Err(err) => println!(
                "sign-in {user}: {}",
                aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&err)
            ),
        }
    }
    let migrated = new
        .admin_get_user()
        .user_pool_id(&live_pool)
        .username("user0001")
        .send()
        .await
        .unwrap();
    println!(
        "user0001 in the new pool: status {:?}",
        migrated.user_status().map(UserStatusType::as_str)
    );
    for attribute in migrated.user_attributes() {
        println!(
            "  {} = {}",
            attribute.name(),
            attribute.value().unwrap_or_default()
        );
    }

    step("migrate by forgot-password: a dormant user asks for a reset code");
    let answer = new
        .forgot_password()
        .client_id(&live_client)
        .username("user0004")
        .send()
        .await;
    match answer {
        Ok(answer) => println!(
            "forgot-password user0004: code sent via {:?}",
            answer
                .code_delivery_details()
                .and_then(|d| d.delivery_medium())
        ),
        Err(err) => println!(
            "forgot-password user0004: {}",
            aws_sdk_cognitoidentityprovider::error::DisplayErrorContext(&err)
        ),
    }
    let reset = new
        .admin_get_user()
        .user_pool_id(&live_pool)
        .username("user0004")
        .send()
        .await;
    match reset {
        Ok(user) => println!(
            "user0004 in the new pool: status {:?}",
            user.user_status().map(UserStatusType::as_str)
        ),
        Err(err) => println!(
            "user0004 not in the new pool: {}",
            err.code().unwrap_or("?")
        ),
    }
    step(&format!("done; files in {}", out.display()));
}
