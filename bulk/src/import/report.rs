//! The closing report of an import: users imported, skipped and failed per file and in total,
//! and where Cognito logged each line's result.
//!
//! "Viewing the user pool import results in the CloudWatch console": the log group is
//! `/aws/cognito/userpools/USER_POOL_ID/USER_POOL_NAME`, the stream `JOB_ID/JOB_NAME`, one
//! `[SUCCEEDED|SKIPPED|FAILED] Line Number N - reason` line per user, no user data.

use std::fmt::Write;

use super::state::{FileRecord, ImportState, JobPhase};

/// Users counted over the files' last jobs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Data rows of all files.
    pub rows: u64,
    /// Users imported.
    pub imported: i64,
    /// Users skipped.
    pub skipped: i64,
    /// Users that failed.
    pub failed: i64,
    /// Files whose last job did not succeed (or that have none).
    pub files_not_imported: usize,
}

impl Totals {
    /// True when every file's job succeeded and no line was skipped or failed.
    pub fn all_landed(&self) -> bool {
        self.files_not_imported == 0 && self.skipped == 0 && self.failed == 0
    }
}

/// Sums the files' last jobs.
pub fn totals(state: &ImportState) -> Totals {
    let mut totals = Totals::default();
    for file in &state.files {
        totals.rows += file.rows;
        match file.last() {
            Some(job) => {
                totals.imported += job.imported;
                totals.skipped += job.skipped;
                totals.failed += job.failed;
                if job.phase != JobPhase::Succeeded {
                    totals.files_not_imported += 1;
                }
            }
            None => totals.files_not_imported += 1,
        }
    }
    totals
}

/// CloudWatch Logs group of a pool's import jobs.
pub fn log_group(pool_id: &str, pool_name: &str) -> String {
    format!("/aws/cognito/userpools/{pool_id}/{pool_name}")
}

fn file_line(file: &FileRecord) -> String {
    let Some(job) = file.last() else {
        return format!("{:<16} {:>8} rows  not started", file.file, file.rows);
    };
    let outcome = match (job.phase, &job.message) {
        (JobPhase::Succeeded, _) => "Succeeded".to_string(),
        (phase, Some(message)) => format!("{phase:?}: {message}"),
        (phase, None) => format!("{phase:?}"),
    };
    format!(
        "{:<16} {:>8} rows  imported {:>8}  skipped {:>6}  failed {:>6}  {outcome}  (job {})",
        file.file, file.rows, job.imported, job.skipped, job.failed, job.job_id
    )
}

/// The report printed at the end of a run.
pub fn text(state: &ImportState, pool_name: &str) -> String {
    let totals = totals(state);
    let mut text = String::new();
    for file in &state.files {
        let _ = writeln!(text, "{}", file_line(file));
    }
    let _ = writeln!(
        text,
        "total: {} rows, imported {}, skipped {}, failed {}; {} of {} file(s) not imported",
        totals.rows,
        totals.imported,
        totals.skipped,
        totals.failed,
        totals.files_not_imported,
        state.files.len()
    );
    if let Some(counts) = &state.email_mfa {
        text.push_str(&super::email_mfa::text(counts));
    }
    if state.disabled.done > 0 {
        let _ = writeln!(
            text,
            "disabled in the old pool: {} created disabled, {} already in the new pool and disabled \
             (never imported: an imported user would be live)",
            state.disabled.created, state.disabled.already_there
        );
        if state.disabled.held_by_another_user > 0 {
            let _ = writeln!(
                text,
                "  {} disabled users' names are held in the new pool by another user (not \
                 disabled; each named above with the fix)",
                state.disabled.held_by_another_user
            );
        }
    }
    let with_lines_to_read: Vec<&FileRecord> = state
        .files
        .iter()
        .filter(|f| f.last().is_some_and(|j| j.skipped + j.failed > 0))
        .collect();
    if !with_lines_to_read.is_empty() {
        let group = log_group(&state.target_pool_id, pool_name);
        let _ = writeln!(
            text,
            "skipped and failed users are listed by line number in CloudWatch Logs, group {group}:"
        );
        for file in with_lines_to_read {
            let job = file.last().expect("filtered on a last job");
            let _ = writeln!(
                text,
                "  {}: stream {}/{}  (aws logs filter-log-events --log-group-name '{group}' \
                 --log-stream-names '{}/{}' --filter-pattern '?FAILED ?SKIPPED')",
                file.file, job.job_id, job.job_name, job.job_id, job.job_name
            );
        }
    }
    if state.files.iter().any(|f| {
        f.last().is_some_and(|j| {
            j.phase.is_failure() && f.failed_jobs() < super::state::MAX_FAILED_JOBS
        })
    }) {
        let _ = writeln!(
            text,
            "files whose job failed, stopped or expired can be retried once: fix the cause, then \
             rerun with --resume --retry-failed"
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::state::JobRecord;

    #[test]
    fn counts_the_last_jobs_and_names_the_log_streams() {
        let mut state = ImportState::new(
            "us-east-1_abc",
            &[("users-0001.csv".into(), 3), ("users-0002.csv".into(), 2)],
        );
        state.files[0].jobs.push(JobRecord {
            phase: JobPhase::Succeeded,
            imported: 2,
            failed: 1,
            ..JobRecord::created("import-1".into(), "cognito-migrate-users-0001-1".into())
        });
        state.files[1].jobs.push(JobRecord {
            phase: JobPhase::Failed,
            message: Some("The CSV header is missing a column".into()),
            ..JobRecord::created("import-2".into(), "cognito-migrate-users-0002-1".into())
        });
        let totals = totals(&state);
        assert_eq!(
            totals,
            Totals {
                rows: 5,
                imported: 2,
                skipped: 0,
                failed: 1,
                files_not_imported: 1
            }
        );
        assert!(!totals.all_landed());
        let text = text(&state, "new-pool");
        assert!(
            text.contains("group /aws/cognito/userpools/us-east-1_abc/new-pool"),
            "{text}"
        );
        assert!(
            text.contains("stream import-1/cognito-migrate-users-0001-1"),
            "{text}"
        );
        assert!(
            text.contains("Failed: The CSV header is missing a column"),
            "{text}"
        );
        assert!(text.contains("--retry-failed"), "{text}");
    }
}
