//! The one time budget of an invocation: every job (sign-in, sign-up, token) starts a
//! [`Deadline`] when its event arrives, and every call it makes inside ends by it.
//!
//! Why: Cognito gives up on a trigger after 5 seconds and fails the sign-in, sign-up or token
//! (the Lambda triggers page of the developer guide). The function answers within [`INVOCATION_BUDGET`], or earlier when Lambda's own deadline comes
//! first, keeping [`ANSWER_MARGIN`] to send the answer. A job that has more than one thing to do
//! divides what is left ([`Deadline::keeping`], [`Deadline::capped`]) rather than keeping time
//! its own way.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use lambda_runtime::Context;
use tokio::time::error::Elapsed;

/// How long an invocation may take: below Cognito's 5 seconds, with room for the answer to
/// travel back.
pub(crate) const INVOCATION_BUDGET: Duration = Duration::from_millis(4500);

/// Room left before Lambda's own deadline to send the answer.
const ANSWER_MARGIN: Duration = Duration::from_millis(250);

/// When an invocation (or a part of it) must be done, and when it started.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    started: Instant,
    end: tokio::time::Instant,
}

impl Deadline {
    /// A deadline from now: `budget`, or less when Lambda's deadline in `context` comes first.
    pub(crate) fn start(budget: Duration, context: &Context) -> Deadline {
        let started = Instant::now();
        let budget = if context.deadline == 0 {
            budget
        } else {
            let until_deadline = context
                .deadline()
                .duration_since(SystemTime::now())
                .unwrap_or_default()
                .saturating_sub(ANSWER_MARGIN);
            budget.min(until_deadline)
        };
        Deadline {
            started,
            end: tokio::time::Instant::from_std(started) + budget,
        }
    }

    /// Time since the invocation started (for the log's `duration_us`).
    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Time left until the deadline.
    pub(crate) fn left(&self) -> Duration {
        self.end
            .saturating_duration_since(tokio::time::Instant::now())
    }

    /// A deadline that keeps `reserve` of what is left for what comes after, but never more than
    /// half of it.
    pub(crate) fn keeping(&self, reserve: Duration) -> Deadline {
        let left = self.left();
        self.within(left.saturating_sub(reserve).max(left / 2))
    }

    /// A deadline at most `most` from now, never later than this one.
    pub(crate) fn capped(&self, most: Duration) -> Deadline {
        self.within(self.left().min(most))
    }

    fn within(&self, left: Duration) -> Deadline {
        Deadline {
            started: self.started,
            end: tokio::time::Instant::now() + left,
        }
    }

    /// Runs `work` until the deadline; `Err` when it is not done by then.
    pub(crate) async fn run<F: Future>(&self, work: F) -> Result<F::Output, Elapsed> {
        tokio::time::timeout_at(self.end, work).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_the_limit_without_a_lambda_deadline() {
        let deadline = Deadline::start(Duration::from_secs(3), &Context::default());
        let left = deadline.left();
        assert!(left <= Duration::from_secs(3) && left > Duration::from_millis(2900));
    }

    #[test]
    fn lambdas_deadline_comes_first_less_the_answer_margin() {
        let mut context = Context::default();
        let in_one_second = SystemTime::now() + Duration::from_secs(1);
        context.deadline = in_one_second
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis() as u64;
        let left = Deadline::start(INVOCATION_BUDGET, &context).left();
        assert!(left <= Duration::from_secs(1) - ANSWER_MARGIN, "{left:?}");
        assert!(left > Duration::from_millis(500), "{left:?}");
    }

    #[test]
    fn a_part_keeps_its_reserve_but_never_more_than_half() {
        let deadline = Deadline::start(Duration::from_secs(4), &Context::default());
        let reads = deadline.keeping(Duration::from_secs(1)).left();
        assert!(reads <= Duration::from_secs(3) && reads > Duration::from_millis(2900));
        let most = deadline.keeping(Duration::from_secs(10)).left();
        assert!(most <= Duration::from_secs(2) && most > Duration::from_millis(1900));
        let capped = deadline.capped(Duration::from_millis(500)).left();
        assert!(capped <= Duration::from_millis(500));
    }

    #[tokio::test]
    async fn work_past_the_deadline_is_cut_off() {
        let deadline = Deadline::start(Duration::from_millis(50), &Context::default());
        let slow = deadline.run(tokio::time::sleep(Duration::from_secs(60)));
        assert!(slow.await.is_err());
        let done = Deadline::start(Duration::from_secs(1), &Context::default());
        assert_eq!(done.run(async { 7 }).await.ok(), Some(7));
    }
}
