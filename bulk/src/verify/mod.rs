//! `cognito-migrate verify`: after (or during) the migration, compares the old pool with the new
//! one: users missing, users whose mapped attributes differ, users enabled in one pool and
//! disabled in the other, statuses no migration gives (see `state`), memberships missing.
//!
//! Users a bulk import could not carry (the mapping, the new pool's rules or the CSV format refuse
//! them: federated users, invalid values, no verified contact) are reported as expected to be
//! missing and do not fail the run. The differences CSV names attributes, never their values.

mod comparison;
mod differences;
mod new_pool;
mod state;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;
use shared::from_sdk::{attribute_map, user_from_list};

use crate::aws::AwsArgs;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;
use crate::report_args::ReportArgs;
use crate::scan;
use crate::target_index::MatchRule;
use comparison::Verification;
use differences::Differences;
use new_pool::{NewPoolIndex, NewPoolIndexBuilder, comparable};
use state::UserState;

/// Arguments of `cognito-migrate verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Pools, mapping and pace.
    #[command(flatten)]
    pub report: ReportArgs,
    /// Write every difference to this CSV (`username,kind,detail`).
    #[arg(long)]
    pub differences: Option<PathBuf>,
    /// Also write the counts as JSON to this file (`-`: standard output, instead of the text).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
}

/// The counts of a verification.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyCounts {
    /// Users in the old pool.
    pub old_users: u64,
    /// Users in the new pool(s).
    pub new_users: u64,
    /// Old users found in the pool they belong to.
    pub present: u64,
    /// Old users the new pool lacks although the mapping accepts them.
    pub missing: u64,
    /// Old users found in another tenant's pool (or in a pool although they have no tenant).
    pub misplaced: u64,
    /// Old users the mapping (or the tenant table) refuses, per reason code.
    pub expected_missing: BTreeMap<String, u64>,
    /// Users present whose mapped attributes differ.
    pub attributes_differ: u64,
    /// Users present, enabled in one pool and disabled in the other (an old user disabled who is
    /// enabled in the new pool is live again).
    pub enabled_differs: u64,
    /// Users present with a status no migration gives (e.g. CONFIRMED old, UNCONFIRMED new).
    pub status_differs: u64,
    /// Users present who had a password the trigger could carry and must set a new one (imported
    /// `RESET_REQUIRED`, or created disabled): expected, not a difference.
    pub passwords_reset: u64,
    /// Old memberships whose user is in the new pool but not in the group there.
    pub memberships_missing: u64,
    /// Users present whose links to identity providers (`identities`) differ from the old
    /// user's: a link `cognito-migrate links` has not made (yet).
    pub links_differ: u64,
    /// Present and missing users per tenant (partitioned runs only).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tenants: BTreeMap<String, TenantVerify>,
}

/// One tenant's verification counts.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct TenantVerify {
    /// Users of the tenant found in its pool.
    pub present: u64,
    /// Users of the tenant missing from its pool.
    pub missing: u64,
    /// Users of the tenant found in another tenant's pool.
    pub misplaced: u64,
}

impl VerifyCounts {
    /// True when nothing is missing or misplaced that should not be.
    pub fn clean(&self) -> bool {
        self.missing == 0
            && self.misplaced == 0
            && self.attributes_differ == 0
            && self.enabled_differs == 0
            && self.status_differs == 0
            && self.memberships_missing == 0
            && self.links_differ == 0
    }
}

/// Indexes one new pool's users and memberships, found as `rule` says.
async fn read_new_pool(
    target: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    rule: MatchRule,
    segments: u8,
) -> anyhow::Result<NewPoolIndex> {
    eprintln!("reading the new pool {pool_id}…");
    let mut index = NewPoolIndexBuilder::create(rule)?;
    let mut failure = None;
    scan::each_user(target, pacer, pool_id, segments, |listed| {
        let attributes = comparable(attribute_map(listed.attributes()));
        let status = listed.user_status().map_or("UNKNOWN", |s| s.as_str());
        let added = index.add_user(
            &user_from_list(listed),
            &attributes,
            UserState::new(listed.enabled(), status),
        );
        if let Err(err) = added {
            failure.get_or_insert(err);
        }
    })
    .await?;
    if let Some(err) = failure {
        return Err(err);
    }
    each_group_and_member(
        target,
        pacer,
        pool_id,
        segments,
        |_| Ok(()),
        |group, user| index.add_membership(group, user.username().unwrap_or_default()),
    )
    .await?;
    index.finish()
}

/// Compares the pools; returns the counts (the caller turns `clean()` into the exit status).
pub async fn run(args: VerifyArgs, aws: &AwsArgs) -> anyhow::Result<VerifyCounts> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    let differences = Differences::create(args.differences.as_deref())?;
    let pacer = Arc::new(args.report.pacer());
    let open = args.report.open(aws, &pacer).await?;
    let (source, target, destinations) = (open.old.client, open.target, open.destinations);
    let old_pool = open.old.pool;
    let mut indexes = Vec::new();
    for d in destinations.iter() {
        if d.mapping.legacy_sub_attribute.is_none() {
            eprintln!(
                "note: the mapping carries no legacy id (legacy_sub_attribute null), so users of {} \
                 are matched by user name (the value they sign in with): a user whose new name \
                 differs counts as missing",
                d.pool_id
            );
        }
        let segments = args.report.scan.segments;
        let legacy = d.mapping.legacy_sub_attribute.as_deref();
        let rule = MatchRule::for_pools(&old_pool, &d.pool, legacy)?;
        indexes.push(read_new_pool(&target, &pacer, &d.pool_id, rule, segments).await?);
    }
    let mut verification =
        Verification::new(&args, &source, &pacer, &destinations, differences, indexes);
    verification.compare_users().await?;
    verification.name_differing_attributes(&target).await?;
    verification.compare_memberships().await?;
    let counts = verification.finish()?;
    if !crate::json_report::to_stdout(args.json.as_deref()) {
        println!("{}", text(&counts));
    }
    if let Some(path) = &args.json {
        crate::json_report::write(path, &counts)?;
    }
    Ok(counts)
}

fn text(counts: &VerifyCounts) -> String {
    let mut text = format!(
        "old pool {} users, new pool(s) {} users\n  present {}\n  missing {}\n  misplaced {}\n  attributes differ {}\n  enabled differs {}\n  status differs {}\n  memberships missing {}\n  links differ {}\n  passwords to reset (expected) {}\n",
        counts.old_users,
        counts.new_users,
        counts.present,
        counts.missing,
        counts.misplaced,
        counts.attributes_differ,
        counts.enabled_differs,
        counts.status_differs,
        counts.memberships_missing,
        counts.links_differ,
        counts.passwords_reset
    );
    for (code, n) in &counts.expected_missing {
        text.push_str(&format!("  expected missing ({code}) {n}\n"));
    }
    for (tenant, t) in &counts.tenants {
        text.push_str(&format!(
            "  tenant {tenant}: present {}, missing {}, misplaced {}\n",
            t.present, t.missing, t.misplaced
        ));
    }
    text.push_str(if counts.clean() {
        "verify: nothing is missing"
    } else {
        "verify: differences found"
    });
    text
}
