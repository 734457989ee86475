//! What `verify` remembers of the new pool: per user a fingerprint of its attributes and its
//! state (enabled, status) in 16 bytes, found by user name or legacy `sub`; and its group
//! memberships. Kept in sorted vectors ([`FingerprintMap`]): 32 bytes a user, and for a user with
//! a legacy `sub` 36 more and its name.

use std::collections::BTreeMap;

use shared::attributes::NEVER_WRITABLE;

use super::state::UserState;
use crate::fingerprint::{self, key};
use crate::fingerprint_set::{FingerprintMap, FingerprintSet};

/// The new pool's users and memberships, as fingerprints.
#[derive(Debug, Default)]
pub struct NewPoolIndex {
    /// Per user name: the attribute fingerprint, its lowest byte replaced by the user's state.
    by_username: FingerprintMap<u128>,
    /// Per legacy `sub`: the user's number in `names`.
    by_legacy_sub: FingerprintMap<u32>,
    /// The user names of users with a legacy `sub`, end to end; `name_ends[i]` is where the
    /// `i`-th ends.
    names: String,
    name_ends: Vec<u32>,
    memberships: FingerprintSet,
}

/// The attributes of a new-pool user that verify compares (what Cognito generates is left out).
pub fn comparable(
    attributes: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    attributes
        .into_iter()
        .filter(|(name, _)| !NEVER_WRITABLE.contains(&name.as_str()))
        .collect()
}

fn membership_key(group: &str, username: &str) -> u128 {
    key(b'm', &format!("{group}\u{0}{username}"))
}

/// The attribute fingerprint with its lowest byte cleared, where the state is kept (120 bits
/// stay: collisions remain negligible at pool sizes).
pub fn attributes_fingerprint(attributes: &BTreeMap<String, String>) -> u128 {
    fingerprint::attributes(attributes) & !0xFF
}

impl NewPoolIndex {
    /// Records a new-pool user.
    pub fn add_user(
        &mut self,
        username: &str,
        attributes: &BTreeMap<String, String>,
        state: UserState,
        legacy_sub_attribute: Option<&str>,
    ) {
        let packed = attributes_fingerprint(attributes) | u128::from(state.to_byte());
        self.by_username.insert(key(b'u', username), packed);
        if let Some(sub) = legacy_sub_attribute.and_then(|a| attributes.get(a)) {
            let number = self.name_ends.len() as u32;
            self.names.push_str(username);
            self.name_ends.push(self.names.len() as u32);
            self.by_legacy_sub.insert(key(b's', sub), number);
        }
    }

    /// Records a membership.
    pub fn add_membership(&mut self, group: &str, username: &str) {
        self.memberships.insert(membership_key(group, username));
    }

    /// The new pool's user name for an old user, found by the same user name or by its old `sub`.
    pub fn find(&self, old_username: &str, old_sub: &str) -> Option<String> {
        if self.by_username.contains_key(&key(b'u', old_username)) {
            return Some(old_username.to_string());
        }
        let number = self.by_legacy_sub.get(&key(b's', old_sub))? as usize;
        let start = number
            .checked_sub(1)
            .map_or(0, |i| self.name_ends[i] as usize);
        Some(self.names[start..self.name_ends[number] as usize].to_string())
    }

    /// The attribute fingerprint of a new-pool user (see [`attributes_fingerprint`]).
    pub fn attributes_of(&self, username: &str) -> Option<u128> {
        let packed = self.by_username.get(&key(b'u', username))?;
        Some(packed & !0xFF)
    }

    /// The state of a new-pool user.
    pub fn state_of(&self, username: &str) -> Option<UserState> {
        let packed = self.by_username.get(&key(b'u', username))?;
        Some(UserState::from_byte(packed as u8))
    }

    /// True when the new pool has this membership.
    pub fn has_membership(&self, group: &str, username: &str) -> bool {
        self.memberships.contains(&membership_key(group, username))
    }

    /// Users indexed.
    pub fn users(&self) -> usize {
        self.by_username.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_users_by_name_or_legacy_sub() {
        let mut index = NewPoolIndex::default();
        let attrs: BTreeMap<String, String> =
            [("custom:legacy_sub".to_string(), "old-sub".to_string())].into();
        let state = UserState::new(false, "FORCE_CHANGE_PASSWORD");
        index.add_user("uuid-1", &attrs, state, Some("custom:legacy_sub"));
        let other: BTreeMap<String, String> =
            [("custom:legacy_sub".to_string(), "other-sub".to_string())].into();
        index.add_user("uuid-22", &other, state, Some("custom:legacy_sub"));
        assert_eq!(index.find("bo", "other-sub").as_deref(), Some("uuid-22"));
        assert_eq!(index.find("ada", "old-sub").as_deref(), Some("uuid-1"));
        assert_eq!(index.find("uuid-1", "x").as_deref(), Some("uuid-1"));
        assert_eq!(index.find("bo", "x"), None);
        assert_eq!(index.state_of("uuid-1"), Some(state));
        assert_eq!(
            index.attributes_of("uuid-1"),
            Some(attributes_fingerprint(&attrs))
        );
        index.add_membership("admins", "uuid-1");
        assert!(index.has_membership("admins", "uuid-1"));
        assert!(!index.has_membership("admins", "ada"));
    }

    #[test]
    fn generated_attributes_are_not_compared() {
        let attrs = comparable([
            ("sub".to_string(), "x".to_string()),
            ("email".to_string(), "e".to_string()),
        ]);
        assert_eq!(attrs.keys().collect::<Vec<_>>(), ["email"]);
    }
}
