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
use serde_json::Value;

use super::fixtures::{required_string, string_of_length};
use super::reader::{PoolConfiguration, PoolSettings};
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

/// `Policies` (`UserPoolPolicyType`).
const POLICIES: &[(&str, Fate)] = &[
    ("PasswordPolicy", Carried("Policies.PasswordPolicy")),
    ("SignInPolicy", Carried("Policies.SignInPolicy")),
];

/// `Policies.PasswordPolicy` (`PasswordPolicyType`).
const PASSWORD_POLICY: &[(&str, Fate)] = &[
    (
        "MinimumLength",
        Carried("Policies.PasswordPolicy.MinimumLength"),
    ),
    (
        "RequireUppercase",
        Carried("Policies.PasswordPolicy.RequireUppercase"),
    ),
    (
        "RequireLowercase",
        Carried("Policies.PasswordPolicy.RequireLowercase"),
    ),
    (
        "RequireNumbers",
        Carried("Policies.PasswordPolicy.RequireNumbers"),
    ),
    (
        "RequireSymbols",
        Carried("Policies.PasswordPolicy.RequireSymbols"),
    ),
    (
        "PasswordHistorySize",
        Carried("Policies.PasswordPolicy.PasswordHistorySize"),
    ),
    (
        "TemporaryPasswordValidityDays",
        Carried("Policies.PasswordPolicy.TemporaryPasswordValidityDays"),
    ),
];

/// `Policies.SignInPolicy` (`SignInPolicyType`).
const SIGN_IN_POLICY: &[(&str, Fate)] = &[(
    "AllowedFirstAuthFactors",
    Carried("Policies.SignInPolicy.AllowedFirstAuthFactors"),
)];

/// The old pool's `LambdaConfig` (`LambdaConfigType`): its functions belong to the old setup.
const LAMBDA_CONFIG: &[(&str, Fate)] = &[
    ("PreSignUp", Reported("trigger PreSignUp of the old pool")),
    (
        "CustomMessage",
        Reported("trigger CustomMessage of the old pool"),
    ),
    (
        "PostConfirmation",
        Reported("trigger PostConfirmation of the old pool"),
    ),
    (
        "PreAuthentication",
        Reported("trigger PreAuthentication of the old pool"),
    ),
    (
        "PostAuthentication",
        Reported("trigger PostAuthentication of the old pool"),
    ),
    (
        "DefineAuthChallenge",
        Reported("trigger DefineAuthChallenge of the old pool"),
    ),
    (
        "CreateAuthChallenge",
        Reported("trigger CreateAuthChallenge of the old pool"),
    ),
    (
        "VerifyAuthChallengeResponse",
        Reported("trigger VerifyAuthChallengeResponse of the old pool"),
    ),
    (
        "PreTokenGeneration",
        Reported("trigger PreTokenGeneration of the old pool"),
    ),
    (
        "UserMigration",
        Reported("trigger UserMigration of the old pool"),
    ),
    (
        "PreTokenGenerationConfig",
        Reported("trigger PreTokenGeneration of the old pool"),
    ),
    (
        "CustomSMSSender",
        Reported("trigger CustomSMSSender of the old pool"),
    ),
    (
        "CustomEmailSender",
        Reported("trigger CustomEmailSender of the old pool"),
    ),
    ("KMSKeyID", Reported("trigger KMSKeyID of the old pool")),
    (
        "InboundFederation",
        Reported("trigger InboundFederation of the old pool"),
    ),
];

/// Each entry of `SchemaAttributes` (`SchemaAttributeType`).
const SCHEMA_ATTRIBUTE: &[(&str, Fate)] = &[
    ("Name", Carried("Schema.Name")),
    ("AttributeDataType", Carried("Schema.AttributeDataType")),
    (
        "DeveloperOnlyAttribute",
        Carried("Schema.DeveloperOnlyAttribute"),
    ),
    ("Mutable", Carried("Schema.Mutable")),
    ("Required", Carried("Schema.Required")),
    (
        "NumberAttributeConstraints",
        Carried("Schema.NumberAttributeConstraints"),
    ),
    (
        "StringAttributeConstraints",
        Carried("Schema.StringAttributeConstraints"),
    ),
];

/// `StringAttributeConstraints` (`StringAttributeConstraintsType`).
const STRING_CONSTRAINTS: &[(&str, Fate)] = &[
    (
        "MinLength",
        Carried("Schema.StringAttributeConstraints.MinLength"),
    ),
    (
        "MaxLength",
        Carried("Schema.StringAttributeConstraints.MaxLength"),
    ),
];

/// `NumberAttributeConstraints` (`NumberAttributeConstraintsType`).
const NUMBER_CONSTRAINTS: &[(&str, Fate)] = &[
    (
        "MinValue",
        Carried("Schema.NumberAttributeConstraints.MinValue"),
    ),
    (
        "MaxValue",
        Carried("Schema.NumberAttributeConstraints.MaxValue"),
    ),
];

/// `VerificationMessageTemplate` (`VerificationMessageTemplateType`).
const VERIFICATION_TEMPLATE: &[(&str, Fate)] = &[
    (
        "SmsMessage",
        Carried("VerificationMessageTemplate.SmsMessage"),
    ),
    (
        "EmailMessage",
        Carried("VerificationMessageTemplate.EmailMessage"),
    ),
    (
        "EmailSubject",
        Carried("VerificationMessageTemplate.EmailSubject"),
    ),
    (
        "EmailMessageByLink",
        Carried("VerificationMessageTemplate.EmailMessageByLink"),
    ),
    (
        "EmailSubjectByLink",
        Carried("VerificationMessageTemplate.EmailSubjectByLink"),
    ),
    (
        "DefaultEmailOption",
        Carried("VerificationMessageTemplate.DefaultEmailOption"),
    ),
];

/// `UserAttributeUpdateSettings` (`UserAttributeUpdateSettingsType`).
const UPDATE_SETTINGS: &[(&str, Fate)] = &[(
    "AttributesRequireVerificationBeforeUpdate",
    Carried("UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate"),
)];

/// `DeviceConfiguration` (`DeviceConfigurationType`).
const DEVICE_CONFIGURATION: &[(&str, Fate)] = &[
    (
        "ChallengeRequiredOnNewDevice",
        Carried("DeviceConfiguration.ChallengeRequiredOnNewDevice"),
    ),
    (
        "DeviceOnlyRememberedOnUserPrompt",
        Carried("DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt"),
    ),
];

/// `EmailConfiguration` (`EmailConfigurationType`).
const EMAIL_CONFIGURATION: &[(&str, Fate)] = &[
    ("SourceArn", Parameter("EmailSourceArn")),
    (
        "ReplyToEmailAddress",
        Carried("EmailConfiguration.ReplyToEmailAddress"),
    ),
    (
        "EmailSendingAccount",
        Carried("EmailConfiguration.EmailSendingAccount"),
    ),
    ("From", Carried("EmailConfiguration.From")),
    ("ConfigurationSet", Parameter("EmailConfigurationSet")),
];

/// `SmsConfiguration` (`SmsConfigurationType`).
const SMS_CONFIGURATION: &[(&str, Fate)] = &[
    ("SnsCallerArn", Parameter("SmsCallerRoleArn")),
    ("ExternalId", Carried("SmsConfiguration.ExternalId")),
    ("SnsRegion", Carried("SmsConfiguration.SnsRegion")),
    ("EumsSms", Reported("SmsConfiguration.EumsSms")),
];

/// `AdminCreateUserConfig` (`AdminCreateUserConfigType`).
const ADMIN_CREATE_USER: &[(&str, Fate)] = &[
    (
        "AllowAdminCreateUserOnly",
        Carried("AdminCreateUserConfig.AllowAdminCreateUserOnly"),
    ),
    ("UnusedAccountValidityDays", NotCarried),
    (
        "InviteMessageTemplate",
        Carried("AdminCreateUserConfig.InviteMessageTemplate"),
    ),
];

/// `AdminCreateUserConfig.InviteMessageTemplate` (`MessageTemplateType`).
const INVITE_TEMPLATE: &[(&str, Fate)] = &[
    (
        "SMSMessage",
        Carried("AdminCreateUserConfig.InviteMessageTemplate.SMSMessage"),
    ),
    (
        "EmailMessage",
        Carried("AdminCreateUserConfig.InviteMessageTemplate.EmailMessage"),
    ),
    (
        "EmailSubject",
        Carried("AdminCreateUserConfig.InviteMessageTemplate.EmailSubject"),
    ),
];

/// `UserPoolAddOns` (`UserPoolAddOnsType`).
const ADD_ONS: &[(&str, Fate)] = &[
    (
        "AdvancedSecurityMode",
        Carried("UserPoolAddOns.AdvancedSecurityMode"),
    ),
    (
        "AdvancedSecurityAdditionalFlows",
        Carried("UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode"),
    ),
];

/// `UserPoolAddOns.AdvancedSecurityAdditionalFlows` (`AdvancedSecurityAdditionalFlowsType`).
const ADDITIONAL_FLOWS: &[(&str, Fate)] = &[(
    "CustomAuthMode",
    Carried("UserPoolAddOns.AdvancedSecurityAdditionalFlows.CustomAuthMode"),
)];

/// `UsernameConfiguration` (`UsernameConfigurationType`).
const USERNAME_CONFIGURATION: &[(&str, Fate)] =
    &[("CaseSensitive", Set("UsernameConfiguration.CaseSensitive"))];

/// `AccountRecoverySetting` (`AccountRecoverySettingType`).
const ACCOUNT_RECOVERY: &[(&str, Fate)] = &[(
    "RecoveryMechanisms",
    Carried("AccountRecoverySetting.RecoveryMechanisms"),
)];

/// Each of `AccountRecoverySetting.RecoveryMechanisms` (`RecoveryOptionType`).
const RECOVERY_OPTION: &[(&str, Fate)] = &[
    (
        "Priority",
        Carried("AccountRecoverySetting.RecoveryMechanisms.Priority"),
    ),
    (
        "Name",
        Carried("AccountRecoverySetting.RecoveryMechanisms.Name"),
    ),
];

/// `KeyConfiguration` (`KeyConfigurationType`).
const KEY_CONFIGURATION: &[(&str, Fate)] = &[
    ("KeyType", Carried("KeyConfiguration.KeyType")),
    ("KmsKeyArn", Parameter("KmsKeyArn")),
];

/// `IssuerConfiguration` (`IssuerConfigurationType`).
const ISSUER_CONFIGURATION: &[(&str, Fate)] = &[("Type", Carried("IssuerConfiguration.Type"))];

/// `GetUserPoolMfaConfig`'s `SmsMfaConfiguration` (`SmsMfaConfigType`).
const SMS_MFA: &[(&str, Fate)] = &[
    (
        "SmsAuthenticationMessage",
        Carried("SmsAuthenticationMessage"),
    ),
    ("SmsConfiguration", Carried("SmsConfiguration")),
];

/// `GetUserPoolMfaConfig`'s `SoftwareTokenMfaConfiguration` (`SoftwareTokenMfaConfigType`).
const SOFTWARE_TOKEN_MFA: &[(&str, Fate)] = &[("Enabled", Carried("EnabledMfas"))];

/// `GetUserPoolMfaConfig`'s `EmailMfaConfiguration` (`EmailMfaConfigType`).
const EMAIL_MFA: &[(&str, Fate)] = &[
    ("Message", Carried("EmailAuthenticationMessage")),
    ("Subject", Carried("EmailAuthenticationSubject")),
];

/// `GetUserPoolMfaConfig`'s `WebAuthnConfiguration` (`WebAuthnConfigurationType`).
const WEB_AUTHN: &[(&str, Fate)] = &[
    ("RelyingPartyId", Carried("WebAuthnRelyingPartyID")),
    ("UserVerification", Carried("WebAuthnUserVerification")),
    (
        "FactorConfiguration",
        Carried("WebAuthnFactorConfiguration"),
    ),
];

/// A client's `TokenValidityUnits` (`TokenValidityUnitsType`).
const TOKEN_VALIDITY_UNITS: &[(&str, Fate)] = &[
    ("AccessToken", Carried("TokenValidityUnits.AccessToken")),
    ("IdToken", Carried("TokenValidityUnits.IdToken")),
    ("RefreshToken", Carried("TokenValidityUnits.RefreshToken")),
];

/// A client's `AnalyticsConfiguration` (`AnalyticsConfigurationType`).
const ANALYTICS: &[(&str, Fate)] = &[
    ("ApplicationId", Reported("Pinpoint analytics")),
    ("ApplicationArn", Reported("Pinpoint analytics")),
    ("RoleArn", Reported("Pinpoint analytics")),
    ("ExternalId", Reported("Pinpoint analytics")),
    ("UserDataShared", Reported("Pinpoint analytics")),
];

/// A client's `RefreshTokenRotation` (`RefreshTokenRotationType`).
const REFRESH_TOKEN_ROTATION: &[(&str, Fate)] = &[
    ("Feature", Carried("RefreshTokenRotation.Feature")),
    (
        "RetryGracePeriodSeconds",
        Carried("RefreshTokenRotation.RetryGracePeriodSeconds"),
    ),
];

/// Each of a resource server's `Scopes` (`ResourceServerScopeType`).
const SCOPE: &[(&str, Fate)] = &[
    ("ScopeName", Carried("Scopes.ScopeName")),
    ("ScopeDescription", Carried("Scopes.ScopeDescription")),
];

/// A domain's `CustomDomainConfig` (`CustomDomainConfigType`).
const CUSTOM_DOMAIN_CONFIG: &[(&str, Fate)] = &[
    (
        "CertificateArn",
        Reported("CustomDomainConfig.CertificateArn"),
    ),
    (
        "SecurityPolicy",
        Reported("CustomDomainConfig.CertificateArn"),
    ),
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

/// A table of `fields` of the SDK type whose builder's `Debug` is `builder`, looked for in
/// `resource` of the built template.
fn table(
    sdk_type: &'static str,
    builder: String,
    fields: &'static [(&'static str, Fate)],
    resource: &'static str,
) -> Table {
    Table {
        sdk_type,
        sdk_fields: sdk_fields(builder),
        fields,
        resource,
    }
}

fn tables() -> Vec<Table> {
    use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::builders::GetUserPoolMfaConfigOutputBuilder;
    use aws_sdk_cognitoidentityprovider::types::builders::*;
    const POOL: &str = "UserPool";
    const CLIENT: &str = "Client1web";
    let d = |b: &dyn std::fmt::Debug| format!("{b:?}");
    vec![
        table(
            "UserPoolType",
            d(&UserPoolTypeBuilder::default()),
            USER_POOL,
            POOL,
        ),
        table(
            "GetUserPoolMfaConfigOutput",
            d(&GetUserPoolMfaConfigOutputBuilder::default()),
            MFA_CONFIG,
            POOL,
        ),
        table(
            "UserPoolClientType",
            d(&UserPoolClientTypeBuilder::default()),
            USER_POOL_CLIENT,
            CLIENT,
        ),
        table(
            "IdentityProviderType",
            d(&IdentityProviderTypeBuilder::default()),
            IDENTITY_PROVIDER,
            "Provider1Corp",
        ),
        table(
            "GroupType",
            d(&GroupTypeBuilder::default()),
            GROUP,
            "Group1admins",
        ),
        table(
            "ResourceServerType",
            d(&ResourceServerTypeBuilder::default()),
            RESOURCE_SERVER,
            "ResourceServer1API",
        ),
        table(
            "DomainDescriptionType",
            d(&DomainDescriptionTypeBuilder::default()),
            DOMAIN,
            "UserPoolDomain",
        ),
        table(
            "UserPoolPolicyType",
            d(&UserPoolPolicyTypeBuilder::default()),
            POLICIES,
            POOL,
        ),
        table(
            "PasswordPolicyType",
            d(&PasswordPolicyTypeBuilder::default()),
            PASSWORD_POLICY,
            POOL,
        ),
        table(
            "SignInPolicyType",
            d(&SignInPolicyTypeBuilder::default()),
            SIGN_IN_POLICY,
            POOL,
        ),
        table(
            "LambdaConfigType",
            d(&LambdaConfigTypeBuilder::default()),
            LAMBDA_CONFIG,
            POOL,
        ),
        table(
            "SchemaAttributeType",
            d(&SchemaAttributeTypeBuilder::default()),
            SCHEMA_ATTRIBUTE,
            POOL,
        ),
        table(
            "StringAttributeConstraintsType",
            d(&StringAttributeConstraintsTypeBuilder::default()),
            STRING_CONSTRAINTS,
            POOL,
        ),
        table(
            "NumberAttributeConstraintsType",
            d(&NumberAttributeConstraintsTypeBuilder::default()),
            NUMBER_CONSTRAINTS,
            POOL,
        ),
        table(
            "VerificationMessageTemplateType",
            d(&VerificationMessageTemplateTypeBuilder::default()),
            VERIFICATION_TEMPLATE,
            POOL,
        ),
        table(
            "UserAttributeUpdateSettingsType",
            d(&UserAttributeUpdateSettingsTypeBuilder::default()),
            UPDATE_SETTINGS,
            POOL,
        ),
        table(
            "DeviceConfigurationType",
            d(&DeviceConfigurationTypeBuilder::default()),
            DEVICE_CONFIGURATION,
            POOL,
        ),
        table(
            "EmailConfigurationType",
            d(&EmailConfigurationTypeBuilder::default()),
            EMAIL_CONFIGURATION,
            POOL,
        ),
        table(
            "SmsConfigurationType",
            d(&SmsConfigurationTypeBuilder::default()),
            SMS_CONFIGURATION,
            POOL,
        ),
        table(
            "AdminCreateUserConfigType",
            d(&AdminCreateUserConfigTypeBuilder::default()),
            ADMIN_CREATE_USER,
            POOL,
        ),
        table(
            "MessageTemplateType",
            d(&MessageTemplateTypeBuilder::default()),
            INVITE_TEMPLATE,
            POOL,
        ),
        table(
            "UserPoolAddOnsType",
            d(&UserPoolAddOnsTypeBuilder::default()),
            ADD_ONS,
            POOL,
        ),
        table(
            "AdvancedSecurityAdditionalFlowsType",
            d(&AdvancedSecurityAdditionalFlowsTypeBuilder::default()),
            ADDITIONAL_FLOWS,
            POOL,
        ),
        table(
            "UsernameConfigurationType",
            d(&UsernameConfigurationTypeBuilder::default()),
            USERNAME_CONFIGURATION,
            POOL,
        ),
        table(
            "AccountRecoverySettingType",
            d(&AccountRecoverySettingTypeBuilder::default()),
            ACCOUNT_RECOVERY,
            POOL,
        ),
        table(
            "RecoveryOptionType",
            d(&RecoveryOptionTypeBuilder::default()),
            RECOVERY_OPTION,
            POOL,
        ),
        table(
            "KeyConfigurationType",
            d(&KeyConfigurationTypeBuilder::default()),
            KEY_CONFIGURATION,
            POOL,
        ),
        table(
            "IssuerConfigurationType",
            d(&IssuerConfigurationTypeBuilder::default()),
            ISSUER_CONFIGURATION,
            POOL,
        ),
        table(
            "SmsMfaConfigType",
            d(&SmsMfaConfigTypeBuilder::default()),
            SMS_MFA,
            POOL,
        ),
        table(
            "SoftwareTokenMfaConfigType",
            d(&SoftwareTokenMfaConfigTypeBuilder::default()),
            SOFTWARE_TOKEN_MFA,
            POOL,
        ),
        table(
            "EmailMfaConfigType",
            d(&EmailMfaConfigTypeBuilder::default()),
            EMAIL_MFA,
            POOL,
        ),
        table(
            "WebAuthnConfigurationType",
            d(&WebAuthnConfigurationTypeBuilder::default()),
            WEB_AUTHN,
            POOL,
        ),
        table(
            "TokenValidityUnitsType",
            d(&TokenValidityUnitsTypeBuilder::default()),
            TOKEN_VALIDITY_UNITS,
            CLIENT,
        ),
        table(
            "AnalyticsConfigurationType",
            d(&AnalyticsConfigurationTypeBuilder::default()),
            ANALYTICS,
            CLIENT,
        ),
        table(
            "RefreshTokenRotationType",
            d(&RefreshTokenRotationTypeBuilder::default()),
            REFRESH_TOKEN_ROTATION,
            CLIENT,
        ),
        table(
            "ResourceServerScopeType",
            d(&ResourceServerScopeTypeBuilder::default()),
            SCOPE,
            "ResourceServer1API",
        ),
        table(
            "CustomDomainConfigType",
            d(&CustomDomainConfigTypeBuilder::default()),
            CUSTOM_DOMAIN_CONFIG,
            "UserPoolDomain",
        ),
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
                        .require_uppercase(true)
                        .require_lowercase(true)
                        .require_numbers(true)
                        .require_symbols(true)
                        .password_history_size(3)
                        .temporary_password_validity_days(2)
                        .build(),
                )
                .sign_in_policy(
                    SignInPolicyType::builder()
                        .allowed_first_auth_factors(AuthFactorType::Password)
                        .allowed_first_auth_factors(AuthFactorType::EmailOtp)
                        .build(),
                )
                .build(),
        )
        .deletion_protection(DeletionProtectionType::Inactive)
        .lambda_config(every_trigger())
        .schema_attributes(required_string("email", true))
        .schema_attributes(string_of_length("custom:tenant", "1", "64"))
        .schema_attributes(
            SchemaAttributeType::builder()
                .name("dev:custom:score")
                .attribute_data_type(AttributeDataType::Number)
                .developer_only_attribute(true)
                .mutable(true)
                .number_attribute_constraints(
                    NumberAttributeConstraintsType::builder()
                        .min_value("0")
                        .max_value("100")
                        .build(),
                )
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
                .device_only_remembered_on_user_prompt(true)
                .build(),
        )
        .email_configuration(
            EmailConfigurationType::builder()
                .email_sending_account(EmailSendingAccountType::Developer)
                .source_arn("arn:aws:ses:us-east-1:123456789012:identity/example.com")
                .reply_to_email_address("help@example.com")
                .from("no-reply@example.com")
                .configuration_set("pool-mail")
                .build(),
        )
        .sms_configuration(
            SmsConfigurationType::builder()
                .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
                .external_id("pool")
                .sns_region("us-east-1")
                .eums_sms(
                    EumsSmsConfigurationType::builder()
                        .caller_arn("arn:aws:iam::123456789012:role/eums")
                        .build()
                        .expect("EUMS"),
                )
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
                .unused_account_validity_days(7)
                .invite_message_template(
                    MessageTemplateType::builder()
                        .sms_message("{username} {####}")
                        .email_message("{username} {####}")
                        .email_subject("Welcome")
                        .build(),
                )
                .build(),
        )
        .user_pool_add_ons(
            UserPoolAddOnsType::builder()
                .advanced_security_mode(AdvancedSecurityModeType::Audit)
                .advanced_security_additional_flows(
                    AdvancedSecurityAdditionalFlowsType::builder()
                        .custom_auth_mode(AdvancedSecurityEnabledModeType::Audit)
                        .build(),
                )
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
                .sms_message("Template {####}")
                .email_message("Template {####}")
                .email_subject("Template")
                .email_message_by_link("{##Verify##}")
                .email_subject_by_link("Verify")
                .default_email_option(DefaultEmailOptionType::ConfirmWithCode)
                .build(),
        );
    }
    PoolConfiguration {
        settings: PoolSettings {
            pool: pool.build(),
            mfa: GetUserPoolMfaConfigOutput::builder()
                .mfa_configuration(UserPoolMfaType::Optional)
                .sms_mfa_configuration(
                    SmsMfaConfigType::builder()
                        .sms_authentication_message("MFA {####}")
                        .sms_configuration(
                            SmsConfigurationType::builder()
                                .sns_caller_arn("arn:aws:iam::123456789012:role/sms")
                                .build(),
                        )
                        .build(),
                )
                .software_token_mfa_configuration(
                    SoftwareTokenMfaConfigType::builder().enabled(true).build(),
                )
                .email_mfa_configuration(
                    EmailMfaConfigType::builder()
                        .message("{####}")
                        .subject("Your code")
                        .build(),
                )
                .web_authn_configuration(
                    WebAuthnConfigurationType::builder()
                        .relying_party_id("auth.example.com")
                        .user_verification(UserVerificationType::Required)
                        .factor_configuration(
                            WebAuthnFactorConfigurationType::MultiFactorWithUserVerification,
                        )
                        .build(),
                )
                .build(),
        },
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
                        .id_token(TimeUnitsType::Hours)
                        .refresh_token(TimeUnitsType::Days)
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
                        .application_arn("arn:aws:mobiletargeting:us-east-1:123456789012:apps/p")
                        .role_arn("arn:aws:iam::123456789012:role/pinpoint")
                        .external_id("pool")
                        .user_data_shared(true)
                        .build(),
                )
                .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Legacy)
                .enable_token_revocation(true)
                .enable_propagate_additional_user_context_data(false)
                .auth_session_validity(5)
                .refresh_token_rotation(
                    RefreshTokenRotationType::builder()
                        .feature(FeatureType::Disabled)
                        .retry_grace_period_seconds(10)
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

/// A `LambdaConfig` with every slot set, each to a function of its own name.
fn every_trigger() -> LambdaConfigType {
    let arn = |name: &str| format!("arn:aws:lambda:us-east-1:123456789012:function:{name}");
    LambdaConfigType::builder()
        .pre_sign_up(arn("pre-sign-up"))
        .custom_message(arn("custom-message"))
        .post_confirmation(arn("post-confirmation"))
        .pre_authentication(arn("pre-authentication"))
        .post_authentication(arn("post-authentication"))
        .define_auth_challenge(arn("define"))
        .create_auth_challenge(arn("create"))
        .verify_auth_challenge_response(arn("verify"))
        .pre_token_generation(arn("token"))
        .user_migration(arn("old-migration"))
        .pre_token_generation_config(
            PreTokenGenerationVersionConfigType::builder()
                .lambda_arn(arn("token"))
                .lambda_version(PreTokenGenerationLambdaVersionType::V20)
                .build()
                .expect("token config"),
        )
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_arn(arn("sms-sender"))
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .build()
                .expect("sms sender"),
        )
        .custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_arn(arn("email-sender"))
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .build()
                .expect("email sender"),
        )
        .kms_key_id("arn:aws:kms:us-east-1:123456789012:key/senders")
        .inbound_federation(
            InboundFederationLambdaType::builder()
                .lambda_arn(arn("federation"))
                .lambda_version(InboundFederationLambdaVersionType::V10)
                .build()
                .expect("federation"),
        )
        .build()
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
        .split("\n#")
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

/// Whether `value` has a value at the dotted `path`; a list on the way has it when one of its
/// entries does.
fn holds(value: &Value, path: &str) -> bool {
    let Some((first, rest)) = path.split_once('.').or(Some((path, ""))) else {
        return false;
    };
    match value {
        Value::Array(items) => items.iter().any(|item| holds(item, path)),
        Value::Object(map) => map
            .get(first)
            .is_some_and(|inner| !inner.is_null() && (rest.is_empty() || holds(inner, rest))),
        _ => false,
    }
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
                    Carried(path) | Set(path) => holds(properties, path),
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
