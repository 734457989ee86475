//! `groups-state.json`: how far a `groups` run got and what it could not apply, written
//! atomically, so an interrupted run resumes where it stopped and a finished one retries only
//! what was left over (users that were not in the new pool yet, conflicting groups).
//!
//! Every operation it guards is idempotent (an existing group is compared, adding a member twice
//! or disabling a user twice changes nothing), so redoing the few items after the last save is
//! harmless.

use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic_json;
use serde::{Deserialize, Serialize};

/// Name of the state file inside the folder.
pub const STATE_FILE: &str = "groups-state.json";
const VERSION: u32 = 1;

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A group to create.
    Group,
    /// A user to add to a group.
    Membership,
    /// A user to disable.
    Disabled,
    /// A user's e-mail MFA to turn on again (`--sync`, [`super::email_mfa`]).
    EmailMfa,
}

/// Why an item could not be applied (the `reason` column of `groups-report.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The user is not in the new pool yet (the trigger has not migrated them, or the import
    /// skipped or failed them).
    UserNotInNewPool,
    /// The new pool has a group of that name with another description, precedence or role.
    GroupConflict,
    /// The group is not in the new pool.
    GroupMissing,
    /// Cognito refused the request for this item.
    Refused,
    /// A new-pool user answers to the old user's name, alias or letter case without carrying its
    /// legacy id: someone else, given nothing (`shared::identity`).
    NameHeldByAnotherUser,
    /// Nobody can be proven to be the old user: the new pool keeps no legacy id, or the export's
    /// line carries none.
    IdentityUnprovable,
    /// E-mail MFA refused until the user resets the password (`PasswordResetRequiredException`):
    /// the next `--sync` asks again.
    EmailMfaAfterReset,
    /// The new pool has no e-mail MFA configured: the next `--sync` asks again.
    EmailMfaNotConfigured,
    /// The old user had e-mail MFA, but the e-mail proves nothing (not verified in the old pool,
    /// or not the same address verified in the new pool): left off.
    EmailMfaUnproven,
    /// Still `RESET_REQUIRED`, with e-mail MFA in the old pool and the e-mail proven, where the
    /// new pool's PreTokenGeneration trigger is wired: neither its groups nor its e-mail MFA are
    /// written, so the token function writes both at the first token after the reset. Its
    /// memberships are kept with this reason (from the export's files: a later run adds them
    /// once the user has reset; `--sync` reads them again anyway).
    LeftToTokenFunction,
}

impl Reason {
    /// The reason as written in the report.
    pub fn code(self) -> &'static str {
        match self {
            Reason::UserNotInNewPool => "user_not_in_new_pool",
            Reason::GroupConflict => "group_conflict",
            Reason::GroupMissing => "group_missing",
            Reason::Refused => "refused",
            Reason::NameHeldByAnotherUser => "name_held_by_another_user",
            Reason::IdentityUnprovable => "identity_unprovable",
            Reason::EmailMfaAfterReset => "email_mfa_after_reset",
            Reason::EmailMfaNotConfigured => "email_mfa_not_configured",
            Reason::EmailMfaUnproven => "email_mfa_unproven",
            Reason::LeftToTokenFunction => "left_to_token_function",
        }
    }

    /// What happens next, or what to do, for an e-mail MFA row of the report (empty for the
    /// other reasons).
    pub fn email_mfa_fix(self) -> &'static str {
        match self {
            Reason::EmailMfaAfterReset => {
                "AdminSetUserMFAPreference: PasswordResetRequiredException; the next groups --sync \
                 turns e-mail MFA on once the user has reset the password"
            }
            Reason::EmailMfaNotConfigured => {
                "the new pool has no e-mail MFA configured (SetUserPoolMfaConfig \
                 EmailMfaConfiguration, Essentials or Plus); the next groups --sync turns it on"
            }
            Reason::EmailMfaUnproven => {
                "e-mail MFA in the old pool, but the e-mail was not verified there or the new pool \
                 holds another or unverified address: left off; once you have checked the address \
                 is the user's, turn it on with AdminSetUserMFAPreference EmailMfaSettings"
            }
            Reason::LeftToTokenFunction => {
                "RESET_REQUIRED with e-mail MFA in the old pool and the e-mail proven: its groups \
                 are not added, so the token function (PreTokenGeneration) writes them and turns \
                 e-mail MFA on at the first token after the reset; the next groups run (the same \
                 command) checks again, and once the user has reset adds the groups and turns the \
                 factor on if the token function did not"
            }
            _ => "",
        }
    }
}

/// One item that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unapplied {
    /// What it is.
    pub kind: ItemKind,
    /// Group name (empty for a disabled user).
    pub group: String,
    /// User name (empty for a group).
    pub username: String,
    /// The old user's `sub` the new-pool user must carry (empty for a group, or when unknown).
    #[serde(default)]
    pub legacy_id: String,
    /// Why.
    pub reason: Reason,
    /// What Cognito said, or what differs.
    pub detail: String,
}

/// Where the current pass stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pass {
    /// Groups are created or checked (files mode).
    pub groups_done: bool,
    /// Lines of `memberships.jsonl` applied (files mode).
    pub memberships_done: u64,
    /// Rows of `disabled.csv` applied (files mode).
    pub disabled_done: u64,
    /// Groups whose members are synced (`--sync`).
    pub synced_groups: Vec<String>,
    /// The whole pass is done; later runs retry `unapplied` only (files mode) or start a new
    /// pass (`--sync`).
    pub complete: bool,
}

/// Counts of what was applied, over every run of this state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    /// Groups created.
    pub groups_created: u64,
    /// Groups that already existed identically.
    pub groups_existing: u64,
    /// Memberships added (or already there).
    pub memberships: u64,
    /// Users disabled (or already disabled).
    pub disabled: u64,
}

/// The state of `groups` runs into one pool from one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsState {
    /// Format version.
    pub version: u32,
    /// The new pool.
    pub target_pool_id: String,
    /// The old pool when the source is read live (`--sync`); `None` for the export's files.
    pub sync_source_pool_id: Option<String>,
    /// The current pass.
    pub pass: Pass,
    /// What could not be applied so far.
    pub unapplied: Vec<Unapplied>,
    /// What was applied.
    pub applied: Applied,
    /// E-mail MFA of the users `--sync` reached first.
    #[serde(default)]
    pub email_mfa: super::email_mfa::EmailMfaState,
}

impl GroupsState {
    /// A fresh state.
    pub fn new(target_pool_id: &str, sync_source_pool_id: Option<&str>) -> GroupsState {
        GroupsState {
            version: VERSION,
            target_pool_id: target_pool_id.to_string(),
            sync_source_pool_id: sync_source_pool_id.map(str::to_string),
            pass: Pass::default(),
            unapplied: Vec::new(),
            applied: Applied::default(),
            email_mfa: super::email_mfa::EmailMfaState::default(),
        }
    }

    /// Path of the state file in a folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// The folder's state, or a fresh one; refuses a state of another pool or source.
    pub fn load_or_new(
        dir: &Path,
        target_pool_id: &str,
        sync_source_pool_id: Option<&str>,
    ) -> anyhow::Result<GroupsState> {
        let path = GroupsState::path(dir);
        if !path.exists() {
            return Ok(GroupsState::new(target_pool_id, sync_source_pool_id));
        }
        let text = fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let state: GroupsState = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} is damaged ({e}); delete it to start over (every step is idempotent)",
                path.display()
            )
        })?;
        if state.version != VERSION {
            anyhow::bail!(
                "{} was written by another version of cognito-migrate (format {}); delete it to \
                 start over",
                path.display(),
                state.version
            );
        }
        let same_source = state.sync_source_pool_id.as_deref() == sync_source_pool_id;
        if state.target_pool_id != target_pool_id || !same_source {
            let source = |s: Option<&str>| match s {
                Some(pool) => format!("--sync from {pool}"),
                None => "the export's files".to_string(),
            };
            anyhow::bail!(
                "{} belongs to groups runs into {} from {}, not into {target_pool_id} from {}; \
                 use another --dir for this one",
                path.display(),
                state.target_pool_id,
                source(state.sync_source_pool_id.as_deref()),
                source(sync_source_pool_id)
            );
        }
        Ok(state)
    }

    /// Writes the state atomically.
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let path = GroupsState::path(dir);
        atomic_json::write(&path, self)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_loads_and_refuses_another_source() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = GroupsState::new("new", None);
        state.unapplied.push(Unapplied {
            kind: ItemKind::Membership,
            group: "admins".into(),
            username: "ada".into(),
            legacy_id: "s-ada".into(),
            reason: Reason::UserNotInNewPool,
            detail: "User does not exist.".into(),
        });
        state.save(dir.path()).unwrap();
        assert_eq!(
            GroupsState::load_or_new(dir.path(), "new", None).unwrap(),
            state
        );
        let err = GroupsState::load_or_new(dir.path(), "new", Some("old")).unwrap_err();
        assert!(err.to_string().contains("another --dir"), "{err}");
        let text = fs::read_to_string(GroupsState::path(dir.path())).unwrap();
        assert!(text.contains("\"user_not_in_new_pool\""), "{text}");
    }
}
