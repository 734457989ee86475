//! Sign-in collisions: old users who would sign in to the new pool with the same value (the same
//! e-mail in a pool that signs in by e-mail, user names equal but for case in a case-insensitive
//! pool, the same verified alias) are *all* rejected, each with a reason naming the others —
//! never one of them imported at random by the import job.
//!
//! The export streams pages, so a user is written to an import file before the users that may
//! collide with it have arrived. Every exportable user is therefore recorded in a per-destination
//! ledger (`.export/sign-in-<lane>.txt`, one line a user: old user name, old `sub`, new user name,
//! its sign-in keys as 128-bit fingerprints); memory holds none of it. Collisions are found once
//! every user is read: the ledger's keys are sorted on disk ([`crate::disk_table`]) and the keys
//! of more than one user are the colliding ones (few; only they are held).
//!
//! That final step — recorded in the checkpoint as `collisions_resolved` — rewrites the import
//! files (and `disabled.csv`, `mfa-reenrol.csv`) without the colliding users, appends every
//! colliding user to `rejected.csv`, and only then renames the
//! rewritten files into place. The write order of [`super::checkpoint`] still holds: the
//! rewritten files (`*.resolved`) and the new `rejected.csv` rows are synced before the checkpoint
//! that counts them; a run killed before that checkpoint cuts `rejected.csv` back, deletes the
//! `*.resolved` files and resolves again from the ledger (the result is the same); a run killed
//! after it finishes the renames on resume.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use shared::RejectReason;
use shared::sign_in::{SignInField, SignInKey};

use super::checkpoint::{FileState, STATE_DIR};
use super::outputs::AppendFile;
use crate::disk_table::{Table, TableBuilder, temporary_file_error};
use crate::fingerprint;

/// A line of the ledger for a user written to an import file.
const EXPORTED: &str = "E";
/// A line of the ledger, written by earlier versions, for a user held back because a key
/// collided on arrival (still read, so such an export resumes).
const HELD: &str = "H";
/// How earlier versions marked a key that collided on arrival (read and ignored).
const COLLIDED_MARK: char = '!';

/// A fingerprinted sign-in key: which field, and the 128-bit fingerprint of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Fingerprint {
    field: SignInField,
    hash: u128,
}

impl Fingerprint {
    fn of(key: &SignInKey) -> Fingerprint {
        Fingerprint {
            field: key.field,
            hash: fingerprint::key(key.field.tag(), &key.value),
        }
    }
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    exported: bool,
    old_username: String,
    sub: String,
    new_username: String,
    keys: Vec<Fingerprint>,
}

impl Entry {
    fn line(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{}:{:032x}", char::from(k.field.tag()), k.hash))
            .collect();
        format!(
            "{}\t{}\t{}\t{}\t{}\n",
            if self.exported { EXPORTED } else { HELD },
            self.old_username,
            self.sub,
            self.new_username,
            keys.join(",")
        )
    }

    fn parse(line: &str) -> Option<Entry> {
        let mut fields = line.split('\t');
        let exported = match fields.next()? {
            EXPORTED => true,
            HELD => false,
            _ => return None,
        };
        let old_username = fields.next()?.to_string();
        let sub = fields.next()?.to_string();
        let new_username = fields.next()?.to_string();
        let keys = fields
            .next()?
            .split(',')
            .filter(|k| !k.is_empty())
            .map(|k| {
                let (tag, rest) = k.split_once(':')?;
                let hash = u128::from_str_radix(rest.trim_end_matches(COLLIDED_MARK), 16).ok()?;
                let field = SignInField::from_tag(*tag.as_bytes().first()?)?;
                Some(Fingerprint { field, hash })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Entry {
            exported,
            old_username,
            sub,
            new_username,
            keys,
        })
    }
}

/// What the final step changes in one destination's files.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// New user names to take out of the import files (users written before a collision).
    pub remove_from_import_files: HashSet<String>,
    /// `(old user name, sub)` of those users, to take out of `disabled.csv` and `mfa-reenrol.csv`.
    pub remove_from_user_lists: HashSet<(String, String)>,
    /// Every colliding user with its reason, in ledger order.
    pub rejections: Vec<(String, String, RejectReason)>,
}

/// The sign-in ledger of one destination.
pub struct SignInLedger {
    path: PathBuf,
    file: AppendFile,
    case_insensitive: bool,
}

/// The ledger's file name for a destination (`""` is the single new pool).
pub fn file_name(lane: &str) -> String {
    let label = if lane.is_empty() { "pool" } else { lane };
    format!("sign-in-{label}.txt")
}

impl SignInLedger {
    /// An empty ledger for destination `lane` in `out/.export`.
    pub fn create(out: &Path, lane: &str, case_insensitive: bool) -> anyhow::Result<SignInLedger> {
        let dir = out.join(STATE_DIR);
        let name = file_name(lane);
        Ok(SignInLedger {
            path: dir.join(&name),
            file: AppendFile::create(&dir, &name, b"")?,
            case_insensitive,
        })
    }

    /// Reopens a ledger cut back to the length a checkpoint trusts. A checkpoint from before
    /// ledgers existed starts an empty one.
    pub fn resume(
        out: &Path,
        lane: &str,
        state: &FileState,
        case_insensitive: bool,
    ) -> anyhow::Result<SignInLedger> {
        if state.name.is_empty() {
            return SignInLedger::create(out, lane, case_insensitive);
        }
        let dir = out.join(STATE_DIR);
        Ok(SignInLedger {
            path: dir.join(&state.name),
            file: AppendFile::reopen(&dir, state)?,
            case_insensitive,
        })
    }

    /// Records a user written to an import file.
    pub fn arrive(
        &mut self,
        old_username: &str,
        sub: &str,
        new_username: &str,
        keys: &[SignInKey],
    ) -> std::io::Result<()> {
        let entry = Entry {
            exported: true,
            old_username: old_username.to_string(),
            sub: sub.to_string(),
            new_username: new_username.to_string(),
            keys: keys.iter().map(Fingerprint::of).collect(),
        };
        self.file.append(entry.line().as_bytes())
    }

    /// Syncs the ledger and returns its length for a checkpoint.
    pub fn sync(&mut self) -> std::io::Result<FileState> {
        self.file.sync()?;
        Ok(self.file.state().clone())
    }

    fn each_entry(&mut self, mut each: impl FnMut(Entry)) -> anyhow::Result<()> {
        self.file.flush()?;
        let reader = BufReader::new(File::open(&self.path)?);
        for line in reader.lines() {
            let line = line?;
            let entry = Entry::parse(&line).ok_or_else(|| {
                anyhow::anyhow!(
                    "{} is damaged (line {line:?}): export into a new folder",
                    self.path.display()
                )
            })?;
            each(entry);
        }
        Ok(())
    }

    /// The fingerprints more than one user has: every key of the ledger sorted on disk with the
    /// number of its line, then read in order.
    fn colliding(&mut self) -> anyhow::Result<HashSet<u128>> {
        let mut keys = TableBuilder::<u64>::default();
        let mut line = 0u64;
        let mut failure = None;
        self.each_entry(|entry| {
            for key in &entry.keys {
                if let Err(err) = keys.push(key.hash, line) {
                    failure.get_or_insert(err);
                }
            }
            line += 1;
        })?;
        if let Some(err) = failure {
            return Err(temporary_file_error(err));
        }
        let mut colliding = HashSet::new();
        keys.each_shared_key(|key, _| {
            colliding.insert(key);
        })
        .map_err(temporary_file_error)?;
        Ok(colliding)
    }

    /// Every user involved in a collision, with a reason naming the others, and what to take out
    /// of the files. Reads the ledger twice; holds only the colliding users.
    pub fn resolution(&mut self) -> anyhow::Result<Resolution> {
        let colliding = self.colliding()?;
        let mut resolution = Resolution::default();
        if colliding.is_empty() {
            return Ok(resolution);
        }
        let mut involved = Vec::new();
        self.each_entry(|entry| {
            if entry.keys.iter().any(|k| colliding.contains(&k.hash)) {
                involved.push(entry);
            }
        })?;
        let mut by_key: HashMap<u128, Vec<usize>> = HashMap::new();
        for (index, entry) in involved.iter().enumerate() {
            for key in &entry.keys {
                if colliding.contains(&key.hash) {
                    by_key.entry(key.hash).or_default().push(index);
                }
            }
        }
        for (index, entry) in involved.iter().enumerate() {
            let mut others = BTreeSet::new();
            let mut field = None;
            for key in entry.keys.iter().filter(|k| colliding.contains(&k.hash)) {
                for &other in &by_key[&key.hash] {
                    if other != index {
                        field.get_or_insert(key.field);
                        others.insert(involved[other].old_username.clone());
                    }
                }
            }
            let field = field.unwrap_or(entry.keys[0].field);
            if entry.exported {
                resolution
                    .remove_from_import_files
                    .insert(entry.new_username.clone());
                resolution
                    .remove_from_user_lists
                    .insert((entry.old_username.clone(), entry.sub.clone()));
            }
            resolution.rejections.push((
                entry.old_username.clone(),
                entry.sub.clone(),
                RejectReason::SignInCollision {
                    field: field.as_str().to_string(),
                    case_insensitive: self.case_insensitive && field != SignInField::PhoneNumber,
                    others: others.into_iter().collect(),
                },
            ));
        }
        Ok(resolution)
    }

    /// Fingerprints (`fingerprint::key(b'u', old user name)`) of the users this destination's
    /// import files hold once collisions are resolved: to route group memberships, which name
    /// users by their old user names.
    pub fn exported_old_usernames(&mut self) -> anyhow::Result<Table<()>> {
        let colliding = self.colliding()?;
        let mut exported = TableBuilder::default();
        let mut failure = None;
        self.each_entry(|entry| {
            if entry.exported && !entry.keys.iter().any(|k| colliding.contains(&k.hash)) {
                let key = fingerprint::key(b'u', &entry.old_username);
                if let Err(err) = exported.push(key, ()) {
                    failure.get_or_insert(err);
                }
            }
        })?;
        match failure {
            Some(err) => Err(temporary_file_error(err)),
            None => exported.finish().map_err(temporary_file_error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(field: SignInField, value: &str) -> SignInKey {
        SignInKey {
            field,
            value: value.to_string(),
        }
    }

    #[test]
    fn entries_round_trip() {
        let entry = Entry {
            exported: true,
            old_username: "ada".into(),
            sub: "s-1".into(),
            new_username: "ada@example.com".into(),
            keys: vec![
                Fingerprint::of(&key(SignInField::Email, "ada@example.com")),
                Fingerprint::of(&key(SignInField::PhoneNumber, "+1555")),
            ],
        };
        let line = entry.line();
        assert_eq!(Entry::parse(line.trim_end()), Some(entry));
    }

    #[test]
    fn every_colliding_user_is_rejected_naming_the_others_across_a_resume() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(STATE_DIR)).unwrap();
        let mut ledger = SignInLedger::create(dir.path(), "", true).unwrap();
        let email = |v: &str| [key(SignInField::Email, v)];
        ledger
            .arrive("u1", "s1", "a@x.com", &email("a@x.com"))
            .unwrap();
        ledger
            .arrive("u2", "s2", "b@x.com", &email("b@x.com"))
            .unwrap();
        let state = ledger.sync().unwrap();
        drop(ledger);

        let mut ledger = SignInLedger::resume(dir.path(), "", &state, true).unwrap();
        ledger
            .arrive("u3", "s3", "A@x.com", &email("a@x.com"))
            .unwrap();
        ledger
            .arrive("u4", "s4", "a@X.com", &email("a@x.com"))
            .unwrap();
        let resolution = ledger.resolution().unwrap();
        assert_eq!(
            resolution.remove_from_import_files,
            ["a@x.com", "A@x.com", "a@X.com"].map(String::from).into()
        );
        assert_eq!(
            resolution.remove_from_user_lists,
            [("u1", "s1"), ("u3", "s3"), ("u4", "s4")]
                .map(|(u, s)| (u.to_string(), s.to_string()))
                .into()
        );
        let reasons: Vec<(String, String)> = resolution
            .rejections
            .iter()
            .map(|(name, _, reason)| (name.clone(), reason.to_string()))
            .collect();
        assert_eq!(reasons.len(), 3);
        assert_eq!(reasons[0].0, "u1");
        assert!(
            reasons[0]
                .1
                .starts_with("email is the same (the new pool ignores case) as for u3 u4:"),
            "{}",
            reasons[0].1
        );
        assert!(reasons[2].1.contains("as for u1 u3:"), "{}", reasons[2].1);
        let exported = ledger.exported_old_usernames().unwrap();
        assert_eq!(exported.len(), 1);
        assert!(exported.contains(fingerprint::key(b'u', "u2")).unwrap());
    }

    #[test]
    fn a_ledger_of_an_earlier_version_with_held_users_resolves_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let state_dir = dir.path().join(STATE_DIR);
        std::fs::create_dir_all(&state_dir).unwrap();
        let hash = |v: &str| format!("{:032x}", fingerprint::key(b'e', v));
        let text = format!(
            "E\tu1\ts1\ta@x.com\te:{a}\nE\tu2\ts2\tb@x.com\te:{b}\nH\tu3\ts3\tA@x.com\te:{a}!\n",
            a = hash("a@x.com"),
            b = hash("b@x.com")
        );
        let name = file_name("");
        std::fs::write(state_dir.join(&name), &text).unwrap();
        let state = FileState {
            name,
            bytes: text.len() as u64,
            ..FileState::default()
        };
        let mut ledger = SignInLedger::resume(dir.path(), "", &state, true).unwrap();
        let resolution = ledger.resolution().unwrap();
        assert_eq!(
            resolution.remove_from_import_files,
            ["a@x.com".to_string()].into(),
            "the held user was never written"
        );
        let rejected: Vec<&str> = resolution.rejections.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(rejected, ["u1", "u3"]);
    }
}
