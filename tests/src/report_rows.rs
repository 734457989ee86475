//! Finding rows in the CSV reports the commands write (`mfa-reenrol.csv` of `export`,
//! `groups-report.csv` of `groups`), to assert on a user's row.
//!
//! Rows are compared as the text the file holds: every field the tests look up (a user name, a
//! kind of row) is plain, so no CSV decoding is needed.

use std::path::Path;

/// The rows of the report `file` in `dir` (its header included) for which `keep` is true.
pub fn rows_where(dir: &Path, file: &str, keep: impl Fn(&str) -> bool) -> Vec<String> {
    let path = dir.join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|row| keep(row))
        .map(str::to_string)
        .collect()
}

/// The first row of the report `file` in `dir` that starts with `prefix`, if any.
pub fn row_starting(dir: &Path, file: &str, prefix: &str) -> Option<String> {
    rows_where(dir, file, |row| row.starts_with(prefix))
        .into_iter()
        .next()
}

/// The `mfa-reenrol.csv` row of `name` in the export folder `dir`, if any.
pub fn reenrol_row(dir: &Path, name: &str) -> Option<String> {
    row_starting(dir, "mfa-reenrol.csv", &format!("{name},"))
}

/// The `groups-report.csv` row about `name`'s e-mail MFA in `dir`, if any.
pub fn email_mfa_row(dir: &Path, name: &str) -> Option<String> {
    row_starting(dir, "groups-report.csv", &format!("email_mfa,,{name},"))
}

/// The rows of `groups-report.csv` in `dir` about `name` (its third field).
pub fn groups_report_rows_of(dir: &Path, name: &str) -> Vec<String> {
    rows_where(dir, "groups-report.csv", |row| {
        row.split(',').nth(2) == Some(name)
    })
}
