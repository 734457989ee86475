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
    fn the_conflict_names_both_users() {
        let detail = stranger_detail("admin", "ADMIN");
        assert!(
            detail.contains("\"admin\"") && detail.contains("\"ADMIN\""),
            "{detail}"
        );
    }
}
