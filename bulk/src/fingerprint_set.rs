//! Sets and maps of 128-bit fingerprints in 16 bytes a key (plus the value): a sorted vector,
//! with the latest arrivals in a small hash map merged into it in batches.
//!
//! A `HashSet<u128>` of a million fingerprints takes 36 MB (2²¹ buckets of 17 bytes) and 53 MB
//! while it grows (the old table and the new one); a [`FingerprintSet`] takes 16 MB and a batch.

use std::collections::HashMap;

/// Arrivals held in the hash map before they are merged into the sorted vector: small enough to
/// cost nothing (a few MB), large enough that merges are rare (a million inserts: 16 merges).
const BATCH: usize = 1 << 16;

/// A map from fingerprints (see [`crate::fingerprint`]) to small values.
#[derive(Debug, Clone)]
pub struct FingerprintMap<V> {
    sorted: Vec<(u128, V)>,
    recent: HashMap<u128, V>,
}

impl<V> Default for FingerprintMap<V> {
    fn default() -> FingerprintMap<V> {
        FingerprintMap {
            sorted: Vec::new(),
            recent: HashMap::new(),
        }
    }
}

impl<V: Copy + Default> FingerprintMap<V> {
    /// Sets the value of `key`; returns whether the key was new.
    pub fn insert(&mut self, key: u128, value: V) -> bool {
        if let Ok(at) = self.sorted.binary_search_by_key(&key, |(k, _)| *k) {
            self.sorted[at].1 = value;
            return false;
        }
        if self.recent.insert(key, value).is_some() {
            return false;
        }
        if self.recent.len() >= BATCH {
            self.merge();
        }
        true
    }

    /// The value of `key`.
    pub fn get(&self, key: &u128) -> Option<V> {
        if let Some(value) = self.recent.get(key) {
            return Some(*value);
        }
        let at = self.sorted.binary_search_by_key(key, |(k, _)| *k).ok()?;
        Some(self.sorted[at].1)
    }

    /// True when `key` is in the map.
    pub fn contains_key(&self, key: &u128) -> bool {
        self.get(key).is_some()
    }

    /// Keys in the map.
    pub fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }

    /// Every key, in no particular order.
    fn keys(&self) -> impl Iterator<Item = &u128> {
        self.sorted.iter().map(|(k, _)| k).chain(self.recent.keys())
    }

    /// Moves the recent arrivals into the sorted vector, merging from the back in place so that
    /// no second copy of the vector is ever made.
    fn merge(&mut self) {
        let mut batch: Vec<(u128, V)> = self.recent.drain().collect();
        batch.sort_unstable_by_key(|(k, _)| *k);
        let old_len = self.sorted.len();
        self.sorted.reserve_exact(batch.len());
        self.sorted.resize(old_len + batch.len(), (0, V::default()));
        let (mut old, mut new, mut write) = (old_len, batch.len(), old_len + batch.len());
        while new > 0 {
            write -= 1;
            if old > 0 && self.sorted[old - 1].0 > batch[new - 1].0 {
                self.sorted[write] = self.sorted[old - 1];
                old -= 1;
            } else {
                self.sorted[write] = batch[new - 1];
                new -= 1;
            }
        }
    }
}

/// A set of fingerprints (see [`crate::fingerprint`]).
#[derive(Debug, Default, Clone)]
pub struct FingerprintSet {
    keys: FingerprintMap<()>,
}

impl FingerprintSet {
    /// Adds `key`; returns whether it was new.
    pub fn insert(&mut self, key: u128) -> bool {
        self.keys.insert(key, ())
    }

    /// True when `key` is in the set.
    pub fn contains(&self, key: &u128) -> bool {
        self.keys.contains_key(key)
    }

    /// Fingerprints in the set.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Two sets are equal when they hold the same fingerprints, however they are batched.
impl PartialEq for FingerprintSet {
    fn eq(&self, other: &FingerprintSet) -> bool {
        self.len() == other.len() && self.keys.keys().all(|k| other.contains(k))
    }
}

impl Eq for FingerprintSet {}

impl FromIterator<u128> for FingerprintSet {
    fn from_iter<I: IntoIterator<Item = u128>>(keys: I) -> FingerprintSet {
        let mut set = FingerprintSet::default();
        for key in keys {
            set.insert(key);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(i: u128) -> u128 {
        i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    }

    #[test]
    fn holds_each_key_once_across_merges() {
        let mut set = FingerprintSet::default();
        let keys: Vec<u128> = (0..3 * BATCH as u128 + 17).map(spread).collect();
        for key in &keys {
            assert!(set.insert(*key));
        }
        for key in keys.iter().step_by(7) {
            assert!(!set.insert(*key), "a second insert of {key} is not new");
        }
        assert_eq!(set.len(), keys.len());
        assert!(keys.iter().all(|k| set.contains(k)));
        assert!(!set.contains(&1));
        assert!(set.keys.sorted.windows(2).all(|w| w[0].0 < w[1].0));
        let reversed: FingerprintSet = keys.iter().rev().copied().collect();
        assert_eq!(reversed, set);
    }

    #[test]
    fn a_map_keeps_the_last_value_of_each_key() {
        let mut map = FingerprintMap::default();
        for i in 0..2 * BATCH as u128 {
            map.insert(spread(i), i as u32);
        }
        map.insert(spread(5), 7);
        map.insert(spread(2 * BATCH as u128 - 1), 9);
        assert_eq!(map.get(&spread(5)), Some(7));
        assert_eq!(map.get(&spread(2 * BATCH as u128 - 1)), Some(9));
        assert_eq!(map.get(&spread(6)), Some(6));
        assert_eq!(map.get(&1), None);
        assert_eq!(map.len(), 2 * BATCH);
    }

    #[test]
    fn an_empty_set_holds_nothing() {
        let set: FingerprintSet = std::iter::empty().collect();
        assert_eq!(set.len(), 0);
        assert!(!set.contains(&0));
    }
}
