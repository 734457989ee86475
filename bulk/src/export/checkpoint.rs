//! The export's checkpoint: where each shard's scan stands and how far each output file is
//! trustworthy, written atomically so that `--resume` after a crash, `kill -9` or Ctrl-C loses no
//! user and duplicates none.
//!
//! The order of writes makes that hold: rows are written and flushed *before* the checkpoint that
//! counts them is renamed into place. On resume every file is cut back to the length the
//! checkpoint records, and each shard continues from the token after its last recorded page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic_json;
use crate::scan::ShardCursor;
use crate::versioned_state::{self, Unreadable};
use shared::Mapping;

use super::groups::GroupCounts;
use super::mfa::MfaLookup;
use crate::classify::Select;

/// Folder inside the output folder that holds the checkpoint and the per-shard ledgers.
pub const STATE_DIR: &str = ".export";
const FILE: &str = "checkpoint.json";
const VERSION: u32 = 1;

/// What the run is, so `--resume` refuses to continue a different export into the same folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunIdentity {
    /// Old pool.
    pub source_pool_id: String,
    /// Selection mode.
    pub select: Select,
    /// The tenant attribute, when the export is partitioned.
    pub partition_by: Option<String>,
    /// `--mfa-lookup` (absent in checkpoints written before the flag existed).
    #[serde(default)]
    pub mfa_lookup: Option<MfaLookup>,
    /// One destination per new pool (a single one named `""` unless partitioned).
    pub lanes: BTreeMap<String, LaneIdentity>,
}

/// What one destination pool of a run is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneIdentity {
    /// New pool.
    pub target_pool_id: String,
    /// The mapping in force for it (legacy-`sub` attribute resolved against that pool).
    pub mapping: Mapping,
    /// Its CSV header.
    pub header: Vec<String>,
}

/// Length of an output file up to which its content is counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// File name inside the output folder.
    pub name: String,
    /// Data rows (header excluded).
    pub rows: u64,
    /// Bytes, header included.
    pub bytes: u64,
}

/// One destination's user counts, which always reconcile: `seen == exported + rejected + skipped`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Users routed to this destination (each once).
    pub seen: u64,
    /// Users written to an import file.
    pub exported: u64,
    /// Users written to `rejected.csv`.
    pub rejected: u64,
    /// Users written to `skipped.csv`.
    pub skipped: u64,
    /// Exported users that are disabled in the old pool (listed in `disabled.csv`).
    pub disabled: u64,
    /// Exported users with TOTP MFA (listed in `mfa-reenrol.csv`).
    #[serde(default)]
    pub mfa_reenrol: u64,
    /// Exported users whose MFA could not be read (`--mfa-lookup off` on an old pool with MFA).
    #[serde(default)]
    pub mfa_unknown: u64,
    /// Rejections per reason code.
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Skips per reason code.
    pub skipped_by_reason: BTreeMap<String, u64>,
}

/// The files' trusted lengths.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStates {
    /// Import files in order.
    pub users: Vec<FileState>,
    /// `rejected.csv`.
    pub rejected: FileState,
    /// `skipped.csv`.
    pub skipped: FileState,
    /// `disabled.csv`.
    pub disabled: FileState,
    /// `mfa-reenrol.csv`.
    #[serde(default)]
    pub mfa_reenrol: FileState,
}

/// Where one destination pool's files and counts stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaneState {
    /// Trusted file lengths.
    pub files: FileStates,
    /// Counts up to this checkpoint. Users in a sign-in collision count as exported until the
    /// final collision step moves them to `rejected.csv` (exports of earlier versions held them
    /// back and counted them as rejected on arrival).
    pub counts: Counts,
    /// Trusted length of the destination's sign-in ledger (`.export/sign-in-<lane>.txt`).
    #[serde(default)]
    pub sign_in: FileState,
    /// Set by the final step that moves colliding users to `rejected.csv`: the import files and
    /// `disabled.csv` this checkpoint records are the rewritten ones (see `collisions`).
    #[serde(default)]
    pub collisions_resolved: bool,
}

/// Users that belong to no destination (partitioned runs): `unassigned.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnassignedState {
    /// `unassigned.csv` (absent when the run is not partitioned).
    pub file: Option<FileState>,
    /// Users per reason code.
    pub by_reason: BTreeMap<String, u64>,
}

impl UnassignedState {
    /// Users in `unassigned.csv`.
    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }
}

/// Everything needed to resume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Format version.
    pub version: u32,
    /// The run this checkpoint belongs to.
    pub run: RunIdentity,
    /// One cursor per shard.
    pub shards: Vec<ShardCursor>,
    /// Per-shard ledgers' trusted lengths, by shard label.
    pub ledgers: BTreeMap<String, FileState>,
    /// Each destination's files and counts.
    pub lanes: BTreeMap<String, LaneState>,
    /// Users that belong to no destination.
    pub unassigned: UnassignedState,
    /// Every shard has been read to its end.
    pub complete: bool,
    /// Set once `groups.jsonl` and `memberships.jsonl` are written.
    #[serde(default)]
    pub groups: Option<GroupCounts>,
}

impl Checkpoint {
    /// A checkpoint for a new run.
    pub fn new(run: RunIdentity, prefixes: Vec<String>) -> Checkpoint {
        Checkpoint {
            version: VERSION,
            run,
            shards: prefixes.into_iter().map(ShardCursor::new).collect(),
            ledgers: BTreeMap::new(),
            lanes: BTreeMap::new(),
            unassigned: UnassignedState::default(),
            complete: false,
            groups: None,
        }
    }

    /// Path of the checkpoint in an output folder.
    pub fn path(out: &Path) -> PathBuf {
        out.join(STATE_DIR).join(FILE)
    }

    /// Reads the checkpoint of an output folder.
    pub fn load(out: &Path) -> anyhow::Result<Checkpoint> {
        let path = Checkpoint::path(out);
        versioned_state::load(&path, VERSION).map_err(|err| match err.kind {
            Unreadable::Missing(e) => anyhow::anyhow!(
                "cannot resume: no checkpoint at {} ({e}). Run without --resume into an empty folder",
                path.display()
            ),
            _ => anyhow::anyhow!("cannot resume: {err}"),
        })
    }

    /// Writes the checkpoint atomically.
    pub fn save(&self, out: &Path) -> std::io::Result<()> {
        atomic_json::write(&Checkpoint::path(out), self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn saves_and_loads_atomically() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(STATE_DIR)).unwrap();
        let lane = LaneIdentity {
            target_pool_id: "new".into(),
            mapping: Mapping::default(),
            header: vec!["cognito:username".into()],
        };
        let run = RunIdentity {
            source_pool_id: "old".into(),
            select: Select::All,
            partition_by: None,
            mfa_lookup: Some(MfaLookup::Auto),
            lanes: [(String::new(), lane)].into(),
        };
        let mut checkpoint = Checkpoint::new(run, vec!["".into()]);
        checkpoint.shards[0].next_token = Some("t1".into());
        checkpoint.save(dir.path()).unwrap();
        assert_eq!(Checkpoint::load(dir.path()).unwrap(), checkpoint);
        assert!(
            !Checkpoint::path(dir.path())
                .with_extension("json.tmp")
                .exists()
        );
    }

    #[test]
    fn a_missing_checkpoint_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Checkpoint::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("Run without --resume"), "{err}");
    }
}
