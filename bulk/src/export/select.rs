//! `--select`: which users an export run is for, and why the others are skipped.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use shared::SourceUser;

use crate::fingerprint::key;

/// Which users to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Select {
    /// Every user.
    All,
    /// Only users whose password cannot be carried over anyway (temporary password, reset
    /// required, unconfirmed): import them before cutover without costing anyone a password.
    Passwordless,
    /// Only users the new pool does not have yet: the sweep after the migration window.
    NotInTarget,
}

/// Why a user was not selected: a stable code and the sentence for `skipped.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The user's password survives sign-in through the trigger.
    PasswordSurvivesSignIn,
    /// The new pool already has the user.
    AlreadyInTarget,
}

impl SkipReason {
    /// Stable code for counting.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::PasswordSurvivesSignIn => "password-survives-sign-in",
            SkipReason::AlreadyInTarget => "already-in-target",
        }
    }

    /// The sentence for `skipped.csv`.
    pub fn message(self) -> &'static str {
        match self {
            SkipReason::PasswordSurvivesSignIn => {
                "confirmed user with a password: left for the UserMigration trigger, which keeps the password at sign-in"
            }
            SkipReason::AlreadyInTarget => "already in the new pool (same user name or legacy sub)",
        }
    }
}

/// The users the new pool already has, as 128-bit hashes of their user names and legacy `sub`s:
/// 16 bytes a user, however long the names.
#[derive(Debug, Default)]
pub struct TargetIndex {
    keys: HashSet<u128>,
}

impl TargetIndex {
    /// Records a new-pool user by its user name and (if any) legacy `sub`.
    pub fn insert(&mut self, username: &str, legacy_sub: Option<&str>) {
        self.keys.insert(key(b'u', username));
        if let Some(sub) = legacy_sub.filter(|s| !s.is_empty()) {
            self.keys.insert(key(b's', sub));
        }
    }

    /// True when the new pool has this old-pool user.
    pub fn contains(&self, user: &SourceUser) -> bool {
        self.keys.contains(&key(b'u', &user.username))
            || (!user.sub().is_empty() && self.keys.contains(&key(b's', user.sub())))
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl Select {
    /// Why `user` is not selected, or `None` when it is.
    pub fn skip_reason(self, user: &SourceUser, target: &TargetIndex) -> Option<SkipReason> {
        match self {
            Select::All => None,
            Select::Passwordless => user
                .status
                .password_survives_sign_in()
                .then_some(SkipReason::PasswordSurvivesSignIn),
            Select::NotInTarget => target.contains(user).then_some(SkipReason::AlreadyInTarget),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    #[test]
    fn passwordless_keeps_only_users_without_a_usable_password() {
        let index = TargetIndex::default();
        let confirmed = SourceUser::new("a", SourceStatus::Confirmed);
        let temporary = SourceUser::new("b", SourceStatus::ForceChangePassword);
        assert_eq!(
            Select::Passwordless.skip_reason(&confirmed, &index),
            Some(SkipReason::PasswordSurvivesSignIn)
        );
        assert_eq!(Select::Passwordless.skip_reason(&temporary, &index), None);
        assert_eq!(Select::All.skip_reason(&confirmed, &index), None);
    }

    #[test]
    fn not_in_target_matches_by_user_name_or_legacy_sub() {
        let mut index = TargetIndex::default();
        index.insert("ada", None);
        index.insert("some-uuid", Some("sub-of-bo"));
        let ada = SourceUser::new("ada", SourceStatus::Confirmed);
        let bo = SourceUser::new("bo", SourceStatus::Confirmed).with("sub", "sub-of-bo");
        let cy = SourceUser::new("cy", SourceStatus::Confirmed).with("sub", "ada");
        assert_eq!(
            Select::NotInTarget.skip_reason(&ada, &index),
            Some(SkipReason::AlreadyInTarget)
        );
        assert_eq!(
            Select::NotInTarget.skip_reason(&bo, &index),
            Some(SkipReason::AlreadyInTarget)
        );
        assert_eq!(
            Select::NotInTarget.skip_reason(&cy, &index),
            None,
            "a sub never matches a user name"
        );
    }
}
