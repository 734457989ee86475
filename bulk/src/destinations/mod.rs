//! The new pools a command writes to or compares with (one, or one per tenant), each read once
//! before any user is: described, its import target, the mapping resolved against it, and whether
//! the old pool's schema fits it. Export, plan and verify read them here ([`NewPoolsRead`], beside
//! the old pool: `crate::report_args::ReportArgs::open`), and send each old user to its pool with
//! [`Destinations::route`].
//!
//! Not for: what a command keeps per pool besides (export's folders and indexes, plan's and
//! verify's indexes of the new users): each command holds that, next to its destination.

mod held_import_target;
mod new_pools;

use std::collections::BTreeSet;
use std::future::Future;
use std::task::Poll;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::partition::Unassigned;
use shared::schema_fit::SchemaMismatch;
use shared::{Mapping, SourceUser};

pub use held_import_target::HeldImportTarget;
pub use new_pools::NewPools;

use crate::mapping_file::MappingFile;
use crate::pacer::Pacer;
use crate::pools::{self, ImportTarget};

/// One new pool, as read before any user is.
pub struct Destination<I = ImportTarget> {
    /// Tenant name, or `""` for a run with a single new pool.
    pub name: String,
    /// The new pool.
    pub pool_id: String,
    /// The pool as `DescribeUserPool` returned it.
    pub pool: UserPoolType,
    /// Its CSV header and per-user rules: an [`ImportTarget`], or an `Option` of one where the
    /// command also takes a pool AWS would not import into.
    pub import: I,
    /// The run's mapping, resolved against this pool (the legacy sub kept only where it has a home).
    pub mapping: Mapping,
    /// Whether every attribute of the old pool has a home here, after the mapping.
    pub fit: Result<(), SchemaMismatch>,
}

/// Every new pool of a run, in the order of [`NewPools`], and the routing of old users to them.
pub struct Destinations<I = ImportTarget> {
    list: Vec<Destination<I>>,
    new_pools: NewPools,
}

/// Every new pool as read, errors included, before the mapping is resolved against it.
pub struct NewPoolsRead {
    reads: Vec<anyhow::Result<(UserPoolType, anyhow::Result<ImportTarget>)>>,
    new_pools: NewPools,
}

impl NewPoolsRead {
    /// Reads every new pool at once, each pool's calls at once too: nothing read here needs the
    /// old pool, so a command can read the old pool beside it. Errors wait in the answer, for
    /// [`NewPoolsRead::resolve`] to report in the pools' order.
    pub async fn read(client: &Client, pacer: &Pacer, new_pools: NewPools) -> NewPoolsRead {
        let reads = new_pools
            .names_and_ids()
            .map(|(_, pool_id)| pools::read_new_pool(client, pacer, pool_id));
        let reads = join_all(reads).await;
        NewPoolsRead { reads, new_pools }
    }

    /// Each pool's import target and the mapping resolved against it, and whether `old_pool`'s
    /// schema fits it. The first error is the first pool's, in the order a pool at a time once
    /// reported them: its description, its import target, then its mapping.
    pub fn resolve<I: HeldImportTarget>(
        self,
        mapping: &MappingFile,
        old_pool: &UserPoolType,
    ) -> anyhow::Result<Destinations<I>> {
        let old_schema = shared::from_sdk::schema_attribute_names(old_pool);
        let mut list = Vec::new();
        for ((name, pool_id), read) in self.new_pools.names_and_ids().zip(self.reads) {
            let (pool, import) = read?;
            let import = I::from_read(import)?;
            let columns = match import.target() {
                Some(target) => target.header.attribute_columns(),
                None => schema_attributes(&pool),
            };
            let mapping = pools::resolve_mapping(mapping, &columns, pool_id, old_pool)?;
            let fit = shared::schema_fit::check(pool_id, &old_schema, &mapping, &columns);
            list.push(Destination {
                name: name.to_string(),
                pool_id: pool_id.to_string(),
                pool,
                import,
                mapping,
                fit,
            });
        }
        Ok(Destinations {
            list,
            new_pools: self.new_pools,
        })
    }
}

impl<I> Destinations<I> {
    /// The index of the destination an old user belongs to: the only one, or its tenant's.
    pub fn route(&self, user: &SourceUser) -> Result<usize, Unassigned> {
        self.new_pools.route(user)
    }

    /// The pools and the routing, for a writer that keeps its own lanes in the same order.
    pub fn new_pools(&self) -> &NewPools {
        &self.new_pools
    }

    /// True when the run is split per tenant.
    pub fn partitioned(&self) -> bool {
        self.new_pools.partitioned()
    }

    /// The destinations, in routing order.
    pub fn iter(&self) -> std::slice::Iter<'_, Destination<I>> {
        self.list.iter()
    }

    /// Every schema mismatch, one per pool the old pool's schema does not fit.
    pub fn mismatches(&self) -> impl Iterator<Item = &SchemaMismatch> {
        self.list.iter().filter_map(|d| d.fit.as_ref().err())
    }
}

impl<I> std::ops::Index<usize> for Destinations<I> {
    type Output = Destination<I>;

    fn index(&self, index: usize) -> &Destination<I> {
        &self.list[index]
    }
}

/// The names of a pool's attributes, where its CSV header is not known.
fn schema_attributes(pool: &UserPoolType) -> BTreeSet<String> {
    pool.schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .map(String::from)
        .collect()
}

/// Runs `futures` at once on this task, their answers in their order (`futures::future::join_all`,
/// which this crate does not depend on; the futures borrow the client, so they cannot be spawned).
async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(|f| (Box::pin(f), None)).collect();
    std::future::poll_fn(|cx| {
        let mut ready = true;
        for (future, answer) in pending.iter_mut().filter(|(_, answer)| answer.is_none()) {
            match future.as_mut().poll(cx) {
                Poll::Ready(output) => *answer = Some(output),
                Poll::Pending => ready = false,
            }
        }
        match ready {
            true => Poll::Ready(()),
            false => Poll::Pending,
        }
    })
    .await;
    pending
        .into_iter()
        .map(|(_, answer)| answer.expect("every future answered"))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::Barrier;

    use super::*;

    #[tokio::test]
    async fn join_all_runs_every_future_at_once_and_answers_in_their_order() {
        // Each waits for all three at the barrier: one after another, the first would wait forever.
        let barrier = Barrier::new(3);
        let all = join_all([3, 1, 2].map(|yields| {
            let barrier = &barrier;
            async move {
                barrier.wait().await;
                for _ in 0..yields {
                    tokio::task::yield_now().await;
                }
                yields
            }
        }));
        let answers = tokio::time::timeout(Duration::from_secs(5), all)
            .await
            .expect("the three futures ran at once");
        assert_eq!(answers, [3, 1, 2]);
    }
}
