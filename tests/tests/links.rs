//! `cognito-migrate links` against the test bed, in a new pool with user names and in one that
//! signs in by e-mail: Google- and SAML-federated old users get a profile with their legacy id and
//! are linked to the same provider identity, a native user's two links follow it once it is in
//! the new pool, a federated sign-in afterwards lands on the migrated profile with its legacy id
//! and groups, a disabled federated user stays out, and a stranger who took a federated user's
//! e-mail first gains nothing.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, ProviderUserIdentifierType, UsernameAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::federation::{
    create_identity_provider, federated_sign_in, try_federated_sign_in,
};
use integration_tests::pools::{
    MigrationPools, PoolSpec, add_to_group, create_group, create_user, disable_user, sub_of,
};
use integration_tests::tokens::{claims, groups_claim};

const GOOGLE_MAPPING: &[(&str, &str)] = &[("email", "email")];
const SAML_MAPPING: &[(&str, &str)] = &[("email", "mail")];

/// The providers of the old pool, and an app client that may use them; returns the client id.
async fn federation(client: &Client, pool: &str) -> String {
    create_identity_provider(client, pool, "Google", "Google", GOOGLE_MAPPING).await;
    create_identity_provider(client, pool, "Corp", "SAML", SAML_MAPPING).await;
    client
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .supported_identity_providers("Corp")
        .send()
        .await
        .expect("CreateUserPoolClient")
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("client id")
}

/// Links `(provider, subject)` to the native user `username` of `pool`.
async fn link(client: &Client, pool: &str, username: &str, provider: &str, subject: &str) {
    client
        .admin_link_provider_for_user()
        .user_pool_id(pool)
        .destination_user(
            ProviderUserIdentifierType::builder()
                .provider_name("Cognito")
                .provider_attribute_value(username)
                .build(),
        )
        .source_user(
            ProviderUserIdentifierType::builder()
                .provider_name(provider)
                .provider_attribute_name("Cognito_Subject")
                .provider_attribute_value(subject)
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("link {provider}/{subject} to {username}: {e:?}"));
}

/// The new pool's copy of an old user, as the import or the trigger leaves it: its legacy id.
async fn migrated(pools: &MigrationPools, name: &str, email: &str, old_name: &str) {
    let legacy = sub_of(&pools.client, &pools.old, old_name).await;
    create_user(
        &pools.client,
        &pools.new,
        name,
        &[
            ("email", email),
            ("email_verified", "true"),
            ("custom:legacy_sub", &legacy),
        ],
        Some("Passw0rd!"),
    )
    .await;
}

/// Runs `verify`; returns its exit code and counts.
fn verify(pools: &MigrationPools, dir: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    let json = dir.join("verify.json");
    let run = cognito_migrate(&pools.endpoint)
        .args([
            "verify",
            "--source-pool-id",
            &pools.old,
            "--target-pool-id",
            &pools.new,
        ])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let counts = std::fs::read_to_string(&json)
        .map(|text| serde_json::from_str(&text).unwrap())
        .unwrap_or_else(|_| panic!("no verify.json: {}", describe(&run)));
    (run.status.code(), counts)
}

/// Runs `status`; returns its `identities` counts.
fn status_identities(pools: &MigrationPools, dir: &std::path::Path) -> serde_json::Value {
    let json = dir.join("status.json");
    let run = cognito_migrate(&pools.endpoint)
        .args([
            "status",
            "--source-pool-id",
            &pools.old,
            "--target-pool-id",
            &pools.new,
        ])
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    report["identities"].clone()
}

/// Runs `links`; returns the exit code and the report's rows (header first, then sorted).
fn links(pools: &MigrationPools, dir: &std::path::Path) -> (Option<i32>, Vec<String>) {
    let run = cognito_migrate(&pools.endpoint)
        .args([
            "links",
            "--source-pool-id",
            &pools.old,
            "--target-pool-id",
            &pools.new,
        ])
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        run.status.code() == Some(0) || run.status.code() == Some(1),
        "{}",
        describe(&run)
    );
    let text = std::fs::read_to_string(dir.join("links-report.csv")).unwrap();
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().unwrap();
    let mut rows: Vec<String> = lines
        .map(|line| {
            // username,status,provider,provider_user_id,outcome — the detail left out.
            line.splitn(6, ',').take(5).collect::<Vec<_>>().join(",")
        })
        .collect();
    rows.sort();
    rows.insert(0, header);
    (run.status.code(), rows)
}

#[tokio::test]
async fn federated_users_and_links_land_on_their_migrated_profiles_in_each_shape() {
    for shape in ["names", "email"] {
        let username_attributes = if shape == "email" {
            vec![UsernameAttributeType::Email]
        } else {
            vec![]
        };
        let pools = MigrationPools::create_with(
            &PoolSpec::named(&format!("links-{shape}-old")),
            &PoolSpec {
                username_attributes,
                ..PoolSpec::named(&format!("links-{shape}-new")).with_custom(&["legacy_sub"])
            },
        )
        .await;
        let (client, url) = (&pools.client, pools.endpoint.clone());
        let old_client = federation(client, &pools.old).await;
        let new_client = federation(client, &pools.new).await;
        let mail = |name: &str| format!("{name}@example.com");

        // The old pool: ada and dee native (ada with a Google link, dee with two), bo and eve
        // federated by Google, cy by the SAML provider; eve disabled; bo and ada in "vip".
        for name in ["ada", "dee"] {
            let attributes = [("email", mail(name)), ("email_verified", "true".into())];
            let attributes: Vec<(&str, &str)> =
                attributes.iter().map(|(k, v)| (*k, v.as_str())).collect();
            create_user(client, &pools.old, name, &attributes, Some("Passw0rd!")).await;
        }
        link(client, &pools.old, "ada", "Google", "g-ada").await;
        link(client, &pools.old, "dee", "Google", "g-dee").await;
        link(client, &pools.old, "dee", "Corp", "s-dee").await;
        for (provider, subject, claim, name) in [
            ("Google", "g-bo", "email", "bo"),
            ("Corp", "s-cy", "mail", "cy"),
            ("Google", "g-eve", "email", "eve"),
        ] {
            let address = mail(name);
            let signed_in = federated_sign_in(
                &url,
                &pools.old,
                &old_client,
                provider,
                subject,
                &[(claim, address.as_str())],
            )
            .await;
            assert!(signed_in.created, "{shape}: {provider}_{subject} created");
        }
        disable_user(client, &pools.old, "Google_g-eve").await;
        create_group(client, &pools.old, "vip").await;
        add_to_group(client, &pools.old, "Google_g-bo", "vip").await;
        add_to_group(client, &pools.old, "ada", "vip").await;

        // The new pool: ada migrated; a stranger holds bo's e-mail before links runs.
        let ada_name = if shape == "email" {
            mail("ada")
        } else {
            "ada".into()
        };
        migrated(&pools, &ada_name, &mail("ada"), "ada").await;
        let stranger = if shape == "email" {
            mail("bo")
        } else {
            "mallory".into()
        };
        create_user(
            client,
            &pools.new,
            &stranger,
            &[("email", &mail("bo")), ("email_verified", "true")],
            Some("Passw0rd!"),
        )
        .await;

        let dir = tempfile::tempdir().unwrap();
        // Before links: ada's link is missing, and the three federated users.
        let (code, before) = verify(&pools, dir.path());
        assert_eq!(code, Some(1), "{shape}: {before}");
        assert_eq!(before["links_differ"], 1, "{shape}: ada: {before}");
        let plan = dir.path().join("plan.json");
        let run = cognito_migrate(&pools.endpoint)
            .args([
                "plan",
                "--source-pool-id",
                &pools.old,
                "--target-pool-id",
                &pools.new,
            ])
            .arg("--json")
            .arg(&plan)
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
        assert_eq!(
            (
                &plan["federated"],
                &plan["native_with_links"],
                &plan["identities"]
            ),
            (
                &serde_json::json!(3),
                &serde_json::json!(2),
                &serde_json::json!(6)
            ),
            "{shape}: bo, cy, eve; ada and dee; one each, and dee's two"
        );
        assert_eq!(
            status_identities(&pools, dir.path()),
            serde_json::json!({"federated": 3, "federated_carried": 0, "native_with_links": 2}),
            "{shape}"
        );
        let (code, rows) = links(&pools, dir.path());
        assert_eq!(code, Some(1), "{shape}: dee has not migrated yet");
        let bo = if shape == "email" {
            "Google_g-bo,EXTERNAL_PROVIDER,Google,g-bo,name_held_by_another_user"
        } else {
            "Google_g-bo,EXTERNAL_PROVIDER,Google,g-bo,linked"
        };
        let mut expected = vec![
            "username,status,provider,provider_user_id,outcome,detail",
            "Corp_s-cy,EXTERNAL_PROVIDER,Corp,s-cy,linked",
            "Google_g-eve,EXTERNAL_PROVIDER,Google,g-eve,linked",
            bo,
            "ada,CONFIRMED,Google,g-ada,linked",
            "dee,CONFIRMED,Corp,s-dee,not_migrated_yet",
            "dee,CONFIRMED,Google,g-dee,not_migrated_yet",
        ];
        expected[1..].sort();
        assert_eq!(
            rows,
            expected,
            "{shape}: {}",
            std::fs::read_to_string(dir.path().join("links-report.csv")).unwrap()
        );

        // dee migrates; the next run links its two identities and changes nothing else.
        let dee_name = if shape == "email" {
            mail("dee")
        } else {
            "dee".into()
        };
        migrated(&pools, &dee_name, &mail("dee"), "dee").await;
        let (_, rows) = links(&pools, dir.path());
        assert!(
            rows.contains(&"dee,CONFIRMED,Corp,s-dee,linked".to_string())
                && rows.contains(&"dee,CONFIRMED,Google,g-dee,linked".to_string())
                && rows.contains(&"ada,CONFIRMED,Google,g-ada,already_linked".to_string()),
            "{shape}: {rows:#?}"
        );

        // Groups follow the profiles (groups --sync finds them by legacy id).
        let sync = cognito_migrate(&pools.endpoint)
            .args([
                "groups",
                "--sync",
                "--source-pool-id",
                &pools.old,
                "--target-pool-id",
                &pools.new,
            ])
            .arg("--dir")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(sync.status.code().is_some(), "{}", describe(&sync));

        // After links, verify finds every link, and every federated user under its legacy id;
        // in the e-mail pool bo is still missing (the stranger holds its e-mail).
        let (code, after) = verify(&pools, dir.path());
        assert_eq!(after["links_differ"], 0, "{shape}: {after}");
        if shape == "email" {
            assert_eq!(
                (code, &after["missing"]),
                (Some(1), &serde_json::json!(1)),
                "{after}"
            );
        } else {
            assert_eq!(code, Some(0), "{shape}: {after}");
        }

        let carried = if shape == "email" { 2 } else { 3 };
        assert_eq!(
            status_identities(&pools, dir.path())["federated_carried"],
            carried,
            "{shape}: bo's e-mail is held by the stranger in the e-mail pool"
        );

        // Signing in with each provider lands on the migrated profile, its legacy id and groups.
        let ada = federated_sign_in(&url, &pools.new, &new_client, "Google", "g-ada", &[]).await;
        assert!(!ada.created, "{shape}: ada's Google sign-in lands on ada");
        let ada_claims = claims(&ada.id_token);
        assert_eq!(
            ada_claims["custom:legacy_sub"],
            sub_of(client, &pools.old, "ada").await.as_str(),
            "{shape}"
        );
        assert_eq!(groups_claim(&ada.id_token), ["vip"], "{shape}");
        let cy = federated_sign_in(&url, &pools.new, &new_client, "Corp", "s-cy", &[]).await;
        assert!(!cy.created, "{shape}: cy lands on its profile");
        assert_eq!(
            claims(&cy.id_token)["custom:legacy_sub"],
            sub_of(client, &pools.old, "Corp_s-cy").await.as_str()
        );
        let eve =
            try_federated_sign_in(&url, &pools.new, &new_client, "Google", "g-eve", &[]).await;
        assert!(
            matches!(&eve, Err((400, body)) if body.contains("NotAuthorizedException")),
            "{shape}: eve was disabled in the old pool: {eve:?}"
        );
        let bo = federated_sign_in(&url, &pools.new, &new_client, "Google", "g-bo", &[]).await;
        if shape == "email" {
            // The stranger holding bo's e-mail got nothing: bo's identity made a new user.
            assert!(
                bo.created,
                "{shape}: bo's identity was never linked to the stranger"
            );
            assert_ne!(bo.username, stranger);
        } else {
            assert!(!bo.created, "{shape}: bo lands on its profile");
            assert_eq!(groups_claim(&bo.id_token), ["vip"], "{shape}");
        }
        let held = client
            .admin_get_user()
            .user_pool_id(&pools.new)
            .username(&stranger)
            .send()
            .await
            .unwrap();
        assert!(
            !held
                .user_attributes()
                .iter()
                .any(|a| a.name() == "identities"),
            "{shape}: the stranger is linked to nothing"
        );
    }
}

/// A federated old user whose first sign-in to the new pool comes before `links` carried it is
/// told to try again later (the PreSignUp companion, the real trigger on the Lambda host): let
/// through, Cognito would make an empty profile under that identity, which could never be linked
/// again. A new identity signs up as before, and after `links` the same sign-in lands on the
/// migrated profile.
#[tokio::test]
async fn a_federated_sign_in_before_links_waits_instead_of_making_an_empty_profile() {
    use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
    use integration_tests::lambda::{Function, LambdaHost, function_arn, trigger_env};
    use integration_tests::pools::create_app_client;
    use integration_tests::testbed::{Testbed, binary};

    let testbed = Testbed::from_env();
    let function = format!(
        "links-guard-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let pools = MigrationPools::create_with(
        &PoolSpec::named("links-guard-old"),
        &PoolSpec {
            lambda_config: Some(
                LambdaConfigType::builder()
                    .pre_sign_up(function_arn(&function))
                    .build(),
            ),
            ..PoolSpec::named("links-guard-new").with_custom(&["legacy_sub"])
        },
    )
    .await;
    let (client, url) = (&pools.client, pools.endpoint.clone());
    let old_client = federation(client, &pools.old).await;
    let new_client = federation(client, &pools.new).await;
    let (trigger_client, _) = create_app_client(client, &pools.old, false).await;
    let env = trigger_env(
        &testbed,
        &pools.old,
        &trigger_client,
        &[("NEW_POOL_SIGN_IN", "username")],
    );
    LambdaHost::from_env()
        .register(
            &Function {
                name: function.clone(),
                env,
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
    let email = [("email", "bo@example.com")];
    federated_sign_in(&url, &pools.old, &old_client, "Google", "g-bo", &email).await;

    let early =
        try_federated_sign_in(&url, &pools.new, &new_client, "Google", "g-bo", &email).await;
    let Err((400, body)) = &early else {
        panic!("bo's first sign-in must wait for links: {early:?}");
    };
    assert!(
        body.contains("UserLambdaValidationException")
            && body.contains("Your account is being moved, please try again later"),
        "{body}"
    );
    let stranger = federated_sign_in(&url, &pools.new, &new_client, "Google", "g-new", &[]).await;
    assert!(stranger.created, "a new identity signs up as before");

    let dir = tempfile::tempdir().unwrap();
    let (code, rows) = links(&pools, dir.path());
    assert_eq!(code, Some(0), "{rows:#?}");
    let bo = federated_sign_in(&url, &pools.new, &new_client, "Google", "g-bo", &email).await;
    assert!(!bo.created, "after links bo lands on the migrated profile");
    assert_eq!(
        claims(&bo.id_token)["custom:legacy_sub"],
        sub_of(client, &pools.old, "Google_g-bo").await.as_str()
    );
}
