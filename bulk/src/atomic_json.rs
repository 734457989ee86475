//! Writing a JSON state or summary file (or a small binary state file) so that a crash at any
//! moment leaves either the old file or the new one, never half of one: a temporary file, synced,
//! renamed over the old one, and the folder synced so the rename itself survives a power loss.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

use serde::Serialize;

/// Replaces `path` with `value` as pretty JSON, atomically.
pub fn write(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    write_bytes(
        path,
        &serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?,
    )
}

/// Replaces `path` with `bytes`, atomically (through `<path>.tmp`).
pub fn write_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    let mut file = File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
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
}
