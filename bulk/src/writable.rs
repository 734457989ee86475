//! Output paths checked before the first request: a typo, a file in the way or a read-only mount
//! is reported at once, naming the flag and the path, not after an hour of scanning.

use std::path::Path;

/// Creates the folder `path` (given by `flag`) if needed, private (`0700`; an existing one is left
/// as it is, see [`crate::private_files`]), and proves a file can be written in it.
pub fn folder(flag: &str, path: &Path) -> anyhow::Result<()> {
    let cannot = |e: std::io::Error| {
        anyhow::anyhow!(
            "cannot write to {flag} {}: {e}. Choose a folder you can create and write to",
            path.display()
        )
    };
    crate::private_files::create_dir_all(path).map_err(cannot)?;
    let probe = path.join(".cognito-migrate-write-check");
    crate::private_files::write(&probe, b"").map_err(cannot)?;
    std::fs::remove_file(&probe).map_err(cannot)
}

/// Proves the file `path` (given by `flag`) can be written later, leaving an existing file as it
/// is and no new file behind. `-` (standard output) always can.
pub fn file(flag: &str, path: &Path) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return Ok(());
    }
    let existed = path.exists();
    crate::private_files::options()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot write {flag} {}: {e}. Choose a file in a folder that exists and you can write to",
                path.display()
            )
        })?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_in_the_way_of_a_folder_is_named_with_its_flag() {
        let dir = tempfile::tempdir().unwrap();
        let in_the_way = dir.path().join("a-file");
        std::fs::write(&in_the_way, "x").unwrap();
        let err = folder("--out", &in_the_way.join("export")).unwrap_err();
        assert!(
            err.to_string().starts_with("cannot write to --out "),
            "{err}"
        );
        assert!(err.to_string().contains("a-file"), "{err}");
    }

    #[test]
    fn a_report_file_is_checked_without_leaving_one_behind() {
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("plan.json");
        file("--json", &report).unwrap();
        assert!(!report.exists());
        let err = file("--json", &dir.path().join("no-such-folder/plan.json")).unwrap_err();
        assert!(err.to_string().contains("--json"), "{err}");
        assert!(err.to_string().contains("no-such-folder"), "{err}");
    }
}
