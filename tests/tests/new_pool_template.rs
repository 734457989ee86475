//! `cognito-migrate new-pool` against moto: an old pool with custom attributes, a group with a
//! role, an app client with a secret and a Google provider becomes a template of the new pool
//! (and the after-window template); both are linted with cfn-lint; moto's CloudFormation has no
//! Cognito resources, so the pool, group, provider, resource server and client are created from
//! the template's own properties through the Cognito API, and `preflight` then finds nothing to
//! fail in them. A second old pool (e-mail sign-in, self sign-up, an OAuth client with a custom
//! scope) becomes a user-name pool with aliases, and its after-window template ends the window.

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
    // moto lists only the attributes given in a CreateUserPool Schema, where AWS lists every
    // standard attribute as well (tests/emulator/README.md): the custom ones are added
    // afterwards, as the canary adds them, so the pool reads as AWS's would.
    let custom = props.remove("Schema").unwrap_or(json!([]));
    let created = cognito(moto, "CreateUserPool", &pool).await;
    let pool_id = created["UserPool"]["Id"]
        .as_str()
        .expect("new pool id")
        .to_string();
    if custom.as_array().is_some_and(|c| !c.is_empty()) {
        let body = json!({ "UserPoolId": pool_id, "CustomAttributes": custom });
        cognito(moto, "AddCustomAttributes", &body).await;
    }
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

    cfn_lint(&written.during_path);
    cfn_lint(&written.after_path);

    let new = create_from_template(&testbed.moto_url, during).await;
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
        &new,
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The old pool signs in by e-mail as the user name and lets people sign up; the new one signs
/// in by user name with e-mail and `preferred_username` aliases. An OAuth client with a custom
/// scope keeps its resource server; `preferred_username` and the legacy id leave its write list.
/// The after-window template, created as a pool of its own, fails preflight exactly on the
/// window's wiring (no trigger, no USER_PASSWORD_AUTH) and on nothing else.
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
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
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

    let new = create_from_template(&testbed.moto_url, &written.during).await;
    let failures = preflight_failures(&testbed.moto_url, &old, &app, None, &new);
    assert!(failures.is_empty(), "{failures:#?}");

    let closed = create_from_template(&testbed.moto_url, &written.after).await;
    let failures = preflight_failures(&testbed.moto_url, &old, &app, None, &closed);
    assert!(
        failures.iter().any(|f| f.contains("UserMigration trigger"))
            && failures.iter().any(|f| f.contains("USER_PASSWORD_AUTH"))
            && failures.iter().all(|f| f.contains("UserMigration")
                || f.contains("USER_PASSWORD_AUTH")
                || f.contains("self sign-up")),
        "{failures:#?}"
    );
}
