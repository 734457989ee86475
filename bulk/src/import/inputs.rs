//! The import files of an export folder: which `users-NNNN.csv` there are, how many rows each
//! holds, and whether the export that wrote them has finished.
//!
//! An unfinished export may still cut its last file back and rewrite it on `--resume`, so
//! importing before it finished could lose the rewritten rows: the import refuses.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::Context;
use shared::import_csv::{DecodedRow, ImportHeader};

use crate::export_dir::{self, DISABLED, SummaryCompletion, folder};

/// `(file name, data rows)` of every `users-NNNN.csv` in `dir` (the `--dir` of the command), in
/// file order.
pub fn import_files(dir: &Path) -> anyhow::Result<Vec<(String, u64)>> {
    folder::check(dir)?;
    let entries = fs::read_dir(dir).map_err(|err| folder::folder_error(dir, &err))?;
    let mut names = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if export_dir::is_users_file(&name) {
            names.push(name);
        }
    }
    names.sort();
    if names.is_empty() && !dir.join(DISABLED).exists() {
        anyhow::bail!(
            "{} holds no users-NNNN.csv: run cognito-migrate export --out {} first",
            dir.display(),
            dir.display()
        );
    }
    names
        .into_iter()
        .map(|name| {
            let rows = data_rows(&dir.join(&name))?;
            Ok((name, rows))
        })
        .collect()
}

/// Lines after the header.
fn data_rows(path: &Path) -> anyhow::Result<u64> {
    let unreadable = |err: std::io::Error| folder::file_error(path, &err, "it was removed");
    let file = File::open(path).map_err(unreadable)?;
    let mut reader = BufReader::new(file);
    let mut lines = 0u64;
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).map_err(unreadable)? > 0 {
        lines += 1;
        line.clear();
    }
    Ok(lines.saturating_sub(1))
}

/// The users of `disabled.csv` (disabled in the old pool; the import format of the users files),
/// streamed in file order. A folder without the file has none.
pub fn disabled_users(
    dir: &Path,
) -> anyhow::Result<Box<dyn Iterator<Item = anyhow::Result<DecodedRow>>>> {
    users_of(&dir.join(DISABLED))
}

/// The users of one import-format file of an export (`users-NNNN.csv`, `disabled.csv`),
/// streamed in file order. A file that does not exist has none.
pub fn users_of(
    path: &Path,
) -> anyhow::Result<Box<dyn Iterator<Item = anyhow::Result<DecodedRow>>>> {
    let path = path.to_path_buf();
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Box::new(std::iter::empty()));
        }
        Err(err) => return Err(folder::file_error(&path, &err, "")),
    };
    let mut lines = BufReader::new(file).lines();
    let header_line = lines
        .next()
        .transpose()
        .map_err(|err| folder::file_error(&path, &err, ""))?
        .unwrap_or_default();
    let header = ImportHeader::new(header_line.split(',').map(str::to_string).collect())
        .with_context(|| format!("{} does not start with an import header", path.display()))?;
    Ok(Box::new(lines.enumerate().map(move |(index, line)| {
        let line = line.map_err(|err| folder::file_error(&path, &err, ""))?;
        header.decode(&line).map_err(|problem| {
            anyhow::anyhow!(
                "{} line {} {problem}: it was not written by cognito-migrate export",
                path.display(),
                index + 2
            )
        })
    })))
}

/// Fails unless `summary.json` says the export in `dir` (the `--dir` of the command) read its
/// whole pool.
pub fn ensure_export_complete(dir: &Path) -> anyhow::Result<()> {
    folder::check(dir)?;
    let path = dir.join(export_dir::SUMMARY);
    let text = fs::read_to_string(&path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => anyhow::anyhow!(
            "no {}: import only folders written by cognito-migrate export (run cognito-migrate \
             export --out {} first, or pass the folder an export wrote)",
            path.display(),
            dir.display()
        ),
        _ => folder::file_error(&path, &err, ""),
    })?;
    let summary: SummaryCompletion =
        serde_json::from_str(&text).with_context(|| format!("{} is damaged", path.display()))?;
    if !summary.complete {
        let select = summary.select.as_deref().unwrap_or("<the same mode>");
        anyhow::bail!(
            "the export in {} has not finished: complete it with cognito-migrate export --resume \
             --select {select} --out {} (and the run's other flags) before importing (a resumed \
             export may still rewrite its last file)",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_only_import_files_in_order_with_their_rows() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("users-0002.csv"), "h\na\n").unwrap();
        fs::write(dir.path().join("users-0001.csv"), "h\na\nb\nc").unwrap();
        fs::write(dir.path().join("users-01.csv"), "h\n").unwrap();
        fs::write(dir.path().join("rejected.csv"), "h\n").unwrap();
        assert_eq!(
            import_files(dir.path()).unwrap(),
            vec![("users-0001.csv".into(), 3), ("users-0002.csv".into(), 1)]
        );
    }

    #[test]
    fn an_unfinished_export_is_refused_with_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("summary.json"),
            r#"{"complete": false, "select": "passwordless"}"#,
        )
        .unwrap();
        let err = ensure_export_complete(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("export --resume --select passwordless"),
            "{err}"
        );
        fs::write(dir.path().join("summary.json"), r#"{"complete": true}"#).unwrap();
        ensure_export_complete(dir.path()).unwrap();
    }
}
