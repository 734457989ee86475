//! Reading a JSON state file that carries its format `version` (the export's checkpoint, the
//! new-pool index's `state.json`, `id-map`'s checkpoint): the one loader, so a missing, damaged
//! or other-version file is told apart the same way everywhere. The version is read first, so a
//! file of another format is named as such rather than as damaged. Each caller says what the
//! operator does next; files are written by [`crate::atomic_json`].

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Why a state file could not be loaded.
#[derive(Debug)]
pub enum Unreadable {
    /// It cannot be read (usually: it does not exist).
    Missing(std::io::Error),
    /// It is not the JSON its format says.
    Damaged(serde_json::Error),
    /// It was written in another format, by another version of cognito-migrate.
    OtherVersion(u32),
}

/// A state file that could not be loaded, and why.
#[derive(Debug)]
pub struct StateError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    pub kind: Unreadable,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            Unreadable::Missing(e) => write!(f, "cannot read {path} ({e})"),
            Unreadable::Damaged(e) => write!(f, "{path} is damaged ({e})"),
            Unreadable::OtherVersion(version) => write!(
                f,
                "{path} was written by another version of cognito-migrate (format {version})"
            ),
        }
    }
}

impl std::error::Error for StateError {}

/// The `version` field every state file has.
#[derive(Deserialize)]
struct Version {
    version: u32,
}

/// Reads the state file `path`, which must be of format `version`.
pub fn load<T: DeserializeOwned>(path: &Path, version: u32) -> Result<T, StateError> {
    let error = |kind| StateError {
        path: path.to_path_buf(),
        kind,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(Unreadable::Missing(e)))?;
    let found: Version = serde_json::from_str(&text).map_err(|e| error(Unreadable::Damaged(e)))?;
    if found.version != version {
        return Err(error(Unreadable::OtherVersion(found.version)));
    }
    serde_json::from_str(&text).map_err(|e| error(Unreadable::Damaged(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Deserialize)]
    struct State {
        version: u32,
        shards: Vec<String>,
    }

    #[test]
    fn a_state_of_its_version_loads_and_the_others_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let kind = |path: &Path| load::<State>(path, 2).unwrap_err().kind;
        assert!(matches!(kind(&path), Unreadable::Missing(_)));
        std::fs::write(&path, r#"{"version": 2, "shards": ["a"]}"#).unwrap();
        let state: State = load(&path, 2).unwrap();
        assert_eq!(state.shards, ["a"]);
        std::fs::write(&path, r#"{"version": 1, "cursors": 3}"#).unwrap();
        assert!(matches!(kind(&path), Unreadable::OtherVersion(1)));
        let err = load::<State>(&path, 2).unwrap_err().to_string();
        assert!(err.ends_with("was written by another version of cognito-migrate (format 1)"));
        std::fs::write(&path, r#"{"version": 2, "shards": 3}"#).unwrap();
        assert!(matches!(kind(&path), Unreadable::Damaged(_)));
        assert!(
            load::<State>(&path, 2)
                .unwrap_err()
                .to_string()
                .contains("is damaged")
        );
    }
}
