//! What AWS did with each line of the canary's import job, read from CloudWatch Logs.
//!
//! Developer guide, "Viewing the user pool import results in the CloudWatch console"
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-cloudwatch.html>):
//! "The log group name is in the form /aws/cognito/userpools/USER_POOL_ID/USER_POOL_NAME." "The log
//! name is in the form JOB_ID/JOB_NAME. The results in the log refer to your users by line number.
//! No user data is written to the log." Each line looks like
//! `[FAILED] Line Number 5956 - The User Record does not set any of the auto verified attributes
//! to true. (Example: email_verified to true).`; line numbers count the header as line 1.
//!
//! Cognito writes the lines through the job's logs role while the job runs; they may reach
//! CloudWatch a little after the job ends, so the reader waits (up to a bound) until it has one
//! line per processed user.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::error::ProvideErrorMetadata;

use crate::pacer::Pacer;
use crate::signals::StopSignal;

/// What the import did with one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `[SUCCEEDED]`: the user was created.
    Succeeded,
    /// `[SKIPPED]`: the user already existed.
    Skipped,
    /// `[FAILED]`: the user was not created.
    Failed,
}

/// One result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineResult {
    /// Line number in the uploaded file (the header is line 1).
    pub line: u64,
    /// The outcome.
    pub outcome: Outcome,
    /// AWS's message.
    pub message: String,
}

/// The log group of a pool's import jobs.
pub fn log_group(pool_id: &str, pool_name: &str) -> String {
    format!("/aws/cognito/userpools/{pool_id}/{pool_name}")
}

/// The log stream of one import job.
pub fn log_stream(job_id: &str, job_name: &str) -> String {
    format!("{job_id}/{job_name}")
}

/// Reads one log message; `None` for a message that is not a result line.
pub fn parse_line(message: &str) -> Option<LineResult> {
    let (outcome, rest) = [
        ("[SUCCEEDED] ", Outcome::Succeeded),
        ("[SKIPPED] ", Outcome::Skipped),
        ("[FAILED] ", Outcome::Failed),
    ]
    .into_iter()
    .find_map(|(tag, outcome)| message.trim().strip_prefix(tag).map(|rest| (outcome, rest)))?;
    let rest = rest.strip_prefix("Line Number ")?;
    let (number, text) = rest.split_once(" - ").unwrap_or((rest, ""));
    Some(LineResult {
        line: number.trim().parse().ok()?,
        outcome,
        message: text.trim().to_string(),
    })
}

/// How long to wait for the last lines to reach CloudWatch after the job ended.
pub const WAIT_FOR_LINES: Duration = Duration::from_secs(60);

/// The job's result lines by line number, once `expected` are there or [`WAIT_FOR_LINES`] has
/// passed (then what there is). `None` when a stop was requested.
pub async fn read_results(
    logs: &Client,
    pacer: &Pacer,
    stop: &mut StopSignal,
    group: &str,
    stream: &str,
    expected: u64,
) -> anyhow::Result<Option<BTreeMap<u64, LineResult>>> {
    let deadline = Instant::now() + WAIT_FOR_LINES;
    loop {
        let results = read_once(logs, pacer, group, stream).await?;
        if results.len() as u64 >= expected || Instant::now() >= deadline {
            return Ok(Some(results));
        }
        if !stop.sleep(Duration::from_secs(2)).await {
            return Ok(None);
        }
    }
}

async fn read_once(
    logs: &Client,
    pacer: &Pacer,
    group: &str,
    stream: &str,
) -> anyhow::Result<BTreeMap<u64, LineResult>> {
    let mut results = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let answer = pacer
            .call(|| {
                logs.filter_log_events()
                    .log_group_name(group)
                    .log_stream_names(stream)
                    .set_next_token(token.clone())
                    .send()
            })
            .await;
        let page = match answer {
            Ok(page) => page,
            Err(err) if err.code() == Some("ResourceNotFoundException") => return Ok(results),
            Err(err) => {
                let code = err.code().unwrap_or("no error code").to_string();
                let message = err.message().unwrap_or_default().to_string();
                anyhow::bail!(
                    "FilterLogEvents on log group {group} failed ({code}: {message}). The \
                     credentials need logs:FilterLogEvents on \
                     arn:aws:logs:REGION:ACCOUNT:log-group:/aws/cognito/userpools/* (see \
                     docs/commands.md, canary: its IAM policy)"
                );
            }
        };
        for event in page.events() {
            if let Some(result) = event.message().and_then(parse_line) {
                results.insert(result.line, result);
            }
        }
        token = page.next_token.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(results);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_lines() {
        assert_eq!(
            parse_line(
                "[FAILED] Line Number 5956 - The User Record does not set any of the auto \
                 verified attributes to true. (Example: email_verified to true)."
            ),
            Some(LineResult {
                line: 5956,
                outcome: Outcome::Failed,
                message: "The User Record does not set any of the auto verified attributes to \
                          true. (Example: email_verified to true)."
                    .into()
            })
        );
        assert_eq!(
            parse_line("[SKIPPED] Line Number 3 - The user already exists.").map(|r| r.outcome),
            Some(Outcome::Skipped)
        );
        assert_eq!(
            parse_line("[SUCCEEDED] Line Number 2 - The import succeeded.").map(|r| r.line),
            Some(2)
        );
        assert_eq!(parse_line("Import job started"), None);
    }

    #[test]
    fn names_follow_the_developer_guide() {
        assert_eq!(
            log_group("us-east-1_Ab1", "cognito-migrate-canary-x"),
            "/aws/cognito/userpools/us-east-1_Ab1/cognito-migrate-canary-x"
        );
        assert_eq!(log_stream("import-A1", "canary"), "import-A1/canary");
    }
}
