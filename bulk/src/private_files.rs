//! Folders and files only their owner can read: an export holds every user's e-mail, phone and
//! address, and the reports name users, so every folder a command creates is mode `0700` and every
//! file it writes `0600` (state JSON, temporary `*.tmp` files, import files, reports, the status
//! page). The one place that says how such a folder or file is made.
//!
//! A folder the operator already has (an existing `--out` or `--dir`) is left as it is: it is
//! theirs, maybe shared on purpose; the files written into it are still `0600`. A file that already
//! exists and is overwritten (an earlier `--json` report) loses its group and other permissions,
//! since what it holds now is ours; when it belongs to someone else and cannot be changed, it keeps
//! them. Anonymous temporary files (`crate::disk_table`) come from `tempfile`, which already
//! creates them `0600` and unlinked.
//!
//! The modes are Unix ones (the tool runs on Linux and macOS); elsewhere the platform's defaults
//! apply.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Mode of a folder a command creates.
#[cfg(unix)]
const DIR_MODE: u32 = 0o700;
/// Mode of a file a command writes.
#[cfg(unix)]
const FILE_MODE: u32 = 0o600;

/// Creates `path` and its missing parents, each one created `0700`; existing ones stay as they are.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path)
}

/// Open options that create a new file `0600`; the caller adds the access it needs.
pub fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Creates or truncates `path` for writing, `0600` (see [`narrow`] for an existing file).
pub fn create(path: &Path) -> io::Result<File> {
    let file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    narrow(&file)?;
    Ok(file)
}

/// Replaces the contents of `path` with `bytes`, like `std::fs::write`, in a `0600` file.
pub fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    create(path)?.write_all(bytes)
}

/// Takes the group and other permissions off `file` when it is a regular file that has some (one
/// that existed before this run). A file of another owner, which only its owner may change, keeps
/// them; a device (`/dev/stdout`) is never touched.
pub fn narrow(file: &File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = file.metadata()?;
        let mode = metadata.permissions().mode();
        if metadata.is_file() && mode & 0o077 != 0 {
            let narrowed = std::fs::Permissions::from_mode(mode & 0o7700);
            match file.set_permissions(narrowed) {
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {}
                other => other?,
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn created_folders_are_0700_and_an_existing_one_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let shared = dir.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        create_dir_all(&shared.join("out/.export")).unwrap();
        assert_eq!(mode(&shared), 0o755);
        assert_eq!(mode(&shared.join("out")), 0o700);
        assert_eq!(mode(&shared.join("out/.export")), 0o700);
        create_dir_all(&shared).unwrap();
    }

    #[test]
    fn written_files_are_0600_even_over_an_open_one() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.json");
        write(&new, b"{}").unwrap();
        assert_eq!(mode(&new), 0o600);
        assert_eq!(std::fs::read(&new).unwrap(), b"{}");
        let earlier = dir.path().join("earlier.json");
        std::fs::write(&earlier, b"old and longer").unwrap();
        std::fs::set_permissions(&earlier, std::fs::Permissions::from_mode(0o644)).unwrap();
        write(&earlier, b"new").unwrap();
        assert_eq!(mode(&earlier), 0o600);
        assert_eq!(std::fs::read(&earlier).unwrap(), b"new");
    }

    #[test]
    fn options_create_0600_files_and_devices_are_not_narrowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("appended");
        options().append(true).create(true).open(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        let null = options().write(true).open("/dev/null").unwrap();
        narrow(&null).unwrap();
        assert_eq!(mode(Path::new("/dev/null")), 0o666);
    }
}
