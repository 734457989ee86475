//! Which keys find a user in the new pool, and which keys an old-pool user is looked up by.
//!
//! A new-pool user is found by its legacy id (the old `sub`, carried in the mapping's
//! `legacy_sub_attribute`, `custom:legacy_sub` by default) when it has one, and otherwise by the
//! values it signs in with, as `shared::sign_in` defines them for the new pool's shape
//! ([`PoolShape::listed_user_keys`]). Matching by sign-in value is only sound when both pools sign
//! users in by the same kind of value (then an old user's values in the old pool are its values in
//! the new one); otherwise only the legacy id can tell who is who, and without it
//! [`MatchRule::for_pools`] refuses rather than guess.
//!
//! Who counts as the old user follows `shared::identity`: where the new pool keeps legacy ids, an
//! old user **is** in the new pool only by its legacy id. A new-pool user without one who holds
//! the old user's sign-in value (a native sign-up during the window, in any letter case the pool
//! folds) is someone else: it neither counts the old user as migrated nor hides it from the
//! sweep, and is reported as holding the name ([`Presence::NameHeldByAnotherUser`]). Only a new
//! pool without a legacy-id attribute is matched by sign-in value, for counting alone: there
//! nothing can be proven, and `groups` grants nothing.

use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use serde::{Deserialize, Serialize};
use shared::SourceUser;
use shared::from_sdk::pool_shape;
use shared::sign_in::{PoolShape, SignInKey};

use crate::fingerprint::key;

/// The tag of a legacy-id key (sign-in keys carry their field's tag, see
/// [`shared::sign_in::SignInField::tag`]).
const LEGACY_ID_TAG: u8 = b's';

/// How old-pool users are matched with new-pool users, fixed for a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchRule {
    /// The new pool's attribute holding the old `sub`, when the new pool has it.
    pub legacy_id_attribute: Option<String>,
    /// The new pool's shape, case-insensitive when either pool is (see [`MatchRule::for_pools`]).
    pub shape: PoolShape,
    /// Old users are also looked up by their sign-in values (both pools sign in by the same kind).
    pub by_sign_in: bool,
}

impl MatchRule {
    /// The rule for finding users of the pool `old` in the pool `new`, where `legacy_id_attribute`
    /// is the mapping's legacy-`sub` attribute already resolved against the new pool (`None` when
    /// the new pool lacks it).
    ///
    /// Sign-in values are compared ignoring case when either pool does: the new pool "treats any
    /// variation in case as the same user", and a user of an old pool that does so may have been
    /// created in the new pool by the trigger under the case typed at sign-in
    /// (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html>:
    /// false "also enables both preferred_username and email alias to be case insensitive"; true,
    /// "This is the default value", is exact).
    ///
    /// Fails when the pools sign in by different kinds of value and the new pool has no legacy-id
    /// attribute: then nothing ties a new-pool user to its old user, and guessing would either
    /// import migrated users a second time or skip users who never moved.
    pub fn for_pools(
        old: &UserPoolType,
        new: &UserPoolType,
        legacy_id_attribute: Option<&str>,
    ) -> anyhow::Result<MatchRule> {
        let (old_shape, new_shape) = (pool_shape(old), pool_shape(new));
        let same_kind = sign_in_kind(&old_shape) == sign_in_kind(&new_shape);
        if legacy_id_attribute.is_none() && !same_kind {
            anyhow::bail!(
                "cannot tell which users of the old pool {old_id} are already in the new pool {new_id}: \
                 the old pool signs users in by {old_kind}, the new pool by {new_kind}, and no \
                 legacy-id attribute ties a new-pool user to its old sub. Add custom:legacy_sub to the \
                 new pool's schema (AddCustomAttributes) and keep legacy_sub_attribute in the mapping, \
                 so imports and the trigger write it, then run again",
                old_id = old.id().unwrap_or_default(),
                new_id = new.id().unwrap_or_default(),
                old_kind = describe(&old_shape),
                new_kind = describe(&new_shape),
            );
        }
        let shape = PoolShape {
            case_sensitive: old_shape.case_sensitive && new_shape.case_sensitive,
            ..new_shape
        };
        Ok(MatchRule {
            legacy_id_attribute: legacy_id_attribute.map(str::to_string),
            shape,
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
            Some(id) => vec![key(LEGACY_ID_TAG, id)],
            None => self.sign_in_keys(user),
        }
    }

    /// The keys that find the old-pool user itself in the new pool: its `sub` as legacy id when
    /// the new pool carries one (nothing else proves it), else its sign-in values when both pools
    /// sign in by the same kind.
    pub fn old_user_keys(&self, user: &SourceUser) -> Vec<u128> {
        if self.legacy_id_attribute.is_some() {
            return if user.sub().is_empty() {
                Vec::new()
            } else {
                vec![key(LEGACY_ID_TAG, user.sub())]
            };
        }
        self.name_keys(user)
    }

    /// The keys of a new-pool user without a legacy id who would hold the old user's sign-in
    /// value, when both pools sign in by the same kind and the new pool keeps legacy ids (without
    /// them, these are [`MatchRule::old_user_keys`]).
    pub fn name_held_keys(&self, user: &SourceUser) -> Vec<u128> {
        if self.legacy_id_attribute.is_none() {
            return Vec::new();
        }
        self.name_keys(user)
    }

    fn name_keys(&self, user: &SourceUser) -> Vec<u128> {
        if self.by_sign_in {
            self.sign_in_keys(user)
        } else {
            Vec::new()
        }
    }

    /// The user's sign-in values in the new pool's shape, as 128-bit keys.
    fn sign_in_keys(&self, user: &SourceUser) -> Vec<u128> {
        self.shape
            .listed_user_keys(&user.username, &user.attributes)
            .iter()
            .map(|SignInKey { field, value }| key(field.tag(), value))
            .collect()
    }
}

/// The kind of value a pool's users sign in with: its `UsernameAttributes`, in a fixed order
/// (empty: the user name).
fn sign_in_kind(shape: &PoolShape) -> Vec<&str> {
    let mut kind: Vec<&str> = shape
        .username_attributes
        .iter()
        .map(String::as_str)
        .collect();
    kind.sort_unstable();
    kind
}

/// What a pool's users type to sign in, for messages.
fn describe(shape: &PoolShape) -> String {
    match sign_in_kind(shape).as_slice() {
        [] => "user name".to_string(),
        attributes => attributes.join(" or "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{
        AliasAttributeType, UsernameAttributeType, UsernameConfigurationType,
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

    fn held(rule: &MatchRule, new: &SourceUser, old: &SourceUser) -> bool {
        let keys = rule.new_pool_user_keys(new);
        rule.name_held_keys(old).iter().any(|k| keys.contains(k))
    }

    fn matched(rule: &MatchRule, new: &SourceUser, old: &SourceUser) -> bool {
        let keys = rule.new_pool_user_keys(new);
        rule.old_user_keys(old).iter().any(|k| keys.contains(k))
    }

    fn user(name: &str) -> SourceUser {
        SourceUser::new(name, SourceStatus::Confirmed)
    }

    #[test]
    fn migrated_users_match_by_legacy_id_and_native_sign_ups_only_hold_the_name() {
        let (old, new) = (pool("old", &[], true), pool("new", &[], true));
        let rule = MatchRule::for_pools(&old, &new, Some("custom:legacy_sub")).unwrap();
        let ada = user("ada").with("sub", "s-ada");
        let migrated = user("ada").with("custom:legacy_sub", "s-ada");
        assert!(matched(&rule, &migrated, &ada));
        assert!(!held(&rule, &migrated, &ada));
        let bo = user("bo").with("sub", "s-bo");
        assert!(
            !matched(&rule, &user("bo"), &bo),
            "a sign-up named bo is not the old bo"
        );
        assert!(held(&rule, &user("bo"), &bo), "it holds bo's name");
        let other_ada = user("ada").with("sub", "s-other");
        assert!(
            !matched(&rule, &migrated, &other_ada),
            "a migrated user is found by its legacy id only"
        );
    }

    #[test]
    fn user_names_match_in_any_case_when_either_pool_ignores_case() {
        let sensitive = |case_sensitive| pool("p", &[], case_sensitive);
        for (old, new) in [(true, false), (false, true)] {
            let rule = MatchRule::for_pools(&sensitive(old), &sensitive(new), None).unwrap();
            assert!(matched(&rule, &user("ada"), &user("Ada")), "{old} {new}");
        }
        let exact = MatchRule::for_pools(&sensitive(true), &sensitive(true), None).unwrap();
        assert!(!matched(&exact, &user("ada"), &user("Ada")));
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
        let reversed = [
            UsernameAttributeType::PhoneNumber,
            UsernameAttributeType::Email,
        ];
        let (old, new) = (pool("old", &both, true), pool("new", &reversed, true));
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
        assert!(err.contains("by user name, the new pool by email"), "{err}");
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

    #[test]
    fn aliases_never_match() {
        let aliases = UserPoolType::builder()
            .alias_attributes(AliasAttributeType::PreferredUsername)
            .alias_attributes(AliasAttributeType::Email)
            .build();
        let rule = MatchRule::for_pools(&aliases, &aliases, None).unwrap();
        let old_user = user("ada")
            .with("preferred_username", "lovelace")
            .with("email", "a@x.org")
            .with("email_verified", "true");
        let other = user("bo")
            .with("preferred_username", "lovelace")
            .with("email", "a@x.org")
            .with("email_verified", "true");
        assert!(
            !matched(&rule, &other, &old_user),
            "an alias can move to another user, so it never says who someone is"
        );
    }
}
