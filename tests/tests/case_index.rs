//! Letter case in the window, end to end: an old pool that compares user names exactly, new pools
//! that do not (plain user names; e-mail as user name), the real `cognito-migrate case-index`
//! writing the index and the real trigger reading it (`CASE_INDEX_FILE`) behind the Lambda host,
//! fired by moto from the new pool's `LambdaConfig`.
//!
//! Without the index, a person who types `ada` for the old `Ada` is never migrated, and anyone can
//! sign up as `BOB` beside the unmigrated old `Bob` (in a case-insensitive pool the two are one
//! name). With it, `ada` migrates `Ada` (proven by the legacy id), `BOB` is refused, and an e-mail
//! typed in lower case migrates the old user whose address has capitals.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::companion_events::ACCOUNT_EXISTS;
use integration_tests::lambda::{Function, LambdaHost, trigger_env};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_pool, create_sign_in_client, create_user, find_user, sub_of,
};
use integration_tests::shapes::{Shape, SignIn};
use integration_tests::testbed::{Testbed, binary};

const PASSWORD: &str = "Old-Passw0rd!";

/// Registers the trigger `function` for a new pool signing in as `sign_in`, with the case index
/// at `index` when given.
async fn register(
    testbed: &Testbed,
    (old_pool, old_client): (&str, &str),
    function: &str,
    sign_in: &str,
    index: Option<&Path>,
) {
    let index = index.map(|p| p.to_str().unwrap().to_string());
    let mut extra = vec![
        ("RETURN_OLD_USERNAME", "false"),
        ("NEW_POOL_SIGN_IN", sign_in),
    ];
    if let Some(path) = &index {
        extra.push(("CASE_INDEX_FILE", path.as_str()));
    }
    let env = trigger_env(testbed, old_pool, old_client, &extra);
    LambdaHost::from_env()
        .register(
            &Function {
                name: function.to_string(),
                env,
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
}

/// Runs `cognito-migrate case-index` for the pair and returns the file it wrote.
fn write_case_index(endpoint: &str, old: &str, new: &str, dir: &Path) -> std::path::PathBuf {
    let out = dir.join(format!("{new}.idx"));
    let run = cognito_migrate(endpoint)
        .args([
            "case-index",
            "--source-pool-id",
            old,
            "--target-pool-id",
            new,
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .expect("cognito-migrate runs");
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("CASE_INDEX_FILE"),
        "{}",
        describe(&run)
    );
    out
}

async fn sign_in(
    client: &Client,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<(), String> {
    client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| e.code().unwrap_or_default().to_string())
}

async fn sign_up(client: &Client, client_id: &str, name: &str) -> Result<(), String> {
    client
        .sign_up()
        .client_id(client_id)
        .username(name)
        .password("New-Passw0rd!")
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value("someone@example.org")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .map(|_| ())
        .map_err(|e| e.message().unwrap_or_default().to_string())
}

/// The legacy id of `name` in `pool`, if the user is there.
async fn legacy_id(client: &Client, pool: &str, name: &str) -> Option<String> {
    find_user(client, pool, name).await.and_then(|user| {
        user.user_attributes()
            .iter()
            .find(|a| a.name() == "custom:legacy_sub")
            .and_then(|a| a.value())
            .map(str::to_string)
    })
}

#[tokio::test]
async fn any_letter_case_migrates_the_old_user_and_no_sign_up_takes_its_name() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    // The old pool compares user names exactly (the API's default).
    let old = create_pool(&client, &PoolSpec::named("case-index-old")).await;
    let (old_client, _) = create_app_client(&client, &old, false).await;
    for (name, email) in [
        ("Ada", "Ada@Example.com"),
        ("Bob", "bob@example.com"),
        ("Carol", "Carol@Example.com"),
    ] {
        create_user(
            &client,
            &old,
            name,
            &[("email", email), ("email_verified", "true")],
            Some(PASSWORD),
        )
        .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let old_pair = (old.as_str(), old_client.as_str());

    // A new pool of user names that ignores case.
    let function = "case-index-names";
    let shape = Shape {
        sign_in: SignIn::UserName,
        case_sensitive: false,
    };
    let names = shape
        .create_pool(&client, function, &["legacy_sub"], Some(function))
        .await;
    let names_client = create_sign_in_client(&client, &names).await;

    // Without the index: the doors this closes.
    register(&testbed, old_pair, function, "username", None).await;
    assert_eq!(
        sign_in(&client, &names_client, "ada", PASSWORD).await,
        Err("NotAuthorizedException".to_string()),
        "without the index, Ada typing ada is never migrated"
    );
    assert!(find_user(&client, &names, "ada").await.is_none());

    let index = write_case_index(&testbed.moto_url, &old, &names, dir.path());
    register(&testbed, old_pair, function, "username", Some(&index)).await;
    sign_in(&client, &names_client, "ada", PASSWORD)
        .await
        .expect("ada finds the old Ada through the index");
    assert_eq!(
        legacy_id(&client, &names, "ada").await,
        Some(sub_of(&client, &old, "Ada").await),
        "the old Ada, proven by her legacy id"
    );
    assert_eq!(
        sign_in(&client, &names_client, "BOB", "Wrong-Passw0rd!").await,
        Err("NotAuthorizedException".to_string()),
        "a wrong password in another case migrates nobody"
    );
    assert!(find_user(&client, &names, "bob").await.is_none());
    let refused = sign_up(&client, &names_client, "BOB")
        .await
        .expect_err("BOB is the unmigrated Bob's name in this pool");
    assert!(refused.contains(ACCOUNT_EXISTS), "{refused}");
    sign_up(&client, &names_client, "dora")
        .await
        .expect("a new name signs up");

    // A new pool that signs in by e-mail and ignores case.
    let function = "case-index-email";
    let shape = Shape {
        sign_in: SignIn::Email,
        case_sensitive: false,
    };
    let emails = shape
        .create_pool(&client, function, &["legacy_sub"], Some(function))
        .await;
    let emails_client = create_sign_in_client(&client, &emails).await;
    let index = write_case_index(&testbed.moto_url, &old, &emails, dir.path());
    register(&testbed, old_pair, function, "email", Some(&index)).await;
    sign_in(&client, &emails_client, "carol@example.com", PASSWORD)
        .await
        .expect("the address typed in lower case finds Carol@Example.com");
    assert_eq!(
        legacy_id(&client, &emails, "carol@example.com").await,
        Some(sub_of(&client, &old, "Carol").await)
    );
}
