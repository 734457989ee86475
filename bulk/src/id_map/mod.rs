//! `cognito-migrate id-map`: the old `sub` → new `sub` of every migrated user, with both user
//! names, for apps whose data is keyed on `sub` (every migrated user gets a new one; the old one
//! stays in the new pool as the legacy id).
//!
//! A new-pool user is an old user only by its legacy id ([`shared::identity`]): a row is written
//! for a new-pool user whose legacy id is the `sub` of a user of the old pool, and of no other
//! new-pool user (see `map_file`). New-pool users with a legacy id that no old user has, or that
//! several carry, are counted and, with `--unmapped`, listed; users without one (signed up in the
//! new pool) are counted.
//!
//! The old pool is read first into `old-users.csv` and indexed on disk (`old_users`), then the
//! new pool is read, each user with a legacy id recorded in `rows.csv` (`rows`), then the map is
//! written sorted (`map_file`). Memory stays flat: every per-user table is on disk
//! ([`crate::disk_table`]). Both reads go through [`scan::each_user`] and the run's pacer.
//! `--resume` (`state`) keeps the old pool once read whole, and the rows recorded: the new pool
//! is read again from the start and only users not yet recorded are added.

mod map_file;
mod old_users;
mod rows;
mod state;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::identity::NO_LEGACY_ID_FIX;

use crate::aws::AwsArgs;
use crate::pace::ScanArgs;
use crate::pacer::Pacer;
use crate::pool_args::{OpenPair, PoolPair};
use crate::progress::Progress;
use crate::scan;
use map_file::MapCounts;
use old_users::OldUsers;
use rows::Written;
use state::{AppendFile, Checkpoint, OLD_USERS, ROWS, RunIdentity, Trusted};

/// How often the checkpoint is rewritten while the new pool is read.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Arguments of `cognito-migrate id-map`.
#[derive(Debug, clap::Args)]
pub struct IdMapArgs {
    /// The old pool, the new pool, and the mapping (its legacy_sub_attribute names where the
    /// old sub is kept).
    #[command(flatten)]
    pub pools: PoolPair,
    /// The map to write (CSV `old_sub,new_sub,old_username,new_username`, sorted by old_sub),
    /// replaced whole once complete. The run's state is kept in `<out>.state/` until then.
    #[arg(long)]
    pub out: PathBuf,
    /// Also list the new-pool users with a legacy id that are not mapped in this CSV
    /// (`new_sub,new_username,legacy_id,reason`; reason no-old-user or legacy-id-shared).
    #[arg(long, value_name = "PATH")]
    pub unmapped: Option<PathBuf>,
    /// Pace, progress and concurrent scans.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Continue an interrupted run from `<out>.state/`: the old pool is not read again once it
    /// was read whole, and the new-pool users recorded are kept.
    #[arg(long)]
    pub resume: bool,
}

/// How an `id-map` run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdMapOutcome {
    /// The map is written.
    Written,
    /// Stopped by a signal; `--resume` continues.
    Interrupted,
}

/// One pool as a read needs it.
struct PoolRead<'a> {
    client: &'a Client,
    pool_id: &'a str,
    estimate: u64,
}

/// What the read of the new pool counted.
#[derive(Debug, Default)]
struct NewPoolCounts {
    read: u64,
    without_legacy_id: u64,
}

/// Writes the map (see the module's documentation).
pub async fn run(args: IdMapArgs, aws: &AwsArgs) -> anyhow::Result<IdMapOutcome> {
    anyhow::ensure!(
        args.out != std::path::Path::new("-"),
        "--out needs a file: the map is sorted on disk and put in place whole when complete"
    );
    crate::writable::file("--out", &args.out)?;
    if let Some(path) = &args.unmapped {
        crate::writable::file("--unmapped", path)?;
    }
    let pacer = Arc::new(args.scan.pace.pacer());
    let open = args.pools.open(aws, &pacer).await?;
    let legacy = legacy_id_attribute(&open)?;
    let (source, old_pool) = (open.old.client, open.old.pool);
    let (target, new_pool) = (open.new.client, open.new.pool);
    let run = RunIdentity {
        source_pool_id: args.pools.old.source_pool_id.clone(),
        target_pool_id: args.pools.new.target_pool_id.clone(),
        legacy_sub_attribute: legacy.clone(),
    };
    let dir = state::folder(&args.out);
    let mut checkpoint = match args.resume {
        true => Checkpoint::resume(&dir, &run)?,
        false => Checkpoint::start(&dir, run)?,
    };
    let mut stop = std::pin::pin!(crate::signals::stop_requested());

    let old_trusted = match checkpoint.old_users {
        Some(trusted) => {
            eprintln!(
                "the old pool {} was read by the interrupted run: {} users",
                args.pools.old.source_pool_id, trusted.records
            );
            trusted
        }
        None => {
            let old = PoolRead {
                client: &source,
                pool_id: &args.pools.old.source_pool_id,
                estimate: estimate(&old_pool),
            };
            let file = dir.join(OLD_USERS);
            let Some(trusted) = read_old_pool(&args, &pacer, old, &file, &mut stop).await? else {
                return Ok(interrupted());
            };
            checkpoint.old_users = Some(trusted);
            checkpoint.save(&dir)?;
            trusted
        }
    };
    let old_users = OldUsers::load(&dir.join(OLD_USERS), old_trusted)?;

    let rows_path = dir.join(ROWS);
    let mut rows = AppendFile::open(&rows_path, checkpoint.rows)?;
    let written = Written::load(&rows_path, checkpoint.rows)?;
    let new = PoolRead {
        client: &target,
        pool_id: &args.pools.new.target_pool_id,
        estimate: estimate(&new_pool),
    };
    let mut recorder = Recorder {
        legacy: &legacy,
        old_users: &old_users,
        written: &written,
        rows: &mut rows,
        checkpoint: &mut checkpoint,
        dir: &dir,
        counts: NewPoolCounts::default(),
        recorded: 0,
        last_save: Instant::now(),
    };
    let read = read_new_pool(&args, &pacer, new, &mut recorder, &mut stop).await;
    let counts = std::mem::take(&mut recorder.counts);
    recorder.save()?;
    if !read? {
        return Ok(interrupted());
    }
    let map = map_file::write(
        &rows_path,
        checkpoint.rows,
        &args.out,
        args.unmapped.as_deref(),
    )?;
    std::fs::remove_dir_all(&dir).map_err(|e| {
        anyhow::anyhow!(
            "the map is written, but {} is not removed: {e}; delete it",
            dir.display()
        )
    })?;
    println!("{}", summary(&args, old_users.len(), &counts, &map));
    Ok(IdMapOutcome::Written)
}

fn interrupted() -> IdMapOutcome {
    eprintln!("interrupted: continue with the same command and --resume");
    IdMapOutcome::Interrupted
}

fn estimate(pool: &UserPoolType) -> u64 {
    u64::try_from(pool.estimated_number_of_users()).unwrap_or(0)
}

/// The attribute the new pool keeps the old `sub` in: a mapping that sets it to null stops the
/// run before any user is read (a new pool without it already did, in [`PoolPair::open`]).
fn legacy_id_attribute(open: &OpenPair) -> anyhow::Result<String> {
    open.mapping.legacy_sub_attribute.clone().ok_or_else(|| {
        anyhow::anyhow!(
            "{} sets legacy_sub_attribute to null, so id-map can tie no user of {} to an old one: \
             {NO_LEGACY_ID_FIX}",
            open.file.origin,
            open.new.id
        )
    })
}

/// Runs `read` unless a stop is requested first (then `None`).
async fn unless_stopped<T>(
    read: impl Future<Output = T>,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> Option<T> {
    tokio::select! {
        done = read => Some(done),
        _ = stop => None,
    }
}

/// Reads every old user's `sub` and name into `file`, from the start; returns its length once
/// complete and synced, or `None` when a stop was requested (the next run reads it again).
async fn read_old_pool(
    args: &IdMapArgs,
    pacer: &Arc<Pacer>,
    old: PoolRead<'_>,
    file: &std::path::Path,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> anyhow::Result<Option<Trusted>> {
    eprintln!("reading the old pool {}…", old.pool_id);
    let mut out = AppendFile::open(file, Trusted::default())?;
    let mut progress = Progress::new(
        "old-pool users",
        old.estimate,
        args.scan.progress.interval(),
    );
    let mut users = 0;
    let mut failure = None;
    let read = scan::each_user(old.client, pacer, old.pool_id, args.scan.segments, |user| {
        users += 1;
        progress.update(users, "read");
        if failure.is_none()
            && let Some(record) = old_users::state_record(user)
            && let Err(e) = out.append(&record)
        {
            failure = Some(e);
        }
    });
    let read = unless_stopped(read, stop).await;
    progress.finish();
    let Some(read) = read else {
        return Ok(None);
    };
    read.map_err(|e| {
        e.context(format!(
            "reading the old pool {} failed; run again",
            old.pool_id
        ))
    })?;
    if let Some(e) = failure {
        anyhow::bail!("cannot write {}: {e}", file.display());
    }
    let trusted = out
        .sync()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
    eprintln!("{} old users read", trusted.records);
    Ok(Some(trusted))
}

/// Records the new pool's users with a legacy id in `rows.csv` as they are read, checkpointing
/// every [`CHECKPOINT_EVERY`].
struct Recorder<'a> {
    legacy: &'a str,
    old_users: &'a OldUsers,
    /// Users recorded by an interrupted run.
    written: &'a Written,
    rows: &'a mut AppendFile,
    checkpoint: &'a mut Checkpoint,
    dir: &'a std::path::Path,
    counts: NewPoolCounts,
    /// Users with a legacy id, recorded now or before.
    recorded: u64,
    last_save: Instant,
}

impl Recorder<'_> {
    fn add(
        &mut self,
        user: &aws_sdk_cognitoidentityprovider::types::UserType,
    ) -> anyhow::Result<()> {
        self.counts.read += 1;
        let Some(legacy_id) = rows::legacy_id(user, self.legacy) else {
            self.counts.without_legacy_id += 1;
            return Ok(());
        };
        self.recorded += 1;
        if self.written.contains(user.username().unwrap_or_default())? {
            return Ok(());
        }
        let old_username = self.old_users.user_name(legacy_id)?;
        let record = rows::state_record(user, legacy_id, old_username.as_deref());
        self.rows
            .append(&record)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.dir.join(ROWS).display()))?;
        if self.last_save.elapsed() >= CHECKPOINT_EVERY {
            self.save()?;
        }
        Ok(())
    }

    /// Syncs `rows.csv`, then saves the checkpoint that counts its records (in that order).
    fn save(&mut self) -> anyhow::Result<()> {
        self.checkpoint.rows = self
            .rows
            .sync()
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.dir.join(ROWS).display()))?;
        self.checkpoint.save(self.dir)?;
        self.last_save = Instant::now();
        Ok(())
    }
}

/// Reads the whole new pool into `recorder`; false when a stop was requested first.
async fn read_new_pool(
    args: &IdMapArgs,
    pacer: &Arc<Pacer>,
    new: PoolRead<'_>,
    recorder: &mut Recorder<'_>,
    stop: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
) -> anyhow::Result<bool> {
    eprintln!("reading the new pool {}…", new.pool_id);
    let mut progress = Progress::new(
        "new-pool users",
        new.estimate,
        args.scan.progress.interval(),
    );
    let mut failure = None;
    let read = scan::each_user(new.client, pacer, new.pool_id, args.scan.segments, |user| {
        if failure.is_some() {
            return;
        }
        failure = recorder.add(user).err();
        let status = format!("read, {} with a legacy id", recorder.recorded);
        progress.update(recorder.counts.read, &status);
    });
    let read = unless_stopped(read, stop).await;
    progress.finish();
    let Some(read) = read else {
        return Ok(false);
    };
    read.map_err(|e| {
        e.context(format!(
            "reading the new pool {} failed; the users recorded so far are kept: fix the cause, \
             then rerun with --resume",
            new.pool_id
        ))
    })?;
    failure.map_or(Ok(true), Err)
}

/// The summary printed at the end.
fn summary(args: &IdMapArgs, old_users: u64, new: &NewPoolCounts, map: &MapCounts) -> String {
    let listed = match &args.unmapped {
        Some(path) => format!("listed in {}", path.display()),
        None => "list them with --unmapped FILE".to_string(),
    };
    format!(
        "id-map of {} ({old_users} users) to {} ({} users): {}\n  \
         mapped                                  {}\n  \
         legacy id of no old user                {} ({listed})\n  \
         legacy id carried by several new users  {} (not mapped: {listed})\n  \
         new users without a legacy id           {} (signed up in the new pool: no old id)",
        args.pools.old.source_pool_id,
        args.pools.new.target_pool_id,
        new.read,
        args.out.display(),
        map.mapped,
        map.no_old_user,
        map.legacy_id_shared,
        new.without_legacy_id,
    )
}
