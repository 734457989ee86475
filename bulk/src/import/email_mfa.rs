//! E-mail MFA turned on again right after the import jobs, so nobody ends the migration with
//! fewer factors than before, and never with more trust than the proof given.
//!
//! Who: the users the export listed in `mfa-reenrol.csv` as [`Reenrol::EmailMfaAtImport`]
//! (known by its code, whatever the words): e-mail MFA in the old pool, the e-mail verified there
//! and carried unchanged and verified ([`shared::email_proof`]). A user whose address proves
//! nothing yet ([`Reenrol::EmailMfaAfterReset`]) is never touched here: the reset code proves it,
//! and the token function turns the factor on at the first sign-in after the reset.
//!
//! How: the request and the sorting of its answers are [`crate::email_mfa_carry`], which
//! `groups --sync` uses too. Every user an import job creates is `RESET_REQUIRED`, and AWS lists
//! `PasswordResetRequiredException` for the request: right after the jobs, on the first such
//! answer the rest are not asked (AWS's answer for one imported user is its answer for all then)
//! and all are left for later. The token function turns the factor on at a user's first sign-in
//! after the reset, but not for a user `groups` gave groups first (it handles a user once: where
//! the token function is wired, `groups` leaves these users to it instead, [`crate::groups`]);
//! so each rerun of `import --resume` asks again for every user still left, and turns it on for
//! those who have reset their password since (the reset code proved the address). The counts say
//! which.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::inputs::{import_files, users_of};
use crate::email_mfa_carry::{self, Answer};
use crate::export::mfa::{Reenrol, reenrol_rows};
use crate::proven_user::NewPoolUsers;

/// What became of the e-mail MFA of the users listed for it at import.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailMfaCounts {
    /// Users listed with e-mail MFA to turn on at import.
    pub listed: u64,
    /// Turned on.
    pub restored: u64,
    /// Refused until the user resets the password (`PasswordResetRequiredException`), or not
    /// asked after that answer: the token function turns it on after the reset.
    pub after_reset: u64,
    /// The new pool has no e-mail MFA configured: left off.
    pub not_configured: u64,
    /// Not in the new pool (its line was not imported): left off.
    pub not_found: u64,
}

impl std::ops::AddAssign for EmailMfaCounts {
    /// Sums another folder's counts into these (`status` over several export folders).
    fn add_assign(&mut self, other: EmailMfaCounts) {
        self.listed += other.listed;
        self.restored += other.restored;
        self.after_reset += other.after_reset;
        self.not_configured += other.not_configured;
        self.not_found += other.not_found;
    }
}

/// Turns e-mail MFA on for the users of export folder `dir` listed for it. `first` right after the
/// import jobs (the first refusal stands for every user); else each user is asked.
pub async fn restore(
    pool: &NewPoolUsers<'_>,
    dir: &Path,
    first: bool,
) -> anyhow::Result<EmailMfaCounts> {
    let listed: Vec<_> = reenrol_rows(dir)?
        .into_iter()
        .filter(|row| row.has(Reenrol::EmailMfaAtImport))
        .collect();
    let mut counts = EmailMfaCounts {
        listed: listed.len() as u64,
        ..EmailMfaCounts::default()
    };
    if listed.is_empty() {
        return Ok(counts);
    }
    if !email_mfa_carry::configured(pool.pool).await? {
        counts.not_configured = counts.listed;
        return Ok(counts);
    }
    let names = new_usernames(dir, pool.legacy_id_attribute)?;
    for row in &listed {
        if first && counts.after_reset > 0 {
            counts.after_reset += 1;
            continue;
        }
        let name = names
            .get(&row.sub)
            .map(String::as_str)
            .unwrap_or(&row.username);
        match email_mfa_carry::enable(pool.pool, name).await? {
            Answer::On => counts.restored += 1,
            Answer::AfterReset => counts.after_reset += 1,
            Answer::NotFound => counts.not_found += 1,
        }
    }
    Ok(counts)
}

/// Old `sub` → `cognito:username` of every row of the users files that carries the legacy id.
fn new_usernames(
    dir: &Path,
    legacy_id_attribute: Option<&str>,
) -> anyhow::Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    let Some(attribute) = legacy_id_attribute else {
        return Ok(names);
    };
    for (file, _) in import_files(dir)? {
        for row in users_of(&dir.join(file))? {
            let row = row?;
            if let Some(sub) = row.attributes.get(attribute).filter(|s| !s.is_empty()) {
                names.insert(sub.clone(), row.username.clone());
            }
        }
    }
    Ok(names)
}

/// The report's lines about e-mail MFA.
pub fn text(counts: &EmailMfaCounts) -> String {
    if counts.listed == 0 {
        return String::new();
    }
    let mut text = format!(
        "e-mail MFA of {} users whose e-mail was carried verified: {} turned on",
        counts.listed, counts.restored
    );
    for (n, what) in [
        (
            counts.after_reset,
            "refused until the reset (PasswordResetRequiredException): the token function turns it on at their first sign-in after the reset unless groups gave them groups first (where the token function is wired, groups leaves them to it); rerun import --resume (e.g. daily) to turn it on for those who have reset since",
        ),
        (
            counts.not_configured,
            "left off: the new pool has no e-mail MFA configured (SetUserPoolMfaConfig EmailMfaConfiguration, then rerun with --resume)",
        ),
        (
            counts.not_found,
            "not in the new pool (their lines were not imported)",
        ),
    ] {
        if n > 0 {
            text.push_str(&format!(", {n} {what}"));
        }
    }
    text.push_str("; mfa-reenrol.csv lists them\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_line_names_each_count_that_is_not_zero() {
        assert_eq!(text(&EmailMfaCounts::default()), "");
        let counts = EmailMfaCounts {
            listed: 4,
            restored: 1,
            after_reset: 0,
            not_configured: 2,
            not_found: 1,
        };
        assert_eq!(
            text(&counts),
            "e-mail MFA of 4 users whose e-mail was carried verified: 1 turned on, 2 left off: the \
             new pool has no e-mail MFA configured (SetUserPoolMfaConfig EmailMfaConfiguration, \
             then rerun with --resume), 1 not in the new pool (their lines were not imported); \
             mfa-reenrol.csv lists them\n"
        );
    }

    #[test]
    fn counts_of_two_folders_add_field_by_field() {
        let mut sum = EmailMfaCounts {
            listed: 1,
            restored: 1,
            ..EmailMfaCounts::default()
        };
        sum += EmailMfaCounts {
            listed: 5,
            restored: 1,
            after_reset: 2,
            not_configured: 1,
            not_found: 1,
        };
        assert_eq!(
            sum,
            EmailMfaCounts {
                listed: 6,
                restored: 2,
                after_reset: 2,
                not_configured: 1,
                not_found: 1,
            }
        );
    }
}
