//! The factors part of `status`: each group of issue 25's inventory as the window stands.
//!
//! - The old pool's users by how they sign in, where it offers a passwordless first factor (the
//!   same look-up and the same groups as `plan`: [`crate::auth_factors`], [`FactorCounts`]).
//! - From the export folders (`--dir`): the users `mfa-reenrol.csv` lists, per reason (passkey,
//!   TOTP, e-mail MFA for import or after the reset), from their `import-state.json` what
//!   became of the e-mail MFA import tried to turn on, and from a `groups-state.json` kept there
//!   (of `groups --sync`, or of `groups` over the folder's files) what became of the e-mail MFA
//!   of the users `groups` reached first.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::export::mfa::{Reenrol, reenrol_rows};
use crate::groups::email_mfa::EmailMfaState;
use crate::groups::state::STATE_FILE as GROUPS_STATE_FILE;
use crate::import::email_mfa::EmailMfaCounts;
use crate::import::state::STATE_FILE;
use crate::plan::factors::FactorCounts;

/// The users the export folders list in `mfa-reenrol.csv`, per reason (a user may have several).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReenrolCounts {
    /// Rows.
    pub listed: u64,
    /// With a passkey to register again.
    pub passkey: u64,
    /// With TOTP to set up again.
    pub totp: u64,
    /// With e-mail MFA whose e-mail was carried verified (import tries to turn it on).
    pub email_mfa_at_import: u64,
    /// With e-mail MFA whose e-mail proves nothing yet (the token function, after the reset).
    pub email_mfa_after_reset: u64,
}

/// The factors part of the status report.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FactorStatus {
    /// The old pool's users by how they sign in; `null` where the old pool offers no
    /// passwordless first factor (no look-ups made: every user has a password).
    pub old_pool: Option<FactorCounts>,
    /// The export folders' re-enrol lists.
    pub reenrol: ReenrolCounts,
    /// The e-mail MFA import tried to turn on, summed over the folders that were imported.
    pub email_mfa_at_import: EmailMfaCounts,
    /// The e-mail MFA `groups` (`--sync`, or over the export's files) carried for the users it
    /// reached first, summed over the folders that hold its state. The name is the JSON
    /// contract's, from when only `--sync` carried it.
    pub email_mfa_by_groups_sync: SyncedEmailMfa,
}

/// What `groups` did about e-mail MFA (`groups-state.json`'s `email_mfa`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SyncedEmailMfa {
    /// Turned on.
    pub restored: u64,
    /// Not on yet (refused until the reset, or the new pool has no e-mail MFA configured): the
    /// next `groups` run asks again.
    pub pending: u64,
    /// Left off: the e-mail proves nothing (listed in `groups-report.csv`).
    pub unproven: u64,
    /// Still `RESET_REQUIRED`, given no groups: the token function writes them and turns e-mail
    /// MFA on at the first token after the reset.
    pub left_to_token_function: u64,
}

impl FactorStatus {
    /// Reads the re-enrol lists and import states of `dirs`.
    pub fn read_folders(&mut self, dirs: &[PathBuf]) -> anyhow::Result<()> {
        for dir in dirs {
            for row in reenrol_rows(dir)? {
                let r = &mut self.reenrol;
                r.listed += 1;
                r.passkey += u64::from(row.has(Reenrol::Passkey));
                r.totp += u64::from(row.has(Reenrol::Totp));
                r.email_mfa_at_import += u64::from(row.has(Reenrol::EmailMfaAtImport));
                r.email_mfa_after_reset += u64::from(row.has(Reenrol::EmailMfaAfterReset));
            }
            if let Some(counts) = email_mfa_of::<EmailMfaCounts>(dir, STATE_FILE, "import")? {
                self.email_mfa_at_import += counts;
            }
            if let Some(state) = email_mfa_of::<EmailMfaState>(dir, GROUPS_STATE_FILE, "groups")? {
                let sum = &mut self.email_mfa_by_groups_sync;
                sum.restored += state.restored;
                sum.pending += state.pending.len() as u64;
                sum.unproven += state.unproven.len() as u64;
                sum.left_to_token_function += state.left_to_token_function.len() as u64;
            }
        }
        Ok(())
    }
}

impl FactorStatus {
    /// The groups as labelled lines, `line(label, n)`: the old pool's (as `plan` prints them, or
    /// one line for all `old_total` users where no look-up was made), then the export folders'
    /// lists and what import did with e-mail MFA, where there are any.
    pub fn lines(&self, old_total: u64, mut line: impl FnMut(&str, u64)) {
        match &self.old_pool {
            Some(counts) => counts.lines(&mut line),
            None => line(
                "sign-in factors: no passwordless first factor (all password)",
                old_total,
            ),
        }
        let reenrol = &self.reenrol;
        let at_import = &self.email_mfa_at_import;
        let synced = &self.email_mfa_by_groups_sync;
        // A part is printed whole, or not at all where there is nothing of it.
        let mut part = |any: bool, lines: &[(&str, u64)]| {
            for (label, n) in lines.iter().filter(|_| any) {
                line(label, *n);
            }
        };
        part(
            reenrol.listed > 0,
            &[
                ("to set up again (mfa-reenrol.csv of --dir)", reenrol.listed),
                ("  a passkey", reenrol.passkey),
                ("  TOTP", reenrol.totp),
                (
                    "  e-mail MFA, e-mail carried verified",
                    reenrol.email_mfa_at_import,
                ),
                (
                    "  e-mail MFA, proven by the reset",
                    reenrol.email_mfa_after_reset,
                ),
            ],
        );
        part(
            at_import.listed > 0,
            &[
                ("e-mail MFA turned on by import", at_import.restored),
                (
                    "  waiting for the reset (import --resume, token fn)",
                    at_import.after_reset,
                ),
                (
                    "  left off: new pool without e-mail MFA",
                    at_import.not_configured,
                ),
                ("  not in the new pool", at_import.not_found),
            ],
        );
        part(
            *synced != SyncedEmailMfa::default(),
            &[
                ("e-mail MFA turned on by groups", synced.restored),
                ("  pending (the next groups run asks again)", synced.pending),
                ("  left off: e-mail not proven", synced.unproven),
                (
                    "  left to the token function",
                    synced.left_to_token_function,
                ),
            ],
        );
    }
}

/// The `email_mfa` part of the state file `file` that `cognito-migrate command` keeps in `dir`
/// (`None`: no such file, or no such part yet). Import keeps its counts in `import-state.json`,
/// `groups` its users in `groups-state.json`; status reads only that part of either.
fn email_mfa_of<T: DeserializeOwned>(
    dir: &Path,
    file: &str,
    command: &str,
) -> anyhow::Result<Option<T>> {
    let path = dir.join(file);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    #[derive(serde::Deserialize)]
    #[serde(bound = "T: DeserializeOwned")]
    struct EmailMfaOnly<T> {
        #[serde(default = "Option::default")]
        email_mfa: Option<T>,
    }
    let state: EmailMfaOnly<T> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not the file cognito-migrate {command} wrote",
            path.display()
        )
    })?;
    Ok(state.email_mfa)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re_enrol_rows_count_per_reason_and_import_states_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = b"username,sub,reason\n".to_vec();
        file.extend(crate::report_csv::csv_record(&[
            "ada",
            "s-a",
            &Reenrol::Passkey.text(),
        ]));
        file.extend(crate::report_csv::csv_record(&[
            "bo",
            "s-b",
            &format!(
                "{}; {}",
                Reenrol::Totp.text(),
                Reenrol::EmailMfaAtImport.text()
            ),
        ]));
        std::fs::write(dir.path().join("mfa-reenrol.csv"), file).unwrap();
        std::fs::write(
            dir.path().join(STATE_FILE),
            r#"{"version":1,"email_mfa":{"listed":1,"restored":0,"after_reset":1,"not_configured":0,"not_found":0}}"#,
        )
        .unwrap();
        let mut status = FactorStatus::default();
        status.read_folders(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(
            status.reenrol,
            ReenrolCounts {
                listed: 2,
                passkey: 1,
                totp: 1,
                email_mfa_at_import: 1,
                email_mfa_after_reset: 0,
            }
        );
        assert_eq!(status.email_mfa_at_import.after_reset, 1);
    }

    #[test]
    fn what_groups_sync_did_with_e_mail_mfa_is_counted_from_its_state() {
        let dir = tempfile::tempdir().unwrap();
        let waiting = |sub: &str, reason: &str| {
            format!(
                r#"{{"old":{{"username":"u-{sub}","sub":"{sub}","email":null,"phone":null}},"new_username":"u-{sub}","reason":"{reason}"}}"#
            )
        };
        std::fs::write(
            dir.path().join(GROUPS_STATE_FILE),
            format!(
                r#"{{"version":1,"email_mfa":{{"restored":2,"pending":[{}],"unproven":[{},{}],"left_to_token_function":[{}],"requests":12}}}}"#,
                waiting("a", "email_mfa_after_reset"),
                waiting("b", "email_mfa_unproven"),
                waiting("c", "email_mfa_unproven"),
                waiting("d", "left_to_token_function"),
            ),
        )
        .unwrap();
        let mut status = FactorStatus::default();
        status.read_folders(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(
            status.email_mfa_by_groups_sync,
            SyncedEmailMfa {
                restored: 2,
                pending: 1,
                unproven: 2,
                left_to_token_function: 1
            }
        );
        let mut lines = Vec::new();
        status.lines(0, |label, n| lines.push(format!("{label}: {n}")));
        assert!(
            lines.contains(&"  pending (the next groups run asks again): 1".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn each_part_prints_its_lines_in_order_and_an_empty_part_none() {
        let status = FactorStatus {
            old_pool: Some(FactorCounts {
                password_only: 3,
                not_read: 1,
                totp: 2,
                ..FactorCounts::default()
            }),
            reenrol: ReenrolCounts {
                listed: 2,
                passkey: 1,
                totp: 1,
                ..ReenrolCounts::default()
            },
            email_mfa_at_import: EmailMfaCounts::default(),
            email_mfa_by_groups_sync: SyncedEmailMfa {
                pending: 4,
                ..SyncedEmailMfa::default()
            },
        };
        let mut lines = Vec::new();
        status.lines(9, |label, n| lines.push(format!("{label}: {n}")));
        assert_eq!(
            lines,
            [
                "sign-in factors read (AdminGetUserAuthFactors): 3",
                "  password only (the trigger carries it at sign-in): 3",
                "  password and a one-time code the new pool offers: 0",
                "  passwordless only: import before cutover, back by code: 0",
                "  passwordless, no code in the new pool: import, reset: 0",
                "  not read (federated, or deleted since listed): 1",
                "  with a passkey (re-enrol list: register again): 0",
                "  with e-mail MFA: 0",
                "  with SMS MFA: 0",
                "  with TOTP MFA (re-enrol list): 2",
                "to set up again (mfa-reenrol.csv of --dir): 2",
                "  a passkey: 1",
                "  TOTP: 1",
                "  e-mail MFA, e-mail carried verified: 0",
                "  e-mail MFA, proven by the reset: 0",
                "e-mail MFA turned on by groups: 0",
                "  pending (the next groups run asks again): 4",
                "  left off: e-mail not proven: 0",
                "  left to the token function: 0",
            ]
        );
        let mut lines = Vec::new();
        FactorStatus::default().lines(9, |label, n| lines.push(format!("{label}: {n}")));
        assert_eq!(
            lines,
            ["sign-in factors: no passwordless first factor (all password): 9"]
        );
    }

    #[test]
    fn a_state_file_without_e_mail_mfa_counts_nothing_and_a_damaged_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(STATE_FILE), r#"{"version":1}"#).unwrap();
        std::fs::write(dir.path().join(GROUPS_STATE_FILE), r#"{"version":1}"#).unwrap();
        let mut status = FactorStatus::default();
        status.read_folders(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(status, FactorStatus::default());
        std::fs::write(dir.path().join(GROUPS_STATE_FILE), "{").unwrap();
        let err = status
            .read_folders(&[dir.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("groups-state.json is not the file cognito-migrate groups wrote"),
            "{err}"
        );
    }
}
