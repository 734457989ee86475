//! The client guidance of `docs/clients.md`, run through the real client libraries against the
//! test bed: `amazon-cognito-identity-js`, Amplify JS v6 (`aws-amplify`) and the Amplify UI
//! Authenticator's state machine (`@aws-amplify/ui`, driven headless as `<Authenticator>` drives
//! it), installed from the npm registry into `tests/clients/node_modules` by `scripts/test`
//! (`npm ci`, pinned by `tests/clients/package-lock.json`). Each test runs a script of
//! `tests/clients/` with Node.js and reads the one JSON line it prints.
//!
//! The pools are the migration window's: an old pool with the user, a new pool without it whose
//! `LambdaConfig` calls the real `cognito-migrate-trigger` on the Lambda host (UserMigration,
//! PreSignUp, PreTokenGeneration). What is shown:
//! - through each library with `USER_PASSWORD_AUTH`, a wrong password gets
//!   `NotAuthorizedException` and migrates nobody; the right one gets tokens, the user now exists
//!   in the new pool `CONFIRMED`, and the same password keeps working there;
//! - the first ID token and the first access token carry the old groups under PreTokenGeneration
//!   `V1_0` (the template's default) and `V2_0`, and so does every later token of both kinds (the
//!   new pool's own memberships, written by the companion);
//! - forgot-password through each library migrates the user `RESET_REQUIRED`, the code sets a new
//!   password, and the new password signs in;
//! - each library's default flow (SRP) migrates nobody, and signs the user in once migrated (the
//!   test bed verifies SRP proofs: `tests/emulator/testbed_ext/srp.py`);
//! - the Authenticator with the `services` override of `docs/clients.md` sends `USER_PASSWORD_AUTH`
//!   and migrates as above; without it, it sends `USER_SRP_AUTH` and migrates nobody; with it, an
//!   Authenticator that offers e-mail codes first still signs in by code (`USER_AUTH`); the
//!   override shown in the doc is, byte for byte, the file the test runs.
//!
//! A missing `node_modules` fails every test with what to run: nothing here passes without the
//! libraries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFactorType, ExplicitAuthFlowsType, LambdaConfigType, PreTokenGenerationLambdaVersionType,
    PreTokenGenerationVersionConfigType, PreventUserExistenceErrorTypes, UserPoolTierType,
    UserStatusType,
};
use integration_tests::factors::{set_tier_and_first_factors, user_auth_client};
use integration_tests::lambda::{Function, LambdaHost, function_arn, trigger_env, window_config};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_member, create_pool, find_user, sub_of,
};
use integration_tests::testbed::{Testbed, binary};
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";
const WRONG_PASSWORD: &str = "Old-Passw0rd?";
const NEW_PASSWORD: &str = "Reset-Passw0rd!2";
/// The groups companion's marker group (`GROUPS_MARKER_GROUP`'s default).
const MARKER: &str = "cognito-migrate-no-old-groups";

/// A client library, and its scripts in `tests/clients/`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Library {
    IdentityJs,
    Amplify,
    /// The Amplify UI `Authenticator`: `@aws-amplify/ui`'s machine, which calls `aws-amplify`.
    Authenticator,
}

impl Library {
    fn label(self) -> &'static str {
        match self {
            Library::IdentityJs => "identity-js",
            Library::Amplify => "amplify",
            Library::Authenticator => "authenticator",
        }
    }

    fn sign_in_script(self) -> &'static str {
        match self {
            Library::IdentityJs => "identity-js-sign-in.mjs",
            Library::Amplify => "amplify-sign-in.mjs",
            Library::Authenticator => "authenticator-sign-in.mjs",
        }
    }

    /// `None` for the Authenticator: its forgot-password screens call `resetPassword` and
    /// `confirmResetPassword` as they are, which the Amplify script runs.
    fn forgot_password_script(self) -> Option<&'static str> {
        match self {
            Library::IdentityJs => Some("identity-js-forgot-password.mjs"),
            Library::Amplify => Some("amplify-forgot-password.mjs"),
            Library::Authenticator => None,
        }
    }
}

/// The PreTokenGeneration event version the new pool is wired with.
#[derive(Debug, Clone, Copy)]
enum TokenVersion {
    /// `LambdaConfig.PreTokenGeneration`: version 1 (the template's `TokenLambdaVersion` default).
    V1,
    /// `PreTokenGenerationConfig {LambdaVersion: V2_0}`.
    V2,
}

/// The npm packages the scripts of `tests/clients/` import.
const PACKAGES: [&str; 4] = [
    "amazon-cognito-identity-js",
    "aws-amplify",
    "@aws-amplify/ui",
    "xstate",
];

/// `tests/clients/`, after checking that `npm ci` has installed the libraries there.
fn clients_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
    for package in PACKAGES {
        let installed = dir.join("node_modules").join(package).join("package.json");
        assert!(
            installed.exists(),
            "{} is missing: the client libraries are not installed. Run scripts/test (it runs \
             npm ci in tests/clients), or: cd tests/clients && npm ci",
            installed.display()
        );
    }
    dir
}

/// Runs `node <script>` in `tests/clients/` with the `COGNITO_*` settings `settings` and returns
/// the JSON line it printed.
fn node(script: &str, settings: &[(&str, &str)]) -> Value {
    let dir = clients_dir();
    let output = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .envs(settings.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (Node.js 20 or later is needed): {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "node {script}: {}\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("node {script} printed no JSON ({e}): {stdout}\n{stderr}"))
}

/// The migration window's pools for one test, with the trigger registered on the Lambda host.
struct Window {
    client: Client,
    old_pool: String,
    new_pool: String,
    /// The new pool's app client, as an app would have it during the window.
    app_client: String,
    endpoint: String,
}

impl Window {
    async fn create(tag: &str, version: TokenVersion) -> Window {
        clients_dir(); // fail before creating anything when the libraries are not installed
        let testbed = Testbed::from_env();
        let client = testbed.moto_client().await;
        let old_pool = create_pool(&client, &PoolSpec::named(&format!("clients-old-{tag}"))).await;
        // Named after the old pool too, so two runs in one test bed never share a function.
        let suffix = old_pool.rsplit('_').next().unwrap_or_default();
        let function = format!("clients-{tag}-{}", &suffix[..suffix.len().min(12)]);
        let (old_client, _) = create_app_client(&client, &old_pool, false).await;
        let mut new_spec =
            PoolSpec::named(&format!("clients-new-{tag}")).with_custom(&["legacy_sub"]);
        new_spec.lambda_config = Some(match version {
            TokenVersion::V1 => window_config(&function),
            TokenVersion::V2 => {
                let arn = function_arn(&function);
                LambdaConfigType::builder()
                    .user_migration(&arn)
                    .pre_sign_up(&arn)
                    .pre_token_generation_config(
                        PreTokenGenerationVersionConfigType::builder()
                            .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                            .lambda_arn(&arn)
                            .build()
                            .expect("PreTokenGenerationConfig"),
                    )
                    .build()
            }
        });
        let new_pool = create_pool(&client, &new_spec).await;
        for group in ["admins", MARKER] {
            create_group(&client, &new_pool, group).await;
        }
        // Both libraries' default flow (SRP) stays allowed: the guidance is about what the app
        // asks for, not about refusing SRP in the pool.
        let app_client = client
            .create_user_pool_client()
            .user_pool_id(&new_pool)
            .client_name("app")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
            .send()
            .await
            .expect("CreateUserPoolClient")
            .user_pool_client
            .and_then(|c| c.client_id)
            .expect("client id");
        LambdaHost::from_env()
            .register(
                &Function {
                    name: function,
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
        Window {
            client,
            old_pool,
            new_pool,
            app_client,
            endpoint: testbed.moto_url,
        }
    }

    /// Creates `name` in the old pool only (verified e-mail, the password, group `admins`);
    /// returns its old `sub`.
    async fn old_user(&self, name: &str) -> String {
        let email = format!("{name}@example.com");
        create_member(
            &self.client,
            &self.old_pool,
            name,
            &[("email", &email), ("email_verified", "true")],
            Some(PASSWORD),
            &["admins"],
        )
        .await;
        sub_of(&self.client, &self.old_pool, name).await
    }

    /// The script's settings for this window's new pool and app client.
    fn settings<'a>(&'a self, username: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("COGNITO_POOL_ID", self.new_pool.as_str()),
            ("COGNITO_CLIENT_ID", self.app_client.as_str()),
            ("COGNITO_ENDPOINT", self.endpoint.as_str()),
            ("COGNITO_USERNAME", username),
        ]
    }

    /// Signs `username` in to the new pool through `library` with `USER_PASSWORD_AUTH`.
    fn sign_in(&self, library: Library, username: &str, password: &str) -> Value {
        self.sign_in_with(library, "USER_PASSWORD_AUTH", username, password)
    }

    /// Signs `username` in through `library` with `flow` (`USER_SRP_AUTH`: the library's default,
    /// no flow set; for the Authenticator, no `services` override).
    fn sign_in_with(&self, library: Library, flow: &str, username: &str, password: &str) -> Value {
        let mut settings = self.settings(username);
        settings.push(("COGNITO_PASSWORD", password));
        settings.push(("COGNITO_FLOW", flow));
        let result = node(library.sign_in_script(), &settings);
        if library == Library::Authenticator {
            // The machine decides the flow, not the script: what went on the wire is the proof.
            assert_eq!(
                result["authFlowsSent"],
                serde_json::json!([flow]),
                "the flows the Authenticator sent: {result}"
            );
        }
        result
    }

    /// The new pool's user `username`, or `None`.
    async fn new_user_status(&self, username: &str) -> Option<UserStatusType> {
        find_user(&self.client, &self.new_pool, username)
            .await
            .map(|user| user.user_status.expect("a status"))
    }
}

/// The `cognito:groups` claim of a token's claims, sorted.
fn groups(claims: &Value) -> Vec<String> {
    let mut groups: Vec<String> = claims["cognito:groups"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    groups.sort();
    groups
}

fn assert_signed_in(result: &Value, what: &str) {
    assert_eq!(result["signedIn"], true, "{what}: {result}");
}

fn assert_refused(result: &Value, error: &str, what: &str) {
    assert_eq!(result["signedIn"], false, "{what}: {result}");
    assert_eq!(result["error"]["name"], error, "{what}: {result}");
}

/// What a first access token without the old groups under `V1_0` may mean besides a fault.
const OLD_V1_HINT: &str = "a test bed started before tests/emulator/testbed_ext/tokens.py applied \
     a V1_0 group override to access tokens answers with the ID token only: restart it with \
     scripts/testbed stop && scripts/testbed start";

/// The whole sign-in story through one library.
async fn password_sign_in_migrates(library: Library, version: TokenVersion) {
    let tag = format!("{}-{version:?}", library.label()).to_lowercase();
    let window = Window::create(&format!("sign-in-{tag}"), version).await;
    let user = format!("ana-{tag}");
    let old_sub = window.old_user(&user).await;

    let wrong = window.sign_in(library, &user, WRONG_PASSWORD);
    assert_refused(&wrong, "NotAuthorizedException", "a wrong password");
    assert_eq!(
        window.new_user_status(&user).await,
        None,
        "a wrong password migrated {user}"
    );

    let first = window.sign_in(library, &user, PASSWORD);
    assert_signed_in(&first, "the right password, first sign-in (migrating)");
    assert_eq!(first["flow"], "USER_PASSWORD_AUTH");
    let id = &first["idToken"];
    let access = &first["accessToken"];
    assert_eq!(id["cognito:username"], user.as_str(), "{first}");
    assert_eq!(id["custom:legacy_sub"], old_sub.as_str(), "{first}");
    assert_eq!(access["username"], user.as_str(), "{first}");
    assert_eq!(groups(id), ["admins"], "first ID token ({version:?}): {id}");
    // Under V1_0 too: "Your groupOverrideDetails object will replace the `cognito:groups` claim
    // in access tokens as well as ID tokens." (docs/clients.md, *Token version*).
    assert_eq!(
        groups(access),
        ["admins"],
        "first access token ({version:?}): {access} ({OLD_V1_HINT})"
    );
    assert_eq!(
        window.new_user_status(&user).await,
        Some(UserStatusType::Confirmed),
        "{user} migrated with the password kept"
    );

    // The new pool's own user now: the same password signs in, a wrong one still does not.
    let again = window.sign_in(library, &user, PASSWORD);
    assert_signed_in(&again, "the kept password in the new pool");
    // From the second sign-in on, the groups are the new pool's own memberships (written by the
    // companion at the first token): in both tokens whatever the version.
    assert_eq!(groups(&again["idToken"]), ["admins"], "{again}");
    assert_eq!(groups(&again["accessToken"]), ["admins"], "{again}");
    let wrong_again = window.sign_in(library, &user, WRONG_PASSWORD);
    assert_refused(
        &wrong_again,
        "NotAuthorizedException",
        "a wrong password after migration",
    );
}

/// Forgot-password through one library: the request migrates the user `RESET_REQUIRED`, the code
/// sets a new password, the new password signs in and the old one no longer does.
async fn forgot_password_migrates(library: Library) {
    let tag = library.label();
    let window = Window::create(&format!("forgot-{tag}"), TokenVersion::V1).await;
    let user = format!("bo-{tag}");
    window.old_user(&user).await;
    let script = library
        .forgot_password_script()
        .unwrap_or_else(|| panic!("{library:?} has no forgot-password script"));

    let request = node(script, &window.settings(&user));
    assert_eq!(request["codeSent"], true, "{request}");
    let delivery = &request["delivery"];
    let medium = delivery["DeliveryMedium"]
        .as_str()
        .or(delivery["deliveryMedium"].as_str());
    assert_eq!(medium, Some("EMAIL"), "{request}");
    assert_eq!(
        window.new_user_status(&user).await,
        Some(UserStatusType::ResetRequired),
        "forgot-password migrated {user} without a password"
    );

    let code = request["testbedCode"]
        .as_str()
        .unwrap_or_else(|| panic!("the test bed's code header was not seen: {request}"))
        .to_string();
    let mut confirm_settings = window.settings(&user);
    confirm_settings.push(("COGNITO_CODE", &code));
    confirm_settings.push(("COGNITO_NEW_PASSWORD", NEW_PASSWORD));
    let confirmed = node(script, &confirm_settings);
    assert_eq!(confirmed["confirmed"], true, "{confirmed}");
    assert_eq!(
        window.new_user_status(&user).await,
        Some(UserStatusType::Confirmed)
    );

    let signed_in = window.sign_in(library, &user, NEW_PASSWORD);
    assert_signed_in(&signed_in, "the new password");
    assert_eq!(groups(&signed_in["idToken"]), ["admins"], "{signed_in}");
    assert_eq!(
        groups(&signed_in["accessToken"]),
        ["admins"],
        "first access token (V1_0): {signed_in} ({OLD_V1_HINT})"
    );
    let old = window.sign_in(library, &user, PASSWORD);
    assert_refused(
        &old,
        "NotAuthorizedException",
        "the old password after the reset",
    );
}

/// What an SRP failure may mean besides a fault.
const OLD_SRP_HINT: &str = "a test bed started before tests/emulator/testbed_ext/srp.py existed \
     answers SRP as moto did: restart it with scripts/testbed stop && scripts/testbed start";

/// The libraries' default flow, SRP, never migrates: the password never reaches Cognito, so the
/// UserMigration trigger has nothing to check. After a `USER_PASSWORD_AUTH` sign-in has migrated
/// the user, the same default flow signs in (and refuses a wrong password): the refusal before is
/// the flow's, not a test bed that cannot do SRP.
async fn default_srp_does_not_migrate(library: Library) {
    let tag = library.label();
    let window = Window::create(&format!("srp-{tag}"), TokenVersion::V1).await;
    let user = format!("cy-{tag}");
    window.old_user(&user).await;

    let srp = window.sign_in_with(library, "USER_SRP_AUTH", &user, PASSWORD);
    // PreventUserExistenceErrors ENABLED: the unknown user's SRP answer is the generic one.
    assert_refused(
        &srp,
        "NotAuthorizedException",
        &format!("the default SRP flow, user not migrated ({OLD_SRP_HINT})"),
    );
    assert_eq!(
        window.new_user_status(&user).await,
        None,
        "an SRP sign-in migrated {user}"
    );

    let migrated = window.sign_in(library, &user, PASSWORD);
    assert_signed_in(&migrated, "USER_PASSWORD_AUTH after the SRP refusal");
    assert_eq!(
        window.new_user_status(&user).await,
        Some(UserStatusType::Confirmed)
    );
    let srp_after = window.sign_in_with(library, "USER_SRP_AUTH", &user, PASSWORD);
    assert_eq!(
        srp_after["signedIn"], true,
        "the default SRP flow for the migrated user: {srp_after} ({OLD_SRP_HINT})"
    );
    assert_eq!(groups(&srp_after["idToken"]), ["admins"], "{srp_after}");
    let srp_wrong = window.sign_in_with(library, "USER_SRP_AUTH", &user, WRONG_PASSWORD);
    assert_refused(
        &srp_wrong,
        "NotAuthorizedException",
        "the default SRP flow with a wrong password",
    );
}

#[tokio::test]
async fn identity_js_default_srp_does_not_migrate() {
    default_srp_does_not_migrate(Library::IdentityJs).await;
}

#[tokio::test]
async fn amplify_default_srp_does_not_migrate() {
    default_srp_does_not_migrate(Library::Amplify).await;
}

#[tokio::test]
async fn identity_js_user_password_auth_migrates_with_the_right_password_only() {
    password_sign_in_migrates(Library::IdentityJs, TokenVersion::V1).await;
}

#[tokio::test]
async fn amplify_user_password_auth_migrates_with_the_right_password_only() {
    password_sign_in_migrates(Library::Amplify, TokenVersion::V1).await;
}

#[tokio::test]
async fn amplify_token_version_2_puts_the_old_groups_in_both_first_tokens() {
    password_sign_in_migrates(Library::Amplify, TokenVersion::V2).await;
}

#[tokio::test]
async fn authenticator_default_srp_does_not_migrate() {
    default_srp_does_not_migrate(Library::Authenticator).await;
}

#[tokio::test]
async fn authenticator_services_override_migrates() {
    password_sign_in_migrates(Library::Authenticator, TokenVersion::V1).await;
}

/// The override's first line: an Authenticator that offers e-mail codes first
/// (`passwordless={{ preferredAuthMethod: 'EMAIL_OTP' }}`) calls `handleSignIn` with no password,
/// and the override passes the call on as it is (`USER_AUTH`), so a user of the new pool still
/// signs in by code, never typing a password.
#[tokio::test]
async fn authenticator_services_override_leaves_email_code_sign_in_alone() {
    let window = Window::create("code-authenticator", TokenVersion::V1).await;
    set_tier_and_first_factors(
        &window.client,
        &window.new_pool,
        UserPoolTierType::Essentials,
        &[AuthFactorType::Password, AuthFactorType::EmailOtp],
    )
    .await
    .expect("the new pool offers e-mail codes first");
    let code_client = user_auth_client(&window.client, &window.new_pool).await;
    let user = "dee-authenticator";
    create_member(
        &window.client,
        &window.new_pool,
        user,
        &[("email", "dee@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
        &[],
    )
    .await;

    let result = node(
        Library::Authenticator.sign_in_script(),
        &[
            ("COGNITO_POOL_ID", window.new_pool.as_str()),
            ("COGNITO_CLIENT_ID", code_client.as_str()),
            ("COGNITO_ENDPOINT", window.endpoint.as_str()),
            ("COGNITO_USERNAME", user),
            ("COGNITO_METHOD", "EMAIL_OTP"),
        ],
    );
    assert_signed_in(&result, "the e-mailed code through the override");
    assert_eq!(
        result["authFlowsSent"],
        serde_json::json!(["USER_AUTH"]),
        "{result}"
    );
    assert_eq!(result["idToken"]["cognito:username"], user, "{result}");
}

/// `docs/clients.md` shows `tests/clients/authenticator-services.mjs` whole, in one `js` block:
/// the override an app copies is the one `authenticator_services_override_migrates` runs.
#[test]
fn the_doc_shows_the_tested_authenticator_override() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::read_to_string(root.join("clients/authenticator-services.mjs"))
        .expect("tests/clients/authenticator-services.mjs");
    let doc = std::fs::read_to_string(root.join("../docs/clients.md")).expect("docs/clients.md");
    assert!(
        doc.contains(&format!("```js\n{file}```\n")),
        "docs/clients.md must show tests/clients/authenticator-services.mjs byte for byte in a \
         ```js block: copy the file into the doc's Authenticator section"
    );
}

#[tokio::test]
async fn identity_js_forgot_password_migrates_and_resets() {
    forgot_password_migrates(Library::IdentityJs).await;
}

#[tokio::test]
async fn amplify_forgot_password_migrates_and_resets() {
    forgot_password_migrates(Library::Amplify).await;
}

#[test]
fn the_lock_file_pins_the_libraries() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients");
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("package-lock.json")).expect("package-lock.json"),
    )
    .expect("package-lock.json is JSON");
    let packages: BTreeMap<String, Value> =
        serde_json::from_value(lock["packages"].clone()).expect("packages");
    for (package, major) in [
        ("amazon-cognito-identity-js", "6."),
        ("aws-amplify", "6."),
        ("@aws-amplify/ui", "6."),
        // The machine is written for xstate 4 (`interpret`, `spawn`).
        ("xstate", "4."),
    ] {
        let version = packages[&format!("node_modules/{package}")]["version"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            version.starts_with(major),
            "{package} {version}: the guidance is for major version {major}"
        );
    }
}
