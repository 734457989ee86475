//! The line types of `groups.jsonl`, `memberships.jsonl` and what `import` reads of
//! `summary.json`: one type each, written by `export` and read back by the other commands.

use aws_sdk_cognitoidentityprovider::types::GroupType;
use serde::{Deserialize, Serialize};

/// One line of `groups.jsonl`: a group as the old pool defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Precedence.
    pub precedence: Option<i32>,
    /// IAM role ARN.
    pub role_arn: Option<String>,
}

impl GroupSpec {
    /// The spec of a group read from a pool.
    pub fn of(group: &GroupType) -> GroupSpec {
        GroupSpec {
            name: group.group_name().unwrap_or_default().to_string(),
            description: group.description().map(str::to_string),
            precedence: group.precedence(),
            role_arn: group.role_arn().map(str::to_string),
        }
    }
}

/// One line of `memberships.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// Group name.
    pub group: String,
    /// The user's name in the new pool (its `cognito:username`: the old user name, or the e-mail
    /// or phone in a pool that signs in by them).
    pub username: String,
    /// The old user's `sub`: the legacy id the new-pool user must carry before `groups` adds it
    /// (see `shared::identity`). Absent in folders written before it was kept; such lines are
    /// reported, never applied by name.
    #[serde(default)]
    pub legacy_id: Option<String>,
}

/// What `import` needs of `summary.json`: whether the export finished, and how it selected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SummaryCompletion {
    /// True when every shard has been read to its end and the groups are written.
    pub complete: bool,
    /// The `--select` of the run as its flag value (`not-in-target`), for the command that
    /// finishes it (absent in a summary written by hand).
    #[serde(default)]
    pub select: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_they_were_written() {
        let group = GroupSpec {
            name: "admins, \"ops\"".into(),
            description: Some("Zoë's team\n2nd line".into()),
            precedence: Some(3),
            role_arn: None,
        };
        let membership = Membership {
            group: group.name.clone(),
            username: "ada@example.com".into(),
            legacy_id: Some("s-ada".into()),
        };
        let line = serde_json::to_string(&group).unwrap();
        assert!(!line.contains('\n'), "one line: {line}");
        assert_eq!(serde_json::from_str::<GroupSpec>(&line).unwrap(), group);
        let line = serde_json::to_string(&membership).unwrap();
        assert_eq!(
            serde_json::from_str::<Membership>(&line).unwrap(),
            membership
        );
    }
}
