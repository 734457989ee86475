//! `cognito-migrate import`: the `users-NNNN.csv` files of a finished export into the new pool,
//! one Cognito import job per file, one file after another, resumable.
//!
//! Per file ("Creating and running the Amazon Cognito user pool import job"):
//! `CreateUserImportJob` → HTTP PUT of the file to the job's pre-signed URL (valid 15 minutes; on
//! expiry a new job is created) → `StartUserImportJob` → `DescribeUserImportJob` with backoff
//! until Succeeded, Failed, Stopped or Expired. AWS runs one import job per account at a time: a
//! job already active makes the run wait (`--wait`) or stop, naming what is active.
//!
//! Every step is recorded in `import-state.json` before the next one ([`state`]), so a rerun with
//! `--resume` after a crash, `kill -9` or Ctrl-C never imports a succeeded file again and follows
//! a job that is still running. Imported users are `RESET_REQUIRED` (AWS does not import
//! passwords); the trigger migrates the others with their password. Then the e-mail MFA of the
//! users whose e-mail was carried verified is turned on again where AWS allows it ([`email_mfa`]).

pub mod disabled;
pub mod email_mfa;
pub mod inputs;
pub mod job;
pub mod report;
pub mod state;
pub mod upload;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::aws::AwsArgs;
use crate::mapping_file::MappingFile;
use crate::pace::{PaceArgs, ProgressArgs};
use crate::pool_args::{NewPoolArg, OpenPool, PoolRef};
use crate::progress::Progress;
use crate::proven_user::NewPoolUsers;
use crate::signals::StopSignal;
use job::{CreateAnswer, ImportJobs, JobView, StartAnswer};
use state::{FileRecord, ImportState, JobPhase, JobRecord, NextStep};
use upload::{UploadError, Uploader};

/// The pre-signed URL is valid for 15 minutes; a job older than this is not worth uploading to.
const URL_USABLE_FOR: Duration = Duration::from_secs(14 * 60);
/// Jobs created for one file in one run when each one's URL expires before the upload.
const MAX_JOBS_PER_FILE_PER_RUN: usize = 3;
/// First pause while another import job is active; doubles up to [`BUSY_WAIT_MAX`].
const BUSY_WAIT_FIRST: Duration = Duration::from_secs(2);
const BUSY_WAIT_MAX: Duration = Duration::from_secs(60);

/// Arguments of `cognito-migrate import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The new pool, imported into.
    #[command(flatten)]
    pub new: NewPoolArg,
    /// Folder of a finished `cognito-migrate export` (its users-NNNN.csv are imported).
    #[arg(long)]
    pub dir: PathBuf,
    /// IAM role Cognito assumes to log each job's results in CloudWatch Logs: trusts
    /// cognito-idp.amazonaws.com; allows logs:CreateLogGroup, CreateLogStream,
    /// DescribeLogStreams and PutLogEvents on log-group:/aws/cognito/*.
    #[arg(long)]
    pub logs_role_arn: String,
    /// Wait while another import job is active in the account, instead of stopping.
    #[arg(long)]
    pub wait: bool,
    /// Continue the import recorded in DIR/import-state.json.
    #[arg(long)]
    pub resume: bool,
    /// With --resume: give each file whose job failed, stopped or expired one more job (once).
    #[arg(long, requires = "resume")]
    pub retry_failed: bool,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<5, 50>,
    /// How often progress is reported.
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Longest pause between two polls of a running job, in seconds.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_poll_seconds: u64,
}

/// How an import ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Every file's job succeeded with no skipped or failed user.
    AllLanded,
    /// Finished, but some users were skipped or failed, or some file was not imported.
    SomeNotLanded,
    /// Stopped by a signal; `--resume` continues (a running job keeps running meanwhile).
    Interrupted,
}

/// Runs an import.
pub async fn run(args: ImportArgs, aws: &AwsArgs) -> anyhow::Result<ImportOutcome> {
    inputs::ensure_export_complete(&args.dir)?;
    let files = inputs::import_files(&args.dir)?;
    let mut state = if args.resume {
        ImportState::load(&args.dir, &args.new.target_pool_id, &files)?
    } else {
        let path = ImportState::path(&args.dir);
        if path.exists() {
            anyhow::bail!(
                "{} exists: an import from this folder has already run. Pass --resume to continue \
                 it (files whose job succeeded are not imported again)",
                path.display()
            );
        }
        ImportState::new(&args.new.target_pool_id, &files)
    };
    let pacer = args.pace.pacer();
    let OpenPool { client, pool, .. } = args.new.open(aws, &pacer).await?;
    state.save(&args.dir)?;

    // The import carries the legacy id where the export's mapping put it; a disabled user's name
    // already taken is disabled only when its holder carries the old sub there.
    let exported = MappingFile::of_export(None, &args.dir)?.mapping;
    let legacy_id_attribute = exported.legacy_sub_attribute.filter(|legacy| {
        pool.schema_attributes()
            .iter()
            .any(|a| a.name() == Some(legacy.as_str()))
    });
    let mut run = Run {
        args: &args,
        legacy_id_attribute,
        jobs: ImportJobs {
            client: &client,
            pacer: &pacer,
            pool_id: &args.new.target_pool_id,
        },
        uploader: Uploader::new()?,
        stop: StopSignal::listen(),
        busy_wait: BUSY_WAIT_FIRST,
    };
    let mut interrupted = !run.create_disabled_users(&mut state).await?;
    for index in 0..state.files.len() {
        if interrupted {
            break;
        }
        if !run.import_file(&mut state, index).await? {
            interrupted = true;
            break;
        }
    }
    if !interrupted && state.email_mfa.is_none_or(|c| c.restored < c.listed) {
        let new_pool = NewPoolUsers {
            pool: PoolRef {
                client: &client,
                pacer: &pacer,
                pool_id: &args.new.target_pool_id,
            },
            legacy_id_attribute: run.legacy_id_attribute.as_deref(),
        };
        let first = state.email_mfa.is_none();
        state.email_mfa = Some(email_mfa::restore(&new_pool, &args.dir, first).await?);
        state.save(&args.dir)?;
    }
    print!("{}", report::text(&state, pool.name().unwrap_or_default()));
    println!("state in {}", ImportState::path(&args.dir).display());
    if interrupted {
        eprintln!(
            "interrupted: a started import job keeps running in Cognito; rerun the same command \
             with --resume to follow it and import the remaining files"
        );
        return Ok(ImportOutcome::Interrupted);
    }
    Ok(if report::totals(&state).all_landed() {
        ImportOutcome::AllLanded
    } else {
        ImportOutcome::SomeNotLanded
    })
}

/// How many disabled users are created between two saves of the state.
const DISABLED_PER_SAVE: u64 = 50;

/// One run's collaborators.
struct Run<'a> {
    args: &'a ImportArgs,
    /// The new pool's legacy-id attribute, when it has one.
    legacy_id_attribute: Option<String>,
    jobs: ImportJobs<'a>,
    uploader: Uploader,
    stop: StopSignal,
    busy_wait: Duration,
}

impl Run<'_> {
    /// Creates the users of `disabled.csv` disabled, before any import job makes users live.
    /// Returns false when interrupted.
    async fn create_disabled_users(&mut self, state: &mut ImportState) -> anyhow::Result<bool> {
        let skip = state.disabled.done as usize;
        for user in inputs::disabled_users(&self.args.dir)?.skip(skip) {
            if self.stop.requested() {
                state.save(&self.args.dir)?;
                return Ok(false);
            }
            let user = user?;
            let pool = NewPoolUsers {
                pool: PoolRef {
                    client: self.jobs.client,
                    pacer: self.jobs.pacer,
                    pool_id: self.jobs.pool_id,
                },
                legacy_id_attribute: self.legacy_id_attribute.as_deref(),
            };
            let outcome = disabled::create_disabled(&pool, &user).await?;
            let progress = &mut state.disabled;
            progress.done += 1;
            match outcome {
                disabled::DisabledOutcome::Created => progress.created += 1,
                disabled::DisabledOutcome::AlreadyThere => progress.already_there += 1,
                disabled::DisabledOutcome::HeldByAnotherUser(detail) => {
                    progress.held_by_another_user += 1;
                    eprintln!("disabled user {} not applied: {detail}", user.username);
                }
            }
            if progress.done.is_multiple_of(DISABLED_PER_SAVE) {
                state.save(&self.args.dir)?;
            }
        }
        state.save(&self.args.dir)?;
        Ok(true)
    }

    /// Takes one file as far as it can go. Returns false when interrupted.
    async fn import_file(&mut self, state: &mut ImportState, index: usize) -> anyhow::Result<bool> {
        let mut created_this_run = 0;
        loop {
            if self.stop.requested() {
                return Ok(false);
            }
            let file = &state.files[index];
            match file.next_step(self.args.retry_failed) {
                NextStep::Done | NextStep::GiveUp => return Ok(true),
                NextStep::CreateJob => {
                    let url_expired = file.last().is_some_and(|j| j.phase == JobPhase::UrlExpired);
                    if created_this_run >= MAX_JOBS_PER_FILE_PER_RUN
                        || (created_this_run > 0 && !url_expired)
                    {
                        return Ok(true);
                    }
                    if !self.create_job(state, index).await? {
                        return Ok(false);
                    }
                    created_this_run += 1;
                }
                NextStep::Upload => {
                    if !self.upload(state, index).await? {
                        return Ok(false);
                    }
                }
                NextStep::Start => {
                    if !self.start(state, index).await? {
                        return Ok(false);
                    }
                }
                NextStep::Poll => {
                    if !self.poll(state, index).await? {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Creates a job for the file once no import job is active in the pool.
    async fn create_job(&mut self, state: &mut ImportState, index: usize) -> anyhow::Result<bool> {
        loop {
            let Some(active) = self.stop.unless_stopped(self.jobs.active_in_pool()).await else {
                return Ok(false);
            };
            match active? {
                Some(job) => {
                    let why = format!(
                        "import job {} ({}) is {:?} in pool {}",
                        job.job_id, job.job_name, job.phase, self.args.new.target_pool_id
                    );
                    if !self.wait_for_other_job(&why).await? {
                        return Ok(false);
                    }
                }
                None => break,
            }
        }
        let file = &state.files[index];
        let name = job_name(file);
        loop {
            let Some(answer) = self
                .stop
                .unless_stopped(self.jobs.create(&name, &self.args.logs_role_arn))
                .await
            else {
                return Ok(false);
            };
            match answer? {
                CreateAnswer::Created(job) => {
                    state.files[index]
                        .jobs
                        .push(JobRecord::created(job.job_id.clone(), job.job_name));
                    state.save(&self.args.dir)?;
                    eprintln!(
                        "{}: created import job {}",
                        state.files[index].file, job.job_id
                    );
                    return Ok(true);
                }
                CreateAnswer::LimitExceeded(message) => {
                    let why = format!(
                        "CreateUserImportJob answered LimitExceededException ({message}): another \
                         import job is active in this account, or pool {} has used up its quota \
                         of import jobs",
                        self.args.new.target_pool_id
                    );
                    if !self.wait_for_other_job(&why).await? {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Uploads the file to its last job, or marks the job abandoned when its URL has expired.
    async fn upload(&mut self, state: &mut ImportState, index: usize) -> anyhow::Result<bool> {
        let job_id = last_job(&state.files[index]).job_id.clone();
        let Some(view) = self.stop.unless_stopped(self.jobs.describe(&job_id)).await else {
            return Ok(false);
        };
        let view = view?;
        if view.phase != JobPhase::Created {
            return self.record(state, index, &view);
        }
        let path = self.args.dir.join(&state.files[index].file);
        let outcome = match (&view.pre_signed_url, url_is_fresh(&view)) {
            (Some(url), true) => {
                eprintln!(
                    "{}: uploading to import job {job_id}",
                    state.files[index].file
                );
                match self
                    .stop
                    .unless_stopped(self.uploader.put(url, &path))
                    .await
                {
                    None => return Ok(false),
                    Some(outcome) => outcome,
                }
            }
            (None, _) => Err(UploadError::Failed(
                "DescribeUserImportJob returned no PreSignedUrl".into(),
            )),
            (Some(_), false) => Err(UploadError::Expired(
                "the job is older than the URL's 15 minutes".into(),
            )),
        };
        let file = &mut state.files[index];
        let name = file.file.clone();
        let record = file.last_mut().expect("a job to upload to");
        match outcome {
            Ok(()) => record.phase = JobPhase::Uploaded,
            Err(UploadError::Expired(why)) => {
                eprintln!("{name}: {why}; creating a new job");
                record.phase = JobPhase::UrlExpired;
                record.message = Some(format!(
                    "the pre-signed URL expired before the upload: {why}"
                ));
            }
            Err(UploadError::Failed(why)) => {
                eprintln!("{name}: upload failed: {why}");
                record.phase = JobPhase::UploadFailed;
                record.message = Some(format!("upload failed: {why}"));
            }
        }
        state.save(&self.args.dir)?;
        Ok(true)
    }

    /// Starts the file's uploaded job (unless it already started).
    async fn start(&mut self, state: &mut ImportState, index: usize) -> anyhow::Result<bool> {
        let job_id = last_job(&state.files[index]).job_id.clone();
        let Some(view) = self.stop.unless_stopped(self.jobs.describe(&job_id)).await else {
            return Ok(false);
        };
        let view = view?;
        if view.phase != JobPhase::Created {
            return self.record(state, index, &view);
        }
        let Some(answer) = self.stop.unless_stopped(self.jobs.start(&job_id)).await else {
            return Ok(false);
        };
        match answer? {
            StartAnswer::Started(view) => {
                self.busy_wait = BUSY_WAIT_FIRST;
                eprintln!("{}: started import job {job_id}", state.files[index].file);
                self.record(state, index, &view)
            }
            StartAnswer::AccountBusy(message) => {
                let why = format!(
                    "StartUserImportJob answered LimitExceededException ({message}): another import \
                     job is active in this AWS account (in another pool if none shows in pool {}). \
                     Job {job_id} for {} is created and uploaded and starts when you rerun",
                    self.args.new.target_pool_id, state.files[index].file
                );
                self.wait_for_other_job(&why).await
            }
        }
    }

    /// Polls the file's running job with backoff until it ends.
    async fn poll(&mut self, state: &mut ImportState, index: usize) -> anyhow::Result<bool> {
        let job_id = last_job(&state.files[index]).job_id.clone();
        let what = format!("of {} in job {job_id}", state.files[index].file);
        let mut progress = Progress::new(
            "users",
            state.files[index].rows,
            self.args.progress.interval(),
        );
        let max_delay = Duration::from_secs(self.args.max_poll_seconds);
        let mut delay = Duration::from_secs(1).min(max_delay);
        let finished = loop {
            let Some(view) = self.stop.unless_stopped(self.jobs.describe(&job_id)).await else {
                break false;
            };
            let view = match view {
                Ok(view) => view,
                Err(err) => {
                    progress.finish();
                    return Err(err);
                }
            };
            self.record(state, index, &view)?;
            let (imported, skipped, failed) = view.counts;
            progress.update(
                (imported + skipped + failed).max(0) as u64,
                &format!(
                    "{what}: {:?} (imported {imported}, skipped {skipped}, failed {failed})",
                    view.phase
                ),
            );
            if !view.phase.is_active() {
                break true;
            }
            if !self.stop.sleep(delay).await {
                break false;
            }
            delay = (delay * 2).min(max_delay);
        };
        progress.finish();
        if finished {
            let job = last_job(&state.files[index]);
            eprintln!(
                "{}: import job {job_id} {:?} (imported {}, skipped {}, failed {})",
                state.files[index].file, job.phase, job.imported, job.skipped, job.failed
            );
        }
        Ok(finished)
    }

    /// Stores what Cognito said about the file's last job.
    fn record(
        &self,
        state: &mut ImportState,
        index: usize,
        view: &JobView,
    ) -> anyhow::Result<bool> {
        let record = state.files[index].last_mut().expect("a recorded job");
        let before = record.clone();
        view.update(record);
        if *record != before {
            state.save(&self.args.dir)?;
        }
        Ok(true)
    }

    /// Another job is active: stop with `why` and what to do, or (`--wait`) pause before the
    /// caller tries again. Returns false when interrupted while waiting.
    async fn wait_for_other_job(&mut self, why: &str) -> anyhow::Result<bool> {
        if !self.args.wait {
            anyhow::bail!(
                "{why}. AWS runs one import job per account at a time: wait for it to end, then \
                 rerun with --resume, or rerun with --resume --wait to wait for it"
            );
        }
        eprintln!("waiting {} s: {why}", self.busy_wait.as_secs());
        let waited = self.stop.sleep(self.busy_wait).await;
        self.busy_wait = (self.busy_wait * 2).min(BUSY_WAIT_MAX);
        Ok(waited)
    }
}

fn last_job(file: &FileRecord) -> &JobRecord {
    file.last().expect("a recorded job")
}

/// `cognito-migrate-users-0001-2` for the second job of `users-0001.csv`.
fn job_name(file: &FileRecord) -> String {
    let stem = file.file.strip_suffix(".csv").unwrap_or(&file.file);
    format!("cognito-migrate-{stem}-{}", file.jobs.len() + 1)
}

fn url_is_fresh(job: &JobView) -> bool {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    job.created_epoch_seconds
        .is_none_or(|created| now - created < URL_USABLE_FOR.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_names_follow_the_file_and_attempt() {
        let mut file = FileRecord {
            file: "users-0007.csv".into(),
            rows: 1,
            jobs: Vec::new(),
        };
        assert_eq!(job_name(&file), "cognito-migrate-users-0007-1");
        file.jobs
            .push(JobRecord::created("import-a".into(), "x".into()));
        assert_eq!(job_name(&file), "cognito-migrate-users-0007-2");
    }
}
