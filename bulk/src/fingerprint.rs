//! Compact, fixed-size fingerprints of names and attribute sets, so reports over a million users
//! hold 16 bytes per user instead of their strings.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A 128-bit fingerprint of `value` in namespace `kind` (so a user name never equals a `sub`).
/// Collisions are negligible at pool sizes (about 10⁻²⁶ for a million pairs).
pub fn key(kind: u8, value: &str) -> u128 {
    let half = |seed: u8| {
        let mut hasher = DefaultHasher::new();
        (seed, kind, value).hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// A fingerprint of a whole attribute set (names and values, order-independent by construction).
pub fn attributes(attributes: &BTreeMap<String, String>) -> u128 {
    let mut hasher = DefaultHasher::new();
    attributes.hash(&mut hasher);
    let low = hasher.finish();
    let mut hasher = DefaultHasher::new();
    (1u8, attributes).hash(&mut hasher);
    (u128::from(hasher.finish()) << 64) | u128::from(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_separate_namespaces_and_sets_compare_by_content() {
        assert_ne!(key(b'u', "x"), key(b's', "x"));
        assert_eq!(key(b'u', "x"), key(b'u', "x"));
        let a: BTreeMap<String, String> = [("a".to_string(), "1".to_string())].into();
        let mut b = a.clone();
        assert_eq!(attributes(&a), attributes(&b));
        b.insert("b".into(), "2".into());
        assert_ne!(attributes(&a), attributes(&b));
    }
}
