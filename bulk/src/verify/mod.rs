//! `cognito-migrate verify`: after (or during) the migration, compares the old pool with the new
//! one: users missing, users whose mapped attributes differ, users enabled in one pool and
//! disabled in the other, statuses no migration gives (see `state`), memberships missing.
//!
//! Users a bulk import could not carry (the mapping, the new pool's rules or the CSV format refuse
//! them: federated users, invalid values, no verified contact) are reported as expected to be
//! missing and do not fail the run. The differences CSV names attributes, never their values.

mod differences;
mod new_pool;
mod state;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;
use shared::Mapping;
use shared::from_sdk::{attribute_map, user_from_list};

use crate::aws::{AwsArgs, Side};
use crate::classify::{Classifier, Outcome, Select};
use crate::errors::explain;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;
use crate::pools::ImportTarget;
use crate::progress::Progress;
use crate::target_index::TargetIndex;
use crate::tenants::ReportArgs;
use crate::{pools, scan};
use differences::Differences;
use new_pool::{NewPoolIndex, attributes_fingerprint, comparable};
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
    }
}

/// One new pool as verify sees it.
struct VerifyTarget {
    name: String,
    pool_id: String,
    mapping: Mapping,
    index: NewPoolIndex,
    /// The pool's import rules, when it has them (a pool without auto-verified attributes has
    /// none: only the mapping decides then).
    import: Option<ImportTarget>,
}

impl VerifyTarget {
    /// Why this user cannot be in this pool by a bulk import (mapping, pool rules, CSV format),
    /// or `None` when it could.
    fn refusal(&self, user: &shared::SourceUser) -> Option<shared::RejectReason> {
        let Some(import) = &self.import else {
            return self.mapping.apply(user).err();
        };
        let index = TargetIndex::default();
        let classifier = Classifier {
            select: Select::All,
            index: &index,
            mapping: &self.mapping,
            header: &import.header,
            rules: &import.rules,
        };
        match classifier.classify(user) {
            Outcome::Reject(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Indexes one new pool's users and memberships.
async fn read_new_pool(
    target: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    mapping: &Mapping,
    segments: u8,
) -> anyhow::Result<(Mapping, NewPoolIndex)> {
    let pool = pools::describe(target, pacer, pool_id).await?;
    let attributes: BTreeSet<String> = pool
        .schema_attributes()
        .iter()
        .filter_map(|a| a.name())
        .map(String::from)
        .collect();
    let mapping = pools::resolve_legacy_sub(mapping.clone(), &attributes, pool_id);
    eprintln!("reading the new pool {pool_id}…");
    let legacy = mapping.legacy_sub_attribute.clone();
    let mut index = NewPoolIndex::default();
    scan::each_user(target, pacer, pool_id, segments, |user| {
        let attributes = comparable(attribute_map(user.attributes()));
        let status = user.user_status().map_or("UNKNOWN", |s| s.as_str());
        index.add_user(
            user.username().unwrap_or_default(),
            &attributes,
            UserState::new(user.enabled(), status),
            legacy.as_deref(),
        );
    })
    .await?;
    each_group_and_member(
        target,
        pacer,
        pool_id,
        segments,
        |_| Ok(()),
        |group, user| {
            index.add_membership(group, user.username().unwrap_or_default());
            Ok(())
        },
    )
    .await?;
    Ok((mapping, index))
}

/// Where an old user was found: target index and new user name.
type Found = (usize, String);

/// Compares the pools; returns the counts (the caller turns `clean()` into the exit status).
pub async fn run(args: VerifyArgs, aws: &AwsArgs) -> anyhow::Result<VerifyCounts> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    let mut differences = Differences::create(args.differences.as_deref())?;
    let pacer = Arc::new(args.report.pacer());
    let source = aws
        .client(Side::Source, Some(&args.report.source_pool_id))
        .await;
    let target = aws
        .client(Side::Target, args.report.targets.target_pool_id.as_deref())
        .await;
    let mapping = args.report.mapping()?;
    let table = args.report.targets.tenant_table()?;
    let pool_ids = args.report.targets.pools(table.as_ref());
    // Every pool is found (or named as missing) before the first scan.
    pools::describe(&source, &pacer, &args.report.source_pool_id).await?;
    for (_, pool_id) in &pool_ids {
        pools::describe(&target, &pacer, pool_id).await?;
    }
    let mut targets = Vec::new();
    for (name, pool_id) in pool_ids {
        let (mapping, index) =
            read_new_pool(&target, &pacer, &pool_id, &mapping, args.report.segments).await?;
        let import = pools::import_target(&target, &pacer, &pool_id).await.ok();
        targets.push(VerifyTarget {
            name,
            pool_id,
            mapping,
            index,
            import,
        });
    }

    let mut counts = VerifyCounts {
        new_users: targets.iter().map(|t| t.index.users() as u64).sum(),
        ..VerifyCounts::default()
    };
    let mut differing: Vec<(String, Found, BTreeMap<String, String>)> = Vec::new();
    let mut progress = Progress::new("users", 0, args.report.progress.interval());
    let mut failure: Option<anyhow::Error> = None;
    // The pool an old user belongs to: the only one, or its tenant's.
    let home_of = |user: &shared::SourceUser| match &table {
        None => Ok(0),
        Some(table) => table.tenant_of(user).map(|tenant| {
            targets
                .iter()
                .position(|t| t.name == tenant)
                .expect("a target per tenant")
        }),
    };
    let find_anywhere = |user: &shared::SourceUser| {
        targets
            .iter()
            .enumerate()
            .find_map(|(i, t)| t.index.find(&user.username, user.sub()).map(|n| (i, n)))
    };
    scan::each_user(
        &source,
        &pacer,
        &args.report.source_pool_id,
        args.report.segments,
        |user| {
            let user = user_from_list(user);
            counts.old_users += 1;
            progress.update(counts.old_users, "compared");
            let result = match home_of(&user) {
                Err(unassigned) => match find_anywhere(&user) {
                    Some((i, _)) => {
                        counts.misplaced += 1;
                        let detail = format!(
                            "{unassigned}, yet in the pool of tenant {}",
                            targets[i].name
                        );
                        differences.note(&user.username, "misplaced", &detail)
                    }
                    None => {
                        *counts
                            .expected_missing
                            .entry(unassigned.code().to_string())
                            .or_default() += 1;
                        differences.note(
                            &user.username,
                            "expected-missing",
                            &unassigned.to_string(),
                        )
                    }
                },
                Ok(home) => {
                    let tenant = counts
                        .tenants
                        .entry(targets[home].name.clone())
                        .or_default();
                    let mapped = targets[home].mapping.apply(&user);
                    match (targets[home].index.find(&user.username, user.sub()), mapped) {
                        (Some(new_username), mapped) => {
                            counts.present += 1;
                            tenant.present += 1;
                            let index = &targets[home].index;
                            if let Ok(mapped) = mapped
                                && index.attributes_of(&new_username)
                                    != Some(attributes_fingerprint(&mapped.attributes))
                            {
                                differing.push((
                                    user.username.clone(),
                                    (home, new_username.clone()),
                                    mapped.attributes,
                                ));
                            }
                            let state = index.state_of(&new_username).expect("an indexed user");
                            if state::password_reset(&user, state) {
                                counts.passwords_reset += 1;
                            }
                            state::differences(&user, state).into_iter().try_for_each(
                                |difference| {
                                    match difference.kind {
                                        state::Kind::Enabled => counts.enabled_differs += 1,
                                        state::Kind::Status => counts.status_differs += 1,
                                    }
                                    differences.note(
                                        &user.username,
                                        difference.kind.code(),
                                        &difference.detail,
                                    )
                                },
                            )
                        }
                        (None, _) => match (find_anywhere(&user), targets[home].refusal(&user)) {
                            (Some((i, _)), _) => {
                                counts.misplaced += 1;
                                tenant.misplaced += 1;
                                let detail = format!(
                                    "belongs to tenant {}, found in the pool of tenant {}",
                                    targets[home].name, targets[i].name
                                );
                                differences.note(&user.username, "misplaced", &detail)
                            }
                            (None, Some(reason)) => {
                                *counts
                                    .expected_missing
                                    .entry(reason.code().to_string())
                                    .or_default() += 1;
                                differences.note(
                                    &user.username,
                                    "expected-missing",
                                    &reason.to_string(),
                                )
                            }
                            (None, None) => {
                                counts.missing += 1;
                                tenant.missing += 1;
                                differences.note(&user.username, "missing", "not in the new pool")
                            }
                        },
                    }
                }
            };
            if let Err(err) = result {
                failure.get_or_insert(err);
            }
        },
    )
    .await?;
    progress.finish();
    if let Some(err) = failure {
        return Err(err);
    }
    if table.is_none() {
        counts.tenants.clear();
    }

    // A fingerprint mismatch may only be attributes the new pool has in addition (set by the
    // application after migration); read those users to name what really differs.
    for (old_username, (home, new_username), expected) in differing {
        let pool_id = &targets[home].pool_id;
        let user = pacer
            .call(|| {
                target
                    .admin_get_user()
                    .user_pool_id(pool_id)
                    .username(&new_username)
                    .send()
            })
            .await
            .map_err(|e| explain("AdminGetUser", pool_id, e))?;
        let actual = comparable(attribute_map(user.user_attributes()));
        let differ: Vec<&str> = expected
            .iter()
            .filter(|(name, value)| actual.get(*name) != Some(value))
            .map(|(name, _)| name.as_str())
            .collect();
        if !differ.is_empty() {
            counts.attributes_differ += 1;
            differences.note(&old_username, "attributes-differ", &differ.join(" "))?;
        }
    }

    each_group_and_member(
        &source,
        &pacer,
        &args.report.source_pool_id,
        args.report.segments,
        |_| Ok(()),
        |group, user| {
            // The user is found again rather than remembered from the scan: no map of every
            // user (ListUsersInGroup returns the whole user, `sub` included).
            let user = user_from_list(user);
            let username = user.username.as_str();
            if let Ok(home) = home_of(&user)
                && let Some(new_username) = targets[home].index.find(username, user.sub())
                && !targets[home].index.has_membership(group, &new_username)
            {
                counts.memberships_missing += 1;
                differences.note(username, "membership-missing", group)?;
            }
            Ok(())
        },
    )
    .await?;
    differences.finish()?;
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
        "old pool {} users, new pool(s) {} users\n  present {}\n  missing {}\n  misplaced {}\n  attributes differ {}\n  enabled differs {}\n  status differs {}\n  memberships missing {}\n  passwords to reset (expected) {}\n",
        counts.old_users,
        counts.new_users,
        counts.present,
        counts.missing,
        counts.misplaced,
        counts.attributes_differ,
        counts.enabled_differs,
        counts.status_differs,
        counts.memberships_missing,
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
