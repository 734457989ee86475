//! The users the new pool already has, for `export --select not-in-target` (the sweep after the
//! migration window) and `plan`: one 128-bit key per new-pool user, 16 bytes each.
//!
//! The new pool is read in whole `ListUsers` pages, never with `AttributesToGet`: AWS answers such
//! a request with an error as soon as one user lacks the attribute asked for ("Amazon Cognito
//! returns an error if not all users in the results have set a value for the attribute you
//! request", <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html>),
//! and any native sign-up in the new pool lacks the legacy id. It is read in the same `sub` shards
//! as the old pool, concurrently, through the run's pacer; an export keeps it in its folder (see
//! `store.rs`) so `--resume` does not read it again.

mod keys;
mod store;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use shared::SourceUser;
use shared::from_sdk::user_from_list;
use tokio::sync::mpsc;

pub use keys::MatchRule;

use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::scan::{self, ScanEvent, ShardWork};
use crate::shards;
use store::{IndexShard, IndexStore, Stored};

/// The users the new pool already has, as keys (see [`MatchRule`]), and the rule that finds an
/// old user among them.
#[derive(Debug, Default)]
pub struct TargetIndex {
    /// Sorted and without duplicates: 16 bytes a key, found by binary search.
    keys: Vec<u128>,
    rule: MatchRule,
}

/// Which new pool to read, and how.
pub struct NewPool<'a> {
    /// Client for the new pool's region and account.
    pub client: &'a Client,
    /// The run's pacer (one rate limit for every request).
    pub pacer: &'a Arc<Pacer>,
    /// The new pool.
    pub pool_id: &'a str,
    /// Concurrent shard scans.
    pub segments: u8,
    /// Seconds between progress lines when stderr is not a terminal.
    pub progress_interval: Duration,
}

impl TargetIndex {
    /// True when the new pool has this old-pool user.
    pub fn contains(&self, user: &SourceUser) -> bool {
        self.rule
            .old_user_keys(user)
            .iter()
            .any(|k| self.keys.binary_search(k).is_ok())
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// An index of `users` of the new pool, without reading any pool (for unit tests).
    #[cfg(test)]
    pub(crate) fn of(rule: MatchRule, users: &[SourceUser]) -> TargetIndex {
        let keys = users
            .iter()
            .flat_map(|u| rule.new_pool_user_keys(u))
            .collect();
        TargetIndex::new(keys, rule)
    }

    /// An index of `keys` in any order.
    fn new(mut keys: Vec<u128>, rule: MatchRule) -> TargetIndex {
        keys.sort_unstable();
        keys.dedup();
        keys.shrink_to_fit();
        TargetIndex { keys, rule }
    }

    /// Reads every user of the new pool into an index under `rule`. With `store` (a folder of the
    /// export), the index is kept there: a complete one is loaded instead of read again, a partial
    /// one continues each shard where it stopped.
    pub async fn read(
        pool: NewPool<'_>,
        rule: MatchRule,
        store: Option<&Path>,
    ) -> anyhow::Result<TargetIndex> {
        let prefixes = shards::prefixes(pool.segments);
        let (mut store, mut keys, cursors) = match store {
            None => {
                let cursors = prefixes.into_iter().map(fresh_cursor).collect();
                (None, Vec::new(), cursors)
            }
            Some(dir) => match IndexStore::open(dir, pool.pool_id, &rule, prefixes)? {
                (_, Stored::Complete(keys)) => {
                    eprintln!(
                        "the users of {} were read by an earlier run: {} keys loaded from {}",
                        pool.pool_id,
                        keys.len(),
                        dir.display()
                    );
                    return Ok(TargetIndex::new(keys, rule));
                }
                (store, Stored::Partial(keys, cursors)) => (Some(store), keys, cursors),
            },
        };
        eprintln!(
            "reading the users of the new pool {} to skip those it already has…",
            pool.pool_id
        );
        let read = scan_into(&pool, &rule, cursors, &mut keys, store.as_mut()).await;
        read.map_err(|err| {
            let fix = match store {
                Some(_) => "fix the cause, then rerun with --resume (the shards read so far are kept)",
                None => "fix the cause, then run again",
            };
            err.context(format!(
                "reading the users of the new pool {} (to learn who is already there) failed; {fix}",
                pool.pool_id
            ))
        })?;
        let index = TargetIndex::new(keys, rule);
        if let Some(store) = &mut store {
            store.finish(&index.keys)?;
        }
        eprintln!("{} keys of users already in {}", index.len(), pool.pool_id);
        Ok(index)
    }
}

/// Pages the unfinished shards of `cursors` concurrently, adding each user's keys to `keys` and
/// recording every page in `store`.
async fn scan_into(
    pool: &NewPool<'_>,
    rule: &MatchRule,
    cursors: Vec<IndexShard>,
    keys: &mut Vec<u128>,
    mut store: Option<&mut IndexStore>,
) -> anyhow::Result<()> {
    let work: VecDeque<ShardWork> = cursors
        .into_iter()
        .enumerate()
        .filter(|(_, c)| !c.done)
        .map(|(i, c)| (i, c.prefix, c.next_token))
        .collect();
    let queue = Arc::new(Mutex::new(work));
    let (events, mut received) = mpsc::channel(usize::from(pool.segments) * 2);
    let scans: Vec<_> = (0..pool.segments)
        .map(|_| {
            tokio::spawn(scan::scan_shards(
                pool.client.clone(),
                pool.pacer.clone(),
                pool.pool_id.to_string(),
                queue.clone(),
                events.clone(),
            ))
        })
        .collect();
    drop(events);
    let mut progress = Progress::new("new-pool users", 0, pool.progress_interval);
    let mut read = 0;
    let mut result = Ok(());
    while let Some(event) = received.recv().await {
        result = match event {
            ScanEvent::Page {
                shard,
                users,
                next_token,
            } => {
                read += users.len() as u64;
                progress.update(read, "read");
                let page: Vec<u128> = users
                    .iter()
                    .flat_map(|u| rule.new_pool_user_keys(&user_from_list(u)))
                    .collect();
                keys.extend(&page);
                match store.as_deref_mut() {
                    Some(store) => store.page(shard, &page, next_token),
                    None => Ok(()),
                }
            }
            ScanEvent::Restart { shard } => match store.as_deref_mut() {
                Some(store) => store.restart(shard),
                None => Ok(()),
            },
            ScanEvent::Failed(err) => Err(err),
        };
        if result.is_err() {
            break;
        }
    }
    progress.finish();
    for scan in scans {
        scan.abort();
    }
    result
}

fn fresh_cursor(prefix: String) -> IndexShard {
    IndexShard {
        prefix,
        next_token: None,
        done: false,
        keys: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    #[test]
    fn an_empty_index_has_no_one() {
        let index = TargetIndex::default();
        assert!(index.is_empty());
        assert!(!index.contains(&SourceUser::new("ada", SourceStatus::Confirmed)));
    }
}
