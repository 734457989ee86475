//! `cognito-migrate canary`: evidence from the real service before the real import. A sample of
//! the export is imported into a scratch copy of the new pool, and what AWS did is read back and
//! compared, field by field, with what the files mean.
//!
//! Steps: remove leftover scratch pools of earlier runs ([`scratch_pool::remove_leftovers`]);
//! choose the sample ([`sample`], written by [`sample_file`]); create the scratch pool; check its
//! `GetCSVHeader` is the export's header; run one import job of the sample (the `import`
//! command's job and upload code); read each line's fate from CloudWatch Logs ([`job_log`]) and
//! each created user with `AdminGetUser`; compare ([`compare`]); delete the scratch pool — after
//! success, a failure or Ctrl-C alike — and print the report ([`report`]).
//!
//! The new pool itself is only read (`DescribeUserPool`, `GetUserPoolMfaConfig`), as `new-pool`
//! reads a pool ([`crate::new_pool_template::reader`]). Imported users never sign in, so they
//! are no monthly active users; import jobs cost nothing.
//!
//! With `--ask-user-auth USER` the canary asks the real service another question instead, with one
//! sign-in of a test user to the new pool: whether the migration trigger fires under `USER_AUTH`
//! with the `PASSWORD` choice ([`user_auth_probe`]).

pub mod compare;
pub mod job_log;
pub mod report;
pub mod sample;
pub mod sample_file;
pub mod scratch_pool;
pub mod user_auth_probe;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;

use crate::aws::{AwsArgs, Side};
use crate::errors::explain;
use crate::import::inputs;
use crate::import::job::{CreateAnswer, ImportJobs, JobView, StartAnswer};
use crate::import::upload::Uploader;
use crate::new_pool_template::reader;
use crate::pace::PaceArgs;
use crate::pacer::Pacer;
use crate::pool_args::{NewPoolArg, OpenPool};
use crate::signals::StopSignal;
use crate::user_lookup::admin_get_user;
use compare::{FileUser, PoolUser, compare};
use report::{CanaryReport, RowReport};
use sample_file::Sample;
use scratch_pool::ScratchPool;
use user_auth_probe::ProbeArgs;

/// The import job's name in the scratch pool.
const JOB_NAME: &str = "cognito-migrate-canary";
/// Longest pause between two polls of the job.
const MAX_POLL: Duration = Duration::from_secs(10);

/// Arguments of `cognito-migrate canary`.
#[derive(Debug, clap::Args)]
pub struct CanaryArgs {
    /// The new pool, whose import settings the scratch pool copies (only read, never written;
    /// --ask-user-auth signs a test user in to it).
    #[command(flatten)]
    pub new: NewPoolArg,
    /// Folder of a `cognito-migrate export` (its users-NNNN.csv are sampled; the sample is written
    /// there as canary-sample.csv).
    #[arg(
        long,
        required_unless_present = "ask_user_auth",
        conflicts_with = "ask_user_auth"
    )]
    pub dir: Option<PathBuf>,
    /// IAM role Cognito assumes to log the job's results in CloudWatch Logs (the import's role).
    #[arg(
        long,
        required_unless_present = "ask_user_auth",
        conflicts_with = "ask_user_auth"
    )]
    pub logs_role_arn: Option<String>,
    /// Random rows imported on top of the rows that cover every kind of value.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1000))]
    pub sample: u64,
    /// Seed of the random rows (default: the clock; the report prints it, so a run can be
    /// repeated exactly).
    #[arg(long, conflicts_with = "ask_user_auth")]
    pub seed: Option<u64>,
    /// The USER_AUTH question, asked instead of importing a sample.
    #[command(flatten)]
    pub probe: ProbeArgs,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<5, 30>,
}

/// How a canary ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanaryOutcome {
    /// Every sampled line imported and every value read back as the file meant it; with
    /// `--ask-user-auth`, the question answered (yes or no).
    Clean,
    /// Some line would fail, or some value would change.
    Differences,
    /// Stopped by a signal (the scratch pool was deleted).
    Interrupted,
}

/// Runs the canary.
pub async fn run(args: CanaryArgs, aws: &AwsArgs) -> anyhow::Result<CanaryOutcome> {
    if let Some(username) = args.probe.ask_user_auth.as_deref() {
        let pacer = args.pace.pacer();
        user_auth_probe::run(&args.probe, username, &args.new, aws, &pacer).await?;
        return Ok(CanaryOutcome::Clean);
    }
    let (Some(dir), Some(role)) = (&args.dir, &args.logs_role_arn) else {
        anyhow::bail!("canary needs --dir and --logs-role-arn (or --ask-user-auth)");
    };
    let files: Vec<String> = inputs::import_files(dir)?
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let seed = args.seed.unwrap_or(now);
    let sample = sample_file::write_sample(dir, &files, args.sample as usize, seed)?;
    if sample.rows.is_empty() {
        anyhow::bail!(
            "the users files in {} hold no rows: there is nothing to import",
            dir.display()
        );
    }
    eprintln!(
        "sample: {} of {} rows, seed {seed}, in {}",
        sample.rows.len(),
        sample.rows_in_export,
        sample.path.display()
    );

    let pacer = args.pace.pacer();
    let target_id = args.new.target_pool_id.as_str();
    let OpenPool { client, pool, .. } = args.new.open(aws, &pacer).await?;
    let logs =
        aws_sdk_cloudwatchlogs::Client::new(&aws.sdk_config(Side::Target, Some(target_id)).await);
    let settings = reader::PoolSettings {
        pool,
        mfa: crate::pools::mfa_config(&client, &pacer, target_id).await?,
    };
    let target = &settings.pool;
    let mut stop = StopSignal::listen();
    scratch_pool::remove_leftovers(&client, &pacer, target_id).await?;
    let name = scratch_pool::scratch_name(now as i64);
    let scratch = scratch_pool::create(&client, &pacer, target_id, &settings, &name).await?;
    eprintln!(
        "created scratch pool {} ({name}), a copy of {target_id}",
        scratch.id
    );

    let trial = Trial {
        client: &client,
        logs: &logs,
        pacer: &pacer,
        role,
        target,
        scratch: &scratch,
        sample: &sample,
        seed,
    };
    let ended = if stop.requested() {
        Ended::Interrupted
    } else {
        let mut inner = stop.clone();
        match stop.unless_stopped(trial.run(&mut inner)).await {
            None | Some(Ok(None)) => Ended::Interrupted,
            Some(Ok(Some(report))) => Ended::Report(Box::new(report)),
            Some(Err(err)) => Ended::Failed(err),
        }
    };
    let deleted = scratch.delete(&client, &pacer).await;
    if deleted.is_ok() {
        eprintln!("deleted scratch pool {}", scratch.id);
    }
    match ended {
        Ended::Failed(err) => {
            if let Err(cleanup) = deleted {
                eprintln!("error: {cleanup:#}");
            }
            Err(err)
        }
        Ended::Interrupted => {
            deleted?;
            eprintln!("interrupted: nothing was imported into {target_id}");
            Ok(CanaryOutcome::Interrupted)
        }
        Ended::Report(report) => {
            print!("{}", report::text(&report));
            deleted?;
            Ok(if report.clean() {
                CanaryOutcome::Clean
            } else {
                CanaryOutcome::Differences
            })
        }
    }
}

/// How the work in the scratch pool ended (it is deleted in every case).
enum Ended {
    /// Read back and compared.
    Report(Box<CanaryReport>),
    /// A step failed.
    Failed(anyhow::Error),
    /// Ctrl-C or SIGTERM.
    Interrupted,
}

/// One import of the sample into the scratch pool, read back.
struct Trial<'a> {
    client: &'a Client,
    logs: &'a aws_sdk_cloudwatchlogs::Client,
    pacer: &'a Pacer,
    role: &'a str,
    target: &'a UserPoolType,
    scratch: &'a ScratchPool,
    sample: &'a Sample,
    seed: u64,
}

impl Trial<'_> {
    /// The report, or `None` when a stop was requested during a wait.
    async fn run(&self, stop: &mut StopSignal) -> anyhow::Result<Option<CanaryReport>> {
        self.check_header().await?;
        let jobs = ImportJobs {
            client: self.client,
            pacer: self.pacer,
            pool_id: &self.scratch.id,
        };
        let Some(job) = self.import(&jobs, stop).await? else {
            return Ok(None);
        };
        let group = job_log::log_group(&self.scratch.id, &self.scratch.name);
        let stream = job_log::log_stream(&job.job_id, &job.job_name);
        let (imported, skipped, failed) = job.counts;
        let expected = (imported + skipped + failed).max(0) as u64;
        let Some(lines) =
            job_log::read_results(self.logs, self.pacer, stop, &group, &stream, expected).await?
        else {
            return Ok(None);
        };
        let signs_in_by_attribute = !self.target.username_attributes().is_empty();
        let mut rows = Vec::with_capacity(self.sample.rows.len());
        for (index, row) in self.sample.rows.iter().enumerate() {
            let file = FileUser::read(&self.sample.header, &row.text);
            let line = lines.get(&(index as u64 + 2));
            let pool = self.pool_user(&file.username).await?;
            rows.push(RowReport {
                row: row.clone(),
                username: file.username.clone(),
                findings: compare(&file, line, pool.as_ref(), signs_in_by_attribute),
            });
        }
        Ok(Some(CanaryReport {
            target_id: self.target.id().unwrap_or_default().to_string(),
            scratch_id: self.scratch.id.clone(),
            scratch_name: self.scratch.name.clone(),
            rows_in_export: self.sample.rows_in_export,
            sample_path: self.sample.path.clone(),
            seed: self.seed,
            job,
            log_lines: lines.len() as u64,
            log_group: group,
            rows,
        }))
    }

    /// The scratch pool's CSV header must hold the export's columns, or the copy is incomplete
    /// (or the export was written for another pool).
    async fn check_header(&self) -> anyhow::Result<()> {
        let mut columns = self
            .pacer
            .call(|| {
                self.client
                    .get_csv_header()
                    .user_pool_id(&self.scratch.id)
                    .send()
            })
            .await
            .map_err(|e| explain("GetCSVHeader", &self.scratch.id, e))?
            .csv_header
            .unwrap_or_default();
        let mut export = self.sample.header.columns().to_vec();
        columns.sort();
        export.sort();
        if columns != export {
            let missing: Vec<&String> = export.iter().filter(|c| !columns.contains(c)).collect();
            let extra: Vec<&String> = columns.iter().filter(|c| !export.contains(c)).collect();
            anyhow::bail!(
                "the scratch copy of {} has other CSV columns than the export (export only: \
                 {missing:?}; pool only: {extra:?}): the export was written for another pool, or \
                 the new pool has changed since; export again for this pool",
                self.target.id().unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Creates, uploads, starts and follows the import job; `None` when stopped.
    async fn import(
        &self,
        jobs: &ImportJobs<'_>,
        stop: &mut StopSignal,
    ) -> anyhow::Result<Option<JobView>> {
        let busy = |message: String| {
            anyhow::anyhow!(
                "another import job is active in this AWS account ({message}); AWS runs one at a \
                 time: run the canary when no import is running"
            )
        };
        let job = match jobs.create(JOB_NAME, self.role).await? {
            CreateAnswer::Created(job) => job,
            CreateAnswer::LimitExceeded(message) => return Err(busy(message)),
        };
        let url = jobs
            .describe(&job.job_id)
            .await?
            .pre_signed_url
            .ok_or_else(|| anyhow::anyhow!("DescribeUserImportJob returned no PreSignedUrl"))?;
        Uploader::new()?
            .put(&url, &self.sample.path)
            .await
            .map_err(|e| anyhow::anyhow!("uploading {}: {e}", self.sample.path.display()))?;
        let mut view = match jobs.start(&job.job_id).await? {
            StartAnswer::Started(view) => view,
            StartAnswer::AccountBusy(message) => return Err(busy(message)),
        };
        eprintln!("started import job {} in the scratch pool", job.job_id);
        let mut delay = Duration::from_secs(1);
        while view.phase.is_active() {
            if !stop.sleep(delay).await {
                return Ok(None);
            }
            delay = (delay * 2).min(MAX_POLL);
            view = jobs.describe(&job.job_id).await?;
        }
        Ok(Some(view))
    }

    /// The user as the scratch pool holds it, if it is there.
    async fn pool_user(&self, username: &str) -> anyhow::Result<Option<PoolUser>> {
        let Some(user) =
            admin_get_user(self.client, self.pacer, &self.scratch.id, username).await?
        else {
            return Ok(None);
        };
        Ok(Some(PoolUser {
            username: user.username().to_string(),
            attributes: user
                .user_attributes()
                .iter()
                .map(|a| {
                    (
                        a.name().to_string(),
                        a.value().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            mfa_enabled: !user.user_mfa_setting_list().is_empty() || !user.mfa_options().is_empty(),
        }))
    }
}
