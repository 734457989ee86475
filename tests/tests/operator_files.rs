//! The files `cognito-migrate export` leaves for operators, against moto: a user name or attribute
//! a spreadsheet would run as a formula is text in the reports (a leading `'`) and byte-exact in
//! the import files AWS reads; the export folder and everything in it is private to its owner.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use integration_tests::cli::{describe, export};
use integration_tests::export_files::{assert_reconciles, import_rows, reason_rows};
use integration_tests::pools::{MigrationPools, create_user};

const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

/// Every folder below and including `dir` is 0700, every file 0600; returns how many files.
fn assert_private(dir: &Path) -> usize {
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += assert_private(&path);
        } else {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            files += 1;
        }
    }
    files
}

#[tokio::test]
async fn formulas_are_text_in_reports_raw_in_import_files_and_the_export_is_private() {
    let p = MigrationPools::create("operator-files").await;
    create_user(
        &p.client,
        &p.old,
        FORMULA,
        &[("email", "f@example.com"), ("email_verified", "false")],
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &p.client,
        &p.old,
        "@exported",
        &[
            ("email", "e@example.com"),
            ("email_verified", "true"),
            ("name", FORMULA),
            ("family_name", "-2+3"),
        ],
        Some("Passw0rd!"),
    )
    .await;
    let header = p.header().await;
    let out = tempfile::tempdir().unwrap();

    let dir = out.path().join("export");
    let run = export(&p.endpoint, &p.old, &p.new, &dir, &["--select", "all"]);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert_reconciles(&dir, &header);
    let rejected = std::fs::read_to_string(dir.join("rejected.csv")).unwrap();
    assert!(
        rejected.contains("\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
        "{rejected}"
    );
    let rejected = reason_rows(&dir, "rejected.csv");
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].0, format!("'{FORMULA}"));
    let rows = import_rows(&dir, &header);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["cognito:username"], "@exported");
    assert_eq!(
        rows[0]["name"], FORMULA,
        "the import file keeps the raw value"
    );
    assert_eq!(rows[0]["family_name"], "-2+3");
    let import_file = std::fs::read_to_string(dir.join("users-0001.csv")).unwrap();
    assert!(!import_file.contains('\''), "{import_file}");
    let files = assert_private(&dir);
    assert!(
        files >= 8,
        "users, reports, summary, mapping, checkpoint: {files}"
    );

    let dir = out.path().join("passwordless");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &["--select", "passwordless"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let skipped = reason_rows(&dir, "skipped.csv");
    let names: Vec<&str> = skipped.iter().map(|r| r.0.as_str()).collect();
    assert!(names.contains(&"'@exported"), "{skipped:?}");
    assert_private(&dir);
}
