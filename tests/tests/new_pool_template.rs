//! `cognito-migrate new-pool` against moto: old pools become templates of the new pool (and the
//! after-window template), both linted with cfn-lint; moto's CloudFormation has no Cognito
//! resources, so the pool, groups, providers, resource servers and clients are created from the
//! templates' own properties through the Cognito API (`from_template`). The pool built is then
//! checked field by field against the old pool with the chosen sign-in shape (`compare`), and
//! `preflight` finds nothing to fail in it.
//!
//! The first old pool has user names with an e-mail alias, custom attributes of each type, SMS
//! and TOTP MFA, groups with roles, a Google provider and two clients (with and without a
//! secret) and becomes an e-mail pool. The second signs in by e-mail, lets people sign up, has
//! e-mail MFA and an OAuth client with a custom scope, and becomes a user-name pool with
//! aliases; its after-window template ends the window.

#[path = "new_pool_template/compare.rs"]
mod compare;
#[path = "new_pool_template/from_template.rs"]
mod from_template;
#[path = "new_pool_template/runbook.rs"]
mod runbook;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AliasAttributeType, AttributeDataType, ExplicitAuthFlowsType,
    NumberAttributeConstraintsType, OAuthFlowType, SchemaAttributeType, SmsConfigurationType,
    SmsMfaConfigType, SoftwareTokenMfaConfigType, StringAttributeConstraintsType, TimeUnitsType,
    TokenValidityUnitsType, UserPoolMfaType, VerifiedAttributeType,
};
use compare::{Asked, differences};
use from_template::{Parameters, create_from_template};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::factors::enable_email_mfa;
use integration_tests::federation::create_identity_provider;
use integration_tests::testbed::Testbed;
use runbook::{OldPool, TemplateShape, rehearse};
use serde_json::{Map, Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";
const PASSWORD: &str = "Old-Passw0rd!";
const GROUP_ROLE: &str = "arn:aws:iam::123456789012:role/admins";
const READER_ROLE: &str = "arn:aws:iam::123456789012:role/readers";
const SMS_ROLE: &str = "arn:aws:iam::123456789012:role/cognito-sms";
const TRIGGER: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-trigger";
const TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-token";

/// Custom attributes of each type, the String and Number ones with constraints; added after the
/// pool is created (as `create_from_template` does), so moto lists the standard attributes too,
/// as AWS does.
fn custom_attributes() -> Vec<SchemaAttributeType> {
    vec![
        SchemaAttributeType::builder()
            .name("tenant")
            .attribute_data_type(AttributeDataType::String)
            .mutable(true)
            .string_attribute_constraints(
                StringAttributeConstraintsType::builder()
                    .min_length("1")
                    .max_length("64")
                    .build(),
            )
            .build(),
        SchemaAttributeType::builder()
            .name("level")
            .attribute_data_type(AttributeDataType::Number)
            .mutable(false)
            .number_attribute_constraints(
                NumberAttributeConstraintsType::builder()
                    .min_value("0")
                    .max_value("9")
                    .build(),
            )
            .build(),
        SchemaAttributeType::builder()
            .name("joined")
            .attribute_data_type(AttributeDataType::Datetime)
            .mutable(true)
            .build(),
        SchemaAttributeType::builder()
            .name("active")
            .attribute_data_type(AttributeDataType::Boolean)
            .mutable(true)
            .build(),
    ]
}

/// The old pool: user names with an e-mail alias, custom attributes of each type, SMS and TOTP
/// MFA, two groups with roles and precedence, a Google provider, and two clients: `web` with a
/// secret, no WriteAttributes and the provider; `spa` without a secret, with the OAuth code
/// flow, callback and logout URLs, token validity in chosen units and a write list.
async fn old_pool(client: &Client) -> (String, String) {
    let sms = SmsConfigurationType::builder()
        .sns_caller_arn(SMS_ROLE)
        .external_id("old-pool")
        .build();
    let pool = client
        .create_user_pool()
        .pool_name("new-pool-template-old")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .sms_configuration(sms.clone())
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .send()
        .await
        .expect("old pool")
        .user_pool
        .and_then(|p| p.id)
        .expect("pool id");
    client
        .add_custom_attributes()
        .user_pool_id(&pool)
        .set_custom_attributes(Some(custom_attributes()))
        .send()
        .await
        .expect("custom attributes");
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_authentication_message("Your code is {####}")
                .sms_configuration(sms)
                .build(),
        )
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("old MFA");
    for (group, description, precedence, role) in [
        ("admins", "Administrators", 1, GROUP_ROLE),
        ("readers", "Read only", 5, READER_ROLE),
    ] {
        client
            .create_group()
            .user_pool_id(&pool)
            .group_name(group)
            .description(description)
            .precedence(precedence)
            .role_arn(role)
            .send()
            .await
            .expect("group");
    }
    create_identity_provider(client, &pool, "Google", "Google", &[("email", "email")]).await;
    let app = client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .callback_urls("https://app.example/callback")
        .logout_urls("https://app.example/bye")
        .supported_identity_providers("Google")
        .supported_identity_providers("COGNITO")
        .access_token_validity(2)
        .send()
        .await
        .expect("client")
        .user_pool_client
        .expect("client");
    client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("spa")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("https://spa.example/")
        .logout_urls("https://spa.example/signed-out")
        .default_redirect_uri("https://spa.example/")
        .supported_identity_providers("COGNITO")
        .id_token_validity(30)
        .access_token_validity(30)
        .refresh_token_validity(7)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .id_token(TimeUnitsType::Minutes)
                .access_token(TimeUnitsType::Minutes)
                .refresh_token(TimeUnitsType::Days)
                .build(),
        )
        .read_attributes("email")
        .read_attributes("custom:tenant")
        .write_attributes("email")
        .write_attributes("name")
        .write_attributes("custom:joined")
        .send()
        .await
        .expect("spa client");
    (pool, app.client_id.expect("client id"))
}

/// cfn-lint as `scripts/lint-template` installs it (the same pinned version), on `file`.
fn cfn_lint(file: &Path) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let lint = root.join(".testbed/cfn-lint/bin/cfn-lint");
    if !lint.exists() {
        let install = Command::new(root.join("scripts/lint-template"))
            .output()
            .expect("scripts/lint-template runs");
        assert!(install.status.success(), "{}", describe(&install));
    }
    let output = Command::new(lint)
        .args(["--regions", "us-east-1", "eu-west-1", "--"])
        .arg(file)
        .output()
        .expect("cfn-lint runs");
    assert!(
        output.status.success(),
        "cfn-lint on {}: {}",
        file.display(),
        describe(&output)
    );
}

/// Runs `new-pool` on `old` with `sign_in` (and `extra`), writing both templates into `dir`;
/// returns them parsed, their paths and the report.
fn new_pool(moto: &str, old: &str, sign_in: &str, extra: &[&str], dir: &Path) -> NewPool {
    let (during_path, after_path) = (dir.join("new-pool.yaml"), dir.join("after.yaml"));
    let output = cognito_migrate(moto)
        .args([
            "new-pool",
            "--source-pool-id",
            old,
            "--sign-in",
            sign_in,
            "--out",
        ])
        .arg(&during_path)
        .arg("--after-window-out")
        .arg(&after_path)
        .args(extra)
        .output()
        .expect("cognito-migrate runs");
    assert!(output.status.success(), "{}", describe(&output));
    let read = |path: &Path| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
    };
    NewPool {
        during: read(&during_path),
        after: read(&after_path),
        during_path,
        after_path,
        report: String::from_utf8_lossy(&output.stderr).to_string(),
    }
}

/// What `new-pool` wrote.
struct NewPool {
    during: Value,
    after: Value,
    during_path: PathBuf,
    after_path: PathBuf,
    report: String,
}

/// `preflight` from `old` (through `old_client`, with its secret if any) to `new`: its FAIL lines.
fn preflight_failures(
    moto: &str,
    old: &str,
    old_client: &str,
    secret: Option<&str>,
    new: &str,
) -> Vec<String> {
    let mut command = cognito_migrate(moto);
    command.args([
        "preflight",
        "--source-pool-id",
        old,
        "--source-client-id",
        old_client,
        "--target-pool-id",
        new,
        "--logs-role-arn",
        ROLE,
    ]);
    if let Some(secret) = secret {
        command.env("COGNITO_MIGRATE_SOURCE_CLIENT_SECRET", secret);
    }
    let output = command.output().expect("preflight runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(str::to_string)
        .collect()
}

/// The parameters a pool is built with: the migration stack's function ARNs.
const WINDOW: Parameters = Parameters {
    migration_function: TRIGGER,
    token_function: TOKEN,
};

/// A JSON object literal as a map.
fn object(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

/// The legacy id as `DescribeUserPool` lists it in the new pool's schema.
fn legacy_sub_entry() -> Value {
    json!({
        "Name": "custom:legacy_sub",
        "AttributeDataType": "String",
        "DeveloperOnlyAttribute": false,
        "Mutable": true,
        "Required": false
    })
}

/// `text` against the checked-in `tests/golden/<name>`, byte for byte; `UPDATE_GOLDEN=1`
/// rewrites the file instead.
fn assert_golden(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, text).expect("write the golden file");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_default();
    if golden != text {
        let line = golden
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(golden.lines().count().min(text.lines().count()));
        panic!(
            "what new-pool wrote differs from tests/golden/{name} from line {} on:\n  golden:  {}\n  written: {}\n\
             If the change is intended, rewrite the golden files with\n  UPDATE_GOLDEN=1 cargo test \
             -p integration-tests --test new_pool_template golden\nand review `git diff tests/golden`.",
            line + 1,
            golden.lines().nth(line).unwrap_or("(end of file)"),
            text.lines().nth(line).unwrap_or("(end of file)"),
        );
    }
}

/// The realistic old pool's templates and report are the checked-in ones, byte for byte, once
/// what varies per run (the old pool's and clients' ids, the output folder) is replaced by
/// fixed names.
#[tokio::test]
async fn the_templates_of_a_realistic_pool_are_the_golden_ones() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, _) = old_pool(&client).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let written = new_pool(&testbed.moto_url, &old, "email", &[], dir.path());
    let mut replacements = vec![(old.clone(), "OLD_POOL_ID".to_string())];
    let clients = client
        .list_user_pool_clients()
        .user_pool_id(&old)
        .max_results(60)
        .send()
        .await
        .expect("old clients");
    for app in clients.user_pool_clients() {
        replacements.push((
            app.client_id().expect("client id").to_string(),
            format!("OLD_CLIENT_ID_{}", app.client_name().unwrap_or_default()),
        ));
    }
    replacements.push((dir.path().display().to_string(), "OUT_DIR".to_string()));
    for (text, name) in [
        (
            std::fs::read_to_string(&written.during_path).expect("template"),
            "new-pool.json",
        ),
        (
            std::fs::read_to_string(&written.after_path).expect("template"),
            "new-pool-after.json",
        ),
        (written.report.clone(), "new-pool-report.txt"),
    ] {
        let mut text = text;
        for (varies, fixed) in &replacements {
            text = text.replace(varies, fixed);
        }
        assert_golden(name, &text);
    }
}

/// The first old pool becomes an e-mail pool: the template says so, lints clean, and the pool
/// built from it is the old pool field by field but for the sign-in shape and the window's
/// rules, and passes preflight.
#[tokio::test]
async fn the_new_pool_template_carries_the_old_pool_lints_clean_and_passes_preflight() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let written = new_pool(&testbed.moto_url, &old, "email", &[], dir.path());
    let stderr = &written.report;
    assert!(
        stderr.contains("client web: a client secret cannot be carried"),
        "{stderr}"
    );
    assert!(stderr.contains("Provider1GoogleClientSecret"), "{stderr}");
    let (during, after) = (&written.during, &written.after);
    let pool = &during["Resources"]["UserPool"]["Properties"];
    assert_eq!(pool["UsernameAttributes"], json!(["email"]));
    assert_eq!(
        pool["UsernameConfiguration"],
        json!({ "CaseSensitive": false })
    );
    assert_eq!(
        pool["UserAttributeUpdateSettings"],
        json!({ "AttributesRequireVerificationBeforeUpdate": ["email"] })
    );
    assert_eq!(pool["DeletionProtection"], json!("ACTIVE"));
    assert_eq!(pool["MfaConfiguration"], json!("OPTIONAL"));
    assert_eq!(
        pool["EnabledMfas"],
        json!(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])
    );
    assert_eq!(
        pool["LambdaConfig"]["UserMigration"],
        json!({ "Ref": "MigrationFunctionArn" })
    );
    let schema = pool["Schema"].as_array().expect("schema");
    for expected in [
        json!({ "Name": "tenant", "AttributeDataType": "String", "Mutable": true,
                "StringAttributeConstraints": { "MinLength": "1", "MaxLength": "64" } }),
        json!({ "Name": "level", "AttributeDataType": "Number", "Mutable": false,
                "NumberAttributeConstraints": { "MinValue": "0", "MaxValue": "9" } }),
        json!({ "Name": "legacy_sub", "AttributeDataType": "String", "Mutable": true }),
    ] {
        assert!(schema.contains(&expected), "{expected} not in {schema:?}");
    }
    let group = &during["Resources"]["Group1admins"]["Properties"];
    assert_eq!(group["Precedence"], json!(1));
    assert_eq!(group["RoleArn"], json!(GROUP_ROLE));
    let provider = &during["Resources"]["Provider1Google"]["Properties"];
    assert_eq!(
        provider["ProviderDetails"]["client_secret"],
        json!({ "Ref": "Provider1GoogleClientSecret" })
    );
    assert_eq!(
        during["Parameters"]["Provider1GoogleClientSecret"]["NoEcho"],
        json!(true)
    );
    let app = &during["Resources"]["Client1web"];
    assert_eq!(app["DependsOn"], json!(["Provider1Google"]));
    let app = &app["Properties"];
    assert_eq!(app["GenerateSecret"], json!(true));
    assert_eq!(app["PreventUserExistenceErrors"], json!("ENABLED"));
    assert_eq!(app["CallbackURLs"], json!(["https://app.example/callback"]));
    assert_eq!(app["AccessTokenValidity"], json!(2));
    assert_eq!(
        app["ExplicitAuthFlows"],
        json!([
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
            "ALLOW_USER_PASSWORD_AUTH"
        ])
    );
    let writes = app["WriteAttributes"]
        .as_array()
        .expect("explicit WriteAttributes");
    assert!(writes.contains(&json!("email")) && !writes.contains(&json!("email_verified")));
    assert!(!writes.contains(&json!("custom:legacy_sub")));
    let after_pool = &after["Resources"]["UserPool"]["Properties"];
    assert!(after_pool.get("LambdaConfig").is_none(), "{after_pool}");
    assert!(after["Parameters"].get("MigrationFunctionArn").is_none());
    assert_eq!(
        after["Resources"]["Client1web"]["Properties"]["ExplicitAuthFlows"],
        json!(["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    );

    cfn_lint(&written.during_path);
    cfn_lint(&written.after_path);

    let new = create_from_template(&testbed.moto_url, during, &WINDOW).await;
    let asked = Asked {
        pool: object(json!({
            "UsernameAttributes": ["email"],
            "AliasAttributes": null,
            "UsernameConfiguration": { "CaseSensitive": false },
            "UserAttributeUpdateSettings": { "AttributesRequireVerificationBeforeUpdate": ["email"] },
            "DeletionProtection": "ACTIVE",
            "LambdaConfig": {
                "UserMigration": TRIGGER,
                "PreTokenGenerationConfig": { "LambdaArn": TOKEN, "LambdaVersion": "V1_0" }
            }
        })),
        added_schema: vec![legacy_sub_entry()],
        clients: BTreeMap::from([(
            // An unset write list is every standard attribute; the new one lists them, without
            // the e-mail's verified flag (the e-mail signs in).
            "web".to_string(),
            object(json!({ "WriteAttributes": [
                "address", "birthdate", "email", "family_name", "gender", "given_name", "locale",
                "middle_name", "name", "nickname", "phone_number", "picture",
                "preferred_username", "profile", "updated_at", "website", "zoneinfo"
            ] })),
        )]),
        during_window: true,
    };
    let found = differences(&testbed.moto_url, &old, &new.pool_id, &asked).await;
    assert_eq!(
        found,
        Vec::<String>::new(),
        "the built pool differs from what was asked"
    );

    let old_secret = client
        .describe_user_pool_client()
        .user_pool_id(&old)
        .client_id(&old_client)
        .send()
        .await
        .expect("old client")
        .user_pool_client
        .and_then(|c| c.client_secret)
        .expect("old secret");
    let failures = preflight_failures(
        &testbed.moto_url,
        &old,
        &old_client,
        Some(&old_secret),
        &new.pool_id,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The old pool signs in by e-mail as the user name, lets people sign up and has e-mail MFA;
/// the new one signs in by user name with e-mail and `preferred_username` aliases. An OAuth
/// client with a custom scope keeps its resource server; `preferred_username` and the legacy id
/// leave its write list. The pool built is the old one field by field but for that. The
/// after-window template, created as a pool of its own, is the same without the triggers and
/// the added USER_PASSWORD_AUTH, and fails preflight exactly on the window's wiring and on
/// nothing else.
#[tokio::test]
async fn an_email_pool_becomes_a_user_name_pool_with_aliases_and_the_after_template_ends_the_window()
 {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = client
        .create_user_pool()
        .pool_name("new-pool-template-email")
        .username_attributes(aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .expect("old pool")
        .user_pool
        .and_then(|p| p.id)
        .expect("pool id");
    enable_email_mfa(&client, &old)
        .await
        .expect("e-mail MFA on the old pool");
    client
        .create_resource_server()
        .user_pool_id(&old)
        .identifier("api")
        .name("API")
        .scopes(
            aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType::builder()
                .scope_name("read")
                .scope_description("Read")
                .build()
                .expect("scope"),
        )
        .send()
        .await
        .expect("resource server");
    let app = client
        .create_user_pool_client()
        .user_pool_id(&old)
        .client_name("spa")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("api/read")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls("https://spa.example/")
        .supported_identity_providers("COGNITO")
        .write_attributes("email")
        .write_attributes("preferred_username")
        .write_attributes("name")
        .send()
        .await
        .expect("client")
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("client id");
    let dir = tempfile::tempdir().expect("temp dir");
    let written = new_pool(
        &testbed.moto_url,
        &old,
        "username+email+preferred_username",
        &["--case-sensitive", "false"],
        dir.path(),
    );
    assert!(
        written.report.contains("SignUpGuard=true"),
        "{}",
        written.report
    );
    assert!(
        written
            .report
            .contains("client spa: not writable in the new pool: preferred_username"),
        "{}",
        written.report
    );
    let pool = &written.during["Resources"]["UserPool"]["Properties"];
    assert_eq!(
        pool["AliasAttributes"],
        json!(["email", "preferred_username"])
    );
    assert!(pool.get("UsernameAttributes").is_none());
    assert_eq!(
        pool["LambdaConfig"]["PreSignUp"],
        json!({ "Ref": "MigrationFunctionArn" })
    );
    let spa = &written.during["Resources"]["Client1spa"];
    assert_eq!(spa["DependsOn"], json!(["ResourceServer1API"]));
    assert_eq!(
        spa["Properties"]["WriteAttributes"],
        json!(["email", "name"])
    );
    assert_eq!(
        spa["Properties"]["AllowedOAuthScopes"],
        json!(["openid", "api/read"])
    );
    assert_eq!(
        written.during["Resources"]["ResourceServer1API"]["Properties"]["Scopes"],
        json!([{ "ScopeName": "read", "ScopeDescription": "Read" }])
    );
    cfn_lint(&written.during_path);
    cfn_lint(&written.after_path);

    let new = create_from_template(&testbed.moto_url, &written.during, &WINDOW).await;
    let asked = Asked {
        pool: object(json!({
            "UsernameAttributes": null,
            "AliasAttributes": ["email", "preferred_username"],
            "UsernameConfiguration": { "CaseSensitive": false },
            "UserAttributeUpdateSettings": { "AttributesRequireVerificationBeforeUpdate": ["email"] },
            "DeletionProtection": "ACTIVE",
            "LambdaConfig": {
                "UserMigration": TRIGGER,
                "PreSignUp": TRIGGER,
                "PreTokenGenerationConfig": { "LambdaArn": TOKEN, "LambdaVersion": "V1_0" }
            }
        })),
        added_schema: vec![legacy_sub_entry()],
        clients: BTreeMap::from([(
            "spa".to_string(),
            object(json!({ "WriteAttributes": ["email", "name"] })),
        )]),
        during_window: true,
    };
    let found = differences(&testbed.moto_url, &old, &new.pool_id, &asked).await;
    assert_eq!(
        found,
        Vec::<String>::new(),
        "the built pool differs from what was asked"
    );
    let failures = preflight_failures(&testbed.moto_url, &old, &app, None, &new.pool_id);
    assert!(failures.is_empty(), "{failures:#?}");

    let closed = create_from_template(&testbed.moto_url, &written.after, &WINDOW).await;
    let mut after_window = asked;
    after_window.pool.insert("LambdaConfig".into(), Value::Null);
    after_window.during_window = false;
    let found = differences(&testbed.moto_url, &old, &closed.pool_id, &after_window).await;
    assert_eq!(
        found,
        Vec::<String>::new(),
        "the pool after the window differs from what was asked"
    );
    let failures = preflight_failures(&testbed.moto_url, &old, &app, None, &closed.pool_id);
    assert!(
        failures.iter().any(|f| f.contains("UserMigration trigger"))
            && failures.iter().any(|f| f.contains("USER_PASSWORD_AUTH"))
            && failures.iter().all(|f| f.contains("UserMigration")
                || f.contains("USER_PASSWORD_AUTH")
                || f.contains("self sign-up")),
        "{failures:#?}"
    );
}

/// The pool-shape matrix's runbook (`runbook`) on pools built from templates of one old pool:
/// every `--sign-in` shape `new-pool` offers, each alias alone and all together, and both
/// `--case-sensitive` values. Three shapes run at a time: most of a runbook is waiting for import
/// jobs, and more would crowd the trigger's five seconds on a shared test bed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_runbook_migrates_into_pools_built_from_the_template() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = Arc::new(OldPool::create(&client).await);
    let slots = Arc::new(Semaphore::new(3));
    let mut runs = JoinSet::new();
    for (tag, sign_in, case_sensitive) in [
        ("u-ci", "username", false),
        ("u-cs", "username", true),
        ("ue", "username+email", false),
        ("up", "username+phone", false),
        ("upu", "username+preferred_username", false),
        ("uall", "username+email+phone+preferred_username", true),
        ("e", "email", false),
        ("p", "phone", true),
        ("ep", "email-or-phone", false),
    ] {
        let asked = TemplateShape {
            sign_in,
            case_sensitive,
        };
        let (testbed, client, old, slots) = (
            testbed.clone(),
            client.clone(),
            Arc::clone(&old),
            Arc::clone(&slots),
        );
        runs.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("the slots stay open");
            rehearse(&testbed, &client, &old, asked, tag).await;
        });
    }
    while let Some(run) = runs.join_next().await {
        if let Err(failed) = run {
            // The others stop at their next step, so the first failure is the one reported.
            runs.shutdown().await;
            std::panic::resume_unwind(failed.into_panic());
        }
    }
}
