//! The two rules of the status report, as plain functions: where an old user stands, and how a
//! new user arrived.
//!
//! An old user is **migrated** when the new pool has it (found as `target_index::MatchRule` finds
//! users: by the legacy id first, then by the new shape's sign-in values). Otherwise it is
//! **remaining** when the trigger can still carry it at sign-in, and **stranded** when it cannot:
//! by the one rule the trigger itself decides by and `plan` counts by too
//! ([`shared::trigger_reach`]), or because a new-pool user
//! without its legacy id holds its sign-in value
//! ([`crate::target_index::NAME_HELD_BY_ANOTHER_USER`], decided by the
//! caller from the new pool's index): signing in finds that user instead.
//!
//! Stranded users arrive only by the sweep (`export --select not-in-target` and `import`), or not
//! at all; the reason code says which.
//!
//! A new user **was imported** when the export folder lists it (`--dir`: its `users-NNNN.csv` or
//! `disabled.csv`). Without the folder, the status an import leaves is the evidence: a user with
//! an old counterpart in `RESET_REQUIRED` (what a CSV import job gives every user: "your users will
//! be in a RESET_REQUIRED state",
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool.html>) or
//! `FORCE_CHANGE_PASSWORD` (what `import` gives users disabled in the old pool; the trigger never
//! does). It **migrated at sign-in** when it has an old counterpart (the legacy id, or an old user
//! matches it) and was not imported, and **signed up** when it has none. The status rule errs both
//! ways: an imported user who has since reset the password is `CONFIRMED` and counts as migrated
//! at sign-in, and a user the trigger migrated `RESET_REQUIRED` (a second factor it cannot carry,
//! forgot-password) counts as imported; the export folder makes the count exact.

use serde::Serialize;
use shared::{Mapping, PoolShape, SourceStatus, SourceUser};

/// Where an old-pool user stands in the migration window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OldState {
    /// The new pool has the user.
    Migrated,
    /// Not in the new pool yet; the trigger carries the user at the next sign-in.
    Remaining,
    /// Not in the new pool, and the trigger never carries the user; the reason code says why.
    Stranded(&'static str),
}

/// Where `user` stands, given whether the new pool has it; `mapping` (legacy id resolved against
/// the new pool) and `shape` (the new pool's) decide what the trigger could do with it.
pub fn old_state(
    user: &SourceUser,
    in_new_pool: bool,
    mapping: &Mapping,
    shape: &PoolShape,
) -> OldState {
    if in_new_pool {
        return OldState::Migrated;
    }
    match shared::trigger_reach::refusal(user, mapping, shape) {
        Some(code) => OldState::Stranded(code),
        None => OldState::Remaining,
    }
}

/// How a new-pool user arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    /// Created by `import` (a CSV import job, or the disabled users' step).
    Imported,
    /// Created by the UserMigration trigger at sign-in (or forgot-password).
    MigratedAtSignIn,
    /// No old counterpart: signed up (or was created) in the new pool.
    SignedUp,
}

/// What is known of a new-pool user when it is classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NewUserFacts {
    /// It carries a legacy id, or an old user was found to be it.
    pub has_old_counterpart: bool,
    /// The export folder lists it (`None`: no folder was given).
    pub listed_in_export: Option<bool>,
    /// Its status is one an import leaves (see [`import_status`]).
    pub import_status: bool,
}

/// True for the statuses `import` leaves and the trigger's usual answer does not:
/// `RESET_REQUIRED` (every CSV-imported user) and `FORCE_CHANGE_PASSWORD` (users created disabled).
pub fn import_status(status: &SourceStatus) -> bool {
    matches!(
        status,
        SourceStatus::ResetRequired | SourceStatus::ForceChangePassword
    )
}

/// How a new-pool user arrived (see the module's rule).
pub fn arrival(facts: NewUserFacts) -> Arrival {
    let imported = match facts.listed_in_export {
        Some(listed) => listed,
        None => facts.has_old_counterpart && facts.import_status,
    };
    if imported {
        Arrival::Imported
    } else if facts.has_old_counterpart {
        Arrival::MigratedAtSignIn
    } else {
        Arrival::SignedUp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email_pool() -> PoolShape {
        PoolShape {
            username_attributes: vec!["email".to_string()],
            ..PoolShape::default()
        }
    }

    fn confirmed(name: &str) -> SourceUser {
        SourceUser::new(name, SourceStatus::Confirmed)
            .with("sub", &format!("sub-{name}"))
            .with("email", &format!("{name}@example.com"))
            .with("email_verified", "true")
    }

    fn state(user: &SourceUser, found: bool, shape: &PoolShape) -> OldState {
        old_state(user, found, &Mapping::default(), shape)
    }

    #[test]
    fn a_user_the_new_pool_has_is_migrated_whatever_its_old_state() {
        let mut disabled = confirmed("ada");
        disabled.enabled = false;
        assert_eq!(
            state(&disabled, true, &PoolShape::default()),
            OldState::Migrated
        );
    }

    #[test]
    fn a_user_not_yet_moved_stands_where_the_shared_rule_puts_it() {
        let plain = PoolShape::default();
        assert_eq!(state(&confirmed("ada"), false, &plain), OldState::Remaining);
        let mut disabled = confirmed("bo");
        disabled.enabled = false;
        assert_eq!(
            state(&disabled, false, &plain),
            OldState::Stranded("disabled")
        );
        let unverified = SourceUser::new("cy", SourceStatus::Confirmed)
            .with("sub", "s")
            .with("email", "cy@example.com");
        assert_eq!(
            state(&unverified, false, &email_pool()),
            OldState::Stranded(shared::trigger_reach::SIGN_IN_VALUE_UNVERIFIED)
        );
    }

    #[test]
    fn the_export_folder_decides_who_was_imported_when_given() {
        let listed = NewUserFacts {
            has_old_counterpart: true,
            listed_in_export: Some(true),
            import_status: false,
        };
        assert_eq!(
            arrival(listed),
            Arrival::Imported,
            "imported, then reset the password"
        );
        let not_listed = NewUserFacts {
            listed_in_export: Some(false),
            import_status: true,
            ..listed
        };
        assert_eq!(arrival(not_listed), Arrival::MigratedAtSignIn);
    }

    #[test]
    fn without_the_folder_the_status_an_import_leaves_decides() {
        let reset_required = NewUserFacts {
            has_old_counterpart: true,
            listed_in_export: None,
            import_status: true,
        };
        assert_eq!(arrival(reset_required), Arrival::Imported);
        let confirmed = NewUserFacts {
            import_status: false,
            ..reset_required
        };
        assert_eq!(arrival(confirmed), Arrival::MigratedAtSignIn);
        let stranger = NewUserFacts {
            has_old_counterpart: false,
            ..reset_required
        };
        assert_eq!(
            arrival(stranger),
            Arrival::SignedUp,
            "an admin reset is no import"
        );
        assert!(import_status(&SourceStatus::ForceChangePassword));
        assert!(!import_status(&SourceStatus::Confirmed));
    }
}
