//! The run's mapping as the operator gave it: the file `--mapping` names, or the default mapping,
//! and how an error names it — one loader for every command that takes `--mapping`.

use std::path::Path;

use shared::Mapping;

/// A mapping and where it came from.
#[derive(Debug, Clone)]
pub struct MappingFile {
    /// The mapping (the default one when no file was given).
    pub mapping: Mapping,
    /// How an error names it: the file and the flag, or "the default mapping".
    pub origin: String,
}

impl MappingFile {
    /// Reads the file `--mapping` names, or takes the default mapping.
    pub fn load(path: Option<&Path>) -> anyhow::Result<MappingFile> {
        Ok(match path {
            Some(path) => MappingFile {
                mapping: Mapping::load(path)?,
                origin: format!("the mapping file {} (--mapping)", path.display()),
            },
            None => MappingFile::default_mapping(),
        })
    }

    /// The mapping of a run that applies an export folder (`import`, `groups`): the file
    /// `--mapping` names, else the mapping the export wrote to `dir` (`mapping.json`, its legacy
    /// id already resolved against the new pool), else the default mapping.
    pub fn of_export(given: Option<&Path>, dir: &Path) -> anyhow::Result<MappingFile> {
        let exported = dir.join(crate::export_dir::MAPPING);
        match given {
            Some(path) => MappingFile::load(Some(path)),
            None if exported.is_file() => Ok(MappingFile {
                mapping: Mapping::load(&exported)?,
                origin: format!("the export's mapping {}", exported.display()),
            }),
            None => Ok(MappingFile::default_mapping()),
        }
    }

    /// The default mapping, used when no `--mapping` is given.
    pub fn default_mapping() -> MappingFile {
        MappingFile {
            mapping: Mapping::default(),
            origin: "the default mapping (no --mapping given)".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_named_with_its_flag_and_no_file_is_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.json");
        std::fs::write(&path, r#"{"drop":["custom:x"]}"#).unwrap();
        let file = MappingFile::load(Some(&path)).unwrap();
        assert!(file.mapping.drop.contains("custom:x"));
        assert_eq!(
            file.origin,
            format!("the mapping file {} (--mapping)", path.display())
        );
        let default = MappingFile::load(None).unwrap();
        assert_eq!(default.mapping, Mapping::default());
        assert_eq!(default.origin, "the default mapping (no --mapping given)");
    }

    #[test]
    fn an_export_folder_lends_its_mapping_unless_one_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let given = dir.path().join("given.json");
        std::fs::write(&given, r#"{"legacy_sub_attribute":"custom:given"}"#).unwrap();
        let of = |given: Option<&Path>| MappingFile::of_export(given, dir.path()).unwrap();
        assert_eq!(of(None).mapping, Mapping::default(), "no mapping.json yet");
        std::fs::write(
            dir.path().join("mapping.json"),
            r#"{"legacy_sub_attribute":"custom:old_sub"}"#,
        )
        .unwrap();
        let exported = of(None);
        assert_eq!(
            exported.mapping.legacy_sub_attribute.as_deref(),
            Some("custom:old_sub")
        );
        assert!(
            exported.origin.contains("mapping.json"),
            "{}",
            exported.origin
        );
        assert_eq!(
            of(Some(&given)).mapping.legacy_sub_attribute.as_deref(),
            Some("custom:given")
        );
    }
}
