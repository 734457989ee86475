//! The one place where requests to Cognito are paced and retried.
//!
//! Every attempt of every request of a run first takes a permit from one shared `governor`
//! limiter, so the rate Cognito sees never exceeds `--rps`, retries included (the SDK's own
//! retries are switched off in [`crate::aws`]). Throttling, 5xx answers, timeouts and dropped
//! connections are retried with jittered exponential backoff; anything else is returned at once.
//! A Cognito that cannot be reached at all is said so at once and given up on after
//! [`UNREACHABLE_GIVE_UP`], not retried silently for minutes.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use shared::cognito_errors;

/// Transit-time variation the spacing of requests absorbs (see [`Pacer::new`]): the rate stays
/// at or under `--rps` in every one-second window at the server, at the cost of 5 % of the rate.
pub const JITTER_ALLOWANCE: Duration = Duration::from_millis(50);

/// After this long without any answer (refused or timed-out connections), a request makes no new
/// attempt: long enough for a network blip, short enough that a wrong endpoint or a missing route
/// is reported within a minute (this, plus at most one backoff wait of 20 s and one 5 s connect
/// timeout).
pub const UNREACHABLE_GIVE_UP: Duration = Duration::from_secs(30);

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
    said_unreachable: AtomicBool,
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
            said_unreachable: AtomicBool::new(false),
        }
    }

    /// Sends the request `send` builds, paced and retried. `send` is called once per attempt.
    pub async fn call<T, E, F, Fut>(&self, mut send: F) -> Result<T, SdkError<E, HttpResponse>>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
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
        // When this request's run of unanswered attempts began (a Mutex only to stay Send).
        let unreachable_since: Mutex<Option<Instant>> = Mutex::new(None);
        attempt
            .retry(self.backoff)
            .when(|err| {
                let mut since = unreachable_since.lock().unwrap_or_else(|e| e.into_inner());
                if !is_unreachable(err) {
                    *since = None;
                    return is_retryable(err);
                }
                since.get_or_insert_with(Instant::now).elapsed() < UNREACHABLE_GIVE_UP
            })
            .notify(|err, wait| {
                self.retried.fetch_add(1, Ordering::Relaxed);
                if is_unreachable(err) && !self.said_unreachable.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "Cognito cannot be reached ({}): retrying for up to a minute",
                        shared::error_text::causes(err)
                    );
                }
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
    err.code().is_some_and(cognito_errors::is_throttling)
}

/// True when no answer came at all: the connection was refused, dropped or timed out.
pub fn is_unreachable<E>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(failure) => failure.is_io() || failure.is_timeout(),
        _ => false,
    }
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
                    .is_some_and(cognito_errors::is_retryable)
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
