//! The export folder's contract: every file `export` writes and `import`, `groups`, `status` and
//! `canary` read, by name, and the types of its lines, shared by the writer and the readers.
//!
//! ```text
//! OUT/
//!   users-0001.csv …      import files, in order (the new pool's CSV header; ≤ 500,000 rows each)
//!   disabled.csv          users disabled in the old pool, same columns (import creates them disabled)
//!   rejected.csv          users that cannot be imported: username, sub, reason naming the field
//!   skipped.csv           users left out by --select: username, sub, reason
//!   mfa-reenrol.csv       users with TOTP, who enrol again
//!   unassigned.csv        users no tenant claims (--partition-by)
//!   groups.jsonl          one group per line ([`GroupSpec`])
//!   memberships.jsonl     one membership per line ([`Membership`]), users named as the new pool names them
//!   mapping.json          the mapping the run used (give it to the trigger)
//!   summary.json          counts, and `complete` once every shard and the groups are written
//!   .export/              the checkpoint (crate::export::checkpoint)
//! ```
//! With `--partition-by`, one such folder per tenant below `OUT/` (without summary.json, mapping.json
//! and unassigned.csv, which stay in `OUT/`).

pub mod folder;
mod lines;

pub use lines::{GroupSpec, Membership, SummaryCompletion};

/// Counts, reasons, and whether the export is complete.
pub const SUMMARY: &str = "summary.json";
/// The old pool's groups.
pub const GROUPS: &str = "groups.jsonl";
/// Who is in which group.
pub const MEMBERSHIPS: &str = "memberships.jsonl";
/// Disabled users, as import rows.
pub const DISABLED: &str = "disabled.csv";
/// Users that cannot be imported, with the reason.
pub const REJECTED: &str = "rejected.csv";
/// Users left out by the selection, with the reason.
pub const SKIPPED: &str = "skipped.csv";
/// Users with TOTP, who enrol again in the new pool.
pub const MFA_REENROL: &str = "mfa-reenrol.csv";
/// Users no tenant claims.
pub const UNASSIGNED: &str = "unassigned.csv";
/// The mapping the export used.
pub const MAPPING: &str = "mapping.json";

/// The files an export writes besides the import files (what a restart from scratch removes).
pub const WRITTEN: [&str; 6] = [
    REJECTED,
    SKIPPED,
    DISABLED,
    MFA_REENROL,
    UNASSIGNED,
    MAPPING,
];

/// The name of import file number `index` (from 1): `users-0001.csv`.
pub fn users_file(index: usize) -> String {
    format!("users-{index:04}.csv")
}

/// True for the name of an import file (`users-` and at least four digits, `.csv`).
pub fn is_users_file(name: &str) -> bool {
    name.strip_prefix("users-")
        .and_then(|rest| rest.strip_suffix(".csv"))
        .is_some_and(|digits| digits.len() >= 4 && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_file_names_round_trip_and_nothing_else_looks_like_one() {
        for index in [1, 42, 9999, 10000] {
            assert!(is_users_file(&users_file(index)), "{}", users_file(index));
        }
        assert_eq!(users_file(1), "users-0001.csv");
        for other in [
            "users-001.csv",
            "users-0001.csv.resolved",
            "users-0001.txt",
            "users-00a1.csv",
            DISABLED,
            REJECTED,
        ] {
            assert!(!is_users_file(other), "{other}");
        }
    }
}
