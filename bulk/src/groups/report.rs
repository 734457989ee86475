//! `groups-report.csv`: every group, membership or disabled state a `groups` run could not
//! apply, with the reason, rewritten atomically at the end of each run.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::Context;

use super::state::Unapplied;
use crate::report_csv::csv_record;

/// Name of the report inside the folder.
pub const REPORT_FILE: &str = "groups-report.csv";
/// Its header.
pub const REPORT_HEADER: [&str; 5] = ["kind", "group", "username", "reason", "detail"];

/// The report's bytes (RFC 4180, cells a spreadsheet would evaluate neutralised by
/// [`csv_record`]: group and user names are chosen by users).
pub fn csv_bytes(unapplied: &[Unapplied]) -> anyhow::Result<Vec<u8>> {
    let mut bytes = csv_record(&REPORT_HEADER);
    for item in unapplied {
        let kind = serde_json::to_value(item.kind)?;
        bytes.extend(csv_record(&[
            kind.as_str().unwrap_or_default(),
            &item.group,
            &item.username,
            item.reason.code(),
            &item.detail,
        ]));
    }
    Ok(bytes)
}

/// Writes the report atomically, private (`0600`).
pub fn write(dir: &Path, unapplied: &[Unapplied]) -> anyhow::Result<()> {
    let path = dir.join(REPORT_FILE);
    let tmp = path.with_extension("csv.tmp");
    crate::private_files::write(&tmp, &csv_bytes(unapplied)?)
        .and_then(|()| fs::rename(&tmp, &path))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Counts per reason, e.g. `user_not_in_new_pool → 3`.
pub fn by_reason(unapplied: &[Unapplied]) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    for item in unapplied {
        *counts.entry(item.reason.code()).or_default() += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::state::{ItemKind, Reason};

    #[test]
    fn writes_rfc_4180_rows_with_reasons() {
        let rows = [Unapplied {
            kind: ItemKind::Membership,
            group: "ops, \"night\"".into(),
            username: "ada".into(),
            legacy_id: "s-ada".into(),
            reason: Reason::UserNotInNewPool,
            detail: "UserNotFoundException: User does not exist.".into(),
        }];
        assert_eq!(
            String::from_utf8(csv_bytes(&rows).unwrap()).unwrap(),
            "kind,group,username,reason,detail\n\
             membership,\"ops, \"\"night\"\"\",ada,user_not_in_new_pool,UserNotFoundException: User does not exist.\n"
        );
    }

    #[test]
    fn a_group_or_user_name_a_spreadsheet_would_run_is_written_as_text() {
        let rows = [Unapplied {
            kind: ItemKind::Membership,
            group: "@SUM(A1:A9)".into(),
            username: "=HYPERLINK(\"http://x\",\"y\")".into(),
            legacy_id: "s-1".into(),
            reason: Reason::UserNotInNewPool,
            detail: "-".into(),
        }];
        assert_eq!(
            String::from_utf8(csv_bytes(&rows).unwrap()).unwrap(),
            "kind,group,username,reason,detail\n\
             membership,'@SUM(A1:A9),\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",user_not_in_new_pool,'-\n"
        );
    }
}
