//! What `verify` remembers of the new pool: per user a fingerprint of its attributes and its
//! state (enabled, status) in 16 bytes, found by legacy `sub` (by user name only where the new
//! pool keeps no legacy id: elsewhere a user holding the old name without the old `sub` is someone
//! else, `shared::identity`); and its group
//! memberships. Kept on disk in sorted tables ([`crate::disk_table`]), built while the pool is
//! read and looked up while the old pool is: the memory used stays the same for any pool size.

use std::collections::BTreeMap;

use shared::attributes::NEVER_WRITABLE;
use shared::linked_identities::{self, IDENTITIES};

use super::state::UserState;
use crate::disk_table::{Spot, Table, TableBuilder, TextFile, Texts};
use crate::fingerprint::{self, key};

/// The new pool's users and memberships as they are read (see [`NewPoolIndex`]).
pub struct NewPoolIndexBuilder {
    keeps_legacy_id: bool,
    by_username: TableBuilder<u128>,
    by_legacy_sub: TableBuilder<u64>,
    names: TextFile,
    memberships: TableBuilder<()>,
}

/// The new pool's users and memberships, as fingerprints.
pub struct NewPoolIndex {
    /// Users are found by legacy `sub` only.
    keeps_legacy_id: bool,
    /// Per user name: the attribute fingerprint, its lowest byte replaced by the user's state.
    by_username: Table<u128>,
    /// Per legacy `sub`: where the user's name is in `names`.
    by_legacy_sub: Table<Spot>,
    /// The user names of users with a legacy `sub`.
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
    /// An empty index; `keeps_legacy_id`: the new pool carries legacy ids, so only they find a
    /// user.
    pub fn create(keeps_legacy_id: bool) -> anyhow::Result<NewPoolIndexBuilder> {
        Ok(NewPoolIndexBuilder {
            keeps_legacy_id,
            by_username: TableBuilder::default(),
            by_legacy_sub: TableBuilder::default(),
            names: TextFile::create().map_err(crate::disk_table::temporary_file_error)?,
            memberships: TableBuilder::default(),
        })
    }

    /// Records a new-pool user.
    pub fn add_user(
        &mut self,
        username: &str,
        attributes: &BTreeMap<String, String>,
        state: UserState,
        legacy_sub_attribute: Option<&str>,
    ) -> anyhow::Result<()> {
        let packed = attributes_fingerprint(attributes) | u128::from(state.to_byte());
        self.by_username
            .push(key(b'u', username), packed)
            .map_err(crate::disk_table::temporary_file_error)?;
        if let Some(sub) = legacy_sub_attribute.and_then(|a| attributes.get(a)) {
            let spot = self
                .names
                .append(username)
                .map_err(crate::disk_table::temporary_file_error)?;
            self.by_legacy_sub
                .push(key(b's', sub), spot)
                .map_err(crate::disk_table::temporary_file_error)?;
        }
        Ok(())
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
                keeps_legacy_id: self.keeps_legacy_id,
                by_username: self.by_username.finish()?,
                by_legacy_sub: self.by_legacy_sub.finish()?,
                names: self.names.finish()?,
                memberships: self.memberships.finish()?,
            })
        };
        finish().map_err(crate::disk_table::temporary_file_error)
    }
}

impl NewPoolIndex {
    /// The new pool's user name for an old user: the user carrying its old `sub` as legacy id,
    /// or, where the new pool keeps no legacy id, the user of the same name.
    pub fn find(&self, old_username: &str, old_sub: &str) -> anyhow::Result<Option<String>> {
        let found = || -> std::io::Result<Option<String>> {
            if !self.keeps_legacy_id {
                let held = self.by_username.contains(key(b'u', old_username))?;
                return Ok(held.then(|| old_username.to_string()));
            }
            match self.by_legacy_sub.get(key(b's', old_sub))? {
                Some(spot) => Ok(Some(self.names.get(spot)?)),
                None => Ok(None),
            }
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

    #[test]
    fn finds_users_by_legacy_sub_never_by_a_name_they_share() {
        let mut index = NewPoolIndexBuilder::create(true).unwrap();
        let attrs: BTreeMap<String, String> =
            [("custom:legacy_sub".to_string(), "old-sub".to_string())].into();
        let state = UserState::new(false, "FORCE_CHANGE_PASSWORD");
        index
            .add_user("uuid-1", &attrs, state, Some("custom:legacy_sub"))
            .unwrap();
        let other: BTreeMap<String, String> =
            [("custom:legacy_sub".to_string(), "other-sub".to_string())].into();
        index
            .add_user("uuid-22", &other, state, Some("custom:legacy_sub"))
            .unwrap();
        index.add_membership("admins", "uuid-1").unwrap();
        let index = index.finish().unwrap();
        let find = |name, sub| index.find(name, sub).unwrap();
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
        let mut index = NewPoolIndexBuilder::create(false).unwrap();
        let state = UserState::new(true, "CONFIRMED");
        index
            .add_user("ada", &BTreeMap::new(), state, None)
            .unwrap();
        let index = index.finish().unwrap();
        assert_eq!(index.find("ada", "s").unwrap().as_deref(), Some("ada"));
        assert_eq!(index.find("bo", "s").unwrap(), None);
    }
}
