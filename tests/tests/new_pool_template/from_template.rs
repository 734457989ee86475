//! A pool built in moto from a `new-pool` template, as CloudFormation would build it: moto's
//! CloudFormation has no Cognito resources, so each resource's properties, with the template's
//! parameters and conditions resolved, go to the Cognito API call CloudFormation makes for it.

use serde_json::{Map, Value, json};

use integration_tests::lambda::http;

/// The values given for the template's parameters that have no default.
pub struct Parameters<'a> {
    /// `MigrationFunctionArn`.
    pub migration_function: &'a str,
    /// `TokenFunctionArn`.
    pub token_function: &'a str,
}

/// What was built.
pub struct Built {
    /// The new pool's id.
    pub pool_id: String,
}

/// A secret parameter's value (the providers' `NoEcho` parameters have no default).
pub const SECRET_PARAMETER: &str = "secret";

/// `value` with every `{"Ref": name}` replaced by `refs[name]` and every `Fn::If` by the branch
/// its condition (`conditions`) picks; `None` for `AWS::NoValue` (the property is left out).
pub fn resolve(
    value: &Value,
    refs: &Map<String, Value>,
    conditions: &Map<String, Value>,
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
    refs: &Map<String, Value>,
    conditions: &Map<String, Value>,
) -> bool {
    if let Some(inner) = condition.get("Fn::Not") {
        return !condition_holds(&inner[0], refs, conditions);
    }
    let pair = condition["Fn::Equals"].as_array().expect("Fn::Equals");
    resolve(&pair[0], refs, conditions) == resolve(&pair[1], refs, conditions)
}

/// One Cognito API call to moto with a JSON body, as the SDK would send it.
pub async fn cognito(moto: &str, operation: &str, body: &Value) -> Value {
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
/// send).
pub async fn create_from_template(moto: &str, template: &Value, given: &Parameters<'_>) -> Built {
    let mut refs = Map::new();
    for (name, parameter) in template["Parameters"].as_object().expect("parameters") {
        let value = match name.as_str() {
            "MigrationFunctionArn" => json!(given.migration_function),
            "TokenFunctionArn" => json!(given.token_function),
            _ => parameter
                .get("Default")
                .cloned()
                .unwrap_or(json!(SECRET_PARAMETER)),
        };
        refs.insert(name.clone(), value);
    }
    let empty = Map::new();
    let conditions = template["Conditions"].as_object().unwrap_or(&empty);
    let resources = template["Resources"].as_object().expect("resources");
    let mut pool =
        resolve(&resources["UserPool"]["Properties"], &refs, conditions).expect("properties");
    let props = pool.as_object_mut().expect("pool properties");
    let name = props.remove("UserPoolName").expect("UserPoolName");
    props.insert("PoolName".into(), name);
    // The MFA properties CloudFormation sends with SetUserPoolMfaConfig, not CreateUserPool.
    let mfa_mode = props.remove("MfaConfiguration").unwrap_or(json!("OFF"));
    let enabled = props.remove("EnabledMfas").unwrap_or(json!([]));
    let email_message = props.remove("EmailAuthenticationMessage");
    let email_subject = props.remove("EmailAuthenticationSubject");
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
    if enabled.contains(&"SMS_MFA") {
        let mut sms = json!({ "SmsConfiguration": pool["SmsConfiguration"] });
        if let Some(message) = pool.get("SmsAuthenticationMessage") {
            sms["SmsAuthenticationMessage"] = message.clone();
        }
        mfa["SmsMfaConfiguration"] = sms;
    }
    if enabled.contains(&"SOFTWARE_TOKEN_MFA") {
        mfa["SoftwareTokenMfaConfiguration"] = json!({ "Enabled": true });
    }
    if enabled.contains(&"EMAIL_OTP") {
        let mut email = json!({});
        if let Some(message) = email_message {
            email["Message"] = message;
        }
        if let Some(subject) = email_subject {
            email["Subject"] = subject;
        }
        mfa["EmailMfaConfiguration"] = email;
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
    Built { pool_id }
}
