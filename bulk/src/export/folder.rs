//! The output folder of an export: checked before anything is read, its files opened new (in an
//! empty folder) or where the checkpoint left them (`--resume`, same arguments only), after
//! clearing what a run killed before its first checkpoint left behind.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use shared::Mapping;

use super::checkpoint::{self, Checkpoint, LaneIdentity, RunIdentity};
use super::collisions::SignInLedger;
use super::ledgers::Ledgers;
use super::outputs::{AppendFile, FileLimits, Outputs, REASON_FILE_HEADER};
use super::{Destination, ExportArgs, TARGET_INDEX_DIR};
use crate::export_dir;
use crate::report_csv::csv_record;
use crate::shards;

/// The files an export writes, opened new or where the checkpoint left them.
pub(super) struct OpenFiles {
    pub(super) checkpoint: Checkpoint,
    pub(super) ledgers: Ledgers,
    /// `unassigned.csv`, in a partitioned run.
    pub(super) unassigned: Option<AppendFile>,
    /// Each destination's import and reason files, by destination index.
    pub(super) outputs: Vec<Outputs>,
    /// Each destination's sign-in keys, by destination index.
    pub(super) sign_in: Vec<SignInLedger>,
}

/// Refuses `--resume` without a folder to resume, and a `--out` that cannot be written.
pub(super) fn check_out_folder(args: &ExportArgs) -> anyhow::Result<()> {
    if args.resume && !args.out.exists() {
        anyhow::bail!(
            "--resume: {} does not exist, so there is no export to resume: check --out, or leave out \
             --resume to start one",
            args.out.display()
        );
    }
    crate::writable::folder("--out", &args.out)
}

/// What the checkpoint records of this run, so `--resume` refuses other arguments.
fn run_identity(args: &ExportArgs, destinations: &[Destination<'_>]) -> RunIdentity {
    RunIdentity {
        source_pool_id: args.old.source_pool_id.clone(),
        select: args.select,
        partition_by: args.targets.partition_by.clone(),
        mfa_lookup: Some(args.mfa_lookup),
        lanes: destinations
            .iter()
            .map(|d| {
                let lane = LaneIdentity {
                    target_pool_id: d.new_pool.pool_id.clone(),
                    mapping: d.new_pool.mapping.clone(),
                    header: d.new_pool.import.header.columns().to_vec(),
                };
                (d.new_pool.name.clone(), lane)
            })
            .collect(),
    }
}

/// Opens the export's files: where the checkpoint left them for `--resume` (of the same run),
/// else new ones in an empty folder.
pub(super) fn open_files(
    args: &ExportArgs,
    destinations: &[Destination<'_>],
    partitioned: bool,
) -> anyhow::Result<OpenFiles> {
    let identity = run_identity(args, destinations);
    let limits = FileLimits {
        max_rows: args.max_rows_per_file,
        max_bytes: args.max_file_bytes,
    };
    let resume = args.resume && !clear_unstarted_export(&args.out, destinations)?;
    if resume {
        return resume_files(args, destinations, &identity, limits);
    }
    if !args.resume {
        ensure_empty(&args.out)?;
    }
    create_files(args, destinations, identity, limits, partitioned)
}

/// Reopens the files of an interrupted export of the same run, where its checkpoint left them.
fn resume_files(
    args: &ExportArgs,
    destinations: &[Destination<'_>],
    identity: &RunIdentity,
    limits: FileLimits,
) -> anyhow::Result<OpenFiles> {
    let checkpoint = Checkpoint::load(&args.out)?;
    check_same_run(&checkpoint.run, identity)?;
    let ledgers = Ledgers::resume(&args.out, &checkpoint.ledgers)?;
    let unassigned = match &checkpoint.unassigned.file {
        Some(state) => Some(AppendFile::reopen(&args.out, state)?),
        None => None,
    };
    let mut outputs = Vec::new();
    let mut sign_in = Vec::new();
    for d in destinations {
        let lane = checkpoint
            .lanes
            .get(&d.new_pool.name)
            .context("cannot resume: the checkpoint lacks a destination")?;
        outputs.push(Outputs::resume(
            &d.dir,
            d.new_pool.import.header.line(),
            limits,
            &lane.files,
            lane.collisions_resolved,
        )?);
        sign_in.push(SignInLedger::resume(
            &args.out,
            &d.new_pool.name,
            &lane.sign_in,
            !d.new_pool.import.rules.shape.case_sensitive,
        )?);
    }
    Ok(OpenFiles {
        checkpoint,
        ledgers,
        unassigned,
        outputs,
        sign_in,
    })
}

/// Creates the files of a new export, with a checkpoint of `--segments` unread shards.
fn create_files(
    args: &ExportArgs,
    destinations: &[Destination<'_>],
    identity: RunIdentity,
    limits: FileLimits,
    partitioned: bool,
) -> anyhow::Result<OpenFiles> {
    let prefixes = shards::prefixes(args.scan.segments);
    let labels: Vec<String> = prefixes
        .iter()
        .map(|p| shards::label(p).to_string())
        .collect();
    let ledgers = Ledgers::create(&args.out, &labels)?;
    let unassigned = match partitioned {
        true => Some(AppendFile::create(
            &args.out,
            export_dir::UNASSIGNED,
            &csv_record(&REASON_FILE_HEADER),
        )?),
        false => None,
    };
    let outputs = destinations
        .iter()
        .map(|d| Outputs::create(&d.dir, d.new_pool.import.header.line(), limits))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let sign_in = destinations
        .iter()
        .map(|d| {
            let case_insensitive = !d.new_pool.import.rules.shape.case_sensitive;
            SignInLedger::create(&args.out, &d.new_pool.name, case_insensitive)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(OpenFiles {
        checkpoint: Checkpoint::new(identity, prefixes),
        ledgers,
        unassigned,
        outputs,
        sign_in,
    })
}

/// A run killed while setting up, before its first checkpoint, leaves no folder, an empty one, or
/// files but no checkpoint; it counted no user yet, so `--resume` starts it over. Removes only the files an export
/// writes; returns whether it did.
fn clear_unstarted_export(out: &Path, destinations: &[Destination<'_>]) -> anyhow::Result<bool> {
    if Checkpoint::path(out).exists() {
        return Ok(false);
    }
    let nothing_yet = match std::fs::read_dir(out) {
        Err(_) => true,
        Ok(mut entries) => entries.next().is_none(),
    };
    if nothing_yet {
        eprintln!(
            "{} holds no export yet (a previous run stopped before writing anything): starting one",
            out.display()
        );
        return Ok(true);
    }
    if !out.join(checkpoint::STATE_DIR).is_dir() {
        return Ok(false);
    }
    eprintln!("the previous run stopped before its first checkpoint: starting the export over");
    for entry in std::fs::read_dir(out.join(checkpoint::STATE_DIR))? {
        let entry = entry?;
        if entry.file_name() == TARGET_INDEX_DIR {
            // What was read of the new pools stays valid: the restart continues it.
            continue;
        }
        match entry.file_type()?.is_dir() {
            true => std::fs::remove_dir_all(entry.path())?,
            false => std::fs::remove_file(entry.path())?,
        }
    }
    for dir in std::iter::once(out).chain(destinations.iter().map(|d| d.dir.as_path())) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if export_dir::is_users_file(&name) || export_dir::WRITTEN.contains(&name.as_str()) {
                std::fs::remove_file(dir.join(&name))?;
            }
        }
        if dir != out {
            let _ = std::fs::remove_dir(dir);
        }
    }
    Ok(true)
}

/// Refuses to start an export in a folder that has files (they may be another export's).
fn ensure_empty(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        let mut entries =
            std::fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?;
        if entries.next().is_some() {
            anyhow::bail!(
                "{} is not empty: pass --resume to continue the export in it, or choose an empty folder",
                out.display()
            );
        }
    }
    Ok(())
}

/// Refuses to resume with other arguments than the run in the folder was started with.
fn check_same_run(recorded: &RunIdentity, now: &RunIdentity) -> anyhow::Result<()> {
    let differs = |what: &str| {
        anyhow::anyhow!(
            "cannot resume: the export in this folder was started with another {what}; \
             rerun with the original arguments or export into a new folder"
        )
    };
    if recorded.source_pool_id != now.source_pool_id {
        return Err(differs("--source-pool-id"));
    }
    if recorded.select != now.select {
        return Err(differs("--select"));
    }
    if recorded.partition_by != now.partition_by {
        return Err(differs("--partition-by"));
    }
    if recorded.mfa_lookup.is_some() && recorded.mfa_lookup != now.mfa_lookup {
        return Err(differs("--mfa-lookup"));
    }
    let names = |run: &RunIdentity| {
        run.lanes
            .iter()
            .map(|(n, l)| (n.clone(), l.target_pool_id.clone()))
            .collect::<BTreeSet<_>>()
    };
    if names(recorded) != names(now) {
        return Err(differs("--target-pool-id or tenant table"));
    }
    for (name, lane) in &recorded.lanes {
        let current = &now.lanes[name];
        if lane.mapping != current.mapping {
            return Err(differs("mapping"));
        }
        if lane.header != current.header {
            return Err(differs(
                "target CSV header (the new pool's attributes changed)",
            ));
        }
    }
    Ok(())
}

/// Writes `mapping.json`, the mapping in force for this pool, for the trigger.
pub(super) fn write_mapping(out: &Path, mapping: &Mapping) -> anyhow::Result<()> {
    let path = out.join(export_dir::MAPPING);
    crate::atomic_json::write(&path, mapping)
        .with_context(|| format!("cannot write {}", path.display()))
}
