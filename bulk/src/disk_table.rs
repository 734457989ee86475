//! Tables of fixed-size records sorted by a 128-bit key (a [`crate::fingerprint`]), built on disk
//! in bounded memory and read with one positioned read per lookup: how a report keeps what it
//! needs of a million users without holding it, so its memory stays flat as the pool grows.
//!
//! Building ([`TableBuilder`]): records arrive in any order into a buffer of [`RUN`] records; a
//! full buffer is sorted and written to an anonymous temporary file (a run); `finish` merges the
//! runs into one file, smallest key first. Of records with the same key the first pushed is kept.
//! In memory stay the buffer while building, and afterwards only the first key of every
//! [`BLOCK`] records (16 bytes per 128 records: 125 KB for a million).
//!
//! Looking up ([`Table::get`]): a binary search of those first keys, one positioned read of that
//! block (4 KB for 32-byte records), a binary search in it.
//!
//! The files are created with `tempfile::tempfile`, in the folder `TMPDIR` names (else `/tmp`),
//! and vanish when the table is dropped or the process ends, however it ends.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::marker::PhantomData;

/// Records sorted in memory before they are written as a run (2 MB of 32-byte records).
const RUN: usize = 1 << 16;

/// Records per block: one lookup reads one block.
const BLOCK: usize = 128;

/// Bytes of a key.
const KEY_BYTES: usize = 16;

/// A value of fixed size kept beside each key.
pub trait Value: Copy {
    /// Bytes it takes on disk.
    const BYTES: usize;
    /// Appends its bytes (little-endian) to `out`.
    fn put(self, out: &mut Vec<u8>);
    /// Reads it back from exactly [`Value::BYTES`] bytes.
    fn take(bytes: &[u8]) -> Self;
}

impl Value for () {
    const BYTES: usize = 0;
    fn put(self, _: &mut Vec<u8>) {}
    fn take(_: &[u8]) {}
}

impl Value for u64 {
    const BYTES: usize = 8;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> u64 {
        u64::from_le_bytes(bytes.try_into().expect("8 bytes"))
    }
}

impl Value for u128 {
    const BYTES: usize = 16;
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn take(bytes: &[u8]) -> u128 {
        u128::from_le_bytes(bytes.try_into().expect("16 bytes"))
    }
}

fn record_bytes<V: Value>() -> usize {
    KEY_BYTES + V::BYTES
}

fn key_of(record: &[u8]) -> u128 {
    u128::from_le_bytes(record[..KEY_BYTES].try_into().expect("16 bytes"))
}

/// A table being filled; [`TableBuilder::finish`] sorts it into a [`Table`].
pub struct TableBuilder<V> {
    buffer: Vec<(u128, V)>,
    runs: Vec<File>,
}

impl<V: Value> Default for TableBuilder<V> {
    fn default() -> TableBuilder<V> {
        TableBuilder {
            buffer: Vec::new(),
            runs: Vec::new(),
        }
    }
}

impl<V: Value> TableBuilder<V> {
    /// Adds a record.
    pub fn push(&mut self, key: u128, value: V) -> io::Result<()> {
        if self.buffer.capacity() == 0 {
            self.buffer.reserve_exact(RUN);
        }
        self.buffer.push((key, value));
        if self.buffer.len() == RUN {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes the buffer, sorted (stably: the first pushed of a key stays first), as a run.
    fn spill(&mut self) -> io::Result<()> {
        self.buffer.sort_by_key(|(key, _)| *key);
        let mut run = BufWriter::new(tempfile::tempfile()?);
        let mut bytes = Vec::with_capacity(record_bytes::<V>());
        for (key, value) in self.buffer.drain(..) {
            bytes.clear();
            bytes.extend_from_slice(&key.to_le_bytes());
            value.put(&mut bytes);
            run.write_all(&bytes)?;
        }
        let mut file = run.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        self.runs.push(file);
        Ok(())
    }

    /// Merges every run into one sorted file, one record per key.
    pub fn finish(self) -> io::Result<Table<V>> {
        let mut out: Option<BufWriter<File>> = None;
        let mut first_keys = Vec::new();
        let mut len = 0u64;
        let mut last: Option<u128> = None;
        self.merge(|key, record| {
            if last == Some(key) {
                return Ok(());
            }
            if len.is_multiple_of(BLOCK as u64) {
                first_keys.push(key);
            }
            let out = match &mut out {
                Some(out) => out,
                None => out.insert(BufWriter::new(tempfile::tempfile()?)),
            };
            out.write_all(record)?;
            len += 1;
            last = Some(key);
            Ok(())
        })?;
        let file = match out {
            Some(out) => Some(out.into_inner().map_err(|e| e.into_error())?),
            None => None,
        };
        first_keys.shrink_to_fit();
        Ok(Table {
            file,
            len,
            first_keys,
            value: PhantomData,
        })
    }

    /// Calls `visit` with every record pushed, duplicates included, smallest key first (of equal
    /// keys, the first pushed first).
    fn each_sorted(self, mut visit: impl FnMut(u128, V)) -> io::Result<()> {
        self.merge(|key, record| {
            visit(key, V::take(&record[KEY_BYTES..]));
            Ok(())
        })
    }

    /// Merges the runs (k-way), handing each record to `visit` in order.
    fn merge(mut self, mut visit: impl FnMut(u128, &[u8]) -> io::Result<()>) -> io::Result<()> {
        let size = record_bytes::<V>();
        if self.runs.is_empty() {
            // Everything fits in the buffer: no run is written.
            self.buffer.sort_by_key(|(key, _)| *key);
            let mut record = Vec::with_capacity(size);
            for (key, value) in std::mem::take(&mut self.buffer) {
                record.clear();
                record.extend_from_slice(&key.to_le_bytes());
                value.put(&mut record);
                visit(key, &record)?;
            }
            return Ok(());
        }
        if !self.buffer.is_empty() {
            self.spill()?;
        }
        self.buffer = Vec::new();
        let mut readers: Vec<BufReader<File>> = self.runs.drain(..).map(BufReader::new).collect();
        let next = |run: usize, readers: &mut Vec<BufReader<File>>| -> io::Result<_> {
            let mut record = vec![0; size];
            match readers[run].read_exact(&mut record) {
                Ok(()) => Ok(Some(record)),
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
                Err(e) => Err(e),
            }
        };
        // Smallest key first; of equal keys the earlier run (pushed earlier) first.
        let mut heads = BinaryHeap::new();
        for run in 0..readers.len() {
            if let Some(record) = next(run, &mut readers)? {
                heads.push(Reverse((key_of(&record), run, record)));
            }
        }
        while let Some(Reverse((key, run, record))) = heads.pop() {
            visit(key, &record)?;
            if let Some(record) = next(run, &mut readers)? {
                heads.push(Reverse((key_of(&record), run, record)));
            }
        }
        Ok(())
    }
}

impl TableBuilder<u64> {
    /// For records `(key, owner)`: calls `visit(key, owner)` for every record of a key that more
    /// than one owner has (the keys two users share, say), smallest key first.
    pub fn each_shared_key(self, mut visit: impl FnMut(u128, u64)) -> io::Result<()> {
        let mut key_now: Option<u128> = None;
        let mut owners: Vec<u64> = Vec::new();
        let mut flush = |key: Option<u128>, owners: &mut Vec<u64>| {
            if let Some(key) = key
                && owners.iter().any(|owner| *owner != owners[0])
            {
                owners.iter().for_each(|owner| visit(key, *owner));
            }
            owners.clear();
        };
        self.each_sorted(|key, owner| {
            if key_now != Some(key) {
                flush(key_now, &mut owners);
                key_now = Some(key);
            }
            owners.push(owner);
        })?;
        flush(key_now, &mut owners);
        Ok(())
    }
}

/// A sorted table on disk (see the module's documentation).
pub struct Table<V> {
    /// `None` for an empty table.
    file: Option<File>,
    len: u64,
    /// The first key of every block.
    first_keys: Vec<u128>,
    value: PhantomData<V>,
}

impl<V> Default for Table<V> {
    /// An empty table (no file).
    fn default() -> Table<V> {
        Table {
            file: None,
            len: 0,
            first_keys: Vec::new(),
            value: PhantomData,
        }
    }
}

impl<V: Value> Table<V> {
    /// The value of `key`, if the table has it.
    pub fn get(&self, key: u128) -> io::Result<Option<V>> {
        let block = self.first_keys.partition_point(|first| *first <= key);
        let (Some(block), Some(file)) = (block.checked_sub(1), &self.file) else {
            return Ok(None);
        };
        let size = record_bytes::<V>();
        let start = block as u64 * BLOCK as u64;
        let records = (self.len - start).min(BLOCK as u64) as usize;
        let mut bytes = vec![0; records * size];
        read_at(file, &mut bytes, start * size as u64)?;
        let block: Vec<&[u8]> = bytes.chunks_exact(size).collect();
        Ok(block
            .binary_search_by_key(&key, |record| key_of(record))
            .ok()
            .map(|at| V::take(&block[at][KEY_BYTES..])))
    }

    /// Every record, smallest key first.
    pub fn iter(&self) -> impl Iterator<Item = io::Result<(u128, V)>> + '_ {
        let size = record_bytes::<V>();
        (0..self.len).map(move |at| {
            let file = self.file.as_ref().expect("a table with records has a file");
            let mut record = vec![0; size];
            read_at(file, &mut record, at * size as u64)?;
            Ok((key_of(&record), V::take(&record[KEY_BYTES..])))
        })
    }

    /// True when the table has `key`.
    pub fn contains(&self, key: u128) -> io::Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// Keys in the table.
    pub fn len(&self) -> u64 {
        self.len
    }
}

/// The error of a temporary table's file, naming the folder and the fix.
pub fn temporary_file_error(err: io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot write or read a temporary file in {} ({err}): set TMPDIR to a folder with free \
         space (up to about 150 bytes per user of the largest pool), then run again",
        std::env::temp_dir().display()
    )
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, bytes, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                bytes = &mut bytes[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// Strings appended to an anonymous temporary file, each found again by the [`Spot`] its append
/// returned: where the names a table's values point to are kept.
pub struct TextFile {
    writer: BufWriter<File>,
    end: u64,
}

/// Where a string is in a [`TextFile`]: its offset (40 bits) and length (24 bits) in one `u64`.
pub type Spot = u64;

impl TextFile {
    /// An empty file.
    pub fn create() -> io::Result<TextFile> {
        Ok(TextFile {
            writer: BufWriter::new(tempfile::tempfile()?),
            end: 0,
        })
    }

    /// Appends `text`; returns where it is.
    pub fn append(&mut self, text: &str) -> io::Result<Spot> {
        let len = text.len() as u64;
        if len >= 1 << 24 || self.end + len >= 1 << 40 {
            return Err(io::Error::other(
                "a text of over 16 MB, or over 1 TB in all",
            ));
        }
        self.writer.write_all(text.as_bytes())?;
        let spot = (self.end << 24) | len;
        self.end += len;
        Ok(spot)
    }

    /// The file, ready to be read (everything appended is written out).
    pub fn finish(self) -> io::Result<Texts> {
        let file = self.writer.into_inner().map_err(|e| e.into_error())?;
        Ok(Texts { file })
    }
}

/// A finished [`TextFile`].
pub struct Texts {
    file: File,
}

impl Texts {
    /// The string at `spot`.
    pub fn get(&self, spot: Spot) -> io::Result<String> {
        let mut bytes = vec![0; (spot & 0xFF_FFFF) as usize];
        read_at(&self.file, &mut bytes, spot >> 24)?;
        String::from_utf8(bytes).map_err(io::Error::other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(i: u128) -> u128 {
        i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    }

    #[test]
    fn finds_every_key_across_runs_and_blocks_and_no_other() {
        let n = 2 * RUN as u128 + 3 * BLOCK as u128 + 5;
        let mut builder = TableBuilder::default();
        // Keys 1..=n spread over the whole range (none is 0 or u128::MAX).
        for i in 1..=n {
            builder.push(spread(i), i).unwrap();
        }
        let table = builder.finish().unwrap();
        assert_eq!(table.len(), n as u64);
        for i in (1..=n).step_by(97).chain([1, n]) {
            assert_eq!(table.get(spread(i)).unwrap(), Some(i), "key {i}");
        }
        assert_eq!(table.get(spread(n + 1)).unwrap(), None);
        let keys: Vec<u128> = table.iter().map(|r| r.unwrap().0).collect();
        assert_eq!(keys.len(), n as usize);
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "in key order");
        assert_eq!(table.get(0).unwrap(), None, "below the first key");
        assert_eq!(table.get(u128::MAX).unwrap(), None, "above the last key");
    }

    #[test]
    fn the_first_value_pushed_for_a_key_is_kept_even_across_runs() {
        let mut builder = TableBuilder::default();
        builder.push(7, 1u64).unwrap();
        for i in 0..RUN as u128 {
            builder.push(spread(i + 100), 0).unwrap();
        }
        builder.push(7, 2).unwrap();
        builder.push(7, 3).unwrap();
        let table = builder.finish().unwrap();
        assert_eq!(table.get(7).unwrap(), Some(1));
        assert_eq!(table.len(), RUN as u64 + 1);
    }

    #[test]
    fn a_set_holds_only_keys_and_an_empty_table_nothing() {
        let mut builder = TableBuilder::<()>::default();
        builder.push(3, ()).unwrap();
        builder.push(1, ()).unwrap();
        let set = builder.finish().unwrap();
        assert!(set.contains(1).unwrap() && set.contains(3).unwrap());
        assert!(!set.contains(2).unwrap());
        let empty = Table::<u128>::default();
        assert_eq!(empty.len(), 0);
        assert_eq!(empty.get(5).unwrap(), None);
    }

    #[test]
    fn each_sorted_visits_every_record_in_key_order_duplicates_too() {
        let mut builder = TableBuilder::default();
        for i in 0..RUN as u64 + 10 {
            builder.push(u128::from(i % 1000), i).unwrap();
        }
        let mut visited = Vec::new();
        builder
            .each_sorted(|key, value| visited.push((key, value)))
            .unwrap();
        assert_eq!(visited.len(), RUN + 10);
        assert!(
            visited.windows(2).all(|w| w[0] <= w[1]),
            "by key, then first pushed first"
        );
        assert_eq!(visited[..2], [(0, 0), (0, 1000)]);
    }

    #[test]
    fn shared_keys_are_those_of_several_owners() {
        let mut builder = TableBuilder::<u64>::default();
        for (key, owner) in [(5, 1), (9, 2), (5, 3), (7, 4), (7, 4), (9, 2), (1, 6)] {
            builder.push(key, owner).unwrap();
        }
        let mut shared = Vec::new();
        builder
            .each_shared_key(|key, owner| shared.push((key, owner)))
            .unwrap();
        assert_eq!(
            shared,
            [(5, 1), (5, 3)],
            "7 and 9 are each one owner's twice"
        );
    }

    #[test]
    fn texts_come_back_from_their_spots() {
        let mut file = TextFile::create().unwrap();
        let a = file.append("uuid-1").unwrap();
        let empty = file.append("").unwrap();
        let b = file.append("Zoë 日本").unwrap();
        let texts = file.finish().unwrap();
        assert_eq!(texts.get(b).unwrap(), "Zoë 日本");
        assert_eq!(texts.get(a).unwrap(), "uuid-1");
        assert_eq!(texts.get(empty).unwrap(), "");
    }
}
