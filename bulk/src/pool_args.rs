//! The pool flags, each declared once, and the one way a command opens the pools they name.
//!
//! A command flattens the flags it takes: [`OldPoolArg`] (`--source-pool-id`), [`NewPoolArg`]
//! (`--target-pool-id`), [`TargetPools`] (one new pool or one per tenant), [`MappingArg`]
//! (`--mapping`), or [`PoolPair`] for all three of one old pool, one new pool and a mapping. It
//! opens them with `open()`: the client for the pool's side, `DescribeUserPool` (the pool named
//! with its flag when missing), and for a pair the mapping read before any request and resolved
//! against the new pool ([`pools::resolve_mapping`]). Runs that route users to several new pools
//! read them through [`crate::destinations::Destinations`], which opens each the same way.

use std::collections::BTreeSet;
use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use shared::Mapping;
use shared::from_sdk::schema_attribute_names;
use shared::partition::TenantTable;

use crate::aws::{AwsArgs, Side};
use crate::destinations::NewPools;
use crate::mapping_file::MappingFile;
use crate::pacer::Pacer;
use crate::pools;

/// `--source-pool-id`: the old pool.
#[derive(Debug, Clone, clap::Args)]
pub struct OldPoolArg {
    /// The old pool (read only).
    #[arg(long, value_parser = crate::aws::pool_id_arg)]
    pub source_pool_id: String,
}

/// `--target-pool-id`: the one new pool.
#[derive(Debug, Clone, clap::Args)]
pub struct NewPoolArg {
    /// The new pool.
    #[arg(long, value_parser = crate::aws::pool_id_arg)]
    pub target_pool_id: String,
}

/// `--mapping`: the mapping file, or the default mapping.
#[derive(Debug, Clone, clap::Args)]
pub struct MappingArg {
    /// Mapping file (JSON: legacy_sub_attribute, rename, drop, defaults), the one the export and
    /// the trigger use; its legacy_sub_attribute names where the old sub is kept. Default: the
    /// default mapping.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
}

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

/// One old pool, one new pool and the mapping between them.
#[derive(Debug, Clone, clap::Args)]
pub struct PoolPair {
    /// `--source-pool-id`.
    #[command(flatten)]
    pub old: OldPoolArg,
    /// `--target-pool-id`.
    #[command(flatten)]
    pub new: NewPoolArg,
    /// `--mapping`.
    #[command(flatten)]
    pub mapping: MappingArg,
}

/// A pool as a command opened it.
pub struct OpenPool {
    /// Its id.
    pub id: String,
    /// A client for its side (region, profile, endpoint).
    pub client: Client,
    /// The pool as `DescribeUserPool` returned it.
    pub pool: UserPoolType,
}

/// A pool as a request reaches it: its client, the run's pacer, its id. Every step that calls a
/// pool takes one.
#[derive(Clone, Copy)]
pub struct PoolRef<'a> {
    /// Its client.
    pub client: &'a Client,
    /// The run's pacer.
    pub pacer: &'a Pacer,
    /// Its id.
    pub pool_id: &'a str,
}

/// Both pools of a [`PoolPair`], opened, and the mapping resolved against the new one.
pub struct OpenPair {
    /// The old pool.
    pub old: OpenPool,
    /// The new pool.
    pub new: OpenPool,
    /// The mapping as the operator gave it (for naming it in errors).
    pub file: MappingFile,
    /// The mapping resolved against the new pool.
    pub mapping: Mapping,
}

impl OpenPool {
    /// The pool as `pacer`'s requests reach it.
    pub fn reach<'a>(&'a self, pacer: &'a Pacer) -> PoolRef<'a> {
        PoolRef {
            client: &self.client,
            pacer,
            pool_id: &self.id,
        }
    }
}

impl OldPoolArg {
    /// The old pool's client, and the pool described.
    pub async fn open(&self, aws: &AwsArgs, pacer: &Pacer) -> anyhow::Result<OpenPool> {
        open(aws, pacer, Side::Source, &self.source_pool_id).await
    }
}

impl NewPoolArg {
    /// The new pool's client, and the pool described.
    pub async fn open(&self, aws: &AwsArgs, pacer: &Pacer) -> anyhow::Result<OpenPool> {
        open(aws, pacer, Side::Target, &self.target_pool_id).await
    }
}

impl MappingArg {
    /// The file `--mapping` names, or the default mapping.
    pub fn load(&self) -> anyhow::Result<MappingFile> {
        MappingFile::load(self.mapping.as_deref())
    }
}

impl PoolPair {
    /// Reads the mapping (before any request), describes both pools at once (an error names the
    /// old pool's first) and resolves the mapping against the new pool.
    pub async fn open(&self, aws: &AwsArgs, pacer: &Pacer) -> anyhow::Result<OpenPair> {
        let file = self.mapping.load()?;
        let (old, new) = tokio::join!(self.old.open(aws, pacer), self.new.open(aws, pacer));
        let (old, new) = (old?, new?);
        let columns: BTreeSet<String> = schema_attribute_names(&new.pool).into_iter().collect();
        let mapping = pools::resolve_mapping(&file, &columns, &new.id, &old.pool)?;
        Ok(OpenPair {
            old,
            new,
            file,
            mapping,
        })
    }
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

    /// A client for the new pools' side (the region `--target-pool-id` names, when given).
    pub async fn client(&self, aws: &AwsArgs) -> Client {
        aws.client(Side::Target, self.target_pool_id.as_deref())
            .await
    }
}

/// The client for `side`, and `pool_id` described on it.
async fn open(aws: &AwsArgs, pacer: &Pacer, side: Side, pool_id: &str) -> anyhow::Result<OpenPool> {
    let client = aws.client(side, Some(pool_id)).await;
    let pool = pools::describe(&client, pacer, pool_id).await?;
    Ok(OpenPool {
        id: pool_id.to_string(),
        client,
        pool,
    })
}
