//! The single writer of an export: takes pages from the shard scans in arrival order, routes each
//! user to its destination (one new pool, or one per tenant), files it there as exported,
//! rejected or skipped, and checkpoints regularly.
//!
//! Being the only writer makes every checkpoint consistent: the files' lengths, the counts and the
//! shards' cursors it records all describe the same moment.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::UserType;
use shared::from_sdk::user_from_list;

use super::checkpoint::{Checkpoint, Counts};
use super::collisions::SignInLedger;
use super::groups::GroupCounts;
use super::ledgers::{Ledgers, username_key};
use super::mfa::{LookedUp, MfaVisibility, reenrol_reasons};
use super::outputs::{AppendFile, Outputs};
use crate::classify::{Classifier, Outcome};
use crate::destinations::NewPools;
use crate::disk_table::{Table, temporary_file_error};
use crate::report_csv::csv_record;
use crate::scan::ShardCursor;

/// The reason code of a sign-in collision.
const COLLISION_CODE: &str = "sign-in-collision";

/// How often the checkpoint is rewritten while pages arrive.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// One destination pool: its files and the rules that decide its users.
pub struct Lane<'a> {
    /// Tenant name, or `""` for an export to a single pool.
    pub name: String,
    /// Its files.
    pub outputs: Outputs,
    /// Its mapping, rules and selection.
    pub classifier: Classifier<'a>,
    /// Its exportable users' sign-in keys, to find collisions.
    pub sign_in: SignInLedger,
}

/// Files users and keeps the checkpoint.
pub struct Sink<'a> {
    out_dir: PathBuf,
    lanes: Vec<Lane<'a>>,
    new_pools: &'a NewPools,
    unassigned: Option<AppendFile>,
    ledgers: Ledgers,
    checkpoint: Checkpoint,
    /// Per ledger label: fingerprints of the user names already written by shards that had to
    /// restart from the beginning (or parts of a split shard).
    dedup: HashMap<String, Table<()>>,
    /// What the run knows about users' MFA.
    mfa: MfaVisibility,
    last_save: Instant,
}

impl<'a> Sink<'a> {
    /// A sink continuing from `checkpoint` (new or resumed). `new_pools` routes users to `lanes`
    /// (one per new pool, in the same order). `unassigned` is `unassigned.csv` of a
    /// partitioned run.
    pub fn new(
        out_dir: PathBuf,
        lanes: Vec<Lane<'a>>,
        new_pools: &'a NewPools,
        unassigned: Option<AppendFile>,
        mut ledgers: Ledgers,
        checkpoint: Checkpoint,
        mfa: MfaVisibility,
    ) -> anyhow::Result<Sink<'a>> {
        let mut dedup = HashMap::new();
        for shard in &checkpoint.shards {
            let label = shard.origin_label();
            if shard.read_again() && !shard.done && !dedup.contains_key(label) {
                dedup.insert(label.to_string(), ledgers.read(label)?);
            }
        }
        Ok(Sink {
            out_dir,
            lanes,
            new_pools,
            unassigned,
            ledgers,
            checkpoint,
            dedup,
            mfa,
            last_save: Instant::now(),
        })
    }

    /// Counts of all lanes together, for progress lines.
    pub fn totals(&self) -> Counts {
        let mut total = Counts::default();
        for lane in self.checkpoint.lanes.values() {
            total.seen += lane.counts.seen;
            total.exported += lane.counts.exported;
            total.rejected += lane.counts.rejected;
            total.skipped += lane.counts.skipped;
        }
        total.seen += self.checkpoint.unassigned.total();
        total
    }

    /// The checkpoint as it stands.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// True when every shard has been read to its end.
    pub fn all_shards_done(&self) -> bool {
        self.checkpoint.shards.iter().all(|s| s.done)
    }

    /// Files every user of one page, then moves the shard's cursor past it. `mfa` holds the
    /// users' MFA as `AdminGetUser` read it (same order; empty when not looked up).
    pub fn page(
        &mut self,
        shard: usize,
        users: &[UserType],
        mfa: &[Option<LookedUp>],
        next_token: Option<String>,
    ) -> anyhow::Result<()> {
        let label = self.checkpoint.shards[shard].origin_label().to_string();
        for (index, user) in users.iter().enumerate() {
            let mut user = user_from_list(user);
            let looked_up = mfa.get(index).cloned().flatten();
            let mfa_known = looked_up.is_some() || self.mfa == MfaVisibility::NoneInOldPool;
            if let Some(looked_up) = looked_up {
                user.mfa = looked_up.mfa;
                user.factors = looked_up.factors;
            }
            if let Some(seen) = self.dedup.get(&label)
                && seen
                    .contains(username_key(&user.username))
                    .map_err(temporary_file_error)?
            {
                continue;
            }
            self.ledgers.record(&label, &user.username)?;
            let lane_index = match self.new_pools.route(&user) {
                Ok(index) => index,
                Err(unassigned) => {
                    let file = self
                        .unassigned
                        .as_mut()
                        .expect("partitioned runs have unassigned.csv");
                    file.append(&csv_record(&[
                        &user.username,
                        user.sub(),
                        &unassigned.to_string(),
                    ]))?;
                    *self
                        .checkpoint
                        .unassigned
                        .by_reason
                        .entry(unassigned.code().to_string())
                        .or_default() += 1;
                    continue;
                }
            };
            let lane = &mut self.lanes[lane_index];
            let counts = &mut self
                .checkpoint
                .lanes
                .entry(lane.name.clone())
                .or_default()
                .counts;
            counts.seen += 1;
            match lane.classifier.classify(&user)? {
                Outcome::Export {
                    row,
                    new_username,
                    keys,
                } => {
                    lane.sign_in
                        .arrive(&user.username, user.sub(), &new_username, &keys)?;
                    if user.enabled {
                        lane.outputs.write_user(&row)?;
                    } else {
                        lane.outputs.write_disabled(&row)?;
                        counts.disabled += 1;
                    }
                    counts.exported += 1;
                    // Mapped again only for an e-mail-MFA user, whose e-mail must be proven.
                    let mapped = user
                        .mfa
                        .email
                        .then(|| lane.classifier.mapping.apply(&user).ok());
                    if let Some(reasons) = reenrol_reasons(&user, mapped.flatten().as_ref()) {
                        lane.outputs
                            .write_mfa_reenrol(&user.username, user.sub(), &reasons)?;
                        counts.mfa_reenrol += 1;
                    } else if !mfa_known {
                        counts.mfa_unknown += 1;
                    }
                }
                Outcome::Reject(reason) => {
                    tracing::debug!(username = %user.username, reason = reason.code(), "rejected");
                    lane.outputs
                        .write_rejected(&user.username, user.sub(), &reason.to_string())?;
                    counts.rejected += 1;
                    *counts
                        .rejected_by_reason
                        .entry(reason.code().to_string())
                        .or_default() += 1;
                }
                Outcome::Skip(reason) => {
                    lane.outputs
                        .write_skipped(&user.username, user.sub(), reason.message())?;
                    counts.skipped += 1;
                    *counts
                        .skipped_by_reason
                        .entry(reason.code().to_string())
                        .or_default() += 1;
                }
            }
        }
        self.checkpoint.shards[shard].paged(next_token);
        if self.last_save.elapsed() >= CHECKPOINT_EVERY {
            self.save()?;
        }
        Ok(())
    }

    /// The shards' cursors, which the scan moves ([`crate::scan::ScanState::cursors`]).
    pub fn cursors(&mut self) -> &mut Vec<ShardCursor> {
        &mut self.checkpoint.shards
    }

    /// Records that a refused token of shard `shard` changed the cursors (see
    /// [`crate::scan::scan`]): its parts, or the shard read again, skip the users already written,
    /// as the ledger of the shard they come from says.
    pub fn refused(&mut self, shard: usize) -> anyhow::Result<()> {
        let ledger = self.checkpoint.shards[shard].origin_label().to_string();
        let seen = self.ledgers.read(&ledger)?;
        self.dedup.insert(ledger, seen);
        self.save()
    }

    /// Records that the groups files are written.
    pub fn record_groups(&mut self, counts: GroupCounts) -> anyhow::Result<()> {
        self.checkpoint.groups = Some(counts);
        self.save()
    }

    /// The final step once every shard is read: every user involved in a sign-in collision
    /// goes to `rejected.csv` with a reason naming the others, and those already in an import
    /// file are taken out of it (crash-safe: see [`super::collisions`]). Done once per run.
    pub fn resolve_collisions(&mut self) -> anyhow::Result<()> {
        if self.record_collisions()? {
            for lane in &mut self.lanes {
                lane.outputs.commit_staged()?;
            }
        }
        Ok(())
    }

    /// The first half of [`Sink::resolve_collisions`]: rewritten files staged, rejections
    /// appended, the checkpoint that counts them saved. Returns whether anything was recorded;
    /// the renames follow (here, or on resume).
    fn record_collisions(&mut self) -> anyhow::Result<bool> {
        let mut changed = false;
        for lane in &mut self.lanes {
            let state = self.checkpoint.lanes.entry(lane.name.clone()).or_default();
            if state.collisions_resolved {
                continue;
            }
            let resolution = lane.sign_in.resolution()?;
            if !resolution.rejections.is_empty() {
                let column = lane
                    .classifier
                    .header
                    .columns()
                    .iter()
                    .position(|c| c == shared::attributes::CSV_USERNAME)
                    .expect("a header has cognito:username");
                let removed = lane.outputs.stage_without(
                    column,
                    &resolution.remove_from_import_files,
                    &resolution.remove_from_user_lists,
                )?;
                for (username, sub, reason) in &resolution.rejections {
                    lane.outputs
                        .write_rejected(username, sub, &reason.to_string())?;
                }
                let moved = resolution.remove_from_import_files.len() as u64;
                let counts = &mut state.counts;
                counts.exported -= moved;
                counts.rejected += moved;
                counts.disabled -= removed.disabled;
                counts.mfa_reenrol -= removed.mfa_reenrol;
                *counts
                    .rejected_by_reason
                    .entry(COLLISION_CODE.to_string())
                    .or_default() += moved;
                eprintln!(
                    "{} users would sign in to {} with the same value as another: all of them are in rejected.csv ({COLLISION_CODE})",
                    resolution.rejections.len(),
                    lane.classifier.rules.pool_id
                );
            }
            state.collisions_resolved = true;
            changed = true;
        }
        if changed {
            self.save()?;
        }
        Ok(changed)
    }

    /// Fingerprints of the old user names each destination's import files hold (in lane order),
    /// to route group memberships.
    pub fn exported_usernames(&mut self) -> anyhow::Result<Vec<Table<()>>> {
        self.lanes
            .iter_mut()
            .map(|lane| lane.sign_in.exported_old_usernames())
            .collect()
    }

    /// Flushes every file, then records the checkpoint that counts their content.
    pub fn save(&mut self) -> anyhow::Result<()> {
        for lane in &mut self.lanes {
            let files = lane.outputs.sync()?;
            let sign_in = lane.sign_in.sync()?;
            let state = self.checkpoint.lanes.entry(lane.name.clone()).or_default();
            state.files = files;
            state.sign_in = sign_in;
        }
        if let Some(file) = &mut self.unassigned {
            file.sync()?;
            self.checkpoint.unassigned.file = Some(file.state().clone());
        }
        self.checkpoint.ledgers = self.ledgers.sync()?;
        self.checkpoint.complete = self.all_shards_done();
        self.checkpoint.save(&self.out_dir)?;
        self.last_save = Instant::now();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType};
    use shared::import_csv::ImportHeader;
    use shared::target::MfaMode;
    use shared::{Mapping, PoolShape, TargetRules};

    use crate::classify::Select;
    use crate::export::checkpoint::{LaneIdentity, RunIdentity};
    use crate::export::outputs::FileLimits;
    use crate::target_index::TargetIndex;

    const LIMITS: FileLimits = FileLimits {
        max_rows: 100,
        max_bytes: 1_000_000,
    };

    fn user(name: &str, email: &str) -> UserType {
        let attribute =
            |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
        UserType::builder()
            .username(name)
            .enabled(true)
            .user_status(UserStatusType::ResetRequired)
            .attributes(attribute("sub", &format!("sub-{name}")))
            .attributes(attribute("email", email))
            .attributes(attribute("email_verified", "true"))
            .build()
    }

    #[test]
    fn a_crash_between_recording_collisions_and_renaming_resumes_to_the_final_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let header = ImportHeader::new(
            [
                "cognito:username",
                "email",
                "email_verified",
                "cognito:mfa_enabled",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap();
        let rules = TargetRules {
            pool_id: "new".into(),
            required: Default::default(),
            auto_verified: vec!["email".into()],
            mfa: MfaMode::Off,
            sms_mfa_available: false,
            software_token_mfa_available: false,
            shape: PoolShape {
                username_attributes: vec!["email".into()],
                alias_attributes: vec![],
                case_sensitive: false,
            },
            max_lengths: Default::default(),
            number_attributes: Default::default(),
            writable: header.attribute_columns(),
        };
        let mapping = Mapping::default().without_legacy_sub();
        let index = TargetIndex::default();
        let ledgers = Ledgers::create(out, &["all".to_string()]).unwrap();
        let lane = Lane {
            name: String::new(),
            outputs: Outputs::create(out, header.line(), LIMITS).unwrap(),
            classifier: Classifier {
                select: Select::All,
                index: &index,
                mapping: &mapping,
                header: &header,
                rules: &rules,
            },
            sign_in: SignInLedger::create(out, "", true).unwrap(),
        };
        let run = RunIdentity {
            source_pool_id: "old".into(),
            select: Select::All,
            partition_by: None,
            mfa_lookup: None,
            lanes: [(
                String::new(),
                LaneIdentity {
                    target_pool_id: "new".into(),
                    mapping: mapping.clone(),
                    header: header.columns().to_vec(),
                },
            )]
            .into(),
        };
        let checkpoint = Checkpoint::new(run, vec![String::new()]);
        let new_pools = NewPools::one("new");
        let mut sink = Sink::new(
            out.to_path_buf(),
            vec![lane],
            &new_pools,
            None,
            ledgers,
            checkpoint,
            MfaVisibility::NoneInOldPool,
        )
        .unwrap();
        let page = [
            user("u1", "a@x.com"),
            user("u2", "b@x.com"),
            user("u3", "A@X.com"),
        ];
        sink.page(0, &page, &[], None).unwrap();
        sink.save().unwrap();
        assert!(sink.record_collisions().unwrap());
        // Killed here: the checkpoint counts the rewritten file, which is not renamed yet.
        drop(sink);
        let original = std::fs::read_to_string(out.join("users-0001.csv")).unwrap();
        assert!(original.contains("a@x.com"), "{original}");

        let checkpoint = Checkpoint::load(out).unwrap();
        let lane = &checkpoint.lanes[""];
        assert!(lane.collisions_resolved);
        assert_eq!(lane.counts.exported, 1);
        assert_eq!(lane.counts.rejected, 2);
        Outputs::resume(
            out,
            header.line(),
            LIMITS,
            &lane.files,
            lane.collisions_resolved,
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("users-0001.csv")).unwrap(),
            "cognito:username,email,email_verified,cognito:mfa_enabled\nb@x.com,b@x.com,TRUE,FALSE\n"
        );
        let rejected = std::fs::read_to_string(out.join("rejected.csv")).unwrap();
        assert_eq!(rejected.lines().count(), 3, "{rejected}");
        assert!(
            rejected.contains("u1,sub-u1,email is the same (the new pool ignores case) as for u3:")
        );
        assert!(
            rejected.contains("u3,sub-u3,email is the same (the new pool ignores case) as for u1:")
        );
    }
}
