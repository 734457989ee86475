//! The export's files: `users-NNNN.csv` (rotated before the import job's limits), `rejected.csv`,
//! `skipped.csv` and `disabled.csv` of one destination pool, all append-only with tracked lengths
//! so a checkpoint can say exactly how much of each is trustworthy. The one exception, the final
//! step that takes colliding users out ([`super::collisions`]), rewrites files beside the
//! originals (`NAME.resolved`) and renames them only after the checkpoint that counts them.
//!
//! `disabled.csv` holds the users disabled in the old pool, in the import format of the users
//! files but never in them: the CSV import has no "disabled" column and would make them live
//! (enabled, able to reset their password through their verified contact) the moment the job
//! finishes. `cognito-migrate import` creates them disabled instead.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use shared::import_csv::decode_row;

use super::checkpoint::{FileState, FileStates};
use crate::export_dir;
use crate::private_files;
use crate::report_csv::{cell, csv_record};

/// Suffix of a rewritten file waiting to replace its original.
const RESOLVED_SUFFIX: &str = ".resolved";

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
        let file = private_files::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
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
        private_files::narrow(&file)?;
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

/// Writes `dir/NAME.resolved`: the file of `state` without the data rows `remove` picks (the first
/// line is a header and stays), synced; updates `state` to it. Writes nothing when no row goes;
/// returns how many did.
fn stage_file(
    dir: &Path,
    state: &mut FileState,
    remove: impl Fn(&str) -> bool,
) -> anyhow::Result<u64> {
    let path = dir.join(&state.name);
    let text =
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = text.get(..state.bytes as usize).unwrap_or(&text);
    let mut kept = String::with_capacity(text.len());
    let mut removed = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if index > 0 && remove(line.trim_end_matches('\n')) {
            removed += 1;
        } else {
            kept.push_str(line);
        }
    }
    if removed == 0 {
        return Ok(0);
    }
    let staged = dir.join(format!("{}{RESOLVED_SUFFIX}", state.name));
    let mut file = private_files::create(&staged)
        .with_context(|| format!("cannot create {}", staged.display()))?;
    file.write_all(kept.as_bytes())?;
    file.sync_data()?;
    state.rows -= removed;
    state.bytes = kept.len() as u64;
    Ok(removed)
}

/// Rows [`Outputs::stage_without`] took out of the per-user lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StagedRemovals {
    /// Rows of `disabled.csv`.
    pub disabled: u64,
    /// Rows of `mfa-reenrol.csv`.
    pub mfa_reenrol: u64,
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
    mfa_reenrol: AppendFile,
    /// Rewritten files waiting for their rename (see [`Outputs::stage_without`]).
    staged: Vec<String>,
}

impl Outputs {
    /// Creates the files of a new export in `dir`, which must be empty or absent.
    pub fn create(dir: &Path, header_line: String, limits: FileLimits) -> anyhow::Result<Outputs> {
        private_files::create_dir_all(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let reason_header = csv_record(&REASON_FILE_HEADER);
        Ok(Outputs {
            dir: dir.to_path_buf(),
            limits,
            finished_users: Vec::new(),
            users: None,
            rejected: AppendFile::create(dir, export_dir::REJECTED, &reason_header)?,
            skipped: AppendFile::create(dir, export_dir::SKIPPED, &reason_header)?,
            disabled: AppendFile::create(dir, export_dir::DISABLED, header_line.as_bytes())?,
            header_line,
            mfa_reenrol: AppendFile::create(dir, export_dir::MFA_REENROL, &reason_header)?,
            staged: Vec::new(),
        })
    }

    /// Reopens the files of an interrupted export, cutting each back to its checkpointed length
    /// and removing import files the checkpoint does not know. Files rewritten by the collision
    /// step are renamed into place when the checkpoint counts them (`resolved`), else discarded.
    pub fn resume(
        dir: &Path,
        header_line: String,
        limits: FileLimits,
        states: &FileStates,
        resolved: bool,
    ) -> anyhow::Result<Outputs> {
        for entry in fs::read_dir(dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if let Some(original) = name.strip_suffix(RESOLVED_SUFFIX) {
                match resolved {
                    true => fs::rename(dir.join(&name), dir.join(original))?,
                    false => fs::remove_file(dir.join(&name))?,
                }
            }
        }
        let mut finished_users = states.users.clone();
        let users = match finished_users.pop() {
            Some(last) => Some(AppendFile::reopen(dir, &last)?),
            None => None,
        };
        for index in states.users.len() + 1.. {
            let stray = dir.join(export_dir::users_file(index));
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
            mfa_reenrol: match states.mfa_reenrol.name.is_empty() {
                // A checkpoint written before the file existed.
                true => AppendFile::create(
                    dir,
                    export_dir::MFA_REENROL,
                    &csv_record(&REASON_FILE_HEADER),
                )?,
                false => AppendFile::reopen(dir, &states.mfa_reenrol)?,
            },
            staged: Vec::new(),
        })
    }

    /// Writes `NAME.resolved` beside each import file that holds a row whose `cognito:username`
    /// (column `username_column`) is in `usernames`, and beside `disabled.csv` and
    /// `mfa-reenrol.csv` when they list one of `users` (`(old user name, sub)`), without those
    /// rows; the tracked lengths become the rewritten ones. [`Outputs::commit_staged`] renames
    /// them after the checkpoint that counts them.
    pub fn stage_without(
        &mut self,
        username_column: usize,
        usernames: &std::collections::HashSet<String>,
        users: &std::collections::HashSet<(String, String)>,
    ) -> anyhow::Result<StagedRemovals> {
        self.sync()?;
        let dir = self.dir.clone();
        let mut states: Vec<&mut FileState> = self.finished_users.iter_mut().collect();
        if let Some(current) = &mut self.users {
            states.push(&mut current.state);
        }
        let in_import_format = |line: &str| {
            decode_row(line)
                .get(username_column)
                .is_some_and(|name| usernames.contains(name))
        };
        for state in states {
            let removed = stage_file(&dir, state, in_import_format)?;
            if removed > 0 {
                self.staged.push(state.name.clone());
            }
        }
        let disabled_removed = stage_file(&dir, &mut self.disabled.state, in_import_format)?;
        if disabled_removed > 0 {
            self.staged.push(self.disabled.state.name.clone());
        }
        // `mfa-reenrol.csv` holds the cells as `csv_record` neutralised them (`'=x` for `=x`); a
        // line of a run started by an earlier version holds them raw. The `sub` makes either match
        // one user only.
        let as_written: std::collections::HashSet<(String, String)> = users
            .iter()
            .map(|(name, sub)| (cell(name).into_owned(), cell(sub).into_owned()))
            .collect();
        let listed = |line: &str| {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(line.as_bytes());
            reader
                .records()
                .next()
                .and_then(Result::ok)
                .is_some_and(|r| {
                    let pair = (
                        r.get(0).unwrap_or_default().to_string(),
                        r.get(1).unwrap_or_default().to_string(),
                    );
                    as_written.contains(&pair) || users.contains(&pair)
                })
        };
        let mfa_removed = stage_file(&dir, &mut self.mfa_reenrol.state, listed)?;
        if mfa_removed > 0 {
            self.staged.push(self.mfa_reenrol.state.name.clone());
        }
        Ok(StagedRemovals {
            disabled: disabled_removed,
            mfa_reenrol: mfa_removed,
        })
    }

    /// Renames the files [`Outputs::stage_without`] wrote into place and reopens the open ones.
    pub fn commit_staged(&mut self) -> anyhow::Result<()> {
        for name in std::mem::take(&mut self.staged) {
            let staged = self.dir.join(format!("{name}{RESOLVED_SUFFIX}"));
            fs::rename(&staged, self.dir.join(&name))
                .with_context(|| format!("cannot rename {}", staged.display()))?;
        }
        if let Some(current) = &self.users {
            let state = current.state.clone();
            self.users = Some(AppendFile::reopen(&self.dir, &state)?);
        }
        let state = self.disabled.state.clone();
        self.disabled = AppendFile::reopen(&self.dir, &state)?;
        let state = self.mfa_reenrol.state.clone();
        self.mfa_reenrol = AppendFile::reopen(&self.dir, &state)?;
        Ok(())
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
            let name = export_dir::users_file(self.finished_users.len() + 1);
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

    /// Appends to `mfa-reenrol.csv`.
    pub fn write_mfa_reenrol(
        &mut self,
        username: &str,
        sub: &str,
        reason: &str,
    ) -> std::io::Result<()> {
        self.mfa_reenrol
            .append(&csv_record(&[username, sub, reason]))
    }

    /// Flushes and syncs every file, returning their lengths for a checkpoint.
    pub fn sync(&mut self) -> anyhow::Result<FileStates> {
        let mut users = self.finished_users.clone();
        if let Some(current) = &mut self.users {
            current.sync()?;
            users.push(current.state.clone());
        }
        for file in [
            &mut self.rejected,
            &mut self.skipped,
            &mut self.disabled,
            &mut self.mfa_reenrol,
        ] {
            file.sync()?;
        }
        Ok(FileStates {
            users,
            rejected: self.rejected.state.clone(),
            skipped: self.skipped.state.clone(),
            disabled: self.disabled.state.clone(),
            mfa_reenrol: self.mfa_reenrol.state.clone(),
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
    fn staged_rewrites_replace_files_only_when_committed_or_resumed_as_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Outputs::create(dir.path(), "h\n".into(), LIMITS).unwrap();
        for row in ["a,1\n", "b,2\n", "c,3\n"] {
            out.write_user(row).unwrap();
        }
        out.write_disabled("d,4\n").unwrap();
        out.write_disabled("e,5\n").unwrap();
        let gone = ["a".to_string(), "c".to_string(), "e".to_string()].into();
        let disabled = [("c".to_string(), "s-c".to_string())].into();
        out.write_mfa_reenrol("c", "s-c", "TOTP").unwrap();
        let before = out.sync().unwrap();
        let removed = out.stage_without(0, &gone, &disabled).unwrap();
        assert_eq!(
            removed,
            StagedRemovals {
                disabled: 1,
                mfa_reenrol: 1
            }
        );
        let after = out.sync().unwrap();
        assert_eq!(after.users[0].rows, 1);
        assert_eq!(after.users[1].rows, 0);
        assert_eq!(after.disabled.rows, 1);
        assert_eq!(after.mfa_reenrol.rows, 0);
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0001.csv")).unwrap(),
            "h\na,1\nb,2\n",
            "originals stay until the commit"
        );
        drop(out);

        // Killed before the checkpoint: the staged files are discarded.
        Outputs::resume(dir.path(), "h\n".into(), LIMITS, &before, false).unwrap();
        assert!(!dir.path().join("users-0001.csv.resolved").exists());

        // Killed after it: resume finishes the renames.
        let mut out = Outputs::resume(dir.path(), "h\n".into(), LIMITS, &before, false).unwrap();
        out.stage_without(0, &gone, &disabled).unwrap();
        drop(out);
        let mut out = Outputs::resume(dir.path(), "h\n".into(), LIMITS, &after, true).unwrap();
        out.sync().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0001.csv")).unwrap(),
            "h\nb,2\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("users-0002.csv")).unwrap(),
            "h\n"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("disabled.csv")).unwrap(),
            "h\nd,4\n",
            "disabled users are rows of the import format, removed like the others"
        );
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

        let mut out = Outputs::resume(dir.path(), "h\n".into(), LIMITS, &states, false).unwrap();
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

    #[cfg(unix)]
    #[test]
    fn reports_neutralise_formulas_the_import_files_keep_them_and_all_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("pool");
        let mut out = Outputs::create(&dir, "h\n".into(), LIMITS).unwrap();
        out.write_user("=1+1,s-a\n").unwrap();
        out.write_rejected("=1+1", "s-a", "missing_email").unwrap();
        out.write_skipped("@x", "s-b", "confirmed").unwrap();
        out.write_mfa_reenrol("-c", "s-c", "TOTP").unwrap();
        out.sync().unwrap();
        let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(read("users-0001.csv"), "h\n=1+1,s-a\n");
        assert_eq!(
            read("rejected.csv"),
            "username,sub,reason\n'=1+1,s-a,missing_email\n"
        );
        assert_eq!(
            read("skipped.csv"),
            "username,sub,reason\n'@x,s-b,confirmed\n"
        );
        assert_eq!(mode(&dir), 0o700);
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }

        let gone = std::collections::HashSet::new();
        let colliding = [("-c".to_string(), "s-c".to_string())].into();
        let removed = out.stage_without(0, &gone, &colliding).unwrap();
        assert_eq!(removed.mfa_reenrol, 1, "found by its neutralised cell");
        assert_eq!(mode(&dir.join("mfa-reenrol.csv.resolved")), 0o600);
    }
}
