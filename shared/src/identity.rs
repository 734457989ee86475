//! Who in the new pool is an old user: the one rule behind everything the toolkit grants (a
//! group, a disable, "already migrated").
//!
//! A new-pool user **is** the old user only when its legacy-id attribute (the mapping's
//! `legacy_sub_attribute`, `custom:legacy_sub` by default) holds the old user's `sub`. Nothing
//! else proves it:
//! - not a user name: Cognito resolves the `Username` of every admin operation through aliases
//!   (`preferred_username`, a verified e-mail or phone) and, on a case-insensitive pool, through
//!   case, so whoever holds the name, an alias of it or a case variant would be the one addressed
//!   (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html>:
//!   "If you mark an attribute as an alias, users can sign in using that attribute in place of the
//!   username.");
//! - not an e-mail or phone: a user sets those themselves.
//!
//! The legacy id is proof because only two writers put it there: the import (from the export of
//! the old pool) and the trigger (after the old pool accepted the password), and `preflight`
//! fails a new pool whose app clients could write it. A pool without a legacy-id attribute proves
//! nobody: there, nothing is granted and the operator is told to add the attribute
//! ([`NO_LEGACY_ID_FIX`]).
//!
//! Whoever a lookup by name finds is then either the proven user, to be addressed by its own
//! canonical `Username` (never by the name that found it), or a stranger, to be reported and left
//! alone.
//!
//! Where the legacy id may have been written by someone else (a new pool run without `preflight`,
//! whose app clients can write it), the legacy id is checked against one more fact: the new-pool
//! user holds the old user's name itself, or its e-mail or phone *verified in the new pool*
//! ([`same_person`], for a user found by its legacy id; [`holds_itself`], for a user found by one
//! of those names). Someone who copied another user's `sub` into their own profile holds neither:
//! they answer to the name at most through an alias they set themselves (`preferred_username`),
//! an address they never verified, or another letter case.

use crate::SourceUser;
use crate::attributes::VERIFIABLE;

/// What a new-pool user found for an old user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    /// Its legacy id is the old user's `sub`: the old user, migrated.
    Proven,
    /// It holds another legacy id or none: someone else who holds the old user's name, alias or
    /// a case variant of them.
    Stranger,
}

/// The fix when the new pool (or the mapping) keeps no legacy id, so nobody can be proven.
pub const NO_LEGACY_ID_FIX: &str = "the new pool keeps no legacy id, so no user there can be \
     proven to be an old user and nothing is granted: add custom:legacy_sub to the new pool \
     (AddCustomAttributes, String, not writable by any app client) and keep legacy_sub_attribute \
     in the mapping, then import again";

/// Whether the new-pool user holding `legacy_id` (its legacy-id attribute, if any) is the old
/// user whose `sub` is `old_sub`.
pub fn identify(legacy_id: Option<&str>, old_sub: &str) -> Identity {
    match legacy_id {
        Some(id) if !id.is_empty() && !old_sub.is_empty() && id == old_sub => Identity::Proven,
        _ => Identity::Stranger,
    }
}

/// Whether the old user `old` is `user`, a new-pool user as the new pool holds it (re-read, never
/// a token's or an event's claims): the same user name (the migration keeps it unless the new
/// pool generates names), or the same e-mail or phone number (in any letter case), verified in
/// the new pool. The legacy id alone is proof only while no app client can write it; this keeps a
/// legacy id copied into someone's own profile through such a client from lending them anyone's
/// groups.
pub fn same_person(user: &SourceUser, old: &SourceUser) -> bool {
    old.username == user.username
        || VERIFIABLE.iter().any(|(attribute, _)| {
            value(old, attribute).is_some_and(|old| holds_verified(user, attribute, old))
        })
}

/// Whether `user`, a new-pool user as the new pool holds it that a lookup by `name` found, holds
/// that name itself: as its user name, or as its e-mail or phone number (in any letter case)
/// verified in the new pool. `false` when it only answers to `name` through an alias anyone can
/// set (`preferred_username`), an unverified value or another letter case of its user name: the
/// rule of [`same_person`] for a user found by one of the old user's names.
pub fn holds_itself(user: &SourceUser, name: &str) -> bool {
    user.username == name
        || VERIFIABLE
            .iter()
            .any(|(attribute, _)| holds_verified(user, attribute, name))
}

/// A non-empty attribute value.
fn value<'u>(user: &'u SourceUser, name: &str) -> Option<&'u str> {
    user.attribute(name).filter(|v| !v.is_empty())
}

/// Whether `user` holds `wanted` (in any letter case) as `attribute`, verified.
fn holds_verified(user: &SourceUser, attribute: &str, wanted: &str) -> bool {
    let verified = VERIFIABLE
        .iter()
        .find(|(name, _)| *name == attribute)
        .is_some_and(|(_, flag)| value(user, flag) == Some("true"));
    verified && value(user, attribute).is_some_and(|held| held.eq_ignore_ascii_case(wanted))
}

/// The conflict an operator is shown when `holder` (the new pool's canonical user name) answers
/// to the old user `old_username` without being that user.
pub fn stranger_detail(old_username: &str, holder: &str) -> String {
    format!(
        "the new pool's user {holder:?} answers to the old user {old_username:?} (by name, alias \
         or letter case) but does not carry its legacy id: a different person; nothing was granted. \
         Check who {holder:?} is; the old user can still migrate once the name is freed"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceStatus;

    #[test]
    fn only_the_old_sub_as_legacy_id_proves_the_user() {
        assert_eq!(identify(Some("s-1"), "s-1"), Identity::Proven);
        assert_eq!(identify(Some("s-2"), "s-1"), Identity::Stranger);
        assert_eq!(identify(None, "s-1"), Identity::Stranger);
        assert_eq!(
            identify(Some(""), ""),
            Identity::Stranger,
            "empty proves nothing"
        );
        assert_eq!(
            identify(Some("S-1"), "s-1"),
            Identity::Stranger,
            "ids are exact"
        );
    }

    #[test]
    fn only_the_same_name_or_a_contact_verified_in_the_new_pool_is_the_same_person() {
        let old = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ADA@example.com")
            .with("phone_number", "+15550100");
        assert!(same_person(
            &SourceUser::new("ada", SourceStatus::Confirmed),
            &old
        ));
        let mallory = SourceUser::new("mallory", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "false");
        assert!(!same_person(&mallory, &old), "an unverified e-mail");
        let verified = mallory.with("email_verified", "true");
        assert!(
            same_person(&verified, &old),
            "a verified e-mail in any case"
        );
        let phone = SourceUser::new("uuid-1", SourceStatus::Confirmed)
            .with("phone_number", "+15550100")
            .with("phone_number_verified", "true");
        assert!(same_person(&phone, &old));
        let empty = SourceUser::new("uuid-2", SourceStatus::Confirmed)
            .with("email", "")
            .with("email_verified", "true");
        assert!(
            !same_person(
                &empty,
                &SourceUser::new("bo", SourceStatus::Confirmed).with("email", "")
            ),
            "empty values match nothing"
        );
    }

    #[test]
    fn a_user_found_by_a_name_is_proven_only_holding_it_itself() {
        let ada = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true")
            .with("phone_number", "+15550100")
            .with("phone_number_verified", "false")
            .with("preferred_username", "lovelace");
        assert!(holds_itself(&ada, "ada"));
        assert!(holds_itself(&ada, "ADA@example.com"), "a verified e-mail");
        assert!(!holds_itself(&ada, "+15550100"), "an unverified phone");
        assert!(!holds_itself(&ada, "lovelace"), "an alias anyone can set");
        assert!(!holds_itself(&ada, "ADA"), "another letter case");
        assert!(!holds_itself(&ada, ""));
    }

    #[test]
    fn the_conflict_names_both_users() {
        let detail = stranger_detail("admin", "ADMIN");
        assert!(
            detail.contains("\"admin\"") && detail.contains("\"ADMIN\""),
            "{detail}"
        );
    }
}
