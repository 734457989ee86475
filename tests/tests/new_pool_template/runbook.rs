//! The pool-shape matrix's runbook on pools built from `new-pool` templates: one old pool, one
//! new pool per `--sign-in` shape, each built from its own template and wired to the real trigger
//! on the Lambda host through the template's parameters, the trigger configured as `new-pool`'s
//! report says the migration stack should be.
//!
//! For each shape: export and import the passwordless user, groups; during the window a dormant
//! user signs in through the trigger (first ID token with the old group, CONFIRMED), then by every
//! name the shape lets a person type; for another, a wrong password migrates nobody and a sign-up
//! under their name is refused (the template's sign-up guard); a third resets the password
//! through the trigger; after the window the sweep brings the one who never came back,
//! `groups --sync`, and `verify` finds nothing missing or different.

use std::path::Path;
use std::process::Output;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, AuthFlowType, UserStatusType};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::lambda::{Function, LambdaHost, function_arn, trigger_env};
use integration_tests::pools::{create_app_client, create_member};
use integration_tests::shapes::{Person, Shape, SignIn};
use integration_tests::testbed::{Testbed, binary, forgot_password_code};
use integration_tests::tokens::groups_claim;
use tokio::task::block_in_place;

use super::from_template::{Parameters, create_from_template};
use super::{PASSWORD, ROLE, new_pool};

/// The password set through forgot-password.
const RESET_PASSWORD: &str = "Reset-Passw0rd!2";

/// One new pool of the matrix: what `new-pool` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct TemplateShape {
    /// `--sign-in`.
    pub sign_in: &'static str,
    /// `--case-sensitive`.
    pub case_sensitive: bool,
}

impl TemplateShape {
    /// The aliases after `username+`, as `--sign-in` names them (none for the other shapes).
    fn aliases(&self) -> Vec<&'static str> {
        match self.sign_in.strip_prefix("username+") {
            Some(aliases) => aliases.split('+').collect(),
            None => Vec::new(),
        }
    }

    /// The test bed's shape of the pool built from the template.
    fn shape(&self) -> Shape {
        let sign_in = match self.sign_in {
            "email" => SignIn::Email,
            "phone" => SignIn::Phone,
            "email-or-phone" => SignIn::EmailOrPhone,
            "username" => SignIn::UserName,
            _ => SignIn::UserNameWithAliases,
        };
        Shape {
            sign_in,
            case_sensitive: self.case_sensitive,
        }
    }

    /// Every name `person` may type once in the pool under `user_name`: the test bed's list for
    /// the shape, less the values of the aliases this pool does not have (the test bed's alias
    /// pool has all three), plus the e-mail and preferred user name in capitals where the pool
    /// ignores case.
    fn names(&self, user_name: &str, person: &Person) -> Vec<String> {
        let aliases = self.aliases();
        let shape = self.shape();
        let absent: Vec<&str> = [
            ("email", person.email.as_str()),
            ("phone", person.phone.as_str()),
            ("preferred_username", person.preferred.as_str()),
        ]
        .into_iter()
        .filter(|(alias, _)| {
            shape.sign_in == SignIn::UserNameWithAliases && !aliases.contains(alias)
        })
        .map(|(_, value)| value)
        .collect();
        let mut names = shape.names(user_name, person);
        names.retain(|name| !absent.contains(&name.as_str()));
        if !self.case_sensitive {
            // "This option also enables both preferred_username and email alias to be case
            // insensitive" (API reference, UsernameConfigurationType); the test bed's list
            // varies the user name's case only.
            let insensitive = [&person.email, &person.preferred];
            let other_case: Vec<String> = names
                .iter()
                .filter(|name| insensitive.contains(name))
                .map(|name| name.to_uppercase())
                .collect();
            names.extend(other_case);
        }
        names
    }
}

/// The trigger's environment from the migration stack's parameters `new-pool` names in its
/// report (`NewPoolSignIn=… ReturnOldUsername=…`), set as deploy/template.yaml sets them.
fn stack_environment(report: &str) -> Vec<(&'static str, String)> {
    let line = report
        .lines()
        .find_map(|l| l.strip_prefix("new-pool: the migration stack for this pool: "))
        .unwrap_or_else(|| panic!("new-pool names no migration stack parameters: {report}"));
    let mut environment = Vec::new();
    for word in line.split_whitespace() {
        let variable = match word.split_once('=') {
            Some(("NewPoolSignIn", value)) => ("NEW_POOL_SIGN_IN", value),
            Some(("ReturnOldUsername", value)) => ("RETURN_OLD_USERNAME", value),
            _ => continue,
        };
        environment.push((variable.0, variable.1.to_string()));
    }
    assert_eq!(environment.len(), 2, "{line}");
    environment
}

/// The old pool every new pool of the matrix migrates from, and its people.
pub struct OldPool {
    /// Its shape: user names with aliases, so every new shape has a name the person knows.
    pub shape: Shape,
    /// Its id.
    pub id: String,
    /// Its app client (no secret), the trigger's.
    pub client_id: String,
    /// Signs in during the window; in `admins`.
    pub ana: Person,
    /// Resets the password during the window.
    pub cy: Person,
    /// Types a wrong password during the window, never comes back: swept after it.
    pub dee: Person,
    /// Has no password: imported before the window; in `admins`.
    pub eve: Person,
}

impl OldPool {
    /// Creates the old pool with its people.
    pub async fn create(client: &Client) -> OldPool {
        let shape = Shape {
            sign_in: SignIn::UserNameWithAliases,
            case_sensitive: true,
        };
        let id = shape
            .create_pool(client, "np-runbook-old", &["tenant"], None)
            .await;
        let (client_id, _) = create_app_client(client, &id, false).await;
        let person = |name: &str, n: u32| Person::new(name, 900 + n);
        let old = OldPool {
            shape,
            id,
            client_id,
            ana: person("np-ana", 1),
            cy: person("np-cy", 2),
            dee: person("np-dee", 3),
            eve: person("np-eve", 4),
        };
        for (who, password, groups) in [
            (&old.ana, Some(PASSWORD), &["admins"][..]),
            (&old.cy, Some(PASSWORD), &[]),
            (&old.dee, Some(PASSWORD), &[]),
            (&old.eve, None, &["admins"]),
        ] {
            let attributes = who.attributes(shape);
            let attributes: Vec<(&str, &str)> =
                attributes.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let name = shape.admin_username(who);
            create_member(client, &old.id, &name, &attributes, password, groups).await;
        }
        old
    }
}

/// The runbook from `old` into a pool built from the template `new-pool` writes for `asked`;
/// `tag` names its trigger function. Runs the command line in `block_in_place`, so that several
/// shapes share a multi-threaded runtime: it needs one.
pub async fn rehearse(
    testbed: &Testbed,
    client: &Client,
    old: &OldPool,
    asked: TemplateShape,
    tag: &str,
) {
    let new_shape = asked.shape();
    let label = format!(
        "{} → --sign-in {} --case-sensitive {}",
        old.shape.label(),
        asked.sign_in,
        asked.case_sensitive
    );
    let moto = testbed.moto_url.as_str();
    let dir = tempfile::tempdir().expect("temp dir");
    let case = asked.case_sensitive.to_string();
    let written = block_in_place(|| {
        new_pool(
            moto,
            &old.id,
            asked.sign_in,
            &["--case-sensitive", &case],
            dir.path(),
        )
    });
    let function = format!("np-runbook-{tag}");
    let arn = function_arn(&function);
    let new = create_from_template(
        moto,
        &written.during,
        &Parameters {
            migration_function: &arn,
            token_function: &arn,
        },
    )
    .await
    .pool_id;
    let stack = stack_environment(&written.report);
    let stack: Vec<(&str, &str)> = stack.iter().map(|(n, v)| (*n, v.as_str())).collect();
    LambdaHost::from_env()
        .register(
            &Function {
                name: function,
                env: trigger_env(testbed, &old.id, &old.client_id, &stack),
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
    let migrate = |args: &[&str], step: &str| {
        let run = block_in_place(|| cognito_migrate(moto).args(args).output())
            .expect("cognito-migrate runs");
        assert_ok(&run, &format!("{label}: {step}"));
    };
    let import = |folder: &Path, step: &str| {
        let run = block_in_place(|| export(moto, &old.id, &new, folder, &["--select", step]));
        assert_ok(&run, &format!("{label}: export {step}"));
        let folder = folder.to_str().expect("path");
        migrate(
            &[
                "import",
                "--target-pool-id",
                &new,
                "--dir",
                folder,
                "--logs-role-arn",
                ROLE,
                "--wait",
            ],
            &format!("import {step}"),
        );
        migrate(
            &["groups", "--target-pool-id", &new, "--dir", folder],
            &format!("groups {step}"),
        );
    };

    // Before the window: the passwordless user lands in the template's group.
    import(&dir.path().join("passwordless"), "passwordless");
    let eve = new_shape.first_name(old.shape, &old.eve);
    assert_eq!(
        group_names(client, &new, &eve).await,
        ["admins"],
        "{label}: the imported user is in the template's group"
    );

    // The window: the first sign-in migrates with the password and the old group, then every
    // name the pool knows the person by signs them in.
    let new_client = client_named(client, &new, "migration").await;
    let first = new_shape.first_name(old.shape, &old.ana);
    let id_token = password_sign_in(client, &new_client, &first, PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{label}: the dormant user signs in as {first}: {e}"));
    assert_eq!(
        groups_claim(&id_token),
        ["admins"],
        "{label}: the first ID token carries the old group"
    );
    let migrated = client
        .admin_get_user()
        .user_pool_id(&new)
        .username(&first)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{label}: {first} is in the new pool: {e:?}"));
    assert_eq!(
        migrated.user_status(),
        Some(&UserStatusType::Confirmed),
        "{label}: {first} kept the password"
    );
    let names = asked.names(migrated.username(), &old.ana);
    assert!(
        names.contains(&first),
        "{label}: {first} is among {names:?}"
    );
    for name in &names {
        password_sign_in(client, &new_client, name, PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{label}: the migrated user signs in again as {name}: {e}"));
    }

    let dee = new_shape.first_name(old.shape, &old.dee);
    assert!(
        password_sign_in(client, &new_client, &dee, "not-the-password")
            .await
            .is_err(),
        "{label}: a wrong password signs nobody in"
    );
    assert!(
        client
            .admin_get_user()
            .user_pool_id(&new)
            .username(&dee)
            .send()
            .await
            .is_err(),
        "{label}: a wrong password migrates nobody"
    );

    // The sign-up guard the template wires, told the shape by the report's NewPoolSignIn: nobody
    // signs up under the name of an old user who has not come yet.
    let squatter = match new_shape.sign_in {
        SignIn::Email | SignIn::EmailOrPhone => ("email", dee.clone()),
        SignIn::Phone => ("phone_number", dee.clone()),
        SignIn::UserName | SignIn::UserNameWithAliases => {
            ("email", "np-squatter@example.com".to_string())
        }
    };
    let refused = client
        .sign_up()
        .client_id(&new_client)
        .username(&dee)
        .password(PASSWORD)
        .user_attributes(
            AttributeType::builder()
                .name(squatter.0)
                .value(&squatter.1)
                .build()
                .expect("attribute"),
        )
        .send()
        .await
        .expect_err(&format!("{label}: a sign-up as {dee} is refused"));
    assert_eq!(
        refused.code(),
        Some("UserLambdaValidationException"),
        "{label}: the guard refuses {dee}: {refused:?}"
    );

    // Forgot-password during the window: the trigger returns the user, the code goes out, the
    // new password works.
    let cy = new_shape.first_name(old.shape, &old.cy);
    let code = forgot_password_code(moto, &new_client, &cy).await;
    client
        .confirm_forgot_password()
        .client_id(&new_client)
        .username(&cy)
        .confirmation_code(code)
        .password(RESET_PASSWORD)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{label}: confirm forgot-password for {cy}: {e:?}"));
    password_sign_in(client, &new_client, &cy, RESET_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{label}: {cy} signs in with the new password: {e}"));

    // After the window: the sweep, the old memberships, and nothing missing or different.
    import(&dir.path().join("sweep"), "not-in-target");
    let state = dir.path().join("groups-sync");
    std::fs::create_dir_all(&state).expect("state folder");
    let state = state.to_str().expect("path");
    migrate(
        &[
            "groups",
            "--sync",
            "--source-pool-id",
            &old.id,
            "--target-pool-id",
            &new,
            "--dir",
            state,
        ],
        "groups --sync",
    );
    for who in [&eve, migrated.username()] {
        assert_eq!(
            group_names(client, &new, who).await,
            ["admins"],
            "{label}: {who} is in the template's group"
        );
    }
    let differences = dir.path().join("differences.csv");
    let differences_arg = differences.to_str().expect("path");
    migrate(
        &[
            "verify",
            "--source-pool-id",
            &old.id,
            "--target-pool-id",
            &new,
            "--differences",
            differences_arg,
        ],
        "verify",
    );
    let rows = std::fs::read_to_string(&differences).expect("differences");
    assert_eq!(rows.lines().count(), 1, "{label}: only the header: {rows}");
}

/// Asserts a `cognito-migrate` run exited 0.
fn assert_ok(run: &Output, what: &str) {
    assert_eq!(run.status.code(), Some(0), "{what}: {}", describe(run));
}

/// A `USER_PASSWORD_AUTH` sign-in to `client_id`; `Ok` carries the ID token.
async fn password_sign_in(
    client: &Client,
    client_id: &str,
    name: &str,
    password: &str,
) -> Result<String, String> {
    let answer = client
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", name)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| format!("{}: {}", e.code().unwrap_or("?"), e.message().unwrap_or("")))?;
    answer
        .authentication_result()
        .and_then(|r| r.id_token())
        .map(str::to_string)
        .ok_or_else(|| format!("no tokens (challenge {:?})", answer.challenge_name()))
}

/// The id of the client named `name` in `pool`.
async fn client_named(client: &Client, pool: &str, name: &str) -> String {
    client
        .list_user_pool_clients()
        .user_pool_id(pool)
        .max_results(60)
        .send()
        .await
        .expect("ListUserPoolClients")
        .user_pool_clients()
        .iter()
        .find(|c| c.client_name() == Some(name))
        .and_then(|c| c.client_id())
        .unwrap_or_else(|| panic!("no client {name} in {pool}"))
        .to_string()
}

/// The groups `user` is in, in `pool`.
async fn group_names(client: &Client, pool: &str, user: &str) -> Vec<String> {
    client
        .admin_list_groups_for_user()
        .user_pool_id(pool)
        .username(user)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{user} is in {pool}: {e:?}"))
        .groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_string))
        .collect()
}
