//! The users an export folder hands to `import` (`users-NNNN.csv` and `disabled.csv`), as the keys
//! they have once created in the new pool: a new-pool user with one of these keys was imported.
//!
//! A row holds the user as `import` creates it (its `cognito:username` and mapped attributes, the
//! legacy id among them when the new pool carries it), so `MatchRule::new_pool_user_keys` gives
//! the same keys for the row as for the user it became: the legacy id when the row has one, else
//! the sign-in values of the new pool's shape.

use std::path::PathBuf;

use anyhow::Context;
use shared::{SourceStatus, SourceUser};

use crate::export_dir::DISABLED;
use crate::import::inputs::{import_files, users_of};
use crate::target_index::MatchRule;

/// The keys of every user an export folder lists, sorted (16 bytes a user).
#[derive(Debug, Default)]
pub struct ExportListing {
    keys: Vec<u128>,
}

impl ExportListing {
    /// Reads the users files and `disabled.csv` of every export in `dirs` (before cutover, the
    /// sweep, …): a user any of them lists was imported.
    pub fn read(dirs: &[PathBuf], rule: &MatchRule) -> anyhow::Result<ExportListing> {
        let mut keys = Vec::new();
        for dir in dirs {
            let mut names: Vec<String> = import_files(dir)
                .with_context(|| format!("--dir {} is not an export folder", dir.display()))?
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            names.push(DISABLED.to_string());
            for name in names {
                for row in users_of(&dir.join(name))? {
                    let row = row?;
                    let user = SourceUser {
                        username: row.username,
                        attributes: row.attributes,
                        ..SourceUser::new("", SourceStatus::Confirmed)
                    };
                    keys.extend(rule.new_pool_user_keys(&user));
                }
            }
        }
        keys.sort_unstable();
        keys.dedup();
        Ok(ExportListing { keys })
    }

    /// True when one of a new-pool user's keys is listed.
    pub fn lists(&self, keys: &[u128]) -> bool {
        keys.iter().any(|k| self.keys.binary_search(k).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_the_users_files_and_disabled_csv_are_listed_by_their_new_pool_keys() {
        let dir = tempfile::tempdir().unwrap();
        let header = "cognito:username,email,email_verified,custom:legacy_sub,cognito:mfa_enabled";
        std::fs::write(
            dir.path().join("users-0001.csv"),
            format!("{header}\nada,ada@example.com,TRUE,sub-ada,FALSE\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join(DISABLED),
            format!("{header}\nbo,bo@example.com,TRUE,,FALSE\n"),
        )
        .unwrap();
        let rule = MatchRule {
            legacy_id_attribute: Some("custom:legacy_sub".to_string()),
            ..MatchRule::default()
        };
        let listing = ExportListing::read(&[dir.path().to_path_buf()], &rule).unwrap();
        let new_user = |name: &str, legacy: &str| {
            let user = SourceUser::new(name, SourceStatus::ResetRequired)
                .with("custom:legacy_sub", legacy);
            rule.new_pool_user_keys(&user)
        };
        assert!(
            listing.lists(&new_user("anything", "sub-ada")),
            "by legacy id"
        );
        assert!(listing.lists(&new_user("bo", "")), "by user name");
        assert!(!listing.lists(&new_user("cy", "sub-cy")));
    }

    #[test]
    fn a_folder_without_users_files_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let err =
            ExportListing::read(&[dir.path().to_path_buf()], &MatchRule::default()).unwrap_err();
        assert!(
            format!("{err:#}").contains("is not an export folder"),
            "{err:#}"
        );
    }
}
