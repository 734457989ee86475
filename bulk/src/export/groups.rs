//! The old pool's groups and memberships, written as `groups.jsonl` and `memberships.jsonl` for
//! `cognito-migrate groups` to re-create in the new pool.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use aws_sdk_cognitoidentityprovider::Client;
use serde::{Deserialize, Serialize};

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
    /// Old-pool user name.
    pub username: &'a str,
}

/// How many groups and memberships were written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCounts {
    /// Groups in `groups.jsonl`.
    pub groups: u64,
    /// Lines in `memberships.jsonl`.
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

/// Reads every group of `pool_id` and its members into `out`, paced like every other request.
pub async fn export_groups(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    out: &Path,
) -> anyhow::Result<GroupCounts> {
    let groups_path = out.join("groups.jsonl");
    let memberships_path = out.join("memberships.jsonl");
    let mut groups_file = AtomicFile::create(&groups_path)?;
    let mut memberships_file = AtomicFile::create(&memberships_path)?;
    let mut counts = GroupCounts::default();
    each_group_and_member(
        client,
        pacer,
        pool_id,
        |group| {
            groups_file.line(&GroupLine {
                name: group.group_name().unwrap_or_default(),
                description: group.description(),
                precedence: group.precedence(),
                role_arn: group.role_arn(),
            })?;
            counts.groups += 1;
            Ok(())
        },
        |group, username| {
            memberships_file.line(&MembershipLine { group, username })?;
            counts.memberships += 1;
            Ok(())
        },
    )
    .await?;
    groups_file.commit()?;
    memberships_file.commit()?;
    Ok(counts)
}
