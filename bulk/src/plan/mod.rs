//! `cognito-migrate plan`: the numbers an operator needs before cutover, read from both pools.
//!
//! Every user of the old pool is put through the same mapping and new-pool rules the export uses,
//! so the plan's "importable now" is exactly what `export --select passwordless` will write.

mod counts;

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use shared::Mapping;
use shared::from_sdk::user_from_list;

pub use counts::PlanCounts;

use crate::aws::{AwsArgs, Side};
use crate::export::{Classifier, Select};
use crate::pacer::Pacer;
use crate::progress::Progress;
use crate::{pools, scan};

/// Arguments of `cognito-migrate plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The old pool.
    #[arg(long)]
    pub source_pool_id: String,
    /// The new pool.
    #[arg(long)]
    pub target_pool_id: String,
    /// Mapping file, as for export.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Requests per second (ListUsers allows 30 per account).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub rps: u32,
    /// Concurrent scans (1-16).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
    /// Also write the plan as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Reads both pools and prints the plan.
pub async fn run(args: PlanArgs, aws: &AwsArgs) -> anyhow::Result<PlanCounts> {
    let pacer = Arc::new(Pacer::new(
        NonZeroU32::new(args.rps).expect("validated by clap"),
        8,
    ));
    let source = aws.client(Side::Source).await;
    let target = aws.client(Side::Target).await;
    let mapping = match &args.mapping {
        Some(path) => Mapping::load(path)?,
        None => Mapping::default(),
    };
    let import_target = pools::import_target(&target, &pacer, &args.target_pool_id).await?;
    let mapping = if mapping
        .legacy_sub_attribute
        .as_ref()
        .is_some_and(|a| !import_target.header.attribute_columns().contains(a))
    {
        mapping.without_legacy_sub()
    } else {
        mapping
    };
    let source_pool = pools::describe(&source, &pacer, &args.source_pool_id).await?;
    eprintln!("reading the new pool's users…");
    let index = scan::index_target(
        &target,
        &pacer,
        &args.target_pool_id,
        mapping.legacy_sub_attribute.as_deref(),
    )
    .await?;
    let classifier = Classifier {
        select: Select::All,
        index: &index,
        mapping: &mapping,
        header: &import_target.header,
        rules: &import_target.rules,
    };
    let estimate = u64::try_from(source_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new("users", estimate, Duration::from_secs(10));
    let mut counts = PlanCounts::default();
    let scanned = scan::each_user(
        &source,
        &pacer,
        &args.source_pool_id,
        args.segments,
        |user| {
            let user = user_from_list(user);
            counts.add(&user, &classifier, &index);
            progress.update(counts.total, "read");
        },
    )
    .await;
    progress.finish();
    scanned?;
    println!(
        "{}",
        counts.text(&args.source_pool_id, &args.target_pool_id)
    );
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&counts)?)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    }
    Ok(counts)
}
