//! `summary.json` and the closing lines of an export.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use super::checkpoint::FileState;
use crate::atomic_json;
use crate::classify::Select;
use crate::pacer::PacerStats;

/// The summary of an export, written as `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// Users read from the old pool. Always `exported + rejected + skipped`.
    pub seen: u64,
    /// Users written to import files, `disabled.csv` included.
    pub exported: u64,
    /// Users written to `rejected.csv`.
    pub rejected: u64,
    /// Users written to `skipped.csv`.
    pub skipped: u64,
    /// Exported users that are disabled in the old pool: in `disabled.csv`, not in the users files
    /// (`import` creates them disabled).
    pub disabled: u64,
    /// Exported users with a factor that cannot move (TOTP, a passkey, e-mail MFA), listed in
    /// `mfa-reenrol.csv` with the reasons: they set it up again.
    pub mfa_reenrol: u64,
    /// Exported users whose MFA could not be seen (the old pool has MFA and `--mfa-lookup off`):
    /// written with `cognito:mfa_enabled` as far as legacy SMS options show it.
    pub mfa_unknown: u64,
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
        atomic_json::write(&out.join(crate::export_dir::SUMMARY), self)
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
        for (n, what) in [
            (
                self.disabled,
                "exported users are disabled in the old pool: in disabled.csv, not in the users \
                 files (import creates them disabled)",
            ),
            (
                self.mfa_reenrol,
                "exported users have a factor that cannot move (TOTP, passkey, e-mail MFA): they set it up again (mfa-reenrol.csv)",
            ),
            (
                self.mfa_unknown,
                "exported users' MFA was not read (--mfa-lookup off): SMS or TOTP chosen by the user is not carried",
            ),
        ] {
            if n > 0 {
                text.push_str(&format!("  {n} {what}\n"));
            }
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

/// One tenant's line in the partition summary.
#[derive(Debug, Serialize)]
pub struct TenantCounts<'a> {
    /// The tenant's new pool.
    pub pool_id: &'a str,
    /// Users routed to the tenant.
    pub seen: u64,
    /// Of those, exported.
    pub exported: u64,
    /// Of those, rejected.
    pub rejected: u64,
    /// Of those, skipped.
    pub skipped: u64,
}

/// `DIR/summary.json` of a partitioned export: every user of the old pool is in one tenant's
/// folder or in `unassigned.csv`.
#[derive(Debug, Serialize)]
pub struct PartitionSummary<'a> {
    /// Users read from the old pool: the tenants' `seen` plus `unassigned`.
    pub seen: u64,
    /// Exported over all tenants.
    pub exported: u64,
    /// Rejected over all tenants.
    pub rejected: u64,
    /// Skipped over all tenants.
    pub skipped: u64,
    /// Users in `unassigned.csv` (no tenant, or one the table does not know).
    pub unassigned: u64,
    /// Unassigned users per reason code.
    pub unassigned_by_reason: &'a BTreeMap<String, u64>,
    /// Per tenant.
    pub tenants: BTreeMap<&'a str, TenantCounts<'a>>,
    /// Old pool.
    pub source_pool_id: &'a str,
    /// True when every shard has been read and the groups are written.
    pub complete: bool,
}

impl<'a> PartitionSummary<'a> {
    /// Adds up the tenants' counts.
    pub fn new(
        source_pool_id: &'a str,
        tenants: &'a BTreeMap<String, (String, super::checkpoint::Counts)>,
        unassigned_by_reason: &'a BTreeMap<String, u64>,
        complete: bool,
    ) -> PartitionSummary<'a> {
        let unassigned: u64 = unassigned_by_reason.values().sum();
        let mut summary = PartitionSummary {
            seen: unassigned,
            exported: 0,
            rejected: 0,
            skipped: 0,
            unassigned,
            unassigned_by_reason,
            tenants: BTreeMap::new(),
            source_pool_id,
            complete,
        };
        for (name, (pool_id, counts)) in tenants {
            summary.seen += counts.seen;
            summary.exported += counts.exported;
            summary.rejected += counts.rejected;
            summary.skipped += counts.skipped;
            summary.tenants.insert(
                name,
                TenantCounts {
                    pool_id,
                    seen: counts.seen,
                    exported: counts.exported,
                    rejected: counts.rejected,
                    skipped: counts.skipped,
                },
            );
        }
        summary
    }

    /// Writes `summary.json` atomically.
    pub fn write(&self, out: &Path) -> std::io::Result<()> {
        atomic_json::write(&out.join(crate::export_dir::SUMMARY), self)
    }

    /// The human summary printed at the end.
    pub fn text(&self) -> String {
        let mut text = format!(
            "all tenants: seen {} = exported {} + rejected {} + skipped {} + unassigned {}",
            self.seen, self.exported, self.rejected, self.skipped, self.unassigned
        );
        for (code, n) in self.unassigned_by_reason {
            text.push_str(&format!(
                "\n  unassigned {n:>8}  {code} (see unassigned.csv)"
            ));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export_dir::SummaryCompletion;

    fn summary(empty: &BTreeMap<String, u64>) -> Summary<'_> {
        Summary {
            seen: 3,
            exported: 2,
            rejected: 1,
            skipped: 0,
            disabled: 0,
            mfa_reenrol: 0,
            mfa_unknown: 0,
            groups: 0,
            memberships: 0,
            files: &[],
            rejected_by_reason: empty,
            skipped_by_reason: empty,
            source_pool_id: "us-east-1_Old",
            target_pool_id: "us-east-1_New",
            select: Select::NotInTarget,
            legacy_sub_attribute: None,
            requests: PacerStats::default(),
            elapsed_seconds: 1.0,
            complete: false,
        }
    }

    #[test]
    fn the_closing_lines_name_each_count_that_is_not_zero() {
        let empty = BTreeMap::new();
        let summary = Summary {
            disabled: 1,
            mfa_reenrol: 2,
            ..summary(&empty)
        };
        assert_eq!(
            summary.text(),
            "exported 2 of 3 users into 0 file(s), rejected 1, skipped 0 (seen 3 = 2 + 1 + 0)\n\
             \x20 1 exported users are disabled in the old pool: in disabled.csv, not in the users files (import creates them disabled)\n\
             \x20 2 exported users have a factor that cannot move (TOTP, passkey, e-mail MFA): they set it up again (mfa-reenrol.csv)\n\
             \x20 0 groups, 0 memberships (groups.jsonl, memberships.jsonl)\n\
             0 requests (0 throttled, 0 retried) in 1.0 s"
        );
    }

    #[test]
    fn import_reads_back_what_the_summary_says_of_completion() {
        let empty = BTreeMap::new();
        let summary = summary(&empty);
        let dir = tempfile::tempdir().unwrap();
        summary.write(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(crate::export_dir::SUMMARY)).unwrap();
        let read: SummaryCompletion = serde_json::from_str(&text).unwrap();
        assert_eq!(
            read,
            SummaryCompletion {
                complete: false,
                select: Some("not-in-target".to_string())
            }
        );
    }
}
