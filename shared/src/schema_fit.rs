//! Whether the old pool's attributes, after the mapping, all have a home in the new pool — decided
//! from the two pools' schemas before any user is read, so a mismatch stops a run before it pages
//! a million users into rejections.

use std::collections::BTreeSet;
use std::fmt;

use crate::Mapping;
use crate::attributes;

/// An attribute the old pool (or the mapping) would write and the new pool cannot receive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unhomed {
    /// The attribute the new pool would have to have (after `rename`); orders the list.
    pub new: String,
    /// The old pool's attribute, or `None` when the mapping's `defaults` invents it.
    pub old: Option<String>,
}

/// The attributes of the old pool's schema (and the mapping's defaults) that have no column in the
/// new pool's import header (`writable`, see `ImportHeader::attribute_columns`), in name order.
///
/// `sub` and `identities` are never written, so they never need a home; dropped attributes
/// neither. The legacy-`sub` attribute is not checked here: a run keeps it only when the new pool
/// has it.
fn unhomed_attributes<'a>(
    old_schema: impl IntoIterator<Item = &'a str>,
    mapping: &Mapping,
    writable: &BTreeSet<String>,
) -> Vec<Unhomed> {
    let mut unhomed = BTreeSet::new();
    for old in old_schema {
        if attributes::NEVER_WRITABLE.contains(&old) || mapping.drop.contains(old) {
            continue;
        }
        let new = mapping.rename.get(old).map(String::as_str).unwrap_or(old);
        if !writable.contains(new) {
            unhomed.insert(Unhomed {
                old: Some(old.to_string()),
                new: new.to_string(),
            });
        }
    }
    for name in mapping.defaults.keys() {
        if !writable.contains(name) {
            unhomed.insert(Unhomed {
                old: None,
                new: name.clone(),
            });
        }
    }
    unhomed.into_iter().collect()
}

/// Every attribute with no home in one new pool, with the mapping that fixes it: the error a run
/// stops with before its first `ListUsers`, and what `plan` and `preflight` report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SchemaMismatch {
    /// The new pool.
    pub pool_id: String,
    /// The attributes, at least one.
    pub unhomed: Vec<Unhomed>,
}

impl SchemaMismatch {
    /// The names the new pool lacks, in name order.
    pub fn attributes(&self) -> Vec<String> {
        self.unhomed.iter().map(|u| u.new.clone()).collect()
    }

    /// The mapping-file snippet that makes the run go through by not carrying them: old
    /// attributes under `drop`; a `defaults` entry has to be removed instead.
    pub fn mapping_fix(&self) -> String {
        let dropped: Vec<String> = self
            .unhomed
            .iter()
            .filter_map(|u| u.old.as_ref())
            .map(|old| format!("\"{old}\""))
            .collect();
        let mut fix = format!("{{\"drop\": [{}]}}", dropped.join(", "));
        let defaults: Vec<&str> = self
            .unhomed
            .iter()
            .filter(|u| u.old.is_none())
            .map(|u| u.new.as_str())
            .collect();
        if !defaults.is_empty() {
            fix.push_str(&format!(
                " and remove {} from \"defaults\"",
                defaults.join(", ")
            ));
        }
        fix
    }
}

impl fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = self
            .unhomed
            .iter()
            .map(|u| match &u.old {
                Some(old) if old != &u.new => format!("{old} (renamed to {})", u.new),
                Some(old) => old.clone(),
                None => format!("{} (from the mapping's defaults)", u.new),
            })
            .collect::<Vec<_>>()
            .join(", ");
        write!(
            f,
            "the new pool {} has no attribute for {list}. Add them to the new pool (AddCustomAttributes), \
             rename them in the mapping file to attributes it has ({{\"rename\": {{\"custom:old\": \"custom:new\"}}}}), \
             or drop them with this mapping file: {}",
            self.pool_id,
            self.mapping_fix()
        )
    }
}

/// `Err` with every unhomed attribute of `pool_id`, or `Ok` when all have a home.
pub fn check(
    pool_id: &str,
    old_schema: impl IntoIterator<Item = impl AsRef<str>>,
    mapping: &Mapping,
    writable: &BTreeSet<String>,
) -> Result<(), SchemaMismatch> {
    let names: Vec<String> = old_schema
        .into_iter()
        .map(|n| n.as_ref().to_string())
        .collect();
    let unhomed = unhomed_attributes(names.iter().map(String::as_str), mapping, writable);
    if unhomed.is_empty() {
        Ok(())
    } else {
        Err(SchemaMismatch {
            pool_id: pool_id.to_string(),
            unhomed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn writable() -> BTreeSet<String> {
        [
            "email",
            "email_verified",
            "custom:tenant",
            "custom:legacy_sub",
        ]
        .map(String::from)
        .into()
    }

    #[test]
    fn every_attribute_without_a_home_is_named_with_the_fix() {
        let mapping = Mapping::parse(
            r#"{"rename":{"custom:org":"custom:team"},"drop":["custom:internal"],"defaults":{"custom:region":"eu"}}"#,
            Path::new("<t>"),
        )
        .unwrap();
        let old = [
            "sub",
            "identities",
            "email",
            "email_verified",
            "custom:tenant",
            "custom:internal",
            "custom:org",
            "custom:shoe",
        ];
        let err = check("us-east-1_new", old, &mapping, &writable()).unwrap_err();
        assert_eq!(
            err.attributes(),
            ["custom:region", "custom:shoe", "custom:team"]
        );
        assert_eq!(
            err.mapping_fix(),
            r#"{"drop": ["custom:shoe", "custom:org"]} and remove custom:region from "defaults""#
        );
        assert_eq!(
            err.to_string(),
            "the new pool us-east-1_new has no attribute for custom:region (from the mapping's defaults), \
             custom:shoe, custom:org (renamed to custom:team). Add them to the new pool (AddCustomAttributes), \
             rename them in the mapping file to attributes it has ({\"rename\": {\"custom:old\": \"custom:new\"}}), \
             or drop them with this mapping file: {\"drop\": [\"custom:shoe\", \"custom:org\"]} and remove custom:region from \"defaults\""
        );
    }

    #[test]
    fn a_fitting_schema_passes() {
        let old = ["sub", "email", "custom:tenant"];
        assert_eq!(check("p", old, &Mapping::default(), &writable()), Ok(()));
    }
}
