//! Which keys find a user in the new pool, and which keys an old-pool user is looked up by.
//!
//! A new-pool user is found by its legacy id (the old `sub`, carried in the mapping's
//! `legacy_sub_attribute`, `custom:legacy_sub` by default) when it has one, and otherwise by its
//! sign-in value in the new pool: the user name on plain pools, the e-mail or phone number on pools
//! that sign in by them, lower-cased when either pool ignores case. Matching by sign-in value is only
//! sound when both pools sign users in by the same kind of value; otherwise only the legacy id can
//! tell who is who, and without it [`MatchRule::for_pools`] refuses rather than guess.
//!
//! These rules will move to `shared`, next to its pool-shape rules, so bulk and trigger apply one
//! definition of "the same user".

use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use serde::{Deserialize, Serialize};
use shared::SourceUser;
use shared::attributes::{EMAIL, PHONE_NUMBER};

use crate::fingerprint::key;

/// How a pool signs its users in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    /// `email` and/or `phone_number` (sorted) when the pool signs users in by them
    /// (`UsernameAttributes`); empty when users sign in by user name.
    pub username_attributes: Vec<String>,
    /// `UsernameConfiguration.CaseSensitive` is false: `Ada` and `ada` are the same user.
    pub case_insensitive: bool,
}

impl SignIn {
    /// The sign-in shape `DescribeUserPool` reports. A pool without `UsernameConfiguration` is
    /// case-sensitive: "True: Enables case sensitivity for all username input. [...] This is the
    /// default value"; and "False [...] also enables both preferred_username and email alias to be
    /// case insensitive" (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html>).
    pub fn of(pool: &UserPoolType) -> SignIn {
        let mut username_attributes: Vec<String> = pool
            .username_attributes()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect();
        username_attributes.sort();
        SignIn {
            username_attributes,
            case_insensitive: pool
                .username_configuration()
                .is_some_and(|c| !c.case_sensitive()),
        }
    }

    /// What users type to sign in, for messages.
    fn describe(&self) -> String {
        match self.username_attributes.as_slice() {
            [] => "user name".to_string(),
            attributes => attributes.join(" or "),
        }
    }
}

/// How old-pool users are matched with new-pool users, fixed for a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRule {
    /// The new pool's attribute holding the old `sub`, when the new pool has it.
    pub legacy_id_attribute: Option<String>,
    /// How the new pool signs users in.
    pub new_pool: SignIn,
    /// Old users are also looked up by their sign-in value (both pools sign in by the same kind).
    pub by_sign_in: bool,
    /// Sign-in values are compared lower-cased (either pool ignores case).
    pub fold_case: bool,
}

impl MatchRule {
    /// The rule for finding users of the pool `old` in the pool `new`, where `legacy_id_attribute`
    /// is the mapping's legacy-`sub` attribute already resolved against the new pool (`None` when
    /// the new pool lacks it).
    ///
    /// Fails when the pools sign in by different kinds of value and the new pool has no legacy-id
    /// attribute: then nothing ties a new-pool user to its old user, and guessing would either
    /// import migrated users a second time or skip users who never moved.
    pub fn for_pools(
        old: &UserPoolType,
        new: &UserPoolType,
        legacy_id_attribute: Option<&str>,
    ) -> anyhow::Result<MatchRule> {
        let (old_sign_in, new_sign_in) = (SignIn::of(old), SignIn::of(new));
        let same_kind = old_sign_in.username_attributes == new_sign_in.username_attributes;
        if legacy_id_attribute.is_none() && !same_kind {
            anyhow::bail!(
                "cannot tell which users of the old pool {old_id} are already in the new pool {new_id}: \
                 the old pool signs users in by {old_kind}, the new pool by {new_kind}, and no \
                 legacy-id attribute ties a new-pool user to its old sub. Add custom:legacy_sub to the \
                 new pool's schema (AddCustomAttributes) and keep legacy_sub_attribute in the mapping, \
                 so imports and the trigger write it, then run again",
                old_id = old.id().unwrap_or_default(),
                new_id = new.id().unwrap_or_default(),
                old_kind = old_sign_in.describe(),
                new_kind = new_sign_in.describe(),
            );
        }
        Ok(MatchRule {
            legacy_id_attribute: legacy_id_attribute.map(str::to_string),
            fold_case: old_sign_in.case_insensitive || new_sign_in.case_insensitive,
            new_pool: new_sign_in,
            by_sign_in: same_kind,
        })
    }

    /// The keys a new-pool user is found by: its legacy id when it has one, else its sign-in
    /// value(s). A migrated user is deliberately not found by its sign-in value too: another old
    /// user with the same (case-folded) name is a different person and must not be skipped.
    pub fn new_pool_user_keys(&self, user: &SourceUser) -> Vec<u128> {
        let legacy_id = self
            .legacy_id_attribute
            .as_deref()
            .and_then(|name| user.attribute(name))
            .filter(|id| !id.is_empty());
        match legacy_id {
            Some(id) => vec![key(b's', id)],
            None => self.sign_in_keys(user),
        }
    }

    /// The keys an old-pool user would have in the new pool: its `sub` as legacy id (when the new
    /// pool carries one), and its sign-in value when both pools sign in by the same kind.
    pub fn old_user_keys(&self, user: &SourceUser) -> Vec<u128> {
        let mut keys = Vec::with_capacity(3);
        if self.legacy_id_attribute.is_some() && !user.sub().is_empty() {
            keys.push(key(b's', user.sub()));
        }
        if self.by_sign_in {
            keys.extend(self.sign_in_keys(user));
        }
        keys
    }

    /// The user's sign-in value(s) in the new pool's shape: its user name, or its e-mail and/or
    /// phone number.
    fn sign_in_keys(&self, user: &SourceUser) -> Vec<u128> {
        let fold = |value: &str| match self.fold_case {
            true => value.to_lowercase(),
            false => value.to_string(),
        };
        if self.new_pool.username_attributes.is_empty() {
            return vec![key(b'u', &fold(&user.username))];
        }
        self.new_pool
            .username_attributes
            .iter()
            .filter_map(|name| {
                let kind = match name.as_str() {
                    EMAIL => b'e',
                    PHONE_NUMBER => b'p',
                    _ => return None,
                };
                let value = user.attribute(name).filter(|v| !v.is_empty())?;
                Some(key(kind, &fold(value)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        UsernameAttributeType, UsernameConfigurationType,
    };
    use shared::SourceStatus;

    fn pool(id: &str, attributes: &[UsernameAttributeType], case_sensitive: bool) -> UserPoolType {
        let configuration = UsernameConfigurationType::builder()
            .case_sensitive(case_sensitive)
            .build()
            .unwrap();
        let mut pool = UserPoolType::builder()
            .id(id)
            .username_configuration(configuration);
        for attribute in attributes {
            pool = pool.username_attributes(attribute.clone());
        }
        pool.build()
    }

    fn matched(rule: &MatchRule, new: &SourceUser, old: &SourceUser) -> bool {
        let keys = rule.new_pool_user_keys(new);
        rule.old_user_keys(old).iter().any(|k| keys.contains(k))
    }

    fn user(name: &str) -> SourceUser {
        SourceUser::new(name, SourceStatus::Confirmed)
    }

    #[test]
    fn migrated_users_match_by_legacy_id_and_native_sign_ups_by_user_name() {
        let (old, new) = (pool("old", &[], true), pool("new", &[], true));
        let rule = MatchRule::for_pools(&old, &new, Some("custom:legacy_sub")).unwrap();
        let ada = user("ada").with("sub", "s-ada");
        let migrated = user("ada").with("custom:legacy_sub", "s-ada");
        assert!(matched(&rule, &migrated, &ada));
        assert!(matched(&rule, &user("bo"), &user("bo").with("sub", "s-bo")));
        let other_ada = user("ada").with("sub", "s-other");
        assert!(
            !matched(&rule, &migrated, &other_ada),
            "a migrated user is found by its legacy id only"
        );
    }

    #[test]
    fn a_case_insensitive_pool_matches_user_names_in_any_case() {
        let (old, new) = (pool("old", &[], true), pool("new", &[], false));
        let rule = MatchRule::for_pools(&old, &new, None).unwrap();
        assert!(matched(&rule, &user("ada"), &user("Ada")));
        let sensitive = MatchRule::for_pools(&old, &pool("new", &[], true), None).unwrap();
        assert!(!matched(&sensitive, &user("ada"), &user("Ada")));
    }

    #[test]
    fn e_mail_pools_match_by_e_mail_when_both_sign_in_by_it() {
        let email = [UsernameAttributeType::Email];
        let (old, new) = (pool("old", &email, false), pool("new", &email, false));
        let rule = MatchRule::for_pools(&old, &new, None).unwrap();
        let old_user = user("uuid-old").with("email", "Ada@Example.com");
        let new_user = user("uuid-new").with("email", "ada@example.com");
        assert!(matched(&rule, &new_user, &old_user));
        assert!(!matched(&rule, &user("uuid-old"), &old_user));
    }

    #[test]
    fn phone_pools_match_by_phone_and_e_mail_or_phone_pools_by_either() {
        let phone = [UsernameAttributeType::PhoneNumber];
        let (old, new) = (pool("old", &phone, true), pool("new", &phone, true));
        let rule = MatchRule::for_pools(&old, &new, None).unwrap();
        let old_user = user("uuid-old").with("phone_number", "+15550100");
        assert!(matched(
            &rule,
            &user("uuid-new").with("phone_number", "+15550100"),
            &old_user
        ));
        assert!(!matched(
            &rule,
            &user("uuid-new").with("phone_number", "+15550199"),
            &old_user
        ));

        let both = [
            UsernameAttributeType::Email,
            UsernameAttributeType::PhoneNumber,
        ];
        let (old, new) = (pool("old", &both, true), pool("new", &both, true));
        let rule = MatchRule::for_pools(&old, &new, None).unwrap();
        let old_user = user("uuid-old")
            .with("email", "a@x.org")
            .with("phone_number", "+15550100");
        let signed_up_by_phone = user("uuid-new").with("phone_number", "+15550100");
        assert!(matched(&rule, &signed_up_by_phone, &old_user));
        let only_phone = [UsernameAttributeType::PhoneNumber];
        assert!(
            MatchRule::for_pools(&old, &pool("new", &only_phone, true), None).is_err(),
            "different sign-in values: only the legacy id is trusted"
        );
    }

    #[test]
    fn a_user_name_pool_into_an_e_mail_pool_needs_the_legacy_id() {
        let old = pool("old", &[], true);
        let new = pool("new", &[UsernameAttributeType::Email], false);
        let err = MatchRule::for_pools(&old, &new, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("old") && err.contains("new"), "{err}");
        assert!(err.contains("Add custom:legacy_sub"), "{err}");
        let rule = MatchRule::for_pools(&old, &new, Some("custom:legacy_sub")).unwrap();
        let ada = user("ada").with("sub", "s-ada").with("email", "a@x.org");
        let migrated = user("uuid").with("custom:legacy_sub", "s-ada");
        let native = user("uuid-2").with("email", "a@x.org");
        assert!(matched(&rule, &migrated, &ada));
        assert!(
            !matched(&rule, &native, &ada),
            "an e-mail in a user-name pool is not unique, so it never matches"
        );
    }
}
