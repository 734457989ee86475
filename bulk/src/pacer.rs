//! The one place where requests to Cognito are paced and retried.
//!
//! Every attempt of every request of a run first takes its departure from one shared
//! [`Schedule`], so the rate Cognito sees never exceeds `--rps`, retries included (the SDK's own
//! retries are switched off in [`crate::aws`]). Below that ceiling, [`rule`] sets the rate from
//! the answers: it finds the free share of a quota shared with other clients and keeps going
//! through throttling that does not follow its rate (see there).
//! Throttling, 5xx answers, timeouts and dropped connections are retried with jittered exponential
//! backoff; anything else is returned at once.
//! A Cognito that cannot be reached at all is said so at once and given up on after
//! [`UNREACHABLE_GIVE_UP`], not retried silently for minutes.
//!
//! **The ceiling is `governor`'s** GCRA quota (the crate the design names), one quota fixed for
//! the run: `rps × CELLS` cells a second, a request costing `CELLS` of them when it leaves. A
//! GCRA admits a departure only once its theoretical arrival time has come, less a tolerance, so
//! `rps + 1` departures always span at least `rps × CELLS` cells less the tolerance; the cell is
//! sized so that this is one second, and any one-second window holds at most `rps` departures
//! (the server at most one more when transit times vary by less than `1/rps`). The tolerance
//! ([`TOLERANCE`]) lets a departure that woke late (tokio's timer has a millisecond's grain, a
//! busy machine adds to it) keep its time. This is where a GCRA is weaker than the window of
//! actual departures it replaced, which made up any lateness within the second for nothing: a
//! GCRA charges what it tolerates on every second (5 ms a second: 0.5 % of the rate), and a
//! departure later than that loses the rest for good
//! (`a_departure_later_than_the_tolerance_loses_the_difference`). An idle spell or a stalled
//! process earns no burst: the quota holds one departure's worth, no more.
//!
//! **The lower rate the rule asks for is the same quota with weighted cells**: a request at
//! `rate` first claims `CELLS × (rps / rate − 1)` cells of padding (in pieces no larger than the
//! quota's burst), then its `CELLS`: departures cost more cells, so fewer leave, and the ceiling's
//! guarantee holds unchanged because a departure still needs its own `CELLS`. What governor does
//! not have is the rule: a quota is fixed once built, so the rate is ours ([`rule::Rule`]).

mod rule;

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use backon::{ExponentialBuilder, Retryable};
use governor::clock::{Clock, FakeRelativeClock};
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use shared::cognito_errors;

/// Cells one departure costs at the full rate: the grain of the lower rates (1/256 of `--rps`).
const CELLS: u32 = 256;

/// How late a departure may be without losing the time (see the module doc).
const TOLERANCE: Duration = Duration::from_millis(5);

/// When each request may leave: at the rate [`rule::Rule`] sets from the answers, never more than
/// `rps` in any second. Pure arithmetic over the instants it is given (governor reads them from a
/// manual clock this schedule moves), so its rules are tested without waiting.
#[derive(Debug)]
pub struct Schedule {
    ceiling: u32,
    quota: RateLimiter<NotKeyed, InMemoryState, FakeRelativeClock>,
    clock: FakeRelativeClock,
    origin: Instant,
    burst: u32,
    rule: rule::Rule,
}

/// What one request still has to claim before it leaves.
#[derive(Debug, Clone, Copy)]
pub struct Departure {
    padding: u32,
}

impl Schedule {
    /// A schedule of `rps` requests per second, the first one free to leave at once.
    pub fn new(rps: NonZeroU32) -> Schedule {
        let cells_a_second = u64::from(rps.get()) * u64::from(CELLS);
        let cell = 1e9 / cells_a_second as f64;
        let slack =
            ((TOLERANCE.as_nanos() as f64 / cell).round() as u64).clamp(1, u64::from(CELLS / 4));
        // `rps × CELLS` cells less the tolerance's span exactly one second: rounded up.
        let cell = Duration::from_nanos(1_000_000_000u64.div_ceil(cells_a_second - slack));
        let burst = CELLS + slack as u32;
        let quota = Quota::with_period(cell)
            .expect("a cell lasts a nanosecond at least")
            .allow_burst(NonZeroU32::new(burst).expect("CELLS is not zero"));
        let clock = FakeRelativeClock::default();
        Schedule {
            ceiling: rps.get(),
            quota: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
            origin: Instant::now(),
            burst,
            rule: rule::Rule::new(f64::from(rps.get())),
        }
    }

    /// What a request asked for at `now` must claim: the padding of the rate then in force.
    pub fn departure(&self, now: Instant) -> Departure {
        let share = f64::from(self.ceiling) / self.rule.rate(now);
        Departure {
            padding: (f64::from(CELLS) * (share - 1.0)).round() as u32,
        }
    }

    /// Records the departure of `request` at `now`, or answers when to ask again.
    pub fn depart(&mut self, now: Instant, request: &mut Departure) -> Result<(), Instant> {
        self.move_clock(now);
        while request.padding > 0 {
            let piece = request.padding.min(self.burst);
            self.claim(now, piece)?;
            request.padding -= piece;
        }
        self.claim(now, CELLS)
    }

    /// The answer to a request that left at `sent` arrived at `now`.
    pub fn answered(&mut self, sent: Instant, now: Instant, throttled: bool) {
        self.rule.answered(sent, now, throttled);
    }

    /// The rate in force, in requests per second (what the tests check).
    #[cfg(test)]
    fn rate(&self, now: Instant) -> f64 {
        self.rule.rate(now)
    }

    fn claim(&self, now: Instant, cells: u32) -> Result<(), Instant> {
        let cells = NonZeroU32::new(cells).expect("claims are of one cell or more");
        match self.quota.check_n(cells) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(now + not_until.wait_time_from(self.clock.now())),
            Err(_) => unreachable!("no claim is larger than the burst"),
        }
    }

    /// Governor reads the time from its clock: moved to `now` (never back: callers' instants
    /// may arrive a little out of order across threads).
    fn move_clock(&self, now: Instant) {
        let at = now.saturating_duration_since(self.origin);
        let seen = Duration::from(self.clock.now());
        if at > seen {
            self.clock.advance(at - seen);
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
    /// Held while a request waits for its departure: tokio's mutex is first come, first served,
    /// so requests leave in the order they asked and one wakes up per departure (every waiting
    /// request woken at the same instant cost more than a millisecond of each departure).
    turn: tokio::sync::Mutex<()>,
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
            turn: tokio::sync::Mutex::new(()),
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
                {
                    // One request at a time waits for its departure, in the order they asked.
                    let _turn = self.turn.lock().await;
                    let mut departure = self.schedule().departure(Instant::now());
                    loop {
                        let wait = self.schedule().depart(Instant::now(), &mut departure);
                        match wait {
                            Ok(()) => break,
                            Err(later) => tokio::time::sleep_until(later.into()).await,
                        }
                    }
                }
                let sent = Instant::now();
                self.requests.fetch_add(1, Ordering::Relaxed);
                let result = request.await;
                let throttled = result.as_ref().err().is_some_and(is_throttling);
                if throttled {
                    self.throttled.fetch_add(1, Ordering::Relaxed);
                }
                if !result.as_ref().err().is_some_and(is_unreachable) {
                    self.schedule().answered(sent, Instant::now(), throttled);
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

    /// `count` requests asked for at `from`, each leaving as soon as the schedule lets it, woken
    /// `late(i)` after the time it was given.
    fn depart_all(
        schedule: &mut Schedule,
        from: Instant,
        count: usize,
        late: impl Fn(usize) -> Duration,
    ) -> Vec<Instant> {
        let mut now = from;
        (0..count)
            .map(|i| {
                let mut departure = schedule.departure(now);
                while let Err(later) = schedule.depart(now, &mut departure) {
                    now = later + late(i);
                }
                now
            })
            .collect()
    }

    #[test]
    fn departures_fill_the_rate_and_never_exceed_it_in_any_second() {
        for n in [1, 3, 7, 10, 25, 30, 1000] {
            let mut schedule = Schedule::new(rps(n));
            let start = schedule.origin;
            let departures = depart_all(&mut schedule, start, 10 * n as usize, |_| Duration::ZERO);
            assert_eq!(most_in_one_second(&departures), n as usize, "rps {n}");
            let span = departures.last().unwrap().duration_since(departures[0]);
            let mean = f64::from(10 * n - 1) / span.as_secs_f64();
            // Less the tolerance's 5 ms a second (4 ms, one cell, at 1/s).
            assert!(mean >= 0.99 * f64::from(n), "rps {n}: mean {mean}");
        }
    }

    #[test]
    fn departures_woken_late_keep_the_rate_and_never_exceed_it() {
        let mut schedule = Schedule::new(rps(30));
        let start = schedule.origin;
        // tokio's timer wakes up to a millisecond late, and now and then much later.
        let late = |i: usize| match i % 97 {
            0 => Duration::from_millis(40),
            _ => Duration::from_micros((i as u64 * 7919) % 1500),
        };
        let departures = depart_all(&mut schedule, start, 3000, late);
        assert_eq!(most_in_one_second(&departures), 30);
        let span = departures.last().unwrap().duration_since(departures[0]);
        let mean = 2999.0 / span.as_secs_f64();
        assert!(mean >= 0.97 * 30.0, "mean {mean}");
    }

    #[test]
    fn a_departure_later_than_the_tolerance_loses_the_difference() {
        // When the eleventh of eleven requests leaves, the second one woken `late`.
        let eleventh = |late: Duration| {
            let mut schedule = Schedule::new(rps(10));
            let start = schedule.origin;
            let departures = depart_all(&mut schedule, start, 11, |i| {
                if i == 1 { late } else { Duration::ZERO }
            });
            departures[10].duration_since(start)
        };
        let punctual = eleventh(Duration::ZERO);
        // Late within the tolerance: the later departures keep the schedule.
        assert_eq!(eleventh(TOLERANCE / 2), punctual);
        // 40 ms late: the window of actual departures made it up within the second; a GCRA keeps
        // only the tolerance, and every later departure leaves the rest later.
        // (The tolerance is a whole number of cells: within one cell, 0.4 ms at 10/s.)
        let lost = eleventh(Duration::from_millis(40)) - punctual;
        let expected = Duration::from_millis(40) - TOLERANCE;
        assert!(
            lost.abs_diff(expected) < Duration::from_micros(400),
            "{lost:?}"
        );
    }

    #[test]
    fn a_stalled_process_does_not_catch_up_in_a_burst() {
        let mut schedule = Schedule::new(rps(10));
        let start = schedule.origin;
        for i in 0..5 {
            let mut departure = schedule.departure(start);
            let at = start + Duration::from_millis(100 * i);
            assert_eq!(schedule.depart(at, &mut departure), Ok(()));
        }
        // The process sleeps until 1.35 s; twenty requests whose times have come ask at once.
        let woken = start + Duration::from_millis(1350);
        let mut asking: Vec<Departure> = (0..20).map(|_| schedule.departure(woken)).collect();
        let admitted = asking
            .iter_mut()
            .filter_map(|d| schedule.depart(woken, d).ok())
            .count();
        assert_eq!(admitted, 1);
        // The next one waits a full period (less the tolerance).
        let next = schedule.depart(woken, &mut asking[1]).unwrap_err();
        let wait = next.duration_since(woken);
        let period = Duration::from_millis(100);
        assert!(
            wait >= period - TOLERANCE - Duration::from_millis(1) && wait <= period,
            "{wait:?}"
        );
    }

    #[test]
    fn an_idle_spell_earns_no_burst() {
        let mut schedule = Schedule::new(rps(10));
        let start = schedule.origin;
        let first = depart_all(&mut schedule, start, 1, |_| Duration::ZERO);
        assert_eq!(first, [start]);
        let later = start + Duration::from_secs(30);
        let departures = depart_all(&mut schedule, later, 11, |_| Duration::ZERO);
        assert_eq!(departures[0], later);
        assert_eq!(most_in_one_second(&departures), 10);
        let period = Duration::from_millis(100);
        assert!(
            departures[1].duration_since(later) >= period - TOLERANCE - Duration::from_millis(1)
        );
    }

    #[test]
    fn slowed_departures_are_spaced_at_the_slower_rate_within_the_ceiling() {
        let mut schedule = Schedule::new(rps(20));
        let start = schedule.origin;
        // A throttled answer: the rule probes at half the rate.
        schedule.answered(start, start, true);
        assert_eq!(schedule.rate(start), 10.0);
        let departures = depart_all(&mut schedule, start, 41, |_| Duration::ZERO);
        let span = departures[40].duration_since(departures[0]).as_secs_f64();
        // Periods of (1 s + the tolerance)/10: see the module doc.
        let expected = 4.0 * (1.0 + TOLERANCE.as_secs_f64());
        assert!(
            (span - expected).abs() < 0.002,
            "{span} s for 40 periods at 10/s"
        );
        assert_eq!(most_in_one_second(&departures), 10);
    }

    #[test]
    fn retries_and_rates_that_change_never_exceed_the_ceiling() {
        let mut schedule = Schedule::new(rps(30));
        let start = schedule.origin;
        let mut departures = Vec::new();
        let mut now = start;
        // Every seventh answer throttled, then none: the rate falls and climbs back while the
        // requests (retries alike) leave as soon as they may.
        for i in 0..3000u32 {
            let mut departure = schedule.departure(now);
            while let Err(later) = schedule.depart(now, &mut departure) {
                now = later;
            }
            departures.push(now);
            schedule.answered(now, now + Duration::from_millis(50), i < 1500 && i % 7 == 0);
        }
        assert_eq!(most_in_one_second(&departures), 30);
    }
}
