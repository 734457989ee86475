//! The old pool's groups and memberships, written as `groups.jsonl` and `memberships.jsonl` for
//! `cognito-migrate groups` to re-create in the new pool.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserType;
use serde::{Deserialize, Serialize};
use shared::Mapping;
use shared::from_sdk::user_from_list;
use shared::sign_in::PoolShape;

use crate::atomic_json::AtomicLines;
use crate::disk_table::{Table, temporary_file_error};
use crate::export_dir::{self, GroupSpec, Membership};
use crate::fingerprint;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;

/// How many groups and memberships were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Groups in the old pool.
    pub groups: u64,
    /// Membership lines written, over all destinations.
    pub memberships: u64,
}

/// Where the groups files of one destination go, and whose memberships belong there.
pub struct GroupDestination<'a> {
    /// The destination's folder.
    pub dir: &'a Path,
    /// Fingerprints of the user names exported there; `None` takes every membership.
    pub members: Option<&'a Table<()>>,
    /// The destination's mapping.
    pub mapping: &'a Mapping,
    /// The destination pool's shape, which names its users.
    pub shape: &'a PoolShape,
}

impl GroupDestination<'_> {
    /// The name a member has in this destination: the `cognito:username` the export writes for
    /// it (the old name when the mapping or the shape refuses the user, who is then not exported).
    fn new_username(&self, user: &UserType) -> String {
        let user = user_from_list(user);
        self.mapping
            .apply(&user)
            .and_then(|migrated| self.shape.new_username(&migrated))
            .unwrap_or(user.username)
    }
}

/// The old user's `sub`, the legacy id `groups` proves a new-pool user by.
fn old_sub(user: &UserType) -> Option<String> {
    user.attributes()
        .iter()
        .find(|a| a.name() == shared::attributes::SUB)
        .and_then(|a| a.value())
        .filter(|sub| !sub.is_empty())
        .map(str::to_string)
}

/// Reads every group of `pool_id` and its members once, paced like every other request, and
/// writes `groups.jsonl` (all groups) and `memberships.jsonl` (the destination's users) into each
/// destination. Returns the counts of the first destination's files added up over all.
pub async fn export_groups(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    concurrency: u8,
    destinations: &[GroupDestination<'_>],
) -> anyhow::Result<GroupCounts> {
    let paths: Vec<(PathBuf, PathBuf)> = destinations
        .iter()
        .map(|d| {
            (
                d.dir.join(export_dir::GROUPS),
                d.dir.join(export_dir::MEMBERSHIPS),
            )
        })
        .collect();
    let mut groups_files = paths
        .iter()
        .map(|(g, _)| AtomicLines::create(g))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut memberships_files = paths
        .iter()
        .map(|(_, m)| AtomicLines::create(m))
        .collect::<std::io::Result<Vec<_>>>()?;
    let (mut groups, mut memberships) = (0, 0);
    each_group_and_member(
        client,
        pacer,
        pool_id,
        concurrency,
        |group| {
            let line = GroupSpec::of(group);
            for file in &mut groups_files {
                file.line(&line)?;
            }
            groups += 1;
            Ok(())
        },
        |group, user| {
            let key = fingerprint::key(b'u', user.username().unwrap_or_default());
            for (destination, file) in destinations.iter().zip(&mut memberships_files) {
                let member = match destination.members {
                    None => true,
                    Some(members) => members.contains(key).map_err(temporary_file_error)?,
                };
                if member {
                    file.line(&Membership {
                        group: group.to_string(),
                        username: destination.new_username(user),
                        legacy_id: old_sub(user),
                    })?;
                    memberships += 1;
                }
            }
            Ok(())
        },
    )
    .await?;
    for file in groups_files.into_iter().chain(memberships_files) {
        file.commit()?;
    }
    let counts = GroupCounts {
        groups,
        memberships,
    };
    Ok(counts)
}
