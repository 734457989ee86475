//! `cognito-migrate new-pool` against moto: an old pool with custom attributes, a group with a
//! role, an app client with a secret and a Google provider becomes a template of the new pool
//! (and the after-window template); both are linted with cfn-lint; moto's CloudFormation has no
//! Cognito resources, so the pool, group, provider and client are created from the template's
//! own properties through the Cognito API, and `preflight` then finds nothing to fail in them.

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{
    AdminCreateUserConfigType, AliasAttributeType, AttributeDataType, ExplicitAuthFlowsType,
    NumberAttributeConstraintsType, SchemaAttributeType, SoftwareTokenMfaConfigType,
    StringAttributeConstraintsType, UserPoolMfaType, VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::federation::create_identity_provider;
use integration_tests::lambda::http;
use integration_tests::testbed::Testbed;
use serde_json::{Value, json};

const ROLE: &str = "arn:aws:iam::123456789012:role/cognito-import";
const GROUP_ROLE: &str = "arn:aws:iam::123456789012:role/admins";
const TRIGGER: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-trigger";
const TOKEN: &str = "arn:aws:lambda:us-east-1:123456789012:function:cognito-migrate-token";

/// The old pool: user names with an e-mail alias, two custom attributes, TOTP MFA, one group
/// with a role, a client with a secret and no WriteAttributes, a Google provider.
async fn old_pool(client: &Client) -> (String, String) {
    let pool = client
        .create_user_pool()
        .pool_name("new-pool-template-old")
        .alias_attributes(AliasAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .schema(
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
        )
        .schema(
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
        )
        .send()
        .await
        .expect("old pool")
        .user_pool
        .and_then(|p| p.id)
        .expect("pool id");
    client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("old MFA");
    client
        .create_group()
        .user_pool_id(&pool)
        .group_name("admins")
        .description("Administrators")
        .precedence(1)
        .role_arn(GROUP_ROLE)
        .send()
        .await
        .expect("group");
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

/// `value` with every `{"Ref": name}` replaced by `refs[name]` and every `Fn::If` by the branch
/// its condition (`conditions`) picks; `None` for `AWS::NoValue` (the property is left out).
fn resolve(
    value: &Value,
    refs: &serde_json::Map<String, Value>,
    conditions: &serde_json::Map<String, Value>,
) -> Option<Value> {
    match value {
        Value::Object(map) if map.len() == 1 && map.contains_key("Ref") => {
            let name = map["Ref"].as_str().expect("Ref names a string");
            if name == "AWS::NoValue" {
                return None;
            }
            Some(
                refs.get(name)
                    .cloned()
                    .unwrap_or_else(|| panic!("no value for Ref {name}")),
            )
        }
        Value::Object(map) if map.len() == 1 && map.contains_key("Fn::If") => {
            let branches = map["Fn::If"].as_array().expect("Fn::If takes a list");
            let condition = branches[0].as_str().expect("a condition name");
            let holds = condition_holds(&conditions[condition], refs, conditions);
            resolve(&branches[if holds { 1 } else { 2 }], refs, conditions)
        }
        Value::Object(map) => Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| resolve(v, refs, conditions).map(|v| (k.clone(), v)))
                .collect(),
        )),
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .filter_map(|v| resolve(v, refs, conditions))
                .collect(),
        )),
        other => Some(other.clone()),
    }
}

/// The conditions the template uses: `Fn::Not` of `Fn::Equals`.
fn condition_holds(
    condition: &Value,
    refs: &serde_json::Map<String, Value>,
    conditions: &serde_json::Map<String, Value>,
) -> bool {
    if let Some(inner) = condition.get("Fn::Not") {
        return !condition_holds(&inner[0], refs, conditions);
    }
    let pair = condition["Fn::Equals"].as_array().expect("Fn::Equals");
    resolve(&pair[0], refs, conditions) == resolve(&pair[1], refs, conditions)
}

/// One Cognito API call to moto with a JSON body, as the SDK would send it.
async fn cognito(moto: &str, operation: &str, body: &Value) -> Value {
    let target = format!("AWSCognitoIdentityProviderService.{operation}");
    let (status, _, answer) = http(
        moto,
        "POST",
        "/",
        &[
            ("X-Amz-Target", target.as_str()),
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        body.to_string().as_bytes(),
    )
    .await;
    let answer: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
    assert_eq!(status, 200, "{operation} {body}: {answer}");
    answer
}

/// Creates the template's resources in moto from their properties (what CloudFormation would
/// send); returns the new pool's id.
async fn create_from_template(moto: &str, template: &Value) -> String {
    let mut refs = serde_json::Map::new();
    for (name, parameter) in template["Parameters"].as_object().expect("parameters") {
        let value = match name.as_str() {
            "MigrationFunctionArn" => json!(TRIGGER),
            "TokenFunctionArn" => json!(TOKEN),
            _ => parameter.get("Default").cloned().unwrap_or(json!("secret")),
        };
        refs.insert(name.clone(), value);
    }
    let empty = serde_json::Map::new();
    let conditions = template["Conditions"].as_object().unwrap_or(&empty);
    let resources = template["Resources"].as_object().expect("resources");
    let mut pool =
        resolve(&resources["UserPool"]["Properties"], &refs, conditions).expect("properties");
    let props = pool.as_object_mut().expect("pool properties");
    let name = props.remove("UserPoolName").expect("UserPoolName");
    props.insert("PoolName".into(), name);
    let mfa_mode = props.remove("MfaConfiguration");
    let enabled = props.remove("EnabledMfas").unwrap_or(json!([]));
    let created = cognito(moto, "CreateUserPool", &pool).await;
    let pool_id = created["UserPool"]["Id"]
        .as_str()
        .expect("new pool id")
        .to_string();
    let enabled: Vec<&str> = enabled
        .as_array()
        .expect("EnabledMfas")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut mfa = json!({ "UserPoolId": pool_id, "MfaConfiguration": mfa_mode });
    if enabled.contains(&"SOFTWARE_TOKEN_MFA") {
        mfa["SoftwareTokenMfaConfiguration"] = json!({ "Enabled": true });
    }
    cognito(moto, "SetUserPoolMfaConfig", &mfa).await;
    refs.insert("UserPool".into(), json!(pool_id));
    let kinds = [
        ("AWS::Cognito::UserPoolGroup", "CreateGroup"),
        (
            "AWS::Cognito::UserPoolResourceServer",
            "CreateResourceServer",
        ),
        (
            "AWS::Cognito::UserPoolIdentityProvider",
            "CreateIdentityProvider",
        ),
        ("AWS::Cognito::UserPoolClient", "CreateUserPoolClient"),
    ];
    for (kind, operation) in kinds {
        for resource in resources.values().filter(|r| r["Type"] == kind) {
            let properties =
                resolve(&resource["Properties"], &refs, conditions).expect("properties");
            cognito(moto, operation, &properties).await;
        }
    }
    pool_id
}

#[tokio::test]
async fn the_new_pool_template_carries_the_old_pool_lints_clean_and_passes_preflight() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let (old, old_client) = old_pool(&client).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (during_path, after_path) = (
        dir.path().join("new-pool.yaml"),
        dir.path().join("after.yaml"),
    );
    let output = cognito_migrate(&testbed.moto_url)
        .args([
            "new-pool",
            "--source-pool-id",
            &old,
            "--sign-in",
            "email",
            "--out",
        ])
        .arg(&during_path)
        .arg("--after-window-out")
        .arg(&after_path)
        .output()
        .expect("cognito-migrate runs");
    assert!(output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("client web: a client secret cannot be carried"),
        "{stderr}"
    );
    assert!(stderr.contains("Provider1GoogleClientSecret"), "{stderr}");

    let during: Value =
        serde_json::from_str(&std::fs::read_to_string(&during_path).expect("read")).expect("JSON");
    let after: Value =
        serde_json::from_str(&std::fs::read_to_string(&after_path).expect("read")).expect("JSON");
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
    assert_eq!(pool["EnabledMfas"], json!(["SOFTWARE_TOKEN_MFA"]));
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

    cfn_lint(&during_path);
    cfn_lint(&after_path);

    let new = create_from_template(&testbed.moto_url, &during).await;
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
    let preflight = cognito_migrate(&testbed.moto_url)
        .args([
            "preflight",
            "--source-pool-id",
            &old,
            "--source-client-id",
            &old_client,
            "--target-pool-id",
            &new,
            "--logs-role-arn",
            ROLE,
        ])
        .env("COGNITO_MIGRATE_SOURCE_CLIENT_SECRET", old_secret)
        .output()
        .expect("preflight runs");
    let text = String::from_utf8_lossy(&preflight.stdout);
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(failures.is_empty(), "{}", describe(&preflight));
    assert!(preflight.status.success(), "{}", describe(&preflight));
}
