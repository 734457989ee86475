//! The one place where requests to Cognito are paced and retried.
//!
//! Every attempt of every request of a run first reserves a departure time from one shared
//! [`Schedule`], so the rate Cognito sees never exceeds `--rps`, retries included (the SDK's own
//! retries are switched off in [`crate::aws`]). Departures are spaced `1/rps` apart, rounded up to
//! the nanosecond, with no burst; and a request leaves only if the last second of actual
//! departures holds fewer than `rps`, so a process that was not scheduled for a while (a busy
//! machine) does not make up for it in a burst. Any one-second window holds at most `rps`
//! departures, and the server at most one more when transit times vary by less than `1/rps`.
//! Throttling answers halve the rate (another
//! process may be sharing the account's quota) and it climbs back to `--rps` once they stop.
//! Throttling, 5xx answers, timeouts and dropped connections are retried with jittered exponential
//! backoff; anything else is returned at once.
//! A Cognito that cannot be reached at all is said so at once and given up on after
//! [`UNREACHABLE_GIVE_UP`], not retried silently for minutes.

use std::collections::VecDeque;
use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use backon::{ExponentialBuilder, Retryable};
use shared::cognito_errors;

/// After a throttling answer, further ones within this time do not slow the run again: they are
/// the requests already in flight when the first one was answered.
const SLOWDOWN_HOLD: Duration = Duration::from_secs(1);

/// How long the rate takes to climb from nothing back to `--rps` once throttling stops (linearly;
/// from half the rate, half this time).
const RECOVERY: Duration = Duration::from_secs(20);

/// The lowest rate throttling can bring a run down to, as a share of `--rps`.
const FLOOR_SHARE: f64 = 1.0 / 32.0;

/// When each request may leave: evenly spaced at the current rate, which throttling halves and
/// time restores, and never more than `rps` in one second of actual departures. Pure arithmetic
/// over the instants it is given, so its rules are tested without waiting.
#[derive(Debug)]
pub struct Schedule {
    ceiling: f64,
    per_second: usize,
    departed: VecDeque<Instant>,
    rate: f64,
    next: Option<Instant>,
    slowed_at: Option<Instant>,
    slowed_to: f64,
}

impl Schedule {
    /// A schedule of `rps` requests per second, the first one free to leave at once.
    pub fn new(rps: NonZeroU32) -> Schedule {
        let ceiling = f64::from(rps.get());
        Schedule {
            ceiling,
            per_second: rps.get() as usize,
            departed: VecDeque::new(),
            rate: ceiling,
            next: None,
            slowed_at: None,
            slowed_to: ceiling,
        }
    }

    /// Reserves the departure of one request asked for at `now`: the later of `now` and one
    /// period after the previous departure. An idle spell earns no burst.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        self.recover(now);
        let at = self.next.filter(|next| *next > now).unwrap_or(now);
        self.next = Some(at + self.period());
        at
    }

    /// Records a departure at `now` (a reserved time come, or later), unless the second before
    /// `now` already holds `rps` departures: then answers when to ask again.
    pub fn depart(&mut self, now: Instant) -> Result<(), Instant> {
        let second = Duration::from_secs(1);
        while self
            .departed
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= second)
        {
            self.departed.pop_front();
        }
        if self.departed.len() >= self.per_second {
            return Err(self.departed[0] + second);
        }
        self.departed.push_back(now);
        Ok(())
    }

    /// A throttling answer arrived at `now`: halves the rate, once per [`SLOWDOWN_HOLD`].
    pub fn throttled(&mut self, now: Instant) {
        if self
            .slowed_at
            .is_some_and(|at| now.saturating_duration_since(at) < SLOWDOWN_HOLD)
        {
            return;
        }
        self.recover(now);
        self.rate = (self.rate / 2.0).max(self.ceiling * FLOOR_SHARE);
        self.slowed_at = Some(now);
        self.slowed_to = self.rate;
    }

    /// The rate in force, in requests per second (what the tests check).
    #[cfg(test)]
    fn rate(&self) -> f64 {
        self.rate
    }

    /// `1/rate`, rounded up to the nanosecond: rounded down, `rps + 1` departures would fit in
    /// one second.
    fn period(&self) -> Duration {
        Duration::from_nanos((1e9 / self.rate).ceil() as u64)
    }

    fn recover(&mut self, now: Instant) {
        if let Some(at) = self.slowed_at {
            let climbed = now.saturating_duration_since(at).as_secs_f64() / RECOVERY.as_secs_f64();
            self.rate = (self.slowed_to + self.ceiling * climbed).min(self.ceiling);
        }
    }
}

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
    schedule: Mutex<Schedule>,
    backoff: ExponentialBuilder,
    requests: AtomicU64,
    throttled: AtomicU64,
    retried: AtomicU64,
    said_unreachable: AtomicBool,
}

impl Pacer {
    /// A pacer allowing `rps` requests per second with no burst, retrying a request up to
    /// `max_retries` times.
    pub fn new(rps: NonZeroU32, max_retries: usize) -> Pacer {
        Pacer {
            schedule: Mutex::new(Schedule::new(rps)),
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
                let mut departure = self.schedule().reserve(Instant::now());
                loop {
                    tokio::time::sleep_until(departure.into()).await;
                    match self.schedule().depart(Instant::now()) {
                        Ok(()) => break,
                        Err(later) => departure = later,
                    }
                }
                self.requests.fetch_add(1, Ordering::Relaxed);
                let result = request.await;
                if let Err(err) = &result
                    && is_throttling(err)
                {
                    self.throttled.fetch_add(1, Ordering::Relaxed);
                    self.schedule().throttled(Instant::now());
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

    fn schedule(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.schedule.lock().expect("schedule lock")
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

    fn rps(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap()
    }

    /// The most departures in any half-open one-second window (as the synthetic pool counts).
    fn most_in_one_second(departures: &[Instant]) -> usize {
        (0..departures.len())
            .map(|i| {
                departures[i..]
                    .iter()
                    .take_while(|d| d.duration_since(departures[i]) < Duration::from_secs(1))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn departures_fill_the_rate_and_never_exceed_it_in_any_second() {
        for n in [1, 3, 7, 10, 25, 30] {
            let mut schedule = Schedule::new(rps(n));
            let now = Instant::now();
            let departures: Vec<Instant> = (0..10 * n).map(|_| schedule.reserve(now)).collect();
            assert_eq!(most_in_one_second(&departures), n as usize, "rps {n}");
            // Leaving on time, no request is held back by the one-second window.
            assert!(
                departures.iter().all(|d| schedule.depart(*d).is_ok()),
                "rps {n}"
            );
            let span = departures.last().unwrap().duration_since(departures[0]);
            let mean = f64::from(10 * n - 1) / span.as_secs_f64();
            assert!(mean >= 0.9999 * f64::from(n), "rps {n}: mean {mean}");
        }
    }

    #[test]
    fn a_stalled_process_does_not_catch_up_in_a_burst() {
        let mut schedule = Schedule::new(rps(10));
        let start = Instant::now();
        for i in 0..5 {
            assert_eq!(
                schedule.depart(start + Duration::from_millis(100 * i)),
                Ok(())
            );
        }
        // The process sleeps until 1.35 s; twenty requests whose times have come ask at once.
        let woken = start + Duration::from_millis(1350);
        let admitted = (0..20).filter(|_| schedule.depart(woken).is_ok()).count();
        // The second before holds the departure at 0.4 s: nine more make ten.
        assert_eq!(admitted, 9);
        assert_eq!(
            schedule.depart(woken),
            Err(start + Duration::from_millis(1400))
        );
        assert_eq!(schedule.depart(start + Duration::from_millis(1400)), Ok(()));
    }

    #[test]
    fn an_idle_spell_earns_no_burst() {
        let mut schedule = Schedule::new(rps(10));
        let start = Instant::now();
        assert_eq!(schedule.reserve(start), start);
        let later = start + Duration::from_secs(30);
        assert_eq!(schedule.reserve(later), later);
        assert_eq!(schedule.reserve(later), later + Duration::from_millis(100));
    }

    #[test]
    fn throttling_halves_the_rate_once_per_hold_and_it_recovers_when_it_stops() {
        let mut schedule = Schedule::new(rps(30));
        let start = Instant::now();
        schedule.throttled(start);
        assert_eq!(schedule.rate(), 15.0);
        // The other requests in flight are answered the same way: no further halving.
        schedule.throttled(start + Duration::from_millis(900));
        assert_eq!(schedule.rate(), 15.0);
        schedule.throttled(start + SLOWDOWN_HOLD);
        // 15 climbed back to 16.5 in that second, and is halved.
        assert!((schedule.rate() - 8.25).abs() < 1e-9, "{}", schedule.rate());
        // Quiet from here: 8.25 + 30 * t / 20 s reaches 30 after 14.5 s.
        let quiet = start + SLOWDOWN_HOLD;
        schedule.reserve(quiet + Duration::from_secs(5));
        assert!(
            (schedule.rate() - 15.75).abs() < 1e-9,
            "{}",
            schedule.rate()
        );
        schedule.reserve(quiet + Duration::from_millis(14_500));
        assert_eq!(schedule.rate(), 30.0);
    }

    #[test]
    fn slowed_departures_are_spaced_at_the_slower_rate() {
        let mut schedule = Schedule::new(rps(20));
        let now = Instant::now();
        schedule.throttled(now);
        let first = schedule.reserve(now);
        let second = schedule.reserve(now);
        assert_eq!(second.duration_since(first), Duration::from_millis(100));
    }

    #[test]
    fn constant_throttling_slows_a_run_but_never_stops_it() {
        let mut schedule = Schedule::new(rps(30));
        let start = Instant::now();
        for second in 0..40 {
            schedule.throttled(start + Duration::from_secs(second));
            assert!(schedule.rate() >= 30.0 * FLOOR_SHARE);
        }
        // Halved every second, climbing 1.5 a second in between: it settles at 1.5 requests/s.
        assert!((schedule.rate() - 1.5).abs() < 0.01, "{}", schedule.rate());
    }
}
