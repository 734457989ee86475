//! The import-job operations of the new pool, each through the run's pacer: create, describe,
//! start, and find a job that is already active.
//!
//! AWS allows one active import job per account ("Importing users into a user pool"). A pool's
//! own active job shows in `ListUserImportJobs`; a job of another pool in the same account only
//! shows as a `LimitExceededException` when ours is started (the test bed answers so; the API
//! reference lists that error for `CreateUserImportJob`, so it is treated alike there).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{UserImportJobStatusType, UserImportJobType};
use aws_smithy_runtime_api::http::Response as HttpResponse;

use super::state::{JobPhase, JobRecord};
use crate::errors::explain;
use crate::pacer::Pacer;

/// The error code of "another import job is active in this account".
const ACCOUNT_BUSY: &str = "LimitExceededException";
/// ListUserImportJobs allows at most 60 per page.
const LIST_PAGE: i32 = 60;

/// What Cognito said about a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobView {
    /// Job id.
    pub job_id: String,
    /// Job name.
    pub job_name: String,
    /// Its status.
    pub phase: JobPhase,
    /// Pre-signed upload URL (a credential for 15 minutes: never printed).
    pub pre_signed_url: Option<String>,
    /// Seconds since the epoch when it was created.
    pub created_epoch_seconds: Option<i64>,
    /// Users imported, skipped, failed.
    pub counts: (i64, i64, i64),
    /// Completion message.
    pub message: Option<String>,
}

impl JobView {
    /// Copies status, counts and message into the job's record (keeps a local `Uploaded`
    /// while Cognito still says Created).
    pub fn update(&self, record: &mut JobRecord) {
        if !(self.phase == JobPhase::Created && record.phase == JobPhase::Uploaded) {
            record.phase = self.phase;
        }
        (record.imported, record.skipped, record.failed) = self.counts;
        if self.message.is_some() {
            record.message.clone_from(&self.message);
        }
    }
}

fn phase_of(status: Option<&UserImportJobStatusType>) -> anyhow::Result<JobPhase> {
    Ok(match status {
        Some(UserImportJobStatusType::Created) => JobPhase::Created,
        Some(UserImportJobStatusType::Pending) => JobPhase::Pending,
        Some(UserImportJobStatusType::InProgress) => JobPhase::InProgress,
        Some(UserImportJobStatusType::Stopping) => JobPhase::Stopping,
        Some(UserImportJobStatusType::Stopped) => JobPhase::Stopped,
        Some(UserImportJobStatusType::Failed) => JobPhase::Failed,
        Some(UserImportJobStatusType::Succeeded) => JobPhase::Succeeded,
        Some(UserImportJobStatusType::Expired) => JobPhase::Expired,
        other => anyhow::bail!(
            "Cognito reported an import job status this version does not know ({other:?}); \
             upgrade cognito-migrate"
        ),
    })
}

fn view(job: Option<UserImportJobType>, operation: &str) -> anyhow::Result<JobView> {
    let job = job.ok_or_else(|| anyhow::anyhow!("{operation} returned no UserImportJob"))?;
    Ok(JobView {
        job_id: job.job_id().unwrap_or_default().to_string(),
        job_name: job.job_name().unwrap_or_default().to_string(),
        phase: phase_of(job.status())?,
        pre_signed_url: job.pre_signed_url().map(str::to_string),
        created_epoch_seconds: job.creation_date().map(|d| d.secs()),
        counts: (job.imported_users, job.skipped_users, job.failed_users),
        message: job.completion_message().map(str::to_string),
    })
}

/// The answer to "start this job".
#[derive(Debug)]
pub enum StartAnswer {
    /// Started; its new status.
    Started(JobView),
    /// Refused because another import job is active in the account (Cognito's message).
    AccountBusy(String),
}

/// The answer to "create a job".
#[derive(Debug)]
pub enum CreateAnswer {
    /// Created.
    Created(JobView),
    /// Refused with LimitExceededException (Cognito's message): another job is active in the
    /// account, or the pool has used up its quota of import jobs.
    LimitExceeded(String),
}

fn account_busy<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    (err.code() == Some(ACCOUNT_BUSY)).then(|| err.message().unwrap_or_default().to_string())
}

/// The import jobs of one pool.
pub struct ImportJobs<'a> {
    /// Client of the new pool.
    pub client: &'a Client,
    /// The run's pacer.
    pub pacer: &'a Pacer,
    /// The new pool.
    pub pool_id: &'a str,
}

impl ImportJobs<'_> {
    /// CreateUserImportJob.
    pub async fn create(
        &self,
        job_name: &str,
        logs_role_arn: &str,
    ) -> anyhow::Result<CreateAnswer> {
        let answer = self
            .pacer
            .call(|| {
                self.client
                    .create_user_import_job()
                    .user_pool_id(self.pool_id)
                    .job_name(job_name)
                    .cloud_watch_logs_role_arn(logs_role_arn)
                    .send()
            })
            .await;
        match answer {
            Ok(output) => Ok(CreateAnswer::Created(view(
                output.user_import_job,
                "CreateUserImportJob",
            )?)),
            Err(err) => match account_busy(&err) {
                Some(message) => Ok(CreateAnswer::LimitExceeded(message)),
                None => Err(explain("CreateUserImportJob", self.pool_id, err)),
            },
        }
    }

    /// DescribeUserImportJob.
    pub async fn describe(&self, job_id: &str) -> anyhow::Result<JobView> {
        let output = self
            .pacer
            .call(|| {
                self.client
                    .describe_user_import_job()
                    .user_pool_id(self.pool_id)
                    .job_id(job_id)
                    .send()
            })
            .await
            .map_err(|e| explain("DescribeUserImportJob", self.pool_id, e))?;
        view(output.user_import_job, "DescribeUserImportJob")
    }

    /// StartUserImportJob.
    pub async fn start(&self, job_id: &str) -> anyhow::Result<StartAnswer> {
        let answer = self
            .pacer
            .call(|| {
                self.client
                    .start_user_import_job()
                    .user_pool_id(self.pool_id)
                    .job_id(job_id)
                    .send()
            })
            .await;
        match answer {
            Ok(output) => Ok(StartAnswer::Started(view(
                output.user_import_job,
                "StartUserImportJob",
            )?)),
            Err(err) => match account_busy(&err) {
                Some(message) => Ok(StartAnswer::AccountBusy(message)),
                None => Err(explain("StartUserImportJob", self.pool_id, err)),
            },
        }
    }

    /// The pool's job that is Pending, InProgress or Stopping, if any (ListUserImportJobs, paged).
    pub async fn active_in_pool(&self) -> anyhow::Result<Option<JobView>> {
        let mut token: Option<String> = None;
        loop {
            let page = self
                .pacer
                .call(|| {
                    self.client
                        .list_user_import_jobs()
                        .user_pool_id(self.pool_id)
                        .max_results(LIST_PAGE)
                        .set_pagination_token(token.clone())
                        .send()
                })
                .await
                .map_err(|e| explain("ListUserImportJobs", self.pool_id, e))?;
            for job in page.user_import_jobs() {
                let job = view(Some(job.clone()), "ListUserImportJobs")?;
                if job.phase.is_active() {
                    return Ok(Some(job));
                }
            }
            token = page.pagination_token.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_uploaded_phase_survives_until_cognito_moves_on() {
        let mut record = JobRecord::created("import-a".into(), "a".into());
        record.phase = JobPhase::Uploaded;
        let mut seen = JobView {
            job_id: "import-a".into(),
            job_name: "a".into(),
            phase: JobPhase::Created,
            pre_signed_url: None,
            created_epoch_seconds: None,
            counts: (0, 0, 0),
            message: None,
        };
        seen.update(&mut record);
        assert_eq!(record.phase, JobPhase::Uploaded);
        seen.phase = JobPhase::Succeeded;
        seen.counts = (2, 1, 0);
        seen.update(&mut record);
        assert_eq!(
            (record.phase, record.imported, record.skipped),
            (JobPhase::Succeeded, 2, 1)
        );
    }
}
