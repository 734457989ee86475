//! What the plan counts, one user at a time.

use std::collections::BTreeMap;

use serde::Serialize;
use shared::{SourceStatus, SourceUser};

use crate::export::{Classifier, Outcome, TargetIndex};

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
    /// Users created by federated sign-in (never imported; re-created at federated sign-in).
    pub federated: u64,
    /// Users with SMS MFA as far as `ListUsers` shows it (legacy MFA options).
    pub sms_mfa: u64,
    /// Users with a verified email or phone after mapping.
    pub with_verified_contact: u64,
    /// Users without one.
    pub without_verified_contact: u64,
    /// Users the new pool already has.
    pub already_in_target: u64,
    /// Users whose password cannot survive anyway and who pass every import rule:
    /// `export --select passwordless` moves them now at no cost.
    pub importable_now_without_losing_a_password: u64,
    /// Confirmed users not yet in the new pool: the trigger carries their password at sign-in.
    pub need_trigger: u64,
    /// Users with no verified email or phone: after a bulk import they could never reset their
    /// password, so they can only move through the trigger.
    pub stranded: u64,
    /// Users an export (`--select all`) would reject, per reason code.
    pub would_be_rejected: BTreeMap<String, u64>,
}

impl PlanCounts {
    /// Counts one old-pool user.
    pub fn add(&mut self, user: &SourceUser, classifier: &Classifier<'_>, index: &TargetIndex) {
        self.total += 1;
        *self.by_status.entry(user.status.to_string()).or_default() += 1;
        if user.enabled {
            self.enabled += 1;
        } else {
            self.disabled += 1;
        }
        if user.status == SourceStatus::ExternalProvider {
            self.federated += 1;
        }
        if user.mfa.sms {
            self.sms_mfa += 1;
        }
        let verified = classifier
            .mapping
            .apply(user)
            .is_ok_and(|m| m.has_verified_email() || m.has_verified_phone());
        if verified {
            self.with_verified_contact += 1;
        } else {
            self.without_verified_contact += 1;
            if user.status != SourceStatus::ExternalProvider {
                self.stranded += 1;
            }
        }
        let in_target = index.contains(user);
        if in_target {
            self.already_in_target += 1;
        }
        let outcome = classifier.classify(user);
        if let Outcome::Reject(reason) = &outcome {
            *self
                .would_be_rejected
                .entry(reason.code().to_string())
                .or_default() += 1;
        }
        let exportable = matches!(outcome, Outcome::Export { .. });
        if in_target {
            return;
        }
        if user.status.password_survives_sign_in() {
            self.need_trigger += 1;
        } else if exportable {
            self.importable_now_without_losing_a_password += 1;
        }
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
        line("federated (never imported)", self.federated);
        line(
            "SMS MFA (legacy options visible to ListUsers)",
            self.sms_mfa,
        );
        line("with a verified email or phone", self.with_verified_contact);
        line("without one", self.without_verified_contact);
        line("already in the new pool", self.already_in_target);
        line(
            "bulk-importable now without losing a password",
            self.importable_now_without_losing_a_password,
        );
        line(
            "need the trigger (password kept at sign-in)",
            self.need_trigger,
        );
        line(
            "stranded: could never reset a password after a bulk import",
            self.stranded,
        );
        for (code, n) in &self.would_be_rejected {
            line(&format!("an export would reject: {code}"), *n);
        }
        text
    }
}
