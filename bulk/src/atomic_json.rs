//! Writing a JSON state, summary or report file, a small binary state file, or a JSON-lines file streamed
//! line by line, so that a crash at any moment leaves either the old file or the new one, never
//! half of one: a temporary file, synced, renamed over the old one, and the folder synced so the
//! rename itself survives a power loss. The one atomic writer of the crate; its files are private
//! (`0600`, [`crate::private_files`]) from the temporary name on.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Replaces `path` with `value` as pretty JSON, atomically.
pub fn write(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    write_bytes(
        path,
        &serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?,
    )
}

/// Replaces `path` with `bytes`, atomically (a report written whole: `--json`, `--html`).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = AtomicBytes::create(path)?;
    file.write(bytes)?;
    file.commit()
}

/// A JSON-lines file written line by line under a temporary name and put in place by
/// [`AtomicLines::commit`]; dropped uncommitted, the real file is untouched.
pub struct AtomicLines(AtomicFile);

impl AtomicLines {
    /// Starts `<path>.tmp`.
    pub fn create(path: &Path) -> std::io::Result<AtomicLines> {
        AtomicFile::create(path).map(AtomicLines)
    }

    /// Appends `value` as one JSON line.
    pub fn line(&mut self, value: &impl Serialize) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.0.writer, value)?;
        self.0.writer.write_all(b"\n")
    }

    /// Syncs the file, renames it over `path` and syncs the folder.
    pub fn commit(self) -> std::io::Result<()> {
        self.0.commit()
    }
}

/// A binary file written in pieces under a temporary name and put in place by
/// [`AtomicBytes::commit`]; dropped uncommitted, the real file is untouched.
pub struct AtomicBytes(AtomicFile);

impl AtomicBytes {
    /// Starts `<path>.tmp`.
    pub fn create(path: &Path) -> std::io::Result<AtomicBytes> {
        AtomicFile::create(path).map(AtomicBytes)
    }

    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.writer.write_all(bytes)
    }

    /// Syncs the file, renames it over `path` and syncs the folder.
    pub fn commit(self) -> std::io::Result<()> {
        self.0.commit()
    }
}

/// `<path>.tmp`, buffered, until [`AtomicFile::commit`].
struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    writer: BufWriter<File>,
}

impl AtomicFile {
    fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        Ok(AtomicFile {
            path: path.to_path_buf(),
            writer: BufWriter::new(crate::private_files::create(&tmp)?),
            tmp,
        })
    }

    fn commit(mut self) -> std::io::Result<()> {
        self.writer.flush()?;
        self.writer.get_ref().sync_all()?;
        fs::rename(&self.tmp, &self.path)?;
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write(&path, &serde_json::json!({"a": 1})).unwrap();
        write(&path, &serde_json::json!({"a": 2})).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\n  \"a\": 2\n}");
        assert!(!path.with_extension("json.tmp").exists());
    }

    #[test]
    fn lines_appear_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups.jsonl");
        let mut lines = AtomicLines::create(&path).unwrap();
        lines.line(&serde_json::json!({"name": "a"})).unwrap();
        assert!(!path.exists());
        lines.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"name\":\"a\"}\n");
        assert!(!dir.path().join("groups.jsonl.tmp").exists());
    }
}
