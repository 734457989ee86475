//! `import-state.json`: every import job each file has had and where it stands, written
//! atomically after every change, so a rerun with `--resume` never imports a file twice.
//!
//! A file's last job decides what happens next ([`FileRecord::next_step`]): a succeeded file is
//! done; a job that is still running is polled again; a job that never started is resumed or
//! replaced; a job that failed, stopped or expired is reported, and replaced once at most, only
//! when the operator asks (`--retry-failed`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::atomic_json;
use serde::{Deserialize, Serialize};

/// Name of the state file inside the export folder.
pub const STATE_FILE: &str = "import-state.json";
const VERSION: u32 = 1;

/// How many jobs that ended Failed, Stopped or Expired a file may have: the first, plus one retry.
pub const MAX_FAILED_JOBS: usize = 2;

/// Where one import job stands: Cognito's status, or a local phase before the job started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobPhase {
    /// Created; the file is not uploaded yet.
    Created,
    /// Created and the file uploaded; not started yet.
    Uploaded,
    /// The upload gave up; the job was never started and nothing was imported.
    UploadFailed,
    /// The pre-signed URL expired before the upload; the job was abandoned unstarted.
    UrlExpired,
    /// Started, not importing yet.
    Pending,
    /// Importing.
    InProgress,
    /// Stopping after StopUserImportJob.
    Stopping,
    /// Every line was processed (some may have been skipped or failed).
    Succeeded,
    /// The job failed as a whole.
    Failed,
    /// Stopped before the end.
    Stopped,
    /// Not started in time; Cognito expired it.
    Expired,
}

impl JobPhase {
    /// True while Cognito counts the job as the account's one active import job.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            JobPhase::Pending | JobPhase::InProgress | JobPhase::Stopping
        )
    }

    /// True for the final states in which some users of the file did not get imported by it.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            JobPhase::Failed | JobPhase::Stopped | JobPhase::Expired
        )
    }
}

/// One import job of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Cognito's job id (`import-…`).
    pub job_id: String,
    /// The job name we gave it (part of its CloudWatch log stream name).
    pub job_name: String,
    /// Where it stands.
    pub phase: JobPhase,
    /// Users imported.
    pub imported: i64,
    /// Users skipped (already in the pool).
    pub skipped: i64,
    /// Users that failed.
    pub failed: i64,
    /// Cognito's completion message, or why the upload failed.
    pub message: Option<String>,
}

impl JobRecord {
    /// A job just created.
    pub fn created(job_id: String, job_name: String) -> JobRecord {
        JobRecord {
            job_id,
            job_name,
            phase: JobPhase::Created,
            imported: 0,
            skipped: 0,
            failed: 0,
            message: None,
        }
    }
}

/// What to do next with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Create a new job for it.
    CreateJob,
    /// Upload the file to the last job (its URL comes from DescribeUserImportJob).
    Upload,
    /// Start the last job.
    Start,
    /// Poll the last job until it ends.
    Poll,
    /// Nothing: it succeeded.
    Done,
    /// Nothing: its last job failed and may not be retried (report it).
    GiveUp,
}

/// One `users-NNNN.csv` and its jobs, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// File name inside the export folder.
    pub file: String,
    /// Data rows (header excluded).
    pub rows: u64,
    /// Its jobs, oldest first.
    pub jobs: Vec<JobRecord>,
}

impl FileRecord {
    /// The last job, if any.
    pub fn last(&self) -> Option<&JobRecord> {
        self.jobs.last()
    }

    /// The last job, mutable.
    pub fn last_mut(&mut self) -> Option<&mut JobRecord> {
        self.jobs.last_mut()
    }

    /// Jobs of this file that ended Failed, Stopped or Expired.
    pub fn failed_jobs(&self) -> usize {
        self.jobs.iter().filter(|j| j.phase.is_failure()).count()
    }

    /// What to do next; `retry_failed` is the operator's `--retry-failed`.
    pub fn next_step(&self, retry_failed: bool) -> NextStep {
        let Some(last) = self.last() else {
            return NextStep::CreateJob;
        };
        match last.phase {
            JobPhase::Created => NextStep::Upload,
            JobPhase::Uploaded => NextStep::Start,
            JobPhase::UploadFailed | JobPhase::UrlExpired => NextStep::CreateJob,
            JobPhase::Pending | JobPhase::InProgress | JobPhase::Stopping => NextStep::Poll,
            JobPhase::Succeeded => NextStep::Done,
            JobPhase::Failed | JobPhase::Stopped | JobPhase::Expired => {
                if retry_failed && self.failed_jobs() < MAX_FAILED_JOBS {
                    NextStep::CreateJob
                } else {
                    NextStep::GiveUp
                }
            }
        }
    }
}

/// The whole state of an import into one pool from one export folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportState {
    /// Format version.
    pub version: u32,
    /// The pool the files go into.
    pub target_pool_id: String,
    /// One record per import file, in file order.
    pub files: Vec<FileRecord>,
    /// How far the users of `disabled.csv` have been created disabled.
    #[serde(default)]
    pub disabled: DisabledProgress,
    /// What became of the e-mail MFA of the users the export listed for it (`None`: not tried
    /// yet; tried once every file has had its run).
    #[serde(default)]
    pub email_mfa: Option<super::email_mfa::EmailMfaCounts>,
}

/// The users of `disabled.csv` handled so far (in file order, so a resumed run skips them).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisabledProgress {
    /// Rows handled.
    pub done: u64,
    /// Users created and disabled.
    pub created: u64,
    /// Users already in the new pool under that name, proven to be them, disabled.
    pub already_there: u64,
    /// Names held in the new pool by another user (not proven to be the old user): left alone.
    #[serde(default)]
    pub held_by_another_user: u64,
}

impl ImportState {
    /// A fresh state for `files` (name and row count each).
    pub fn new(target_pool_id: &str, files: &[(String, u64)]) -> ImportState {
        ImportState {
            version: VERSION,
            target_pool_id: target_pool_id.to_string(),
            files: files
                .iter()
                .map(|(file, rows)| FileRecord {
                    file: file.clone(),
                    rows: *rows,
                    jobs: Vec::new(),
                })
                .collect(),
            disabled: DisabledProgress::default(),
            email_mfa: None,
        }
    }

    /// Path of the state file in an export folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(STATE_FILE)
    }

    /// Reads the state of an earlier run, checking it is for the same pool and the same files.
    pub fn load(
        dir: &Path,
        target_pool_id: &str,
        files: &[(String, u64)],
    ) -> anyhow::Result<ImportState> {
        let path = ImportState::path(dir);
        let text = fs::read_to_string(&path).map_err(|e| {
            anyhow::anyhow!(
                "cannot resume: no {} ({e}); run without --resume to start the import",
                path.display()
            )
        })?;
        let state: ImportState = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("cannot resume: {} is damaged ({e})", path.display()))?;
        if state.version != VERSION {
            anyhow::bail!(
                "cannot resume: {} was written by another version of cognito-migrate (format {})",
                path.display(),
                state.version
            );
        }
        if state.target_pool_id != target_pool_id {
            anyhow::bail!(
                "cannot resume: {} belongs to an import into {}, not {target_pool_id}; \
                 pass --target-pool-id {} or import another export folder",
                path.display(),
                state.target_pool_id,
                state.target_pool_id
            );
        }
        let recorded: Vec<(String, u64)> = state
            .files
            .iter()
            .map(|f| (f.file.clone(), f.rows))
            .collect();
        if recorded != files {
            anyhow::bail!(
                "cannot resume: the users-NNNN.csv files in {} are not the ones {} records \
                 (added, removed or changed since); import a fresh export into a new folder",
                dir.display(),
                path.display()
            );
        }
        Ok(state)
    }

    /// Writes the state atomically.
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let path = ImportState::path(dir);
        atomic_json::write(&path, self)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(phases: &[JobPhase]) -> FileRecord {
        FileRecord {
            file: "users-0001.csv".into(),
            rows: 3,
            jobs: phases
                .iter()
                .enumerate()
                .map(|(i, phase)| JobRecord {
                    phase: *phase,
                    ..JobRecord::created(format!("import-{i}"), format!("job-{i}"))
                })
                .collect(),
        }
    }

    #[test]
    fn a_succeeded_file_is_never_imported_again() {
        assert_eq!(
            file_with(&[JobPhase::Succeeded]).next_step(true),
            NextStep::Done
        );
    }

    #[test]
    fn a_running_job_is_polled_and_an_unstarted_one_resumed() {
        assert_eq!(
            file_with(&[JobPhase::InProgress]).next_step(false),
            NextStep::Poll
        );
        assert_eq!(
            file_with(&[JobPhase::Created]).next_step(false),
            NextStep::Upload
        );
        assert_eq!(
            file_with(&[JobPhase::Uploaded]).next_step(false),
            NextStep::Start
        );
        assert_eq!(
            file_with(&[JobPhase::UrlExpired]).next_step(false),
            NextStep::CreateJob
        );
    }

    #[test]
    fn a_failed_job_is_retried_once_and_only_when_asked() {
        assert_eq!(
            file_with(&[JobPhase::Failed]).next_step(false),
            NextStep::GiveUp
        );
        assert_eq!(
            file_with(&[JobPhase::Expired]).next_step(true),
            NextStep::CreateJob
        );
        assert_eq!(
            file_with(&[JobPhase::Failed, JobPhase::UploadFailed, JobPhase::Stopped])
                .next_step(true),
            NextStep::GiveUp
        );
    }

    #[test]
    fn saves_and_loads_and_refuses_another_pool_or_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = vec![("users-0001.csv".to_string(), 3)];
        let mut state = ImportState::new("us-east-1_new", &files);
        state.files[0]
            .jobs
            .push(JobRecord::created("import-a".into(), "a".into()));
        state.save(dir.path()).unwrap();
        assert_eq!(
            ImportState::load(dir.path(), "us-east-1_new", &files).unwrap(),
            state
        );
        let other_pool = ImportState::load(dir.path(), "us-east-1_other", &files).unwrap_err();
        assert!(
            other_pool.to_string().contains("us-east-1_new"),
            "{other_pool}"
        );
        let other_files = vec![("users-0001.csv".to_string(), 4)];
        let changed = ImportState::load(dir.path(), "us-east-1_new", &other_files).unwrap_err();
        assert!(changed.to_string().contains("new folder"), "{changed}");
    }
}
