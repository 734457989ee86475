//! How fast a run goes below its `--rps`: the congestion rule, pure arithmetic over the instants
//! it is given.
//!
//! The account's quotas are shared ("each Amazon Cognito quota represents a maximum volume of
//! requests in one AWS Region in one AWS account"): another client spending part of the
//! `ListUsers` quota makes Cognito throttle whoever comes over what is left. Throttling can also
//! have nothing to do with our rate (a service under strain refusing a share of everyone's
//! requests), and then slowing down only loses time. The rule tells the two apart by measuring,
//! and otherwise follows the AWS SDKs' adaptive retry mode:
//!
//! - **CUBIC** (RFC 9438), as in the AWS SDKs' adaptive retry mode ("Retry behavior", AWS SDKs
//!   and Tools Reference Guide: standard mode "as well as automatic client-side rate limiting";
//!   botocore's `retries/throttling.py` `CubicCalculator`, driven by the client rate limiter of
//!   `retries/adaptive.py`): on throttling the rate is cut to [`BETA`] times the rate at that moment,
//!   `w_max`, then climbs along `C·(t − K)³ + w_max` with `K = ∛(w_max·(1 − β)/C)`: back to
//!   `w_max` in `K` seconds, slowly around it, faster beyond (RFC 9438 §4.2). A cut below the
//!   last `w_max` remembers `w_max·(1 + β)/2` (fast convergence, §4.7), so the climb levels off
//!   just below where throttling began. The constants are gentler than the SDKs' (β 0.7, C 0.4):
//!   in the tests' model of a 30/s quota shared with a client at 10/s, the SDKs' constants had
//!   1.9 % of our requests throttled at 19.3/s, these 1.2 % at 18.8/s (the target: ≤ 2 %).
//! - **A measured cause**: the first cut of a spell is a probe. The rate is halved, and after
//!   [`HOLD`] (requests sent within a second of the cut still meet the quota's memory of the
//!   faster rate) the answers decide. [`VERDICT_ANSWERS`] in a row not throttled: the throttling
//!   fell with our rate, it is ours; the CUBIC cut stands, and further cuts for [`TRUST`] are
//!   plain CUBIC cuts, down to half the probe's rate (below it, a probe again). Throttled
//!   answers still coming: it did not fall when we slowed down, it is not ours; the run goes
//!   back to its ceiling, and their share becomes the **background**, which later throttling
//!   must exceed by three standard deviations before it counts. The background decays towards
//!   lower shares, so throttling that stops is forgotten.
//!
//! The SDKs' rule alone cuts on every throttled answer: at 10 % of answers throttled at random
//! it settles at a fraction of the quota, as halving once a second did before (6 of 30/s).

use std::time::{Duration, Instant};

/// CUBIC's multiplicative decrease (RFC 9438 §4.6): gentler than the SDKs' 0.7 (module doc).
const BETA: f64 = 0.8;

/// CUBIC's scaling constant, in requests/s per s³: an eighth of the SDKs' 0.4 (module doc).
const C: f64 = 0.05;

/// Answers to requests sent within this time after a cut are not counted: the quota still
/// remembers the faster rate (Cognito's quotas are per second).
const HOLD: Duration = Duration::from_secs(1);

/// Answers without a throttled one a probe waits for (after [`HOLD`]) before it says the
/// throttling is ours: at 10 % throttled at random, thirty in a row come 4 % of the time.
const VERDICT_ANSWERS: u32 = 30;

/// Throttled answers that end a probe at once: the throttling did not fall with our rate.
const VERDICT_THROTTLED: u32 = 3;

/// Answers a probe needs before its throttled answers say: not ours (they come in bursts).
const VERDICT_FEWEST_ANSWERS: u32 = 10;

/// Answers after which a probe with one or two throttled answers says: not ours.
const VERDICT_MOST_ANSWERS: u32 = 60;

/// The longest a probe lasts after its hold: at the lowest rates the answers above come slowly.
const VERDICT_LONGEST: Duration = Duration::from_secs(10);

/// How long a verdict of "ours" lets further cuts go without a probe.
const TRUST: Duration = Duration::from_secs(60);

/// Standard deviations over the background share that make throttling count.
const Z: f64 = 3.0;

/// Answers an epoch needs before it ends.
const EPOCH_ANSWERS: u32 = 10;

/// How long an epoch (the span whose throttled share is compared with the background) lasts.
const EPOCH: Duration = Duration::from_secs(1);

/// How far the background moves, each epoch, towards a lower share: throttling that stops is
/// forgotten within a minute or so, and noise does not pull it far below the server's share.
const DECAY: f64 = 0.05;

/// A share of throttled answers above this is not a background to run through: too few requests
/// get through for going at the full rate to help, so the probe's cut stands.
const MAX_BACKGROUND: f64 = 0.5;

/// The lowest rate the rule goes down to, as a share of the ceiling.
const FLOOR_SHARE: f64 = 1.0 / 32.0;

/// Answers and throttled answers of the requests sent since `start`.
#[derive(Debug, Clone, Copy)]
struct Tally {
    start: Instant,
    answered: u32,
    throttled: u32,
}

impl Tally {
    fn since(start: Instant) -> Tally {
        Tally {
            start,
            answered: 0,
            throttled: 0,
        }
    }

    fn count(&mut self, throttled: bool) {
        self.answered += 1;
        self.throttled += u32::from(throttled);
    }

    fn share(&self) -> f64 {
        f64::from(self.throttled) / f64::from(self.answered.max(1))
    }
}

/// The CUBIC state: where the last cut began and the rate it remembers.
#[derive(Debug, Clone, Copy)]
struct Cubic {
    w_max: f64,
    cut_at: Instant,
}

/// A probe in progress: the rate at the cut, and the answers after the hold.
#[derive(Debug, Clone, Copy)]
struct Probe {
    rate: f64,
    after: Tally,
}

/// The rate a run may go at, from the answers it got (see the module doc).
#[derive(Debug)]
pub struct Rule {
    ceiling: f64,
    cubic: Option<Cubic>,
    probe: Option<Probe>,
    background: f64,
    epoch: Option<Tally>,
    trusted: Option<Trust>,
}

/// After a verdict of "ours": until when cuts need no probe, and above which rate (the probe's,
/// at which no answer was throttled; throttling below it is a new question).
#[derive(Debug, Clone, Copy)]
struct Trust {
    until: Instant,
    above: f64,
}

impl Rule {
    /// A rule that starts at `ceiling` requests/s and never goes above it.
    pub fn new(ceiling: f64) -> Rule {
        Rule {
            ceiling,
            cubic: None,
            probe: None,
            background: 0.0,
            epoch: None,
            trusted: None,
        }
    }

    /// The rate in force at `now`, in requests per second.
    pub fn rate(&self, now: Instant) -> f64 {
        let floor = self.ceiling * FLOOR_SHARE;
        let rate = match (&self.probe, &self.cubic) {
            (Some(probe), _) => probe.rate / 2.0,
            (None, None) => self.ceiling,
            (None, Some(cubic)) => {
                let k = (cubic.w_max * (1.0 - BETA) / C).cbrt();
                let t = now.saturating_duration_since(cubic.cut_at).as_secs_f64();
                C * (t - k).powi(3) + cubic.w_max
            }
        };
        rate.clamp(floor, self.ceiling)
    }

    /// The answer to a request sent at `sent` arrived at `now`, throttled or not.
    pub fn answered(&mut self, sent: Instant, now: Instant, throttled: bool) {
        if let Some(probe) = &mut self.probe {
            if sent < probe.after.start {
                return;
            }
            probe.after.count(throttled);
            let after = probe.after;
            let ours = after.throttled == 0 && after.answered >= VERDICT_ANSWERS;
            let not_ours = (after.throttled >= VERDICT_THROTTLED
                && after.answered >= VERDICT_FEWEST_ANSWERS)
                || after.answered >= VERDICT_MOST_ANSWERS;
            let timed_out = now.saturating_duration_since(after.start) >= VERDICT_LONGEST;
            if ours || not_ours || timed_out {
                self.verdict(now);
            }
            return;
        }
        let epoch = self.epoch.get_or_insert(Tally::since(sent));
        if sent < epoch.start {
            return;
        }
        epoch.count(throttled);
        let (share, answered) = (epoch.share(), epoch.answered);
        let ended =
            now.saturating_duration_since(epoch.start) >= EPOCH && answered >= EPOCH_ANSWERS;
        if self.background == 0.0 {
            // No throttling known to come whatever our rate: any throttled answer counts.
            if throttled {
                self.cut(now);
            } else if ended {
                *epoch = Tally::since(now);
            }
        } else if ended {
            // Compared once an epoch, so that the many looks within one do not add up.
            let margin =
                Z * (self.background * (1.0 - self.background) / f64::from(answered)).sqrt();
            if share > self.background + margin {
                self.cut(now);
            } else {
                self.background += DECAY * (share.min(self.background) - self.background);
                *epoch = Tally::since(now);
            }
        }
    }

    /// The share of answers throttled whatever our rate, as last measured.
    #[cfg(test)]
    fn background(&self) -> f64 {
        self.background
    }

    fn cut(&mut self, now: Instant) {
        let rate = self.rate(now);
        if self
            .trusted
            .is_some_and(|trust| now < trust.until && rate > trust.above)
        {
            let w_max = match self.cubic {
                Some(last) if rate < last.w_max => rate * (1.0 + BETA) / 2.0,
                _ => rate,
            };
            self.cubic = Some(Cubic { w_max, cut_at: now });
            self.epoch = Some(Tally::since(now + HOLD));
        } else {
            self.probe = Some(Probe {
                rate,
                after: Tally::since(now + HOLD),
            });
        }
    }

    fn verdict(&mut self, now: Instant) {
        let Some(probe) = self.probe.take() else {
            return;
        };
        let after = probe.after;
        let share = after.share();
        if after.throttled > 0 && share <= MAX_BACKGROUND {
            // Not ours: we should not have slowed down at all.
            self.background = share;
            self.cubic = None;
        } else if after.throttled > 0 {
            self.cubic = Some(Cubic {
                w_max: probe.rate / 2.0 / BETA,
                cut_at: now,
            });
        } else {
            self.background = 0.0;
            self.trusted = Some(Trust {
                until: now + TRUST,
                above: probe.rate / 2.0,
            });
            self.cubic = Some(Cubic {
                w_max: probe.rate,
                cut_at: now,
            });
        }
        self.epoch = Some(Tally::since(now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// The account's quota, in requests per second, in the shared-quota server model.
    const QUOTA: usize = 30;
    /// Time from a request's departure to its answer.
    const LATENCY: Duration = Duration::from_millis(50);

    /// Who answers the simulated requests.
    enum Server {
        /// The account's quota of [`QUOTA`] accepted requests in any second, shared with another
        /// client sending evenly at `other` requests/s until `stops` (seconds after the start).
        SharedQuota {
            other: f64,
            stops: f64,
            next_other: f64,
            accepted: VecDeque<f64>,
        },
        /// `share` of the answers throttled at random, whatever the rate (xorshift64*, seeded).
        Random { share: f64, state: u64 },
    }

    impl Server {
        fn shared_quota(other: f64, stops: f64) -> Server {
            Server::SharedQuota {
                other,
                stops,
                next_other: 0.0,
                accepted: VecDeque::new(),
            }
        }

        fn random(share: f64, seed: u64) -> Server {
            Server::Random {
                share,
                state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            }
        }

        /// Whether our request arriving `at` seconds after the start is throttled.
        fn throttles(&mut self, at: f64) -> bool {
            match self {
                Server::SharedQuota {
                    other,
                    stops,
                    next_other,
                    accepted,
                } => {
                    let admit = |accepted: &mut VecDeque<f64>, moment: f64| {
                        while accepted.front().is_some_and(|a| *a <= moment - 1.0) {
                            accepted.pop_front();
                        }
                        let room = accepted.len() < QUOTA;
                        if room {
                            accepted.push_back(moment);
                        }
                        room
                    };
                    while *next_other <= at && *next_other < *stops {
                        admit(accepted, *next_other);
                        *next_other += 1.0 / *other;
                    }
                    !admit(accepted, at)
                }
                Server::Random { share, state } => {
                    *state ^= *state >> 12;
                    *state ^= *state << 25;
                    *state ^= *state >> 27;
                    let draw = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
                    (draw as f64 / (1u64 << 53) as f64) < *share
                }
            }
        }
    }

    /// One request of the simulated run: seconds after the start, throttled, the rate then.
    struct Sent {
        at: f64,
        throttled: bool,
        rate: f64,
    }

    /// A run of `seconds` at a ceiling of 30/s, each request leaving `1/rate` after the previous
    /// one and answered [`LATENCY`] later, on a manual clock.
    fn simulate(server: &mut Server, seconds: f64) -> (Vec<Sent>, Rule) {
        let start = Instant::now();
        let mut rule = Rule::new(30.0);
        let mut in_flight: VecDeque<(Instant, Instant, bool)> = VecDeque::new();
        let mut sent = Vec::new();
        let mut now = start;
        while now.duration_since(start).as_secs_f64() < seconds {
            while in_flight.front().is_some_and(|(due, ..)| *due <= now) {
                let (due, departed, throttled) = in_flight.pop_front().expect("front");
                rule.answered(departed, due, throttled);
            }
            let rate = rule.rate(now);
            let at = now.duration_since(start).as_secs_f64();
            let throttled = server.throttles(at);
            in_flight.push_back((now + LATENCY, now, throttled));
            sent.push(Sent {
                at,
                throttled,
                rate,
            });
            now += Duration::from_secs_f64(1.0 / rate);
        }
        (sent, rule)
    }

    /// Requests per second sent and the share of them throttled, in `[from, to)` seconds.
    fn mean_and_throttled(sent: &[Sent], from: f64, to: f64) -> (f64, f64) {
        let span: Vec<&Sent> = sent.iter().filter(|s| (from..to).contains(&s.at)).collect();
        let throttled = span.iter().filter(|s| s.throttled).count();
        (
            span.len() as f64 / (to - from),
            throttled as f64 / span.len().max(1) as f64,
        )
    }

    #[test]
    fn beside_another_client_it_takes_the_free_share_and_climbs_back_when_it_stops() {
        // 30/s for the account, the other client at 10/s for 200 s: 20/s are free.
        let (sent, _) = simulate(&mut Server::shared_quota(10.0, 200.0), 300.0);
        let (mean, throttled) = mean_and_throttled(&sent, 30.0, 200.0);
        assert!((18.0..=22.0).contains(&mean), "mean {mean:.2}/s");
        assert!(throttled <= 0.02, "{:.2} % throttled", 100.0 * throttled);
        let back = sent
            .iter()
            .find(|s| s.at >= 200.0 && s.rate >= 29.7)
            .map(|s| s.at - 200.0);
        assert!(
            back.is_some_and(|b| b <= 60.0),
            "back to 30/s after {back:?} s"
        );
        // Alone at the quota's own rate, the edge of its window throttles now and then.
        let (after, _) = mean_and_throttled(&sent, 260.0, 300.0);
        assert!(after >= 26.0, "{after:.2}/s once alone");
    }

    #[test]
    fn throttling_that_does_not_follow_the_rate_keeps_four_fifths_of_it() {
        for seed in 1..=8 {
            let (sent, rule) = simulate(&mut Server::random(0.1, seed), 300.0);
            let (mean, throttled) = mean_and_throttled(&sent, 30.0, 300.0);
            assert!(mean >= 24.0, "seed {seed}: {mean:.2}/s");
            assert!(
                (0.05..0.15).contains(&throttled),
                "seed {seed}: {throttled}"
            );
            // The background it measured is the server's share.
            assert!(
                (0.0..0.3).contains(&rule.background()),
                "seed {seed}: {}",
                rule.background()
            );
        }
    }

    #[test]
    fn throttling_that_falls_with_the_rate_is_cut_by_cubic() {
        let start = Instant::now();
        let mut rule = Rule::new(30.0);
        rule.answered(start, start, true);
        // A probe: half the rate, whatever the time.
        assert_eq!(rule.rate(start + Duration::from_secs(2)), 15.0);
        // Answers sent within the hold do not count; thirty unthrottled after it are a verdict.
        rule.answered(start + Duration::from_millis(900), start + HOLD, true);
        assert_eq!(rule.rate(start + HOLD), 15.0);
        let verdict = start + Duration::from_secs(3);
        for i in 0..VERDICT_ANSWERS {
            let sent = start + HOLD + Duration::from_millis(50 * u64::from(i));
            rule.answered(sent, verdict, false);
        }
        // Ours: CUBIC from β of 30, back to 30 after K = ∛(30 · (1 - β) / C) s.
        let close = |rate: f64, expected: f64| (rate - expected).abs() < 1e-6;
        assert!(
            close(rule.rate(verdict), 30.0 * BETA),
            "{}",
            rule.rate(verdict)
        );
        let k = Duration::from_secs_f64((30.0 * (1.0 - BETA) / C).cbrt());
        assert!(close(rule.rate(verdict + k), 30.0));
        assert!(rule.rate(verdict + k / 2) > 29.0);
        // Trusted now: the next throttled answer (after the hold) is a plain CUBIC cut.
        let later = verdict + Duration::from_secs(10);
        rule.answered(later, later, true);
        assert!(close(rule.rate(later), 30.0 * BETA), "{}", rule.rate(later));
        // Throttled again before it is back at 30: it remembers (1 + β)/2 of that rate, so the
        // climb levels off below where throttling began.
        let again = later + Duration::from_secs(2);
        let w_max = rule.rate(again) * (1.0 + BETA) / 2.0;
        rule.answered(again, again, true);
        let settled = again + Duration::from_secs_f64((w_max * (1.0 - BETA) / C).cbrt());
        assert!(close(rule.rate(settled), w_max), "{}", rule.rate(settled));
        // Throttling below the rate the probe found free is a new question: a probe.
        let mut now = settled + Duration::from_secs(1);
        while rule.rate(now) > 15.0 {
            rule.answered(now, now, true);
            now += Duration::from_secs(2);
        }
        let probed = rule.rate(now);
        rule.answered(now, now, true);
        assert_eq!(rule.rate(now), probed / 2.0);
    }

    #[test]
    fn throttling_that_does_not_fall_with_the_rate_restores_it_and_is_the_background() {
        let start = Instant::now();
        let mut rule = Rule::new(30.0);
        rule.answered(start, start, true);
        let after = start + HOLD;
        for _ in 0..7 {
            rule.answered(after, after, false);
        }
        rule.answered(after, after, true);
        rule.answered(after, after, true);
        assert_eq!(
            rule.rate(after),
            15.0,
            "two throttled answers are no verdict"
        );
        rule.answered(after, after, true);
        assert_eq!(rule.rate(after), 30.0);
        assert!((rule.background() - 0.3).abs() < 1e-9);
        // Throttling at that share no longer slows the run.
        for i in 0..35 {
            let at = after + Duration::from_millis(60 * i);
            rule.answered(at, at, i % 7 < 2);
            assert_eq!(rule.rate(at), 30.0);
        }
    }

    #[test]
    fn constant_throttling_slows_a_run_but_never_stops_it() {
        let start = Instant::now();
        let mut rule = Rule::new(30.0);
        let mut now = start;
        while now < start + Duration::from_secs(40) {
            rule.answered(now, now, true);
            assert!(rule.rate(now) >= 30.0 * FLOOR_SHARE);
            now += Duration::from_secs_f64(1.0 / rule.rate(now));
        }
        assert!(rule.rate(now) < 5.0, "{}", rule.rate(now));
        // It stops: the rate climbs back to the ceiling within a minute.
        let quiet = now + Duration::from_secs(60);
        while now < quiet {
            rule.answered(now, now, false);
            now += Duration::from_secs_f64(1.0 / rule.rate(now));
        }
        assert_eq!(rule.rate(now), 30.0);
    }
}
