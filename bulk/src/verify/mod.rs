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

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;
use shared::Mapping;
use shared::from_sdk::{attribute_map, user_from_list};
use shared::partition::Unassigned;

use crate::aws::{AwsArgs, Side};
use crate::classify::{Classifier, Outcome, Select};
use crate::destinations::{Destination, Destinations};
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

/// A new pool as verify reads it: its import target only where AWS would import into it.
type VerifiedPool = Destination<Option<ImportTarget>>;

/// Why this user cannot be in this pool by a bulk import (mapping, pool rules, CSV format), or
/// `None` when it could.
fn refusal(destination: &VerifiedPool, user: &shared::SourceUser) -> Option<shared::RejectReason> {
    let Some(import) = &destination.import else {
        return destination.mapping.apply(user).err();
    };
    let index = TargetIndex::default();
    let classifier = Classifier::new(Select::All, &index, &destination.mapping, import);
    match classifier.classify(user) {
        Outcome::Reject(reason) => Some(reason),
        _ => None,
    }
}

/// Indexes one new pool's users and memberships (`mapping`: resolved against this pool).
async fn read_new_pool(
    target: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    mapping: &Mapping,
    segments: u8,
) -> anyhow::Result<NewPoolIndex> {
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
    Ok(index)
}

/// Compares the pools; returns the counts (the caller turns `clean()` into the exit status).
pub async fn run(args: VerifyArgs, aws: &AwsArgs) -> anyhow::Result<VerifyCounts> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    let differences = Differences::create(args.differences.as_deref())?;
    let pacer = Arc::new(args.report.pacer());
    let source = aws
        .client(Side::Source, Some(&args.report.source_pool_id))
        .await;
    let target = aws
        .client(Side::Target, args.report.targets.target_pool_id.as_deref())
        .await;
    let mapping = args.report.mapping()?;
    let new_pools = args.report.targets.new_pools()?;
    // Every pool is found (or named as missing) before the first scan.
    let source_pool = pools::describe(&source, &pacer, &args.report.source_pool_id).await?;
    let destinations =
        Destinations::load(&target, &pacer, new_pools, &mapping, &source_pool).await?;
    let mut indexes = Vec::new();
    for d in destinations.iter() {
        let segments = args.report.segments;
        indexes.push(read_new_pool(&target, &pacer, &d.pool_id, &d.mapping, segments).await?);
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

/// An old user found in its pool whose mapped attributes may differ there (their fingerprints do).
struct MaybeDiffering {
    old_username: String,
    /// The destination index of its pool.
    home: usize,
    new_username: String,
    /// Its attributes as the mapping makes them.
    expected: BTreeMap<String, String>,
}

/// A verification under way: the old pool, the new pools with their users, and what was found
/// so far.
struct Verification<'a> {
    /// The old pool, `--segments` and the progress interval.
    args: &'a VerifyArgs,
    /// Client of the old pool.
    source: &'a Client,
    /// The run's pacer (one rate limit for every request).
    pacer: &'a Arc<Pacer>,
    destinations: &'a Destinations<Option<ImportTarget>>,
    /// Each destination's users and memberships, by destination index.
    indexes: Vec<NewPoolIndex>,
    counts: VerifyCounts,
    differences: Differences,
    maybe_differing: Vec<MaybeDiffering>,
}

impl<'a> Verification<'a> {
    /// Nothing compared yet; the new pools' users counted.
    fn new(
        args: &'a VerifyArgs,
        source: &'a Client,
        pacer: &'a Arc<Pacer>,
        destinations: &'a Destinations<Option<ImportTarget>>,
        differences: Differences,
        indexes: Vec<NewPoolIndex>,
    ) -> Verification<'a> {
        let counts = VerifyCounts {
            new_users: indexes.iter().map(|index| index.users() as u64).sum(),
            ..VerifyCounts::default()
        };
        Verification {
            args,
            source,
            pacer,
            destinations,
            indexes,
            counts,
            differences,
            maybe_differing: Vec::new(),
        }
    }

    /// Compares every old user with the new pools. A failure to note a difference ends the run
    /// after the scan, with the first such error.
    async fn compare_users(&mut self) -> anyhow::Result<()> {
        let report = &self.args.report;
        let mut progress = Progress::new("users", 0, report.progress.interval());
        let mut failure: Option<anyhow::Error> = None;
        scan::each_user(
            self.source,
            self.pacer,
            &report.source_pool_id,
            report.segments,
            |user| {
                let user = user_from_list(user);
                self.counts.old_users += 1;
                progress.update(self.counts.old_users, "compared");
                if let Err(err) = self.compare_user(&user) {
                    failure.get_or_insert(err);
                }
            },
        )
        .await?;
        progress.finish();
        if let Some(err) = failure {
            return Err(err);
        }
        if !self.destinations.partitioned() {
            self.counts.tenants.clear();
        }
        Ok(())
    }

    /// Compares one old user with the pool it belongs to (or, without one, with every pool).
    fn compare_user(&mut self, user: &shared::SourceUser) -> anyhow::Result<()> {
        let home = match self.destinations.route(user) {
            Ok(home) => home,
            Err(unassigned) => return self.compare_unassigned(user, &unassigned),
        };
        // Every tenant with an old user has its counts, even when they are all zero.
        self.tenant(home);
        match self.indexes[home].find(&user.username, user.sub()) {
            Some(new_username) => self.compare_present(user, home, new_username),
            None => self.compare_absent(user, home),
        }
    }

    /// The counts of the tenant of destination `home`.
    fn tenant(&mut self, home: usize) -> &mut TenantVerify {
        let name = self.destinations[home].name.clone();
        self.counts.tenants.entry(name).or_default()
    }

    /// The index of a new pool that has the user, if any does.
    fn found_in(&self, user: &shared::SourceUser) -> Option<usize> {
        self.indexes
            .iter()
            .position(|index| index.find(&user.username, user.sub()).is_some())
    }

    /// A user without a pool: misplaced when a pool has it, else expected to be missing.
    fn compare_unassigned(
        &mut self,
        user: &shared::SourceUser,
        unassigned: &Unassigned,
    ) -> anyhow::Result<()> {
        match self.found_in(user) {
            Some(i) => {
                self.counts.misplaced += 1;
                let detail = format!(
                    "{unassigned}, yet in the pool of tenant {}",
                    self.destinations[i].name
                );
                self.differences.note(&user.username, "misplaced", &detail)
            }
            None => self.expected_missing(user, unassigned.code(), &unassigned.to_string()),
        }
    }

    /// A user found in its pool: its state compared now, its attributes kept for later when their
    /// fingerprints differ.
    fn compare_present(
        &mut self,
        user: &shared::SourceUser,
        home: usize,
        new_username: String,
    ) -> anyhow::Result<()> {
        self.counts.present += 1;
        self.tenant(home).present += 1;
        let index = &self.indexes[home];
        if let Ok(mapped) = self.destinations[home].mapping.apply(user)
            && index.attributes_of(&new_username)
                != Some(attributes_fingerprint(&mapped.attributes))
        {
            self.maybe_differing.push(MaybeDiffering {
                old_username: user.username.clone(),
                home,
                new_username: new_username.clone(),
                expected: mapped.attributes,
            });
        }
        let state = index.state_of(&new_username).expect("an indexed user");
        if state::password_reset(user, state) {
            self.counts.passwords_reset += 1;
        }
        state::differences(user, state)
            .into_iter()
            .try_for_each(|difference| {
                match difference.kind {
                    state::Kind::Enabled => self.counts.enabled_differs += 1,
                    state::Kind::Status => self.counts.status_differs += 1,
                }
                self.differences
                    .note(&user.username, difference.kind.code(), &difference.detail)
            })
    }

    /// A user its pool lacks: misplaced when another pool has it, expected to be missing when
    /// no bulk import could carry it, else missing.
    fn compare_absent(&mut self, user: &shared::SourceUser, home: usize) -> anyhow::Result<()> {
        if let Some(i) = self.found_in(user) {
            self.counts.misplaced += 1;
            self.tenant(home).misplaced += 1;
            let detail = format!(
                "belongs to tenant {}, found in the pool of tenant {}",
                self.destinations[home].name, self.destinations[i].name
            );
            return self.differences.note(&user.username, "misplaced", &detail);
        }
        match refusal(&self.destinations[home], user) {
            Some(reason) => self.expected_missing(user, reason.code(), &reason.to_string()),
            None => {
                self.counts.missing += 1;
                self.tenant(home).missing += 1;
                self.differences
                    .note(&user.username, "missing", "not in the new pool")
            }
        }
    }

    /// A user expected to be missing (no tenant, or no bulk import could carry it): counted under
    /// `code`, noted with the reason `why`.
    fn expected_missing(
        &mut self,
        user: &shared::SourceUser,
        code: &str,
        why: &str,
    ) -> anyhow::Result<()> {
        *self
            .counts
            .expected_missing
            .entry(code.to_string())
            .or_default() += 1;
        self.differences
            .note(&user.username, "expected-missing", why)
    }

    /// A fingerprint mismatch may only be attributes the new pool has in addition (set by the
    /// application after migration); reads those users to name what really differs.
    async fn name_differing_attributes(&mut self, target: &Client) -> anyhow::Result<()> {
        for MaybeDiffering {
            old_username,
            home,
            new_username,
            expected,
        } in std::mem::take(&mut self.maybe_differing)
        {
            let pool_id = &self.destinations[home].pool_id;
            let found = self
                .pacer
                .call(|| {
                    target
                        .admin_get_user()
                        .user_pool_id(pool_id)
                        .username(&new_username)
                        .send()
                })
                .await
                .map_err(|e| explain("AdminGetUser", pool_id, e))?;
            let actual = comparable(attribute_map(found.user_attributes()));
            let differ: Vec<&str> = expected
                .iter()
                .filter(|(name, value)| actual.get(*name) != Some(value))
                .map(|(name, _)| name.as_str())
                .collect();
            if !differ.is_empty() {
                self.counts.attributes_differ += 1;
                self.differences
                    .note(&old_username, "attributes-differ", &differ.join(" "))?;
            }
        }
        Ok(())
    }

    /// Finds every old membership of a user in its pool in the same group there.
    async fn compare_memberships(&mut self) -> anyhow::Result<()> {
        let report = &self.args.report;
        each_group_and_member(
            self.source,
            self.pacer,
            &report.source_pool_id,
            report.segments,
            |_| Ok(()),
            |group, user| {
                // The user is found again rather than remembered from the scan: no map of every
                // user (ListUsersInGroup returns the whole user, `sub` included).
                let user = user_from_list(user);
                let username = user.username.as_str();
                if let Ok(home) = self.destinations.route(&user)
                    && let Some(new_username) = self.indexes[home].find(username, user.sub())
                    && !self.indexes[home].has_membership(group, &new_username)
                {
                    self.counts.memberships_missing += 1;
                    self.differences
                        .note(username, "membership-missing", group)?;
                }
                Ok(())
            },
        )
        .await
    }

    /// Closes the differences file; the counts.
    fn finish(self) -> anyhow::Result<VerifyCounts> {
        self.differences.finish()?;
        Ok(self.counts)
    }
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
