//! Splitting one pool scan into disjoint shards by the first hex digit of `sub`.
//!
//! `sub` is a lower-case UUID, so `sub ^= "0"` … `sub ^= "f"` partition every pool into 16
//! disjoint, complete parts that `ListUsers` can page concurrently. With one segment the scan is a
//! single unfiltered one.

const HEX: [&str; 16] = [
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
];

/// The `sub` prefixes to scan: one empty prefix (the whole pool) for a single segment, else 16.
pub fn prefixes(segments: u8) -> Vec<String> {
    if segments <= 1 {
        vec![String::new()]
    } else {
        HEX.iter().map(|h| h.to_string()).collect()
    }
}

/// The `ListUsers` filter for a prefix, or none for the whole pool.
pub fn filter(prefix: &str) -> Option<String> {
    (!prefix.is_empty()).then(|| format!("sub ^= \"{prefix}\""))
}

/// Hex digits of a `sub` before its first hyphen: the longest prefix a shard is split to.
const SPLIT_DIGITS: usize = 8;

/// The 16 prefixes one hex digit longer that partition the shard of `prefix` (the whole pool for
/// `""`), or `None` once the prefix holds every digit before the UUID's first hyphen.
pub fn split(prefix: &str) -> Option<Vec<String>> {
    (prefix.len() < SPLIT_DIGITS).then(|| HEX.iter().map(|h| format!("{prefix}{h}")).collect())
}

/// Refused tokens a shard that cannot be split further may see before the run stops.
pub const MAX_REFUSALS: u32 = 3;

/// How a shard goes on after its pagination token was refused (expired).
#[derive(Debug, PartialEq, Eq)]
pub enum AfterRefusal {
    /// As these 16 narrower parts, each from its first page: a part paged to its end is never
    /// read again when a later token is refused, and a part takes less time to page than the
    /// whole, so a scan converges even when tokens live shorter than a shard's scan.
    Split(Vec<String>),
    /// From its own first page again (it can be split no further).
    Restart,
}

/// How the shard of `prefix`, refused `refusals` times before at its narrowest, goes on after
/// one more refused token; an error once a shard that can be split no further was refused
/// [`MAX_REFUSALS`] times.
pub fn after_refusal(prefix: &str, refusals: u32) -> anyhow::Result<AfterRefusal> {
    if let Some(parts) = split(prefix) {
        return Ok(AfterRefusal::Split(parts));
    }
    anyhow::ensure!(
        refusals < MAX_REFUSALS,
        "the pagination tokens of the users whose sub starts with {prefix} were refused {} times: \
         Cognito expires them faster than the pages can be read; use a higher --rps, or fewer --segments",
        refusals + 1
    );
    Ok(AfterRefusal::Restart)
}

/// A file-name-safe label for a shard.
pub fn label(prefix: &str) -> &str {
    if prefix.is_empty() { "all" } else { prefix }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_segment_scans_everything_many_segments_partition_by_sub() {
        assert_eq!(prefixes(1), [""]);
        assert_eq!(filter(""), None);
        let all = prefixes(4);
        assert_eq!(all.len(), 16);
        assert_eq!(filter(&all[10]).as_deref(), Some("sub ^= \"a\""));
        assert_eq!(label(""), "all");
    }

    #[test]
    fn a_shard_splits_into_sixteen_one_digit_longer_up_to_the_first_hyphen() {
        assert_eq!(split("").unwrap(), prefixes(16));
        let parts = split("a3").unwrap();
        assert_eq!(parts.len(), 16);
        assert_eq!((parts[0].as_str(), parts[15].as_str()), ("a30", "a3f"));
        assert_eq!(split("0123456").unwrap()[1], "01234561");
        assert_eq!(split("01234567"), None);
    }

    #[test]
    fn a_refused_shard_splits_then_restarts_at_its_narrowest_until_refused_too_often() {
        assert_eq!(
            after_refusal("a", 0).unwrap(),
            AfterRefusal::Split(split("a").unwrap())
        );
        assert_eq!(after_refusal("01234567", 0).unwrap(), AfterRefusal::Restart);
        assert_eq!(
            after_refusal("01234567", MAX_REFUSALS - 1).unwrap(),
            AfterRefusal::Restart
        );
        let err = after_refusal("01234567", MAX_REFUSALS)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("sub starts with 01234567 were refused 4 times"),
            "{err}"
        );
        assert!(err.contains("higher --rps"), "{err}");
    }
}
