//! `--partition-by ATTR --targets FILE` for the reports (`plan`, `verify`): which new pools a run
//! compares against, one per tenant, or the single `--target-pool-id`.

use std::path::PathBuf;

use shared::partition::TenantTable;

/// The new pool, or the tenant table naming one pool per tenant.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetPools {
    /// The new pool.
    #[arg(long, required_unless_present = "targets", conflicts_with = "targets")]
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

    /// `(tenant, pool id)` for every new pool: one `("", pool)` without a tenant table.
    pub fn pools(&self, table: Option<&TenantTable>) -> Vec<(String, String)> {
        match table {
            None => vec![(
                String::new(),
                self.target_pool_id.clone().expect("clap requires it"),
            )],
            Some(table) => table
                .tenants
                .iter()
                .map(|(t, target)| (t.clone(), target.pool_id.clone()))
                .collect(),
        }
    }
}
