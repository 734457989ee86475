//! The `AWS::Cognito::UserPool` resource: sign-in shape, schema, policies, MFA, feature plan,
//! triggers, messages and domain, with the report lines of what cannot be carried.

use super::*;

/// The `AWS::Cognito::UserPool`: the chosen sign-in shape, the e-mail/phone it signs in with
/// auto-verified and held back until verified, everything else as the old pool.
pub(super) fn user_pool(
    old: &PoolConfiguration,
    choices: &Choices,
    window: Window,
    parts: &mut Parts,
    report: &mut Vec<String>,
) -> Value {
    let pool = &old.settings.pool;
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
    // The old pool's holds stay (each is auto-verified there, so it is here too), and the
    // e-mail/phone the new shape signs in with join them.
    let held: BTreeSet<&str> = pool
        .user_attribute_update_settings()
        .map(|s| s.attributes_require_verification_before_update())
        .unwrap_or_default()
        .iter()
        .map(|a| a.as_str())
        .chain(choices.shape.verifiable())
        .filter(|a| verified.contains(*a))
        .collect();
    if let Some(held) = nonempty_strings(held) {
        p.insert(
            "UserAttributeUpdateSettings".into(),
            json!({ "AttributesRequireVerificationBeforeUpdate": held }),
        );
    }
    p.insert("Schema".into(), Value::Array(schema(pool, choices, report)));
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
            insert_some(
                &mut a,
                "InviteMessageTemplate",
                set_fields([
                    ("EmailMessage", invite.email_message().map(|v| json!(v))),
                    ("EmailSubject", invite.email_subject().map(|v| json!(v))),
                    ("SMSMessage", invite.sms_message().map(|v| json!(v))),
                ]),
            );
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
        let mut a = Map::new();
        a.insert(
            "AdvancedSecurityMode".into(),
            json!(addons.advanced_security_mode().as_str()),
        );
        if let Some(flows) = addons.advanced_security_additional_flows() {
            insert_some(
                &mut a,
                "AdvancedSecurityAdditionalFlows",
                flows
                    .custom_auth_mode()
                    .map(|m| json!({ "CustomAuthMode": m.as_str() })),
            );
        }
        p.insert("UserPoolAddOns".into(), Value::Object(a));
        report.push(
            "threat protection: the mode is carried; its risk configuration (compromised \
             credentials, adaptive authentication, IP lists) is not read: copy it with \
             SetRiskConfiguration after the stack is created"
                .into(),
        );
    }
    encryption(old, &mut p, parts);
    if let Some(issuer) = pool.issuer_configuration().and_then(|i| i.r#type()) {
        p.insert(
            "IssuerConfiguration".into(),
            json!({ "Type": issuer.as_str() }),
        );
    }
    if pool.acr_configuration().is_some_and(|a| !a.is_empty()) {
        report.push(
            "AcrConfiguration: the old pool's ACR level names are not a CloudFormation property: \
             set them with UpdateUserPool after the stack is created, if they were customized"
                .into(),
        );
    }
    for (setting, failure) in [
        ("SmsConfiguration", pool.sms_configuration_failure()),
        ("EmailConfiguration", pool.email_configuration_failure()),
    ] {
        if let Some(failure) = failure {
            report.push(format!(
                "{setting}: the old pool reports it failing ({failure}); the new pool gets the \
                 same settings, so fix them (or their parameters) before the window"
            ));
        }
    }
    if let Some(tags) = pool.user_pool_tags().filter(|t| !t.is_empty()) {
        let tags: BTreeMap<&String, &String> = tags.iter().collect();
        p.insert("UserPoolTags".into(), json!(tags));
    }
    json!({ "Type": "AWS::Cognito::UserPool", "Properties": Value::Object(p) })
}

/// The key the pool encrypts with: its type, and a customer key as the `KmsKeyArn` parameter
/// (it names another resource) whose default is the old pool's.
pub(super) fn encryption(old: &PoolConfiguration, p: &mut Map<String, Value>, parts: &mut Parts) {
    let Some(key) = old.settings.pool.key_configuration() else {
        return;
    };
    let mut k = Map::new();
    insert_some(&mut k, "KeyType", key.key_type().map(|t| json!(t.as_str())));
    if let Some(arn) = key.kms_key_arn() {
        parts.parameters.insert(
            "KmsKeyArn".into(),
            json!({ "Type": "String", "Default": arn, "Description": "The KMS key the pool encrypts with (the old pool's by default)." }),
        );
        k.insert("KmsKeyArn".into(), reference("KmsKeyArn"));
    }
    if !k.is_empty() {
        p.insert("KeyConfiguration".into(), Value::Object(k));
    }
}

/// Every custom attribute of the old pool, its required standard attributes, the legacy id and
/// the mapping's renamed custom attributes. Names go without `custom:`, as `Schema` wants them.
pub(super) fn schema(
    old: &UserPoolType,
    choices: &Choices,
    report: &mut Vec<String>,
) -> Vec<Value> {
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
        let string = attribute.string_attribute_constraints();
        let number = attribute.number_attribute_constraints();
        for (key, bounds) in [
            (
                "StringAttributeConstraints",
                string.map(|c| [("MinLength", c.min_length()), ("MaxLength", c.max_length())]),
            ),
            (
                "NumberAttributeConstraints",
                number.map(|c| [("MinValue", c.min_value()), ("MaxValue", c.max_value())]),
            ),
        ] {
            let bounds = bounds.map(|b| b.map(|(bound, v)| (bound, v.map(|v| json!(v)))));
            insert_some(&mut e, key, bounds.and_then(set_fields));
        }
        entries.push(Value::Object(e));
    }
    for attribute in reader::required_standard_attributes(old) {
        let name = attribute.name().unwrap_or_default();
        // `sub` is AWS's own (required, immutable): a pool never declares it.
        if name != "sub" {
            push(&mut entries, &mut names, name, attribute, false);
        }
    }
    for custom in reader::custom_attributes(old) {
        let renamed = choices
            .rename
            .get(&format!("{CUSTOM_PREFIX}{}", custom.short))
            .and_then(|new| new.strip_prefix(CUSTOM_PREFIX))
            .unwrap_or(custom.short);
        push(
            &mut entries,
            &mut names,
            renamed,
            custom.attribute,
            custom.developer,
        );
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
pub(super) fn mfa(old: &PoolConfiguration, p: &mut Map<String, Value>, report: &mut Vec<String>) {
    let config = &old.settings.mfa;
    let mode = config
        .mfa_configuration()
        .cloned()
        .unwrap_or(UserPoolMfaType::Off);
    p.insert("MfaConfiguration".into(), json!(mode.as_str()));
    let mut enabled = Vec::new();
    if config.sms_mfa_configuration().is_some() {
        enabled.push("SMS_MFA");
    }
    // DescribeUserPool says the same message as GetUserPoolMfaConfig's SMS configuration.
    insert_some(
        p,
        "SmsAuthenticationMessage",
        config
            .sms_mfa_configuration()
            .and_then(|s| s.sms_authentication_message())
            .or(old.settings.pool.sms_authentication_message())
            .map(|m| json!(m)),
    );
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
        insert_some(
            p,
            "WebAuthnFactorConfiguration",
            web.factor_configuration().map(|v| json!(v.as_str())),
        );
        report.push(
            "passkeys: the relying party is carried; passkeys themselves cannot move (users \
             register them again)"
                .into(),
        );
    }
}

/// The old pool's feature plan, raised to what its users sign in with.
pub(super) fn tier(old: &PoolConfiguration, report: &mut Vec<String>) -> UserPoolTierType {
    let old_tier = old
        .settings
        .pool
        .user_pool_tier()
        .cloned()
        .unwrap_or(UserPoolTierType::Essentials);
    let threat = old
        .settings
        .pool
        .user_pool_add_ons()
        .is_some_and(|a| a.advanced_security_mode() != &AdvancedSecurityModeType::Off);
    if threat && old_tier != UserPoolTierType::Plus {
        report.push("feature plan: PLUS, for the old pool's threat protection".into());
        return UserPoolTierType::Plus;
    }
    let needs_essentials = !crate::pools::passwordless_first_factors(&old.settings.pool).is_empty()
        || old.settings.mfa.email_mfa_configuration().is_some();
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
pub(super) fn lambda_config(
    parts: &mut Parts,
    self_sign_up: bool,
    report: &mut Vec<String>,
) -> Value {
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
pub(super) fn old_triggers(old: &PoolConfiguration, report: &mut Vec<String>) {
    let Some(config) = old.settings.pool.lambda_config() else {
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
        (
            "PreTokenGeneration",
            config
                .pre_token_generation()
                .or(config.pre_token_generation_config().map(|c| c.lambda_arn())),
        ),
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
        (
            "InboundFederation",
            config.inbound_federation().map(|s| s.lambda_arn()),
        ),
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
pub(super) fn messages(
    old: &PoolConfiguration,
    p: &mut Map<String, Value>,
    verified: &BTreeSet<String>,
    parts: &mut Parts,
    report: &mut Vec<String>,
) {
    let pool = &old.settings.pool;
    if let Some(t) = pool.verification_message_template() {
        let option = t.default_email_option().map(|v| json!(v.as_str()));
        let messages = [
            ("EmailMessage", t.email_message()),
            ("EmailSubject", t.email_subject()),
            ("EmailMessageByLink", t.email_message_by_link()),
            ("EmailSubjectByLink", t.email_subject_by_link()),
            ("SmsMessage", t.sms_message()),
        ]
        .map(|(key, value)| (key, value.map(|v| json!(v))));
        insert_some(
            p,
            "VerificationMessageTemplate",
            set_fields([("DefaultEmailOption", option)].into_iter().chain(messages)),
        );
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
    let needs_sms =
        verified.contains("phone_number") || old.settings.mfa.sms_mfa_configuration().is_some();
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
        if sms.is_some_and(|s| s.eums_sms().is_some()) {
            report.push(
                "SmsConfiguration.EumsSms: the old pool's End User Messaging SMS settings name \
                 its origination identity and role; they are not carried: add EumsSms yourself"
                    .into(),
            );
        }
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
pub(super) fn domain(old: &PoolConfiguration, parts: &mut Parts, report: &mut Vec<String>) {
    let pool = &old.settings.pool;
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
