//! E-mail MFA for the users `groups` reaches first (issue 25, item 2): one rule for `--sync` and
//! for a run over the export's files.
//!
//! Why: the trigger migrates an e-mail-MFA user `RESET_REQUIRED` (a password is never a second
//! factor), an import job creates every user `RESET_REQUIRED`, and the token function turns the
//! factor on again at the user's first token after the reset, but only on the token that writes
//! the user's first membership: a user who already has groups is not looked up. When `groups`
//! adds such a user to their groups before that token, the token function skips them: no export
//! lists a user `--sync` reached for `import --resume`, and an imported one would sign in with a
//! password alone from the reset until the next `import --resume`. So `groups` decides about the
//! factor before it adds a proven user to any group, once per run. Who had e-mail MFA comes from
//! the old pool read live (`--sync`) or from the export's `mfa-reenrol.csv` (the files, where the
//! token function is wired; else `import --resume` carries it, as before): [`OldSide`].
//!
//! - **Left to the token function** ([`Reason::LeftToTokenFunction`]): where the new pool's
//!   PreTokenGeneration trigger is wired ([`token_function_wired`]), a user still
//!   `RESET_REQUIRED` whose e-mail MFA would be turned on (below) is not added to any group:
//!   AWS refuses the factor until the reset, and with no groups the token function writes them
//!   and turns e-mail MFA on at the very first token after the reset, so no sign-in after the
//!   reset is a password alone. Such a user is listed (`groups-state.json`
//!   `email_mfa.left_to_token_function`, `groups-report.csv`: its e-mail MFA row and each
//!   membership kept as `left_to_token_function`) and checked again at each run: once reset, the
//!   next run adds the groups and turns the factor on itself if nothing did.
//! - **Turned on**, or **pending**: otherwise the factor is turned on where AWS allows it; a user
//!   AWS refuses for now (`PasswordResetRequiredException`: not reset yet, with no token function
//!   wired), or that the new pool cannot take (no e-mail MFA configured), waits in
//!   `groups-state.json` (`email_mfa.pending`) and is checked again, from the start, at the next
//!   run. Until then a user who has reset signs in with a password alone: the summary says so
//!   where no token function is wired, and that running `--sync` more often or deploying the
//!   token function closes the gap.
//!
//! **Never more trust than the proof given.** The factor is turned on (or left to the token
//! function) only for
//! - the new-pool user proven to be the old user by its legacy id, read again here as the new
//!   pool holds it (`shared::identity`; a stranger who merely shares the name, the e-mail or a
//!   letter case is never asked about);
//! - whose old user, read live (`AdminGetUser`: its `sub` must still be the legacy id), has
//!   `EMAIL_OTP` in `UserMFASettingList`, or whom the export lists with it;
//! - and whose e-mail is proven as `import` proves it ([`shared::email_proof::carried_verified`]):
//!   verified in the old pool, and held by the new pool unchanged and verified (from the files:
//!   the export proved the first two, and the new pool must still hold an e-mail verified). An
//!   address the old pool never verified, one the mapping rewrote or one changed since is left
//!   off (its groups are added), listed in `groups-report.csv` (`email_mfa_unproven`) for the
//!   operator: no tool turns it on. It is checked again at each run, so it leaves the list once
//!   the factor is on (by hand).
//!
//! The request itself is [`crate::email_mfa_carry`], as `import` makes it.
//!
//! Cost, all on the run's pacer (`--rps`) with the proof look-ups. From the files: one
//! `GetUserPoolMfaConfig` of the new pool per run where the export lists anyone, one
//! `AdminGetUser` on the new pool per listed user (at most once per run) and nothing for anyone
//! else. With `--sync`, where the old pool has e-mail
//! MFA configured, one `GetUserPoolMfaConfig` per pool per run, one `AdminGetUser` on the old pool
//! per proven user about to be added to a group (once per run, however many groups), and for each
//! e-mail-MFA user one `AdminGetUser` on the new pool and (unless left to the token function) one
//! `AdminSetUserMFAPreference`; each user pending, left off or left to the token function costs
//! the same again on every run. Where the old pool has no e-mail MFA configured nobody has it: its
//! `GetUserPoolMfaConfig` is the only call. The summary counts the requests (`requests for it so
//! far`, over every run of the state).

use std::collections::{HashMap, HashSet};

use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use serde::{Deserialize, Serialize};
use shared::from_sdk::user_from_get;
use shared::identity::{Identity, identify};
use shared::mapping::MigratedUser;
use shared::{SourceStatus, SourceUser};

use super::state::{ItemKind, Reason, Unapplied};
use super::target::OldMember;
use crate::email_mfa_carry::{self, Answer};
use crate::fingerprint::key;
use crate::pool_args::PoolRef;
use crate::user_lookup::admin_get_user;

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
    /// Still `RESET_REQUIRED`, given no groups so the token function writes them and turns the
    /// factor on at the first token after the reset: checked again at each run.
    #[serde(default)]
    pub left_to_token_function: Vec<Waiting>,
    /// Requests made for e-mail MFA, over every run (look-ups of both pools and the writes).
    pub requests: u64,
}

impl EmailMfaState {
    /// The report's rows: every user pending, left off or left to the token function.
    pub fn report_rows(&self) -> Vec<Unapplied> {
        self.pending
            .iter()
            .chain(&self.unproven)
            .chain(&self.left_to_token_function)
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

    /// The summary's lines (none where no request was ever made for it: the old pool has no
    /// e-mail MFA configured). Where no token function is wired (`token_function`), users pending
    /// until their reset are said to sign in with a password alone once they have reset, until
    /// the next run.
    pub fn summary(&self, token_function: bool) -> Option<String> {
        if self.requests == 0 {
            return None;
        }
        let mut text = format!(
            "e-mail MFA of users groups reached first: {} turned on, {} pending (retried \
             at each run), {} left off because the e-mail proves nothing (groups-report.csv), {} \
             left to the token function (RESET_REQUIRED: it writes their groups and turns e-mail \
             MFA on at their first token after the reset); {} requests for it so far",
            self.restored,
            self.pending.len(),
            self.unproven.len(),
            self.left_to_token_function.len(),
            self.requests
        );
        let until_reset = self
            .pending
            .iter()
            .filter(|w| w.reason == Reason::EmailMfaAfterReset)
            .count();
        if until_reset > 0 && !token_function {
            text.push_str(&format!(
                "\nwarning: {until_reset} of them wait for their reset, and the new pool has no \
                 PreTokenGeneration trigger (token function): once reset, each signs in with a \
                 password alone until the next groups --sync turns e-mail MFA on. Run groups \
                 --sync more often, or deploy the token function (then groups --sync leaves such \
                 users to it, and it turns the factor on at their first token after the reset)"
            ));
        }
        Some(text)
    }

    /// Puts `waiting` in the list its reason names, once, and in no other.
    fn settle(&mut self, waiting: Waiting) {
        self.pending.retain(|w| w.old.sub != waiting.old.sub);
        self.unproven.retain(|w| w.old.sub != waiting.old.sub);
        self.left_to_token_function
            .retain(|w| w.old.sub != waiting.old.sub);
        match waiting.reason {
            Reason::EmailMfaUnproven => self.unproven.push(waiting),
            Reason::LeftToTokenFunction => self.left_to_token_function.push(waiting),
            _ => self.pending.push(waiting),
        }
    }
}

/// Whether the new pool calls a PreTokenGeneration trigger (`LambdaConfig`
/// `PreTokenGenerationConfig.LambdaArn`, or the legacy `PreTokenGeneration`): the token function
/// that writes a user's groups and e-mail MFA at their first token when they have no groups.
pub fn token_function_wired(new_pool: &UserPoolType) -> bool {
    new_pool.lambda_config().is_some_and(|config| {
        let current = config.pre_token_generation_config().map(|c| c.lambda_arn());
        [current, config.pre_token_generation()]
            .into_iter()
            .flatten()
            .any(|arn| !arn.is_empty())
    })
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

/// Who had e-mail MFA in the old pool, and how their e-mail is proven.
pub enum OldSide<'a> {
    /// The old pool, read live (`--sync`): each user's `AdminGetUser` (`EMAIL_OTP` in
    /// `UserMFASettingList`, the `sub` still the legacy id), its e-mail proven against the address
    /// the new pool holds ([`shared::email_proof::carried_verified`]).
    Live(PoolRef<'a>),
    /// The export's `mfa-reenrol.csv` (`groups` from the export's files): the old `sub`s of the
    /// users it lists as [`Reenrol::EmailMfaAtImport`](crate::export::mfa::Reenrol), whose
    /// e-mail the export proved (verified in the old pool, carried unchanged and verified); the new
    /// pool must still hold an e-mail verified.
    Exported(HashSet<u128>),
}

impl OldSide<'_> {
    /// The users `dir`'s `mfa-reenrol.csv` lists with e-mail MFA and the e-mail carried verified.
    pub fn exported(dir: &std::path::Path) -> anyhow::Result<OldSide<'static>> {
        let listed = crate::export::mfa::reenrol_rows(dir)?
            .into_iter()
            .filter(|row| row.has(crate::export::mfa::Reenrol::EmailMfaAtImport))
            .map(|row| key(b's', &row.sub))
            .collect();
        Ok(OldSide::Exported(listed))
    }
}

/// Where a [`Carrier`] learns the old user's e-mail MFA.
enum Old<'a> {
    Live(PoolRef<'a>),
    Exported(HashSet<u128>),
}

/// One `groups` run's carrier: both pools (or the export's list for the old one), and the users
/// it checked this run.
pub struct Carrier<'a> {
    old: Old<'a>,
    new: PoolRef<'a>,
    legacy_id_attribute: &'a str,
    new_pool_configured: bool,
    token_function: bool,
    /// Old `sub`s checked this run (16 bytes each), so a user in several groups is asked about
    /// once, and whether that user is left to the token function.
    checked: HashMap<u128, bool>,
}

/// The pools a [`Carrier`] reads and writes.
pub struct Pools<'a> {
    /// Who had e-mail MFA in the old pool.
    pub old: OldSide<'a>,
    /// The new pool.
    pub new: PoolRef<'a>,
    /// The attribute holding the old `sub` in the new pool.
    pub legacy_id_attribute: &'a str,
    /// The new pool's PreTokenGeneration trigger is wired ([`token_function_wired`]).
    pub token_function: bool,
}

impl<'a> Carrier<'a> {
    /// The run's carrier, or `None` where nobody in the old pool has e-mail MFA to carry: a live
    /// old pool without e-mail MFA configured (that one look-up is all, and is not counted), or
    /// an export that lists nobody with it. Counts its requests in `state`.
    pub async fn open(
        pools: Pools<'a>,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<Option<Carrier<'a>>> {
        let old = match pools.old {
            OldSide::Live(old) => {
                if !email_mfa_carry::configured(old).await? {
                    return Ok(None);
                }
                state.requests += 1;
                Old::Live(old)
            }
            OldSide::Exported(listed) if listed.is_empty() => return Ok(None),
            OldSide::Exported(listed) => Old::Exported(listed),
        };
        let new = pools.new;
        state.requests += 1;
        let new_pool_configured = email_mfa_carry::configured(new).await?;
        Ok(Some(Carrier {
            old,
            new,
            legacy_id_attribute: pools.legacy_id_attribute,
            new_pool_configured,
            token_function: pools.token_function,
            checked: HashMap::new(),
        }))
    }

    /// Checks every user pending, left off or left to the token function again, from the start
    /// (a user leaves its list once the factor is on: turned on here, by the token function or by
    /// hand, or gone from the old user); returns false when `stop` asked to stop (the users not
    /// checked stay where they were). Only a user left to the token function may be left to it
    /// again: the others were given groups, so the token function no longer looks them up.
    pub async fn retry(
        &mut self,
        state: &mut EmailMfaState,
        stop: &dyn Fn() -> bool,
    ) -> anyhow::Result<bool> {
        let pending = std::mem::take(&mut state.pending);
        let unproven = std::mem::take(&mut state.unproven);
        let left = std::mem::take(&mut state.left_to_token_function);
        let mut waiting = pending.into_iter().chain(unproven).chain(left);
        while let Some(user) = waiting.next() {
            if stop() {
                for user in std::iter::once(user).chain(waiting) {
                    state.settle(user);
                }
                return Ok(false);
            }
            let may_leave = user.reason == Reason::LeftToTokenFunction;
            self.check(&user.old, &user.new_username, may_leave, state)
                .await?;
        }
        Ok(true)
    }

    /// The proven old user `old` (`new_username` in the new pool) is about to be added to a
    /// group: carries its e-mail MFA, once per run; true when the user is left to the token
    /// function and must be given no group.
    pub async fn before_adding(
        &mut self,
        old: &OldMember,
        new_username: &str,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<bool> {
        self.check(old, new_username, true, state).await
    }

    /// Decides about `old`'s e-mail MFA once per run (later calls answer from the first);
    /// `may_leave`: the user may be left to the token function. True when it is.
    async fn check(
        &mut self,
        old: &OldMember,
        new_username: &str,
        may_leave: bool,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<bool> {
        let key = key(b's', &old.sub);
        // The export lists everyone with e-mail MFA: nobody else is asked about, or remembered.
        if matches!(&self.old, Old::Exported(listed) if !listed.contains(&key)) {
            return Ok(false);
        }
        if let Some(left) = self.checked.get(&key) {
            return Ok(*left);
        }
        let verdict = self.verdict(old, new_username, may_leave, state).await?;
        let left = verdict == Verdict::Off(Reason::LeftToTokenFunction);
        self.checked.insert(key, left);
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
        Ok(left)
    }

    async fn verdict(
        &self,
        old: &OldMember,
        new_username: &str,
        may_leave: bool,
        state: &mut EmailMfaState,
    ) -> anyhow::Result<Verdict> {
        let old_user = match &self.old {
            Old::Live(pool) => {
                state.requests += 1;
                let Some(old_user) = read(pool, &old.username).await? else {
                    return Ok(Verdict::Nothing);
                };
                if old_user.sub() != old.sub || !old_user.mfa.email {
                    return Ok(Verdict::Nothing);
                }
                Some(old_user)
            }
            // Listed by the export (`check` asks about nobody else).
            Old::Exported(_) => None,
        };
        state.requests += 1;
        let Some(new_user) = read(&self.new, new_username).await? else {
            return Ok(Verdict::Nothing);
        };
        let legacy = new_user.attribute(self.legacy_id_attribute);
        if identify(legacy, &old.sub) != Identity::Proven || new_user.mfa.email {
            // Someone else now, or on already (the token function, or by hand).
            return Ok(Verdict::Nothing);
        }
        let held = as_held(&new_user, &old.sub);
        let proven = match &old_user {
            Some(old_user) => shared::email_proof::carried_verified(old_user, &held),
            // The export proved the old pool's verified address carried unchanged and verified.
            None => held.has_verified_email(),
        };
        if !proven {
            return Ok(Verdict::Off(Reason::EmailMfaUnproven));
        }
        if !self.new_pool_configured {
            return Ok(Verdict::Off(Reason::EmailMfaNotConfigured));
        }
        // AWS would refuse it until the reset; the token function turns it on at the first token
        // after the reset, for a user it finds without groups.
        if may_leave && self.token_function && new_user.status == SourceStatus::ResetRequired {
            return Ok(Verdict::Off(Reason::LeftToTokenFunction));
        }
        state.requests += 1;
        Ok(
            match email_mfa_carry::enable(self.new, &new_user.username).await? {
                Answer::On => Verdict::On,
                Answer::AfterReset => Verdict::Off(Reason::EmailMfaAfterReset),
                Answer::NotFound => Verdict::Nothing,
            },
        )
    }
}

/// `AdminGetUser` with its MFA settings; `None` when nobody answers to `username`.
async fn read(pool: &PoolRef<'_>, username: &str) -> anyhow::Result<Option<SourceUser>> {
    let user = admin_get_user(pool.client, pool.pacer, pool.pool_id, username).await?;
    Ok(user.map(|user| user_from_get(&user)))
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
        state.settle(waiting("c", Reason::LeftToTokenFunction));
        state.settle(waiting("d", Reason::LeftToTokenFunction));
        state.settle(waiting("d", Reason::EmailMfaAfterReset));
        assert_eq!(
            state.pending,
            [
                waiting("a", Reason::EmailMfaAfterReset),
                waiting("d", Reason::EmailMfaAfterReset)
            ]
        );
        assert_eq!(state.unproven, [waiting("b", Reason::EmailMfaUnproven)]);
        assert_eq!(
            state.left_to_token_function,
            [waiting("c", Reason::LeftToTokenFunction)]
        );
        let rows = state.report_rows();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].kind, ItemKind::EmailMfa);
        assert_eq!(rows[2].reason.code(), "email_mfa_unproven");
        assert!(
            rows[2].detail.contains("AdminSetUserMFAPreference"),
            "{rows:?}"
        );
        assert_eq!(rows[3].reason.code(), "left_to_token_function");
        assert!(
            rows[3].detail.contains("first token after the reset"),
            "{rows:?}"
        );
    }

    #[test]
    fn the_summary_says_how_many_are_pending_and_left_to_the_token_function() {
        assert_eq!(EmailMfaState::default().summary(true), None);
        let mut state = EmailMfaState {
            restored: 2,
            requests: 9,
            ..EmailMfaState::default()
        };
        state.settle(waiting("a", Reason::EmailMfaNotConfigured));
        state.settle(waiting("b", Reason::LeftToTokenFunction));
        let line = "e-mail MFA of users groups reached first: 2 turned on, 1 pending \
                    (retried at each run), 0 left off because the e-mail proves nothing \
                    (groups-report.csv), 1 left to the token function (RESET_REQUIRED: it writes \
                    their groups and turns e-mail MFA on at their first token after the reset); 9 \
                    requests for it so far";
        assert_eq!(state.summary(true).unwrap(), line);
        // Nobody waits for a reset: nobody signs in with a password alone meanwhile.
        assert_eq!(state.summary(false).unwrap(), line);
    }

    #[test]
    fn without_a_token_function_users_waiting_for_the_reset_are_said_to_have_a_password_alone() {
        let mut state = EmailMfaState {
            requests: 5,
            ..EmailMfaState::default()
        };
        state.settle(waiting("a", Reason::EmailMfaAfterReset));
        let summary = state.summary(false).unwrap();
        let warning = summary.lines().nth(1).unwrap();
        assert_eq!(
            warning,
            "warning: 1 of them wait for their reset, and the new pool has no PreTokenGeneration \
             trigger (token function): once reset, each signs in with a password alone until the \
             next groups --sync turns e-mail MFA on. Run groups --sync more often, or deploy the \
             token function (then groups --sync leaves such users to it, and it turns the factor \
             on at their first token after the reset)"
        );
        assert_eq!(state.summary(true).unwrap().lines().count(), 1);
    }

    #[test]
    fn the_token_function_is_wired_by_either_field_naming_a_function() {
        use aws_sdk_cognitoidentityprovider::types::{
            LambdaConfigType, PreTokenGenerationLambdaVersionType,
            PreTokenGenerationVersionConfigType,
        };
        let pool = |config: Option<LambdaConfigType>| {
            UserPoolType::builder().set_lambda_config(config).build()
        };
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:token";
        let versioned = PreTokenGenerationVersionConfigType::builder()
            .lambda_arn(arn)
            .lambda_version(PreTokenGenerationLambdaVersionType::V20)
            .build()
            .unwrap();
        let only_migration = LambdaConfigType::builder().user_migration(arn).build();
        assert!(!token_function_wired(&pool(None)));
        assert!(!token_function_wired(&pool(Some(only_migration))));
        assert!(!token_function_wired(&pool(Some(
            LambdaConfigType::builder().pre_token_generation("").build()
        ))));
        assert!(token_function_wired(&pool(Some(
            LambdaConfigType::builder()
                .pre_token_generation(arn)
                .build()
        ))));
        assert!(token_function_wired(&pool(Some(
            LambdaConfigType::builder()
                .pre_token_generation_config(versioned)
                .build()
        ))));
    }

    #[test]
    fn from_the_files_only_users_listed_with_e_mail_mfa_carried_verified_are_asked_about() {
        use crate::export::mfa::Reenrol;
        let dir = tempfile::tempdir().unwrap();
        let mut file = b"username,sub,reason\n".to_vec();
        for (name, reason) in [
            ("ada", Reenrol::EmailMfaAtImport.text()),
            ("bo", Reenrol::EmailMfaAfterReset.text()),
            ("cy", Reenrol::Passkey.text()),
            // An export of an earlier version: the reason's words, no code.
            (
                "di",
                "e-mail MFA: the e-mail is carried unchanged and verified, so".into(),
            ),
        ] {
            let sub = format!("s-{name}");
            file.extend(crate::report_csv::csv_record(&[name, &sub, &reason]));
        }
        std::fs::write(dir.path().join(crate::export_dir::MFA_REENROL), file).unwrap();
        let OldSide::Exported(listed) = OldSide::exported(dir.path()).unwrap() else {
            panic!("the export's list");
        };
        let expected: HashSet<u128> = ["s-ada", "s-di"].iter().map(|s| key(b's', s)).collect();
        assert_eq!(listed, expected);
        let none = tempfile::tempdir().unwrap();
        assert!(
            matches!(OldSide::exported(none.path()).unwrap(), OldSide::Exported(l) if l.is_empty())
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
