//! What the plan counts, one user at a time.
//!
//! Every line is a set of users one can name. The old users split as `status` splits them, by
//! the same rules: `already_in_target` (status: migrated), `remaining` (the trigger carries them
//! at their next sign-in) and `stranded` (it never will, per reason: [`shared::trigger_reach`],
//! the rule the trigger itself decides by, or their name held by another user). Across them, what an import would do:
//! `need_trigger` (remaining, CONFIRMED: their password moves at sign-in, so importing them
//! first would cost it), `disabled_import_only` (disabled, CONFIRMED, accepted by an export: the
//! trigger refuses disabled users, so only the sweep brings them, created disabled),
//! `importable_now_without_losing_a_password` (any other status, accepted by an export), and the
//! users an export rejects or that are federated.

use std::collections::BTreeMap;

use serde::Serialize;
use shared::{SourceStatus, SourceUser};

use super::conflicts::SignInConflicts;
use super::factors::{CodeSignIn, FactorCounts};
use crate::classify::{Classifier, Outcome};
use crate::target_index::{NAME_HELD_BY_ANOTHER_USER, Presence, TargetIndex};

/// The plan's numbers.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct PlanCounts {
    /// Users in the old pool.
    pub total: u64,
    /// Users per old-pool status.
    pub by_status: BTreeMap<String, u64>,
    /// Enabled users.
    pub enabled: u64,
    /// Disabled users.
    pub disabled: u64,
    /// Users created by federated sign-in (never imported: `cognito-migrate links` gives each a
    /// profile linked to its provider identity).
    pub federated: u64,
    /// Native users linked to at least one identity provider (`links` links them again once
    /// they are in the new pool).
    pub native_with_links: u64,
    /// Identities linked to old users, federated users' own included: the links `links` makes.
    pub identities: u64,
    /// Users with SMS MFA as far as it is read: `ListUsers`' legacy MFA options, or each user's
    /// look-up where [`PlanCounts::factors`] are read.
    pub sms_mfa: u64,
    /// Users with a verified email or phone after mapping.
    pub with_verified_contact: u64,
    /// Users without one.
    pub without_verified_contact: u64,
    /// Users the new pool already has.
    pub already_in_target: u64,
    /// Users not in the new pool whose sign-in value a new-pool user without their legacy id
    /// (someone else) holds: neither migrated nor importable until the name is freed.
    pub name_held_by_another_user: u64,
    /// Users whose password cannot survive anyway and who pass every import rule:
    /// `export --select passwordless` moves them now at no cost.
    pub importable_now_without_losing_a_password: u64,
    /// Users not in the new pool whom the trigger carries at their next sign-in (`status`:
    /// remaining).
    pub remaining: u64,
    /// Users not in the new pool whom the trigger never carries (`status`: stranded).
    pub stranded: u64,
    /// `stranded` per reason code, as `status` gives them.
    pub stranded_by_reason: BTreeMap<String, u64>,
    /// Of `remaining`, the CONFIRMED users: the trigger carries their password at sign-in, which
    /// a bulk import before then would cost.
    pub need_trigger: u64,
    /// Disabled CONFIRMED users not yet in the new pool whom an export accepts. The trigger
    /// refuses disabled users, so they arrive only by `export --select not-in-target` (or `all`)
    /// and `import`, which creates them disabled.
    pub disabled_import_only: u64,
    /// Of `need_trigger`, the users with no verified email or phone after mapping: after a bulk
    /// import they could never reset their password, so only the trigger can move them.
    pub need_trigger_without_verified_contact: u64,
    /// Users an export (`--select all`) would reject, per reason code. Sign-in collisions
    /// (`sign-in-collision`) are counted in `sign_in_conflicts` instead.
    pub would_be_rejected: BTreeMap<String, u64>,
    /// Importable users who would sign in to the new pool with the same value (user name, e-mail,
    /// phone or alias, as the new pool compares it) as another: an export rejects all of them.
    pub sign_in_conflicts: u64,
    /// Old-pool attributes (after the mapping) the new pool has no attribute for: an export stops
    /// before reading any user until the mapping or the new pool is fixed.
    pub attributes_without_home: Vec<String>,
    /// Users whose MFA `ListUsers` cannot show (the old pool has MFA, and only legacy SMS options
    /// are listed): the export reads each with AdminGetUser unless `--mfa-lookup off`.
    pub mfa_not_visible: u64,
    /// Users not in the new pool whom an import carries (now, or the sweep after the window)
    /// and who can then sign in with a one-time code to their verified e-mail or phone, which
    /// the new pool offers as a first factor — no password reset. AWS (import guide): "users can
    /// sign in with email or SMS one-time passwords immediately after your import job
    /// completes". Users with MFA are not among them (AWS offers them no passwordless sign-in),
    /// nor users whose MFA `ListUsers` cannot show.
    pub back_by_code_without_reset: u64,
    /// How users sign in and their MFA, where the old pool offers a passwordless first factor
    /// (each user's `AdminGetUserAuthFactors`); `null` where it offers none: every user has a
    /// password and no look-up is made.
    pub factors: Option<FactorCounts>,
    /// The old pool has MFA ON or OPTIONAL.
    #[serde(skip)]
    pub old_pool_has_mfa: bool,
    /// The new pool's one-time-code first factors.
    #[serde(skip)]
    pub code_sign_in: CodeSignIn,
}

impl PlanCounts {
    /// Empty counts for a new pool, knowing whether the old pool has MFA, which attributes
    /// have no home in the new pool, and whether users' factors are read (the old pool offers a
    /// passwordless first factor).
    pub fn new(
        old_pool_has_mfa: bool,
        attributes_without_home: Vec<String>,
        code_sign_in: CodeSignIn,
        factors_read: bool,
    ) -> PlanCounts {
        PlanCounts {
            old_pool_has_mfa,
            attributes_without_home,
            code_sign_in,
            factors: factors_read.then(FactorCounts::default),
            ..PlanCounts::default()
        }
    }

    /// Counts one old-pool user; an importable one's sign-in keys go to `conflicts` (counted by
    /// [`PlanCounts::count_conflicts`] once every user is added).
    pub fn add(
        &mut self,
        user: &SourceUser,
        classifier: &Classifier<'_>,
        index: &TargetIndex,
        conflicts: &mut SignInConflicts,
    ) -> anyhow::Result<()> {
        self.total += 1;
        *self.by_status.entry(user.status.to_string()).or_default() += 1;
        if user.enabled {
            self.enabled += 1;
        } else {
            self.disabled += 1;
        }
        let linked =
            shared::linked_identities::parse(user.attribute(shared::linked_identities::IDENTITIES))
                .map_or(0, |identities| identities.len() as u64);
        self.identities += linked;
        if user.status == SourceStatus::ExternalProvider {
            self.federated += 1;
        } else if linked > 0 {
            self.native_with_links += 1;
        }
        if user.mfa.sms {
            self.sms_mfa += 1;
        } else if self.old_pool_has_mfa
            && user.factors.is_none()
            && user.status != SourceStatus::ExternalProvider
        {
            self.mfa_not_visible += 1;
        }
        let mapped = classifier.mapping.apply(user).ok();
        let verified = mapped
            .as_ref()
            .is_some_and(shared::trigger_reach::reset_code_reaches);
        if verified {
            self.with_verified_contact += 1;
        } else {
            self.without_verified_contact += 1;
        }
        let by_code = self
            .code_sign_in
            .lets_in(user, mapped.as_ref(), self.old_pool_has_mfa);
        if let Some(factors) = &mut self.factors {
            factors.add(user, by_code);
        }
        let presence = index.presence(user)?;
        if presence == Presence::NameHeldByAnotherUser {
            self.name_held_by_another_user += 1;
        }
        let in_target = presence == Presence::Migrated;
        if in_target {
            self.already_in_target += 1;
        }
        let outcome = classifier.classify(user)?;
        match &outcome {
            Outcome::Reject(reason) => {
                *self
                    .would_be_rejected
                    .entry(reason.code().to_string())
                    .or_default() += 1;
            }
            Outcome::Export { keys, .. } => conflicts.add(keys)?,
            Outcome::Skip(_) => {}
        }
        let exportable = matches!(outcome, Outcome::Export { .. });
        if in_target {
            return Ok(());
        }
        if exportable && user.enabled && by_code {
            self.back_by_code_without_reset += 1;
        }
        let stranded_by = if presence == Presence::NameHeldByAnotherUser {
            Some(NAME_HELD_BY_ANOTHER_USER)
        } else {
            shared::trigger_reach::refusal(user, classifier.mapping, &classifier.rules.shape)
        };
        match stranded_by {
            Some(code) => {
                self.stranded += 1;
                *self.stranded_by_reason.entry(code.to_string()).or_default() += 1;
            }
            None => self.remaining += 1,
        }
        if user.password_survives_sign_in() {
            if !user.enabled {
                if exportable {
                    self.disabled_import_only += 1;
                }
            } else if stranded_by.is_none() {
                self.need_trigger += 1;
                if !verified {
                    self.need_trigger_without_verified_contact += 1;
                }
            }
        } else if exportable {
            self.importable_now_without_losing_a_password += 1;
        }
        Ok(())
    }

    /// Sets `sign_in_conflicts` from the keys every importable user had.
    pub fn count_conflicts(&mut self, conflicts: SignInConflicts) -> anyhow::Result<()> {
        self.sign_in_conflicts = conflicts.count()?;
        Ok(())
    }

    /// The plan as text.
    pub fn text(&self, source: &str, target: &str) -> String {
        let mut text = format!("migration plan {source} -> {target}\n");
        let mut line = |label: &str, n: u64| text.push_str(&format!("  {label:<58} {n:>9}\n"));
        line("users in the old pool", self.total);
        for (status, n) in &self.by_status {
            line(&format!("  status {status}"), *n);
        }
        line("enabled", self.enabled);
        line("disabled", self.disabled);
        line(
            "federated (never imported; carried by links)",
            self.federated,
        );
        line(
            "native, linked to identity providers",
            self.native_with_links,
        );
        line("identities to link (links)", self.identities);
        line("SMS MFA (as far as read)", self.sms_mfa);
        line("with a verified email or phone", self.with_verified_contact);
        line("without one", self.without_verified_contact);
        line(
            "already in the new pool (status: migrated)",
            self.already_in_target,
        );
        line(
            "remaining: the trigger moves them at sign-in",
            self.remaining,
        );
        line("stranded: the trigger never moves them", self.stranded);
        for (reason, n) in &self.stranded_by_reason {
            line(&format!("  stranded: {reason}"), *n);
        }
        line(
            "name held in the new pool by another user",
            self.name_held_by_another_user,
        );
        line(
            "bulk-importable now without losing a password",
            self.importable_now_without_losing_a_password,
        );
        line(
            "need the trigger (remaining, password kept at sign-in)",
            self.need_trigger,
        );
        line(
            "  of which no verified email or phone (import strands)",
            self.need_trigger_without_verified_contact,
        );
        line(
            "disabled: only an export brings them (created disabled)",
            self.disabled_import_only,
        );
        for (code, n) in &self.would_be_rejected {
            line(&format!("an export would reject: {code}"), *n);
        }
        line(
            "sign-in conflicts (same value as another user; all rejected)",
            self.sign_in_conflicts,
        );
        line(
            "MFA not visible to ListUsers (export reads it per user)",
            self.mfa_not_visible,
        );
        if self.code_sign_in.email || self.code_sign_in.sms {
            line(
                "back by a one-time code after an import, no reset",
                self.back_by_code_without_reset,
            );
        }
        match &self.factors {
            Some(factors) => factors.lines(&mut line),
            None => text.push_str(
                "  sign-in factors: the old pool offers no passwordless first factor, so every user signs in with a password (no AdminGetUserAuthFactors look-ups made)\n",
            ),
        }
        if !self.attributes_without_home.is_empty() {
            text.push_str(&format!(
                "  attributes without a home in the new pool (export stops until fixed): {}\n",
                self.attributes_without_home.join(" ")
            ));
        }
        text
    }
}
