//! The single writer of an export: takes pages from the shard scans in arrival order, files each
//! user as exported, rejected or skipped, and checkpoints regularly.
//!
//! Being the only writer makes every checkpoint consistent: the files' lengths, the counts and the
//! shards' cursors it records all describe the same moment.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::UserType;
use shared::from_sdk::user_from_list;

use super::checkpoint::{Checkpoint, Counts};
use super::classify::{Classifier, Outcome};
use super::groups::GroupCounts;
use super::outputs::Outputs;
use crate::shards;

/// How often the checkpoint is rewritten while pages arrive.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// Files users and keeps the checkpoint.
pub struct Sink<'a> {
    out_dir: PathBuf,
    outputs: Outputs,
    checkpoint: Checkpoint,
    classifier: Classifier<'a>,
    /// User names already written by shards that had to restart from the beginning.
    dedup: HashMap<usize, HashSet<String>>,
    last_save: Instant,
}

impl<'a> Sink<'a> {
    /// A sink continuing from `checkpoint` (new or resumed) into `outputs`.
    pub fn new(
        out_dir: PathBuf,
        mut outputs: Outputs,
        checkpoint: Checkpoint,
        classifier: Classifier<'a>,
    ) -> anyhow::Result<Sink<'a>> {
        let mut dedup = HashMap::new();
        for (index, shard) in checkpoint.shards.iter().enumerate() {
            if shard.restarted && !shard.done {
                let seen = outputs.read_ledger(shards::label(&shard.prefix))?;
                dedup.insert(index, seen.into_iter().collect());
            }
        }
        Ok(Sink {
            out_dir,
            outputs,
            checkpoint,
            classifier,
            dedup,
            last_save: Instant::now(),
        })
    }

    /// Counts so far.
    pub fn counts(&self) -> &Counts {
        &self.checkpoint.counts
    }

    /// The checkpoint as it stands.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// True when every shard has been read to its end.
    pub fn all_shards_done(&self) -> bool {
        self.checkpoint.shards.iter().all(|s| s.done)
    }

    /// Files every user of one page, then moves the shard's cursor past it.
    pub fn page(
        &mut self,
        shard: usize,
        users: &[UserType],
        next_token: Option<String>,
    ) -> anyhow::Result<()> {
        let label = shards::label(&self.checkpoint.shards[shard].prefix).to_string();
        for user in users {
            let user = user_from_list(user);
            if self
                .dedup
                .get(&shard)
                .is_some_and(|seen| seen.contains(&user.username))
            {
                continue;
            }
            self.outputs.write_ledger(&label, &user.username)?;
            let counts = &mut self.checkpoint.counts;
            counts.seen += 1;
            match self.classifier.classify(&user) {
                Outcome::Export { row } => {
                    self.outputs.write_user(&row)?;
                    counts.exported += 1;
                    if !user.enabled {
                        self.outputs.write_disabled(&user.username, user.sub())?;
                        counts.disabled += 1;
                    }
                }
                Outcome::Reject(reason) => {
                    tracing::debug!(username = %user.username, reason = reason.code(), "rejected");
                    self.outputs
                        .write_rejected(&user.username, user.sub(), &reason.to_string())?;
                    counts.rejected += 1;
                    *counts
                        .rejected_by_reason
                        .entry(reason.code().to_string())
                        .or_default() += 1;
                }
                Outcome::Skip(reason) => {
                    self.outputs
                        .write_skipped(&user.username, user.sub(), reason.message())?;
                    counts.skipped += 1;
                    *counts
                        .skipped_by_reason
                        .entry(reason.code().to_string())
                        .or_default() += 1;
                }
            }
        }
        let cursor = &mut self.checkpoint.shards[shard];
        cursor.done = next_token.is_none();
        cursor.next_token = next_token;
        if self.last_save.elapsed() >= CHECKPOINT_EVERY {
            self.save()?;
        }
        Ok(())
    }

    /// Restarts a shard from its first page (its pagination token expired); users it already
    /// wrote are recognised by its ledger and not written again.
    pub fn restart(&mut self, shard: usize) -> anyhow::Result<()> {
        let cursor = &mut self.checkpoint.shards[shard];
        tracing::warn!(
            shard = shards::label(&cursor.prefix),
            "pagination token expired: rescanning the shard, skipping users already written"
        );
        cursor.next_token = None;
        cursor.done = false;
        cursor.restarted = true;
        let label = shards::label(&cursor.prefix).to_string();
        let seen = self.outputs.read_ledger(&label)?;
        self.dedup.insert(shard, seen.into_iter().collect());
        self.save()
    }

    /// Records that the groups files are written.
    pub fn record_groups(&mut self, counts: GroupCounts) -> anyhow::Result<()> {
        self.checkpoint.groups = Some(counts);
        self.save()
    }

    /// Flushes every file, then records the checkpoint that counts their content.
    pub fn save(&mut self) -> anyhow::Result<()> {
        self.checkpoint.files = self.outputs.sync()?;
        self.checkpoint.complete = self.all_shards_done();
        self.checkpoint.save(&self.out_dir)?;
        self.last_save = Instant::now();
        Ok(())
    }
}
