//! Comparing every old user, and every old membership, with the new pool it belongs to: present,
//! missing, misplaced or expected to be missing, and what differs for those present.

use std::collections::BTreeMap;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use shared::SourceStatus;
use shared::from_sdk::{attribute_map, user_from_list};
use shared::linked_identities::IDENTITIES;
use shared::partition::Unassigned;

use super::differences::Differences;
use super::new_pool::{NewPoolIndex, attributes_fingerprint, comparable};
use super::state;
use super::{TenantVerify, VerifyArgs, VerifyCounts};
use crate::classify::{Classifier, Outcome, Select};
use crate::destinations::{Destination, Destinations};
use crate::errors::explain;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;
use crate::pools::ImportTarget;
use crate::progress::Progress;
use crate::scan;
use crate::target_index::TargetIndex;

/// A new pool as verify reads it: its import target only where AWS would import into it.
type VerifiedPool = Destination<Option<ImportTarget>>;

/// Why this user cannot be in this pool by a bulk import (mapping, pool rules, CSV format), or
/// `None` when it could.
fn refusal(
    destination: &VerifiedPool,
    user: &shared::SourceUser,
) -> anyhow::Result<Option<shared::RejectReason>> {
    let Some(import) = &destination.import else {
        return Ok(destination.mapping.apply(user).err());
    };
    let index = TargetIndex::default();
    let classifier = Classifier::new(Select::All, &index, &destination.mapping, import);
    Ok(match classifier.classify(user)? {
        Outcome::Reject(reason) => Some(reason),
        _ => None,
    })
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
pub(super) struct Verification<'a> {
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
    pub(super) fn new(
        args: &'a VerifyArgs,
        source: &'a Client,
        pacer: &'a Arc<Pacer>,
        destinations: &'a Destinations<Option<ImportTarget>>,
        differences: Differences,
        indexes: Vec<NewPoolIndex>,
    ) -> Verification<'a> {
        let counts = VerifyCounts {
            new_users: indexes.iter().map(|index| index.users()).sum(),
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
    pub(super) async fn compare_users(&mut self) -> anyhow::Result<()> {
        let report = &self.args.report;
        let mut progress = Progress::new("users", 0, report.scan.progress.interval());
        let mut failure: Option<anyhow::Error> = None;
        scan::each_user(
            self.source,
            self.pacer,
            &report.old.source_pool_id,
            report.scan.segments,
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
        match self.indexes[home].find(user)? {
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
    fn found_in(&self, user: &shared::SourceUser) -> anyhow::Result<Option<usize>> {
        for (i, index) in self.indexes.iter().enumerate() {
            if index.find(user)?.is_some() {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// A user without a pool: misplaced when a pool has it, else expected to be missing.
    fn compare_unassigned(
        &mut self,
        user: &shared::SourceUser,
        unassigned: &Unassigned,
    ) -> anyhow::Result<()> {
        match self.found_in(user)? {
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
        let indexed = self.indexes[home]
            .user(&new_username)?
            .expect("an indexed user");
        if let Ok(mapped) = self.destinations[home].mapping.apply_to_federated(user) {
            let mut expected = mapped.attributes;
            expected.extend(comparable(
                user.attribute(IDENTITIES)
                    .map(|links| (IDENTITIES.to_string(), links.to_string())),
            ));
            if indexed.attributes != attributes_fingerprint(&expected) {
                self.maybe_differing.push(MaybeDiffering {
                    old_username: user.username.clone(),
                    home,
                    new_username: new_username.clone(),
                    expected,
                });
            }
        }
        let state = indexed.state;
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
        if let Some(i) = self.found_in(user)? {
            self.counts.misplaced += 1;
            self.tenant(home).misplaced += 1;
            let detail = format!(
                "belongs to tenant {}, found in the pool of tenant {}",
                self.destinations[home].name, self.destinations[i].name
            );
            return self.differences.note(&user.username, "misplaced", &detail);
        }
        if user.status == SourceStatus::ExternalProvider {
            // `cognito-migrate links` carries them: absent, they were not carried yet.
            self.counts.missing += 1;
            self.tenant(home).missing += 1;
            return self.differences.note(
                &user.username,
                "missing",
                "a federated user not carried yet: run cognito-migrate links",
            );
        }
        match refusal(&self.destinations[home], user)? {
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
    pub(super) async fn name_differing_attributes(
        &mut self,
        target: &Client,
    ) -> anyhow::Result<()> {
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
            let (links, differ): (Vec<&str>, Vec<&str>) = expected
                .keys()
                .chain(actual.keys().filter(|name| *name == IDENTITIES))
                .filter(|name| actual.get(*name) != expected.get(*name))
                .map(String::as_str)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .partition(|name| *name == IDENTITIES);
            if !differ.is_empty() {
                self.counts.attributes_differ += 1;
                self.differences
                    .note(&old_username, "attributes-differ", &differ.join(" "))?;
            }
            if !links.is_empty() {
                self.counts.links_differ += 1;
                let detail = format!(
                    "linked in the old pool to [{}], in the new pool to [{}]: run cognito-migrate links",
                    expected.get(IDENTITIES).map_or("", String::as_str),
                    actual.get(IDENTITIES).map_or("", String::as_str)
                );
                self.differences
                    .note(&old_username, "links-differ", &detail)?;
            }
        }
        Ok(())
    }

    /// Finds every old membership of a user in its pool in the same group there.
    pub(super) async fn compare_memberships(&mut self) -> anyhow::Result<()> {
        let report = &self.args.report;
        each_group_and_member(
            self.source,
            self.pacer,
            &report.old.source_pool_id,
            report.scan.segments,
            |_| Ok(()),
            |group, user| {
                // The user is found again rather than remembered from the scan: no map of every
                // user (ListUsersInGroup returns the whole user, `sub` included).
                let user = user_from_list(user);
                let username = user.username.as_str();
                if let Ok(home) = self.destinations.route(&user)
                    && let Some(new_username) = self.indexes[home].find(&user)?
                    && !self.indexes[home].has_membership(group, &new_username)?
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
    pub(super) fn finish(self) -> anyhow::Result<VerifyCounts> {
        self.differences.finish()?;
        Ok(self.counts)
    }
}
