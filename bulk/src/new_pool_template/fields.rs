//! The field-by-field account of `new-pool`, kept true by tests: every field of what the reader
//! gets from the old pool (`DescribeUserPool`, `GetUserPoolMfaConfig`, `DescribeUserPoolClient`,
//! `DescribeIdentityProvider`, `ListGroups`, `ListResourceServers`) and of a domain
//! (`DescribeUserPoolDomain`), with what the new pool does with it.
//!
//! Three checks hold the account to the code and to `docs/new-pool-fields.md`:
//! - the SDK's own field list (its `Debug` output of an empty value) names exactly the fields
//!   listed here, so a field a new SDK adds fails the build's tests until it is given a fate;
//! - an old pool with every field set is built into templates, and each fate leaves its mark:
//!   a carried or set field its property, a parameter its parameter, a reported field its line;
//! - the doc's tables list the same fields with the same fates.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::*;

use super::reader::PoolConfiguration;
use super::template::{Choices, NewPoolTemplates, build};

/// What the new pool does with one field of the old pool's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// The old value goes into this property of the resource (maybe filtered or raised, as
    /// the doc says).
    Carried(&'static str),
    /// The property is set by construction (the sign-in shape, the window's rules).
    Set(&'static str),
    /// A template parameter whose default, where there is one, is the old value.
    Parameter(&'static str),
    /// Not carried; the report has a line containing this text whenever the field is set.
    Reported(&'static str),
    /// AWS's own (ids, dates, state, counts): never a setting of a pool.
    NotCarried,
}

impl Fate {
    /// The word the doc's tables use.
    fn word(self) -> &'static str {
        match self {
            Fate::Carried(_) => "carried",
            Fate::Set(_) => "set",
            Fate::Parameter(_) => "parameter",
            Fate::Reported(_) => "reported",
            Fate::NotCarried => "not carried",
        }
    }
}

use Fate::{Carried, NotCarried, Parameter, Reported, Set};

/// `DescribeUserPool`'s `UserPool`.
const USER_POOL: &[(&str, Fate)] = &[
    ("Id", NotCarried),
    ("Name", Parameter("UserPoolName")),
    ("Policies", Carried("Policies")),
    ("DeletionProtection", Set("DeletionProtection")),
    ("LambdaConfig", Set("LambdaConfig")),
    ("Status", NotCarried),
    ("LastModifiedDate", NotCarried),
    ("CreationDate", NotCarried),
    ("SchemaAttributes", Carried("Schema")),
    ("AutoVerifiedAttributes", Carried("AutoVerifiedAttributes")),
    ("AliasAttributes", Set("AliasAttributes")),
    ("UsernameAttributes", Set("UsernameAttributes")),
    ("SmsVerificationMessage", Carried("SmsVerificationMessage")),
    (
        "EmailVerificationMessage",
        Carried("EmailVerificationMessage"),
    ),
    (
        "EmailVerificationSubject",
        Carried("EmailVerificationSubject"),
    ),
    (
        "VerificationMessageTemplate",
        Carried("VerificationMessageTemplate"),
    ),
    (
        "SmsAuthenticationMessage",
        Carried("SmsAuthenticationMessage"),
    ),
    (
        "UserAttributeUpdateSettings",
        Carried("UserAttributeUpdateSettings"),
    ),
    ("MfaConfiguration", Carried("MfaConfiguration")),
    ("DeviceConfiguration", Carried("DeviceConfiguration")),
    ("EstimatedNumberOfUsers", NotCarried),
    ("EmailConfiguration", Carried("EmailConfiguration")),
    ("SmsConfiguration", Carried("SmsConfiguration")),
    ("UserPoolTags", Carried("UserPoolTags")),
    (
        "SmsConfigurationFailure",
        Reported("SmsConfiguration: the old pool reports it failing"),
    ),
    (
        "EmailConfigurationFailure",
        Reported("EmailConfiguration: the old pool reports it failing"),
    ),
    ("Domain", Parameter("DomainPrefix")),
    ("CustomDomain", Reported("custom domain")),
    ("AdminCreateUserConfig", Carried("AdminCreateUserConfig")),
    ("UserPoolAddOns", Carried("UserPoolAddOns")),
    ("UsernameConfiguration", Set("UsernameConfiguration")),
    ("Arn", NotCarried),
    ("AccountRecoverySetting", Carried("AccountRecoverySetting")),
    ("UserPoolTier", Carried("UserPoolTier")),
    ("KeyConfiguration", Carried("KeyConfiguration")),
    ("IssuerConfiguration", Carried("IssuerConfiguration")),
    ("AcrConfiguration", Reported("AcrConfiguration")),
];

/// `GetUserPoolMfaConfig`'s answer (it lands in the pool's properties).
const MFA_CONFIG: &[(&str, Fate)] = &[
    ("SmsMfaConfiguration", Carried("EnabledMfas")),
    ("SoftwareTokenMfaConfiguration", Carried("EnabledMfas")),
    (
        "EmailMfaConfiguration",
        Carried("EmailAuthenticationMessage"),
    ),
    ("MfaConfiguration", Carried("MfaConfiguration")),
    ("WebAuthnConfiguration", Carried("WebAuthnRelyingPartyID")),
];

/// `DescribeUserPoolClient`'s `UserPoolClient`.
const USER_POOL_CLIENT: &[(&str, Fate)] = &[
    ("UserPoolId", Set("UserPoolId")),
    ("ClientName", Carried("ClientName")),
    ("ClientId", NotCarried),
    (
        "ClientSecret",
        Reported("a client secret cannot be carried"),
    ),
    ("LastModifiedDate", NotCarried),
    ("CreationDate", NotCarried),
    ("RefreshTokenValidity", Carried("RefreshTokenValidity")),
    ("AccessTokenValidity", Carried("AccessTokenValidity")),
    ("IdTokenValidity", Carried("IdTokenValidity")),
    ("TokenValidityUnits", Carried("TokenValidityUnits")),
    ("ReadAttributes", Carried("ReadAttributes")),
    ("WriteAttributes", Set("WriteAttributes")),
    ("ExplicitAuthFlows", Set("ExplicitAuthFlows")),
    (
        "SupportedIdentityProviders",
        Carried("SupportedIdentityProviders"),
    ),
    ("CallbackURLs", Carried("CallbackURLs")),
    ("LogoutURLs", Carried("LogoutURLs")),
    ("DefaultRedirectURI", Carried("DefaultRedirectURI")),
    ("AllowedOAuthFlows", Carried("AllowedOAuthFlows")),
    ("AllowedOAuthScopes", Carried("AllowedOAuthScopes")),
    (
        "AllowedOAuthFlowsUserPoolClient",
        Carried("AllowedOAuthFlowsUserPoolClient"),
    ),
    ("AnalyticsConfiguration", Reported("Pinpoint analytics")),
    (
        "PreventUserExistenceErrors",
        Set("PreventUserExistenceErrors"),
    ),
    ("EnableTokenRevocation", Carried("EnableTokenRevocation")),
    (
        "EnablePropagateAdditionalUserContextData",
        Carried("EnablePropagateAdditionalUserContextData"),
    ),
    ("AuthSessionValidity", Carried("AuthSessionValidity")),
    ("RefreshTokenRotation", Carried("RefreshTokenRotation")),
];

/// `DescribeIdentityProvider`'s `IdentityProvider`.
const IDENTITY_PROVIDER: &[(&str, Fate)] = &[
    ("UserPoolId", Set("UserPoolId")),
    ("ProviderName", Carried("ProviderName")),
    ("ProviderType", Carried("ProviderType")),
    ("ProviderDetails", Carried("ProviderDetails")),
    ("AttributeMapping", Carried("AttributeMapping")),
    ("IdpIdentifiers", Carried("IdpIdentifiers")),
    ("AcrMapping", Reported("AcrMapping")),
    ("LastModifiedDate", NotCarried),
    ("CreationDate", NotCarried),
];

/// `ListGroups`' groups (what `GetGroup` says too).
const GROUP: &[(&str, Fate)] = &[
    ("GroupName", Carried("GroupName")),
    ("UserPoolId", Set("UserPoolId")),
    ("Description", Carried("Description")),
    ("RoleArn", Carried("RoleArn")),
    ("Precedence", Carried("Precedence")),
    ("LastModifiedDate", NotCarried),
    ("CreationDate", NotCarried),
];

/// `ListResourceServers`' resource servers.
const RESOURCE_SERVER: &[(&str, Fate)] = &[
    ("UserPoolId", Set("UserPoolId")),
    ("Identifier", Carried("Identifier")),
    ("Name", Carried("Name")),
    ("Scopes", Carried("Scopes")),
];

/// `DescribeUserPoolDomain`'s `DomainDescription`: not read (the pool's `Domain` and
/// `CustomDomain` name the domains), each field accounted for all the same.
const DOMAIN: &[(&str, Fate)] = &[
    ("UserPoolId", Set("UserPoolId")),
    ("AWSAccountId", NotCarried),
    ("Domain", Parameter("DomainPrefix")),
    ("S3Bucket", NotCarried),
    ("CloudFrontDistribution", NotCarried),
    ("Version", NotCarried),
    ("Status", NotCarried),
    (
        "CustomDomainConfig",
        Reported("CustomDomainConfig.CertificateArn"),
    ),
    ("ManagedLoginVersion", Reported("managed login branding")),
    ("Routing", NotCarried),
];

/// One table: its heading's type name, the SDK's field names, the fates, and the resource of
/// the built template its properties are looked for in.
struct Table {
    sdk_type: &'static str,
    sdk_fields: Vec<String>,
    fields: &'static [(&'static str, Fate)],
    resource: &'static str,
}

/// The field names of an SDK type, from its `Debug` output of an empty value.
fn sdk_fields(debug: String) -> Vec<String> {
    let inner = debug
        .split_once('{')
        .and_then(|(_, rest)| rest.rsplit_once('}'))
        .map(|(fields, _)| fields)
        .unwrap_or_default();
    inner
        .split(", ")
        .filter_map(|part| {
            part.split_once(':')
                .map(|(name, _)| name.trim().to_string())
        })
        .filter(|name| !name.starts_with('_'))
        .collect()
}

/// A name with case and underscores gone: `callback_urls` and `CallbackURLs` meet.
fn plain(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn tables() -> Vec<Table> {
    vec![
        Table {
            sdk_type: "UserPoolType",
            sdk_fields: sdk_fields(format!("{:?}", UserPoolType::builder().build())),
            fields: USER_POOL,
            resource: "UserPool",
        },
        Table {
            sdk_type: "GetUserPoolMfaConfigOutput",
            sdk_fields: sdk_fields(format!(
                "{:?}",
                GetUserPoolMfaConfigOutput::builder().build()
            )),
            fields: MFA_CONFIG,
            resource: "UserPool",
        },
        Table {
            sdk_type: "UserPoolClientType",
            sdk_fields: sdk_fields(format!("{:?}", UserPoolClientType::builder().build())),
            fields: USER_POOL_CLIENT,
            resource: "Client1web",
        },
        Table {
            sdk_type: "IdentityProviderType",
            sdk_fields: sdk_fields(format!("{:?}", IdentityProviderType::builder().build())),
            fields: IDENTITY_PROVIDER,
            resource: "Provider1Corp",
        },
        Table {
            sdk_type: "GroupType",
            sdk_fields: sdk_fields(format!("{:?}", GroupType::builder().build())),
            fields: GROUP,
            resource: "Group1admins",
        },
        Table {
            sdk_type: "ResourceServerType",
            sdk_fields: sdk_fields(format!("{:?}", ResourceServerType::builder().build())),
            fields: RESOURCE_SERVER,
            resource: "ResourceServer1API",
        },
        Table {
            sdk_type: "DomainDescriptionType",
            sdk_fields: sdk_fields(format!("{:?}", DomainDescriptionType::builder().build())),
            fields: DOMAIN,
            resource: "UserPoolDomain",
        },
    ]
}

/// An old pool with every field of every table set (a custom domain, a trigger, a client with
/// a secret and analytics, a SAML provider with an ACR mapping, ...).
fn full_old_pool(with_verification_template: bool) -> PoolConfiguration {
    let mut pool = UserPoolType::builder()
        .id("us-east-1_full")
        .name("full")
        .arn("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_full")
        .estimated_number_of_users(3)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_symbols(true)
                        .build(),
                )
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Inactive)
        .lambda_config(
            LambdaConfigType::builder()
                .custom_message("arn:aws:lambda:us-east-1:123456789012:function:messages")
                .build(),
        )
        .schema_attributes(
            SchemaAttributeType::builder()
                .name("custom:tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .alias_attributes(AliasAttributeType::Email)
        .sms_verification_message("SMS {####}")
        .email_verification_message("Mail {####}")
        .email_verification_subject("Your code")
        .sms_authentication_message("MFA {####}")
        .user_attribute_update_settings(
            UserAttributeUpdateSettingsType::builder()
                .attributes_require_verification_before_update(VerifiedAttributeType::Email)
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .build(),
        )
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
                .build(),
        )
        .user_pool_tags("team", "identity")
        .sms_configuration_failure("no SNS role")
        .email_configuration_failure("SES sandbox")
        .domain("old-prefix")
        .custom_domain("auth.example.com")
        .admin_create_user_config(
            AdminCreateUserConfigType::builder()
                .allow_admin_create_user_only(true)
                .build(),
        )
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .build()
                .expect("add-ons"),
        )
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .expect("username configuration"),
        )
        .account_recovery_setting(
            AccountRecoverySettingType::builder()
                .recovery_mechanisms(
                    RecoveryOptionType::builder()
                        .name(RecoveryOptionNameType::VerifiedEmail)
                        .priority(1)
                        .build()
                        .expect("recovery"),
                )
                .build(),
        )
        .user_pool_tier(UserPoolTierType::Plus)
        .key_configuration(
            KeyConfigurationType::builder()
                .key_type(EncryptionKeyType::CustomerManagedKey)
                .kms_key_arn("arn:aws:kms:us-east-1:123456789012:key/k")
                .build(),
        )
        .issuer_configuration(
            IssuerConfigurationType::builder()
                .r#type(IssuerType::Original)
                .build(),
        )
        .acr_configuration(
            "level1",
            AcrLevelConfigType::builder()
                .acr_value("urn:acr:1")
                .build()
                .expect("acr"),
        );
    if with_verification_template {
        pool = pool.verification_message_template(
            VerificationMessageTemplateType::builder()
                .email_message("Template {####}")
                .build(),
        );
    }
    PoolConfiguration {
        pool: pool.build(),
        mfa: GetUserPoolMfaConfigOutput::builder()
            .mfa_configuration(UserPoolMfaType::Optional)
            .sms_mfa_configuration(
                SmsMfaConfigType::builder()
                    .sms_authentication_message("MFA {####}")
                    .build(),
            )
            .software_token_mfa_configuration(
                SoftwareTokenMfaConfigType::builder().enabled(true).build(),
            )
            .email_mfa_configuration(EmailMfaConfigType::builder().message("{####}").build())
            .web_authn_configuration(
                WebAuthnConfigurationType::builder()
                    .relying_party_id("auth.example.com")
                    .build(),
            )
            .build(),
        clients: vec![
            UserPoolClientType::builder()
                .user_pool_id("us-east-1_full")
                .client_name("web")
                .client_id("old-web")
                .client_secret("old-secret")
                .refresh_token_validity(30)
                .access_token_validity(1)
                .id_token_validity(1)
                .token_validity_units(
                    TokenValidityUnitsType::builder()
                        .access_token(TimeUnitsType::Hours)
                        .build(),
                )
                .read_attributes("email")
                .write_attributes("email")
                .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserSrpAuth)
                .supported_identity_providers("Corp")
                .callback_urls("https://app.example/cb")
                .logout_urls("https://app.example/bye")
                .default_redirect_uri("https://app.example/cb")
                .allowed_o_auth_flows(OAuthFlowType::Code)
                .allowed_o_auth_scopes("openid")
                .allowed_o_auth_flows_user_pool_client(true)
                .analytics_configuration(
                    AnalyticsConfigurationType::builder()
                        .application_id("pinpoint")
                        .build(),
                )
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
                .enable_token_revocation(true)
                .enable_propagate_additional_user_context_data(false)
                .auth_session_validity(5)
                .refresh_token_rotation(
                    RefreshTokenRotationType::builder()
                        .feature(FeatureType::Disabled)
                        .build()
                        .expect("rotation"),
                )
                .build(),
        ],
        groups: vec![
            GroupType::builder()
                .group_name("admins")
                .user_pool_id("us-east-1_full")
                .description("Administrators")
                .role_arn("arn:aws:iam::123456789012:role/admins")
                .precedence(1)
                .build(),
        ],
        providers: vec![
            IdentityProviderType::builder()
                .user_pool_id("us-east-1_full")
                .provider_name("Corp")
                .provider_type(IdentityProviderTypeType::Saml)
                .provider_details("MetadataURL", "https://idp.example/metadata")
                .attribute_mapping("email", "mail")
                .idp_identifiers("example.com")
                .acr_mapping("level1", "urn:acr:1")
                .build(),
        ],
        resource_servers: vec![
            ResourceServerType::builder()
                .user_pool_id("us-east-1_full")
                .identifier("api")
                .name("API")
                .scopes(
                    ResourceServerScopeType::builder()
                        .scope_name("read")
                        .scope_description("Read")
                        .build()
                        .expect("scope"),
                )
                .build(),
        ],
    }
}

/// The templates of the full old pool, with and without a verification template, for a
/// user-name shape and for an e-mail shape: every fate shows in at least one of them.
fn full_builds() -> Vec<NewPoolTemplates> {
    let choices = |shape: &str| Choices {
        shape: shape.parse().expect("shape"),
        case_sensitive: false,
        legacy_sub: Some("custom:legacy_sub".into()),
        tenant_attribute: None,
        rename: BTreeMap::new(),
    };
    vec![
        build(&full_old_pool(true), &choices("email")),
        build(&full_old_pool(false), &choices("username+email")),
    ]
}

/// The doc's table for `sdk_type`: each row's field and fate word.
fn doc_table(doc: &str, sdk_type: &str) -> Vec<(String, String)> {
    let heading = format!("(`{sdk_type}`)");
    let section = doc
        .split("\n## ")
        .find(|s| s.lines().next().is_some_and(|h| h.contains(&heading)))
        .unwrap_or_else(|| panic!("docs/new-pool-fields.md has no section headed ... {heading}"));
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].trim_matches('`').to_string(), cells[2].to_string())
        })
        .collect()
}

#[test]
fn every_sdk_field_has_a_fate_and_every_fate_names_a_field() {
    for table in tables() {
        let sdk: BTreeSet<String> = table.sdk_fields.iter().map(|f| plain(f)).collect();
        let listed: BTreeSet<String> = table.fields.iter().map(|(f, _)| plain(f)).collect();
        assert!(!sdk.is_empty(), "no fields read from {}", table.sdk_type);
        assert_eq!(
            sdk.difference(&listed).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "fields of {} without a fate in new_pool_template/fields.rs (and \
             docs/new-pool-fields.md): carry them, make them a parameter or report them",
            table.sdk_type
        );
        assert_eq!(
            listed.difference(&sdk).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "fields listed for {} that the SDK does not have",
            table.sdk_type
        );
    }
}

#[test]
fn every_fate_leaves_its_mark_on_the_templates_of_a_pool_with_every_field_set() {
    let builds = full_builds();
    let mut missing = Vec::new();
    for table in tables() {
        for (field, fate) in table.fields {
            let shows = builds.iter().any(|b| {
                let properties = &b.during["Resources"][table.resource]["Properties"];
                match fate {
                    Carried(property) | Set(property) => {
                        properties.get(*property).is_some_and(|v| !v.is_null())
                    }
                    Parameter(parameter) => b.during["Parameters"].get(*parameter).is_some(),
                    Reported(text) => b.report.iter().any(|l| l.contains(text)),
                    NotCarried => true,
                }
            });
            if !shows {
                missing.push(format!("{}.{field}: {fate:?}", table.sdk_type));
            }
        }
    }
    assert_eq!(missing, Vec::<String>::new());
}

#[test]
fn the_doc_lists_every_field_with_its_fate() {
    let doc = include_str!("../../../docs/new-pool-fields.md");
    for table in tables() {
        let documented = doc_table(doc, table.sdk_type);
        let listed: Vec<(String, String)> = table
            .fields
            .iter()
            .map(|(f, fate)| (f.to_string(), fate.word().to_string()))
            .collect();
        assert_eq!(
            documented, listed,
            "docs/new-pool-fields.md's table for {} disagrees with new_pool_template/fields.rs \
             (same fields, same order, same fate)",
            table.sdk_type
        );
    }
}
