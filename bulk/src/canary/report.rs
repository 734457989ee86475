//! The canary's report: what was imported where, what the job and its log said, and each
//! difference with the user, the field, the file's value and the pool's.

use std::fmt::Write;
use std::path::PathBuf;

use super::compare::Finding;
use super::job_log::Outcome;
use super::sample::RANDOM_ROW;
use super::sample_file::SampledRow;
use crate::counted::counted;
use crate::import::job::JobView;
use crate::import::state::JobPhase;

/// Everything one canary run found.
#[derive(Debug)]
pub struct CanaryReport {
    /// The new pool.
    pub target_id: String,
    /// The scratch pool's id.
    pub scratch_id: String,
    /// The scratch pool's name.
    pub scratch_name: String,
    /// Rows in the export.
    pub rows_in_export: u64,
    /// The imported sample file.
    pub sample_path: PathBuf,
    /// The seed of the random rows.
    pub seed: u64,
    /// The import job as it ended.
    pub job: JobView,
    /// Result lines found in CloudWatch Logs.
    pub log_lines: u64,
    /// Where they were read.
    pub log_group: String,
    /// Each sampled row and what was found about it.
    pub rows: Vec<RowReport>,
}

/// One sampled row's findings.
#[derive(Debug)]
pub struct RowReport {
    /// The row.
    pub row: SampledRow,
    /// Its `cognito:username`.
    pub username: String,
    /// What differs (empty: imported as the file means it).
    pub findings: Vec<Finding>,
}

impl CanaryReport {
    /// True when the job succeeded and every row landed as the file means it.
    pub fn clean(&self) -> bool {
        self.job.phase == JobPhase::Succeeded && self.rows.iter().all(|r| r.findings.is_empty())
    }
}

fn shown(value: &Option<String>) -> String {
    match value {
        Some(value) => format!("{value:?}"),
        None => "(none)".to_string(),
    }
}

/// The report as text.
pub fn text(report: &CanaryReport) -> String {
    let mut out = String::new();
    let job = &report.job;
    let (imported, skipped, failed) = job.counts;
    let _ = writeln!(
        out,
        "canary of {}: {} of {} rows ({}) imported into scratch pool {} ({}), deleted afterwards",
        report.target_id,
        report.rows.len(),
        report.rows_in_export,
        report.sample_path.display(),
        report.scratch_id,
        report.scratch_name
    );
    let random = report
        .rows
        .iter()
        .filter(|r| r.row.reasons.iter().any(|why| why == RANDOM_ROW))
        .count();
    let _ = writeln!(
        out,
        "sample: {} covering every kind of value, {} (seed {})",
        counted(report.rows.len() - random, "row"),
        counted(random, "random row"),
        report.seed
    );
    let _ = writeln!(
        out,
        "import job {}: {:?} (imported {imported}, skipped {skipped}, failed {failed}){}",
        job.job_id,
        job.phase,
        job.message
            .as_deref()
            .map(|m| format!(": {m}"))
            .unwrap_or_default()
    );
    let expected = (imported + skipped + failed).max(0) as u64;
    let _ = writeln!(
        out,
        "CloudWatch Logs: {} of {expected} result lines in {}",
        report.log_lines, report.log_group
    );
    if report.log_lines < expected {
        let _ = writeln!(
            out,
            "note: lines missing from CloudWatch Logs: check that the logs role may write to \
             log-group:/aws/cognito/*; the users below were judged by reading the pool"
        );
    }
    let (mut refused, mut changed_rows, mut changes) = (0, 0, 0);
    for row in &report.rows {
        let place = format!("{} ({} line {})", row.username, row.row.file, row.row.line);
        let mut row_changed = false;
        for finding in &row.findings {
            match finding {
                Finding::Refused { outcome, message } => {
                    refused += 1;
                    let tag = if *outcome == Outcome::Skipped {
                        "SKIPPED"
                    } else {
                        "FAILED"
                    };
                    let _ = writeln!(out, "{tag:<8} {place}: {message}");
                }
                Finding::Missing => {
                    refused += 1;
                    let _ = writeln!(
                        out,
                        "MISSING  {place}: not in the scratch pool after the job, and no log line \
                         says why"
                    );
                }
                Finding::Changed { field, file, pool } => {
                    changes += 1;
                    row_changed = true;
                    let _ = writeln!(
                        out,
                        "CHANGED  {place}: {field}: file {} -> pool {}",
                        shown(file),
                        shown(pool)
                    );
                }
            }
        }
        if row_changed {
            changed_rows += 1;
        }
    }
    let verdict = if report.clean() {
        "clean: every sampled line imported and every value read back as the files mean it"
            .to_string()
    } else {
        let mut parts = Vec::new();
        if job.phase != JobPhase::Succeeded {
            parts.push(format!("the import job ended {:?}", job.phase));
        }
        parts.push(format!(
            "{refused} of {} lines would fail",
            report.rows.len()
        ));
        parts.push(format!(
            "{} would change ({})",
            counted(changes, "value"),
            counted(changed_rows, "user")
        ));
        parts.join(", ")
    };
    let _ = writeln!(out, "result: {verdict}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_difference_names_the_user_the_row_and_the_field() {
        let row = |user: &str, line: u64, findings: Vec<Finding>| RowReport {
            row: SampledRow {
                file: "users-0001.csv".into(),
                line,
                text: String::new(),
                reasons: vec![],
            },
            username: user.into(),
            findings,
        };
        let report = CanaryReport {
            target_id: "us-east-1_New".into(),
            scratch_id: "us-east-1_Scr".into(),
            scratch_name: "cognito-migrate-canary-20261129T112044Z".into(),
            rows_in_export: 40,
            sample_path: "out/canary-sample.csv".into(),
            seed: 7,
            job: JobView {
                job_id: "import-1".into(),
                job_name: "cognito-migrate-canary".into(),
                phase: JobPhase::Succeeded,
                pre_signed_url: None,
                created_epoch_seconds: None,
                counts: (2, 0, 1),
                message: None,
            },
            log_lines: 3,
            log_group: "/aws/cognito/userpools/us-east-1_Scr/x".into(),
            rows: vec![
                row("ada", 2, vec![]),
                row(
                    "bob",
                    7,
                    vec![Finding::Refused {
                        outcome: Outcome::Failed,
                        message: "The User Record does not set any of the auto verified \
                                  attributes to true. (Example: email_verified to true)."
                            .into(),
                    }],
                ),
                row(
                    "cy",
                    9,
                    vec![Finding::Changed {
                        field: "name".into(),
                        file: Some(" Cy ".into()),
                        pool: Some("Cy".into()),
                    }],
                ),
            ],
        };
        assert!(!report.clean());
        assert_eq!(
            text(&report),
            "canary of us-east-1_New: 3 of 40 rows (out/canary-sample.csv) imported into scratch \
             pool us-east-1_Scr (cognito-migrate-canary-20261129T112044Z), deleted afterwards\n\
             sample: 3 rows covering every kind of value, 0 random rows (seed 7)\n\
             import job import-1: Succeeded (imported 2, skipped 0, failed 1)\n\
             CloudWatch Logs: 3 of 3 result lines in /aws/cognito/userpools/us-east-1_Scr/x\n\
             FAILED   bob (users-0001.csv line 7): The User Record does not set any of the auto \
             verified attributes to true. (Example: email_verified to true).\n\
             CHANGED  cy (users-0001.csv line 9): name: file \" Cy \" -> pool \"Cy\"\n\
             result: 1 of 3 lines would fail, 1 value would change (1 user)\n"
        );
    }
}
