//! Sign-in conflicts for the plan: importable users who would sign in to the new pool with the
//! same value (user name, e-mail, phone or alias, as the new pool compares it) as another. An
//! export rejects all of them, so the plan counts every such user once.
//!
//! Each user's keys go to a table on disk (fingerprint, user number) while the old pool is read;
//! at the end one sorted pass finds the keys held by more than one user. Memory holds only the
//! users found conflicting, however large the pool.

use std::collections::HashSet;

use shared::sign_in::SignInKey;

use crate::disk_table::{TableBuilder, temporary_file_error};
use crate::fingerprint;

/// The sign-in keys of every importable user seen so far.
#[derive(Default)]
pub struct SignInConflicts {
    keys: TableBuilder<u64>,
    users: u64,
}

impl SignInConflicts {
    /// Records the keys of the next importable user.
    pub fn add(&mut self, keys: &[SignInKey]) -> anyhow::Result<()> {
        let user = self.users;
        self.users += 1;
        for key in keys {
            let hash = fingerprint::key(key.field.tag(), &key.value);
            self.keys.push(hash, user).map_err(temporary_file_error)?;
        }
        Ok(())
    }

    /// Users sharing a key with another user (each counted once, however many keys it shares).
    pub fn count(self) -> anyhow::Result<u64> {
        let mut conflicting = HashSet::new();
        self.keys
            .each_shared_key(|_, user| {
                conflicting.insert(user);
            })
            .map_err(temporary_file_error)?;
        Ok(conflicting.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::sign_in::SignInField;

    fn key(field: SignInField, value: &str) -> SignInKey {
        SignInKey {
            field,
            value: value.to_string(),
        }
    }

    #[test]
    fn every_user_sharing_a_key_counts_once_and_a_user_never_conflicts_with_itself() {
        let mut conflicts = SignInConflicts::default();
        let ada = [
            key(SignInField::Username, "ada"),
            key(SignInField::Email, "a@x"),
        ];
        // Shares both of ada's keys: still one user.
        let ada2 = [
            key(SignInField::Username, "ada"),
            key(SignInField::Email, "a@x"),
        ];
        let bo = [
            key(SignInField::Username, "bo"),
            key(SignInField::Email, "b@x"),
        ];
        // Shares bo's e-mail.
        let cy = [
            key(SignInField::Username, "cy"),
            key(SignInField::Email, "b@x"),
        ];
        // Its own two keys have the same value but not the same field.
        let dee = [
            key(SignInField::Username, "d@x"),
            key(SignInField::Email, "d@x"),
        ];
        for user in [&ada[..], &ada2, &bo, &cy, &dee] {
            conflicts.add(user).unwrap();
        }
        assert_eq!(conflicts.count().unwrap(), 4, "ada, ada2, bo and cy");
    }
}
