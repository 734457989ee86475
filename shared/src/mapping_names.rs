//! Every name a mapping file gives must exist where it is used — a typo is an error, never a
//! silent no-op: `drop` and `rename` sources in the old pool's schema, `rename` targets and
//! `defaults` and `legacy_sub_attribute` in the new pool's. A misspelled `drop` would otherwise
//! copy the very attribute meant to stay behind into every user; a legacy-id attribute the new pool
//! lacks would leave every migrated user unprovable (groups, `status`, `verify` and the sweep
//! match on it).

use std::collections::BTreeSet;

use crate::Mapping;

/// A name of the mapping that the pool it refers to does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    /// Where in the mapping: `drop`, `rename` (source), `rename` (target), `defaults` or
    /// `legacy_sub_attribute`.
    pub part: &'static str,
    /// The name as the mapping gives it.
    pub name: String,
    /// Which pool lacks it: `old` or `new`.
    pub pool: &'static str,
    /// The pool's closest name, when one is close.
    pub closest: Option<String>,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} names {:?}, which the {} pool does not have",
            self.part, self.name, self.pool
        )?;
        if let Some(closest) = &self.closest {
            write!(f, " (did you mean {closest:?}?)")?;
        }
        Ok(())
    }
}

/// The [`UnknownName::part`] of the legacy-id attribute, whose fix differs from a typo's.
pub const LEGACY_SUB_PART: &str = "legacy_sub_attribute";

/// The names of `mapping` that do not exist where they are used.
pub fn unknown_names(
    mapping: &Mapping,
    old_schema: &BTreeSet<String>,
    new_columns: &BTreeSet<String>,
) -> Vec<UnknownName> {
    let mut unknown = Vec::new();
    let mut check = |part: &'static str, name: &str, pool: &'static str| {
        let names = if pool == "old" {
            old_schema
        } else {
            new_columns
        };
        if !names.contains(name) {
            unknown.push(UnknownName {
                part,
                name: name.to_string(),
                pool,
                closest: closest(name, names),
            });
        }
    };
    for name in &mapping.drop {
        check("drop", name, "old");
    }
    for (source, target) in &mapping.rename {
        check("rename (source)", source, "old");
        check("rename (target)", target, "new");
    }
    for name in mapping.defaults.keys() {
        check("defaults", name, "new");
    }
    if let Some(name) = &mapping.legacy_sub_attribute {
        check(LEGACY_SUB_PART, name, "new");
    }
    unknown
}

/// The name of `names` nearest to `name`, when at most a third of it differs.
fn closest(name: &str, names: &BTreeSet<String>) -> Option<String> {
    names
        .iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .filter(|(distance, _)| *distance * 3 <= name.chars().count().max(3))
        .min()
        .map(|(_, candidate)| candidate.clone())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_misspelled_name_is_named_with_the_closest_existing_one() {
        let mapping: Mapping = serde_json::from_str(
            r#"{"drop":["custom:tennant"],"rename":{"custom:orgg":"custom:org","name":"custom:nme"},
                "defaults":{"locale":"en","custom:plann":"free"}}"#,
        )
        .unwrap();
        let old = set(&["email", "name", "custom:tenant", "custom:org"]);
        let new = set(&[
            "email",
            "name",
            "custom:org",
            "custom:name",
            "custom:plan",
            "custom:legacy_sub",
        ]);
        let found: Vec<String> = unknown_names(&mapping, &old, &new)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "drop names \"custom:tennant\", which the old pool does not have (did you mean \"custom:tenant\"?)",
                "rename (source) names \"custom:orgg\", which the old pool does not have (did you mean \"custom:org\"?)",
                "rename (target) names \"custom:nme\", which the new pool does not have (did you mean \"custom:name\"?)",
                "defaults names \"custom:plann\", which the new pool does not have (did you mean \"custom:plan\"?)",
                "defaults names \"locale\", which the new pool does not have",
            ]
        );
    }

    #[test]
    fn a_legacy_id_attribute_the_new_pool_lacks_is_named() {
        let mapping: Mapping =
            serde_json::from_str(r#"{"legacy_sub_attribute":"custom:legacy_subb"}"#).unwrap();
        let new = set(&["email", "custom:legacy_sub"]);
        let found: Vec<String> = unknown_names(&mapping, &set(&["email"]), &new)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "legacy_sub_attribute names \"custom:legacy_subb\", which the new pool does not have (did you mean \"custom:legacy_sub\"?)"
            ]
        );
        let default = unknown_names(&Mapping::default(), &set(&["email"]), &set(&["email"]));
        assert_eq!(default.len(), 1);
        assert_eq!(default[0].part, LEGACY_SUB_PART);
    }

    #[test]
    fn names_that_exist_pass_and_far_names_get_no_guess() {
        let mapping: Mapping =
            serde_json::from_str(r#"{"drop":["custom:tenant"],"defaults":{"zoneinfo":"UTC"}}"#)
                .unwrap();
        let old = set(&["custom:tenant"]);
        let new = set(&["zoneinfo", "custom:legacy_sub"]);
        assert!(unknown_names(&mapping, &old, &new).is_empty());
        assert!(
            unknown_names(
                &mapping.clone().without_legacy_sub(),
                &old,
                &set(&["zoneinfo"])
            )
            .is_empty()
        );
        assert_eq!(closest("custom:tenant", &set(&["email"])), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
