//! The old pool as `id-map` needs it: every user's `sub` and user name. The pool is read once
//! into the state file `old-users.csv` (so `--resume` reads it again only when it had not been read
//! whole), then indexed on disk ([`crate::disk_table`]): a fingerprint of each `sub` beside where
//! the user is in a text file, so the memory used is the same for any pool size.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::types::UserType;
use shared::identity::{Identity, identify};

use super::state::{Trusted, each_record, record};
use crate::disk_table::{Spot, Table, TableBuilder, TextFile, Texts, temporary_file_error};
use crate::fingerprint;

/// The old users, found by `sub`.
pub struct OldUsers {
    by_sub: Table<Spot>,
    /// Per user: its `sub`, a line break, its user name.
    users: Texts,
}

/// The `sub` of a listed user (every Cognito user has one).
pub fn sub_of(user: &UserType) -> Option<&str> {
    user.attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .filter(|sub| !sub.is_empty())
}

/// The state record of an old user: `sub,username`; `None` for a user without a `sub`.
pub fn state_record(user: &UserType) -> Option<Vec<u8>> {
    Some(record(&[
        sub_of(user)?,
        user.username().unwrap_or_default(),
    ]))
}

fn key(sub: &str) -> u128 {
    fingerprint::key(b's', sub)
}

impl OldUsers {
    /// Indexes the records of `old-users.csv` up to `trusted`.
    pub fn load(path: &Path, trusted: Trusted) -> anyhow::Result<OldUsers> {
        let mut by_sub = TableBuilder::default();
        let mut users = TextFile::create().map_err(temporary_file_error)?;
        each_record(path, trusted, |r| {
            let (sub, username) = (r.get(0).unwrap_or_default(), r.get(1).unwrap_or_default());
            let spot = users
                .append(&format!("{sub}\n{username}"))
                .map_err(temporary_file_error)?;
            by_sub.push(key(sub), spot).map_err(temporary_file_error)
        })?;
        Ok(OldUsers {
            by_sub: by_sub.finish().map_err(temporary_file_error)?,
            users: users.finish().map_err(temporary_file_error)?,
        })
    }

    /// The user name of the old user a new-pool user carrying `legacy_id` is
    /// ([`shared::identity`]: the old user whose `sub` it is), or `None` when no old user has
    /// that `sub`.
    pub fn user_name(&self, legacy_id: &str) -> anyhow::Result<Option<String>> {
        let Some(spot) = self
            .by_sub
            .get(key(legacy_id))
            .map_err(temporary_file_error)?
        else {
            return Ok(None);
        };
        let user = self.users.get(spot).map_err(temporary_file_error)?;
        let (sub, username) = user.split_once('\n').unwrap_or((&user, ""));
        Ok(match identify(Some(legacy_id), sub) {
            Identity::Proven => Some(username.to_string()),
            Identity::Stranger => None,
        })
    }

    /// Old users indexed.
    pub fn len(&self) -> u64 {
        self.by_sub.len()
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::AppendFile;
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::AttributeType;

    fn user(name: &str, sub: Option<&str>) -> UserType {
        let mut user = UserType::builder().username(name);
        if let Some(sub) = sub {
            user = user.attributes(
                AttributeType::builder()
                    .name("sub")
                    .value(sub)
                    .build()
                    .unwrap(),
            );
        }
        user.build()
    }

    #[test]
    fn an_old_user_is_found_by_its_sub_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old-users.csv");
        let mut file = AppendFile::open(&path, Trusted::default()).unwrap();
        for u in [
            user("ada", Some("s-1")),
            user("b\nob, \"jr\"", Some("s-2")),
            user("nosub", None),
        ] {
            if let Some(record) = state_record(&u) {
                file.append(&record).unwrap();
            }
        }
        let old = OldUsers::load(&path, file.sync().unwrap()).unwrap();
        assert_eq!(old.len(), 2);
        assert_eq!(old.user_name("s-1").unwrap().as_deref(), Some("ada"));
        assert_eq!(
            old.user_name("s-2").unwrap().as_deref(),
            Some("b\nob, \"jr\"")
        );
        assert_eq!(old.user_name("ada").unwrap(), None, "a name is no id");
        assert_eq!(old.user_name("S-1").unwrap(), None, "ids are exact");
        assert_eq!(old.user_name("").unwrap(), None);
    }
}
