//! The export's files: `users-NNNN.csv` (rotated before the import job's limits), `rejected.csv`,
//! `skipped.csv` and `disabled.csv` of one destination pool, all append-only with tracked lengths
//! so a checkpoint can say exactly how much of each is trustworthy.
//!
//! `disabled.csv` holds the users disabled in the old pool, in the import format of the users
//! files but never in them: the CSV import has no "disabled" column and would make them live
//! (enabled, able to reset their password through their verified contact) the moment the job
//! finishes. `cognito-migrate import` creates them disabled instead.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::checkpoint::{FileState, FileStates};
use crate::report_csv::csv_record;

/// Header of `rejected.csv` and `skipped.csv`.
pub const REASON_FILE_HEADER: [&str; 3] = ["username", "sub", "reason"];

/// One append-only file whose length is tracked.
pub(super) struct AppendFile {
    writer: BufWriter<File>,
    state: FileState,
}

impl AppendFile {
    /// Creates the file and writes `header` (which does not count as a row).
    pub(super) fn create(dir: &Path, name: &str, header: &[u8]) -> anyhow::Result<AppendFile> {
        let path = dir.join(name);
        let file =
            File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut this = AppendFile {
            writer: BufWriter::new(file),
            state: FileState {
                name: name.to_string(),
                rows: 0,
                bytes: 0,
            },
        };
        this.writer.write_all(header)?;
        this.state.bytes = header.len() as u64;
        Ok(this)
    }

    /// Reopens a file and cuts it back to the length a checkpoint trusts.
    pub(super) fn reopen(dir: &Path, state: &FileState) -> anyhow::Result<AppendFile> {
        let path = dir.join(&state.name);
        let mut file = OpenOptions::new()
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot resume: {} is missing", path.display()))?;
        let length = file.metadata()?.len();
        if length < state.bytes {
            anyhow::bail!(
                "cannot resume: {} is shorter ({length} bytes) than the checkpoint records ({})",
                path.display(),
                state.bytes
            );
        }
        file.set_len(state.bytes)?;
        file.seek(SeekFrom::End(0))?;
        Ok(AppendFile {
            writer: BufWriter::new(file),
            state: state.clone(),
        })
    }

    pub(super) fn append(&mut self, row: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(row)?;
        self.state.rows += 1;
        self.state.bytes += row.len() as u64;
        Ok(())
    }

    pub(super) fn sync(&mut self) -> std::io::Result<()> {
        self.writer.flush()?;
        self.writer.get_ref().sync_data()
    }

    /// The tracked length (valid after [`AppendFile::sync`]).
    pub(super) fn state(&self) -> &FileState {
        &self.state
    }

    /// Writes buffered bytes to the file (without syncing).
    pub(super) fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Limits of one import file.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    /// Most data rows.
    pub max_rows: u64,
    /// Most bytes, header included.
    pub max_bytes: u64,
}

/// All files of one export.
pub struct Outputs {
    dir: PathBuf,
    header_line: String,
    limits: FileLimits,
    finished_users: Vec<FileState>,
    users: Option<AppendFile>,
    rejected: AppendFile,
    skipped: AppendFile,
    disabled: AppendFile,
}

/// The file of users disabled in the old pool (import format, created disabled by `import`).
pub const DISABLED_FILE: &str = "disabled.csv";

fn users_file_name(index: usize) -> String {
    format!("users-{index:04}.csv")
}

impl Outputs {
    /// Creates the files of a new export in `dir`, which must be empty or absent.
    pub fn create(dir: &Path, header_line: String, limits: FileLimits) -> anyhow::Result<Outputs> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let reason_header = csv_record(&REASON_FILE_HEADER);
        Ok(Outputs {
            dir: dir.to_path_buf(),
            limits,
            finished_users: Vec::new(),
            users: None,
            rejected: AppendFile::create(dir, "rejected.csv", &reason_header)?,
            skipped: AppendFile::create(dir, "skipped.csv", &reason_header)?,
            disabled: AppendFile::create(dir, DISABLED_FILE, header_line.as_bytes())?,
            header_line,
        })
    }

    /// Reopens the files of an interrupted export, cutting each back to its checkpointed length
    /// and removing import files the checkpoint does not know.
    pub fn resume(
        dir: &Path,
        header_line: String,
        limits: FileLimits,
        states: &FileStates,
    ) -> anyhow::Result<Outputs> {
        let mut finished_users = states.users.clone();
        let users = match finished_users.pop() {
            Some(last) => Some(AppendFile::reopen(dir, &last)?),
            None => None,
        };
        for index in states.users.len() + 1.. {
            let stray = dir.join(users_file_name(index));
            if !stray.exists() {
                break;
            }
            fs::remove_file(&stray)?;
        }
        Ok(Outputs {
            dir: dir.to_path_buf(),
            header_line,
            limits,
            finished_users,
            users,
            rejected: AppendFile::reopen(dir, &states.rejected)?,
            skipped: AppendFile::reopen(dir, &states.skipped)?,
            disabled: AppendFile::reopen(dir, &states.disabled)?,
        })
    }

    /// Appends an import row, starting a new file first when this row would pass a limit.
    pub fn write_user(&mut self, row: &str) -> anyhow::Result<()> {
        let fits = |file: &AppendFile| {
            file.state.rows < self.limits.max_rows
                && file.state.bytes + row.len() as u64 <= self.limits.max_bytes
        };
        if !self.users.as_ref().is_some_and(fits) {
            if let Some(mut full) = self.users.take() {
                full.sync()?;
                self.finished_users.push(full.state);
            }
            let name = users_file_name(self.finished_users.len() + 1);
            self.users = Some(AppendFile::create(
                &self.dir,
                &name,
                self.header_line.as_bytes(),
            )?);
        }
        self.users
            .as_mut()
            .expect("just ensured")
            .append(row.as_bytes())?;
        Ok(())
    }

    /// Appends to `rejected.csv`.
    pub fn write_rejected(
        &mut self,
        username: &str,
        sub: &str,
        reason: &str,
    ) -> std::io::Result<()> {
        self.rejected.append(&csv_record(&[username, sub, reason]))
    }

    /// Appends to `skipped.csv`.
    pub fn write_skipped(
        &mut self,
        username: &str,
        sub: &str,
        reason: &str,
    ) -> std::io::Result<()> {
        self.skipped.append(&csv_record(&[username, sub, reason]))
    }

    /// Appends the import row of a user disabled in the old pool to `disabled.csv`.
    pub fn write_disabled(&mut self, row: &str) -> std::io::Result<()> {
        self.disabled.append(row.as_bytes())
    }

    /// Flushes and syncs every file, returning their lengths for a checkpoint.
    pub fn sync(&mut self) -> anyhow::Result<FileStates> {
        let mut users = self.finished_users.clone();
        if let Some(current) = &mut self.users {
            current.sync()?;
            users.push(current.state.clone());
        }
        for file in [&mut self.rejected, &mut self.skipped, &mut self.disabled] {
            file.sync()?;
        }
        Ok(FileStates {
            users,
            rejected: self.rejected.state.clone(),
            skipped: self.skipped.state.clone(),
            disabled: self.disabled.state.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: FileLimits = FileLimits {
        max_rows: 2,
        max_bytes: 1_000,
    };

    #[test]
    fn import_files_rotate_before_the_row_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outputs::create(dir.path(), "h\n".into(), LIMITS).unwrap();
        for row in ["a\n", "b\n", "c\n"] {
            out.write_user(row).unwrap();
        }
        let states = out.sync().unwrap();
        assert_eq!(states.users.len(), 2);
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0001.csv")).unwrap(),
            "h\na\nb\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0002.csv")).unwrap(),
            "h\nc\n"
        );
    }

    #[test]
    fn import_files_rotate_before_the_byte_limit() {
        let dir = tempfile::tempdir().unwrap();
        let limits = FileLimits {
            max_rows: 100,
            max_bytes: 6,
        };
        let mut out = Outputs::create(dir.path(), "h\n".into(), limits).unwrap();
        for row in ["aa\n", "bb\n"] {
            out.write_user(row).unwrap();
        }
        assert_eq!(out.sync().unwrap().users.len(), 2);
    }

    #[test]
    fn resume_cuts_files_back_to_the_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outputs::create(dir.path(), "h\n".into(), LIMITS).unwrap();
        out.write_user("a\n").unwrap();
        out.write_rejected("x", "s", "why, oh why").unwrap();
        let states = out.sync().unwrap();
        // Work after the checkpoint that a crash would leave behind.
        out.write_user("b\n").unwrap();
        out.write_user("c\n").unwrap();
        out.write_rejected("y", "s", "late").unwrap();
        out.sync().unwrap();
        drop(out);

        let mut out = Outputs::resume(dir.path(), "h\n".into(), LIMITS, &states).unwrap();
        out.write_user("b\n").unwrap();
        out.sync().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0001.csv")).unwrap(),
            "h\na\nb\n"
        );
        assert!(!dir.path().join("users-0002.csv").exists());
        assert_eq!(
            fs::read_to_string(dir.path().join("rejected.csv")).unwrap(),
            "username,sub,reason\nx,s,\"why, oh why\"\n"
        );
    }
}
