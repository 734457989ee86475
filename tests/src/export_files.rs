//! Reading what `cognito-migrate export` wrote, to assert on it.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use shared::import_csv::decode_row;

/// One import row, as column → value (empty values included).
pub type ImportRow = BTreeMap<String, String>;

/// Every row of every `users-NNNN.csv` in `dir`, in file order, checking each file's header
/// equals `expected_header` and each row has as many fields as the header.
pub fn import_rows(dir: &Path, expected_header: &[String]) -> Vec<ImportRow> {
    let mut rows = Vec::new();
    for index in 1.. {
        let path = dir.join(format!("users-{index:04}.csv"));
        if !path.exists() {
            break;
        }
        rows.extend(rows_of(&path, expected_header));
    }
    rows
}

/// The rows of `disabled.csv` (users disabled in the old pool, import format, never in the users
/// files), checked like [`import_rows`].
pub fn disabled_rows(dir: &Path, expected_header: &[String]) -> Vec<ImportRow> {
    rows_of(&dir.join("disabled.csv"), expected_header)
}

fn rows_of(path: &Path, expected_header: &[String]) -> Vec<ImportRow> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        !text.starts_with('\u{feff}'),
        "{} starts with a BOM",
        path.display()
    );
    let mut lines = text.split_terminator('\n');
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    assert_eq!(header, expected_header, "{} header", path.display());
    lines
        .map(|line| {
            let fields = decode_row(line);
            assert_eq!(
                fields.len(),
                header.len(),
                "malformed row in {}: {line}",
                path.display()
            );
            header.iter().cloned().zip(fields).collect()
        })
        .collect()
}

/// Rows of `rejected.csv` or `skipped.csv`: `(username, sub, reason)`.
pub fn reason_rows(dir: &Path, file: &str) -> Vec<(String, String, String)> {
    let mut reader =
        csv::Reader::from_path(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["username", "sub", "reason"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            (r[0].to_string(), r[1].to_string(), r[2].to_string())
        })
        .collect()
}

/// `summary.json` as JSON.
pub fn summary(dir: &Path) -> serde_json::Value {
    let text = fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    serde_json::from_str(&text).expect("summary.json is JSON")
}

/// Checks the reconciliation invariant: every user seen is in exactly one output, and the
/// summary's counts match the files. Returns the user names of (exported, rejected, skipped);
/// exported users include the disabled ones of `disabled.csv`.
pub fn assert_reconciles(dir: &Path, header: &[String]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let disabled = disabled_rows(dir, header);
    assert_eq!(
        summary(dir)["disabled"],
        disabled.len() as u64,
        "summary disabled"
    );
    let exported: Vec<String> = import_rows(dir, header)
        .into_iter()
        .chain(disabled)
        .map(|r| r["cognito:username"].clone())
        .collect();
    let rejected: Vec<String> = reason_rows(dir, "rejected.csv")
        .into_iter()
        .map(|r| r.0)
        .collect();
    let skipped: Vec<String> = reason_rows(dir, "skipped.csv")
        .into_iter()
        .map(|r| r.0)
        .collect();
    let summary = summary(dir);
    assert_eq!(
        summary["exported"],
        exported.len() as u64,
        "summary exported"
    );
    assert_eq!(
        summary["rejected"],
        rejected.len() as u64,
        "summary rejected"
    );
    assert_eq!(summary["skipped"], skipped.len() as u64, "summary skipped");
    assert_eq!(
        summary["seen"],
        (exported.len() + rejected.len() + skipped.len()) as u64,
        "seen reconciles"
    );
    let mut all: Vec<&String> = exported.iter().chain(&rejected).chain(&skipped).collect();
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), total, "a user appears in more than one output");
    (exported, rejected, skipped)
}
