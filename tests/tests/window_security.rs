//! The migration window, end to end: the **new** pool in moto fires the real trigger binary
//! (hosted by the Lambda host) from its own `LambdaConfig` — UserMigration, PreSignUp and
//! PreTokenGeneration served by the one binary (the test bed registers it once; the deployment
//! template runs it as two functions with separate roles, which changes no answer) — and
//! the old pool is in moto too. What a person sees is asserted through the public API only.
//!
//! - Sign-up squatting: nobody signs up with the user name, e-mail or phone of an old user who
//!   has not migrated; a new identity signs up; an old pool that cannot be reached refuses with
//!   the retry sentence inside Cognito's 5-second budget.
//! - First-token groups: a user migrated by sign-in carries the old groups in the very first ID
//!   token, the memberships exist afterwards, a refresh keeps them, and a user without old groups
//!   is looked up once (old-pool calls counted by `tests/faults/fault_proxy.py`).
//! - A user disabled in the old pool cannot reset a password in the new pool right after
//!   `import`, nor sign in.
//! - A TOTP user never arrives `CONFIRMED`: the password alone is not their second factor.
//!
//! The emulator's rules these tests rely on (`tests/emulator/README.md`, each with its AWS page):
//! PreSignUp fires on `SignUp` and a failing function answers `UserLambdaValidationException`
//! "PreSignUp failed with error <message>."; PreTokenGeneration fires on every token with the
//! user's current groups and its `groupOverrideDetails` sets `cognito:groups`; ForgotPassword and
//! ConfirmForgotPassword answer disabled users like unknown ones with PreventUserExistenceErrors.

use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, AuthFlowType, AuthenticationResultType, UserStatusType,
};
use integration_tests::cli::{describe, export};
use integration_tests::companion_events::{ACCOUNT_EXISTS, SIGN_UP_UNAVAILABLE};
use integration_tests::import_support::{FaultProxy, import};
use integration_tests::lambda::{Function, LambdaHost, trigger_env, window_config};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_member, create_pool, create_sign_in_client,
    enrol_totp, find_user, sub_of,
};
use integration_tests::shapes::{Person, Shape, SignIn};
use integration_tests::testbed::{Testbed, binary, forgot_password_code};
use integration_tests::tokens::groups_claim;
use integration_tests::unreachable::closed_port;

const PASSWORD: &str = "Old-Passw0rd!";
const NEW_PASSWORD: &str = "New-Passw0rd!";
const MARKER: &str = "cognito-migrate-no-old-groups";

/// An error as the caller of the new pool sees it: code and message.
type Refusal = (String, String);

/// A sign-up to try: what it takes from the old user, the `Username`, the attributes.
type SignUpAttempt = (&'static str, String, Vec<(&'static str, String)>);

/// An old pool and a new pool in moto; the new pool's triggers are the function `function`.
struct Window {
    testbed: Testbed,
    client: Client,
    old_pool: String,
    old_client: String,
    new_pool: String,
    new_client: String,
    host: LambdaHost,
    function: String,
}

/// A fresh window: both pools, the new pool's app client (password sign-in, refresh,
/// PreventUserExistenceErrors ENABLED), the marker group, and the trigger registered to reach
/// AWS at `endpoint` (`None`: moto itself).
async fn window(name: &str, endpoint: Option<&str>) -> Window {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old_pool = create_pool(&client, &PoolSpec::named(&format!("window-{name}-old"))).await;
    let (old_client, _) = create_app_client(&client, &old_pool, false).await;

    let function = format!("window-{name}");
    let mut spec = PoolSpec::named(&format!("window-{name}-new")).with_custom(&["legacy_sub"]);
    spec.lambda_config = Some(window_config(&function));
    let new_pool = create_pool(&client, &spec).await;
    let new_client = create_sign_in_client(&client, &new_pool).await;
    create_group(&client, &new_pool, MARKER).await;

    let window = Window {
        testbed,
        client,
        old_pool,
        old_client,
        new_pool,
        new_client,
        host: LambdaHost::from_env(),
        function,
    };
    let endpoint = endpoint.unwrap_or(&window.testbed.moto_url).to_string();
    window.register(&endpoint).await;
    window
}

fn refusal<E: ProvideErrorMetadata>(error: E) -> Refusal {
    (
        error.code().unwrap_or_default().to_string(),
        error.message().unwrap_or_default().to_string(),
    )
}

impl Window {
    /// (Re-)registers the trigger for these pools, reaching AWS at `endpoint`.
    async fn register(&self, endpoint: &str) {
        let env = trigger_env(
            &self.testbed,
            &self.old_pool,
            &self.old_client,
            &[
                ("AWS_ENDPOINT_URL", endpoint),
                ("RETURN_OLD_USERNAME", "false"),
                // One function serves every pool of a test, back to back: not what is measured.
                ("OLD_LIST_USERS_RPS", "30"),
                ("OLD_LIST_USERS_BURST", "60"),
            ],
        );
        self.host
            .register(
                &Function {
                    name: self.function.clone(),
                    env,
                    timeout_seconds: 5.0,
                },
                &binary("cognito-migrate-trigger"),
            )
            .await;
    }

    /// An old user with a permanent password, in `groups` of the old pool.
    async fn old_user(&self, name: &str, attributes: &[(&str, &str)], groups: &[&str]) {
        create_member(
            &self.client,
            &self.old_pool,
            name,
            attributes,
            Some(PASSWORD),
            groups,
        )
        .await;
    }

    async fn sign_in(
        &self,
        name: &str,
        password: &str,
    ) -> Result<AuthenticationResultType, Refusal> {
        self.client
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(refusal)
            .map(|output| {
                output
                    .authentication_result
                    .unwrap_or_else(|| panic!("no tokens for {name}"))
            })
    }

    async fn refresh(&self, refresh_token: &str) -> AuthenticationResultType {
        self.client
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", refresh_token)
            .send()
            .await
            .expect("REFRESH_TOKEN_AUTH")
            .authentication_result
            .expect("tokens on refresh")
    }

    async fn sign_up(&self, name: &str, attributes: &[(&str, &str)]) -> Result<(), Refusal> {
        sign_up(&self.client, &self.new_client, name, attributes).await
    }

    async fn new_user(&self, name: &str) -> Option<AdminGetUserOutput> {
        find_user(&self.client, &self.new_pool, name).await
    }

    async fn new_groups_of(&self, name: &str) -> Vec<String> {
        let mut groups: Vec<String> = self
            .client
            .admin_list_groups_for_user()
            .user_pool_id(&self.new_pool)
            .username(name)
            .send()
            .await
            .expect("AdminListGroupsForUser (new pool)")
            .groups()
            .iter()
            .filter_map(|g| g.group_name().map(str::to_string))
            .collect();
        groups.sort();
        groups
    }
}

/// `SignUp` through `client_id` with the password `NEW_PASSWORD`.
async fn sign_up(
    client: &Client,
    client_id: &str,
    name: &str,
    attributes: &[(&str, &str)],
) -> Result<(), Refusal> {
    let attributes = attributes
        .iter()
        .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
        .collect();
    client
        .sign_up()
        .client_id(client_id)
        .username(name)
        .password(NEW_PASSWORD)
        .set_user_attributes(Some(attributes))
        .send()
        .await
        .map(|_| ())
        .map_err(refusal)
}

/// The `cognito:groups` claim of an ID token, sorted (empty when absent).
fn token_groups(result: &AuthenticationResultType) -> Vec<String> {
    groups_claim(result.id_token().expect("ID token"))
}

/// What a refused sign-up shows: Cognito's wrapper around the trigger's fixed sentence.
fn shown(sentence: &str) -> Refusal {
    (
        "UserLambdaValidationException".to_string(),
        format!("PreSignUp failed with error {sentence}."),
    )
}

#[tokio::test]
async fn window_sign_up_with_an_unmigrated_identity_is_refused() {
    let window = window("squat", None).await;
    window
        .old_user(
            "alice",
            &[
                ("email", "alice@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
            ],
            &[],
        )
        .await;

    for (label, name, attributes) in [
        ("user name", "alice", vec![("email", "other@example.com")]),
        (
            "e-mail",
            "squatter-mail",
            vec![("email", "alice@example.com")],
        ),
        (
            "phone",
            "squatter-phone",
            vec![
                ("email", "squatter@example.com"),
                ("phone_number", "+15555550100"),
            ],
        ),
    ] {
        let refused = window
            .sign_up(name, &attributes)
            .await
            .expect_err(&format!("sign-up with alice's {label}"));
        assert_eq!(refused, shown(ACCOUNT_EXISTS), "{label}");
        for internal in [
            window.old_pool.as_str(),
            window.function.as_str(),
            "alice",
            "ListUsers",
            "AdminGetUser",
            "OLD_",
        ] {
            assert!(
                !refused.1.contains(internal),
                "{label}: {internal} in {refused:?}"
            );
        }
        assert!(window.new_user(name).await.is_none(), "{label}: created");
    }
    assert!(
        window.new_user("alice").await.is_none(),
        "alice's name is still free for her own migration"
    );

    window
        .sign_up("newbie", &[("email", "newbie@example.com")])
        .await
        .expect("a new identity signs up");
    let newbie = window.new_user("newbie").await.expect("newbie created");
    assert_eq!(newbie.user_status(), Some(&UserStatusType::Unconfirmed));

    // Alice herself still migrates by signing in.
    window
        .sign_in("alice", PASSWORD)
        .await
        .expect("alice migrates");

    // The old pool cannot be reached: fail closed, with a sentence that asks to retry, inside
    // Cognito's 5-second budget.
    let down = format!("http://127.0.0.1:{}", closed_port().await);
    window.register(&down).await;
    let started = Instant::now();
    let refused = window
        .sign_up("latecomer", &[("email", "latecomer@example.com")])
        .await
        .expect_err("nobody signs up while the old pool cannot be asked");
    let elapsed = started.elapsed();
    assert_eq!(refused, shown(SIGN_UP_UNAVAILABLE));
    assert!(!refused.1.contains("127.0.0.1"), "{refused:?}");
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    assert!(window.new_user("latecomer").await.is_none());
}

/// The sign-ups that would take `person`'s identity in a new pool of `shape`: (what is taken,
/// the `Username`, the attributes), as an app signs people up in that shape.
fn squatting_sign_ups(shape: Shape, person: &Person) -> Vec<SignUpAttempt> {
    let fresh_email = |tag: &str| format!("{tag}-fresh@example.com");
    match shape.sign_in {
        SignIn::UserName | SignIn::UserNameWithAliases => vec![
            (
                "user name",
                person.name.clone(),
                vec![("email", fresh_email("a"))],
            ),
            (
                "e-mail",
                "squatter-mail".to_string(),
                vec![("email", person.email.clone())],
            ),
            (
                "phone",
                "squatter-phone".to_string(),
                vec![
                    ("email", fresh_email("b")),
                    ("phone_number", person.phone.clone()),
                ],
            ),
        ],
        SignIn::Email => vec![
            (
                "e-mail",
                person.email.clone(),
                vec![("email", person.email.clone())],
            ),
            (
                "phone",
                fresh_email("c"),
                vec![
                    ("email", fresh_email("c")),
                    ("phone_number", person.phone.clone()),
                ],
            ),
        ],
        SignIn::Phone => vec![
            (
                "phone",
                person.phone.clone(),
                vec![("phone_number", person.phone.clone())],
            ),
            (
                "e-mail",
                "+15550009999".to_string(),
                vec![
                    ("phone_number", "+15550009999".to_string()),
                    ("email", person.email.clone()),
                ],
            ),
        ],
        SignIn::EmailOrPhone => vec![
            (
                "e-mail",
                person.email.clone(),
                vec![("email", person.email.clone())],
            ),
            (
                "phone",
                person.phone.clone(),
                vec![("phone_number", person.phone.clone())],
            ),
        ],
    }
}

/// A sign-up of a new identity in a new pool of `shape`.
fn fresh_sign_up(shape: Shape) -> (String, Vec<(&'static str, String)>) {
    match shape.sign_in {
        SignIn::UserName | SignIn::UserNameWithAliases => (
            "newbie".to_string(),
            vec![("email", "newbie@example.com".to_string())],
        ),
        SignIn::Email | SignIn::EmailOrPhone => (
            "newbie@example.com".to_string(),
            vec![("email", "newbie@example.com".to_string())],
        ),
        SignIn::Phone => (
            "+15550001234".to_string(),
            vec![("phone_number", "+15550001234".to_string())],
        ),
    }
}

#[tokio::test]
async fn window_sign_up_squatting_is_refused_in_every_new_pool_shape() {
    let window = window("squat-shapes", None).await;
    let person = Person::new("ada", 4242);
    let attributes = person.attributes(Shape {
        sign_in: SignIn::UserName,
        case_sensitive: true,
    });
    let attributes: Vec<(&str, &str)> = attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
    window.old_user(&person.name, &attributes, &[]).await;

    for sign_in in [
        SignIn::UserName,
        SignIn::UserNameWithAliases,
        SignIn::Email,
        SignIn::Phone,
        SignIn::EmailOrPhone,
    ] {
        let shape = Shape {
            sign_in,
            case_sensitive: false,
        };
        let label = shape.label();
        let pool = shape
            .create_pool(
                &window.client,
                &format!("window-squat-{}", label.replace(['/', '+'], "-")),
                &["legacy_sub"],
                Some(&window.function),
            )
            .await;
        let client_id = create_sign_in_client(&window.client, &pool).await;
        for (taken, name, attributes) in squatting_sign_ups(shape, &person) {
            let attributes: Vec<(&str, &str)> =
                attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let refused = sign_up(&window.client, &client_id, &name, &attributes)
                .await
                .expect_err(&format!("{label}: sign-up with ada's {taken}"));
            assert_eq!(refused, shown(ACCOUNT_EXISTS), "{label}: {taken}");
        }
        let users = window
            .client
            .list_users()
            .user_pool_id(&pool)
            .send()
            .await
            .expect("ListUsers (new pool)");
        assert!(users.users().is_empty(), "{label}: {users:?}");

        let (name, attributes) = fresh_sign_up(shape);
        let attributes: Vec<(&str, &str)> =
            attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
        sign_up(&window.client, &client_id, &name, &attributes)
            .await
            .unwrap_or_else(|e| panic!("{label}: a new identity signs up: {e:?}"));
    }
}

#[tokio::test]
async fn window_first_token_carries_the_old_groups_and_a_user_without_is_looked_up_once() {
    let testbed = Testbed::from_env();
    let proxy = FaultProxy::start(&testbed.moto_url);
    let window = window("groups", Some(&proxy.url)).await;
    for group in ["admins", "staff"] {
        create_group(&window.client, &window.new_pool, group).await;
    }
    window
        .old_user(
            "gina",
            &[("email", "gina@example.com"), ("email_verified", "true")],
            &["admins", "staff"],
        )
        .await;
    window
        .old_user(
            "nora",
            &[("email", "nora@example.com"), ("email_verified", "true")],
            &[],
        )
        .await;

    // The very first sign-in migrates gina and her first ID token carries her old groups.
    let first = window
        .sign_in("gina", PASSWORD)
        .await
        .expect("gina migrates");
    assert_eq!(token_groups(&first), ["admins", "staff"]);
    assert_eq!(window.new_groups_of("gina").await, ["admins", "staff"]);
    let user = window.new_user("gina").await.expect("gina migrated");
    assert_eq!(user.user_status(), Some(&UserStatusType::Confirmed));

    // A refresh keeps them, from the memberships, without asking the old pool.
    let before = proxy.requests_by_operation();
    let refreshed = window
        .refresh(first.refresh_token().expect("refresh token"))
        .await;
    assert_eq!(token_groups(&refreshed), ["admins", "staff"]);
    assert_eq!(
        proxy.requests_by_operation(),
        before,
        "a refresh of a user with groups calls nothing"
    );

    // nora has no old groups: looked up at her first token, marked, never again.
    let before = proxy.requests_by_operation();
    let first = window
        .sign_in("nora", PASSWORD)
        .await
        .expect("nora migrates");
    // The companion answers this token explicitly with no groups, so the marker it has just
    // written never shows, whenever the pool reads the memberships.
    assert_eq!(token_groups(&first), Vec::<String>::new());
    assert_eq!(window.new_groups_of("nora").await, [MARKER]);
    let after_first = proxy.requests_by_operation();
    let looked_up = |operation: &str| {
        after_first.get(operation).copied().unwrap_or(0)
            - before.get(operation).copied().unwrap_or(0)
    };
    assert_eq!(looked_up("AdminListGroupsForUser"), 1, "{after_first:?}");
    assert_eq!(looked_up("ListUsers"), 1, "by legacy id: {after_first:?}");

    let again = window
        .sign_in("nora", PASSWORD)
        .await
        .expect("nora signs in again");
    assert_eq!(token_groups(&again), Vec::<String>::new());
    let refreshed = window
        .refresh(again.refresh_token().expect("refresh token"))
        .await;
    assert_eq!(token_groups(&refreshed), Vec::<String>::new());
    assert_eq!(
        proxy.requests_by_operation(),
        after_first,
        "nora is looked up once: no call after her first token"
    );
}

#[tokio::test]
async fn window_a_disabled_old_user_cannot_reset_a_password_after_import() {
    let window = window("disabled", None).await;
    for name in ["live", "banned"] {
        window
            .old_user(
                name,
                &[
                    ("email", &format!("{name}@example.com")),
                    ("email_verified", "true"),
                ],
                &[],
            )
            .await;
    }
    window
        .client
        .admin_disable_user()
        .user_pool_id(&window.old_pool)
        .username("banned")
        .send()
        .await
        .expect("AdminDisableUser (old pool)");

    // Before the import, a reset does not migrate a disabled user either.
    window
        .client
        .forgot_password()
        .client_id(&window.new_client)
        .username("banned")
        .send()
        .await
        .expect("ForgotPassword (simulated delivery)");
    assert!(window.new_user("banned").await.is_none());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let url = &window.testbed.moto_url;
    let exported = export(
        url,
        &window.old_pool,
        &window.new_pool,
        &out,
        &["--select", "all"],
    );
    assert_eq!(exported.status.code(), Some(0), "{}", describe(&exported));
    let imported = import(url, &window.new_pool, &out, &["--wait"]);
    assert_eq!(imported.status.code(), Some(0), "{}", describe(&imported));

    // Right after the import: the disabled user asks for a code and "confirms" a new password.
    window
        .client
        .forgot_password()
        .client_id(&window.new_client)
        .username("banned")
        .send()
        .await
        .expect("ForgotPassword answers as for anyone");
    let refused = window
        .client
        .confirm_forgot_password()
        .client_id(&window.new_client)
        .username("banned")
        .confirmation_code("123456")
        .password(NEW_PASSWORD)
        .send()
        .await
        .map(|_| ())
        .map_err(refusal)
        .expect_err("a disabled user sets no password");
    assert_eq!(refused.0, "CodeMismatchException", "{refused:?}");
    for password in [NEW_PASSWORD, PASSWORD] {
        let refused = window
            .sign_in("banned", password)
            .await
            .expect_err("a disabled user never signs in");
        assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");
    }
    let banned = window.new_user("banned").await.expect("created disabled");
    assert!(!banned.enabled());
    assert_eq!(
        banned.user_status(),
        Some(&UserStatusType::ForceChangePassword)
    );

    // The same steps let the enabled imported user in: the refusal above is the disabled state.
    let code = forgot_password_code(&window.testbed.moto_url, &window.new_client, "live").await;
    window
        .client
        .confirm_forgot_password()
        .client_id(&window.new_client)
        .username("live")
        .confirmation_code(code)
        .password(NEW_PASSWORD)
        .send()
        .await
        .expect("ConfirmForgotPassword live");
    window
        .sign_in("live", NEW_PASSWORD)
        .await
        .expect("live signs in with the new password");
}

#[tokio::test]
async fn window_a_totp_user_never_arrives_confirmed() {
    let window = window("totp", None).await;
    window
        .old_user(
            "tina",
            &[("email", "tina@example.com"), ("email_verified", "true")],
            &[],
        )
        .await;
    window
        .old_user("toby", &[("email", "toby@example.com")], &[])
        .await;
    window
        .old_user(
            "sam",
            &[("email", "sam@example.com"), ("email_verified", "true")],
            &[],
        )
        .await;
    enrol_totp(
        &window.client,
        &window.old_pool,
        &window.old_client,
        "tina",
        PASSWORD,
    )
    .await;
    enrol_totp(
        &window.client,
        &window.old_pool,
        &window.old_client,
        "toby",
        PASSWORD,
    )
    .await;

    // The right password of a TOTP user: migrated, but only a reset code to the verified
    // e-mail lets them in; the caller sees the generic answer.
    let refused = window
        .sign_in("tina", PASSWORD)
        .await
        .expect_err("the password alone is not tina's second factor");
    assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");
    let tina = window.new_user("tina").await.expect("tina migrated");
    assert_eq!(tina.user_status(), Some(&UserStatusType::ResetRequired));

    // Without a verified contact, not migrated at all (no code could ever reach them).
    let refused = window
        .sign_in("toby", PASSWORD)
        .await
        .expect_err("toby has no way to prove more than the password");
    assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");
    assert!(window.new_user("toby").await.is_none());

    // The same pools migrate a user without a second factor as CONFIRMED.
    window.sign_in("sam", PASSWORD).await.expect("sam migrates");
    let sam = window.new_user("sam").await.expect("sam migrated");
    assert_eq!(sam.user_status(), Some(&UserStatusType::Confirmed));
}

/// The trigger registered again as `function` for `window`'s old pool, for a new pool that signs
/// in as `sign_in` says (`NEW_POOL_SIGN_IN`).
async fn register_for_shape(window: &Window, function: &str, sign_in: &str) {
    let env = trigger_env(
        &window.testbed,
        &window.old_pool,
        &window.old_client,
        &[
            ("RETURN_OLD_USERNAME", "false"),
            ("NEW_POOL_SIGN_IN", sign_in),
        ],
    );
    window
        .host
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

const SQUATTER_PASSWORD: &str = "Squat-Passw0rd!";

#[tokio::test]
async fn window_sign_up_refuses_only_new_pool_sign_in_names_and_a_squatter_never_wins() {
    let window = window("keys", None).await;
    // olga's e-mail was never verified; the victim's was. The squatter's user name is the
    // victim's address, taken while the old pool was open to sign-up.
    window
        .old_user("olga", &[("email", "olga@example.com")], &[])
        .await;
    window
        .old_user(
            "victim",
            &[("email", "victim@example.com"), ("email_verified", "true")],
            &[],
        )
        .await;
    create_member(
        &window.client,
        &window.old_pool,
        "victim@example.com",
        &[("email", "mallory@example.com"), ("email_verified", "true")],
        Some(SQUATTER_PASSWORD),
        &[],
    )
    .await;

    // A new pool of user names with aliases.
    let aliases = "window-keys-aliases";
    register_for_shape(
        &window,
        aliases,
        "username,email,phone_number,preferred_username",
    )
    .await;
    let shape = Shape {
        sign_in: SignIn::UserNameWithAliases,
        case_sensitive: false,
    };
    let pool = shape
        .create_pool(&window.client, aliases, &["legacy_sub"], Some(aliases))
        .await;
    let client_id = create_sign_in_client(&window.client, &pool).await;
    sign_up(
        &window.client,
        &client_id,
        "newcomer",
        &[("email", "olga@example.com")],
    )
    .await
    .expect("an old user's unverified e-mail is no sign-in name there: not an oracle");
    for (taken, name, email) in [
        ("user name", "olga", "fresh-a@example.com"),
        ("verified alias", "mallory", "victim@example.com"),
    ] {
        let refused = sign_up(&window.client, &client_id, name, &[("email", email)])
            .await
            .expect_err(taken);
        assert_eq!(refused, shown(ACCOUNT_EXISTS), "{taken}");
    }

    // A new pool that signs in by e-mail.
    let by_email = "window-keys-email";
    register_for_shape(&window, by_email, "email").await;
    let shape = Shape {
        sign_in: SignIn::Email,
        case_sensitive: false,
    };
    let pool = shape
        .create_pool(&window.client, by_email, &["legacy_sub"], Some(by_email))
        .await;
    let client_id = create_sign_in_client(&window.client, &pool).await;
    // There every old address is a user name, verified or not.
    let refused = sign_up(
        &window.client,
        &client_id,
        "olga@example.com",
        &[("email", "olga@example.com")],
    )
    .await
    .expect_err("olga's address is her user name in an e-mail pool");
    assert_eq!(refused, shown(ACCOUNT_EXISTS));

    let sign_in = |password: &'static str| {
        let client = window.client.clone();
        let client_id = client_id.clone();
        async move {
            client
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", "victim@example.com")
                .auth_parameters("PASSWORD", password)
                .send()
                .await
                .map_err(refusal)
        }
    };
    let refused = sign_in(SQUATTER_PASSWORD)
        .await
        .expect_err("the squatter's password migrates nobody");
    assert_eq!(refused.0, "NotAuthorizedException", "{refused:?}");
    assert!(
        find_user(&window.client, &pool, "victim@example.com")
            .await
            .is_none()
    );
    sign_in(PASSWORD)
        .await
        .expect("the victim's password migrates the victim");
    let migrated = find_user(&window.client, &pool, "victim@example.com")
        .await
        .expect("migrated");
    let legacy = migrated
        .user_attributes()
        .iter()
        .find(|a| a.name() == "custom:legacy_sub")
        .and_then(|a| a.value())
        .map(str::to_string);
    assert_eq!(
        legacy,
        Some(sub_of(&window.client, &window.old_pool, "victim").await),
        "the victim, not the squatter"
    );
}
