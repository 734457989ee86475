//! What `groups --sync` reads before it changes anything, in memory that does not grow with the
//! pools: every membership of the new pool (a table on disk, [`crate::disk_table`]), then every
//! membership of the old pool, keeping only those the new pool lacks (the candidates), on disk
//! and grouped by group, so the groups can then be applied one after another.
//!
//! Both pools are paged several groups at once ([`crate::group_scan`]), so the pacer, not the
//! round trip, sets the rate.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use shared::from_sdk::user_from_list;

use super::target::{GroupSpec, OldMember};
use crate::disk_table::{Spot, Table, TableBuilder, TextFile, Texts, temporary_file_error};
use crate::fingerprint::key;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;
use crate::progress::Progress;

/// Groups whose members are paged at once (`groups` has no `--segments`): enough that the
/// pacer, not the round trip, sets the rate.
const MEMBER_SCANS: u8 = 8;

/// Where a pool is read from, and how progress is shown.
pub struct Reading<'a> {
    /// The pool's client.
    pub client: &'a Client,
    /// The run's pacer.
    pub pacer: &'a Arc<Pacer>,
    /// The pool.
    pub pool_id: &'a str,
    /// Seconds between progress lines when stderr is not a terminal.
    pub progress_interval: std::time::Duration,
}

fn by_username(group: &str, username: &str) -> u128 {
    key(b'g', &format!("{group}\u{0}{username}"))
}

fn by_legacy_id(group: &str, legacy_id: &str) -> u128 {
    key(b'l', &format!("{group}\u{0}{legacy_id}"))
}

/// Every membership of the new pool, by group and user name, and by group and legacy id.
pub struct NewMemberships {
    keys: Table<()>,
}

impl NewMemberships {
    /// Reads every group's members of the new pool; `legacy_id_attribute` holds the old `sub`.
    pub async fn read(
        pool: Reading<'_>,
        legacy_id_attribute: &str,
    ) -> anyhow::Result<NewMemberships> {
        eprintln!("reading the memberships of the new pool {}…", pool.pool_id);
        let mut keys = TableBuilder::default();
        let mut progress = Progress::new("new-pool memberships", 0, pool.progress_interval);
        let mut read = 0;
        each_group_and_member(
            pool.client,
            pool.pacer,
            pool.pool_id,
            MEMBER_SCANS,
            |_| Ok(()),
            |group, user| {
                read += 1;
                progress.update(read, "read");
                let user = user_from_list(user);
                keys.push(by_username(group, &user.username), ())
                    .map_err(temporary_file_error)?;
                if let Some(legacy) = user.attribute(legacy_id_attribute) {
                    keys.push(by_legacy_id(group, legacy), ())
                        .map_err(temporary_file_error)?;
                }
                Ok(())
            },
        )
        .await?;
        progress.finish();
        let keys = keys.finish().map_err(temporary_file_error)?;
        Ok(NewMemberships { keys })
    }

    /// True when the old member is in the group already: a member carries its legacy id. A
    /// member who merely has its name may be someone else (`shared::identity`).
    pub fn holds(&self, group: &str, old: &OldMember) -> anyhow::Result<bool> {
        Ok(!old.sub.is_empty() && self.has(by_legacy_id(group, &old.sub))?)
    }

    /// True when `username` is a member of `group`.
    pub fn has_member(&self, group: &str, username: &str) -> anyhow::Result<bool> {
        self.has(by_username(group, username))
    }

    fn has(&self, key: u128) -> anyhow::Result<bool> {
        self.keys.contains(key).map_err(temporary_file_error)
    }
}

/// The old pool's groups, and the memberships the new pool lacks, grouped by group.
pub struct OldGroups {
    /// Every group of the old pool, in `ListGroups` order.
    pub groups: Vec<GroupSpec>,
    /// Per candidate: its group's number in `groups` (high 64 bits) and its arrival (low).
    candidates: Table<Spot>,
    texts: Texts,
}

impl OldGroups {
    /// Reads every group of the old pool and their members, keeping the members `new` lacks;
    /// groups in `skip` (already synced by an interrupted pass) are not compared.
    pub async fn read(
        pool: Reading<'_>,
        new: &NewMemberships,
        skip: &dyn Fn(&str) -> bool,
    ) -> anyhow::Result<OldGroups> {
        eprintln!(
            "reading the groups and memberships of the old pool {}…",
            pool.pool_id
        );
        // Both callbacks need them: `on_group` fills them before `on_member` is first called.
        let groups = RefCell::new(Vec::new());
        let numbers: RefCell<HashMap<String, u64>> = RefCell::new(HashMap::new());
        let mut candidates = TableBuilder::default();
        let mut texts = TextFile::create().map_err(temporary_file_error)?;
        let mut arrivals = 0u64;
        let mut progress = Progress::new("old-pool memberships", 0, pool.progress_interval);
        each_group_and_member(
            pool.client,
            pool.pacer,
            pool.pool_id,
            MEMBER_SCANS,
            |group| {
                let spec = GroupSpec::of(group);
                let mut groups = groups.borrow_mut();
                numbers
                    .borrow_mut()
                    .insert(spec.name.clone(), groups.len() as u64);
                groups.push(spec);
                Ok(())
            },
            |group, user| {
                arrivals += 1;
                progress.update(arrivals, "read");
                let member = OldMember::of(&user_from_list(user));
                if skip(group) || new.holds(group, &member)? {
                    return Ok(());
                }
                let spot = texts
                    .append(&serde_json::to_string(&member)?)
                    .map_err(temporary_file_error)?;
                let number = numbers.borrow()[group];
                candidates
                    .push((u128::from(number) << 64) | u128::from(arrivals), spot)
                    .map_err(temporary_file_error)?;
                Ok(())
            },
        )
        .await?;
        progress.finish();
        Ok(OldGroups {
            groups: groups.into_inner(),
            candidates: candidates.finish().map_err(temporary_file_error)?,
            texts: texts.finish().map_err(temporary_file_error)?,
        })
    }

    /// Candidates in all.
    pub fn candidates(&self) -> u64 {
        self.candidates.len()
    }

    /// The candidates, group after group in `ListGroups` order: `(group number, member)`.
    pub fn each_candidate(&self) -> impl Iterator<Item = anyhow::Result<(usize, OldMember)>> + '_ {
        self.candidates.iter().map(|record| {
            let (key, spot) = record.map_err(temporary_file_error)?;
            let text = self.texts.get(spot).map_err(temporary_file_error)?;
            let member: OldMember = serde_json::from_str(&text)?;
            Ok(((key >> 64) as usize, member))
        })
    }
}
