//! The numbers of the status report, and their JSON form (`--json`).
//!
//! The JSON is a stable contract (documented in docs/commands.md, `## status`):
//!
//! ```json
//! {
//!   "source_pool_id": "eu-west-1_OLD", "target_pool_id": "eu-west-1_NEW",
//!   "imported_told_by": "export-folder",
//!   "old_users": { "total": 20, "migrated": 10, "remaining": 6, "stranded": 4,
//!                  "stranded_by_reason": { "disabled": 1, "unconfirmed": 3 } },
//!   "new_users": { "total": 12, "imported": 3, "migrated_at_sign_in": 7, "signed_up": 2 },
//!   "identities": { "federated": 2, "federated_carried": 1, "native_with_links": 3 },
//!   "per_day": [ { "date": "2026-11-27", "imported": 3, "migrated_at_sign_in": 2, "signed_up": 0 } ],
//!   "factors": {
//!     "old_pool": { "password_only": 12, "password_and_passwordless": 4, "passwordless_only": 2,
//!                   "passwordless_needs_reset": 0, "not_read": 2, "passkey": 1, "email_mfa": 1,
//!                   "sms_mfa": 0, "totp": 1 },
//!     "reenrol": { "listed": 3, "passkey": 1, "totp": 1, "email_mfa_at_import": 1,
//!                  "email_mfa_after_reset": 0 },
//!     "email_mfa_at_import": { "listed": 1, "restored": 0, "after_reset": 1, "not_configured": 0,
//!                              "not_found": 0 },
//!     "email_mfa_by_groups_sync": { "restored": 1, "pending": 0, "unproven": 1,
//!                                   "left_to_token_function": 1 }
//!   }
//! }
//! ```
//!
//! `factors.old_pool` is `null` where the old pool offers no passwordless first factor (no
//! look-ups are made); its first-factor groups and `not_read` add up to `old_users.total`.
//!
//! `per_day` lists the days on which new users were created (`UserCreateDate`, UTC), oldest first.

use std::collections::BTreeMap;

use serde::Serialize;

use super::classify::{Arrival, OldState};
use super::factors::FactorStatus;

/// How imported users were told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportedToldBy {
    /// Listed in the export folder given with `--dir`.
    ExportFolder,
    /// The status an import leaves (`RESET_REQUIRED`, `FORCE_CHANGE_PASSWORD`).
    Status,
}

/// The old pool's users by where they stand.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct OldUsers {
    /// Users in the old pool.
    pub total: u64,
    /// In the new pool.
    pub migrated: u64,
    /// Not yet in the new pool; the trigger moves them at their next sign-in.
    pub remaining: u64,
    /// Not in the new pool, and the trigger never moves them.
    pub stranded: u64,
    /// `stranded` per reason code.
    pub stranded_by_reason: BTreeMap<String, u64>,
}

/// The old pool's users tied to identity providers (`cognito-migrate links` carries them).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Identities {
    /// Old users a federated sign-in created (status `EXTERNAL_PROVIDER`).
    pub federated: u64,
    /// Of those, the ones with a profile in the new pool (found by their legacy id).
    pub federated_carried: u64,
    /// Native old users linked to at least one identity provider.
    pub native_with_links: u64,
}

/// The new pool's users by how they arrived.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct NewUsers {
    /// Users in the new pool.
    pub total: u64,
    /// Created by `import`.
    pub imported: u64,
    /// Created by the trigger at sign-in.
    pub migrated_at_sign_in: u64,
    /// Without an old counterpart.
    pub signed_up: u64,
}

/// New users created on one day.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    /// Created by `import` that day.
    pub imported: u64,
    /// Created by the trigger that day.
    pub migrated_at_sign_in: u64,
    /// Signed up that day.
    pub signed_up: u64,
    /// Days since 1970-01-01 (for the chart).
    #[serde(skip)]
    pub day: u32,
}

impl DayCount {
    /// Users who moved from the old pool that day (imported or at sign-in).
    pub fn migrations(&self) -> u64 {
        self.imported + self.migrated_at_sign_in
    }
}

/// The status of a migration window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The old pool.
    pub source_pool_id: String,
    /// The new pool.
    pub target_pool_id: String,
    /// How imported users were told apart.
    pub imported_told_by: ImportedToldBy,
    /// The old pool's users.
    pub old_users: OldUsers,
    /// The new pool's users.
    pub new_users: NewUsers,
    /// The old pool's federated and linked users.
    pub identities: Identities,
    /// New users per creation day, oldest first.
    pub per_day: Vec<DayCount>,
    /// How old users sign in, and what the export folders list to set up again.
    pub factors: FactorStatus,
}

impl StatusReport {
    /// An empty report of these pools.
    pub fn new(source: &str, target: &str, imported_told_by: ImportedToldBy) -> StatusReport {
        StatusReport {
            source_pool_id: source.to_string(),
            target_pool_id: target.to_string(),
            imported_told_by,
            old_users: OldUsers::default(),
            new_users: NewUsers::default(),
            identities: Identities::default(),
            per_day: Vec::new(),
            factors: FactorStatus::default(),
        }
    }

    /// Counts one old user's ties to identity providers: `federated` for a user a federated
    /// sign-in created, `links` its identities.
    pub fn add_identities(&mut self, federated: bool, links: usize, state: OldState) {
        let identities = &mut self.identities;
        if federated {
            identities.federated += 1;
            identities.federated_carried += u64::from(state == OldState::Migrated);
        } else if links > 0 {
            identities.native_with_links += 1;
        }
    }

    /// Counts one old user.
    pub fn add_old(&mut self, state: OldState) {
        let old = &mut self.old_users;
        old.total += 1;
        match state {
            OldState::Migrated => old.migrated += 1,
            OldState::Remaining => old.remaining += 1,
            OldState::Stranded(reason) => {
                old.stranded += 1;
                *old.stranded_by_reason
                    .entry(reason.to_string())
                    .or_default() += 1;
            }
        }
    }

    /// Counts the new users, each as `(created day, arrival)`.
    pub fn add_new(&mut self, users: impl IntoIterator<Item = (u32, Arrival)>) {
        let mut days: BTreeMap<u32, DayCount> = BTreeMap::new();
        for (day, arrival) in users {
            let count = days.entry(day).or_insert_with(|| DayCount {
                date: date_of(day),
                day,
                ..DayCount::default()
            });
            self.new_users.total += 1;
            let (total, of_day) = match arrival {
                Arrival::Imported => (&mut self.new_users.imported, &mut count.imported),
                Arrival::MigratedAtSignIn => (
                    &mut self.new_users.migrated_at_sign_in,
                    &mut count.migrated_at_sign_in,
                ),
                Arrival::SignedUp => (&mut self.new_users.signed_up, &mut count.signed_up),
            };
            *total += 1;
            *of_day += 1;
        }
        self.per_day = days.into_values().collect();
    }

    /// The share of old users already migrated, in percent (100 for an empty old pool).
    pub fn migrated_percent(&self) -> f64 {
        percent(self.old_users.migrated, self.old_users.total)
    }
}

/// `part` of `whole` in percent (100 when `whole` is 0: nothing is left to do).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Whole days since 1970-01-01 of a time in seconds since then (UTC; times before 1970 are day 0).
pub fn day_of(epoch_seconds: i64) -> u32 {
    u32::try_from(epoch_seconds.div_euclid(86_400)).unwrap_or(0)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (the proleptic Gregorian calendar; Howard
/// Hinnant's `civil_from_days`).
pub fn date_of(day: u32) -> String {
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_calendar_dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(59), "1970-03-01");
        assert_eq!(date_of(11_016), "2000-02-29");
        assert_eq!(date_of(day_of(1_795_996_800 - 1)), "2026-11-29");
        assert_eq!(day_of(-5), 0);
    }

    #[test]
    fn old_and_new_users_are_counted_by_state_and_day() {
        let mut report = StatusReport::new("old", "new", ImportedToldBy::Status);
        for state in [
            OldState::Migrated,
            OldState::Remaining,
            OldState::Stranded("disabled"),
            OldState::Stranded("disabled"),
        ] {
            report.add_old(state);
        }
        assert_eq!(
            report.old_users,
            OldUsers {
                total: 4,
                migrated: 1,
                remaining: 1,
                stranded: 2,
                stranded_by_reason: [("disabled".to_string(), 2)].into(),
            }
        );
        assert_eq!(report.migrated_percent(), 25.0);
        report.add_new([
            (20_001, Arrival::MigratedAtSignIn),
            (20_000, Arrival::Imported),
            (20_001, Arrival::SignedUp),
            (20_001, Arrival::MigratedAtSignIn),
        ]);
        assert_eq!(report.new_users.total, 4);
        assert_eq!(report.new_users.migrated_at_sign_in, 2);
        let days: Vec<(&str, u64)> = report
            .per_day
            .iter()
            .map(|d| (d.date.as_str(), d.migrations()))
            .collect();
        assert_eq!(days, [("2024-10-04", 1), ("2024-10-05", 2)]);
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["imported_told_by"], "status");
        assert_eq!(json["per_day"][1]["signed_up"], 1);
        assert!(json["per_day"][1].get("day").is_none());
    }
}
