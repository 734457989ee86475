//! The pure half of `new-pool`: an old pool's configuration in, the new pool's CloudFormation
//! template out (as JSON, which is YAML), with the report of what could not be carried.
//!
//! Every rule `preflight` applies to a new pool holds by construction: the migration triggers
//! wired to the stack's functions (parameters), `PreventUserExistenceErrors` on every client,
//! `USER_PASSWORD_AUTH` during the window, auto-verified attributes, e-mail/phone sign-in values
//! held back until verified, the legacy id and tenant never writable, the old identity providers
//! under their names and attribute mappings, MFA and feature plan at least the old pool's.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cognitoidentityprovider::types::{
    AdvancedSecurityModeType, ExplicitAuthFlowsType, FeatureType, GroupType, IdentityProviderType,
    ResourceServerType, SchemaAttributeType, UserPoolClientType, UserPoolMfaType, UserPoolTierType,
    UserPoolType,
};
use serde_json::{Map, Value, json};
use shared::attributes::CUSTOM_PREFIX;

use super::reader::{self, PoolConfiguration};
use super::sign_in::SignInShape;

mod clients;
mod pool;
mod resources;

use clients::app_client;
use pool::{domain, user_pool};
use resources::{group_resource, identity_provider, resource_server};

/// What the operator chose for the new pool.
#[derive(Debug, Clone)]
pub struct Choices {
    /// How people sign in.
    pub shape: SignInShape,
    /// `UsernameConfiguration.CaseSensitive`.
    pub case_sensitive: bool,
    /// The attribute that keeps the old `sub` (`custom:…`), none to not carry it.
    pub legacy_sub: Option<String>,
    /// The tenant attribute of a split per tenant (new-pool name): never writable.
    pub tenant_attribute: Option<String>,
    /// Old attribute → new attribute, from the mapping: renamed custom attributes.
    pub rename: BTreeMap<String, String>,
}

/// Which template: during the migration window, or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Triggers wired, `ALLOW_USER_PASSWORD_AUTH` on every client.
    During,
    /// No triggers, the clients' own flows.
    After,
}

/// Both templates and the report.
#[derive(Debug, Clone)]
pub struct NewPoolTemplates {
    /// The template for the migration window.
    pub during: Value,
    /// The template after the window (a stack update from `during`).
    pub after: Value,
    /// What was not carried as it is, one line each.
    pub report: Vec<String>,
}

/// Builds both templates from the old pool's configuration.
pub fn build(old: &PoolConfiguration, choices: &Choices) -> NewPoolTemplates {
    let mut report = Vec::new();
    let during = template(old, choices, Window::During, &mut report);
    report.push(format!(
        "the migration stack for this pool: NewPoolSignIn={} ReturnOldUsername={} (how people \
         sign in to it, and whether the trigger may answer with the old user name)",
        choices.shape.stack_sign_in(),
        choices.shape.returns_old_username()
    ));
    report.push(
        "WAF: the old pool's web ACL is not read (wafv2): associate one with the new pool, e.g. \
         the migration stack's (deploy/template.yaml, Waf=true)"
            .into(),
    );
    let after = template(old, choices, Window::After, &mut Vec::new());
    NewPoolTemplates {
        during,
        after,
        report,
    }
}

/// The logical id of the pool.
pub const POOL: &str = "UserPool";
/// Parameter: the migration stack's `FunctionArn` output.
pub const MIGRATION_FUNCTION: &str = "MigrationFunctionArn";
/// Parameter: the migration stack's `TokenFunctionArn` output.
pub const TOKEN_FUNCTION: &str = "TokenFunctionArn";
/// Condition: a token function is given.
const WITH_TOKEN_FUNCTION: &str = "WithTokenFunction";
/// Parameter: the migration stack's `TokenLambdaVersion`.
pub const TOKEN_VERSION: &str = "TokenLambdaVersion";
/// Provider detail keys that hold a secret: never written, a `NoEcho` parameter each.
const SECRET_DETAILS: [&str; 2] = ["client_secret", "private_key"];
/// The standard attributes a user can write (AWS's list, without `sub` and the verified flags):
/// what an unset `WriteAttributes` lets a client write.
const WRITABLE_STANDARD: [&str; 17] = [
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];
/// Provider details AWS computes itself.
const COMPUTED_DETAILS: [&str; 1] = ["ActiveEncryptionCertificate"];

/// A parameter, a resource or an output, accumulated while a template is built.
#[derive(Default)]
struct Parts {
    parameters: Map<String, Value>,
    conditions: Map<String, Value>,
    resources: Map<String, Value>,
    outputs: Map<String, Value>,
}

fn reference(name: &str) -> Value {
    json!({ "Ref": name })
}

fn template(
    old: &PoolConfiguration,
    choices: &Choices,
    window: Window,
    report: &mut Vec<String>,
) -> Value {
    let mut parts = Parts::default();
    let pool_id = old.settings.pool.id().unwrap_or_default();
    parts.parameters.insert(
        "UserPoolName".into(),
        json!({
            "Type": "String",
            "Default": old.settings.pool.name().unwrap_or("migrated-pool"),
            "Description": "Name of the new user pool."
        }),
    );
    let pool = user_pool(old, choices, window, &mut parts, report);
    parts.resources.insert(POOL.into(), pool);
    parts.outputs.insert(
        "UserPoolId".into(),
        json!({ "Description": "The new pool (--target-pool-id).", "Value": reference(POOL) }),
    );
    parts.outputs.insert(
        "UserPoolArn".into(),
        json!({
            "Description": "The new pool's ARN (the migration stack's NewUserPoolArn).",
            "Value": { "Fn::GetAtt": [POOL, "Arn"] }
        }),
    );
    domain(old, &mut parts, report);
    for (index, group) in old.groups.iter().enumerate() {
        parts.resources.insert(
            logical_id("Group", index, group.group_name()),
            group_resource(group),
        );
    }
    let servers: Vec<String> = old
        .resource_servers
        .iter()
        .enumerate()
        .map(|(index, server)| {
            let id = logical_id("ResourceServer", index, server.name());
            parts.resources.insert(id.clone(), resource_server(server));
            id
        })
        .collect();
    let mut providers = BTreeMap::new();
    for (index, provider) in old.providers.iter().enumerate() {
        let id = logical_id("Provider", index, provider.provider_name());
        let resource = identity_provider(&id, provider, &mut parts, report);
        parts.resources.insert(id.clone(), resource);
        providers.insert(provider.provider_name().unwrap_or_default().to_string(), id);
    }
    for (index, client) in old.clients.iter().enumerate() {
        let id = logical_id("Client", index, client.client_name());
        let resource = app_client(old, choices, window, client, &providers, &servers, report);
        parts.resources.insert(id.clone(), resource);
        parts.outputs.insert(
            format!("{id}Id"),
            json!({
                "Description": format!("The new client for the old {}", client.client_id().unwrap_or_default()),
                "Value": reference(&id)
            }),
        );
    }
    let when = match window {
        Window::During => "during the migration window (triggers wired, USER_PASSWORD_AUTH on)",
        Window::After => "after the migration window (no triggers, the clients' own flows)",
    };
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    template.insert(
        "Description".into(),
        json!(format!(
            "The new user pool for the migration of {pool_id}, sign-in {}, {when}. Written by cognito-migrate new-pool.",
            choices.shape
        )),
    );
    template.insert("Parameters".into(), Value::Object(parts.parameters));
    if !parts.conditions.is_empty() {
        template.insert("Conditions".into(), Value::Object(parts.conditions));
    }
    template.insert("Resources".into(), Value::Object(parts.resources));
    template.insert("Outputs".into(), Value::Object(parts.outputs));
    Value::Object(template)
}

/// A CloudFormation logical id: the kind, the position, and the letters and digits of the name.
fn logical_id(kind: &str, index: usize, name: Option<&str>) -> String {
    let clean: String = name
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(40)
        .collect();
    format!("{kind}{}{clean}", index + 1)
}

fn insert_some(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}

/// An object of those of `fields` that are set; `None` where none is, so that no empty object
/// names a property the old pool left unset.
fn set_fields<'a>(fields: impl IntoIterator<Item = (&'a str, Option<Value>)>) -> Option<Value> {
    let mut map = Map::new();
    for (key, value) in fields {
        insert_some(&mut map, key, value);
    }
    (!map.is_empty()).then_some(Value::Object(map))
}

fn strings<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(items.into_iter().map(|s| json!(s.as_ref())).collect())
}

fn nonempty_strings<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Option<Value> {
    let value = strings(items);
    (!value.as_array().is_some_and(Vec::is_empty)).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::new_pool_template::fixtures::{attribute, required_string, string_of_length};
    use crate::new_pool_template::reader::PoolSettings;
    use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, EmailMfaConfigType, IdentityProviderTypeType, UserPoolType,
    };

    fn old_pool() -> PoolConfiguration {
        PoolConfiguration {
            settings: PoolSettings {
                pool: UserPoolType::builder()
                    .id("us-east-1_old")
                    .name("old")
                    .schema_attributes(required_string("sub", false))
                    .schema_attributes(string_of_length("custom:tenant", "1", "32"))
                    .schema_attributes(attribute(
                        "dev:custom:internal",
                        AttributeDataType::Number,
                        true,
                    ))
                    .schema_attributes(attribute("custom:plan", AttributeDataType::String, true))
                    .build(),
                mfa: GetUserPoolMfaConfigOutput::builder().build(),
            },
            clients: vec![
                UserPoolClientType::builder()
                    .client_name("web")
                    .client_id("old-web")
                    .explicit_auth_flows(ExplicitAuthFlowsType::AdminNoSrpAuth)
                    .build(),
            ],
            groups: Vec::new(),
            providers: Vec::new(),
            resource_servers: Vec::new(),
        }
    }

    fn choices(shape: &str) -> Choices {
        Choices {
            shape: shape.parse().unwrap(),
            case_sensitive: false,
            legacy_sub: Some("custom:legacy_sub".into()),
            tenant_attribute: Some("custom:tenant".into()),
            rename: BTreeMap::from([("custom:plan".into(), "custom:tier".into())]),
        }
    }

    fn pool(template: &Value) -> &Value {
        &template["Resources"][POOL]["Properties"]
    }

    #[test]
    fn the_shape_signs_in_and_its_email_and_phone_are_verified_before_an_update_counts() {
        let built = build(&old_pool(), &choices("email-or-phone"));
        let pool = pool(&built.during);
        assert_eq!(pool["UsernameAttributes"], json!(["email", "phone_number"]));
        assert!(pool.get("AliasAttributes").is_none());
        assert_eq!(
            pool["UsernameConfiguration"],
            json!({ "CaseSensitive": false })
        );
        assert_eq!(
            pool["AutoVerifiedAttributes"],
            json!(["email", "phone_number"])
        );
        assert_eq!(
            pool["UserAttributeUpdateSettings"],
            json!({ "AttributesRequireVerificationBeforeUpdate": ["email", "phone_number"] })
        );
        assert_eq!(pool["DeletionProtection"], json!("ACTIVE"));
        assert_eq!(
            built.during["Parameters"]["SmsCallerRoleArn"]["Type"],
            json!("String")
        );
        assert!(
            built
                .report
                .iter()
                .any(|l| l.contains("give SmsCallerRoleArn"))
        );
    }

    #[test]
    fn a_pool_verifying_nothing_gets_email_for_the_import_job() {
        let built = build(&old_pool(), &choices("username"));
        assert_eq!(
            pool(&built.during)["AutoVerifiedAttributes"],
            json!(["email"])
        );
        assert!(
            pool(&built.during)
                .get("UserAttributeUpdateSettings")
                .is_none()
        );
        assert!(built.report[0].starts_with("AutoVerifiedAttributes"));
    }

    #[test]
    fn every_custom_attribute_is_carried_renamed_as_mapped_with_the_legacy_id() {
        let built = build(&old_pool(), &choices("email"));
        assert_eq!(
            pool(&built.during)["Schema"],
            json!([
                { "Name": "tenant", "AttributeDataType": "String", "Mutable": true,
                  "StringAttributeConstraints": { "MinLength": "1", "MaxLength": "32" } },
                { "Name": "internal", "AttributeDataType": "Number", "Mutable": true,
                  "DeveloperOnlyAttribute": true },
                { "Name": "tier", "AttributeDataType": "String", "Mutable": true },
                { "Name": "legacy_sub", "AttributeDataType": "String", "Mutable": true }
            ])
        );
    }

    #[test]
    fn the_window_wires_the_stacks_functions_and_the_after_template_drops_them() {
        let built = build(&old_pool(), &choices("email"));
        assert_eq!(
            pool(&built.during)["LambdaConfig"],
            json!({
                "UserMigration": { "Ref": "MigrationFunctionArn" },
                "PreSignUp": { "Ref": "MigrationFunctionArn" },
                "PreTokenGenerationConfig": { "Fn::If": [
                    "WithTokenFunction",
                    {
                        "LambdaArn": { "Ref": "TokenFunctionArn" },
                        "LambdaVersion": { "Ref": "TokenLambdaVersion" }
                    },
                    { "Ref": "AWS::NoValue" }
                ] }
            })
        );
        assert!(pool(&built.after).get("LambdaConfig").is_none());
        for parameter in [MIGRATION_FUNCTION, TOKEN_FUNCTION, TOKEN_VERSION] {
            assert!(built.after["Parameters"].get(parameter).is_none());
        }
        let client =
            |t: &Value| t["Resources"]["Client1web"]["Properties"]["ExplicitAuthFlows"].clone();
        assert_eq!(
            client(&built.during),
            json!([
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_USER_PASSWORD_AUTH"
            ])
        );
        assert_eq!(
            client(&built.after),
            json!(["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        );
    }

    #[test]
    fn an_admin_only_pool_gets_no_sign_up_guard_and_self_sign_up_names_the_stack_parameter() {
        let mut old = old_pool();
        old.settings.pool = UserPoolType::builder()
            .id("us-east-1_old")
            .admin_create_user_config(
                aws_sdk_cognitoidentityprovider::types::AdminCreateUserConfigType::builder()
                    .allow_admin_create_user_only(true)
                    .build(),
            )
            .build();
        let built = build(&old, &choices("email"));
        let pool = pool(&built.during);
        assert!(pool["LambdaConfig"].get("PreSignUp").is_none(), "{pool}");
        assert_eq!(
            pool["AdminCreateUserConfig"],
            json!({ "AllowAdminCreateUserOnly": true })
        );
        let open = build(&old_pool(), &choices("email"));
        assert!(open.report.iter().any(|l| l.contains("SignUpGuard=true")));
    }

    #[test]
    fn the_report_names_the_migration_stack_parameters_of_the_shape() {
        let built = build(&old_pool(), &choices("username+email"));
        assert!(
            built.report.iter().any(|l| l.starts_with(
                "the migration stack for this pool: NewPoolSignIn=username,email \
                 ReturnOldUsername=true "
            )),
            "{:#?}",
            built.report
        );
    }

    #[test]
    fn clients_never_write_the_legacy_id_the_tenant_or_an_unheld_sign_in_name() {
        let mut old = old_pool();
        old.clients[0] = UserPoolClientType::builder()
            .client_name("web")
            .read_attributes("custom:plan")
            .write_attributes("custom:legacy_sub")
            .write_attributes("custom:tenant")
            .write_attributes("custom:plan")
            .write_attributes("preferred_username")
            .write_attributes("email")
            .write_attributes("email_verified")
            .build();
        let built = build(&old, &choices("username+email+preferred_username"));
        let client = &built.during["Resources"]["Client1web"]["Properties"];
        assert_eq!(client["WriteAttributes"], json!(["custom:tier", "email"]));
        assert_eq!(client["ReadAttributes"], json!(["custom:tier"]));
        assert_eq!(client["PreventUserExistenceErrors"], json!("ENABLED"));
        assert!(
            built.report.contains(
                &"client web: not writable in the new pool: custom:legacy_sub, custom:tenant, \
              preferred_username, email_verified (the migration trusts them, or they sign in)"
                    .to_string()
            )
        );
    }

    #[test]
    fn an_unset_write_list_becomes_the_standard_attributes_without_the_held_ones_flags() {
        let built = build(&old_pool(), &choices("phone"));
        let writes = built.during["Resources"]["Client1web"]["Properties"]["WriteAttributes"]
            .as_array()
            .unwrap()
            .clone();
        assert!(writes.contains(&json!("phone_number")));
        assert!(writes.contains(&json!("preferred_username")));
        assert!(
            !writes
                .iter()
                .any(|w| w.as_str().unwrap().ends_with("_verified"))
        );
    }

    #[test]
    fn provider_secrets_become_noecho_parameters_and_secret_clients_a_report_line() {
        let mut old = old_pool();
        old.providers.push(
            IdentityProviderType::builder()
                .provider_name("Google")
                .provider_type(IdentityProviderTypeType::Google)
                .provider_details("client_id", "id")
                .provider_details("client_secret", "s3cret")
                .attribute_mapping("email", "email")
                .build(),
        );
        old.clients[0] = UserPoolClientType::builder()
            .client_name("web")
            .client_secret("old")
            .supported_identity_providers("Google")
            .build();
        let built = build(&old, &choices("email"));
        assert_eq!(
            built.during["Resources"]["Provider1Google"]["Properties"],
            json!({
                "ProviderName": "Google",
                "ProviderType": "Google",
                "ProviderDetails": {
                    "client_id": "id",
                    "client_secret": { "Ref": "Provider1GoogleClientSecret" }
                },
                "UserPoolId": { "Ref": "UserPool" },
                "AttributeMapping": { "email": "email" }
            })
        );
        assert_eq!(
            built.during["Parameters"]["Provider1GoogleClientSecret"]["NoEcho"],
            json!(true)
        );
        assert!(!built.during.to_string().contains("s3cret"));
        let client = &built.during["Resources"]["Client1web"];
        assert_eq!(client["DependsOn"], json!(["Provider1Google"]));
        assert_eq!(client["Properties"]["GenerateSecret"], json!(true));
        assert!(
            built
                .report
                .iter()
                .any(|l| l.starts_with("client web: a client secret"))
        );
    }

    #[test]
    fn a_rotating_client_keeps_rotation_without_the_refresh_flow_aws_refuses_beside_it() {
        use aws_sdk_cognitoidentityprovider::types::RefreshTokenRotationType;
        let mut old = old_pool();
        old.clients[0] = UserPoolClientType::builder()
            .client_name("web")
            .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
            .refresh_token_rotation(
                RefreshTokenRotationType::builder()
                    .feature(FeatureType::Enabled)
                    .retry_grace_period_seconds(10)
                    .build()
                    .unwrap(),
            )
            .build();
        let built = build(&old, &choices("email"));
        let client = &built.during["Resources"]["Client1web"]["Properties"];
        assert_eq!(
            client["ExplicitAuthFlows"],
            json!(["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"])
        );
        assert_eq!(
            client["RefreshTokenRotation"],
            json!({ "Feature": "ENABLED", "RetryGracePeriodSeconds": 10 })
        );
    }

    #[test]
    fn the_old_pools_verification_holds_stay_beside_the_shapes() {
        use aws_sdk_cognitoidentityprovider::types::{
            UserAttributeUpdateSettingsType, VerifiedAttributeType,
        };
        let mut old = old_pool();
        old.settings.pool = UserPoolType::builder()
            .id("us-east-1_old")
            .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
            .user_attribute_update_settings(
                UserAttributeUpdateSettingsType::builder()
                    .attributes_require_verification_before_update(
                        VerifiedAttributeType::PhoneNumber,
                    )
                    .build(),
            )
            .build();
        let built = build(&old, &choices("email"));
        assert_eq!(
            pool(&built.during)["UserAttributeUpdateSettings"],
            json!({ "AttributesRequireVerificationBeforeUpdate": ["email", "phone_number"] })
        );
    }

    #[test]
    fn email_mfa_on_a_lite_pool_raises_the_plan_to_essentials() {
        let mut old = old_pool();
        old.settings.pool = UserPoolType::builder()
            .id("us-east-1_old")
            .user_pool_tier(UserPoolTierType::Lite)
            .build();
        old.settings.mfa = GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::On)
            .email_mfa_configuration(EmailMfaConfigType::builder().subject("Code").build())
            .build();
        let built = build(&old, &choices("email"));
        let pool = pool(&built.during);
        assert_eq!(pool["UserPoolTier"], json!("ESSENTIALS"));
        assert_eq!(pool["MfaConfiguration"], json!("ON"));
        assert_eq!(pool["EnabledMfas"], json!(["EMAIL_OTP"]));
        assert_eq!(pool["EmailAuthenticationSubject"], json!("Code"));
        assert!(
            built
                .report
                .iter()
                .any(|l| l.starts_with("feature plan: ESSENTIALS"))
        );
    }
}
