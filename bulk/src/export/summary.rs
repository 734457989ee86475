//! `summary.json` and the closing lines of an export.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::Serialize;

use super::checkpoint::FileState;
use super::select::Select;
use crate::pacer::PacerStats;

/// The summary of an export, written as `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Users read from the old pool. Always `exported + rejected + skipped`.
    pub seen: u64,
    /// Users written to import files.
    pub exported: u64,
    /// Users written to `rejected.csv`.
    pub rejected: u64,
    /// Users written to `skipped.csv`.
    pub skipped: u64,
    /// Exported users that are disabled in the old pool (`disabled.csv`).
    pub disabled: u64,
    /// Groups written to `groups.jsonl`.
    pub groups: u64,
    /// Memberships written to `memberships.jsonl`.
    pub memberships: u64,
    /// The import files, in order.
    pub files: &'a [FileState],
    /// Rejections per reason code.
    pub rejected_by_reason: &'a BTreeMap<String, u64>,
    /// Skips per reason code.
    pub skipped_by_reason: &'a BTreeMap<String, u64>,
    /// Old pool.
    pub source_pool_id: &'a str,
    /// New pool.
    pub target_pool_id: &'a str,
    /// Selection mode.
    pub select: Select,
    /// Custom attribute carrying the old `sub`, if the new pool has it.
    pub legacy_sub_attribute: Option<&'a str>,
    /// Requests sent in this invocation (a resumed run counts only its own).
    pub requests: PacerStats,
    /// Seconds this invocation took.
    pub elapsed_seconds: f64,
    /// True when every shard has been read to its end and the groups are written.
    pub complete: bool,
}

impl Summary<'_> {
    /// Writes `summary.json` atomically.
    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        let tmp = out.join("summary.json.tmp");
        fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).expect("summary serialises"),
        )?;
        fs::rename(tmp, out.join("summary.json"))
    }

    /// The human summary printed at the end.
    pub fn text(&self) -> String {
        let mut text = format!(
            "exported {} of {} users into {} file(s), rejected {}, skipped {} (seen {} = {} + {} + {})\n",
            self.exported,
            self.seen,
            self.files.len(),
            self.rejected,
            self.skipped,
            self.seen,
            self.exported,
            self.rejected,
            self.skipped,
        );
        for (code, n) in self.rejected_by_reason {
            text.push_str(&format!("  rejected {n:>8}  {code} (see rejected.csv)\n"));
        }
        for (code, n) in self.skipped_by_reason {
            text.push_str(&format!("  skipped  {n:>8}  {code} (see skipped.csv)\n"));
        }
        if self.disabled > 0 {
            text.push_str(&format!(
                "  {} exported users are disabled in the old pool (disabled.csv)\n",
                self.disabled
            ));
        }
        text.push_str(&format!(
            "  {} groups, {} memberships (groups.jsonl, memberships.jsonl)\n",
            self.groups, self.memberships
        ));
        text.push_str(&format!(
            "{} requests ({} throttled, {} retried) in {:.1} s",
            self.requests.requests,
            self.requests.throttled,
            self.requests.retried,
            self.elapsed_seconds
        ));
        text
    }
}
