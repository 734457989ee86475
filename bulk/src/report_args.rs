//! The arguments the reports (`plan`, `verify`) share: the old pool, the new pool or one per
//! tenant (`--partition-by ATTR --targets FILE`), the mapping, and the request rate.

use aws_sdk_cognitoidentityprovider::Client;

use crate::aws::AwsArgs;
use crate::destinations::{Destinations, HeldImportTarget, NewPoolsRead};
use crate::pace::ScanArgs;
use crate::pacer::Pacer;
use crate::pool_args::{MappingArg, OldPoolArg, OpenPool, TargetPools};

/// What `plan` and `verify` both read: the old pool, the new pool(s), the mapping, the pace.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The old pool.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// The new pool, or one per tenant.
    #[command(flatten)]
    pub targets: TargetPools,
    /// The mapping.
    #[command(flatten)]
    pub mapping: MappingArg,
    /// Pace, progress and concurrent scans.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// The pools of a report, opened: the old pool, and every new pool read beside it.
pub struct OpenReport<I> {
    /// The old pool.
    pub old: OpenPool,
    /// The client of the new pools' side.
    pub target: Client,
    /// Every new pool, the mapping resolved against each.
    pub destinations: Destinations<I>,
}

impl ReportArgs {
    /// Reads the mapping and the tenant table (before any request), then the old pool and every
    /// new pool at once, so each is found (or named as missing, the old pool first) before the
    /// first scan.
    pub async fn open<I: HeldImportTarget>(
        &self,
        aws: &AwsArgs,
        pacer: &Pacer,
    ) -> anyhow::Result<OpenReport<I>> {
        let mapping = self.mapping.load()?;
        let new_pools = self.targets.new_pools()?;
        let target = self.targets.client(aws).await;
        let (old, new) = tokio::join!(
            self.old.open(aws, pacer),
            NewPoolsRead::read(&target, pacer, new_pools)
        );
        let old = old?;
        let destinations = new.resolve(&mapping, &old.pool)?;
        Ok(OpenReport {
            old,
            target,
            destinations,
        })
    }

    /// The pacer for `--rps`.
    pub fn pacer(&self) -> Pacer {
        self.scan.pace.pacer()
    }
}
