//! The one place where AWS SDK types become model types, so bulk and trigger read a Cognito user
//! (and a pool's rules) the same way.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::operation::admin_get_user_auth_factors::AdminGetUserAuthFactorsOutput;
use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AttributeType, DeliveryMediumType, MfaOptionType, UserPoolMfaType,
    UserPoolType, UserStatusType, UserType,
};

use crate::attributes;
use crate::import_csv::ImportHeader;
use crate::sign_in::PoolShape;
use crate::target::{MfaMode, TargetRules};
use crate::user::{MfaSettings, SignInFactors, SourceStatus, SourceUser};

/// A user's attributes as the model keeps them, name → value (an attribute listed without a
/// value counts as empty), from `ListUsers`' `Attributes` or `AdminGetUser`'s `UserAttributes`.
pub fn attribute_map(list: &[AttributeType]) -> BTreeMap<String, String> {
    list.iter()
        .map(|a| {
            (
                a.name().to_string(),
                a.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn status(status: Option<&UserStatusType>) -> SourceStatus {
    SourceStatus::parse(status.map(UserStatusType::as_str).unwrap_or("UNKNOWN"))
}

fn legacy_sms_mfa(options: &[MfaOptionType]) -> bool {
    options
        .iter()
        .any(|o| o.delivery_medium() == Some(&DeliveryMediumType::Sms))
}

/// A user from a `ListUsers` page. MFA is known only from the legacy `MFAOptions`.
pub fn user_from_list(user: &UserType) -> SourceUser {
    SourceUser {
        username: user.username().unwrap_or_default().to_string(),
        status: status(user.user_status()),
        enabled: user.enabled(),
        attributes: attribute_map(user.attributes()),
        mfa: MfaSettings {
            sms: legacy_sms_mfa(user.mfa_options()),
            ..MfaSettings::default()
        },
        factors: None,
    }
}

/// A user from `AdminGetUser`, with its MFA settings.
pub fn user_from_get(user: &AdminGetUserOutput) -> SourceUser {
    let settings = user.user_mfa_setting_list();
    SourceUser {
        username: user.username().to_string(),
        status: status(user.user_status()),
        enabled: user.enabled(),
        attributes: attribute_map(user.user_attributes()),
        mfa: mfa_settings(settings, legacy_sms_mfa(user.mfa_options())),
        factors: None,
    }
}

/// MFA from a `UserMFASettingList` (and the legacy SMS options).
fn mfa_settings(settings: &[String], legacy_sms: bool) -> MfaSettings {
    MfaSettings {
        sms: settings.iter().any(|s| s == "SMS_MFA") || legacy_sms,
        software_token: settings.iter().any(|s| s == "SOFTWARE_TOKEN_MFA"),
        email: settings.iter().any(|s| s == "EMAIL_OTP"),
    }
}

/// Attributes the other way, for `AdminCreateUser` and its kin: name and value pairs as the SDK
/// sends them.
pub fn sdk_attributes<'a>(
    attributes: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Vec<aws_sdk_cognitoidentityprovider::types::AttributeType> {
    attributes
        .into_iter()
        .map(|(name, value)| {
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .expect("the name is set")
        })
        .collect()
}

/// A user's MFA and first factors from `AdminGetUserAuthFactors`.
pub fn factors_from_get(output: &AdminGetUserAuthFactorsOutput) -> (MfaSettings, SignInFactors) {
    use aws_sdk_cognitoidentityprovider::types::AuthFactorType;
    let configured = output.configured_user_auth_factors();
    let has = |factor: AuthFactorType| configured.contains(&factor);
    (
        mfa_settings(output.user_mfa_setting_list(), false),
        SignInFactors {
            password: has(AuthFactorType::Password),
            email_otp: has(AuthFactorType::EmailOtp),
            sms_otp: has(AuthFactorType::SmsOtp),
            web_authn: has(AuthFactorType::WebAuthn),
        },
    )
}

/// The attributes a pool's schema lists (developer-only ones left out: users never see them).
pub fn schema_attribute_names(pool: &UserPoolType) -> Vec<String> {
    pool.schema_attributes()
        .iter()
        .filter(|a| a.developer_only_attribute() != Some(true))
        .filter_map(|a| a.name())
        .map(String::from)
        .collect()
}

/// A pool's sign-in shape from `DescribeUserPool`. A pool that does not report
/// `UsernameConfiguration` is case-sensitive, the API's default.
pub fn pool_shape(pool: &UserPoolType) -> PoolShape {
    PoolShape {
        username_attributes: pool
            .username_attributes()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        alias_attributes: pool
            .alias_attributes()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        case_sensitive: pool
            .username_configuration()
            .is_none_or(|c| c.case_sensitive()),
    }
}

/// The new pool's import rules from `DescribeUserPool`, `GetUserPoolMfaConfig` and the
/// `GetCSVHeader` columns.
pub fn target_rules(
    pool: &UserPoolType,
    mfa: &GetUserPoolMfaConfigOutput,
    header: &ImportHeader,
) -> TargetRules {
    let mut required = BTreeSet::new();
    let mut max_lengths = BTreeMap::new();
    let mut number_attributes = BTreeSet::new();
    for attribute in pool.schema_attributes() {
        let Some(name) = attribute.name() else {
            continue;
        };
        if attribute.developer_only_attribute() == Some(true) {
            continue;
        }
        let name = name.to_string();
        if attribute.required() == Some(true)
            && !attributes::NEVER_WRITABLE.contains(&name.as_str())
        {
            required.insert(name.clone());
        }
        if attributes::is_custom(&name) {
            if attribute.attribute_data_type() == Some(&AttributeDataType::Number) {
                number_attributes.insert(name.clone());
            }
            let max = attribute
                .string_attribute_constraints()
                .and_then(|c| c.max_length())
                .and_then(|m| m.parse::<usize>().ok());
            if attribute.attribute_data_type() == Some(&AttributeDataType::String)
                && let Some(max) = max
            {
                max_lengths.insert(name, max);
            }
        }
    }
    let mode = match mfa.mfa_configuration().or(pool.mfa_configuration()) {
        Some(UserPoolMfaType::On) => MfaMode::On,
        Some(UserPoolMfaType::Optional) => MfaMode::Optional,
        _ => MfaMode::Off,
    };
    TargetRules {
        pool_id: pool.id().unwrap_or_default().to_string(),
        required,
        auto_verified: pool
            .auto_verified_attributes()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        mfa: mode,
        sms_mfa_available: mfa.sms_mfa_configuration().is_some(),
        software_token_mfa_available: mfa
            .software_token_mfa_configuration()
            .map(|c| c.enabled())
            .unwrap_or(false),
        shape: pool_shape(pool),
        max_lengths,
        number_attributes,
        writable: header.attribute_columns(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        SchemaAttributeType, StringAttributeConstraintsType, VerifiedAttributeType,
    };

    fn attr(name: &str, value: &str) -> AttributeType {
        AttributeType::builder()
            .name(name)
            .value(value)
            .build()
            .unwrap()
    }

    #[test]
    fn attributes_become_a_map_and_a_missing_value_an_empty_one() {
        let without_value = AttributeType::builder().name("nickname").build().unwrap();
        let map = attribute_map(&[attr("email", "ada@example.com"), without_value]);
        assert_eq!(map["email"], "ada@example.com");
        assert_eq!(map["nickname"], "");
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn list_users_entries_become_source_users() {
        let user = UserType::builder()
            .username("ada")
            .enabled(false)
            .user_status(UserStatusType::ForceChangePassword)
            .attributes(attr("sub", "abc"))
            .attributes(attr("email", "ada@example.com"))
            .build();
        let source = user_from_list(&user);
        assert_eq!(source.username, "ada");
        assert!(!source.enabled);
        assert_eq!(source.status, SourceStatus::ForceChangePassword);
        assert_eq!(source.sub(), "abc");
        assert_eq!(source.attribute("email"), Some("ada@example.com"));
    }

    #[test]
    fn admin_get_user_carries_mfa() {
        let user = AdminGetUserOutput::builder()
            .username("bo")
            .user_status(UserStatusType::Confirmed)
            .enabled(true)
            .user_mfa_setting_list("SMS_MFA")
            .build()
            .unwrap();
        let source = user_from_get(&user);
        assert!(source.mfa.sms);
        assert!(!source.mfa.software_token);
    }

    #[test]
    fn pool_shape_reads_sign_in_settings_with_the_api_default() {
        use aws_sdk_cognitoidentityprovider::types::{
            AliasAttributeType, UsernameAttributeType, UsernameConfigurationType,
        };
        let plain = pool_shape(&UserPoolType::builder().build());
        assert_eq!(plain, PoolShape::default());
        assert!(plain.case_sensitive);
        let email = pool_shape(
            &UserPoolType::builder()
                .username_attributes(UsernameAttributeType::Email)
                .alias_attributes(AliasAttributeType::PreferredUsername)
                .username_configuration(
                    UsernameConfigurationType::builder()
                        .case_sensitive(false)
                        .build()
                        .unwrap(),
                )
                .build(),
        );
        assert_eq!(email.username_attributes, ["email"]);
        assert_eq!(email.alias_attributes, ["preferred_username"]);
        assert!(!email.case_sensitive);
    }

    #[test]
    fn pool_description_becomes_rules() {
        let pool = UserPoolType::builder()
            .id("us-east-1_new")
            .auto_verified_attributes(VerifiedAttributeType::Email)
            .mfa_configuration(UserPoolMfaType::Optional)
            .schema_attributes(
                SchemaAttributeType::builder()
                    .name("sub")
                    .required(true)
                    .build(),
            )
            .schema_attributes(
                SchemaAttributeType::builder()
                    .name("email")
                    .required(true)
                    .build(),
            )
            .schema_attributes(
                SchemaAttributeType::builder()
                    .name("custom:tenant")
                    .attribute_data_type(AttributeDataType::String)
                    .string_attribute_constraints(
                        StringAttributeConstraintsType::builder()
                            .max_length("16")
                            .build(),
                    )
                    .build(),
            )
            .build();
        let header = ImportHeader::new(
            [
                "email",
                "email_verified",
                "cognito:mfa_enabled",
                "cognito:username",
                "custom:tenant",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap();
        let rules = target_rules(
            &pool,
            &GetUserPoolMfaConfigOutput::builder().build(),
            &header,
        );
        assert_eq!(rules.required, ["email".to_string()].into());
        assert_eq!(rules.auto_verified, ["email"]);
        assert_eq!(rules.mfa, MfaMode::Optional);
        assert_eq!(rules.max_lengths.get("custom:tenant"), Some(&16));
        assert!(rules.writable.contains("custom:tenant"));
        assert!(!rules.writable.contains("cognito:username"));
    }
}
