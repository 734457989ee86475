//! Per-shard ledgers (`.export/seen-<shard>.txt`): the user names each shard has filed, so a
//! shard that must restart (expired pagination token) skips users already written.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::checkpoint::{FileState, STATE_DIR};
use super::outputs::AppendFile;
use crate::disk_table::{Table, TableBuilder, temporary_file_error};

/// The fingerprint a ledger's user name is remembered by.
pub fn username_key(username: &str) -> u128 {
    crate::fingerprint::key(b'u', username)
}

/// The ledgers of every shard of a run.
pub struct Ledgers {
    dir: PathBuf,
    files: BTreeMap<String, AppendFile>,
}

impl Ledgers {
    /// Creates empty ledgers for the shards `labels` in `out/.export`.
    pub fn create(out: &Path, labels: &[String]) -> anyhow::Result<Ledgers> {
        let dir = out.join(STATE_DIR);
        crate::private_files::create_dir_all(&dir)?;
        let files = labels
            .iter()
            .map(|label| {
                Ok((
                    label.clone(),
                    AppendFile::create(&dir, &format!("seen-{label}.txt"), b"")?,
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Ledgers { dir, files })
    }

    /// Reopens ledgers, cut back to the lengths a checkpoint trusts.
    pub fn resume(out: &Path, states: &BTreeMap<String, FileState>) -> anyhow::Result<Ledgers> {
        let dir = out.join(STATE_DIR);
        let files = states
            .iter()
            .map(|(label, state)| Ok((label.clone(), AppendFile::reopen(&dir, state)?)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Ledgers { dir, files })
    }

    /// Records that a shard has filed `username` (user names never contain white space).
    pub fn record(&mut self, label: &str, username: &str) -> std::io::Result<()> {
        let ledger = self.files.get_mut(label).expect("a ledger per shard");
        ledger.append(format!("{username}\n").as_bytes())
    }

    /// Fingerprints of the user names a shard's ledger holds, read line by line into a table on
    /// disk (see [`crate::disk_table`]).
    pub fn read(&mut self, label: &str) -> anyhow::Result<Table<()>> {
        let ledger = self.files.get_mut(label).expect("a ledger per shard");
        ledger.flush()?;
        let file = fs::File::open(self.dir.join(&ledger.state().name))?;
        let mut seen = TableBuilder::default();
        for line in BufReader::new(file).lines() {
            seen.push(username_key(&line?), ())
                .map_err(temporary_file_error)?;
        }
        seen.finish().map_err(temporary_file_error)
    }

    /// Syncs every ledger and returns their lengths for a checkpoint.
    pub fn sync(&mut self) -> anyhow::Result<BTreeMap<String, FileState>> {
        let mut states = BTreeMap::new();
        for (label, ledger) in &mut self.files {
            ledger.sync()?;
            states.insert(label.clone(), ledger.state().clone());
        }
        Ok(states)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledgers_remember_user_names_and_resume_at_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledgers = Ledgers::create(dir.path(), &["a".into(), "b".into()]).unwrap();
        ledgers.record("a", "ada").unwrap();
        ledgers.record("b", "bo").unwrap();
        let states = ledgers.sync().unwrap();
        ledgers.record("a", "late").unwrap();
        ledgers.sync().unwrap();
        drop(ledgers);
        let mut ledgers = Ledgers::resume(dir.path(), &states).unwrap();
        let a = ledgers.read("a").unwrap();
        assert!(a.contains(username_key("ada")).unwrap());
        assert!(!a.contains(username_key("late")).unwrap());
        assert_eq!(a.len(), 1);
        assert_eq!(ledgers.read("b").unwrap().len(), 1);
    }
}
