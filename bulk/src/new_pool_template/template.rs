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
    AdvancedSecurityModeType, ExplicitAuthFlowsType, GroupType, IdentityProviderType,
    ResourceServerType, SchemaAttributeType, UserPoolClientType, UserPoolMfaType, UserPoolTierType,
};
use serde_json::{Map, Value, json};
use shared::attributes::CUSTOM_PREFIX;

use super::reader::PoolConfiguration;
use super::sign_in::SignInShape;

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
    let pool_id = old.pool.id().unwrap_or_default();
    parts.parameters.insert(
        "UserPoolName".into(),
        json!({
            "Type": "String",
            "Default": old.pool.name().unwrap_or("migrated-pool"),
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

fn strings<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Value {
    Value::Array(items.into_iter().map(|s| json!(s.as_ref())).collect())
}

fn nonempty_strings<T: AsRef<str>>(items: impl IntoIterator<Item = T>) -> Option<Value> {
    let value = strings(items);
    (!value.as_array().is_some_and(Vec::is_empty)).then_some(value)
}

/// The `AWS::Cognito::UserPool`: the chosen sign-in shape, the e-mail/phone it signs in with
/// auto-verified and held back until verified, everything else as the old pool.
fn user_pool(
    old: &PoolConfiguration,
    choices: &Choices,
    window: Window,
    parts: &mut Parts,
    report: &mut Vec<String>,
) -> Value {
    let pool = &old.pool;
    let mut p = Map::new();
    p.insert("UserPoolName".into(), reference("UserPoolName"));
    insert_some(
        &mut p,
        "UsernameAttributes",
        nonempty_strings(choices.shape.username_attributes()),
    );
    insert_some(
        &mut p,
        "AliasAttributes",
        nonempty_strings(choices.shape.alias_attributes()),
    );
    p.insert(
        "UsernameConfiguration".into(),
        json!({ "CaseSensitive": choices.case_sensitive }),
    );
    let mut verified: BTreeSet<String> = pool
        .auto_verified_attributes()
        .iter()
        .map(|a| a.as_str().to_string())
        .collect();
    verified.extend(choices.shape.verifiable().iter().map(|a| a.to_string()));
    if verified.is_empty() {
        verified.insert("email".into());
        report.push(
            "AutoVerifiedAttributes: the old pool verifies nothing and the sign-in shape has no \
             e-mail or phone; set to email, since AWS does not start an import job without one"
                .into(),
        );
    }
    p.insert("AutoVerifiedAttributes".into(), strings(&verified));
    if let Some(held) = nonempty_strings(choices.shape.verifiable()) {
        p.insert(
            "UserAttributeUpdateSettings".into(),
            json!({ "AttributesRequireVerificationBeforeUpdate": held }),
        );
    }
    p.insert(
        "Schema".into(),
        Value::Array(schema(pool.schema_attributes(), choices, report)),
    );
    let mut policies = Map::new();
    if let Some(password) = pool.policies().and_then(|x| x.password_policy()) {
        let mut pp = Map::new();
        insert_some(
            &mut pp,
            "MinimumLength",
            password.minimum_length().map(|v| json!(v)),
        );
        pp.insert(
            "RequireUppercase".into(),
            json!(password.require_uppercase()),
        );
        pp.insert(
            "RequireLowercase".into(),
            json!(password.require_lowercase()),
        );
        pp.insert("RequireNumbers".into(), json!(password.require_numbers()));
        pp.insert("RequireSymbols".into(), json!(password.require_symbols()));
        insert_some(
            &mut pp,
            "TemporaryPasswordValidityDays",
            Some(password.temporary_password_validity_days())
                .filter(|d| *d > 0)
                .map(|v| json!(v)),
        );
        insert_some(
            &mut pp,
            "PasswordHistorySize",
            password.password_history_size().map(|v| json!(v)),
        );
        policies.insert("PasswordPolicy".into(), Value::Object(pp));
    }
    if let Some(sign_in) = pool.policies().and_then(|x| x.sign_in_policy()) {
        policies.insert(
            "SignInPolicy".into(),
            json!({ "AllowedFirstAuthFactors": strings(sign_in.allowed_first_auth_factors().iter().map(|f| f.as_str())) }),
        );
    }
    if !policies.is_empty() {
        p.insert("Policies".into(), Value::Object(policies));
    }
    mfa(old, &mut p, report);
    p.insert("UserPoolTier".into(), json!(tier(old, report).as_str()));
    p.insert("DeletionProtection".into(), json!("ACTIVE"));
    if let Some(admin) = pool.admin_create_user_config() {
        let mut a = Map::new();
        a.insert(
            "AllowAdminCreateUserOnly".into(),
            json!(admin.allow_admin_create_user_only()),
        );
        if let Some(invite) = admin.invite_message_template() {
            let mut m = Map::new();
            insert_some(
                &mut m,
                "EmailMessage",
                invite.email_message().map(|v| json!(v)),
            );
            insert_some(
                &mut m,
                "EmailSubject",
                invite.email_subject().map(|v| json!(v)),
            );
            insert_some(&mut m, "SMSMessage", invite.sms_message().map(|v| json!(v)));
            if !m.is_empty() {
                a.insert("InviteMessageTemplate".into(), Value::Object(m));
            }
        }
        p.insert("AdminCreateUserConfig".into(), Value::Object(a));
    }
    if window == Window::During {
        let self_sign_up = !crate::pools::admin_create_only(pool);
        p.insert(
            "LambdaConfig".into(),
            lambda_config(parts, self_sign_up, report),
        );
    }
    old_triggers(old, report);
    messages(old, &mut p, &verified, parts, report);
    if let Some(device) = pool.device_configuration() {
        p.insert(
            "DeviceConfiguration".into(),
            json!({
                "ChallengeRequiredOnNewDevice": device.challenge_required_on_new_device(),
                "DeviceOnlyRememberedOnUserPrompt": device.device_only_remembered_on_user_prompt()
            }),
        );
    }
    if let Some(recovery) = pool.account_recovery_setting() {
        let mechanisms: Vec<Value> = recovery
            .recovery_mechanisms()
            .iter()
            .map(|m| json!({ "Name": m.name().as_str(), "Priority": m.priority() }))
            .collect();
        if !mechanisms.is_empty() {
            p.insert(
                "AccountRecoverySetting".into(),
                json!({ "RecoveryMechanisms": mechanisms }),
            );
        }
    }
    if let Some(addons) = pool
        .user_pool_add_ons()
        .filter(|a| a.advanced_security_mode() != &AdvancedSecurityModeType::Off)
    {
        p.insert(
            "UserPoolAddOns".into(),
            json!({ "AdvancedSecurityMode": addons.advanced_security_mode().as_str() }),
        );
        report.push(
            "threat protection: the mode is carried; its risk configuration (compromised \
             credentials, adaptive authentication, IP lists) is not read: copy it with \
             SetRiskConfiguration after the stack is created"
                .into(),
        );
    }
    if let Some(tags) = pool.user_pool_tags().filter(|t| !t.is_empty()) {
        let tags: BTreeMap<&String, &String> = tags.iter().collect();
        p.insert("UserPoolTags".into(), json!(tags));
    }
    json!({ "Type": "AWS::Cognito::UserPool", "Properties": Value::Object(p) })
}

/// Every custom attribute of the old pool, its required standard attributes, the legacy id and
/// the mapping's renamed custom attributes. Names go without `custom:`, as `Schema` wants them.
fn schema(old: &[SchemaAttributeType], choices: &Choices, report: &mut Vec<String>) -> Vec<Value> {
    let mut entries = Vec::new();
    let mut names = BTreeSet::new();
    fn push(
        entries: &mut Vec<Value>,
        names: &mut BTreeSet<String>,
        name: &str,
        attribute: &SchemaAttributeType,
        developer: bool,
    ) {
        if !names.insert(name.to_string()) {
            return;
        }
        let mut e = Map::new();
        e.insert("Name".into(), json!(name));
        insert_some(
            &mut e,
            "AttributeDataType",
            attribute.attribute_data_type().map(|t| json!(t.as_str())),
        );
        insert_some(&mut e, "Mutable", attribute.mutable().map(|m| json!(m)));
        if attribute.required() == Some(true) {
            e.insert("Required".into(), json!(true));
        }
        if developer {
            e.insert("DeveloperOnlyAttribute".into(), json!(true));
        }
        if let Some(c) = attribute.string_attribute_constraints() {
            let mut s = Map::new();
            insert_some(&mut s, "MinLength", c.min_length().map(|v| json!(v)));
            insert_some(&mut s, "MaxLength", c.max_length().map(|v| json!(v)));
            if !s.is_empty() {
                e.insert("StringAttributeConstraints".into(), Value::Object(s));
            }
        }
        if let Some(c) = attribute.number_attribute_constraints() {
            let mut n = Map::new();
            insert_some(&mut n, "MinValue", c.min_value().map(|v| json!(v)));
            insert_some(&mut n, "MaxValue", c.max_value().map(|v| json!(v)));
            if !n.is_empty() {
                e.insert("NumberAttributeConstraints".into(), Value::Object(n));
            }
        }
        entries.push(Value::Object(e));
    }
    for attribute in old {
        let full = attribute.name().unwrap_or_default();
        let developer = full.starts_with("dev:");
        let bare = full.strip_prefix("dev:").unwrap_or(full);
        match bare.strip_prefix(CUSTOM_PREFIX) {
            Some(short) => {
                let renamed = choices
                    .rename
                    .get(bare)
                    .and_then(|new| new.strip_prefix(CUSTOM_PREFIX))
                    .unwrap_or(short);
                push(&mut entries, &mut names, renamed, attribute, developer);
            }
            // `sub` is AWS's own (required, immutable): a pool never declares it.
            None if attribute.required() == Some(true) && bare != "sub" => {
                push(&mut entries, &mut names, bare, attribute, false)
            }
            None => {}
        }
    }
    match choices
        .legacy_sub
        .as_deref()
        .map(|l| (l, l.strip_prefix(CUSTOM_PREFIX)))
    {
        Some((_, Some(short))) if !names.contains(short) => {
            let legacy = SchemaAttributeType::builder()
                .name(short)
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .mutable(true)
                .build();
            push(&mut entries, &mut names, short, &legacy, false);
        }
        Some((legacy, Some(_))) => report.push(format!(
            "{legacy}: the old pool already has it (was it written by a migration? check the pool \
             ids); carried with the old pool's settings"
        )),
        Some((legacy, None)) => report.push(format!(
            "{legacy}: the mapping's legacy_sub_attribute is not a custom: attribute, so it is \
             not added to the schema"
        )),
        None => {}
    }
    entries
}

/// MFA as the old pool: the mode, SMS/TOTP/e-mail, their messages, and passkeys' relying party.
fn mfa(old: &PoolConfiguration, p: &mut Map<String, Value>, report: &mut Vec<String>) {
    let config = &old.mfa;
    let mode = config
        .mfa_configuration()
        .cloned()
        .unwrap_or(UserPoolMfaType::Off);
    p.insert("MfaConfiguration".into(), json!(mode.as_str()));
    let mut enabled = Vec::new();
    if let Some(sms) = config.sms_mfa_configuration() {
        enabled.push("SMS_MFA");
        insert_some(
            p,
            "SmsAuthenticationMessage",
            sms.sms_authentication_message().map(|m| json!(m)),
        );
    }
    if config
        .software_token_mfa_configuration()
        .is_some_and(|t| t.enabled())
    {
        enabled.push("SOFTWARE_TOKEN_MFA");
    }
    if let Some(email) = config.email_mfa_configuration() {
        enabled.push("EMAIL_OTP");
        insert_some(
            p,
            "EmailAuthenticationMessage",
            email.message().map(|m| json!(m)),
        );
        insert_some(
            p,
            "EmailAuthenticationSubject",
            email.subject().map(|m| json!(m)),
        );
    }
    if mode != UserPoolMfaType::Off && !enabled.is_empty() {
        p.insert("EnabledMfas".into(), strings(enabled));
    }
    if let Some(web) = config.web_authn_configuration() {
        insert_some(
            p,
            "WebAuthnRelyingPartyID",
            web.relying_party_id().map(|v| json!(v)),
        );
        insert_some(
            p,
            "WebAuthnUserVerification",
            web.user_verification().map(|v| json!(v.as_str())),
        );
        report.push(
            "passkeys: the relying party is carried; passkeys themselves cannot move (users \
             register them again)"
                .into(),
        );
    }
}

/// The old pool's feature plan, raised to what its users sign in with.
fn tier(old: &PoolConfiguration, report: &mut Vec<String>) -> UserPoolTierType {
    let old_tier = old
        .pool
        .user_pool_tier()
        .cloned()
        .unwrap_or(UserPoolTierType::Essentials);
    let threat = old
        .pool
        .user_pool_add_ons()
        .is_some_and(|a| a.advanced_security_mode() != &AdvancedSecurityModeType::Off);
    if threat && old_tier != UserPoolTierType::Plus {
        report.push("feature plan: PLUS, for the old pool's threat protection".into());
        return UserPoolTierType::Plus;
    }
    let needs_essentials = !crate::pools::passwordless_first_factors(&old.pool).is_empty()
        || old.mfa.email_mfa_configuration().is_some();
    if old_tier == UserPoolTierType::Lite && needs_essentials {
        report.push(
            "feature plan: ESSENTIALS instead of the old pool's LITE, for its passwordless sign-in \
             or e-mail MFA"
                .into(),
        );
        return UserPoolTierType::Essentials;
    }
    old_tier
}

/// The migration window's triggers, taking the migration stack's outputs as parameters:
/// UserMigration always; PreSignUp (the sign-up guard, the same function) only where people sign
/// themselves up, since the stack gives the function the old-pool rights it needs only with
/// `SignUpGuard=true`; PreTokenGeneration when `TokenFunctionArn` is given (a stack with
/// `TokenGroups=false` has none, and `preflight` then warns).
fn lambda_config(parts: &mut Parts, self_sign_up: bool, report: &mut Vec<String>) -> Value {
    let arn = "arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:.+";
    parts.parameters.insert(
        MIGRATION_FUNCTION.into(),
        json!({
            "Type": "String",
            "AllowedPattern": format!("^{arn}$"),
            "Description": "The migration stack's FunctionArn output: UserMigration, and PreSignUp (the sign-up guard) where people sign themselves up."
        }),
    );
    parts.parameters.insert(
        TOKEN_FUNCTION.into(),
        json!({
            "Type": "String",
            "Default": "",
            "AllowedPattern": format!("^$|^{arn}$"),
            "Description": "The migration stack's TokenFunctionArn output: PreTokenGeneration (old groups in the first token); empty for none."
        }),
    );
    parts.parameters.insert(
        TOKEN_VERSION.into(),
        json!({
            "Type": "String",
            "Default": "V1_0",
            "AllowedValues": ["V1_0", "V2_0"],
            "Description": "The migration stack's TokenLambdaVersion (V2_0 needs the Essentials or Plus plan)."
        }),
    );
    parts.conditions.insert(
        WITH_TOKEN_FUNCTION.into(),
        json!({ "Fn::Not": [{ "Fn::Equals": [reference(TOKEN_FUNCTION), ""] }] }),
    );
    let mut config = Map::new();
    config.insert("UserMigration".into(), reference(MIGRATION_FUNCTION));
    if self_sign_up {
        config.insert("PreSignUp".into(), reference(MIGRATION_FUNCTION));
        report.push(
            "self sign-up is on (as in the old pool): PreSignUp is the sign-up guard, so deploy \
             the migration stack with SignUpGuard=true"
                .into(),
        );
    }
    config.insert(
        "PreTokenGenerationConfig".into(),
        json!({ "Fn::If": [
            WITH_TOKEN_FUNCTION,
            { "LambdaArn": reference(TOKEN_FUNCTION), "LambdaVersion": reference(TOKEN_VERSION) },
            reference("AWS::NoValue")
        ] }),
    );
    Value::Object(config)
}

/// The old pool's own triggers are not carried: they name functions of the old setup, and three
/// of the slots are the migration's.
fn old_triggers(old: &PoolConfiguration, report: &mut Vec<String>) {
    let Some(config) = old.pool.lambda_config() else {
        return;
    };
    let slots = [
        ("PreSignUp", config.pre_sign_up()),
        ("CustomMessage", config.custom_message()),
        ("PostConfirmation", config.post_confirmation()),
        ("PreAuthentication", config.pre_authentication()),
        ("PostAuthentication", config.post_authentication()),
        ("DefineAuthChallenge", config.define_auth_challenge()),
        ("CreateAuthChallenge", config.create_auth_challenge()),
        (
            "VerifyAuthChallengeResponse",
            config.verify_auth_challenge_response(),
        ),
        ("PreTokenGeneration", config.pre_token_generation()),
        ("UserMigration", config.user_migration()),
        (
            "CustomSMSSender",
            config.custom_sms_sender().map(|s| s.lambda_arn()),
        ),
        (
            "CustomEmailSender",
            config.custom_email_sender().map(|s| s.lambda_arn()),
        ),
        ("KMSKeyID", config.kms_key_id()),
    ];
    for (slot, arn) in slots {
        if let Some(arn) = arn {
            report.push(format!(
                "trigger {slot} of the old pool ({arn}) is not carried: add it to LambdaConfig \
                 yourself (after the window where the migration uses the slot)"
            ));
        }
    }
}

/// Verification and e-mail/SMS settings; what names another resource is a parameter whose
/// default is the old pool's value.
fn messages(
    old: &PoolConfiguration,
    p: &mut Map<String, Value>,
    verified: &BTreeSet<String>,
    parts: &mut Parts,
    report: &mut Vec<String>,
) {
    let pool = &old.pool;
    if let Some(t) = pool.verification_message_template() {
        let mut m = Map::new();
        insert_some(
            &mut m,
            "DefaultEmailOption",
            t.default_email_option().map(|v| json!(v.as_str())),
        );
        for (key, value) in [
            ("EmailMessage", t.email_message()),
            ("EmailSubject", t.email_subject()),
            ("EmailMessageByLink", t.email_message_by_link()),
            ("EmailSubjectByLink", t.email_subject_by_link()),
            ("SmsMessage", t.sms_message()),
        ] {
            insert_some(&mut m, key, value.map(|v| json!(v)));
        }
        if !m.is_empty() {
            p.insert("VerificationMessageTemplate".into(), Value::Object(m));
        }
    }
    if let Some(email) = pool.email_configuration() {
        let mut e = Map::new();
        insert_some(
            &mut e,
            "EmailSendingAccount",
            email.email_sending_account().map(|v| json!(v.as_str())),
        );
        insert_some(&mut e, "From", email.from().map(|v| json!(v)));
        insert_some(
            &mut e,
            "ReplyToEmailAddress",
            email.reply_to_email_address().map(|v| json!(v)),
        );
        if let Some(source) = email.source_arn() {
            parts.parameters.insert(
                "EmailSourceArn".into(),
                json!({ "Type": "String", "Default": source, "Description": "The SES identity the pool sends e-mail from (the old pool's by default)." }),
            );
            e.insert("SourceArn".into(), reference("EmailSourceArn"));
        }
        if let Some(set) = email.configuration_set() {
            parts.parameters.insert(
                "EmailConfigurationSet".into(),
                json!({ "Type": "String", "Default": set, "Description": "The SES configuration set (the old pool's by default)." }),
            );
            e.insert(
                "ConfigurationSet".into(),
                reference("EmailConfigurationSet"),
            );
        }
        if !e.is_empty() {
            p.insert("EmailConfiguration".into(), Value::Object(e));
        }
    }
    let needs_sms = verified.contains("phone_number") || old.mfa.sms_mfa_configuration().is_some();
    let sms = pool.sms_configuration();
    if sms.is_some() || needs_sms {
        let mut parameter = json!({
            "Type": "String",
            "Description": "The IAM role Cognito sends SMS with through SNS (the old pool's by default)."
        });
        match sms.map(|s| s.sns_caller_arn()) {
            Some(arn) => parameter["Default"] = json!(arn),
            None => report.push(
                "SmsConfiguration: the pool verifies phone numbers or sends SMS MFA and the old \
                 pool names no SNS role: give SmsCallerRoleArn"
                    .into(),
            ),
        }
        parts
            .parameters
            .insert("SmsCallerRoleArn".into(), parameter);
        let mut s = Map::new();
        s.insert("SnsCallerArn".into(), reference("SmsCallerRoleArn"));
        insert_some(
            &mut s,
            "ExternalId",
            sms.and_then(|s| s.external_id()).map(|v| json!(v)),
        );
        insert_some(
            &mut s,
            "SnsRegion",
            sms.and_then(|s| s.sns_region()).map(|v| json!(v)),
        );
        p.insert("SmsConfiguration".into(), Value::Object(s));
    }
    // The legacy top-level messages say what VerificationMessageTemplate says; AWS documents
    // the template as the one to set, so the legacy ones go only where there is no template.
    let legacy = if p.contains_key("VerificationMessageTemplate") {
        Vec::new()
    } else {
        vec![
            (
                "EmailVerificationMessage",
                pool.email_verification_message(),
            ),
            (
                "EmailVerificationSubject",
                pool.email_verification_subject(),
            ),
            ("SmsVerificationMessage", pool.sms_verification_message()),
        ]
    };
    for (key, value) in legacy {
        insert_some(p, key, value.map(|v| json!(v)));
    }
}

/// The hosted domain: a parameter (domain prefixes are unique across AWS, so the old one cannot
/// be taken again), the resource only when it is given.
fn domain(old: &PoolConfiguration, parts: &mut Parts, report: &mut Vec<String>) {
    let pool = &old.pool;
    if let Some(custom) = pool.custom_domain() {
        report.push(format!(
            "custom domain {custom}: not carried (its ACM certificate and DNS record are the \
             operator's); add an AWS::Cognito::UserPoolDomain with CustomDomainConfig.CertificateArn"
        ));
    }
    let Some(old_domain) = pool.domain() else {
        return;
    };
    report.push(format!(
        "domain {old_domain}: a prefix is unique across AWS, so it is the DomainPrefix parameter \
         (empty: no domain); managed login branding and UI customization are not carried"
    ));
    parts.parameters.insert(
        "DomainPrefix".into(),
        json!({ "Type": "String", "Default": "", "Description": format!("The new pool's domain prefix (the old pool's is {old_domain}); empty for none.") }),
    );
    parts.conditions.insert(
        "HasDomain".into(),
        json!({ "Fn::Not": [{ "Fn::Equals": [reference("DomainPrefix"), ""] }] }),
    );
    parts.resources.insert(
        "UserPoolDomain".into(),
        json!({
            "Type": "AWS::Cognito::UserPoolDomain",
            "Condition": "HasDomain",
            "Properties": { "Domain": reference("DomainPrefix"), "UserPoolId": reference(POOL) }
        }),
    );
}

fn group_resource(group: &GroupType) -> Value {
    let mut p = Map::new();
    p.insert(
        "GroupName".into(),
        json!(group.group_name().unwrap_or_default()),
    );
    p.insert("UserPoolId".into(), reference(POOL));
    insert_some(&mut p, "Description", group.description().map(|v| json!(v)));
    insert_some(&mut p, "Precedence", group.precedence().map(|v| json!(v)));
    insert_some(&mut p, "RoleArn", group.role_arn().map(|v| json!(v)));
    json!({ "Type": "AWS::Cognito::UserPoolGroup", "Properties": Value::Object(p) })
}

fn resource_server(server: &ResourceServerType) -> Value {
    let scopes: Vec<Value> = server
        .scopes()
        .iter()
        .map(|s| json!({ "ScopeName": s.scope_name(), "ScopeDescription": s.scope_description() }))
        .collect();
    let mut p = Map::new();
    p.insert(
        "Identifier".into(),
        json!(server.identifier().unwrap_or_default()),
    );
    p.insert("Name".into(), json!(server.name().unwrap_or_default()));
    p.insert("UserPoolId".into(), reference(POOL));
    if !scopes.is_empty() {
        p.insert("Scopes".into(), Value::Array(scopes));
    }
    json!({ "Type": "AWS::Cognito::UserPoolResourceServer", "Properties": Value::Object(p) })
}

fn identity_provider(
    id: &str,
    provider: &IdentityProviderType,
    parts: &mut Parts,
    report: &mut Vec<String>,
) -> Value {
    let name = provider.provider_name().unwrap_or_default();
    let mut details = Map::new();
    let old_details: BTreeMap<&String, &String> =
        provider.provider_details().into_iter().flatten().collect();
    for (key, value) in old_details {
        if COMPUTED_DETAILS.contains(&key.as_str()) {
            continue;
        }
        if SECRET_DETAILS.contains(&key.as_str()) {
            let camel: String = key
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            let parameter = format!("{id}{camel}");
            parts.parameters.insert(
                parameter.clone(),
                json!({ "Type": "String", "NoEcho": true, "Description": format!("The {key} of identity provider {name} (secret: not read from the old pool).") }),
            );
            report.push(format!(
                "identity provider {name}: its {key} is the NoEcho parameter {parameter}"
            ));
            details.insert(key.clone(), reference(&parameter));
        } else {
            details.insert(key.clone(), json!(value));
        }
    }
    let mut p = Map::new();
    p.insert("ProviderName".into(), json!(name));
    insert_some(
        &mut p,
        "ProviderType",
        provider.provider_type().map(|t| json!(t.as_str())),
    );
    p.insert("ProviderDetails".into(), Value::Object(details));
    p.insert("UserPoolId".into(), reference(POOL));
    if let Some(mapping) = provider.attribute_mapping().filter(|m| !m.is_empty()) {
        let mapping: BTreeMap<&String, &String> = mapping.iter().collect();
        p.insert("AttributeMapping".into(), json!(mapping));
    }
    insert_some(
        &mut p,
        "IdpIdentifiers",
        nonempty_strings(provider.idp_identifiers()),
    );
    json!({ "Type": "AWS::Cognito::UserPoolIdentityProvider", "Properties": Value::Object(p) })
}

/// A legacy flow name as its `ALLOW_` equivalent: a client cannot mix the two kinds.
fn allow_flow(flow: &ExplicitAuthFlowsType) -> &'static str {
    match flow {
        ExplicitAuthFlowsType::AdminNoSrpAuth
        | ExplicitAuthFlowsType::AllowAdminUserPasswordAuth => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        ExplicitAuthFlowsType::CustomAuthFlowOnly | ExplicitAuthFlowsType::AllowCustomAuth => {
            "ALLOW_CUSTOM_AUTH"
        }
        ExplicitAuthFlowsType::UserPasswordAuth | ExplicitAuthFlowsType::AllowUserPasswordAuth => {
            "ALLOW_USER_PASSWORD_AUTH"
        }
        ExplicitAuthFlowsType::AllowUserAuth => "ALLOW_USER_AUTH",
        ExplicitAuthFlowsType::AllowRefreshTokenAuth => "ALLOW_REFRESH_TOKEN_AUTH",
        _ => "ALLOW_USER_SRP_AUTH",
    }
}

/// The flows of a client: its own (AWS's defaults when unset), refresh tokens, and during the
/// window `ALLOW_USER_PASSWORD_AUTH`, the only flow that shows the trigger the password.
fn flows(client: &UserPoolClientType, window: Window) -> BTreeSet<&'static str> {
    let mut flows: BTreeSet<&str> = client
        .explicit_auth_flows()
        .iter()
        .map(allow_flow)
        .collect();
    if flows.is_empty() {
        flows.extend(["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]);
    }
    flows.insert("ALLOW_REFRESH_TOKEN_AUTH");
    if window == Window::During {
        flows.insert("ALLOW_USER_PASSWORD_AUTH");
    }
    flows
}

/// What a client may write: its list (or, unset, every mutable standard attribute of the old
/// pool, which is what an unset list means), without the legacy id, the tenant, a sign-in
/// attribute nothing holds back (`preferred_username`) and the verified flags of the e-mail/phone
/// that sign in (writing them would void the hold).
fn write_attributes(
    old: &PoolConfiguration,
    choices: &Choices,
    client: &UserPoolClientType,
) -> (Vec<String>, Vec<String>) {
    let listed: Vec<String> = if client.write_attributes().is_empty() {
        let immutable: BTreeSet<&str> = old
            .pool
            .schema_attributes()
            .iter()
            .filter(|a| a.mutable() == Some(false))
            .filter_map(|a| a.name())
            .collect();
        WRITABLE_STANDARD
            .iter()
            .filter(|n| !immutable.contains(*n))
            .map(|n| n.to_string())
            .collect()
    } else {
        client
            .write_attributes()
            .iter()
            .map(|a| choices.rename.get(a).cloned().unwrap_or_else(|| a.clone()))
            .collect()
    };
    let mut protected: BTreeSet<String> = BTreeSet::new();
    protected.extend(choices.legacy_sub.iter().cloned());
    protected.extend(choices.tenant_attribute.iter().cloned());
    for attribute in choices.shape.sign_in_attributes() {
        if choices.shape.verifiable().contains(attribute) {
            protected.insert(format!("{attribute}_verified"));
        } else {
            protected.insert((*attribute).to_string());
        }
    }
    listed.into_iter().partition(|a| !protected.contains(a))
}

#[allow(clippy::too_many_arguments)]
fn app_client(
    old: &PoolConfiguration,
    choices: &Choices,
    window: Window,
    client: &UserPoolClientType,
    providers: &BTreeMap<String, String>,
    servers: &[String],
    report: &mut Vec<String>,
) -> Value {
    let name = client.client_name().unwrap_or_default();
    let mut p = Map::new();
    p.insert("ClientName".into(), json!(name));
    p.insert("UserPoolId".into(), reference(POOL));
    let secret = client.client_secret().is_some();
    p.insert("GenerateSecret".into(), json!(secret));
    if secret {
        report.push(format!(
            "client {name}: a client secret cannot be carried; the new client gets a new one \
             (GenerateSecret): give it to the apps"
        ));
    }
    p.insert("ExplicitAuthFlows".into(), strings(flows(client, window)));
    p.insert("PreventUserExistenceErrors".into(), json!("ENABLED"));
    if client.refresh_token_validity() > 0 {
        p.insert(
            "RefreshTokenValidity".into(),
            json!(client.refresh_token_validity()),
        );
    }
    insert_some(
        &mut p,
        "AccessTokenValidity",
        client.access_token_validity().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "IdTokenValidity",
        client.id_token_validity().map(|v| json!(v)),
    );
    if let Some(units) = client.token_validity_units() {
        let mut u = Map::new();
        insert_some(
            &mut u,
            "AccessToken",
            units.access_token().map(|v| json!(v.as_str())),
        );
        insert_some(
            &mut u,
            "IdToken",
            units.id_token().map(|v| json!(v.as_str())),
        );
        insert_some(
            &mut u,
            "RefreshToken",
            units.refresh_token().map(|v| json!(v.as_str())),
        );
        if !u.is_empty() {
            p.insert("TokenValidityUnits".into(), Value::Object(u));
        }
    }
    insert_some(
        &mut p,
        "AuthSessionValidity",
        client.auth_session_validity().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "ReadAttributes",
        nonempty_strings(
            client
                .read_attributes()
                .iter()
                .map(|a| choices.rename.get(a).unwrap_or(a)),
        ),
    );
    let (writable, removed) = write_attributes(old, choices, client);
    if !removed.is_empty() {
        report.push(format!(
            "client {name}: not writable in the new pool: {} (the migration trusts them, or they \
             sign in)",
            removed.join(", ")
        ));
    }
    if writable.is_empty() {
        report.push(format!(
            "client {name}: writes no attribute; an empty WriteAttributes reads as unset (every \
             standard attribute): check the created client"
        ));
    }
    insert_some(&mut p, "WriteAttributes", nonempty_strings(&writable));
    insert_some(
        &mut p,
        "CallbackURLs",
        nonempty_strings(client.callback_urls()),
    );
    insert_some(&mut p, "LogoutURLs", nonempty_strings(client.logout_urls()));
    insert_some(
        &mut p,
        "DefaultRedirectURI",
        client.default_redirect_uri().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "AllowedOAuthFlows",
        nonempty_strings(client.allowed_o_auth_flows().iter().map(|f| f.as_str())),
    );
    insert_some(
        &mut p,
        "AllowedOAuthScopes",
        nonempty_strings(client.allowed_o_auth_scopes()),
    );
    if client.allowed_o_auth_flows_user_pool_client() == Some(true) {
        p.insert("AllowedOAuthFlowsUserPoolClient".into(), json!(true));
    }
    insert_some(
        &mut p,
        "SupportedIdentityProviders",
        nonempty_strings(client.supported_identity_providers()),
    );
    insert_some(
        &mut p,
        "EnableTokenRevocation",
        client.enable_token_revocation().map(|v| json!(v)),
    );
    insert_some(
        &mut p,
        "EnablePropagateAdditionalUserContextData",
        client
            .enable_propagate_additional_user_context_data()
            .map(|v| json!(v)),
    );
    if client.analytics_configuration().is_some() {
        report.push(format!(
            "client {name}: its Pinpoint analytics configuration is not carried (it names an \
             application and a role): set AnalyticsConfiguration yourself"
        ));
    }
    let mut depends: Vec<String> = client
        .supported_identity_providers()
        .iter()
        .filter_map(|p| providers.get(p).cloned())
        .collect();
    if client
        .allowed_o_auth_scopes()
        .iter()
        .any(|s| s.contains('/'))
    {
        depends.extend(servers.iter().cloned());
    }
    let mut resource =
        json!({ "Type": "AWS::Cognito::UserPoolClient", "Properties": Value::Object(p) });
    if !depends.is_empty() {
        resource["DependsOn"] = strings(depends);
    }
    resource
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, EmailMfaConfigType, IdentityProviderTypeType,
        StringAttributeConstraintsType, UserPoolType,
    };

    fn attribute(name: &str, kind: AttributeDataType, mutable: bool) -> SchemaAttributeType {
        SchemaAttributeType::builder()
            .name(name)
            .attribute_data_type(kind)
            .mutable(mutable)
            .build()
    }

    fn old_pool() -> PoolConfiguration {
        PoolConfiguration {
            pool: UserPoolType::builder()
                .id("us-east-1_old")
                .name("old")
                .schema_attributes(
                    SchemaAttributeType::builder()
                        .name("sub")
                        .attribute_data_type(AttributeDataType::String)
                        .mutable(false)
                        .required(true)
                        .build(),
                )
                .schema_attributes(
                    SchemaAttributeType::builder()
                        .name("custom:tenant")
                        .attribute_data_type(AttributeDataType::String)
                        .mutable(true)
                        .string_attribute_constraints(
                            StringAttributeConstraintsType::builder()
                                .min_length("1")
                                .max_length("32")
                                .build(),
                        )
                        .build(),
                )
                .schema_attributes(attribute(
                    "dev:custom:internal",
                    AttributeDataType::Number,
                    true,
                ))
                .schema_attributes(attribute("custom:plan", AttributeDataType::String, true))
                .build(),
            mfa: GetUserPoolMfaConfigOutput::builder().build(),
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
        old.pool = UserPoolType::builder()
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
    fn email_mfa_on_a_lite_pool_raises_the_plan_to_essentials() {
        let mut old = old_pool();
        old.pool = UserPoolType::builder()
            .id("us-east-1_old")
            .user_pool_tier(UserPoolTierType::Lite)
            .build();
        old.mfa = GetUserPoolMfaConfigOutput::builder()
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
