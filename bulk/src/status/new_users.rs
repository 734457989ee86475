//! What the status report remembers of each new-pool user while the old pool is read: the keys
//! it is found by (as `target_index::MatchRule::new_pool_user_keys` gives them), the day it was
//! created and three facts, in about 20 bytes a user (one 16-byte entry per key, usually one, and
//! 4 bytes of facts). No user name or attribute is held.

use super::classify::NewUserFacts;

/// The low bits of an entry hold the user's slot; the high 96 bits are the key's.
const SLOT_BITS: u32 = 32;
const KEY_MASK: u128 = !((1u128 << SLOT_BITS) - 1);

/// Days since 1970-01-01 fit in 24 bits (45,000 years); the facts take the top byte.
const DAY_MASK: u32 = (1 << 24) - 1;
const HAS_LEGACY_ID: u32 = 1 << 24;
const IMPORT_STATUS: u32 = 1 << 25;
const LISTED_IN_EXPORT: u32 = 1 << 26;
const FOUND_BY_OLD_USER: u32 = 1 << 27;

/// One new-pool user as it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NewUser {
    /// `UserCreateDate`, in whole days since 1970-01-01 (UTC).
    pub created_day: u32,
    /// It carries the legacy id of an old user.
    pub has_legacy_id: bool,
    /// Its status is one an import leaves (see `classify::import_status`).
    pub import_status: bool,
    /// The export folder lists it.
    pub listed_in_export: bool,
}

/// The new pool's users, found by key.
#[derive(Debug, Default)]
pub struct NewUsers {
    /// Key (high 96 bits) and slot (low 32 bits), sorted once every user is added.
    entries: Vec<u128>,
    /// Per slot: the created day and the facts' bits.
    users: Vec<u32>,
}

impl NewUsers {
    /// Records a user found by `keys`.
    pub fn add(&mut self, keys: &[u128], user: NewUser) {
        let slot = u32::try_from(self.users.len()).expect("fewer than 4 billion users");
        let mut packed = user.created_day.min(DAY_MASK);
        for (set, bit) in [
            (user.has_legacy_id, HAS_LEGACY_ID),
            (user.import_status, IMPORT_STATUS),
            (user.listed_in_export, LISTED_IN_EXPORT),
        ] {
            if set {
                packed |= bit;
            }
        }
        self.users.push(packed);
        self.entries
            .extend(keys.iter().map(|key| (key & KEY_MASK) | u128::from(slot)));
    }

    /// Makes the users findable; call once after the last [`NewUsers::add`].
    pub fn finish(&mut self) {
        self.entries.sort_unstable();
        self.entries.shrink_to_fit();
        self.users.shrink_to_fit();
    }

    /// Looks an old user up by its keys, in order: the users under the first key that finds any
    /// are marked as found by an old user. True when one was found.
    pub fn find_old_user(&mut self, keys: &[u128]) -> bool {
        for key in keys {
            let wanted = key & KEY_MASK;
            let start = self.entries.partition_point(|e| e & KEY_MASK < wanted);
            let end = self.entries.partition_point(|e| e & KEY_MASK <= wanted);
            for entry in &self.entries[start..end] {
                self.users[(entry & !KEY_MASK) as usize] |= FOUND_BY_OLD_USER;
            }
            if end > start {
                return true;
            }
        }
        false
    }

    /// True when some user is found by one of `keys`; nobody is marked.
    pub fn holds_any(&self, keys: &[u128]) -> bool {
        keys.iter().any(|key| {
            let wanted = key & KEY_MASK;
            let start = self.entries.partition_point(|e| e & KEY_MASK < wanted);
            self.entries
                .get(start)
                .is_some_and(|e| e & KEY_MASK == wanted)
        })
    }

    /// Users recorded.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Every user's created day and what classifies it; `export_folder_given` says whether
    /// "listed in the export" is known.
    pub fn facts(&self, export_folder_given: bool) -> impl Iterator<Item = (u32, NewUserFacts)> {
        self.users.iter().map(move |packed| {
            let facts = NewUserFacts {
                has_old_counterpart: packed & (HAS_LEGACY_ID | FOUND_BY_OLD_USER) != 0,
                listed_in_export: export_folder_given.then_some(packed & LISTED_IN_EXPORT != 0),
                import_status: packed & IMPORT_STATUS != 0,
            };
            (packed & DAY_MASK, facts)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_users_mark_the_new_users_they_are() {
        let mut users = NewUsers::default();
        users.add(
            &[0xAAAA << 64],
            NewUser {
                created_day: 20_000,
                ..NewUser::default()
            },
        );
        let legacy = NewUser {
            created_day: 20_001,
            has_legacy_id: true,
            ..NewUser::default()
        };
        users.add(&[0xBBBB << 64], legacy);
        users.add(&[0xCCCC << 64], NewUser::default());
        users.finish();
        assert!(users.find_old_user(&[0x1234, 0xAAAA << 64]));
        assert!(!users.find_old_user(&[0x1234]));
        let facts: Vec<_> = users.facts(false).collect();
        assert_eq!(facts.len(), 3);
        assert_eq!(facts[0].0, 20_000);
        assert!(facts[0].1.has_old_counterpart, "found by an old user");
        assert!(facts[1].1.has_old_counterpart, "carries a legacy id");
        assert!(!facts[2].1.has_old_counterpart);
        assert_eq!(facts[0].1.listed_in_export, None);
    }

    #[test]
    fn holding_a_key_marks_nobody() {
        let mut users = NewUsers::default();
        users.add(&[7 << 64], NewUser::default());
        users.finish();
        assert!(users.holds_any(&[1 << 64, 7 << 64]));
        assert!(!users.holds_any(&[1 << 64]));
        let (_, facts) = users.facts(false).next().unwrap();
        assert!(!facts.has_old_counterpart, "not marked");
    }

    #[test]
    fn only_the_first_key_that_finds_anyone_marks() {
        let mut users = NewUsers::default();
        users.add(&[1 << 64], NewUser::default());
        users.add(&[2 << 64], NewUser::default());
        users.finish();
        assert!(users.find_old_user(&[1 << 64, 2 << 64]));
        let found: Vec<bool> = users
            .facts(true)
            .map(|(_, f)| f.has_old_counterpart)
            .collect();
        assert_eq!(found, [true, false]);
    }

    #[test]
    fn the_facts_and_the_day_survive_packing() {
        let mut users = NewUsers::default();
        let user = NewUser {
            created_day: 20_419,
            has_legacy_id: false,
            import_status: true,
            listed_in_export: true,
        };
        users.add(&[], user);
        users.finish();
        let (day, facts) = users.facts(true).next().unwrap();
        assert_eq!(day, 20_419);
        assert_eq!(facts.listed_in_export, Some(true));
        assert!(facts.import_status);
        assert_eq!(users.len(), 1);
    }
}
