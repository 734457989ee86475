//! Each user's MFA, which `ListUsers` does not show: it returns only the legacy `MFAOptions`
//! ("no longer supported … provides information only about SMS MFA"), so a user who chose SMS
//! through SetUserMFAPreference, and every TOTP user, looks like a user without MFA.
//! `AdminGetUser` returns `UserMFASettingList`; it counts against the UserRead quota (120 requests
//! per second per account, shared with production traffic), paced on its own (`--mfa-rps`) so the
//! ListUsers budget is untouched.
//!
//! Default (`--mfa-lookup auto`): look each user up when the old pool's MFA is ON or OPTIONAL —
//! there users may have MFA the export would otherwise drop without a word — or when the old pool
//! lets users sign in without a password (`AllowedFirstAuthFactors` beyond `PASSWORD`), and never
//! otherwise (nobody has MFA or another factor). With `--mfa-lookup off` the export counts those
//! users as `mfa_unknown` in `summary.json` instead.
//!
//! The look-up itself ([`look_up`]: `AdminGetUserAuthFactors` where the old pool offers
//! passwordless sign-in, else `AdminGetUser`) is [`crate::auth_factors`], which `plan` uses too.

use std::path::Path;

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use serde::{Deserialize, Serialize};
use shared::SourceUser;
use shared::mapping::MigratedUser;

pub use crate::auth_factors::{LookedUp, Lookup, look_up};
use crate::export_dir::MFA_REENROL;

/// Why a user is in `mfa-reenrol.csv` (one row per user, its reasons joined by "; "). Each
/// reason the export writes starts with its short fixed code in brackets (`[email-mfa-at-import]
/// e-mail MFA: …`), which `import` and `status` match: the words after it may be reworded, the
/// code never changes. Rows written before the codes are still read by the words they began with
/// then ([`Reenrol::has`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reenrol {
    /// TOTP: its secret cannot be exported.
    Totp,
    /// A passkey: AWS keeps its public key where no administrator can read or write it (the
    /// credential list needs the user's own token), so the user registers it again.
    Passkey,
    /// E-mail MFA of a user whose e-mail the old pool verified and the mapping carries unchanged
    /// ([`shared::email_proof`]): `import` tries to turn it on right after the import job.
    EmailMfaAtImport,
    /// E-mail MFA of a user whose e-mail proves nothing yet (not verified in the old pool, or
    /// rewritten by the mapping): only the reset code proves the address.
    EmailMfaAfterReset,
}

impl Reenrol {
    /// The short fixed code the reason starts with, in brackets.
    pub fn code(self) -> &'static str {
        match self {
            Reenrol::Totp => "totp",
            Reenrol::Passkey => "passkey",
            Reenrol::EmailMfaAtImport => "email-mfa-at-import",
            Reenrol::EmailMfaAfterReset => "email-mfa-after-reset",
        }
    }

    /// The reason as the export writes it: `[code] words`.
    pub fn text(self) -> String {
        format!("[{}] {}", self.code(), self.words())
    }

    fn words(self) -> &'static str {
        match self {
            Reenrol::Totp => {
                "TOTP (authenticator app) MFA: its secret cannot be exported; the user sets up the authenticator again in the new pool"
            }
            Reenrol::Passkey => {
                "passkey (WebAuthn): no administrator can read or carry it; the user registers a passkey again in the new pool"
            }
            Reenrol::EmailMfaAtImport => {
                "e-mail MFA: the e-mail is carried unchanged and verified, so import turns e-mail MFA on right after the import job where the new pool has it configured and accepts it (AWS lists PasswordResetRequiredException for a user whose password must be reset, as every imported user's must: then the token function turns it on at the user's first sign-in after the reset, and groups (from the export's files, or --sync) leaves such a user to it where it is wired, with no group until then; where groups gave the user groups first (no token function wired) the token function skips the user, and the next groups --sync (for a user it reached) or each rerun of import --resume turns it on for those who have reset since; the import report says which)"
            }
            Reenrol::EmailMfaAfterReset => {
                "e-mail MFA: the e-mail was not verified in the old pool or the mapping changes it, so nothing turns e-mail MFA on before the user proves the address with the reset code; the token function turns it on at the user's first sign-in after the reset when that sign-in is the first the function handles for the user, the new pool holds the e-mail verified and has e-mail MFA configured; where groups gave the user groups first (from the export's files, or groups --sync, which lists the user in groups-report.csv as email_mfa_unproven) the token function skips the user and no tool turns it on: once you have checked the address is the user's, turn it on: AdminSetUserMFAPreference EmailMfaSettings"
            }
        }
    }

    /// The words every wording of this reason began with before the codes (all of them, since
    /// the first export that wrote it).
    fn legacy_start(self) -> &'static str {
        match self {
            Reenrol::Totp => "TOTP (authenticator app) MFA: its secret cannot be exported",
            Reenrol::Passkey => "passkey (WebAuthn): no administrator can read or carry it",
            Reenrol::EmailMfaAtImport => "e-mail MFA: the e-mail is carried unchanged and verified",
            Reenrol::EmailMfaAfterReset => {
                "e-mail MFA: the e-mail was not verified in the old pool"
            }
        }
    }
}

/// Why `user` (exported as `mapped`) must set up a factor again in the new pool, or `None`.
pub fn reenrol_reasons(user: &SourceUser, mapped: Option<&MigratedUser>) -> Option<String> {
    let email_proven = mapped.is_some_and(|m| shared::email_proof::carried_verified(user, m));
    let reasons: Vec<String> = [
        (user.mfa.software_token, Reenrol::Totp),
        (user.factors.is_some_and(|f| f.web_authn), Reenrol::Passkey),
        (user.mfa.email && email_proven, Reenrol::EmailMfaAtImport),
        (user.mfa.email && !email_proven, Reenrol::EmailMfaAfterReset),
    ]
    .into_iter()
    .filter(|(applies, _)| *applies)
    .map(|(_, reason)| reason.text())
    .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// One row of `mfa-reenrol.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReenrolRow {
    /// The old user name.
    pub username: String,
    /// The old `sub`.
    pub sub: String,
    /// Its reasons, joined by "; ".
    pub reasons: String,
}

impl ReenrolRow {
    /// True when `reason` is among the row's: by its code, or in a row written before the codes,
    /// by the words it began with then.
    pub fn has(&self, reason: Reenrol) -> bool {
        self.reasons.contains(&format!("[{}]", reason.code()))
            || self.reasons.contains(reason.legacy_start())
    }
}

/// The rows of `dir`'s `mfa-reenrol.csv` (none when the file does not exist), cells as written
/// (a cell `csv_record` neutralised keeps its leading `'`).
pub fn reenrol_rows(dir: &Path) -> anyhow::Result<Vec<ReenrolRow>> {
    let path = dir.join(MFA_REENROL);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| {
            format!(
                "{} is not the file cognito-migrate export wrote: export again",
                path.display()
            )
        })?;
        let cell = |i: usize| record.get(i).unwrap_or_default().to_string();
        rows.push(ReenrolRow {
            username: cell(0),
            sub: cell(1),
            reasons: cell(2),
        });
    }
    Ok(rows)
}

/// Whether to read each user's MFA with `AdminGetUser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum MfaLookup {
    /// When the old pool's MFA is ON or OPTIONAL.
    Auto,
    /// Always.
    On,
    /// Never: users whose MFA ListUsers cannot show are counted as `mfa_unknown`.
    Off,
}

/// What the export knows about users' MFA in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaVisibility {
    /// The old pool has MFA OFF: nobody has any.
    NoneInOldPool,
    /// Each user is looked up.
    LookedUp,
    /// The old pool has MFA but users are not looked up: only legacy SMS options are seen.
    Hidden,
}

impl MfaLookup {
    /// What this choice means for an old pool with MFA configuration `old`, which lets users
    /// sign in without a password when `passwordless`.
    pub fn visibility(self, old: Option<&UserPoolMfaType>, passwordless: bool) -> MfaVisibility {
        let old_has_mfa = old.is_some_and(|m| m != &UserPoolMfaType::Off);
        let something_to_see = old_has_mfa || (passwordless && self == MfaLookup::Auto);
        match (self, something_to_see) {
            (MfaLookup::On, _) | (MfaLookup::Auto, true) => MfaVisibility::LookedUp,
            (_, false) => MfaVisibility::NoneInOldPool,
            (MfaLookup::Off, true) => MfaVisibility::Hidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    #[test]
    fn e_mail_mfa_is_for_import_only_where_the_address_is_carried_verified() {
        let mut user = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        user.mfa.email = true;
        let mapping = shared::mapping::Mapping::default();
        let mapped = mapping.apply(&user).unwrap();
        assert_eq!(
            reenrol_reasons(&user, Some(&mapped)),
            Some(Reenrol::EmailMfaAtImport.text())
        );
        let mut rewritten = mapped.clone();
        rewritten
            .attributes
            .insert("email".into(), "ada@elsewhere.example".into());
        assert_eq!(
            reenrol_reasons(&user, Some(&rewritten)),
            Some(Reenrol::EmailMfaAfterReset.text())
        );
        user.mfa.software_token = true;
        let both = reenrol_reasons(&user, None).unwrap();
        assert!(
            both.starts_with("[totp] TOTP (authenticator app) MFA:"),
            "{both}"
        );
        assert!(
            both.contains("; [email-mfa-after-reset] e-mail MFA:"),
            "{both}"
        );
        let dir = tempfile::tempdir().unwrap();
        let mut file = b"username,sub,reason\n".to_vec();
        file.extend(crate::report_csv::csv_record(&["ada", "s-ada", &both]));
        std::fs::write(dir.path().join(MFA_REENROL), file).unwrap();
        let rows = reenrol_rows(dir.path()).unwrap();
        assert_eq!(rows.len(), 1);
        assert!(rows[0].has(Reenrol::Totp) && rows[0].has(Reenrol::EmailMfaAfterReset));
        assert!(!rows[0].has(Reenrol::EmailMfaAtImport) && !rows[0].has(Reenrol::Passkey));
    }

    #[test]
    fn a_reason_is_known_by_its_code_whatever_its_words() {
        let row = |reasons: &str| ReenrolRow {
            username: "ada".into(),
            sub: "s-ada".into(),
            reasons: reasons.into(),
        };
        let reworded = row("[email-mfa-at-import] e-mail MFA: reworded entirely one day");
        assert!(reworded.has(Reenrol::EmailMfaAtImport));
        assert!(!reworded.has(Reenrol::EmailMfaAfterReset));
        // Every wording earlier exports wrote, before the codes, is still read.
        for (words, reason) in [
            (
                "e-mail MFA: the e-mail is carried unchanged and verified, so import turns e-mail MFA on right after the import job where the new pool has it configured and accepts it (AWS lists PasswordResetRequiredException for a user whose password must be reset, as every imported user's must: then the token function turns it on at the user's first sign-in after the reset; the import report says which)",
                Reenrol::EmailMfaAtImport,
            ),
            (
                "e-mail MFA: the e-mail is carried unchanged and verified, so import turns e-mail MFA on right after the import job where the new pool has it configured and accepts it (AWS lists PasswordResetRequiredException for a user whose password must be reset, as every imported user's must: then the token function turns it on at the user's first sign-in after the reset unless groups reached the user first, and each rerun of import --resume turns it on for those who have reset since; the import report says which)",
                Reenrol::EmailMfaAtImport,
            ),
            (
                "e-mail MFA: the e-mail is carried unchanged and verified, so import turns e-mail MFA on right after the import job where the new pool has it configured and accepts it (AWS lists PasswordResetRequiredException for a user whose password must be reset, as every imported user's must: then the token function turns it on at the user's first sign-in after the reset, and groups --sync leaves such a user to it where it is wired; where groups gave the user groups first (from the export's files, or groups --sync with no token function wired) the token function skips the user, and the next groups --sync (for a user it reached) or each rerun of import --resume turns it on for those who have reset since; the import report says which)",
                Reenrol::EmailMfaAtImport,
            ),
            (
                "e-mail MFA: the e-mail was not verified in the old pool or the mapping changes it, so nothing turns e-mail MFA on before the user proves the address with the reset code; the token function turns it on at the user's first sign-in after the reset when that sign-in is the first the function handles for the user (not when groups reached the user first), the new pool holds the e-mail verified and has e-mail MFA configured; otherwise turn it on: AdminSetUserMFAPreference EmailMfaSettings",
                Reenrol::EmailMfaAfterReset,
            ),
            (
                "TOTP (authenticator app) MFA: its secret cannot be exported; the user sets up the authenticator again in the new pool",
                Reenrol::Totp,
            ),
            (
                "passkey (WebAuthn): no administrator can read or carry it; the user registers a passkey again in the new pool",
                Reenrol::Passkey,
            ),
        ] {
            let old = row(words);
            for other in [
                Reenrol::Totp,
                Reenrol::Passkey,
                Reenrol::EmailMfaAtImport,
                Reenrol::EmailMfaAfterReset,
            ] {
                assert_eq!(old.has(other), other == reason, "{other:?} in {words}");
            }
        }
    }

    #[test]
    fn auto_looks_up_only_when_the_old_pool_has_mfa() {
        let on = UserPoolMfaType::On;
        let optional = UserPoolMfaType::Optional;
        let off = UserPoolMfaType::Off;
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&optional), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&on), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&off), false),
            MfaVisibility::NoneInOldPool
        );
        assert_eq!(
            MfaLookup::Auto.visibility(None, false),
            MfaVisibility::NoneInOldPool
        );
        assert_eq!(
            MfaLookup::Off.visibility(Some(&on), false),
            MfaVisibility::Hidden
        );
        assert_eq!(
            MfaLookup::On.visibility(Some(&off), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&off), true),
            MfaVisibility::LookedUp,
            "a pool with passwordless sign-in: factors to read"
        );
        assert_eq!(
            MfaLookup::Off.visibility(Some(&off), true),
            MfaVisibility::NoneInOldPool
        );
    }
}
