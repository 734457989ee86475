//! The users the new pool already has, for `export --select not-in-target` (the sweep after the
//! migration window) and `plan`: one or two 128-bit keys per new-pool user, in a sorted table on
//! disk ([`crate::disk_table`]), so the memory used is the same for any size of the new pool.
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

use std::path::Path;
use std::time::Duration;

use shared::SourceUser;
use shared::from_sdk::user_from_list;

pub use keys::MatchRule;

use crate::disk_table::{Table, TableBuilder, temporary_file_error};
use crate::progress::Progress;
use crate::scan::{self, Page, PoolScan, ScanState, ShardCursor};
use crate::shards;
use store::{IndexStore, Stored};

/// The reason code of [`Presence::NameHeldByAnotherUser`], wherever it is counted (the sweep's
/// `skipped.csv`, `plan` and `status`): signing in to the new pool finds that other user, so the
/// trigger never runs for the old one.
pub const NAME_HELD_BY_ANOTHER_USER: &str = "name-held-by-another-user";

/// Where an old user stands in the new pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The new pool has the user (by its legacy id; by sign-in value where the new pool keeps
    /// no legacy id).
    Migrated,
    /// A new-pool user without a legacy id holds its sign-in value: someone else.
    NameHeldByAnotherUser,
    /// Not there.
    Absent,
}

/// The users the new pool already has, as keys (see [`MatchRule`]), and the rule that finds an
/// old user among them.
#[derive(Default)]
pub struct TargetIndex {
    keys: Table<()>,
    rule: MatchRule,
}

impl TargetIndex {
    /// Whether the new pool has this old-pool user, someone else holds its name, or neither
    /// (see [`MatchRule`]).
    pub fn presence(&self, user: &SourceUser) -> anyhow::Result<Presence> {
        if self.any(self.rule.old_user_keys(user))? {
            return Ok(Presence::Migrated);
        }
        if self.any(self.rule.name_held_keys(user))? {
            return Ok(Presence::NameHeldByAnotherUser);
        }
        Ok(Presence::Absent)
    }

    fn any(&self, keys: Vec<u128>) -> anyhow::Result<bool> {
        for key in keys {
            if self.keys.contains(key).map_err(temporary_file_error)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Number of keys held.
    pub fn len(&self) -> u64 {
        self.keys.len()
    }

    /// An index of `users` of the new pool, without reading any pool (for unit tests).
    #[cfg(test)]
    pub(crate) fn of(rule: MatchRule, users: &[SourceUser]) -> TargetIndex {
        let mut keys = TableBuilder::default();
        for key in users.iter().flat_map(|u| rule.new_pool_user_keys(u)) {
            keys.push(key, ()).expect("a temporary file");
        }
        TargetIndex::new(keys, rule).expect("a temporary file")
    }

    /// The index of the keys pushed to `keys`.
    fn new(keys: TableBuilder<()>, rule: MatchRule) -> anyhow::Result<TargetIndex> {
        let keys = keys.finish().map_err(temporary_file_error)?;
        Ok(TargetIndex { keys, rule })
    }

    /// Reads every user of the new pool `pool` into an index under `rule`, a progress line each
    /// `progress_interval` where stderr is not a terminal. With `store` (a folder of the
    /// export), the index is kept there: a complete one is loaded instead of read again, a partial
    /// one continues each shard where it stopped.
    pub async fn read(
        pool: PoolScan<'_>,
        progress_interval: Duration,
        rule: MatchRule,
        store: Option<&Path>,
    ) -> anyhow::Result<TargetIndex> {
        let prefixes = shards::prefixes(pool.segments);
        let mut keys = TableBuilder::default();
        let (mut store, cursors) = match store {
            None => (None, prefixes.into_iter().map(ShardCursor::new).collect()),
            Some(dir) => match IndexStore::open(dir, pool.pool_id, &rule, prefixes, &mut keys)? {
                (_, Stored::Complete) => {
                    let index = TargetIndex::new(keys, rule)?;
                    eprintln!(
                        "the users of {} were read by an earlier run: {} keys loaded from {}",
                        pool.pool_id,
                        index.len(),
                        dir.display()
                    );
                    return Ok(index);
                }
                (store, Stored::Partial(cursors)) => (Some(store), cursors),
            },
        };
        eprintln!(
            "reading the users of the new pool {} to skip those it already has…",
            pool.pool_id
        );
        let progress = Progress::new("new-pool users", 0, progress_interval);
        let read = scan_into(pool, progress, &rule, cursors, &mut keys, store.as_mut()).await;
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
        if let Some(store) = &mut store {
            store.finish()?;
        }
        let index = TargetIndex::new(keys, rule)?;
        eprintln!("{} keys of users already in {}", index.len(), pool.pool_id);
        Ok(index)
    }
}

/// Pages the unfinished shards of `cursors` concurrently, adding each user's keys to `keys` and
/// recording every page in `store`. A shard whose token is refused goes on as
/// [`shards::after_refusal`] says (split into narrower parts, or from its first page).
async fn scan_into(
    pool: PoolScan<'_>,
    progress: Progress,
    rule: &MatchRule,
    cursors: Vec<ShardCursor>,
    keys: &mut TableBuilder<()>,
    store: Option<&mut IndexStore>,
) -> anyhow::Result<()> {
    let mut state = IndexScan {
        rule,
        cursors,
        keys,
        store,
        progress,
        read: 0,
    };
    let read = scan::scan(pool, &mut state, std::future::pending()).await;
    state.progress.finish();
    read.map(|_| ())
}

/// The index's side of the scan: each page's keys into the table, and into the store when the
/// index is kept.
struct IndexScan<'s> {
    rule: &'s MatchRule,
    cursors: Vec<ShardCursor>,
    keys: &'s mut TableBuilder<()>,
    store: Option<&'s mut IndexStore>,
    progress: Progress,
    read: u64,
}

impl ScanState for IndexScan<'_> {
    fn cursors(&mut self) -> &mut Vec<ShardCursor> {
        &mut self.cursors
    }

    async fn page(&mut self, page: Page) -> anyhow::Result<()> {
        self.read += page.users.len() as u64;
        self.progress.update(self.read, "read");
        let keys: Vec<u128> = page
            .users
            .iter()
            .flat_map(|u| self.rule.new_pool_user_keys(&user_from_list(u)))
            .collect();
        for key in &keys {
            self.keys.push(*key, ()).map_err(temporary_file_error)?;
        }
        if let Some(store) = self.store.as_deref_mut() {
            store.page(page.shard, &keys, page.next_token.clone())?;
        }
        self.cursors[page.shard].paged(page.next_token);
        Ok(())
    }

    fn refused(&mut self, shard: usize) -> anyhow::Result<()> {
        match self.store.as_deref_mut() {
            Some(store) => store.refused(shard, &self.cursors),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    #[test]
    fn an_empty_index_has_no_one() {
        let index = TargetIndex::default();
        assert_eq!(index.len(), 0);
        let ada = SourceUser::new("ada", SourceStatus::Confirmed);
        assert_eq!(index.presence(&ada).unwrap(), Presence::Absent);
    }
}
