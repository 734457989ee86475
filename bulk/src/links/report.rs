//! `links-report.csv`: one row per identity of every old user with identities (or per user when
//! none could be read), linked or not, with the reason; written as the run goes and moved into
//! place at the end, so the file is always a whole run's.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use shared::linked_identities::LinkedIdentity;

use super::work::LinkedUser;
use crate::report_csv::csv_record;

/// Name of the report inside `--dir`.
pub const REPORT_FILE: &str = "links-report.csv";
/// Its header.
pub const REPORT_HEADER: [&str; 6] = [
    "username",
    "status",
    "provider",
    "provider_user_id",
    "outcome",
    "detail",
];

/// What became of one identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Linked in this run.
    Linked,
    /// The profile already had it.
    AlreadyLinked,
    /// A native user not in the new pool yet: a later run links it.
    NotMigratedYet,
    /// Someone else (no legacy id of this user) answers to its name.
    NameHeldByAnotherUser,
    /// The new pool has no identity provider of that name.
    ProviderMissing,
    /// More identities than AWS links to one user.
    TooManyLinks,
    /// The mapping (or the new pool's shape) refuses the federated user's profile.
    MappingRejected,
    /// Cognito refused to create the profile.
    ProfileRefused,
    /// Cognito refused the link.
    LinkRefused,
    /// The old user's `identities` could not be read.
    IdentitiesUnreadable,
}

impl Outcome {
    /// The stable code in the report.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Linked => "linked",
            Outcome::AlreadyLinked => "already_linked",
            Outcome::NotMigratedYet => "not_migrated_yet",
            Outcome::NameHeldByAnotherUser => "name_held_by_another_user",
            Outcome::ProviderMissing => "provider_missing",
            Outcome::TooManyLinks => "too_many_links",
            Outcome::MappingRejected => "mapping_rejected",
            Outcome::ProfileRefused => "profile_refused",
            Outcome::LinkRefused => "link_refused",
            Outcome::IdentitiesUnreadable => "identities_unreadable",
        }
    }

    fn linked(self) -> bool {
        matches!(self, Outcome::Linked | Outcome::AlreadyLinked)
    }
}

/// One row of the report.
pub struct Row<'a> {
    user: &'a LinkedUser,
    identity: Option<&'a LinkedIdentity>,
    outcome: Outcome,
    detail: &'a str,
}

impl<'a> Row<'a> {
    /// The row of `user`'s `identity` (`None`: the user as a whole).
    pub fn of(
        user: &'a LinkedUser,
        identity: Option<&'a LinkedIdentity>,
        outcome: Outcome,
        detail: &'a str,
    ) -> Row<'a> {
        Row {
            user,
            identity,
            outcome,
            detail,
        }
    }
}

/// The report being written, and its counts.
pub struct Report {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<fs::File>,
    counts: BTreeMap<Outcome, u64>,
    profiles_created: u64,
}

/// A finished report's counts.
pub struct Finished {
    counts: BTreeMap<Outcome, u64>,
    profiles_created: u64,
}

impl Report {
    /// Starts `links-report.csv` in `dir` (private, `0600`).
    pub fn create(dir: &Path) -> anyhow::Result<Report> {
        let path = dir.join(REPORT_FILE);
        let tmp = path.with_extension("csv.tmp");
        let file = crate::private_files::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut out = BufWriter::new(file);
        out.write_all(&csv_record(&REPORT_HEADER))?;
        Ok(Report {
            path,
            tmp,
            out,
            counts: BTreeMap::new(),
            profiles_created: 0,
        })
    }

    /// Writes one row.
    pub fn add(&mut self, row: Row<'_>) -> anyhow::Result<()> {
        *self.counts.entry(row.outcome).or_default() += 1;
        let (provider, user_id) = row
            .identity
            .map_or(("", ""), |i| (i.provider_name.as_str(), i.user_id.as_str()));
        self.out
            .write_all(&csv_record(&[
                &row.user.username,
                &row.user.status,
                provider,
                user_id,
                row.outcome.code(),
                row.detail,
            ]))
            .with_context(|| format!("cannot write {}", self.tmp.display()))
    }

    /// Counts a profile made for a federated user.
    pub fn profile_created(&mut self) {
        self.profiles_created += 1;
    }

    /// Moves the report into place.
    pub fn finish(mut self) -> anyhow::Result<Finished> {
        self.out
            .flush()
            .and_then(|()| fs::rename(&self.tmp, &self.path))
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        Ok(Finished {
            counts: self.counts,
            profiles_created: self.profiles_created,
        })
    }
}

impl Finished {
    /// True when every identity is linked (this run or before).
    pub fn all_linked(&self) -> bool {
        self.counts.keys().all(|outcome| outcome.linked())
    }

    /// The summary line(s).
    pub fn summary(&self, dir: &Path) -> String {
        let count = |outcome| self.counts.get(&outcome).copied().unwrap_or(0);
        let not_linked: u64 = self
            .counts
            .iter()
            .filter(|(outcome, _)| !outcome.linked())
            .map(|(_, n)| n)
            .sum();
        let mut text = format!(
            "profiles created {}; identities linked {}, already linked {}, not linked {not_linked}",
            self.profiles_created,
            count(Outcome::Linked),
            count(Outcome::AlreadyLinked),
        );
        for (outcome, n) in self.counts.iter().filter(|(o, _)| !o.linked()) {
            text.push_str(&format!("\n  {n:>8}  {}", outcome.code()));
        }
        text.push_str(&format!("\nreport: {}", dir.join(REPORT_FILE).display()));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> LinkedUser {
        LinkedUser {
            username: "=Google_1".into(),
            status: "EXTERNAL_PROVIDER".into(),
            enabled: true,
            attributes: Default::default(),
        }
    }

    #[test]
    fn every_row_is_written_and_counted_and_the_file_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let user = user();
        let google = LinkedIdentity {
            provider_name: "Google".into(),
            user_id: "1".into(),
        };
        let mut report = Report::create(dir.path()).unwrap();
        report
            .add(Row::of(&user, Some(&google), Outcome::Linked, "ada"))
            .unwrap();
        report
            .add(Row::of(&user, None, Outcome::IdentitiesUnreadable, "junk"))
            .unwrap();
        assert!(!dir.path().join(REPORT_FILE).exists());
        let finished = report.finish().unwrap();
        assert!(!finished.all_linked());
        assert_eq!(
            std::fs::read_to_string(dir.path().join(REPORT_FILE)).unwrap(),
            "username,status,provider,provider_user_id,outcome,detail\n\
             '=Google_1,EXTERNAL_PROVIDER,Google,1,linked,ada\n\
             '=Google_1,EXTERNAL_PROVIDER,,,identities_unreadable,junk\n"
        );
        let summary = finished.summary(dir.path());
        assert_eq!(
            summary,
            format!(
                "profiles created 0; identities linked 1, already linked 0, not linked 1\n{:>10}  \
                 identities_unreadable\nreport: {}",
                1,
                dir.path().join(REPORT_FILE).display()
            )
        );
    }
}
