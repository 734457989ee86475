//! Support for the trigger's tests (`tests/tests/trigger_*.rs`): the old pool the trigger reads,
//! a small reproducible random source for wrong passwords, seeding many old-pool users at once,
//! and latency percentiles.
//!
//! The random source is a few lines of SplitMix64 rather than a new dependency: the tests need
//! reproducible variety, not cryptographic quality.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::lambda::trigger_env;
use crate::pools::{PoolSpec, create_app_client, create_pool, create_user};
use crate::testbed::Testbed;

/// An old pool in the test bed's moto with the app client the trigger signs users in through.
pub struct OldPool {
    /// The test bed it lives in.
    pub testbed: Testbed,
    /// A client for moto.
    pub client: Client,
    /// The pool's id.
    pub pool_id: String,
    /// The app client's id.
    pub client_id: String,
    /// The app client's secret, when it has one.
    pub client_secret: Option<String>,
}

impl OldPool {
    /// Creates the pool `name` with the custom attributes `custom` and an app client for the
    /// admin password flow, with a secret when `with_secret`.
    pub async fn create(name: &str, custom: &[&str], with_secret: bool) -> OldPool {
        let testbed = Testbed::from_env();
        let client = testbed.moto_client().await;
        let pool_id = create_pool(&client, &PoolSpec::named(name).with_custom(custom)).await;
        let (client_id, client_secret) = create_app_client(&client, &pool_id, with_secret).await;
        OldPool {
            testbed,
            client,
            pool_id,
            client_id,
            client_secret,
        }
    }

    /// The trigger's environment for this pool: [`trigger_env`] with `extra`, plus the app
    /// client's secret when it has one.
    pub fn trigger_env(&self, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut extra = extra.to_vec();
        if let Some(secret) = &self.client_secret {
            extra.push(("OLD_CLIENT_SECRET", secret));
        }
        trigger_env(&self.testbed, &self.pool_id, &self.client_id, &extra)
    }
}

/// A reproducible pseudo-random source (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A source started from `seed`; the same seed gives the same sequence.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// A printable ASCII character (space to `~`).
    pub fn printable_ascii(&mut self) -> char {
        char::from(b' ' + self.below(95) as u8)
    }

    /// A character outside ASCII: Latin-1 letters, Greek, Cyrillic, Arabic, CJK, emoji,
    /// combining marks, a zero-width joiner or a right-to-left mark.
    pub fn non_ascii(&mut self) -> char {
        const RANGES: &[(u32, u32)] = &[
            (0x00c0, 0x00ff),
            (0x0391, 0x03c9),
            (0x0410, 0x044f),
            (0x0627, 0x064a),
            (0x4e00, 0x4fff),
            (0x1f600, 0x1f64f),
            (0x0300, 0x036f),
            (0x200d, 0x200d),
            (0x200f, 0x200f),
        ];
        let (low, high) = RANGES[self.below(RANGES.len())];
        char::from_u32(low + self.below((high - low + 1) as usize) as u32).expect("valid range")
    }
}

/// How a wrong password was made from the right one (or not), for the report of a fuzz run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WrongPasswordKind {
    /// Random printable ASCII, 1–256 characters.
    RandomAscii,
    /// Random characters mostly outside ASCII, 1–256 characters.
    RandomNonAscii,
    /// The right password with one character replaced.
    OneSubstituted,
    /// The right password with one character left out or one added.
    OneInsertedOrDeleted,
    /// The right password with the case of some letters flipped.
    CaseChanged,
    /// The right password with 1–8 spaces appended.
    SpacesAppended,
}

impl WrongPasswordKind {
    /// Every kind, in the order [`wrong_password`] cycles through them.
    pub const ALL: [WrongPasswordKind; 6] = [
        WrongPasswordKind::RandomAscii,
        WrongPasswordKind::RandomNonAscii,
        WrongPasswordKind::OneSubstituted,
        WrongPasswordKind::OneInsertedOrDeleted,
        WrongPasswordKind::CaseChanged,
        WrongPasswordKind::SpacesAppended,
    ];
}

/// A password of `kind` that is not `right`, 1–256 characters long (Cognito's limits, so the
/// trigger really asks the old pool instead of rejecting the event).
pub fn wrong_password(rng: &mut SplitMix, right: &str, kind: WrongPasswordKind) -> String {
    loop {
        let candidate = candidate_password(rng, right, kind);
        let length = candidate.chars().count();
        if candidate != right && (1..=256).contains(&length) {
            return candidate;
        }
    }
}

fn candidate_password(rng: &mut SplitMix, right: &str, kind: WrongPasswordKind) -> String {
    let chars: Vec<char> = right.chars().collect();
    let any_char = |rng: &mut SplitMix| {
        if rng.below(2) == 0 {
            rng.printable_ascii()
        } else {
            rng.non_ascii()
        }
    };
    match kind {
        WrongPasswordKind::RandomAscii => {
            let length = rng.between(1, 256);
            (0..length).map(|_| rng.printable_ascii()).collect()
        }
        WrongPasswordKind::RandomNonAscii => {
            let length = rng.between(1, 256);
            (0..length)
                .map(|_| {
                    if rng.below(4) == 0 {
                        rng.printable_ascii()
                    } else {
                        rng.non_ascii()
                    }
                })
                .collect()
        }
        WrongPasswordKind::OneSubstituted => {
            let mut changed = chars.clone();
            let at = rng.below(changed.len());
            changed[at] = any_char(rng);
            changed.into_iter().collect()
        }
        WrongPasswordKind::OneInsertedOrDeleted => {
            let mut changed = chars.clone();
            if rng.below(2) == 0 {
                changed.remove(rng.below(changed.len()));
            } else {
                let at = rng.below(changed.len() + 1);
                changed.insert(at, any_char(rng));
            }
            changed.into_iter().collect()
        }
        WrongPasswordKind::CaseChanged => chars
            .iter()
            .map(|c| {
                if rng.below(2) == 0 {
                    c.to_string()
                } else if c.is_uppercase() {
                    c.to_lowercase().collect()
                } else {
                    c.to_uppercase().collect()
                }
            })
            .collect(),
        WrongPasswordKind::SpacesAppended => format!("{right}{}", " ".repeat(rng.between(1, 8))),
    }
}

/// Creates `users` (name, attributes) in `pool_id`, each with the permanent `password`, at most
/// `parallel` at a time.
pub async fn seed_users(
    client: &Client,
    pool_id: &str,
    users: Vec<(String, Vec<(String, String)>)>,
    password: &str,
    parallel: usize,
) {
    let permits = Arc::new(Semaphore::new(parallel));
    let mut tasks = JoinSet::new();
    for (name, attributes) in users {
        let client = client.clone();
        let pool_id = pool_id.to_string();
        let password = password.to_string();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let attributes: Vec<(&str, &str)> = attributes
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            create_user(&client, &pool_id, &name, &attributes, Some(&password)).await;
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("seeding task");
    }
}

/// The `p`-th percentile (0.0–1.0, nearest rank) of `values`, in their unit; sorts them.
pub fn percentile(values: &mut [f64], p: f64) -> f64 {
    assert!(!values.is_empty(), "no values");
    values.sort_by(f64::total_cmp);
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_passwords_are_wrong_and_within_cognitos_limits() {
        let mut rng = SplitMix::new(7);
        for round in 0..600 {
            let kind = WrongPasswordKind::ALL[round % WrongPasswordKind::ALL.len()];
            let password = wrong_password(&mut rng, "Old-Passw0rd!", kind);
            assert_ne!(password, "Old-Passw0rd!");
            assert!((1..=256).contains(&password.chars().count()));
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_passwords() {
        let make = || {
            let mut rng = SplitMix::new(42);
            (0..20)
                .map(|i| wrong_password(&mut rng, "Right-1!", WrongPasswordKind::ALL[i % 6]))
                .collect::<Vec<_>>()
        };
        assert_eq!(make(), make());
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let mut values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&mut values, 0.5), 50.0);
        assert_eq!(percentile(&mut values, 0.99), 99.0);
        assert_eq!(percentile(&mut values, 1.0), 100.0);
        assert_eq!(percentile(&mut [3.0], 0.99), 3.0);
    }
}
