//! What `verify` remembers of the new pool: per user a fingerprint of its attributes and its
//! state (enabled, status) in 16 bytes, found by the keys of the run's [`MatchRule`] — the one
//! rule `plan`, `status` and the sweep find old users by: the legacy `sub` (by sign-in value only
//! where the new pool keeps no legacy id: elsewhere a user holding the old name without the old
//! `sub` is someone else, `shared::identity`); and its group memberships. Kept on disk in sorted tables ([`crate::disk_table`]), built while the pool is
//! read and looked up while the old pool is: the memory used stays the same for any pool size.

use std::collections::BTreeMap;

use shared::SourceUser;
use shared::attributes::NEVER_WRITABLE;
use shared::linked_identities::{self, IDENTITIES};

use super::state::UserState;
use crate::disk_table::{Spot, Table, TableBuilder, TextFile, Texts};
use crate::fingerprint::{self, key};
use crate::target_index::MatchRule;

/// The new pool's users and memberships as they are read (see [`NewPoolIndex`]).
pub struct NewPoolIndexBuilder {
    rule: MatchRule,
    by_username: TableBuilder<u128>,
    by_key: TableBuilder<u64>,
    names: TextFile,
    memberships: TableBuilder<()>,
}

/// The new pool's users and memberships, as fingerprints.
pub struct NewPoolIndex {
    /// Which keys find an old user.
    rule: MatchRule,
    /// Per user name: the attribute fingerprint, its lowest byte replaced by the user's state.
    by_username: Table<u128>,
    /// Per key a new-pool user is found by ([`MatchRule::new_pool_user_keys`]): where its name
    /// is in `names`.
    by_key: Table<Spot>,
    /// The user names of users with a key.
    names: Texts,
    memberships: Table<()>,
}

/// What the index holds of one new-pool user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexedUser {
    /// The fingerprint of its attributes (see [`attributes_fingerprint`]).
    pub attributes: u128,
    /// Enabled or not, and its status.
    pub state: UserState,
}

/// The attributes of a user that verify compares: what the mapping writes, and the user's links
/// to identity providers as one value under `identities` ([`linked_identities::comparable`]);
/// `sub` and the rest of Cognito's `identities` array (dates, flags) are left out. Used for both
/// sides: the new-pool user as listed, and the old user's expected attributes.
pub fn comparable(
    attributes: impl IntoIterator<Item = (String, String)>,
) -> BTreeMap<String, String> {
    let mut comparable = BTreeMap::new();
    for (name, value) in attributes {
        if name == IDENTITIES {
            // Unreadable links compare as themselves, so they differ from anything readable.
            let links = linked_identities::parse(Some(&value))
                .map(|identities| linked_identities::comparable(&identities))
                .unwrap_or(value);
            if !links.is_empty() {
                comparable.insert(name, links);
            }
        } else if !NEVER_WRITABLE.contains(&name.as_str()) {
            comparable.insert(name, value);
        }
    }
    comparable
}

fn membership_key(group: &str, username: &str) -> u128 {
    key(b'm', &format!("{group}\u{0}{username}"))
}

/// The attribute fingerprint with its lowest byte cleared, where the state is kept (120 bits
/// stay: collisions remain negligible at pool sizes).
pub fn attributes_fingerprint(attributes: &BTreeMap<String, String>) -> u128 {
    fingerprint::attributes(attributes) & !0xFF
}

impl NewPoolIndexBuilder {
    /// An empty index whose users are found as `rule` says.
    pub fn create(rule: MatchRule) -> anyhow::Result<NewPoolIndexBuilder> {
        Ok(NewPoolIndexBuilder {
            rule,
            by_username: TableBuilder::default(),
            by_key: TableBuilder::default(),
            names: TextFile::create().map_err(crate::disk_table::temporary_file_error)?,
            memberships: TableBuilder::default(),
        })
    }

    /// Records a new-pool user (as listed) with the attributes verify compares.
    pub fn add_user(
        &mut self,
        user: &SourceUser,
        attributes: &BTreeMap<String, String>,
        state: UserState,
    ) -> anyhow::Result<()> {
        let mut add = || -> std::io::Result<()> {
            let packed = attributes_fingerprint(attributes) | u128::from(state.to_byte());
            self.by_username.push(key(b'u', &user.username), packed)?;
            let keys = self.rule.new_pool_user_keys(user);
            if !keys.is_empty() {
                let spot = self.names.append(&user.username)?;
                for found_by in keys {
                    self.by_key.push(found_by, spot)?;
                }
            }
            Ok(())
        };
        add().map_err(crate::disk_table::temporary_file_error)
    }

    /// Records a membership.
    pub fn add_membership(&mut self, group: &str, username: &str) -> anyhow::Result<()> {
        self.memberships
            .push(membership_key(group, username), ())
            .map_err(crate::disk_table::temporary_file_error)
    }

    /// Sorts what was recorded, ready to be looked up.
    pub fn finish(self) -> anyhow::Result<NewPoolIndex> {
        let finish = || -> std::io::Result<NewPoolIndex> {
            Ok(NewPoolIndex {
                rule: self.rule,
                by_username: self.by_username.finish()?,
                by_key: self.by_key.finish()?,
                names: self.names.finish()?,
                memberships: self.memberships.finish()?,
            })
        };
        finish().map_err(crate::disk_table::temporary_file_error)
    }
}

impl NewPoolIndex {
    /// The new pool's user name for an old user: the user carrying its old `sub` as legacy id,
    /// or, where the new pool keeps no legacy id, the user holding its sign-in value
    /// ([`MatchRule::old_user_keys`]).
    pub fn find(&self, old: &SourceUser) -> anyhow::Result<Option<String>> {
        let found = || -> std::io::Result<Option<String>> {
            for wanted in self.rule.old_user_keys(old) {
                if let Some(spot) = self.by_key.get(wanted)? {
                    return Ok(Some(self.names.get(spot)?));
                }
            }
            Ok(None)
        };
        found().map_err(crate::disk_table::temporary_file_error)
    }

    /// The attribute fingerprint and state of a new-pool user.
    pub fn user(&self, username: &str) -> anyhow::Result<Option<IndexedUser>> {
        let packed = self
            .by_username
            .get(key(b'u', username))
            .map_err(crate::disk_table::temporary_file_error)?;
        Ok(packed.map(|packed| IndexedUser {
            attributes: packed & !0xFF,
            state: UserState::from_byte(packed as u8),
        }))
    }

    /// True when the new pool has this membership.
    pub fn has_membership(&self, group: &str, username: &str) -> anyhow::Result<bool> {
        self.memberships
            .contains(membership_key(group, username))
            .map_err(crate::disk_table::temporary_file_error)
    }

    /// Users indexed.
    pub fn users(&self) -> u64 {
        self.by_username.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "custom:legacy_sub";

    /// The rule of a run between two user-name pools; the new pool keeps legacy ids, or not.
    fn rule(keeps_legacy_id: bool) -> MatchRule {
        MatchRule {
            legacy_id_attribute: keeps_legacy_id.then(|| LEGACY.to_string()),
            shape: shared::sign_in::PoolShape::default(),
            by_sign_in: true,
        }
    }

    fn user(name: &str, sub: &str) -> SourceUser {
        SourceUser::new(name, shared::SourceStatus::Confirmed).with("sub", sub)
    }

    #[test]
    fn finds_users_by_legacy_sub_never_by_a_name_they_share() {
        let mut index = NewPoolIndexBuilder::create(rule(true)).unwrap();
        let attrs: BTreeMap<String, String> = [(LEGACY.to_string(), "old-sub".to_string())].into();
        let state = UserState::new(false, "FORCE_CHANGE_PASSWORD");
        let new_user = |name: &str, attrs: &BTreeMap<String, String>| {
            let mut user = SourceUser::new(name, shared::SourceStatus::Confirmed);
            user.attributes = attrs.clone();
            user
        };
        index
            .add_user(&new_user("uuid-1", &attrs), &attrs, state)
            .unwrap();
        let other: BTreeMap<String, String> =
            [(LEGACY.to_string(), "other-sub".to_string())].into();
        index
            .add_user(&new_user("uuid-22", &other), &other, state)
            .unwrap();
        index.add_membership("admins", "uuid-1").unwrap();
        let index = index.finish().unwrap();
        let find = |name, sub| index.find(&user(name, sub)).unwrap();
        assert_eq!(find("bo", "other-sub").as_deref(), Some("uuid-22"));
        assert_eq!(find("ada", "old-sub").as_deref(), Some("uuid-1"));
        assert_eq!(find("uuid-1", "x"), None, "a shared name proves nothing");
        assert_eq!(find("bo", "x"), None);
        let expected = IndexedUser {
            attributes: attributes_fingerprint(&attrs),
            state,
        };
        assert_eq!(index.user("uuid-1").unwrap(), Some(expected));
        assert_eq!(index.users(), 2);
        assert!(index.has_membership("admins", "uuid-1").unwrap());
        assert!(!index.has_membership("admins", "ada").unwrap());
    }

    #[test]
    fn generated_attributes_are_not_compared() {
        let attrs = comparable([
            ("sub".to_string(), "x".to_string()),
            ("email".to_string(), "e".to_string()),
        ]);
        assert_eq!(attrs.keys().collect::<Vec<_>>(), ["email"]);
    }

    #[test]
    fn without_legacy_ids_users_are_found_by_name() {
        let mut index = NewPoolIndexBuilder::create(rule(false)).unwrap();
        let state = UserState::new(true, "CONFIRMED");
        index
            .add_user(&user("ada", "new-sub"), &BTreeMap::new(), state)
            .unwrap();
        let index = index.finish().unwrap();
        assert_eq!(
            index.find(&user("ada", "s")).unwrap().as_deref(),
            Some("ada")
        );
        assert_eq!(index.find(&user("bo", "s")).unwrap(), None);
    }

    #[test]
    fn without_legacy_ids_the_runs_one_rule_finds_a_name_in_any_case_the_pools_fold() {
        // The rule plan, status and the sweep use: a case-insensitive pool finds "Ada" for "ada".
        let folding = MatchRule {
            shape: shared::sign_in::PoolShape {
                case_sensitive: false,
                ..Default::default()
            },
            ..rule(false)
        };
        let state = UserState::new(true, "CONFIRMED");
        let mut index = NewPoolIndexBuilder::create(folding).unwrap();
        index
            .add_user(&user("Ada", "new-sub"), &BTreeMap::new(), state)
            .unwrap();
        let index = index.finish().unwrap();
        assert_eq!(
            index.find(&user("ada", "s")).unwrap().as_deref(),
            Some("Ada")
        );
        let mut exact = NewPoolIndexBuilder::create(rule(false)).unwrap();
        exact
            .add_user(&user("Ada", "new-sub"), &BTreeMap::new(), state)
            .unwrap();
        let exact = exact.finish().unwrap();
        assert_eq!(exact.find(&user("ada", "s")).unwrap(), None);
    }
}
