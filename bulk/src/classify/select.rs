//! `--select`: which users an export run is for, and why the others are skipped.

use serde::{Deserialize, Serialize};
use shared::SourceUser;

use crate::target_index::{Presence, TargetIndex};

/// Which users to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Select {
    /// Every user.
    All,
    /// Only users whose password cannot be carried over anyway (temporary password, reset
    /// required, unconfirmed, or no password at all — a user who signs in only with one-time
    /// codes or a passkey, where the old pool's factors were read): import them before cutover
    /// without costing anyone a password.
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
    /// A new-pool user who is not this user holds its sign-in value.
    NameHeldByAnotherUser,
}

impl SkipReason {
    /// Stable code for counting.
    pub fn code(self) -> &'static str {
        match self {
            SkipReason::PasswordSurvivesSignIn => "password-survives-sign-in",
            SkipReason::AlreadyInTarget => "already-in-target",
            SkipReason::NameHeldByAnotherUser => crate::target_index::NAME_HELD_BY_ANOTHER_USER,
        }
    }

    /// The sentence for `skipped.csv`.
    pub fn message(self) -> &'static str {
        match self {
            SkipReason::PasswordSurvivesSignIn => {
                "confirmed user with a password: left for the UserMigration trigger, which keeps the password at sign-in"
            }
            SkipReason::AlreadyInTarget => {
                "already in the new pool (its legacy sub; by sign-in value only where the new pool keeps no legacy id)"
            }
            SkipReason::NameHeldByAnotherUser => {
                "not in the new pool, but a new-pool user without its legacy id (someone else) holds its sign-in value, so an import would skip it: find out who holds it, free the name, then run the sweep again"
            }
        }
    }
}

impl Select {
    /// Why `user` is not selected, or `None` when it is (an error: the index of the new pool
    /// could not be read).
    pub fn skip_reason(
        self,
        user: &SourceUser,
        target: &TargetIndex,
    ) -> anyhow::Result<Option<SkipReason>> {
        Ok(match self {
            Select::All => None,
            Select::Passwordless => user
                .password_survives_sign_in()
                .then_some(SkipReason::PasswordSurvivesSignIn),
            Select::NotInTarget => match target.presence(user)? {
                Presence::Migrated => Some(SkipReason::AlreadyInTarget),
                Presence::NameHeldByAnotherUser => Some(SkipReason::NameHeldByAnotherUser),
                Presence::Absent => None,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target_index::MatchRule;
    use shared::SourceStatus;

    #[test]
    fn passwordless_keeps_only_users_without_a_usable_password() {
        let index = TargetIndex::default();
        let confirmed = SourceUser::new("a", SourceStatus::Confirmed);
        let temporary = SourceUser::new("b", SourceStatus::ForceChangePassword);
        let skip = |select: Select, user| select.skip_reason(user, &index).unwrap();
        assert_eq!(
            skip(Select::Passwordless, &confirmed),
            Some(SkipReason::PasswordSurvivesSignIn)
        );
        assert_eq!(skip(Select::Passwordless, &temporary), None);
        let mut codes_only = SourceUser::new("c", SourceStatus::Confirmed);
        codes_only.factors = Some(shared::user::SignInFactors {
            email_otp: true,
            web_authn: true,
            ..Default::default()
        });
        assert_eq!(
            skip(Select::Passwordless, &codes_only),
            None,
            "confirmed, but without a password: nothing to keep"
        );
        assert_eq!(skip(Select::All, &confirmed), None);
    }

    #[test]
    fn not_in_target_skips_the_users_the_new_pool_has_and_reports_names_held_by_others() {
        let rule = MatchRule {
            legacy_id_attribute: Some("custom:legacy_sub".into()),
            by_sign_in: true,
            ..MatchRule::default()
        };
        let migrated = SourceUser::new("uuid-1", SourceStatus::Confirmed)
            .with("custom:legacy_sub", "sub-of-bo");
        let native = SourceUser::new("ada", SourceStatus::Confirmed);
        let index = TargetIndex::of(rule, &[migrated, native]);
        let ada = SourceUser::new("ada", SourceStatus::Confirmed).with("sub", "sub-of-ada");
        let bo = SourceUser::new("bo", SourceStatus::Confirmed).with("sub", "sub-of-bo");
        let cy = SourceUser::new("cy", SourceStatus::Confirmed).with("sub", "ada");
        let skip = |user| Select::NotInTarget.skip_reason(user, &index).unwrap();
        assert_eq!(
            skip(&ada),
            Some(SkipReason::NameHeldByAnotherUser),
            "a sign-up named ada is not the old ada"
        );
        assert_eq!(skip(&bo), Some(SkipReason::AlreadyInTarget));
        assert_eq!(skip(&cy), None, "a sub never matches a user name");
    }
}
