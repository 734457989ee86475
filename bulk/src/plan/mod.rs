//! `cognito-migrate plan`: the numbers an operator needs before cutover, read from both pools.
//!
//! Every user of the old pool is put through the same mapping and new-pool rules the export uses,
//! so the plan's "importable now" is exactly what `export --select passwordless` will write.

mod counts;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use shared::Mapping;
use shared::from_sdk::user_from_list;

pub use counts::PlanCounts;

use crate::aws::{AwsArgs, Side};
use crate::classify::{Classifier, Select};
use crate::pools::{self, ImportTarget};
use crate::progress::Progress;
use crate::scan;
use crate::target_index::{MatchRule, NewPool, TargetIndex};
use crate::tenants::ReportArgs;

/// Arguments of `cognito-migrate plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Pools, mapping and pace.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Also write the plan as JSON to this file (`-`: standard output, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// What `plan` found: one set of counts per new pool, and the users no tenant claims.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionedPlan {
    /// Users in the old pool.
    pub total: u64,
    /// Counts per tenant.
    pub tenants: BTreeMap<String, PlanCounts>,
    /// Users without a known tenant, per reason code.
    pub unassigned: BTreeMap<String, u64>,
}

/// One new pool as the plan sees it.
struct PlanTarget {
    name: String,
    pool_id: String,
    target: ImportTarget,
    mapping: Mapping,
    index: TargetIndex,
}

/// True when the old pool has MFA ON or OPTIONAL (so `ListUsers` hides what users chose).
async fn old_pool_has_mfa(
    client: &aws_sdk_cognitoidentityprovider::Client,
    pacer: &crate::pacer::Pacer,
    pool_id: &str,
) -> anyhow::Result<bool> {
    let config = pools::mfa_config(client, pacer, pool_id).await?;
    Ok(config
        .mfa_configuration()
        .is_some_and(|m| m != &aws_sdk_cognitoidentityprovider::types::UserPoolMfaType::Off))
}

/// Reads both pools (or the old pool and each tenant's pool) and prints the plan.
pub async fn run(args: PlanArgs, aws: &AwsArgs) -> anyhow::Result<()> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    let pacer = Arc::new(args.report.pacer());
    let source = aws
        .client(Side::Source, Some(&args.report.source_pool_id))
        .await;
    let target = aws
        .client(Side::Target, args.report.targets.target_pool_id.as_deref())
        .await;
    let mapping = args.report.mapping()?;
    let table = args.report.targets.tenant_table()?;
    let source_pool = pools::describe(&source, &pacer, &args.report.source_pool_id).await?;
    let old_schema = shared::from_sdk::schema_attribute_names(&source_pool);
    let old_pool_has_mfa = old_pool_has_mfa(&source, &pacer, &args.report.source_pool_id).await?;
    let mut described = Vec::new();
    for (name, pool_id) in args.report.targets.pools(table.as_ref()) {
        // Every pool is found (or named as missing) before the first scan.
        let import_target = pools::import_target(&target, &pacer, &pool_id).await?;
        let pool = pools::describe(&target, &pacer, &pool_id).await?;
        described.push((name, pool_id, import_target, pool));
    }
    let mut targets = Vec::new();
    let mut mismatches = Vec::new();
    for (name, pool_id, import_target, pool) in described {
        let columns = import_target.header.attribute_columns();
        let mapping = pools::resolve_legacy_sub(mapping.clone(), &columns, &pool_id);
        let mismatch = shared::schema_fit::check(&pool_id, &old_schema, &mapping, &columns).err();
        if let Some(mismatch) = &mismatch {
            eprintln!("{mismatch}");
        }
        mismatches.push(mismatch);
        let rule =
            MatchRule::for_pools(&source_pool, &pool, mapping.legacy_sub_attribute.as_deref())?;
        let new_pool = NewPool {
            client: &target,
            pacer: &pacer,
            pool_id: &pool_id,
            segments: args.report.segments,
            progress_interval: args.report.progress.interval(),
        };
        let index = TargetIndex::read(new_pool, rule, None).await?;
        targets.push(PlanTarget {
            name,
            pool_id,
            target: import_target,
            mapping,
            index,
        });
    }
    let classifiers: Vec<Classifier<'_>> = targets
        .iter()
        .map(|t| Classifier {
            select: Select::All,
            index: &t.index,
            mapping: &t.mapping,
            header: &t.target.header,
            rules: &t.target.rules,
        })
        .collect();
    let estimate = u64::try_from(source_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new("users", estimate, args.report.progress.interval());
    let mut plan = PartitionedPlan::default();
    let mut counts: Vec<PlanCounts> = mismatches
        .iter()
        .map(|mismatch| {
            let unhomed = mismatch.as_ref().map(|m| m.attributes());
            PlanCounts::new(old_pool_has_mfa, unhomed.unwrap_or_default())
        })
        .collect();
    let scanned = scan::each_user(
        &source,
        &pacer,
        &args.report.source_pool_id,
        args.report.segments,
        |user| {
            let user = user_from_list(user);
            plan.total += 1;
            progress.update(plan.total, "read");
            let lane = match &table {
                None => 0,
                Some(table) => match table.tenant_of(&user) {
                    Ok(tenant) => targets
                        .iter()
                        .position(|t| t.name == tenant)
                        .expect("a target per tenant"),
                    Err(unassigned) => {
                        *plan
                            .unassigned
                            .entry(unassigned.code().to_string())
                            .or_default() += 1;
                        return;
                    }
                },
            };
            counts[lane].add(&user, &classifiers[lane], &targets[lane].index);
        },
    )
    .await;
    progress.finish();
    scanned?;
    let text = !crate::json_report::to_stdout(args.json.as_deref());
    for (target, counts) in targets.iter().zip(&counts) {
        if text {
            println!(
                "{}",
                counts.text(&args.report.source_pool_id, &target.pool_id)
            );
        }
    }
    let report = match table {
        Some(_) => {
            plan.tenants = targets.iter().map(|t| t.name.clone()).zip(counts).collect();
            for (code, n) in &plan.unassigned {
                if text {
                    println!("  unassigned ({code}) {n}");
                }
            }
            serde_json::to_value(&plan)?
        }
        None => serde_json::to_value(&counts[0])?,
    };
    if let Some(path) = &args.json {
        crate::json_report::write(path, &report)?;
    }
    Ok(())
}
