//! `cognito-migrate export`: every user of the old pool into the new pool's CSV import files,
//! rate-limited, in parallel shards, resumable, with every user accounted for.
//!
//! Layout of the output folder (a contract other tools rely on): `users-NNNN.csv` (import files,
//! header exactly as the new pool's `GetCSVHeader`), `rejected.csv` and `skipped.csv`
//! (`username,sub,reason`), `disabled.csv` (users disabled in the old pool, import format, never
//! in the users files: `import` creates them disabled), `mfa-reenrol.csv` (`username,sub,reason`:
//! exported users with a TOTP authenticator, whose secret cannot move: they enrol again in the new
//! pool), `groups.jsonl` and `memberships.jsonl` (the old pool's groups, and the memberships of the users
//! this export carries, for `cognito-migrate groups`),
//! `mapping.json` (the mapping in force: give it to the trigger), `summary.json`, and `.export/`
//! (checkpoint, ledgers and, for `--select not-in-target`, the new pool's index, for `--resume`).
//!
//! With `--partition-by ATTR --targets FILE` the same pass writes one such folder per tenant
//! (`DIR/<tenant>/`, each for its own pool), users without a known tenant go to
//! `DIR/unassigned.csv`, and `DIR/summary.json` reconciles them all with the old pool.

mod checkpoint;
mod collisions;
mod folder;
mod groups;
mod ledgers;
pub(crate) mod mfa;
mod outputs;
mod scanning;
mod sink;
mod summary;

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::import_csv::{MAX_FILE_BYTES, MAX_ROWS_PER_FILE};

pub use mfa::MfaLookup;

use crate::aws::{AwsArgs, Side};
use crate::classify::{Classifier, Select};
use crate::destinations::{self, Destinations, NewPoolsRead};
use crate::pace::ScanArgs;
use crate::pacer::Pacer;
use crate::pools;
use crate::progress::Progress;

use crate::pool_args::{MappingArg, OldPoolArg, TargetPools};
use crate::scan::PoolScan;
use crate::target_index::{MatchRule, TargetIndex};
use checkpoint::Checkpoint;
use folder::{OpenFiles, check_out_folder, open_files, write_mapping};
use groups::GroupDestination;
use sink::{Lane, Sink};
use summary::{PartitionSummary, Summary};

/// Folder inside `.export` holding the new pools' indexes for `not-in-target`.
const TARGET_INDEX_DIR: &str = "target-index";

/// Arguments of `cognito-migrate export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The old pool, read from.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// The new pool, or one per tenant (`--partition-by ATTR --targets FILE`): its CSV header
    /// and rules the files follow. Its sign-in settings decide cognito:username (the old user
    /// name, or the e-mail or phone in a pool that signs in by them); old users who would share a
    /// sign-in value there are all rejected (sign-in-collision), and an old attribute it has no
    /// home for stops the run before paging.
    #[command(flatten)]
    pub targets: TargetPools,
    /// Output folder; must be empty or absent unless --resume.
    #[arg(long)]
    pub out: PathBuf,
    /// Pace, progress and concurrent scans.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The mapping (JSON: legacy_sub_attribute, rename, drop, defaults); the trigger reads the
    /// same file.
    #[command(flatten)]
    pub mapping: MappingArg,
    /// Which users to export; required, because each choice costs something different.
    /// `passwordless`: only users whose password cannot survive anyway (temporary password,
    /// reset required, unconfirmed); costs nobody a password; the CONFIRMED users are left for the
    /// trigger. `not-in-target`: the sweep after the window; every CONFIRMED user still in the old
    /// pool loses their password (imported users must reset it). `all`: everyone, now; every
    /// CONFIRMED user loses their password (imported RESET_REQUIRED) unless they sign in through
    /// the trigger before the import. Give the same value again with --resume.
    #[arg(long, value_enum)]
    pub select: Select,
    /// Continue an interrupted export in --out from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Read each user's MFA with AdminGetUser: ListUsers shows only legacy SMS options, so users
    /// who chose SMS or TOTP MFA would be written cognito:mfa_enabled=FALSE. `auto` (default)
    /// reads it when the old pool's MFA is ON or OPTIONAL, at one AdminGetUser per user
    /// (--mfa-rps); `off` skips it and counts those users as mfa_unknown in summary.json.
    /// TOTP users are listed in mfa-reenrol.csv: their secret cannot move.
    #[arg(long, value_enum, default_value_t = MfaLookup::Auto)]
    pub mfa_lookup: MfaLookup,
    /// Requests per second for AdminGetUser (quota category UserRead: 120 per account, shared
    /// with your production sign-ins; paced apart from --rps).
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=120))]
    pub mfa_rps: u32,
    /// Most users per import file (AWS allows 500,000).
    #[arg(long, default_value_t = MAX_ROWS_PER_FILE, hide = true)]
    pub max_rows_per_file: u64,
    /// Most bytes per import file (AWS allows 100 MB).
    #[arg(long, default_value_t = MAX_FILE_BYTES, hide = true)]
    pub max_file_bytes: u64,
}

/// How an export ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportOutcome {
    /// Every user is in an import file or skipped by choice.
    AllExported,
    /// Finished, but some users are in `rejected.csv` (or `unassigned.csv`).
    SomeRejected,
    /// Stopped by a signal; `--resume` continues.
    Interrupted,
}

/// One new pool as the export writes it: the pool, its folder, and for `not-in-target` the
/// users it already has.
struct Destination<'a> {
    /// The pool, its import target and the mapping resolved against it.
    new_pool: &'a destinations::Destination,
    /// Its output folder: `--out`, or the tenant's folder in it.
    dir: PathBuf,
    /// For `not-in-target`: how its users are matched with old users.
    matching: Option<MatchRule>,
    /// For `not-in-target`: the users it already has (read once the output folder is set up).
    index: TargetIndex,
}

/// Runs an export.
pub async fn run(args: ExportArgs, aws: &AwsArgs) -> anyhow::Result<ExportOutcome> {
    let started = Instant::now();
    check_out_folder(&args)?;
    let pacer = Arc::new(args.scan.pace.pacer());
    let source = aws
        .client(Side::Source, Some(&args.old.source_pool_id))
        .await;
    let mapping = args.mapping.load()?;
    let new_pool_ids = args.targets.new_pools()?;
    let target = args.targets.client(aws).await;
    // Nothing of the new pools' reading needs the old pool's answers: all at once, errors in the
    // order of one call after another (old pool, its MFA, then each new pool).
    let (source_pool, old_mfa, new_pools) = tokio::join!(
        pools::describe(&source, &pacer, &args.old.source_pool_id),
        pools::mfa_config(&source, &pacer, &args.old.source_pool_id),
        NewPoolsRead::read(&target, &pacer, new_pool_ids),
    );
    let source_pool = source_pool?;
    let (mfa_visibility, mfa_pacer) = mfa_lookup(&args, &old_mfa?, &source_pool);
    let new_pools = check_new_pools(new_pools.resolve(&mapping, &source_pool)?)?;
    let mut destinations = destinations(&args, &new_pools, &source_pool)?;
    let files = open_files(&args, &destinations, new_pools.partitioned())?;
    for d in &destinations {
        write_mapping(&d.dir, &d.new_pool.mapping)?;
    }
    read_target_indexes(&args, &target, &pacer, &mut destinations).await?;
    let mut sink = sink(&args, &destinations, &new_pools, files, mfa_visibility)?;
    let estimate = u64::try_from(source_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new("users", estimate, args.scan.progress.interval());
    let lookup = mfa_pacer.as_ref().map(|pacer| mfa::Lookup {
        pacer,
        factors: !pools::passwordless_first_factors(&source_pool).is_empty(),
    });
    let interrupted =
        scanning::scan_all(&args, &source, &pacer, lookup, &mut sink, &mut progress).await;
    progress.finish();
    let interrupted = interrupted?;
    sink.save()?;
    if !interrupted && sink.all_shards_done() {
        complete(&mut sink, &args, &source, &pacer, &destinations).await?;
    }
    let outcome = report(
        &args,
        &destinations,
        sink.checkpoint(),
        pacer.stats(),
        started,
    )?;
    if interrupted {
        eprintln!("interrupted: continue with the same command and --resume");
        return Ok(ExportOutcome::Interrupted);
    }
    Ok(outcome)
}

/// Whether users' MFA is looked up (`--mfa-lookup` and the old pool's MFA, `old_mfa`), and the
/// pacer of those `AdminGetUser` calls when it is.
fn mfa_lookup(
    args: &ExportArgs,
    old_mfa: &GetUserPoolMfaConfigOutput,
    source_pool: &UserPoolType,
) -> (mfa::MfaVisibility, Option<Arc<Pacer>>) {
    let passwordless = !pools::passwordless_first_factors(source_pool).is_empty();
    let visibility = args
        .mfa_lookup
        .visibility(old_mfa.mfa_configuration(), passwordless);
    let mfa_pacer = (visibility == mfa::MfaVisibility::LookedUp).then(|| {
        let rps = NonZeroU32::new(args.mfa_rps).expect("clap allows 1 to 120");
        Arc::new(Pacer::new(rps, args.scan.pace.max_retries))
    });
    (visibility, mfa_pacer)
}

/// The new pool (or each tenant's pool) as read and resolved: stops before any `ListUsers` when
/// an attribute of the old pool (its schema, after the mapping) has no home in a new pool,
/// naming every such attribute of every pool.
fn check_new_pools(destinations: Destinations) -> anyhow::Result<Destinations> {
    let mismatches: Vec<String> = destinations.mismatches().map(|m| m.to_string()).collect();
    if !mismatches.is_empty() {
        anyhow::bail!(
            "{}\nNo user was read. Fix the new pool or the mapping file (--mapping), then run again.",
            mismatches.join("\n")
        );
    }
    Ok(destinations)
}

/// Each new pool's folder, and for `not-in-target` how to tell which old users it has (refusing
/// to guess when it cannot).
fn destinations<'a>(
    args: &ExportArgs,
    new_pools: &'a Destinations,
    source_pool: &UserPoolType,
) -> anyhow::Result<Vec<Destination<'a>>> {
    new_pools
        .iter()
        .map(|new_pool| {
            let matching = match args.select {
                Select::NotInTarget => Some(MatchRule::for_pools(
                    source_pool,
                    &new_pool.pool,
                    new_pool.mapping.legacy_sub_attribute.as_deref(),
                )?),
                _ => None,
            };
            let dir = match new_pool.name.is_empty() {
                true => args.out.clone(),
                false => args.out.join(&new_pool.name),
            };
            Ok(Destination {
                new_pool,
                dir,
                matching,
                index: TargetIndex::default(),
            })
        })
        .collect()
}

/// The single writer of the run: one lane per destination, routed by `new_pools`; its first
/// checkpoint is saved before any user is read.
fn sink<'a>(
    args: &ExportArgs,
    destinations: &'a [Destination<'a>],
    new_pools: &'a Destinations,
    files: OpenFiles,
    mfa_visibility: mfa::MfaVisibility,
) -> anyhow::Result<Sink<'a>> {
    let lanes: Vec<Lane<'a>> = destinations
        .iter()
        .zip(files.outputs)
        .zip(files.sign_in)
        .map(|((d, outputs), sign_in)| Lane {
            name: d.new_pool.name.clone(),
            outputs,
            sign_in,
            classifier: Classifier::new(
                args.select,
                &d.index,
                &d.new_pool.mapping,
                &d.new_pool.import,
            ),
        })
        .collect();
    let mut sink = Sink::new(
        args.out.clone(),
        lanes,
        new_pools.new_pools(),
        files.unassigned,
        files.ledgers,
        files.checkpoint,
        mfa_visibility,
    )?;
    sink.save()?;
    Ok(sink)
}

/// Once every shard is read: resolves sign-in collisions, then (once) exports the groups and
/// the memberships of the users this export carries.
async fn complete(
    sink: &mut Sink<'_>,
    args: &ExportArgs,
    source: &aws_sdk_cognitoidentityprovider::Client,
    pacer: &Arc<Pacer>,
    destinations: &[Destination<'_>],
) -> anyhow::Result<()> {
    sink.resolve_collisions()?;
    if sink.checkpoint().groups.is_some() {
        return Ok(());
    }
    // A partial export (per tenant, or a --select subset) carries only its own users'
    // memberships, so `groups --dir` applies all of them; a full export carries them all.
    let partial = args.targets.partition_by.is_some() || args.select != Select::All;
    let members = match partial {
        true => Some(sink.exported_usernames()?),
        false => None,
    };
    let group_destinations: Vec<GroupDestination<'_>> = destinations
        .iter()
        .enumerate()
        .map(|(i, d)| GroupDestination {
            dir: &d.dir,
            members: members.as_ref().map(|m| &m[i]),
            mapping: &d.new_pool.mapping,
            shape: &d.new_pool.import.rules.shape,
        })
        .collect();
    let counts = groups::export_groups(
        source,
        pacer,
        &args.old.source_pool_id,
        args.scan.segments,
        &group_destinations,
    )
    .await?;
    sink.record_groups(counts)
}

/// For `not-in-target`, reads the users each new pool already has, kept in the output folder so
/// `--resume` loads them instead of reading the pool again.
async fn read_target_indexes(
    args: &ExportArgs,
    target: &aws_sdk_cognitoidentityprovider::Client,
    pacer: &Arc<Pacer>,
    destinations: &mut [Destination<'_>],
) -> anyhow::Result<()> {
    for d in destinations {
        let Some(rule) = d.matching.clone() else {
            continue;
        };
        let store = target_index_folder(&args.out, &d.new_pool.pool_id);
        let pool = PoolScan {
            client: target,
            pacer,
            pool_id: &d.new_pool.pool_id,
            segments: args.scan.segments,
        };
        let interval = args.scan.progress.interval();
        d.index = TargetIndex::read(pool, interval, rule, Some(&store)).await?;
    }
    Ok(())
}

/// Where the index of a new pool's users is kept (it survives a restart of an unstarted export).
fn target_index_folder(out: &Path, pool_id: &str) -> PathBuf {
    out.join(checkpoint::STATE_DIR)
        .join(TARGET_INDEX_DIR)
        .join(pool_id)
}

/// Writes each destination's `summary.json` (and the partition's), prints them, and decides the
/// outcome.
fn report(
    args: &ExportArgs,
    destinations: &[Destination<'_>],
    checkpoint: &Checkpoint,
    requests: crate::pacer::PacerStats,
    started: Instant,
) -> anyhow::Result<ExportOutcome> {
    let complete = checkpoint.complete && checkpoint.groups.is_some();
    let groups = checkpoint.groups.unwrap_or_default();
    let empty = checkpoint::LaneState::default();
    let mut any_rejected = checkpoint.unassigned.total() > 0;
    let mut tenants = BTreeMap::new();
    for d in destinations {
        let lane = checkpoint.lanes.get(&d.new_pool.name).unwrap_or(&empty);
        let counts = &lane.counts;
        assert_eq!(
            counts.seen,
            counts.exported + counts.rejected + counts.skipped,
            "every user is in exactly one output"
        );
        any_rejected |= counts.rejected > 0;
        let summary = Summary {
            seen: counts.seen,
            exported: counts.exported,
            rejected: counts.rejected,
            skipped: counts.skipped,
            disabled: counts.disabled,
            mfa_reenrol: counts.mfa_reenrol,
            mfa_unknown: counts.mfa_unknown,
            groups: groups.groups,
            memberships: groups.memberships,
            files: &lane.files.users,
            rejected_by_reason: &counts.rejected_by_reason,
            skipped_by_reason: &counts.skipped_by_reason,
            source_pool_id: &args.old.source_pool_id,
            target_pool_id: &d.new_pool.pool_id,
            select: args.select,
            legacy_sub_attribute: d.new_pool.mapping.legacy_sub_attribute.as_deref(),
            requests,
            elapsed_seconds: started.elapsed().as_secs_f64(),
            complete,
        };
        summary.write(&d.dir)?;
        let (name, pool_id) = (&d.new_pool.name, &d.new_pool.pool_id);
        if !name.is_empty() {
            println!("tenant {name} -> {pool_id}:");
        }
        println!("{}", summary.text());
        tenants.insert(name.clone(), (pool_id.clone(), counts.clone()));
    }
    if args.targets.partition_by.is_some() {
        let summary = PartitionSummary::new(
            &args.old.source_pool_id,
            &tenants,
            &checkpoint.unassigned.by_reason,
            complete,
        );
        summary.write(&args.out)?;
        println!("{}", summary.text());
    }
    println!("files and summary.json in {}", args.out.display());
    Ok(if any_rejected {
        ExportOutcome::SomeRejected
    } else {
        ExportOutcome::AllExported
    })
}
