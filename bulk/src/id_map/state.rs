//! Where an `id-map` run stands, kept beside the map in `<out>.state/` so that `--resume` after a
//! crash, `kill -9` or Ctrl-C loses no row and duplicates none; removed once the map is written.
//!
//! The write order is the export's (`export/checkpoint.rs`): records are flushed and synced
//! *before* the checkpoint that counts them is renamed into place, and on resume each file is cut
//! back to the length the checkpoint records, so a record half-written when the process died is
//! dropped and read again.
//!
//! The folder holds `checkpoint.json`, `old-users.csv` (every old user's `sub` and user name: the
//! old pool read once, see `old_users`) and `rows.csv` (every new-pool user with a legacy id, as
//! read: see `rows`). Both are private (`0600` in a `0700` folder): they name every user.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::versioned_state::{self, Unreadable};
use crate::{atomic_json, private_files};

const VERSION: u32 = 1;
const CHECKPOINT: &str = "checkpoint.json";
/// The old pool's users, once read.
pub const OLD_USERS: &str = "old-users.csv";
/// The new pool's users with a legacy id, as read.
pub const ROWS: &str = "rows.csv";

/// What the run is, so `--resume` refuses to continue another run's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// Old pool.
    pub source_pool_id: String,
    /// New pool.
    pub target_pool_id: String,
    /// The new pool's attribute holding the old `sub`.
    pub legacy_sub_attribute: String,
}

/// Length of a state file up to which its records are trusted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trusted {
    /// Records.
    pub records: u64,
    /// Bytes.
    pub bytes: u64,
}

/// Everything `--resume` needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version.
    pub version: u32,
    /// The run.
    pub run: RunIdentity,
    /// `old-users.csv`, once the whole old pool is in it (`None`: it is read again from the
    /// start).
    pub old_users: Option<Trusted>,
    /// `rows.csv`.
    pub rows: Trusted,
}

/// The state folder of the map `out`: `<out>.state`.
pub fn folder(out: &Path) -> PathBuf {
    let mut name = OsString::from(out.as_os_str());
    name.push(".state");
    PathBuf::from(name)
}

impl Checkpoint {
    /// The checkpoint of a run starting now, saved in a new state folder `dir`; refuses a folder
    /// an interrupted run left.
    pub fn start(dir: &Path, run: RunIdentity) -> anyhow::Result<Checkpoint> {
        if dir.exists() {
            anyhow::bail!(
                "{} holds an interrupted id-map run: add --resume to continue it, or delete the \
                 folder to start again",
                dir.display()
            );
        }
        private_files::create_dir_all(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let checkpoint = Checkpoint {
            version: VERSION,
            run,
            old_users: None,
            rows: Trusted::default(),
        };
        checkpoint.save(dir)?;
        Ok(checkpoint)
    }

    /// The checkpoint in `dir`, which must belong to `run`.
    pub fn resume(dir: &Path, run: &RunIdentity) -> anyhow::Result<Checkpoint> {
        let path = dir.join(CHECKPOINT);
        let checkpoint: Checkpoint =
            versioned_state::load(&path, VERSION).map_err(|err| match err.kind {
                Unreadable::Missing(e) => anyhow::anyhow!(
                    "cannot resume: no checkpoint at {} ({e}); the map is written whole or not at \
                     all, so run again without --resume",
                    path.display()
                ),
                _ => anyhow::anyhow!(
                    "cannot resume: {err}; delete {} and run again",
                    dir.display()
                ),
            })?;
        let was = &checkpoint.run;
        anyhow::ensure!(
            was == run,
            "cannot resume: {} belongs to an id-map of {} to {} (legacy id {}): run with those, \
             or delete the folder to start again",
            dir.display(),
            was.source_pool_id,
            was.target_pool_id,
            was.legacy_sub_attribute
        );
        Ok(checkpoint)
    }

    /// Writes the checkpoint atomically into `dir`.
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(CHECKPOINT);
        atomic_json::write(&path, self).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// A state file records are appended to, with the length of what it holds.
pub struct AppendFile {
    writer: BufWriter<File>,
    length: Trusted,
}

impl AppendFile {
    /// Opens `path` cut back to `trusted` (an empty new file for the default).
    pub fn open(path: &Path, trusted: Trusted) -> anyhow::Result<AppendFile> {
        let cannot = |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
        let mut file = match trusted.bytes {
            0 => private_files::create(path).map_err(cannot)?,
            _ => OpenOptions::new().write(true).open(path).map_err(|e| {
                anyhow::anyhow!("cannot resume: {} is missing ({e})", path.display())
            })?,
        };
        let length = file.metadata().map_err(cannot)?.len();
        anyhow::ensure!(
            length >= trusted.bytes,
            "cannot resume: {} is shorter ({length} bytes) than the checkpoint records ({}); \
             delete {} and run again",
            path.display(),
            trusted.bytes,
            path.parent().unwrap_or(path).display()
        );
        file.set_len(trusted.bytes).map_err(cannot)?;
        file.seek(SeekFrom::End(0)).map_err(cannot)?;
        Ok(AppendFile {
            writer: BufWriter::new(file),
            length: trusted,
        })
    }

    /// Appends one record (its bytes, line break included).
    pub fn append(&mut self, record: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(record)?;
        self.length.records += 1;
        self.length.bytes += record.len() as u64;
        Ok(())
    }

    /// Writes out and syncs what was appended; returns the length now on disk.
    pub fn sync(&mut self) -> std::io::Result<Trusted> {
        self.writer.flush()?;
        self.writer.get_ref().sync_data()?;
        Ok(self.length)
    }
}

/// One record of a state file: plain RFC 4180, every field as it is (these files are read back
/// by this module, never opened in a spreadsheet, so no cell is neutralised as reports' are).
pub fn record(fields: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields)
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("flushing to memory cannot fail")
}

/// Calls `visit` with every record of the state file `path` up to `trusted`, in order.
pub fn each_record(
    path: &Path,
    trusted: Trusted,
    mut visit: impl FnMut(&csv::StringRecord) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::new(file).take(trusted.bytes));
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        visit(&record)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> RunIdentity {
        RunIdentity {
            source_pool_id: "old".into(),
            target_pool_id: "new".into(),
            legacy_sub_attribute: "custom:legacy_sub".into(),
        }
    }

    #[test]
    fn a_checkpoint_resumes_only_its_own_run_and_a_new_run_refuses_a_leftover_state() {
        let dir = tempfile::tempdir().unwrap();
        let state = folder(&dir.path().join("map.csv"));
        assert!(state.ends_with("map.csv.state"));
        let mut checkpoint = Checkpoint::start(&state, run()).unwrap();
        checkpoint.rows = Trusted {
            records: 2,
            bytes: 40,
        };
        checkpoint.save(&state).unwrap();
        assert_eq!(Checkpoint::resume(&state, &run()).unwrap(), checkpoint);
        let other = RunIdentity {
            target_pool_id: "elsewhere".into(),
            ..run()
        };
        let err = Checkpoint::resume(&state, &other).unwrap_err().to_string();
        assert!(err.contains("belongs to an id-map of old to new"), "{err}");
        let err = Checkpoint::start(&state, run()).unwrap_err().to_string();
        assert!(err.contains("add --resume"), "{err}");
        let err = Checkpoint::resume(&dir.path().join("none"), &run())
            .unwrap_err()
            .to_string();
        assert!(err.contains("without --resume"), "{err}");
    }

    #[test]
    fn a_reopened_file_is_cut_back_to_what_the_checkpoint_trusts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(ROWS);
        let mut file = AppendFile::open(&path, Trusted::default()).unwrap();
        file.append(b"a,1\n").unwrap();
        let trusted = file.sync().unwrap();
        file.append(b"b,2\n").unwrap();
        file.sync().unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"c,")
            .unwrap();
        let mut file = AppendFile::open(&path, trusted).unwrap();
        file.append(b"d,4\n").unwrap();
        assert_eq!(
            file.sync().unwrap(),
            Trusted {
                records: 2,
                bytes: 8
            }
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"a,1\nd,4\n");
        let longer = Trusted {
            records: 9,
            bytes: 99,
        };
        let err = AppendFile::open(&path, longer).err().unwrap().to_string();
        assert!(err.contains("shorter"), "{err}");
    }

    #[test]
    fn records_come_back_exactly_commas_quotes_and_formulas_included() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(OLD_USERS);
        let mut file = AppendFile::open(&path, Trusted::default()).unwrap();
        let fields: [&[&str]; 3] = [
            &["s-1", "ada, \"the\" first"],
            &["s-2", "=1+1"],
            &["s-3", ""],
        ];
        for f in fields {
            file.append(&record(f)).unwrap();
        }
        let trusted = file.sync().unwrap();
        let mut read = Vec::new();
        each_record(&path, trusted, |r| {
            read.push(r.iter().map(String::from).collect::<Vec<_>>());
            Ok(())
        })
        .unwrap();
        let expected: Vec<Vec<String>> = fields
            .iter()
            .map(|f| f.iter().map(|s| s.to_string()).collect())
            .collect();
        assert_eq!(read, expected);
    }
}
