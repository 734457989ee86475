//! The new-pool index on disk, in the export folder, so `--resume` loads it instead of reading the
//! new pool again, and a run stopped while reading it continues each shard from its token.
//!
//! While the scan runs, each shard appends its keys (16 bytes each, little-endian) to its own
//! `shard-<label>.keys`; after every page the file is synced *before* `state.json`, which records
//! how many keys of it count and the token of the shard's next page, is atomically replaced (the
//! write-order contract of the export checkpoint). On resume each file is cut back to the count
//! `state.json` trusts. When every shard is done the keys go into one `keys.bin` (the shards'
//! keys one after another, in no order), written atomically, and only then does `state.json` say
//! `complete`. Keys are streamed from these files into the caller's table, never held whole.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::keys::MatchRule;
use crate::atomic_json::{self, AtomicBytes};
use crate::disk_table::{TableBuilder, temporary_file_error};
use crate::scan::ShardCursor;
use crate::shards;
use crate::versioned_state;

const STATE_FILE: &str = "state.json";
const KEYS_FILE: &str = "keys.bin";
const KEYS_MAGIC: &[u8; 8] = b"CMTIDX01";
const KEY_BYTES: u64 = 16;
/// Format 2 keeps the shards' key counts beside their cursors ([`ShardCursor`]); an index of
/// format 1 is read again.
const VERSION: u32 = 2;

/// `state.json`: which pool and rule the keys are for, and where each shard stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct IndexState {
    version: u32,
    pool_id: String,
    rule: MatchRule,
    shards: Vec<ShardCursor>,
    /// Keys of each shard's file that count.
    keys: Vec<u64>,
    /// `keys.bin` holds every key.
    complete: bool,
}

/// What a store held when opened (its keys are in the caller's table).
pub enum Stored {
    /// The whole index.
    Complete,
    /// The keys read so far, and the shards' cursors.
    Partial(Vec<ShardCursor>),
}

/// One new pool's index folder.
pub struct IndexStore {
    dir: PathBuf,
    state: IndexState,
    files: Vec<File>,
}

fn shard_file(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("shard-{}.keys", shards::label(prefix)))
}

fn encode(keys: &[u128]) -> Vec<u8> {
    keys.iter().flat_map(|k| k.to_le_bytes()).collect()
}

/// Adds the first `count` keys of `reader` to `into`.
fn load(reader: impl Read, count: u64, into: &mut TableBuilder<()>) -> anyhow::Result<()> {
    let mut reader = BufReader::new(reader.take(count * KEY_BYTES));
    let mut key = [0; KEY_BYTES as usize];
    for _ in 0..count {
        reader.read_exact(&mut key)?;
        into.push(u128::from_le_bytes(key), ())
            .map_err(temporary_file_error)?;
    }
    Ok(())
}

impl IndexStore {
    /// Opens the index of `pool_id` in `dir`: what an earlier run of the same pool and rule kept
    /// (its keys added to `keys`), or a fresh scan of `prefixes` (anything else in `dir` is
    /// discarded).
    pub fn open(
        dir: &Path,
        pool_id: &str,
        rule: &MatchRule,
        prefixes: Vec<String>,
        keys: &mut TableBuilder<()>,
    ) -> anyhow::Result<(IndexStore, Stored)> {
        let kept = versioned_state::load::<IndexState>(&dir.join(STATE_FILE), VERSION)
            .ok()
            .filter(|s| s.pool_id == pool_id && &s.rule == rule && s.keys.len() == s.shards.len());
        let Some(state) = kept else {
            return IndexStore::create(dir, pool_id, rule, prefixes);
        };
        if state.complete {
            let path = dir.join(KEYS_FILE);
            let unreadable = |e: std::io::Error| {
                anyhow::anyhow!("cannot read the new-pool index {}: {e}", path.display())
            };
            let mut file = File::open(&path).map_err(unreadable)?;
            let mut header = [0; 16];
            let length = file.metadata().map_err(unreadable)?.len();
            let count = file
                .read_exact(&mut header)
                .ok()
                .filter(|_| header.starts_with(KEYS_MAGIC))
                .map(|_| u64::from_le_bytes(header[8..].try_into().expect("8 bytes")));
            if count.map(|n| 16 + n * KEY_BYTES) != Some(length) {
                anyhow::bail!(
                    "the new-pool index {} is damaged: delete {} and run again with --resume",
                    path.display(),
                    dir.display()
                );
            }
            load(file, count.expect("checked"), keys)?;
            let store = IndexStore {
                dir: dir.to_path_buf(),
                state,
                files: Vec::new(),
            };
            return Ok((store, Stored::Complete));
        }
        let mut files = Vec::new();
        for (shard, &count) in state.shards.iter().zip(&state.keys) {
            let path = shard_file(dir, &shard.prefix);
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)?;
            file.set_len(count * KEY_BYTES)?;
            load(file, count, keys)?;
            files.push(OpenOptions::new().append(true).open(&path)?);
        }
        let shards = state.shards.clone();
        let store = IndexStore {
            dir: dir.to_path_buf(),
            state,
            files,
        };
        Ok((store, Stored::Partial(shards)))
    }

    fn create(
        dir: &Path,
        pool_id: &str,
        rule: &MatchRule,
        prefixes: Vec<String>,
    ) -> anyhow::Result<(IndexStore, Stored)> {
        if dir.exists() {
            fs::remove_dir_all(dir)?;
        }
        crate::private_files::create_dir_all(dir)?;
        let shards: Vec<ShardCursor> = prefixes.into_iter().map(ShardCursor::new).collect();
        let files = shards
            .iter()
            .map(|s| crate::private_files::create(&shard_file(dir, &s.prefix)))
            .collect::<std::io::Result<_>>()?;
        let store = IndexStore {
            dir: dir.to_path_buf(),
            state: IndexState {
                version: VERSION,
                pool_id: pool_id.to_string(),
                rule: rule.clone(),
                keys: vec![0; shards.len()],
                shards: shards.clone(),
                complete: false,
            },
            files,
        };
        store.save()?;
        Ok((store, Stored::Partial(shards)))
    }

    fn save(&self) -> anyhow::Result<()> {
        atomic_json::write(&self.dir.join(STATE_FILE), &self.state).map_err(|e| self.write_error(e))
    }

    fn write_error(&self, err: std::io::Error) -> anyhow::Error {
        anyhow::anyhow!(
            "cannot write the new-pool index in {} ({err}): check the disk and the folder's permissions, then rerun with --resume",
            self.dir.display()
        )
    }

    /// Records one page of shard `shard`: its keys, then the token of its next page (`None` after
    /// the last page).
    pub fn page(
        &mut self,
        shard: usize,
        keys: &[u128],
        next_token: Option<String>,
    ) -> anyhow::Result<()> {
        let file = &mut self.files[shard];
        file.write_all(&encode(keys))
            .and_then(|_| file.sync_data())
            .map_err(|e| self.write_error(e))?;
        self.state.keys[shard] += keys.len() as u64;
        self.state.shards[shard].paged(next_token);
        self.save()
    }

    /// Records how shard `shard` goes on after a refused token, as the caller's `shards` say
    /// (the store's list with the refused shard changed and any parts appended): the refused
    /// shard's cursor is taken from it, each part gets an empty key file. The keys already read
    /// stay valid.
    pub fn refused(&mut self, shard: usize, shards: &[ShardCursor]) -> anyhow::Result<()> {
        for part in &shards[self.state.shards.len()..] {
            let path = shard_file(&self.dir, &part.prefix);
            let file = crate::private_files::create(&path)
                .and_then(|_| OpenOptions::new().append(true).open(&path))
                .map_err(|e| self.write_error(e))?;
            self.files.push(file);
            self.state.shards.push(part.clone());
            self.state.keys.push(0);
        }
        self.state.shards[shard] = shards[shard].clone();
        self.save()
    }

    /// Copies every shard's keys into `keys.bin`, marks the index complete, and removes the
    /// shard files.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        let count: u64 = self.state.keys.iter().sum();
        let write = || -> std::io::Result<()> {
            let mut out = AtomicBytes::create(&self.dir.join(KEYS_FILE))?;
            out.write(KEYS_MAGIC)?;
            out.write(&count.to_le_bytes())?;
            let mut buffer = vec![0; 1 << 16];
            for (shard, &keys) in self.state.shards.iter().zip(&self.state.keys) {
                let file = File::open(shard_file(&self.dir, &shard.prefix))?;
                let mut reader = file.take(keys * KEY_BYTES);
                loop {
                    match reader.read(&mut buffer)? {
                        0 => break,
                        n => out.write(&buffer[..n])?,
                    }
                }
            }
            out.commit()
        };
        write().map_err(|e| self.write_error(e))?;
        self.state.complete = true;
        self.save()?;
        self.files.clear();
        for shard in &self.state.shards {
            fs::remove_file(shard_file(&self.dir, &shard.prefix))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes() -> Vec<String> {
        vec!["0".into(), "1".into()]
    }

    fn keys() -> TableBuilder<()> {
        TableBuilder::default()
    }

    /// Which of the keys `0..below` the loaded table holds.
    fn held(loaded: TableBuilder<()>, below: u128) -> Vec<u128> {
        let table = loaded.finish().unwrap();
        (0..below).filter(|k| table.contains(*k).unwrap()).collect()
    }

    #[test]
    fn a_stopped_scan_resumes_from_the_recorded_pages_and_a_finished_one_loads() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("pool");
        let rule = MatchRule::default();
        let (mut store, _) = IndexStore::open(&dir, "p", &rule, prefixes(), &mut keys()).unwrap();
        store.page(0, &[1, 2], None).unwrap();
        store.page(1, &[3], Some("t2".into())).unwrap();
        // Keys written after the last recorded page do not count.
        store.files[1].write_all(&encode(&[99])).unwrap();
        drop(store);

        let mut loaded = keys();
        let (mut store, stored) =
            IndexStore::open(&dir, "p", &rule, prefixes(), &mut loaded).unwrap();
        let Stored::Partial(shards) = stored else {
            panic!("not complete yet")
        };
        assert_eq!(held(loaded, 10), [1, 2, 3]);
        assert!(shards[0].done);
        assert_eq!(shards[1].next_token.as_deref(), Some("t2"));
        store.page(1, &[4], None).unwrap();
        store.finish().unwrap();
        drop(store);

        let mut loaded = keys();
        let (_, stored) = IndexStore::open(&dir, "p", &rule, prefixes(), &mut loaded).unwrap();
        assert!(matches!(stored, Stored::Complete));
        assert_eq!(held(loaded, 10), [1, 2, 3, 4]);
        assert!(!shard_file(&dir, "0").exists());
    }

    #[test]
    fn a_split_shard_keeps_its_keys_and_its_parts_resume_and_finish() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path().join("pool");
        let rule = MatchRule::default();
        let (mut store, stored) =
            IndexStore::open(&dir, "p", &rule, prefixes(), &mut keys()).unwrap();
        let Stored::Partial(mut shards) = stored else {
            panic!("a new index")
        };
        store.page(1, &[1], Some("t".into())).unwrap();
        // Shard "1"'s token is refused: it is done, and its parts "10" and "11" follow it.
        shards[1].done = true;
        shards.extend(["10", "11"].map(|p| ShardCursor::new(p.into())));
        store.refused(1, &shards).unwrap();
        store.page(2, &[1, 2], None).unwrap();
        drop(store);

        let mut loaded = keys();
        let (mut store, stored) =
            IndexStore::open(&dir, "p", &rule, prefixes(), &mut loaded).unwrap();
        let Stored::Partial(shards) = stored else {
            panic!("part 11 is not read yet")
        };
        let cursors: Vec<_> = shards
            .iter()
            .zip(&store.state.keys)
            .map(|(s, &keys)| (s.prefix.as_str(), s.done, keys))
            .collect();
        assert_eq!(
            cursors,
            [
                ("0", false, 0),
                ("1", true, 1),
                ("10", true, 2),
                ("11", false, 0)
            ]
        );
        assert_eq!(held(loaded, 10), [1, 2]);
        store.page(0, &[5], None).unwrap();
        store.page(3, &[7], None).unwrap();
        store.finish().unwrap();
        drop(store);

        let mut loaded = keys();
        let (_, stored) = IndexStore::open(&dir, "p", &rule, prefixes(), &mut loaded).unwrap();
        assert!(matches!(stored, Stored::Complete));
        assert_eq!(held(loaded, 10), [1, 2, 5, 7]);
        assert!(!shard_file(&dir, "11").exists());
    }

    #[test]
    fn an_index_of_another_pool_or_rule_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let rule = MatchRule::default();
        let (mut store, _) =
            IndexStore::open(dir.path(), "p", &rule, prefixes(), &mut keys()).unwrap();
        store.page(0, &[1], None).unwrap();
        drop(store);
        let folded = MatchRule {
            shape: shared::sign_in::PoolShape {
                case_sensitive: false,
                ..Default::default()
            },
            ..MatchRule::default()
        };
        let mut loaded = keys();
        let (_, stored) =
            IndexStore::open(dir.path(), "p", &folded, prefixes(), &mut loaded).unwrap();
        assert!(matches!(stored, Stored::Partial(_)));
        assert_eq!(loaded.finish().unwrap().len(), 0);
    }
}
