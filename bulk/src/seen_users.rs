//! The users a read-only scan has already handed on, so that when a refused shard is read again
//! as narrower parts ([`crate::shards::after_refusal`]) nobody is counted twice — in flat memory.
//!
//! Every user's name (unique in a pool) goes, as a [`crate::fingerprint`], into a table on disk
//! ([`crate::disk_table`]). A refusal closes that table as a snapshot: from then on a user found
//! in any snapshot was handed on before and is skipped. Before the first refusal nothing is
//! looked up; each later refusal adds one snapshot.

use aws_sdk_cognitoidentityprovider::types::UserType;

use crate::disk_table::{Table, TableBuilder, temporary_file_error};
use crate::fingerprint;

/// The users handed on so far (see the module's documentation).
#[derive(Default)]
pub struct SeenUsers {
    since_last_refusal: TableBuilder<()>,
    before_refusals: Vec<Table<()>>,
}

impl SeenUsers {
    /// True the first time `user` is offered; false when it was handed on before a refusal.
    pub fn first_time(&mut self, user: &UserType) -> anyhow::Result<bool> {
        let key = fingerprint::key(b'u', user.username().unwrap_or_default());
        for snapshot in &self.before_refusals {
            if snapshot.contains(key).map_err(temporary_file_error)? {
                return Ok(false);
            }
        }
        self.since_last_refusal
            .push(key, ())
            .map_err(temporary_file_error)?;
        Ok(true)
    }

    /// A shard's token was refused: every user handed on until now is skipped when read again.
    pub fn refused(&mut self) -> anyhow::Result<()> {
        let closed = std::mem::take(&mut self.since_last_refusal);
        let snapshot = closed.finish().map_err(temporary_file_error)?;
        self.before_refusals.push(snapshot);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserType {
        UserType::builder().username(name).build()
    }

    #[test]
    fn users_handed_on_before_a_refusal_are_skipped_after_it_and_new_ones_are_not() {
        let mut seen = SeenUsers::default();
        assert!(seen.first_time(&user("ada")).unwrap());
        seen.refused().unwrap();
        assert!(!seen.first_time(&user("ada")).unwrap());
        assert!(seen.first_time(&user("bob")).unwrap());
        seen.refused().unwrap();
        assert!(!seen.first_time(&user("ada")).unwrap());
        assert!(!seen.first_time(&user("bob")).unwrap());
        assert!(seen.first_time(&user("cy")).unwrap());
    }
}
