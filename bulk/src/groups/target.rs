//! What `groups` does to the new pool, each request through the run's pacer: make sure a group
//! exists as in the old pool, add a member, disable a user, find a migrated user.
//!
//! Answers about one item (no such user, no such group, an invalid value) come back as a
//! [`Refusal`] for the report; anything else (access denied, pool gone, network) is fatal.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use shared::attributes::{EMAIL, PHONE_NUMBER};
use shared::identity::Identity;

use super::state::Reason;
use crate::errors::explain;
pub use crate::export_dir::GroupSpec;
use crate::pool_args::PoolRef;
use crate::proven_user::NewPoolUsers;

impl GroupSpec {
    /// What differs from `existing`, e.g. `precedence: new pool 3, old pool 1`.
    fn differences(&self, existing: &GroupSpec) -> Vec<String> {
        fn shown<T: std::fmt::Display>(value: &Option<T>) -> String {
            value
                .as_ref()
                .map_or_else(|| "none".to_string(), ToString::to_string)
        }
        let blank_is_none = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        let mut differences = Vec::new();
        if blank_is_none(&self.description) != blank_is_none(&existing.description) {
            differences.push(format!(
                "description: new pool {:?}, old pool {:?}",
                shown(&existing.description),
                shown(&self.description)
            ));
        }
        if self.precedence != existing.precedence {
            differences.push(format!(
                "precedence: new pool {}, old pool {}",
                shown(&existing.precedence),
                shown(&self.precedence)
            ));
        }
        if blank_is_none(&self.role_arn) != blank_is_none(&existing.role_arn) {
            differences.push(format!(
                "role_arn: new pool {}, old pool {}",
                shown(&existing.role_arn),
                shown(&self.role_arn)
            ));
        }
        differences
    }
}

/// The state of a group in the new pool after [`TargetPool::ensure_group`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupCheck {
    /// It was missing and is now created.
    Created,
    /// It already existed exactly so.
    Existing,
    /// It exists with other settings (what differs); left unchanged.
    Conflict(String),
}

/// An item Cognito would not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Why, for the report.
    pub reason: Reason,
    /// Cognito's code and message.
    pub detail: String,
}

fn refusal<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<Refusal> {
    let reason = match err.code()? {
        "UserNotFoundException" => Reason::UserNotInNewPool,
        "ResourceNotFoundException" => Reason::GroupMissing,
        "InvalidParameterException" => Reason::Refused,
        _ => return None,
    };
    Some(Refusal {
        reason,
        detail: format!(
            "{}: {}",
            err.code().unwrap_or_default(),
            err.message().unwrap_or_default()
        ),
    })
}

/// An old-pool member of a group, with what may name it in the new pool.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OldMember {
    /// The old pool's user name.
    pub username: String,
    /// The old `sub` (the new pool's legacy id).
    pub sub: String,
    /// Its e-mail, if any.
    pub email: Option<String>,
    /// Its phone number, if any.
    pub phone: Option<String>,
}

impl OldMember {
    /// A user known by name and legacy id only (a line of the export's files).
    pub fn named(username: String, legacy_id: Option<String>) -> OldMember {
        OldMember {
            username,
            sub: legacy_id.unwrap_or_default(),
            email: None,
            phone: None,
        }
    }

    /// No user (the row of a group).
    pub fn none() -> OldMember {
        OldMember::named(String::new(), None)
    }

    /// The member as the old pool lists it.
    pub fn of(user: &shared::SourceUser) -> OldMember {
        OldMember {
            username: user.username.clone(),
            sub: user.sub().to_string(),
            email: user.attribute(EMAIL).map(str::to_string),
            phone: user.attribute(PHONE_NUMBER).map(str::to_string),
        }
    }
}

/// The new pool.
pub struct TargetPool<'a> {
    /// The pool, as requests reach it.
    pub pool: PoolRef<'a>,
    /// The attribute holding the old `sub` in the new pool.
    pub legacy_id_attribute: &'a str,
}

impl TargetPool<'_> {
    /// Creates the group unless it exists; an existing one is compared, never changed.
    pub async fn ensure_group(&self, spec: &GroupSpec) -> anyhow::Result<GroupCheck> {
        if let Some(existing) = self.group(&spec.name).await? {
            return Ok(self.compare(spec, &existing));
        }
        let created = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .create_group()
                    .user_pool_id(self.pool.pool_id)
                    .group_name(&spec.name)
                    .set_description(spec.description.clone())
                    .set_precedence(spec.precedence)
                    .set_role_arn(spec.role_arn.clone())
                    .send()
            })
            .await;
        match created {
            Ok(_) => Ok(GroupCheck::Created),
            Err(err) if err.code() == Some("GroupExistsException") => {
                match self.group(&spec.name).await? {
                    Some(existing) => Ok(self.compare(spec, &existing)),
                    None => Err(explain("CreateGroup", self.pool.pool_id, err)),
                }
            }
            Err(err) => Err(explain("CreateGroup", self.pool.pool_id, err)),
        }
    }

    fn compare(&self, spec: &GroupSpec, existing: &GroupSpec) -> GroupCheck {
        let differences = spec.differences(existing);
        if differences.is_empty() {
            GroupCheck::Existing
        } else {
            GroupCheck::Conflict(differences.join("; "))
        }
    }

    async fn group(&self, name: &str) -> anyhow::Result<Option<GroupSpec>> {
        let answer = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .get_group()
                    .user_pool_id(self.pool.pool_id)
                    .group_name(name)
                    .send()
            })
            .await;
        match answer {
            Ok(output) => Ok(output.group.as_ref().map(GroupSpec::of)),
            Err(err) if err.code() == Some("ResourceNotFoundException") => Ok(None),
            Err(err) => Err(explain("GetGroup", self.pool.pool_id, err)),
        }
    }

    /// AdminAddUserToGroup (adding an existing member changes nothing).
    pub async fn add_member(
        &self,
        group: &str,
        username: &str,
    ) -> anyhow::Result<Result<(), Refusal>> {
        let answer = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_add_user_to_group()
                    .user_pool_id(self.pool.pool_id)
                    .group_name(group)
                    .username(username)
                    .send()
            })
            .await;
        match answer {
            Ok(_) => Ok(Ok(())),
            Err(err) => match refusal(&err) {
                Some(refused) => Ok(Err(refused)),
                None => Err(explain("AdminAddUserToGroup", self.pool.pool_id, err)),
            },
        }
    }

    /// AdminDisableUser (disabling a disabled user changes nothing).
    pub async fn disable(&self, username: &str) -> anyhow::Result<Result<(), Refusal>> {
        let answer = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_disable_user()
                    .user_pool_id(self.pool.pool_id)
                    .username(username)
                    .send()
            })
            .await;
        match answer {
            Ok(_) => Ok(Ok(())),
            Err(err) => match refusal(&err) {
                Some(refused) => Ok(Err(refused)),
                None => Err(explain("AdminDisableUser", self.pool.pool_id, err)),
            },
        }
    }

    /// Who in the new pool answers to an old user, tried by its user name, then e-mail, then
    /// phone (`AdminGetUser` resolves each as Cognito would: aliases, e-mail or phone sign-in,
    /// letter case). Only a user carrying the old `sub` as its legacy id is the old user
    /// ([`shared::identity`]); anyone else answering to one of those values is a stranger.
    pub async fn find(&self, old: &OldMember) -> anyhow::Result<Holder> {
        let users = NewPoolUsers {
            pool: self.pool,
            legacy_id_attribute: Some(self.legacy_id_attribute),
        };
        let mut candidates = vec![old.username.as_str()];
        candidates.extend(old.email.as_deref());
        candidates.extend(old.phone.as_deref());
        let mut stranger = None;
        for candidate in candidates {
            match users.answering_to(candidate, &old.sub).await? {
                Some(user) if user.identity == Identity::Proven => {
                    return Ok(Holder::Proven(user.username));
                }
                Some(user) => {
                    stranger.get_or_insert(user.username);
                }
                None => {}
            }
        }
        Ok(stranger.map_or(Holder::Absent, Holder::Stranger))
    }
}

/// Who in the new pool answers to an old user ([`TargetPool::find`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// The old user itself, under its canonical `Username` in the new pool.
    Proven(String),
    /// Someone else answers to the old user's name, alias or a case variant: their `Username`.
    Stranger(String),
    /// Nobody.
    Absent,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(description: Option<&str>, precedence: Option<i32>) -> GroupSpec {
        GroupSpec {
            name: "admins".into(),
            description: description.map(str::to_string),
            precedence,
            role_arn: None,
        }
    }

    #[test]
    fn a_blank_description_equals_none_and_other_differences_are_named() {
        assert!(
            spec(Some(""), Some(1))
                .differences(&spec(None, Some(1)))
                .is_empty()
        );
        assert_eq!(
            spec(Some("Admins"), Some(1)).differences(&spec(Some("Admins"), Some(3))),
            vec!["precedence: new pool 3, old pool 1".to_string()]
        );
    }

    #[test]
    fn groups_jsonl_lines_parse_as_the_export_writes_them() {
        let line = r#"{"name":"admins","description":null,"precedence":2,"role_arn":"arn:aws:iam::1:role/a"}"#;
        let parsed: GroupSpec = serde_json::from_str(line).unwrap();
        assert_eq!(parsed.precedence, Some(2));
        assert_eq!(parsed.description, None);
    }
}
