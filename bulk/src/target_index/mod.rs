//! The users the new pool already has, for `export --select not-in-target` (the sweep after the
//! migration window) and `plan`: one 128-bit key per new-pool user, 16 bytes each.
//!
//! The new pool is read in whole `ListUsers` pages, never with `AttributesToGet`: AWS answers such
//! a request with an error as soon as one user lacks the attribute asked for ("Amazon Cognito
//! returns an error if not all users in the results have set a value for the attribute you
//! request", ListUsers API reference), and any native sign-up in the new pool lacks the legacy id.
//! It is read in the same `sub` shards as the old pool, concurrently, through the run's pacer; an
//! export keeps it in its folder ([`store`]) so `--resume` does not read it again.

mod keys;
mod store;

use std::collections::{HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use aws_sdk_cognitoidentityprovider::Client;
use shared::SourceUser;
use shared::from_sdk::user_from_list;
use tokio::sync::mpsc;

pub use keys::{MatchRule, SignIn};

use crate::pacer::Pacer;
use crate::scan::{self, ScanEvent, ShardWork};
use crate::shards;
use store::{IndexShard, IndexStore, Stored};

/// The users the new pool already has, as keys (see [`MatchRule`]), and the rule that finds an
/// old user among them.
#[derive(Debug, Default)]
pub struct TargetIndex {
    keys: HashSet<u128>,
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
}

impl TargetIndex {
    /// True when the new pool has this old-pool user.
    pub fn contains(&self, user: &SourceUser) -> bool {
        self.rule
            .old_user_keys(user)
            .iter()
            .any(|k| self.keys.contains(k))
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
                (None, HashSet::new(), cursors)
            }
            Some(dir) => match IndexStore::open(dir, pool.pool_id, &rule, prefixes)? {
                (_, Stored::Complete(keys)) => {
                    eprintln!(
                        "the users of {} were read by an earlier run: {} keys loaded from {}",
                        pool.pool_id,
                        keys.len(),
                        dir.display()
                    );
                    return Ok(TargetIndex { keys, rule });
                }
                (store, Stored::Partial(keys, cursors)) => (Some(store), keys, cursors),
            },
        };
        eprintln!(
            "reading the users of the new pool {} to skip those it already has…",
            pool.pool_id
        );
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
        let mut result = Ok(());
        while let Some(event) = received.recv().await {
            let recorded = match event {
                ScanEvent::Page {
                    shard,
                    users,
                    next_token,
                } => {
                    let page: Vec<u128> = users
                        .iter()
                        .flat_map(|u| rule.new_pool_user_keys(&user_from_list(u)))
                        .collect();
                    keys.extend(&page);
                    match &mut store {
                        Some(store) => store.page(shard, &page, next_token),
                        None => Ok(()),
                    }
                }
                ScanEvent::Restart { shard } => match &mut store {
                    Some(store) => store.restart(shard),
                    None => Ok(()),
                },
                ScanEvent::Failed(err) => {
                    result = Err(err);
                    break;
                }
            };
            if let Err(err) = recorded {
                result = Err(anyhow::anyhow!(
                    "cannot write the new-pool index in {}: {err}",
                    store_folder(store.as_ref())
                ));
                break;
            }
        }
        for scan in scans {
            scan.abort();
        }
        result.map_err(|err| {
            let fix = match store {
                Some(_) => "fix the cause, then rerun with --resume (the shards read so far are kept)",
                None => "fix the cause, then run again",
            };
            err.context(format!(
                "reading the users of the new pool {} (to learn who is already there) failed; {fix}",
                pool.pool_id
            ))
        })?;
        if let Some(store) = &mut store {
            store.finish(&keys).map_err(|err| {
                anyhow::anyhow!(
                    "cannot write the new-pool index in {}: {err}",
                    store.folder().display()
                )
            })?;
        }
        eprintln!("{} keys of users already in {}", keys.len(), pool.pool_id);
        Ok(TargetIndex { keys, rule })
    }
}

fn fresh_cursor(prefix: String) -> IndexShard {
    IndexShard {
        prefix,
        next_token: None,
        done: false,
        keys: 0,
    }
}

fn store_folder(store: Option<&IndexStore>) -> String {
    store
        .map(|s| s.folder().display().to_string())
        .unwrap_or_default()
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
