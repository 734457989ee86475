//! A set of 128-bit fingerprints in 16 bytes each: a sorted vector, with the latest arrivals in a
//! small hash set merged into it in batches.
//!
//! A `HashSet<u128>` of a million fingerprints takes 36 MB (2²¹ buckets of 17 bytes) and 53 MB
//! while it grows (the old table and the new one); this takes 16 MB and a batch.

use std::collections::HashSet;

/// Arrivals held in the hash set before they are merged into the sorted vector: small enough to
/// cost nothing (about 2.3 MB), large enough that merges are rare (a million inserts: 16 merges).
const BATCH: usize = 1 << 16;

/// A set of fingerprints (see [`crate::fingerprint`]).
#[derive(Debug, Default, Clone)]
pub struct FingerprintSet {
    sorted: Vec<u128>,
    recent: HashSet<u128>,
}

impl FingerprintSet {
    /// Adds `key`; returns whether it was new.
    pub fn insert(&mut self, key: u128) -> bool {
        if self.sorted.binary_search(&key).is_ok() || !self.recent.insert(key) {
            return false;
        }
        if self.recent.len() >= BATCH {
            self.merge();
        }
        true
    }

    /// True when `key` is in the set.
    pub fn contains(&self, key: &u128) -> bool {
        self.recent.contains(key) || self.sorted.binary_search(key).is_ok()
    }

    /// Fingerprints in the set.
    pub fn len(&self) -> usize {
        self.sorted.len() + self.recent.len()
    }

    /// True when the set holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the recent arrivals into the sorted vector, merging from the back in place so that
    /// no second copy of the vector is ever made.
    fn merge(&mut self) {
        let mut batch: Vec<u128> = self.recent.drain().collect();
        batch.sort_unstable();
        let old_len = self.sorted.len();
        self.sorted.reserve_exact(batch.len());
        self.sorted.resize(old_len + batch.len(), 0);
        let (mut old, mut new, mut write) = (old_len, batch.len(), old_len + batch.len());
        while new > 0 {
            write -= 1;
            if old > 0 && self.sorted[old - 1] > batch[new - 1] {
                self.sorted[write] = self.sorted[old - 1];
                old -= 1;
            } else {
                self.sorted[write] = batch[new - 1];
                new -= 1;
            }
        }
    }
}

/// Two sets are equal when they hold the same fingerprints, however they are batched.
impl PartialEq for FingerprintSet {
    fn eq(&self, other: &FingerprintSet) -> bool {
        self.len() == other.len()
            && self
                .sorted
                .iter()
                .chain(&self.recent)
                .all(|k| other.contains(k))
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

    #[test]
    fn holds_each_key_once_across_merges() {
        let mut set = FingerprintSet::default();
        let keys: Vec<u128> = (0..3 * BATCH as u128 + 17)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
            .collect();
        for key in &keys {
            assert!(set.insert(*key));
        }
        for key in keys.iter().step_by(7) {
            assert!(!set.insert(*key), "a second insert of {key} is not new");
        }
        assert_eq!(set.len(), keys.len());
        assert!(keys.iter().all(|k| set.contains(k)));
        assert!(!set.contains(&1));
        assert!(set.sorted.windows(2).all(|w| w[0] < w[1]));
        let reversed: FingerprintSet = keys.iter().rev().copied().collect();
        assert_eq!(reversed, set);
    }

    #[test]
    fn an_empty_set_holds_nothing() {
        let set: FingerprintSet = std::iter::empty().collect();
        assert!(set.is_empty());
        assert!(!set.contains(&0));
    }
}
