//! `cognito-migrate export`: every user of the old pool into the new pool's CSV import files,
//! rate-limited, in parallel shards, resumable, with every user accounted for.
//!
//! Layout of the output folder (a contract other tools rely on): `users-NNNN.csv` (import files,
//! header exactly as the new pool's `GetCSVHeader`), `rejected.csv` and `skipped.csv`
//! (`username,sub,reason`), `disabled.csv` (exported users that are disabled in the old pool),
//! `groups.jsonl` and `memberships.jsonl` (the old pool's groups, for `cognito-migrate groups`),
//! `mapping.json` (the mapping in force: give it to the trigger), `summary.json`, and `.export/`
//! (checkpoint and ledgers for `--resume`).

mod checkpoint;
mod classify;
mod groups;
mod outputs;
mod select;
mod sink;
mod summary;

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use shared::Mapping;
use shared::import_csv::{MAX_FILE_BYTES, MAX_ROWS_PER_FILE};
use tokio::sync::mpsc;

pub use classify::{Classifier, Outcome};
pub use select::{Select, SkipReason, TargetIndex};

use crate::aws::{AwsArgs, Side};
use crate::pacer::Pacer;
use crate::pools;
use crate::progress::Progress;
use crate::scan::{self, ScanEvent, ShardWork};
use crate::shards;
use checkpoint::{Checkpoint, RunIdentity};
use outputs::{FileLimits, Outputs};
use sink::Sink;
use summary::Summary;

/// ListUsers is limited to 30 requests per second per account, and the limit cannot be raised.
const LIST_USERS_QUOTA: u32 = 30;

/// Arguments of `cognito-migrate export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The old pool, read from.
    #[arg(long)]
    pub source_pool_id: String,
    /// The new pool, whose CSV header and rules the files follow.
    #[arg(long)]
    pub target_pool_id: String,
    /// Output folder; must be empty or absent unless --resume.
    #[arg(long)]
    pub out: PathBuf,
    /// Requests per second for the whole run, retries included. ListUsers allows 30 per account
    /// (not adjustable), shared with your production traffic: the default leaves two thirds free.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=LIST_USERS_QUOTA as i64))]
    pub rps: u32,
    /// Concurrent scans (1-16). More than one splits the pool into 16 `sub` prefixes paged in
    /// parallel, so the rate is reached even when one round trip is slow.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
    /// Mapping file (JSON: legacy_sub_attribute, rename, drop, defaults); the trigger reads the same file.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Which users to export.
    #[arg(long, value_enum, default_value_t = Select::All)]
    pub select: Select,
    /// Continue an interrupted export in --out from its checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Retries per request for throttling and transient faults.
    #[arg(long, default_value_t = 8)]
    pub max_retries: usize,
    /// Seconds between progress lines when stderr is not a terminal.
    #[arg(long, default_value_t = 10)]
    pub progress_interval: u64,
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
    /// Finished, but some users are in `rejected.csv`.
    SomeRejected,
    /// Stopped by a signal; `--resume` continues.
    Interrupted,
}

/// Runs an export.
pub async fn run(args: ExportArgs, aws: &AwsArgs) -> anyhow::Result<ExportOutcome> {
    let started = Instant::now();
    let rps = NonZeroU32::new(args.rps).context("--rps must be at least 1")?;
    let pacer = Arc::new(Pacer::new(rps, args.max_retries));
    let source = aws.client(Side::Source).await;
    let target = aws.client(Side::Target).await;

    let mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let import_target = pools::import_target(&target, &pacer, &args.target_pool_id).await?;
    let mapping = resolve_legacy_sub(
        mapping,
        &import_target.header.attribute_columns(),
        &args.target_pool_id,
    );
    let source_pool = pools::describe(&source, &pacer, &args.source_pool_id).await?;
    let identity = RunIdentity {
        source_pool_id: args.source_pool_id.clone(),
        target_pool_id: args.target_pool_id.clone(),
        select: args.select,
        mapping: mapping.clone(),
        header: import_target.header.columns().to_vec(),
    };
    let limits = FileLimits {
        max_rows: args.max_rows_per_file,
        max_bytes: args.max_file_bytes,
    };
    let header_line = import_target.header.line();
    let (checkpoint, outputs) = if args.resume {
        let checkpoint = Checkpoint::load(&args.out)?;
        check_same_run(&checkpoint.run, &identity)?;
        let outputs = Outputs::resume(&args.out, header_line, limits, &checkpoint.files)?;
        (checkpoint, outputs)
    } else {
        ensure_empty(&args.out)?;
        let prefixes = shards::prefixes(args.segments);
        let labels: Vec<String> = prefixes
            .iter()
            .map(|p| shards::label(p).to_string())
            .collect();
        let mut outputs = Outputs::create(&args.out, header_line, limits, &labels)?;
        let checkpoint = Checkpoint::new(identity, prefixes, outputs.sync()?);
        checkpoint.save(&args.out)?;
        (checkpoint, outputs)
    };
    write_mapping(&args.out, &mapping)?;

    let index = match args.select {
        Select::NotInTarget => {
            eprintln!("reading the new pool's users to skip those it already has…");
            let legacy = mapping.legacy_sub_attribute.as_deref();
            scan::index_target(&target, &pacer, &args.target_pool_id, legacy).await?
        }
        _ => select::TargetIndex::default(),
    };
    let classifier = Classifier {
        select: args.select,
        index: &index,
        mapping: &mapping,
        header: &import_target.header,
        rules: &import_target.rules,
    };
    let mut sink = Sink::new(args.out.clone(), outputs, checkpoint, classifier)?;

    let estimate = u64::try_from(source_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new(
        "users",
        estimate,
        Duration::from_secs(args.progress_interval),
    );
    let interrupted = scan_all(&args, &source, &pacer, &mut sink, &mut progress).await;
    progress.finish();
    let interrupted = interrupted?;
    sink.save()?;
    let group_counts = if !interrupted && sink.all_shards_done() {
        let counts =
            groups::export_groups(&source, &pacer, &args.source_pool_id, &args.out).await?;
        sink.record_groups(counts)?;
        counts
    } else {
        sink.checkpoint().groups.unwrap_or_default()
    };

    let checkpoint = sink.checkpoint();
    let counts = &checkpoint.counts;
    assert_eq!(
        counts.seen,
        counts.exported + counts.rejected + counts.skipped,
        "every user is in exactly one output"
    );
    let summary = Summary {
        seen: counts.seen,
        exported: counts.exported,
        rejected: counts.rejected,
        skipped: counts.skipped,
        disabled: counts.disabled,
        groups: group_counts.groups,
        memberships: group_counts.memberships,
        files: &checkpoint.files.users,
        rejected_by_reason: &counts.rejected_by_reason,
        skipped_by_reason: &counts.skipped_by_reason,
        source_pool_id: &args.source_pool_id,
        target_pool_id: &args.target_pool_id,
        select: args.select,
        legacy_sub_attribute: mapping.legacy_sub_attribute.as_deref(),
        requests: pacer.stats(),
        elapsed_seconds: started.elapsed().as_secs_f64(),
        complete: checkpoint.complete && checkpoint.groups.is_some(),
    };
    summary.write(&args.out)?;
    println!("{}", summary.text());
    if interrupted {
        eprintln!("interrupted: continue with the same command and --resume");
        return Ok(ExportOutcome::Interrupted);
    }
    println!("files and summary.json in {}", args.out.display());
    Ok(if counts.rejected > 0 {
        ExportOutcome::SomeRejected
    } else {
        ExportOutcome::AllExported
    })
}

/// Pages every unfinished shard with `--segments` concurrent scans into the sink.
/// Returns whether a signal interrupted the run.
async fn scan_all(
    args: &ExportArgs,
    source: &aws_sdk_cognitoidentityprovider::Client,
    pacer: &Arc<Pacer>,
    sink: &mut Sink<'_>,
    progress: &mut Progress,
) -> anyhow::Result<bool> {
    let work: VecDeque<ShardWork> = sink
        .checkpoint()
        .shards
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.done)
        .map(|(i, s)| (i, s.prefix.clone(), s.next_token.clone()))
        .collect();
    let queue = Arc::new(Mutex::new(work));
    let (events, mut received) = mpsc::channel(usize::from(args.segments) * 2);
    let mut scans = Vec::new();
    for _ in 0..args.segments {
        scans.push(tokio::spawn(scan::scan_shards(
            source.clone(),
            pacer.clone(),
            args.source_pool_id.clone(),
            queue.clone(),
            events.clone(),
        )));
    }
    drop(events);
    let mut stop = std::pin::pin!(crate::signals::stop_requested());
    let result = loop {
        tokio::select! {
            event = received.recv() => match event {
                None => break Ok(false),
                Some(ScanEvent::Page { shard, users, next_token }) => {
                    sink.page(shard, &users, next_token)?;
                    let c = sink.counts();
                    progress.update(c.seen, &format!("(exported {}, rejected {}, skipped {})", c.exported, c.rejected, c.skipped));
                }
                Some(ScanEvent::Restart { shard }) => sink.restart(shard)?,
                Some(ScanEvent::Failed(err)) => {
                    sink.save()?;
                    break Err(err.context(format!(
                        "export stopped; what was read so far is checkpointed in {}: fix the cause, then rerun with --resume",
                        args.out.display()
                    )));
                }
            },
            _ = &mut stop => break Ok(true),
        }
    };
    for scan in scans {
        scan.abort();
    }
    result
}

/// Keeps the legacy-`sub` attribute only when the new pool has it, as the default promises.
fn resolve_legacy_sub(
    mapping: Mapping,
    columns: &std::collections::BTreeSet<String>,
    pool_id: &str,
) -> Mapping {
    match &mapping.legacy_sub_attribute {
        Some(name) if !columns.contains(name) => {
            eprintln!(
                "note: the new pool {pool_id} has no {name} attribute, so old subs are not carried \
                 (add it as a custom attribute to keep them)"
            );
            mapping.without_legacy_sub()
        }
        _ => mapping,
    }
}

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
    if recorded.target_pool_id != now.target_pool_id {
        return Err(differs("--target-pool-id"));
    }
    if recorded.select != now.select {
        return Err(differs("--select"));
    }
    if recorded.mapping != now.mapping {
        return Err(differs("mapping"));
    }
    if recorded.header != now.header {
        return Err(differs(
            "target CSV header (the new pool's attributes changed)",
        ));
    }
    Ok(())
}

fn write_mapping(out: &Path, mapping: &Mapping) -> anyhow::Result<()> {
    let path = out.join("mapping.json");
    std::fs::write(&path, serde_json::to_vec_pretty(mapping)?)
        .with_context(|| format!("cannot write {}", path.display()))
}
