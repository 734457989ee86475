//! The export folder a command is given with `--dir`, checked before anything else is read or
//! asked of Cognito: a path that does not exist, is a file, or cannot be read is named with its
//! real problem and the fix, never answered "run export first" (which is the fix only for a folder
//! an export has not written yet).

use std::io::{self, ErrorKind};
use std::path::Path;

/// Ok when `dir` is a folder this user can list; else an error naming `--dir`, the path, the
/// problem and the fix.
pub fn check(dir: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Err(err) => Err(folder_error(dir, &err)),
        Ok(meta) if !meta.is_dir() => Err(not_a_folder(dir)),
        Ok(_) => std::fs::read_dir(dir)
            .map(drop)
            .map_err(|err| folder_error(dir, &err)),
    }
}

/// `--dir` names a file.
fn not_a_folder(dir: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "--dir {} is a file, not a folder: pass the folder cognito-migrate export --out wrote \
         (the one holding summary.json and users-NNNN.csv)",
        dir.display()
    )
}

/// Why the folder `dir` cannot be opened, as the operator fixes it.
pub fn folder_error(dir: &Path, err: &io::Error) -> anyhow::Error {
    let shown = dir.display();
    match err.kind() {
        ErrorKind::NotFound => anyhow::anyhow!(
            "--dir {shown} does not exist: run cognito-migrate export --out {shown} first, or \
             pass the folder an export wrote"
        ),
        ErrorKind::NotADirectory => anyhow::anyhow!(
            "--dir {shown} cannot be reached: a part of its path is a file, not a folder: pass \
             the folder cognito-migrate export --out wrote"
        ),
        ErrorKind::PermissionDenied => anyhow::anyhow!(
            "--dir {shown} cannot be read: permission denied: give the user running \
             cognito-migrate read and search permission on it and the folders above it (as its \
             owner: chmod u+rx {shown}), or run as the user that ran the export"
        ),
        _ => anyhow::anyhow!("--dir {shown} cannot be read: {err}"),
    }
}

/// Why a file of the export folder cannot be opened. `missing` is what to do when it does not
/// exist (the command's own words: which command writes it).
pub fn file_error(path: &Path, err: &io::Error, missing: &str) -> anyhow::Error {
    let shown = path.display();
    match err.kind() {
        ErrorKind::NotFound => anyhow::anyhow!("cannot read {shown}: {missing}"),
        ErrorKind::PermissionDenied => anyhow::anyhow!(
            "cannot read {shown}: permission denied: give the user running cognito-migrate read \
             permission on it (as its owner: chmod u+r {shown}), or run as the user that ran the \
             export"
        ),
        ErrorKind::IsADirectory => anyhow::anyhow!(
            "cannot read {shown}: it is a folder, not a file: this is not a folder \
             cognito-migrate export wrote"
        ),
        _ => anyhow::anyhow!("cannot read {shown}: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readable_folder_passes() {
        let dir = tempfile::tempdir().unwrap();
        check(dir.path()).unwrap();
    }

    #[test]
    fn a_missing_folder_says_to_export_first() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("export");
        assert_eq!(
            check(&missing).unwrap_err().to_string(),
            format!(
                "--dir {0} does not exist: run cognito-migrate export --out {0} first, or pass \
                 the folder an export wrote",
                missing.display()
            )
        );
    }

    #[test]
    fn a_file_is_named_as_a_file_not_a_missing_export() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("users-0001.csv");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(
            check(&file).unwrap_err().to_string(),
            format!(
                "--dir {} is a file, not a folder: pass the folder cognito-migrate export --out \
                 wrote (the one holding summary.json and users-NNNN.csv)",
                file.display()
            )
        );
        let below = file.join("export");
        assert_eq!(
            check(&below).unwrap_err().to_string(),
            format!(
                "--dir {} cannot be reached: a part of its path is a file, not a folder: pass \
                 the folder cognito-migrate export --out wrote",
                below.display()
            )
        );
    }

    #[test]
    fn permission_denied_says_who_must_be_allowed_what() {
        let dir = Path::new("/srv/export");
        let denied = io::Error::from(ErrorKind::PermissionDenied);
        assert_eq!(
            folder_error(dir, &denied).to_string(),
            "--dir /srv/export cannot be read: permission denied: give the user running \
             cognito-migrate read and search permission on it and the folders above it (as its \
             owner: chmod u+rx /srv/export), or run as the user that ran the export"
        );
        assert_eq!(
            file_error(&dir.join("groups.jsonl"), &denied, "run export first").to_string(),
            "cannot read /srv/export/groups.jsonl: permission denied: give the user running \
             cognito-migrate read permission on it (as its owner: chmod u+r \
             /srv/export/groups.jsonl), or run as the user that ran the export"
        );
    }

    /// As root (containers, CI) permissions are not enforced: the folder is then readable and
    /// the check passes, which is what such a user gets.
    #[cfg(unix)]
    #[test]
    fn an_unreadable_folder_is_refused_as_permission_denied() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("export");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        let enforced = std::fs::read_dir(&locked).is_err();
        let result = check(&locked);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        if enforced {
            let err = result.unwrap_err().to_string();
            assert!(
                err.starts_with(&format!(
                    "--dir {} cannot be read: permission denied:",
                    locked.display()
                )),
                "{err}"
            );
        } else {
            result.unwrap();
        }
    }
}
