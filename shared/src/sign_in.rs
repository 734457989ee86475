//! What a user looks like in a new pool of a given sign-in shape: the value `cognito:username`
//! must hold, and the sign-in keys two users must not share.
//!
//! A pool's shape is fixed when it is created (`UsernameAttributes`, `AliasAttributes` and
//! `UsernameConfiguration.CaseSensitive` cannot be changed afterwards), and it decides:
//!
//! - **The user name.** A plain pool (with or without aliases) keeps the old user name. A pool that
//!   signs in by e-mail or phone (`UsernameAttributes`) generates its own internal user name; the
//!   import file's `cognito:username` holds the e-mail or phone instead, as AWS's reference export
//!   does (aws-solutions cognito-user-profiles-export-reference-architecture, `getPseudoUsername`).
//!   When both are allowed, the e-mail is used if the user has one, else the phone (AWS's reference
//!   leaves a user with both undecided; the pool signs such a user in by either, so the choice only
//!   decides which value the import job looks up first).
//! - **The sign-in keys.** Values by which someone signs in, and which therefore must belong to one
//!   user only: the user name (or the e-mail/phone in a pool that signs in by them), plus each
//!   alias the new pool has — e-mail and phone only when verified (an unverified alias does not
//!   sign anyone in), `preferred_username` always.
//! - **Case.** `UsernameConfiguration.CaseSensitive = false`: "users can sign in using username,
//!   USERNAME, or UserName. This option also enables both preferred_username and email alias to be
//!   case insensitive" and Cognito "treats any variation in case as the same user"
//!   (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html>,
//!   AWS::Cognito::UserPool UsernameConfiguration). Such keys are folded to lower case. The API's
//!   default is case-sensitive ("This is the default value"), so e-mails are then compared exactly.
//!   Phone numbers are E.164 digits and have no case.
//!
//! The same keys, less the aliases, tell whether a user is already in a pool
//! ([`PoolShape::listed_user_keys`], for `--select not-in-target` and `plan`). Aliases are left
//! out there: they "can be changed after the user signs up", and a verified e-mail or phone moves
//! to another account with `forceAliasCreation`, so an alias never says who someone is
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html>,
//! "Aliases").

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::attributes::{self, EMAIL, PHONE_NUMBER, PREFERRED_USERNAME};
use crate::{MigratedUser, RejectReason, validate};

/// How a pool signs users in, from `DescribeUserPool` (see [`crate::from_sdk::pool_shape`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolShape {
    /// `email` and/or `phone_number` when the pool signs users in by them instead of a user name.
    pub username_attributes: Vec<String>,
    /// `email`, `phone_number` and/or `preferred_username` when the pool also signs users in by
    /// them besides the user name.
    pub alias_attributes: Vec<String>,
    /// `UsernameConfiguration.CaseSensitive` (true when the pool does not say: the API's default).
    pub case_sensitive: bool,
}

impl Default for PoolShape {
    /// A plain pool: user names only, case-sensitive.
    fn default() -> PoolShape {
        PoolShape {
            username_attributes: Vec::new(),
            alias_attributes: Vec::new(),
            case_sensitive: true,
        }
    }
}

/// Which value a sign-in key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignInField {
    /// The user name of a plain pool.
    Username,
    /// The e-mail address (user name or alias).
    Email,
    /// The phone number (user name or alias).
    PhoneNumber,
    /// The `preferred_username` alias.
    PreferredUsername,
}

impl SignInField {
    /// The field as the operator knows it (`cognito:username`, `email`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SignInField::Username => crate::attributes::CSV_USERNAME,
            SignInField::Email => EMAIL,
            SignInField::PhoneNumber => PHONE_NUMBER,
            SignInField::PreferredUsername => PREFERRED_USERNAME,
        }
    }

    /// The one-letter tag used when keys are stored or hashed (`u`, `e`, `p`, `n`).
    pub fn tag(self) -> u8 {
        match self {
            SignInField::Username => b'u',
            SignInField::Email => b'e',
            SignInField::PhoneNumber => b'p',
            SignInField::PreferredUsername => b'n',
        }
    }

    /// The field of a tag written by [`SignInField::tag`].
    pub fn from_tag(tag: u8) -> Option<SignInField> {
        match tag {
            b'u' => Some(SignInField::Username),
            b'e' => Some(SignInField::Email),
            b'p' => Some(SignInField::PhoneNumber),
            b'n' => Some(SignInField::PreferredUsername),
            _ => None,
        }
    }

    fn of_attribute(name: &str) -> Option<SignInField> {
        match name {
            EMAIL => Some(SignInField::Email),
            PHONE_NUMBER => Some(SignInField::PhoneNumber),
            PREFERRED_USERNAME => Some(SignInField::PreferredUsername),
            _ => None,
        }
    }
}

impl fmt::Display for SignInField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One normalised value by which a user signs in to the new pool. Two users with equal keys would
/// collide there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SignInKey {
    /// Which value.
    pub field: SignInField,
    /// The value, folded to lower case when the pool compares it case-insensitively.
    pub value: String,
}

impl PoolShape {
    /// True when the pool signs users in by e-mail and/or phone instead of a user name.
    pub fn signs_in_by_attribute(&self) -> bool {
        !self.username_attributes.is_empty()
    }

    /// A value as this pool compares it: lower case when the pool is case-insensitive (phone
    /// numbers have no case).
    pub fn fold(&self, field: SignInField, value: &str) -> String {
        if self.case_sensitive || field == SignInField::PhoneNumber {
            value.to_string()
        } else {
            value.to_lowercase()
        }
    }

    /// The attribute whose value is the user name in a pool that signs in by attribute: the
    /// e-mail when allowed and present, else the phone. `None` for a plain pool or a user with
    /// neither value.
    fn username_attribute<'v>(
        &self,
        value_of: impl Fn(&str) -> Option<&'v str>,
    ) -> Option<(&'static str, &'v str)> {
        [EMAIL, PHONE_NUMBER]
            .into_iter()
            .filter(|a| self.username_attributes.iter().any(|u| u == a))
            .find_map(|a| value_of(a).filter(|v| !v.is_empty()).map(|v| (a, v)))
    }

    /// The value `cognito:username` must hold for `user` in a new pool of this shape: the old user
    /// name in a plain pool, the e-mail or phone in a pool that signs in by them.
    ///
    /// Refuses a user without that value ([`RejectReason::NoSignInValue`]) or whose value is not
    /// valid for it (the same check [`validate::normalize`] applies to every attribute).
    pub fn new_username(&self, user: &MigratedUser) -> Result<String, RejectReason> {
        if !self.signs_in_by_attribute() {
            return Ok(user.username.clone());
        }
        let Some((attribute, value)) = self.username_attribute(|a| user.attribute(a)) else {
            return Err(RejectReason::NoSignInValue {
                attributes: self.username_attributes.clone(),
            });
        };
        match validate::normalize(attribute, value)? {
            Some(value) => Ok(value),
            None => Err(RejectReason::NoSignInValue {
                attributes: self.username_attributes.clone(),
            }),
        }
    }

    /// The sign-in keys of a migrated user whose new user name is `new_username` (from
    /// [`PoolShape::new_username`]), normalised for comparison, without duplicates: the keys of
    /// [`PoolShape::listed_user_keys`], then each alias the user signs in with.
    pub fn sign_in_keys(&self, new_username: &str, user: &MigratedUser) -> Vec<SignInKey> {
        let mut keys = self.listed_user_keys(new_username, &user.attributes);
        for alias in &self.alias_attributes {
            // An e-mail or phone signs in once verified, `preferred_username` always.
            let signs_in = attributes::verified_flag(alias).is_none() || user.has_verified(alias);
            if let (true, Some(field), Some(value)) = (
                signs_in,
                SignInField::of_attribute(alias),
                user.attribute(alias),
            ) {
                self.push_key(&mut keys, field, value);
            }
        }
        keys
    }

    /// The keys under which a user of a pool of this shape is found, from what `ListUsers`
    /// returns of it (`Username` and `Attributes`), folded as the pool compares: in a plain pool
    /// its user name; in a pool that signs in by e-mail and/or phone (where `Username` is
    /// Cognito's internal UUID) each of those values it has. "The email or phone number must be
    /// unique, and it must not already be in use by another user. It does not have to be
    /// verified", and either can be used "in place of the username in all APIs except the
    /// ListUsers API" (developer guide, user pool attributes, "Option 2"), so in a pool allowing
    /// both, both find the user. Empty when the user has none of them.
    ///
    /// A migrated user's keys are these of its new user name and attributes.
    pub fn listed_user_keys(
        &self,
        username: &str,
        attributes: &BTreeMap<String, String>,
    ) -> Vec<SignInKey> {
        if !self.signs_in_by_attribute() {
            return match username {
                "" => Vec::new(),
                name => vec![SignInKey {
                    field: SignInField::Username,
                    value: self.fold(SignInField::Username, name),
                }],
            };
        }
        let mut keys = Vec::new();
        for attribute in &self.username_attributes {
            let value = attributes.get(attribute).map(|v| v.trim());
            if let (Some(field), Some(value)) = (
                SignInField::of_attribute(attribute),
                value.filter(|v| !v.is_empty()),
            ) {
                self.push_key(&mut keys, field, value);
            }
        }
        keys
    }

    /// Adds `value` of `field`, folded as this pool compares, unless `keys` has it already.
    fn push_key(&self, keys: &mut Vec<SignInKey>, field: SignInField, value: &str) {
        let key = SignInKey {
            field,
            value: self.fold(field, value),
        };
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mapping, SourceStatus, SourceUser};

    fn shape(username: &[&str], alias: &[&str], case_sensitive: bool) -> PoolShape {
        PoolShape {
            username_attributes: username.iter().map(|s| s.to_string()).collect(),
            alias_attributes: alias.iter().map(|s| s.to_string()).collect(),
            case_sensitive,
        }
    }

    fn migrated(name: &str, pairs: &[(&str, &str)]) -> MigratedUser {
        let mut source = SourceUser::new(name, SourceStatus::Confirmed);
        for (k, v) in pairs {
            source = source.with(k, v);
        }
        Mapping::default().apply(&source).unwrap()
    }

    const UUID: &str = "6f1c2a5e-0000-4000-8000-00000000000a";

    #[test]
    fn a_plain_pool_keeps_the_old_user_name() {
        let user = migrated("Ada", &[("email", "ada@example.com")]);
        assert_eq!(PoolShape::default().new_username(&user).unwrap(), "Ada");
    }

    #[test]
    fn an_email_pool_takes_the_email() {
        let user = migrated(UUID, &[("email", " Ada@Example.com ")]);
        assert_eq!(
            shape(&["email"], &[], true).new_username(&user).unwrap(),
            "Ada@Example.com"
        );
    }

    #[test]
    fn a_phone_pool_takes_the_phone() {
        let user = migrated(
            UUID,
            &[
                ("email", "ada@example.com"),
                ("phone_number", "+15555550100"),
            ],
        );
        assert_eq!(
            shape(&["phone_number"], &[], true)
                .new_username(&user)
                .unwrap(),
            "+15555550100"
        );
    }

    #[test]
    fn a_pool_allowing_both_prefers_the_email_then_the_phone() {
        let both = shape(&["email", "phone_number"], &[], true);
        let with_both = migrated(
            UUID,
            &[
                ("email", "ada@example.com"),
                ("phone_number", "+15555550100"),
            ],
        );
        assert_eq!(both.new_username(&with_both).unwrap(), "ada@example.com");
        let phone_only = migrated(UUID, &[("phone_number", "+15555550100")]);
        assert_eq!(both.new_username(&phone_only).unwrap(), "+15555550100");
    }

    #[test]
    fn the_import_row_carries_the_sign_in_value_as_user_name_exactly() {
        let header = crate::import_csv::ImportHeader::new(
            [
                "cognito:username",
                "email",
                "email_verified",
                "phone_number",
                "cognito:mfa_enabled",
                "custom:legacy_sub",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap();
        let mut user = migrated(
            UUID,
            &[
                ("sub", UUID),
                ("email", "Ada@Example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550100"),
            ],
        );
        user.username = shape(&["email"], &[], false).new_username(&user).unwrap();
        assert_eq!(
            header.encode(&user, false).unwrap(),
            format!("Ada@Example.com,Ada@Example.com,TRUE,+15555550100,FALSE,{UUID}\n")
        );
        user.username = shape(&["phone_number"], &[], true)
            .new_username(&user)
            .unwrap();
        assert_eq!(
            header.encode(&user, false).unwrap(),
            format!("+15555550100,Ada@Example.com,TRUE,+15555550100,FALSE,{UUID}\n")
        );
    }

    #[test]
    fn a_user_without_the_sign_in_value_is_refused_naming_the_field() {
        let user = migrated(UUID, &[("phone_number", "+15555550100")]);
        let err = shape(&["email"], &[], true)
            .new_username(&user)
            .unwrap_err();
        assert_eq!(err.code(), "no-sign-in-value");
        assert_eq!(
            err.to_string(),
            "the new pool signs users in by email, which this user lacks (cognito:username must hold it)"
        );
        let err = shape(&["email", "phone_number"], &[], true)
            .new_username(&migrated(UUID, &[]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the new pool signs users in by email or phone_number, which this user lacks (cognito:username must hold it)"
        );
    }

    #[test]
    fn an_invalid_sign_in_value_is_refused_by_the_one_attribute_check() {
        let mut user = migrated(UUID, &[]);
        user.attributes
            .insert("phone_number".into(), "0151 1234".into());
        let err = shape(&["phone_number"], &[], true)
            .new_username(&user)
            .unwrap_err();
        assert_eq!(
            err,
            validate::normalize("phone_number", "0151 1234").unwrap_err()
        );
    }

    #[test]
    fn keys_fold_case_only_when_the_pool_is_case_insensitive() {
        let user = migrated("Ada", &[]);
        let insensitive = shape(&[], &[], false);
        assert_eq!(
            insensitive.sign_in_keys("Ada", &user),
            [SignInKey {
                field: SignInField::Username,
                value: "ada".into()
            }]
        );
        assert_eq!(
            PoolShape::default().sign_in_keys("Ada", &user)[0].value,
            "Ada"
        );
        assert_eq!(insensitive.fold(SignInField::PhoneNumber, "+1555"), "+1555");
    }

    #[test]
    fn email_pool_keys_are_the_sign_in_attributes() {
        let user = migrated(
            UUID,
            &[
                ("email", "Ada@Example.com"),
                ("phone_number", "+15555550100"),
            ],
        );
        let keys =
            shape(&["email", "phone_number"], &[], false).sign_in_keys("Ada@Example.com", &user);
        assert_eq!(
            keys,
            [
                SignInKey {
                    field: SignInField::Email,
                    value: "ada@example.com".into()
                },
                SignInKey {
                    field: SignInField::PhoneNumber,
                    value: "+15555550100".into()
                }
            ]
        );
    }

    #[test]
    fn aliases_count_when_verified_and_preferred_username_always() {
        let aliases = shape(&[], &["email", "phone_number", "preferred_username"], true);
        let unverified = migrated(
            "ada",
            &[
                ("email", "ada@example.com"),
                ("phone_number", "+15555550100"),
                ("preferred_username", "lovelace"),
            ],
        );
        let fields: Vec<SignInField> = aliases
            .sign_in_keys("ada", &unverified)
            .into_iter()
            .map(|k| k.field)
            .collect();
        assert_eq!(
            fields,
            [SignInField::Username, SignInField::PreferredUsername]
        );
        let verified = migrated(
            "ada",
            &[
                ("email", "ada@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550100"),
                ("phone_number_verified", "true"),
            ],
        );
        assert_eq!(aliases.sign_in_keys("ada", &verified).len(), 3);
    }

    #[test]
    fn a_listed_user_is_found_under_its_user_name_or_each_sign_in_value() {
        let attributes: BTreeMap<String, String> = [
            ("sub".to_string(), UUID.to_string()),
            ("email".to_string(), " Ada@Example.com".to_string()),
            ("phone_number".to_string(), "+15555550100".to_string()),
        ]
        .into();
        let values = |shape: PoolShape, username: &str| -> Vec<String> {
            shape
                .listed_user_keys(username, &attributes)
                .into_iter()
                .map(|k| k.value)
                .collect()
        };
        assert_eq!(
            values(shape(&["email"], &[], false), UUID),
            ["ada@example.com"]
        );
        assert_eq!(
            values(shape(&["email", "phone_number"], &[], true), UUID),
            ["Ada@Example.com", "+15555550100"],
            "a pool allowing both finds the user by either"
        );
        assert_eq!(values(shape(&[], &["email"], false), "Ada"), ["ada"]);
        assert_eq!(values(PoolShape::default(), "Ada"), ["Ada"]);
        assert!(
            shape(&["phone_number"], &[], true)
                .listed_user_keys(UUID, &BTreeMap::new())
                .is_empty()
        );
    }
}
