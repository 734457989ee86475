//! What `id-map` keeps of the new pool while reading it: one record per user that carries a
//! legacy id, appended to the state file `rows.csv` as the user is read
//! (`legacy_id,new_sub,old_username,new_username`, the old user name empty when no old user has
//! that `sub`); users without one are only counted. On `--resume` the new pool is read again from
//! the start, and the users `rows.csv` already holds ([`Written`]) are not recorded twice.

use std::path::Path;

use aws_sdk_cognitoidentityprovider::types::UserType;

use super::old_users::sub_of;
use super::state::{Trusted, each_record, record};
use crate::disk_table::{Table, TableBuilder, temporary_file_error};
use crate::fingerprint;

/// The legacy id a new-pool user carries in `attribute`, unless it is absent or empty (an empty
/// value proves nothing: [`shared::identity`]).
pub fn legacy_id<'a>(user: &'a UserType, attribute: &str) -> Option<&'a str> {
    user.attributes()
        .iter()
        .find(|a| a.name() == attribute)
        .and_then(|a| a.value())
        .filter(|id| !id.is_empty())
}

/// The record of a new-pool user carrying `legacy_id`; `old_username` is the old user whose
/// `sub` that is, if any.
pub fn state_record(user: &UserType, legacy_id: &str, old_username: Option<&str>) -> Vec<u8> {
    record(&[
        legacy_id,
        sub_of(user).unwrap_or_default(),
        old_username.unwrap_or_default(),
        user.username().unwrap_or_default(),
    ])
}

/// One record of `rows.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row<'a> {
    /// The legacy id the new user carries.
    pub legacy_id: &'a str,
    /// The new user's `sub`.
    pub new_sub: &'a str,
    /// The old user's name; `None` when no old user has the legacy id as `sub`.
    pub old_username: Option<&'a str>,
    /// The new user's name.
    pub new_username: &'a str,
}

impl<'a> Row<'a> {
    /// The row a record of `rows.csv` holds.
    pub fn of(record: &'a csv::StringRecord) -> Row<'a> {
        let field = |i| record.get(i).unwrap_or_default();
        Row {
            legacy_id: field(0),
            new_sub: field(1),
            old_username: Some(field(2)).filter(|name| !name.is_empty()),
            new_username: field(3),
        }
    }
}

fn key(new_username: &str) -> u128 {
    fingerprint::key(b'u', new_username)
}

/// The new users `rows.csv` already holds, by user name (unique in a pool).
#[derive(Default)]
pub struct Written(Table<()>);

impl Written {
    /// The users of `rows.csv` up to `trusted`.
    pub fn load(path: &Path, trusted: Trusted) -> anyhow::Result<Written> {
        if trusted.records == 0 {
            return Ok(Written::default());
        }
        let mut names = TableBuilder::default();
        each_record(path, trusted, |r| {
            names
                .push(key(Row::of(r).new_username), ())
                .map_err(temporary_file_error)
        })?;
        Ok(Written(names.finish().map_err(temporary_file_error)?))
    }

    /// True when the user `new_username` is recorded.
    pub fn contains(&self, new_username: &str) -> anyhow::Result<bool> {
        self.0
            .contains(key(new_username))
            .map_err(temporary_file_error)
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::AppendFile;
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::AttributeType;

    fn user(name: &str, attributes: &[(&str, &str)]) -> UserType {
        let attributes = attributes
            .iter()
            .map(|(n, v)| AttributeType::builder().name(*n).value(*v).build().unwrap())
            .collect();
        UserType::builder()
            .username(name)
            .set_attributes(Some(attributes))
            .build()
    }

    #[test]
    fn only_a_non_empty_legacy_id_counts() {
        let legacy = "custom:legacy_sub";
        let migrated = user("n-1", &[("sub", "new-1"), (legacy, "old-1")]);
        assert_eq!(legacy_id(&migrated, legacy), Some("old-1"));
        assert_eq!(legacy_id(&migrated, "custom:other"), None);
        assert_eq!(legacy_id(&user("n-2", &[(legacy, "")]), legacy), None);
        assert_eq!(legacy_id(&user("n-3", &[("sub", "x")]), legacy), None);
    }

    #[test]
    fn rows_read_back_and_resume_knows_who_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rows.csv");
        let mut file = AppendFile::open(&path, Trusted::default()).unwrap();
        let ada = user("ada@example.com", &[("sub", "new-1")]);
        let eve = user("eve", &[("sub", "new-2")]);
        file.append(&state_record(&ada, "old-1", Some("ada")))
            .unwrap();
        file.append(&state_record(&eve, "nobody", None)).unwrap();
        let trusted = file.sync().unwrap();
        let mut rows = Vec::new();
        each_record(&path, trusted, |r| {
            let row = Row::of(r);
            rows.push((
                row.legacy_id.to_string(),
                row.new_sub.to_string(),
                row.old_username.map(String::from),
                row.new_username.to_string(),
            ));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            rows,
            [
                (
                    "old-1".into(),
                    "new-1".into(),
                    Some("ada".into()),
                    "ada@example.com".into()
                ),
                ("nobody".into(), "new-2".into(), None, "eve".into()),
            ]
        );
        let written = Written::load(&path, trusted).unwrap();
        assert!(written.contains("eve").unwrap() && written.contains("ada@example.com").unwrap());
        assert!(!written.contains("ada").unwrap());
        let none = Written::load(&path, Trusted::default()).unwrap();
        assert!(!none.contains("eve").unwrap());
    }
}
