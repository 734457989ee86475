//! `cognito-migrate plan`: the numbers an operator needs before cutover, read from both pools.
//!
//! Every user of the old pool is put through the same mapping and new-pool rules the export uses,
//! so the plan's "importable now" is exactly what `export --select passwordless` will write.
//!
//! Where the old pool offers a passwordless first factor, each user's factors and MFA are read
//! beside the scan (`AdminGetUserAuthFactors`, the export's look-up: [`crate::auth_factors`]) on
//! a pacer of their own (`--factors-rps`), and the plan adds the factors inventory
//! ([`factors`]); elsewhere no look-up is made and the plan says so.

mod conflicts;
mod counts;
pub(crate) mod factors;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserPoolType;
use serde::Serialize;

use conflicts::SignInConflicts;
pub use counts::PlanCounts;

use crate::auth_factors::{self, FactorsPace, Lookup};
use crate::aws::AwsArgs;
use crate::classify::{Classifier, Select};
use crate::destinations::Destinations;
use crate::pacer::Pacer;
use crate::pools;
use crate::progress::Progress;
use crate::report_args::ReportArgs;
use crate::scan::PoolScan;
use crate::target_index::{MatchRule, TargetIndex};

/// Arguments of `cognito-migrate plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Pools, mapping and pace.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Also write the plan as JSON to this file (`-`: standard output, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// The pace of the factor look-ups.
    #[command(flatten)]
    pub factors: FactorsPace,
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
    let open = args.report.open(aws, &pacer).await?;
    let (source, target, destinations) = (open.old.client, open.target, open.destinations);
    let source_pool = open.old.pool;
    let old_pool_has_mfa =
        old_pool_has_mfa(&source, &pacer, &args.report.old.source_pool_id).await?;
    for mismatch in destinations.mismatches() {
        eprintln!("{mismatch}");
    }
    let indexes = read_new_users(&args, &target, &pacer, &destinations, &source_pool).await?;
    let estimate = u64::try_from(source_pool.estimated_number_of_users()).unwrap_or(0);
    let factors_pacer = args
        .factors
        .pacer_for(&source_pool, args.report.scan.pace.max_retries);
    let old_pool = OldPool {
        client: &source,
        pacer: &pacer,
        factors_pacer: factors_pacer.as_ref(),
        has_mfa: old_pool_has_mfa,
        estimate,
    };
    let (plan, counts) = count_old_users(&args, old_pool, &destinations, &indexes).await?;
    print_and_write(&args, &destinations, plan, counts)
}

/// Reads the users each new pool already has, matched with old users as the sweep would match them.
async fn read_new_users(
    args: &PlanArgs,
    target: &Client,
    pacer: &Arc<Pacer>,
    destinations: &Destinations,
    source_pool: &UserPoolType,
) -> anyhow::Result<Vec<TargetIndex>> {
    let mut indexes = Vec::new();
    for d in destinations.iter() {
        let rule = MatchRule::for_pools(
            source_pool,
            &d.pool,
            d.mapping.legacy_sub_attribute.as_deref(),
        )?;
        let new_pool = PoolScan {
            client: target,
            pacer,
            pool_id: &d.pool_id,
            segments: args.report.scan.segments,
        };
        let interval = args.report.scan.progress.interval();
        indexes.push(TargetIndex::read(new_pool, interval, rule, None).await?);
    }
    Ok(indexes)
}

/// The old pool as the plan reads it.
#[derive(Clone, Copy)]
struct OldPool<'a> {
    client: &'a Client,
    pacer: &'a Arc<Pacer>,
    /// The pacer of the factor look-ups, where the old pool offers a passwordless first factor.
    factors_pacer: Option<&'a Arc<Pacer>>,
    /// MFA is ON or OPTIONAL.
    has_mfa: bool,
    /// Its estimated number of users.
    estimate: u64,
}

/// Puts every old user through its new pool's classifier: the total and the unassigned users
/// in the plan, and one set of counts per destination.
async fn count_old_users(
    args: &PlanArgs,
    old_pool: OldPool<'_>,
    destinations: &Destinations,
    indexes: &[TargetIndex],
) -> anyhow::Result<(PartitionedPlan, Vec<PlanCounts>)> {
    let classifiers: Vec<Classifier<'_>> = destinations
        .iter()
        .zip(indexes)
        .map(|(d, index)| Classifier::new(Select::All, index, &d.mapping, &d.import))
        .collect();
    let mut conflicts: Vec<SignInConflicts> = destinations
        .iter()
        .map(|_| SignInConflicts::default())
        .collect();
    let mut failure: Option<anyhow::Error> = None;
    let mut counts: Vec<PlanCounts> = destinations
        .iter()
        .map(|d| {
            let unhomed = d.fit.as_ref().err().map(|m| m.attributes());
            PlanCounts::new(
                old_pool.has_mfa,
                unhomed.unwrap_or_default(),
                factors::CodeSignIn::of(&d.pool),
                old_pool.factors_pacer.is_some(),
            )
        })
        .collect();
    let mut progress = Progress::new(
        "users",
        old_pool.estimate,
        args.report.scan.progress.interval(),
    );
    let mut plan = PartitionedPlan::default();
    let pool_id = &args.report.old.source_pool_id;
    let pool = PoolScan {
        client: old_pool.client,
        pacer: old_pool.pacer,
        pool_id,
        segments: args.report.scan.segments,
    };
    let lookup = old_pool.factors_pacer.map(|pacer| Lookup {
        pacer,
        factors: true,
    });
    let scanned =
        auth_factors::each_read_page(pool, lookup, async |users: Vec<shared::SourceUser>| {
            for user in users {
                plan.total += 1;
                progress.update(plan.total, "read");
                match destinations.route(&user) {
                    Ok(lane) => {
                        let added = counts[lane].add(
                            &user,
                            &classifiers[lane],
                            &indexes[lane],
                            &mut conflicts[lane],
                        );
                        if let Err(err) = added {
                            failure.get_or_insert(err);
                        }
                    }
                    Err(unassigned) => {
                        *plan
                            .unassigned
                            .entry(unassigned.code().to_string())
                            .or_default() += 1;
                    }
                }
            }
            Ok(())
        })
        .await;
    progress.finish();
    scanned?;
    if let Some(err) = failure {
        return Err(err);
    }
    for (counts, conflicts) in counts.iter_mut().zip(conflicts) {
        counts.count_conflicts(conflicts)?;
    }
    Ok((plan, counts))
}

/// Prints each pool's counts (and the unassigned users) unless the JSON goes to standard output,
/// and writes the JSON: the counts of the single pool, or the partitioned plan.
fn print_and_write(
    args: &PlanArgs,
    destinations: &Destinations,
    mut plan: PartitionedPlan,
    counts: Vec<PlanCounts>,
) -> anyhow::Result<()> {
    let text = !crate::json_report::to_stdout(args.json.as_deref());
    for (d, counts) in destinations.iter().zip(&counts) {
        if text {
            println!(
                "{}",
                counts.text(&args.report.old.source_pool_id, &d.pool_id)
            );
        }
    }
    let report = match destinations.partitioned() {
        true => {
            plan.tenants = destinations
                .iter()
                .map(|d| d.name.clone())
                .zip(counts)
                .collect();
            for (code, n) in &plan.unassigned {
                if text {
                    println!("  unassigned ({code}) {n}");
                }
            }
            serde_json::to_value(&plan)?
        }
        false => serde_json::to_value(&counts[0])?,
    };
    if let Some(path) = &args.json {
        crate::json_report::write(path, &report)?;
    }
    Ok(())
}
