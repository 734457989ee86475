//! The arguments the reports (`plan`, `verify`) share: the old pool, the new pool or one per
//! tenant (`--partition-by ATTR --targets FILE`), the mapping, and the request rate.

use std::path::PathBuf;

use crate::mapping_file::MappingFile;
use shared::partition::TenantTable;

use crate::destinations::NewPools;
use crate::pace::{ProgressArgs, ScanPace};
use crate::pacer::Pacer;

/// The new pool, or the tenant table naming one pool per tenant.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetPools {
    /// The new pool.
    #[arg(long, required_unless_present = "targets", conflicts_with = "targets", value_parser = crate::aws::pool_id_arg)]
    pub target_pool_id: Option<String>,
    /// Split per tenant: the old-pool attribute holding the tenant (e.g. custom:tenant).
    #[arg(long, requires = "targets")]
    pub partition_by: Option<String>,
    /// Tenant table for --partition-by (JSON: attribute, tenants: {name: {pool_id}}).
    #[arg(long, requires = "partition_by")]
    pub targets: Option<PathBuf>,
}

impl TargetPools {
    /// The tenant table, checked against `--partition-by`; `None` for a single new pool.
    pub fn tenant_table(&self) -> anyhow::Result<Option<TenantTable>> {
        let (Some(attribute), Some(path)) = (&self.partition_by, &self.targets) else {
            return Ok(None);
        };
        let table = TenantTable::load(path)?;
        if &table.attribute != attribute {
            anyhow::bail!(
                "--partition-by {attribute} but the tenant table {} routes by {}: make them the same",
                path.display(),
                table.attribute
            );
        }
        Ok(Some(table))
    }

    /// The new pools: the tenant table's (checked against `--partition-by`), or `--target-pool-id`.
    pub fn new_pools(&self) -> anyhow::Result<NewPools> {
        Ok(self.pools_of(self.tenant_table()?))
    }

    /// The new pools of `table` (already read), or `--target-pool-id` without one.
    fn pools_of(&self, table: Option<TenantTable>) -> NewPools {
        match table {
            Some(table) => NewPools::per_tenant(table),
            None => NewPools::one(self.target_pool_id.as_deref().expect("clap requires it")),
        }
    }

    /// `(tenant, pool id)` for every new pool: one `("", pool)` without a tenant table.
    pub fn pools(&self, table: Option<&TenantTable>) -> Vec<(String, String)> {
        self.pools_of(table.cloned())
            .names_and_ids()
            .map(|(tenant, pool_id)| (tenant.to_string(), pool_id.to_string()))
            .collect()
    }
}

/// What `plan` and `verify` both read: the old pool, the new pool(s), the mapping, the pace.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The old pool.
    #[arg(long, value_parser = crate::aws::pool_id_arg)]
    pub source_pool_id: String,
    /// The new pool, or one per tenant.
    #[command(flatten)]
    pub targets: TargetPools,
    /// Mapping file, as for export.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: ScanPace,
    /// How often progress is reported.
    #[command(flatten)]
    pub progress: ProgressArgs,
    /// Concurrent scans of the old pool (1-16).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
}

impl ReportArgs {
    /// The mapping file's mapping, or the default one.
    pub fn mapping(&self) -> anyhow::Result<MappingFile> {
        MappingFile::load(self.mapping.as_deref())
    }

    /// The pacer for `--rps`.
    pub fn pacer(&self) -> Pacer {
        self.pace.pacer()
    }
}
