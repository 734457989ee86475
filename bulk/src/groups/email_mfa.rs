//! E-mail MFA for the users `groups --sync` reaches first (issue 25, item 2).
//!
//! Why: the trigger migrates an e-mail-MFA user `RESET_REQUIRED` (a password is never a second
//! factor), and the token function turns the factor on again at the user's first token after
//! the reset, but only on the token that writes the user's first membership: a user who already
//! has groups is not looked up. When `--sync` adds such a user to their groups before that
//! token, the token function skips them, and no export lists them for `import --resume`. So
//! `--sync` carries the factor itself, for each user it proves and adds to a group, and for each
//! one it could not turn on yet, again on every later run until it is on.
//!
//! **Never more trust than the proof given.** The factor is turned on only for
//! - the new-pool user proven to be the old user by its legacy id, read again here as the new
//!   pool holds it (`shared::identity`; a stranger who merely shares the name, the e-mail or a
//!   letter case is never asked about);
//! - whose old user, read live (`AdminGetUser`: its `sub` must still be the legacy id), has
//!   `EMAIL_OTP` in `UserMFASettingList`;
//! - and whose e-mail is proven as `import` proves it ([`shared::email_proof::carried_verified`]):
//!   verified in the old pool, and held by the new pool unchanged and verified. An address the
//!   old pool never verified, one the mapping rewrote or one changed since is left off, listed in
//!   `groups-report.csv` (`email_mfa_unproven`) for the operator: no tool turns it on. It is
//!   checked again at each run, so it leaves the list once the factor is on (by hand).
//!
//! The request itself is [`crate::email_mfa_carry`], as `import` makes it. A user AWS refuses for
//! now (`PasswordResetRequiredException`: not reset yet), or that the new pool cannot take (no
//! e-mail MFA configured), waits in `groups-state.json` (`email_mfa.pending`) and is checked again,
//! from the start, at the next run.
//!
//! Cost, all on the run's pacer (`--rps`) with the proof look-ups: where the old pool has e-mail
//! MFA configured, one `GetUserPoolMfaConfig` per pool per run, one `AdminGetUser` on the old pool
//! per user proven and added to a group (once per run, however many groups), and for each
//! e-mail-MFA user one `AdminGetUser` on the new pool and one `AdminSetUserMFAPreference`; each
//! user pending or left off costs the same again on every run. Where the old pool has no e-mail MFA
//! configured nobody has it: its `GetUserPoolMfaConfig` is the only call. The summary counts the
//! requests (`requests for it so far`, over every run of the state).

use std::collections::HashSet;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use serde::{Deserialize, Serialize};
use shared::SourceUser;
use shared::from_sdk::user_from_get;
use shared::identity::{Identity, identify};
use shared::mapping::MigratedUser;

use super::state::{ItemKind, Reason, Unapplied};
use super::target::OldMember;
use crate::email_mfa_carry::{self, Answer};
use crate::errors::explain;
use crate::fingerprint::key;
use crate::pacer::Pacer;

/// A user whose e-mail MFA is not on (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// The old user, as `--sync` listed it.
    pub old: OldMember,
    /// Its canonical `Username` in the new pool.
    pub new_username: String,
    /// Why it is not on.
    pub reason: Reason,
}

/// What `--sync` did about e-mail MFA, over every run of this state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMfaState {
    /// Turned on, over every run.
    pub restored: u64,
    /// Proven, not on yet (refused until the reset, or the new pool has no e-mail MFA
    /// configured): checked again at each run.
    pub pending: Vec<Waiting>,
    /// Had e-mail MFA, but the e-mail proves nothing: left off for good, for the operator.
    pub unproven: Vec<Waiting>,
    /// Requests made for e-mail MFA, over every run (look-ups of both pools and the writes).
    pub requests: u64,
}

impl EmailMfaState {
    /// The report's rows: every user pending or left off.
    pub fn report_rows(&self) -> Vec<Unapplied> {
        self.pending
            .iter()
            .chain(&self.unproven)
            .map(|waiting| Unapplied {
                kind: ItemKind::EmailMfa,
                group: String::new(),
                username: waiting.old.username.clone(),
                legacy_id: waiting.old.sub.clone(),
                reason: waiting.reason,
                detail: waiting.reason.email_mfa_fix().to_string(),
            })
            .collect()
    }

    /// The summary's line (none where no request was ever made for it: the old pool has no
    /// e-mail MFA configured).
    pub fn summary(&self) -> Option<String> {
        if self.requests == 0 {
            return None;
        }
        Some(format!(
            "e-mail MFA of users groups --sync reached first: {} turned on, {} pending (retried \
             at each run), {} left off because the e-mail proves nothing (groups-report.csv); {} \
             requests for it so far",
            self.restored,
            self.pending.len(),
            self.unproven.len(),
            self.requests
        ))
    }

    /// Puts `waiting` in the list its reason names, once, and in no other.
    fn settle(&mut self, waiting: Waiting) {
        self.pending.retain(|w| w.old.sub != waiting.old.sub);
        self.unproven.retain(|w| w.old.sub != waiting.old.sub);
        match waiting.reason {
            Reason::EmailMfaUnproven => self.unproven.push(waiting),
            _ => self.pending.push(waiting),
        }
    }
}

/// What became of one user's e-mail MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Nothing to carry: no e-mail MFA in the old pool, on already in the new pool, or the old or
    /// new user is gone or is someone else now.
    Nothing,
    /// Turned on.
    On,
    /// Not on: the reason.
    Off(Reason),
}

/// One `--sync` run's carrier: both pools, and the users it checked this run.
pub struct Carrier<'a> {
    old: email_mfa_carry::Pool<'a>,
    new: email_mfa_carry::Pool<'a>,
    legacy_id_attribute: &'a str,
    new_pool_configured: bool,
    /// Old `sub`s checked this run (16 bytes each), so a user added to several groups is asked
    /// about once.
    checked: HashSet<u128>,
}

/// The pools a [`Carrier`] reads and writes.
pub struct Pools<'a> {
    /// The old pool's client.
    pub old_client: &'a Client,
    /// The old pool.
    pub old_pool: &'a str,
    /// The new pool's client.
    pub new_client: &'a Client,
    /// The new pool.
    pub new_pool: &'a str,
    /// The attribute holding the old `sub` in the new pool.
    pub legacy_id_attribute: &'a str,
    /// The run's pacer.
    pub pacer: &'a Pacer,
}

impl<'a> Carrier<'a> {
    /// The run's carrier, or `None` where the old pool has no e-mail MFA configured (nobody has
    /// it to carry; that one look-up is all, and is not counted). Counts its requests in `state`.
    pub async fn open(
        pools: Pools<'a>,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<Option<Carrier<'a>>> {
        let old = email_mfa_carry::Pool {
            client: pools.old_client,
            pacer: pools.pacer,
            pool_id: pools.old_pool,
        };
        if !old.email_mfa_configured().await? {
            return Ok(None);
        }
        let new = email_mfa_carry::Pool {
            client: pools.new_client,
            pacer: pools.pacer,
            pool_id: pools.new_pool,
        };
        state.requests += 2;
        let new_pool_configured = new.email_mfa_configured().await?;
        Ok(Some(Carrier {
            old,
            new,
            legacy_id_attribute: pools.legacy_id_attribute,
            new_pool_configured,
            checked: HashSet::new(),
        }))
    }

    /// Checks every user pending or left off again, from the start (a user left off leaves the
    /// list once the factor is on, turned on by hand, or gone from the old user); returns false
    /// when `stop` asked to stop (the users not checked stay where they were).
    pub async fn retry(
        &mut self,
        state: &mut EmailMfaState,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<bool> {
        let pending = std::mem::take(&mut state.pending);
        let unproven = std::mem::take(&mut state.unproven);
        let mut waiting = pending.into_iter().chain(unproven);
        while let Some(user) = waiting.next() {
            if stop() {
                for user in std::iter::once(user).chain(waiting) {
                    state.settle(user);
                }
                return Ok(false);
            }
            self.reached(&user.old, &user.new_username, state).await?;
        }
        Ok(true)
    }

    /// The proven old user `old` was just added to a group as `new_username`: carries its e-mail
    /// MFA, once per run.
    pub async fn reached(
        &mut self,
        old: &OldMember,
        new_username: &str,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<()> {
        if !self.checked.insert(key(b's', &old.sub)) {
            return Ok(());
        }
        let verdict = self.verdict(old, new_username, state).await?;
        match verdict {
            Verdict::Nothing => {}
            Verdict::On => state.restored += 1,
            // Its name and legacy id are all a later run needs: no e-mail or phone is kept.
            Verdict::Off(reason) => state.settle(Waiting {
                old: OldMember::named(old.username.clone(), Some(old.sub.clone())),
                new_username: new_username.to_string(),
                reason,
            }),
        }
        Ok(())
    }

    async fn verdict(
        &self,
        old: &OldMember,
        new_username: &str,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<Verdict> {
        state.requests += 1;
        let Some(old_user) = read(&self.old, &old.username).await? else {
            return Ok(Verdict::Nothing);
        };
        if old_user.sub() != old.sub || !old_user.mfa.email {
            return Ok(Verdict::Nothing);
        }
        state.requests += 1;
        let Some(new_user) = read(&self.new, new_username).await? else {
            return Ok(Verdict::Nothing);
        };
        let legacy = new_user.attribute(self.legacy_id_attribute);
        if identify(legacy, &old.sub) != Identity::Proven || new_user.mfa.email {
            // Someone else now, or on already (the token function, or by hand).
            return Ok(Verdict::Nothing);
        }
        if !shared::email_proof::carried_verified(&old_user, &as_held(&new_user, &old.sub)) {
            return Ok(Verdict::Off(Reason::EmailMfaUnproven));
        }
        if !self.new_pool_configured {
            return Ok(Verdict::Off(Reason::EmailMfaNotConfigured));
        }
        state.requests += 1;
        Ok(match self.new.enable_email_mfa(&new_user.username).await? {
            Answer::On => Verdict::On,
            Answer::AfterReset => Verdict::Off(Reason::EmailMfaAfterReset),
            Answer::NotFound => Verdict::Nothing,
        })
    }
}

/// `AdminGetUser` with its MFA settings; `None` when nobody answers to `username`.
async fn read(
    pool: &email_mfa_carry::Pool<'_>,
    username: &str,
) -> anyhow::Result<Option<SourceUser>> {
    let answer = pool
        .pacer
        .call(|| {
            pool.client
                .admin_get_user()
                .user_pool_id(pool.pool_id)
                .username(username)
                .send()
        })
        .await;
    match answer {
        Ok(user) => Ok(Some(user_from_get(&user))),
        Err(err) if err.code() == Some("UserNotFoundException") => Ok(None),
        Err(err) => Err(explain("AdminGetUser", pool.pool_id, err)),
    }
}

/// The user as the new pool holds it, in the shape [`shared::email_proof`] judges: what the
/// mapping carried, and whatever changed since (which can only take the proof away, never give
/// it: the address must still be the old pool's verified one).
fn as_held(new_user: &SourceUser, old_sub: &str) -> MigratedUser {
    MigratedUser {
        username: new_user.username.clone(),
        old_sub: old_sub.to_string(),
        old_status: new_user.status.clone(),
        enabled: new_user.enabled,
        attributes: new_user.attributes.clone(),
        sms_mfa: new_user.mfa.sms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    fn waiting(sub: &str, reason: Reason) -> Waiting {
        Waiting {
            old: OldMember::named(format!("user-{sub}"), Some(sub.to_string())),
            new_username: format!("user-{sub}"),
            reason,
        }
    }

    #[test]
    fn a_user_waits_once_in_the_list_its_reason_names() {
        let mut state = EmailMfaState::default();
        state.settle(waiting("a", Reason::EmailMfaAfterReset));
        state.settle(waiting("a", Reason::EmailMfaAfterReset));
        state.settle(waiting("b", Reason::EmailMfaAfterReset));
        state.settle(waiting("b", Reason::EmailMfaUnproven));
        assert_eq!(state.pending, [waiting("a", Reason::EmailMfaAfterReset)]);
        assert_eq!(state.unproven, [waiting("b", Reason::EmailMfaUnproven)]);
        let rows = state.report_rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, ItemKind::EmailMfa);
        assert_eq!(rows[1].reason.code(), "email_mfa_unproven");
        assert!(
            rows[1].detail.contains("AdminSetUserMFAPreference"),
            "{rows:?}"
        );
    }

    #[test]
    fn the_summary_says_how_many_are_pending() {
        assert_eq!(EmailMfaState::default().summary(), None);
        let mut state = EmailMfaState {
            restored: 2,
            requests: 9,
            ..EmailMfaState::default()
        };
        state.settle(waiting("a", Reason::EmailMfaAfterReset));
        assert_eq!(
            state.summary().unwrap(),
            "e-mail MFA of users groups --sync reached first: 2 turned on, 1 pending (retried at \
             each run), 0 left off because the e-mail proves nothing (groups-report.csv); 9 \
             requests for it so far"
        );
    }

    #[test]
    fn only_the_old_pools_verified_address_held_unchanged_and_verified_is_proven() {
        let old = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        let held = |email: &str, verified: &str| {
            SourceUser::new("ada", SourceStatus::ResetRequired)
                .with("email", email)
                .with("email_verified", verified)
        };
        let proven =
            |new: &SourceUser| shared::email_proof::carried_verified(&old, &as_held(new, "s-ada"));
        assert!(proven(&held("ada@example.com", "true")));
        assert!(!proven(&held("ada@example.com", "false")));
        assert!(!proven(&held("ada@elsewhere.example", "true")));
    }
}
