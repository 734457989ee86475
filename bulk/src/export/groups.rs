//! The old pool's groups and memberships, written as `groups.jsonl` and `memberships.jsonl` for
//! `cognito-migrate groups` to re-create in the new pool.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::UserType;
use serde::{Deserialize, Serialize};
use shared::Mapping;
use shared::from_sdk::user_from_list;
use shared::sign_in::PoolShape;

use crate::fingerprint;
use crate::fingerprint_set::FingerprintSet;
use crate::group_scan::each_group_and_member;
use crate::pacer::Pacer;

/// One line of `groups.jsonl`.
#[derive(Debug, Serialize)]
pub struct GroupLine<'a> {
    /// Group name.
    pub name: &'a str,
    /// Description, if any.
    pub description: Option<&'a str>,
    /// Precedence, if any.
    pub precedence: Option<i32>,
    /// IAM role ARN, if any.
    pub role_arn: Option<&'a str>,
}

/// One line of `memberships.jsonl`.
#[derive(Debug, Serialize)]
pub struct MembershipLine<'a> {
    /// Group name.
    pub group: &'a str,
    /// The user's name in the new pool (its `cognito:username`: the old user name, or the e-mail
    /// or phone in a pool that signs in by them).
    pub username: &'a str,
}

/// How many groups and memberships were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Groups in the old pool.
    pub groups: u64,
    /// Membership lines written, over all destinations.
    pub memberships: u64,
}

/// Writes a file through a temporary name, so a crash never leaves half a file under the real one.
struct AtomicFile<'a> {
    path: &'a Path,
    tmp: std::path::PathBuf,
    writer: BufWriter<File>,
}

impl<'a> AtomicFile<'a> {
    fn create(path: &'a Path) -> std::io::Result<AtomicFile<'a>> {
        let tmp = path.with_extension("jsonl.tmp");
        Ok(AtomicFile {
            path,
            writer: BufWriter::new(File::create(&tmp)?),
            tmp,
        })
    }

    fn line(&mut self, value: &impl Serialize) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.writer, value)?;
        self.writer.write_all(b"\n")
    }

    fn commit(mut self) -> std::io::Result<()> {
        self.writer.flush()?;
        self.writer.get_ref().sync_all()?;
        fs::rename(&self.tmp, self.path)
    }
}

/// Where the groups files of one destination go, and whose memberships belong there.
pub struct GroupDestination<'a> {
    /// The destination's folder.
    pub dir: &'a Path,
    /// Fingerprints of the user names exported there; `None` takes every membership.
    pub members: Option<&'a FingerprintSet>,
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
        .map(|d| (d.dir.join("groups.jsonl"), d.dir.join("memberships.jsonl")))
        .collect();
    let mut groups_files = paths
        .iter()
        .map(|(g, _)| AtomicFile::create(g))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut memberships_files = paths
        .iter()
        .map(|(_, m)| AtomicFile::create(m))
        .collect::<std::io::Result<Vec<_>>>()?;
    let (mut groups, mut memberships) = (0, 0);
    each_group_and_member(
        client,
        pacer,
        pool_id,
        concurrency,
        |group| {
            let line = GroupLine {
                name: group.group_name().unwrap_or_default(),
                description: group.description(),
                precedence: group.precedence(),
                role_arn: group.role_arn(),
            };
            for file in &mut groups_files {
                file.line(&line)?;
            }
            groups += 1;
            Ok(())
        },
        |group, user| {
            let key = fingerprint::key(b'u', user.username().unwrap_or_default());
            for (destination, file) in destinations.iter().zip(&mut memberships_files) {
                if destination
                    .members
                    .is_none_or(|members| members.contains(&key))
                {
                    let username = destination.new_username(user);
                    file.line(&MembershipLine {
                        group,
                        username: &username,
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
