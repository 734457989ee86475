//! The one place where requests to Cognito are paced and retried.
//!
//! Every attempt of every request of a run first takes a permit from one shared `governor`
//! limiter, so the rate Cognito sees never exceeds `--rps`, retries included (the SDK's own
//! retries are switched off in [`crate::aws`]). Throttling, 5xx answers, timeouts and dropped
//! connections are retried with jittered exponential backoff; anything else is returned at once.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// Error codes Cognito uses for "slow down" and for its own transient faults.
const RETRYABLE_CODES: [&str; 5] = [
    "TooManyRequestsException",
    "ThrottlingException",
    "InternalErrorException",
    "ServiceUnavailable",
    "RequestTimeout",
];

/// Transit-time variation the spacing of requests absorbs (see [`Pacer::new`]): the rate stays
/// at or under `--rps` in every one-second window at the server, at the cost of 5 % of the rate.
pub const JITTER_ALLOWANCE: Duration = Duration::from_millis(50);

/// What one run has sent, for the summary and the benchmark.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PacerStats {
    /// Attempts sent (each retry counts).
    pub requests: u64,
    /// Attempts answered with a throttling error.
    pub throttled: u64,
    /// Attempts that were retried for any reason.
    pub retried: u64,
}

/// Paces and retries the requests of one run.
pub struct Pacer {
    limiter: DefaultDirectRateLimiter,
    backoff: ExponentialBuilder,
    requests: AtomicU64,
    throttled: AtomicU64,
    retried: AtomicU64,
}

impl Pacer {
    /// A pacer allowing `rps` requests per second with no initial burst, retrying a request up to
    /// `max_retries` times.
    ///
    /// Requests are spaced [`JITTER_ALLOWANCE`] wider than `1/rps`: requests leave evenly spaced,
    /// but reach Cognito with varying delays (a new connection, a busy scheduler), and without the
    /// allowance two of them could land closer than `1/rps` and put `rps + 1` into one second.
    pub fn new(rps: NonZeroU32, max_retries: usize) -> Pacer {
        let period = (Duration::from_secs(1) + JITTER_ALLOWANCE) / rps.get();
        let quota = Quota::with_period(period)
            .expect("a non-zero period")
            .allow_burst(NonZeroU32::MIN);
        Pacer {
            limiter: RateLimiter::direct(quota),
            backoff: ExponentialBuilder::default()
                .with_jitter()
                .with_min_delay(Duration::from_millis(250))
                .with_max_delay(Duration::from_secs(20))
                .with_max_times(max_retries),
            requests: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            retried: AtomicU64::new(0),
        }
    }

    /// Sends the request `send` builds, paced and retried. `send` is called once per attempt.
    pub async fn call<T, E, F, Fut>(&self, mut send: F) -> Result<T, SdkError<E, HttpResponse>>
    where
        E: ProvideErrorMetadata,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    {
        let attempt = || {
            let request = send();
            async move {
                self.limiter.until_ready().await;
                self.requests.fetch_add(1, Ordering::Relaxed);
                let result = request.await;
                if let Err(err) = &result
                    && is_throttling(err)
                {
                    self.throttled.fetch_add(1, Ordering::Relaxed);
                }
                result
            }
        };
        attempt
            .retry(self.backoff)
            .when(is_retryable)
            .notify(|err, wait| {
                self.retried.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(
                    code = err.code().unwrap_or("-"),
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
            })
            .await
    }

    /// Counts so far.
    pub fn stats(&self) -> PacerStats {
        PacerStats {
            requests: self.requests.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
        }
    }
}

fn is_throttling<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    matches!(
        err.code(),
        Some("TooManyRequestsException" | "ThrottlingException")
    )
}

/// True for errors worth another attempt: throttling, server faults, timeouts, broken connections.
pub fn is_retryable<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
        // A connection closed without an answer surfaces as a transient error, not as I/O.
        SdkError::DispatchFailure(failure) => {
            failure.is_io()
                || failure.is_timeout()
                || failure.as_other() == Some(aws_smithy_types::retry::ErrorKind::TransientError)
        }
        SdkError::ServiceError(service) => {
            service.raw().status().is_server_error()
                || service
                    .err()
                    .code()
                    .is_some_and(|code| RETRYABLE_CODES.contains(&code))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_are_spaced_just_over_one_over_rps() {
        let pacer = Pacer::new(NonZeroU32::new(20).unwrap(), 0);
        let started = std::time::Instant::now();
        for _ in 0..11 {
            pacer.limiter.until_ready().await;
        }
        // 10 intervals of 1.05 s / 20 = 52.5 ms each, after the first immediate permit.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(520), "{elapsed:?}");
    }
}
