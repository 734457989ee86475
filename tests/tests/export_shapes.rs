//! `cognito-migrate export` into new pools of every sign-in shape, against moto over HTTP: e-mail
//! or phone as user name, case-insensitive pools, collisions between old users, a schema the new
//! pool cannot hold (stopped before any ListUsers), and MFA that ListUsers cannot show.

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AliasAttributeType, AttributeDataType, SchemaAttributeType, SmsMfaSettingsType,
    SoftwareTokenMfaConfigType, UserPoolMfaType, UsernameAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{assert_reconciles, import_rows, reason_rows, summary};
use integration_tests::import_support::FaultProxy;
use integration_tests::pools::{create_app_client, create_user, csv_header, enrol_totp, sub_of};
use integration_tests::testbed::Testbed;

/// A pool to create for one test.
#[derive(Default)]
struct Shape<'a> {
    username_attributes: &'a [UsernameAttributeType],
    alias_attributes: &'a [AliasAttributeType],
    case_sensitive: Option<bool>,
    auto_verified: &'a [VerifiedAttributeType],
    custom: &'a [&'a str],
    mfa: Option<UserPoolMfaType>,
}

async fn create_pool(client: &Client, name: &str, shape: &Shape<'_>) -> String {
    let auto_verified = match shape.auto_verified {
        [] => vec![VerifiedAttributeType::Email],
        list => list.to_vec(),
    };
    let mut request = client
        .create_user_pool()
        .pool_name(name)
        .set_auto_verified_attributes(Some(auto_verified))
        .set_username_attributes(Some(shape.username_attributes.to_vec()))
        .set_alias_attributes(Some(shape.alias_attributes.to_vec()))
        .set_mfa_configuration(shape.mfa.clone());
    if let Some(case_sensitive) = shape.case_sensitive {
        request = request.username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(case_sensitive)
                .build()
                .unwrap(),
        );
    }
    let id = request
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .unwrap()
        .id
        .unwrap();
    if !shape.custom.is_empty() {
        let schema = shape
            .custom
            .iter()
            .map(|name| {
                SchemaAttributeType::builder()
                    .name(*name)
                    .attribute_data_type(AttributeDataType::String)
                    .mutable(true)
                    .build()
            })
            .collect();
        client
            .add_custom_attributes()
            .user_pool_id(&id)
            .set_custom_attributes(Some(schema))
            .send()
            .await
            .expect("AddCustomAttributes");
    }
    id
}

fn by_username(dir: &Path, header: &[String]) -> BTreeMap<String, BTreeMap<String, String>> {
    import_rows(dir, header)
        .into_iter()
        .map(|r| (r["cognito:username"].clone(), r))
        .collect()
}

fn rejected(dir: &Path) -> BTreeMap<String, String> {
    reason_rows(dir, "rejected.csv")
        .into_iter()
        .map(|(name, _, reason)| (name, reason))
        .collect()
}

const NEW_POOL_CUSTOM: &[&str] = &["legacy_sub"];

#[tokio::test]
async fn an_email_pool_gets_emails_as_user_names_and_keeps_the_legacy_sub() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-email-old", &Shape::default()).await;
    let email_old = create_pool(
        &client,
        "shapes-email-old-by-email",
        &Shape {
            username_attributes: &[UsernameAttributeType::Email],
            ..Shape::default()
        },
    )
    .await;
    let new = create_pool(
        &client,
        "shapes-email-new",
        &Shape {
            username_attributes: &[UsernameAttributeType::Email],
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    let verified = |email: &'static str| [("email", email), ("email_verified", "true")];
    create_user(&client, &old, "ada", &verified("Ada@Example.com"), None).await;
    create_user(
        &client,
        &old,
        "bo",
        &[
            ("phone_number", "+15555550101"),
            ("phone_number_verified", "true"),
        ],
        None,
    )
    .await;
    let header = csv_header(&client, &new).await;

    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let rows = by_username(dir.path(), &header);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["Ada@Example.com"]);
    assert_eq!(
        rows["Ada@Example.com"]["custom:legacy_sub"],
        sub_of(&client, &old, "ada").await
    );
    let reasons = rejected(dir.path());
    assert_eq!(
        reasons["bo"],
        "the new pool signs users in by email, which this user lacks (cognito:username must hold it)"
    );
    assert_eq!(
        summary(dir.path())["rejected_by_reason"]["no-sign-in-value"],
        1
    );
    assert_reconciles(dir.path(), &header);

    // An old pool that signs in by e-mail has UUID user names: the new row still carries the
    // e-mail as user name and the old sub for the trigger to match.
    create_user(
        &client,
        &email_old,
        "dee@example.com",
        &verified("dee@example.com"),
        None,
    )
    .await;
    let uuid_name = client
        .list_users()
        .user_pool_id(&email_old)
        .send()
        .await
        .unwrap()
        .users()[0]
        .username()
        .unwrap()
        .to_string();
    assert_ne!(
        uuid_name, "dee@example.com",
        "moto names the user by a UUID"
    );
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &email_old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let rows = by_username(dir.path(), &header);
    assert_eq!(
        rows["dee@example.com"]["custom:legacy_sub"],
        sub_of(&client, &email_old, &uuid_name).await
    );
    assert_reconciles(dir.path(), &header);
}

#[tokio::test]
async fn a_phone_pool_gets_phone_numbers_as_user_names() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-phone-old", &Shape::default()).await;
    let new = create_pool(
        &client,
        "shapes-phone-new",
        &Shape {
            username_attributes: &[UsernameAttributeType::PhoneNumber],
            auto_verified: &[VerifiedAttributeType::PhoneNumber],
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    create_user(
        &client,
        &old,
        "cy",
        &[
            ("phone_number", "+15555550102"),
            ("phone_number_verified", "true"),
        ],
        None,
    )
    .await;
    create_user(
        &client,
        &old,
        "di",
        &[("email", "di@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let rows = by_username(dir.path(), &header);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["+15555550102"]);
    assert_eq!(
        rejected(dir.path())["di"],
        "the new pool signs users in by phone_number, which this user lacks (cognito:username must hold it)"
    );
    assert_reconciles(dir.path(), &header);
}

#[tokio::test]
async fn colliding_users_are_all_rejected_naming_each_other_and_plan_counts_them() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-collide-old", &Shape::default()).await;
    let new = create_pool(
        &client,
        "shapes-collide-new",
        &Shape {
            username_attributes: &[UsernameAttributeType::Email],
            case_sensitive: Some(false),
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    for (name, email) in [
        ("u1", "same@example.com"),
        ("u2", "other@example.com"),
        ("u3", "SAME@example.com"),
        ("u4", "same@Example.com"),
        ("u5", "alone@example.com"),
    ] {
        create_user(
            &client,
            &old,
            name,
            &[("email", email), ("email_verified", "true")],
            None,
        )
        .await;
    }
    // u1 is on the first page and written before u3 arrives: the final step takes it out.
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let rows = by_username(dir.path(), &header);
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        ["alone@example.com", "other@example.com"]
    );
    let reasons = rejected(dir.path());
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for (name, others) in [("u1", "u3 u4"), ("u3", "u1 u4"), ("u4", "u1 u3")] {
        assert_eq!(
            reasons[name],
            format!(
                "email is the same (the new pool ignores case) as for {others}: none of them is imported; make the values unique in the old pool and export again"
            )
        );
    }
    let summary_after = summary(dir.path());
    assert_eq!(summary_after["rejected_by_reason"]["sign-in-collision"], 3);
    assert_reconciles(dir.path(), &header);

    // The final step is recorded: resuming the finished export changes nothing.
    let files_before = std::fs::read_to_string(dir.path().join("users-0001.csv")).unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all", "--resume"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("users-0001.csv")).unwrap(),
        files_before
    );
    assert_eq!(rejected(dir.path()), reasons);
    assert_eq!(summary(dir.path())["rejected"], summary_after["rejected"]);
    assert_reconciles(dir.path(), &header);

    let json = dir.path().join("plan.json");
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["sign_in_conflicts"], 3);
}

#[tokio::test]
async fn user_names_equal_but_for_case_collide_only_in_a_case_insensitive_pool() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-case-old", &Shape::default()).await;
    let insensitive = create_pool(
        &client,
        "shapes-case-insensitive",
        &Shape {
            case_sensitive: Some(false),
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    let sensitive = create_pool(
        &client,
        "shapes-case-sensitive",
        &Shape {
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    for (name, email) in [("Ada", "ada1@example.com"), ("ada", "ada2@example.com")] {
        create_user(
            &client,
            &old,
            name,
            &[("email", email), ("email_verified", "true")],
            None,
        )
        .await;
    }
    let header = csv_header(&client, &insensitive).await;
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &insensitive,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert!(by_username(dir.path(), &header).is_empty());
    let reasons = rejected(dir.path());
    assert!(
        reasons["Ada"]
            .starts_with("cognito:username is the same (the new pool ignores case) as for ada:"),
        "{reasons:?}"
    );
    assert!(reasons["ada"].contains("as for Ada:"), "{reasons:?}");
    assert_reconciles(dir.path(), &header);

    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &sensitive,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_eq!(by_username(dir.path(), &header).len(), 2);
}

#[tokio::test]
async fn the_same_verified_alias_collides_an_unverified_one_does_not() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-alias-old", &Shape::default()).await;
    let new = create_pool(
        &client,
        "shapes-alias-new",
        &Shape {
            alias_attributes: &[AliasAttributeType::Email],
            auto_verified: &[
                VerifiedAttributeType::Email,
                VerifiedAttributeType::PhoneNumber,
            ],
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    let verified = [("email", "fay@example.com"), ("email_verified", "true")];
    create_user(&client, &old, "fay", &verified, None).await;
    create_user(&client, &old, "fay2", &verified, None).await;
    create_user(
        &client,
        &old,
        "gus",
        &[
            ("email", "fay@example.com"),
            ("phone_number", "+15555550104"),
            ("phone_number_verified", "true"),
        ],
        None,
    )
    .await;
    let header = csv_header(&client, &new).await;
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert_eq!(
        by_username(dir.path(), &header).keys().collect::<Vec<_>>(),
        ["gus"],
        "an unverified e-mail is no alias: gus signs in by user name only"
    );
    let reasons = rejected(dir.path());
    assert!(
        reasons["fay"].starts_with("email is the same as for fay2:"),
        "{reasons:?}"
    );
    assert!(
        reasons["fay2"].starts_with("email is the same as for fay:"),
        "{reasons:?}"
    );
    assert_reconciles(dir.path(), &header);
}

#[tokio::test]
async fn a_schema_mismatch_stops_before_any_list_users_naming_every_attribute() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(
        &client,
        "shapes-schema-old",
        &Shape {
            custom: &["tenant", "shoe"],
            ..Shape::default()
        },
    )
    .await;
    let new = create_pool(
        &client,
        "shapes-schema-new",
        &Shape {
            custom: NEW_POOL_CUSTOM,
            ..Shape::default()
        },
    )
    .await;
    create_user(
        &client,
        &old,
        "ed",
        &[
            ("email", "ed@example.com"),
            ("email_verified", "true"),
            ("custom:shoe", "42"),
        ],
        None,
    )
    .await;
    let proxy = FaultProxy::start(&testbed.moto_url);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = export(&proxy.url, &old, &new, &out, &["--select", "all"]);
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(&format!(
            "the new pool {new} has no attribute for custom:shoe, custom:tenant."
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(r#"{"drop": ["custom:shoe", "custom:tenant"]}"#),
        "{stderr}"
    );
    let stats = proxy.stats();
    let operations: Vec<&String> = stats["by_operation"].as_object().unwrap().keys().collect();
    assert!(
        operations.iter().any(|o| o.ends_with("GetCSVHeader")),
        "the proxy saw the run read the new pool: {stats}"
    );
    assert!(
        operations.iter().all(|o| !o.ends_with("ListUsers")),
        "no ListUsers was sent: {stats}"
    );
    assert!(!out.join("users-0001.csv").exists());

    let json = dir.path().join("plan.json");
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        plan["attributes_without_home"],
        serde_json::json!(["custom:shoe", "custom:tenant"])
    );

    // preflight names the same attributes, for each tenant's pool of a split too.
    let (app_client, _) = create_app_client(&client, &old, false).await;
    let fitting = create_pool(
        &client,
        "shapes-schema-fitting",
        &Shape {
            custom: &["legacy_sub", "tenant", "shoe"],
            ..Shape::default()
        },
    )
    .await;
    let table = dir.path().join("targets.json");
    std::fs::write(
        &table,
        serde_json::to_vec(&serde_json::json!({
            "attribute": "custom:tenant",
            "tenants": {"acme": {"pool_id": new}, "globex": {"pool_id": fitting}}
        }))
        .unwrap(),
    )
    .unwrap();
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "preflight",
            "--source-pool-id",
            &old,
            "--source-client-id",
            &app_client,
        ])
        .args(["--partition-by", "custom:tenant", "--targets"])
        .arg(&table)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains(&format!(
            "FAIL tenant acme ({new}): new pool has every attribute the mapping writes: the new pool {new} has no attribute for custom:shoe, custom:tenant."
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "ok   tenant globex ({fitting}): new pool has every attribute the mapping writes"
        )),
        "{stdout}"
    );

    // The mapping the error offers makes the export go through.
    let mapping = dir.path().join("mapping.json");
    std::fs::write(&mapping, r#"{"drop": ["custom:shoe", "custom:tenant"]}"#).unwrap();
    let out = dir.path().join("fixed");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &out,
        &["--select", "all", "--mapping", mapping.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    assert_reconciles(&out, &csv_header(&client, &new).await);
}

#[tokio::test]
async fn mfa_hidden_from_list_users_is_read_and_totp_users_are_listed() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, "shapes-mfa-old", &Shape::default()).await;
    let new = create_pool(
        &client,
        "shapes-mfa-new",
        &Shape {
            custom: NEW_POOL_CUSTOM,
            mfa: Some(UserPoolMfaType::Optional),
            ..Shape::default()
        },
    )
    .await;
    let (app_client, _) = create_app_client(&client, &old, false).await;
    let password = "Perm-Passw0rd!";
    create_user(
        &client,
        &old,
        "tina",
        &[("email", "tina@example.com"), ("email_verified", "true")],
        Some(password),
    )
    .await;
    enrol_totp(&client, &old, &app_client, "tina", password).await;
    create_user(
        &client,
        &old,
        "sam",
        &[
            ("email", "sam@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+15555550103"),
            ("phone_number_verified", "true"),
        ],
        Some(password),
    )
    .await;
    client
        .admin_set_user_mfa_preference()
        .user_pool_id(&old)
        .username("sam")
        .sms_mfa_settings(SmsMfaSettingsType::builder().enabled(true).build())
        .send()
        .await
        .expect("AdminSetUserMFAPreference (SMS)");
    create_user(
        &client,
        &old,
        "nils",
        &[("email", "nils@example.com"), ("email_verified", "true")],
        Some(password),
    )
    .await;
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&old)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let header = csv_header(&client, &new).await;

    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let rows = by_username(dir.path(), &header);
    assert_eq!(
        rows["sam"]["cognito:mfa_enabled"], "TRUE",
        "SMS chosen through SetUserMFAPreference is kept"
    );
    assert_eq!(rows["tina"]["cognito:mfa_enabled"], "FALSE");
    assert_eq!(rows["nils"]["cognito:mfa_enabled"], "FALSE");
    let reenrol = reason_rows(dir.path(), "mfa-reenrol.csv");
    assert_eq!(reenrol.len(), 1, "{reenrol:?}");
    assert_eq!(reenrol[0].0, "tina");
    assert_eq!(reenrol[0].1, sub_of(&client, &old, "tina").await);
    assert!(
        reenrol[0]
            .2
            .starts_with("[totp] TOTP (authenticator app) MFA")
    );
    let totals = summary(dir.path());
    assert_eq!(totals["mfa_reenrol"], 1);
    assert_eq!(totals["mfa_unknown"], 0);
    assert_reconciles(dir.path(), &header);

    // Without the lookup nobody's MFA is visible: every exported user is counted, none is listed.
    let dir = tempfile::tempdir().unwrap();
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all", "--mfa-lookup", "off"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let totals = summary(dir.path());
    assert_eq!(totals["mfa_unknown"], 3);
    assert_eq!(totals["mfa_reenrol"], 0);
    assert!(String::from_utf8_lossy(&run.stdout).contains("3 exported users' MFA was not read"));
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        dir.path(),
        &["--select", "all", "--resume", "--mfa-lookup", "on"],
    );
    assert_eq!(run.status.code(), Some(2), "{}", describe(&run));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("another --mfa-lookup"),
        "{}",
        describe(&run)
    );

    let json = dir.path().join("plan.json");
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["mfa_not_visible"], 3);
}
