//! The map and the unmapped report, made from `rows.csv` once the new pool is read whole, each
//! sorted (the map by old `sub`, the report by new `sub`) and put in place atomically: two runs
//! over the same pools write the same bytes, whatever `--segments` and however often a run was
//! interrupted, and a reader never sees half a map. Sorting goes through tables on disk
//! ([`crate::disk_table`]), so the memory used is the same for any pool size.
//!
//! A new-pool user is mapped only when its legacy id is the `sub` of an old user
//! ([`shared::identity`]) and no other new-pool user carries the same legacy id: of two users
//! claiming one old user at most one is that user, and the map cannot tell which, so both are
//! reported (`legacy-id-shared`) instead of re-keying an app's data to the wrong one.

use std::path::Path;

use super::rows::Row;
use super::state::{Trusted, each_record};
use crate::atomic_json::AtomicBytes;
use crate::disk_table::{Spot, Table, TableBuilder, TextFile, temporary_file_error};
use crate::fingerprint;
use crate::report_csv::csv_record;

/// The map's columns.
pub const MAP_HEADER: [&str; 4] = ["old_sub", "new_sub", "old_username", "new_username"];
/// The unmapped report's columns.
pub const UNMAPPED_HEADER: [&str; 4] = ["new_sub", "new_username", "legacy_id", "reason"];
/// Reason: no old user has the legacy id as `sub`.
pub const NO_OLD_USER: &str = "no-old-user";
/// Reason: another new-pool user carries the same legacy id.
pub const LEGACY_ID_SHARED: &str = "legacy-id-shared";

/// How the new-pool users with a legacy id came out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MapCounts {
    /// Rows of the map.
    pub mapped: u64,
    /// Users whose legacy id is no old user's `sub`.
    pub no_old_user: u64,
    /// Users of an old user's `sub` that another new-pool user carries too.
    pub legacy_id_shared: u64,
}

/// The order of ids in the files: a lower-case UUID (every Cognito `sub`) by its value, which is
/// its text's order; anything else after a fingerprint, in an order that is at least the same on
/// every run.
pub fn sort_key(id: &str) -> u128 {
    let bytes = id.as_bytes();
    let uuid = bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => matches!(b, b'0'..=b'9' | b'a'..=b'f'),
        });
    match uuid {
        true => u128::from_str_radix(&id.replace('-', ""), 16).expect("32 hex digits"),
        false => fingerprint::key(b'k', id),
    }
}

/// Rows sorted on disk by a key, each kept as its finished CSV line.
struct SortedLines {
    order: TableBuilder<Spot>,
    lines: TextFile,
    count: u64,
}

impl SortedLines {
    fn new() -> anyhow::Result<SortedLines> {
        Ok(SortedLines {
            order: TableBuilder::default(),
            lines: TextFile::create().map_err(temporary_file_error)?,
            count: 0,
        })
    }

    fn add(&mut self, key: u128, fields: &[&str]) -> anyhow::Result<()> {
        let line = String::from_utf8(csv_record(fields)).expect("fields are text");
        let spot = self.lines.append(&line).map_err(temporary_file_error)?;
        self.order.push(key, spot).map_err(temporary_file_error)?;
        self.count += 1;
        Ok(())
    }

    /// Writes `header` and the lines in key order to `path`, atomically.
    fn write(self, path: &Path, header: &[&str]) -> anyhow::Result<()> {
        let cannot = |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
        let order = self.order.finish().map_err(temporary_file_error)?;
        let lines = self.lines.finish().map_err(temporary_file_error)?;
        let mut file = AtomicBytes::create(path).map_err(cannot)?;
        file.write(&csv_record(header)).map_err(cannot)?;
        for entry in order.iter() {
            let (_, spot) = entry.map_err(temporary_file_error)?;
            let line = lines.get(spot).map_err(temporary_file_error)?;
            file.write(line.as_bytes()).map_err(cannot)?;
        }
        file.commit().map_err(cannot)
    }
}

/// The legacy ids more than one row of `rows.csv` carries.
fn shared_legacy_ids(rows: &Path, trusted: Trusted) -> anyhow::Result<Table<()>> {
    let mut carriers = TableBuilder::<u64>::default();
    let mut index = 0u64;
    each_record(rows, trusted, |r| {
        index += 1;
        carriers
            .push(sort_key(Row::of(r).legacy_id), index)
            .map_err(temporary_file_error)
    })?;
    let mut shared = TableBuilder::<()>::default();
    let mut failure = Ok(());
    carriers
        .each_shared_key(|key, _| {
            if failure.is_ok() {
                failure = shared.push(key, ());
            }
        })
        .map_err(temporary_file_error)?;
    failure.map_err(temporary_file_error)?;
    shared.finish().map_err(temporary_file_error)
}

/// Writes the map to `map` and, when asked, the unmapped report to `unmapped`, from the rows of
/// `rows.csv` up to `trusted`.
pub fn write(
    rows: &Path,
    trusted: Trusted,
    map: &Path,
    unmapped: Option<&Path>,
) -> anyhow::Result<MapCounts> {
    let shared = shared_legacy_ids(rows, trusted)?;
    let mut mapped = SortedLines::new()?;
    let mut reported = SortedLines::new()?;
    let mut counts = MapCounts::default();
    each_record(rows, trusted, |r| {
        let row = Row::of(r);
        let key = sort_key(row.legacy_id);
        let reason = match row.old_username {
            None => NO_OLD_USER,
            Some(_) if shared.contains(key).map_err(temporary_file_error)? => LEGACY_ID_SHARED,
            Some(old_username) => {
                let fields = [row.legacy_id, row.new_sub, old_username, row.new_username];
                return mapped.add(key, &fields);
            }
        };
        match reason {
            NO_OLD_USER => counts.no_old_user += 1,
            _ => counts.legacy_id_shared += 1,
        }
        if unmapped.is_some() {
            let fields = [row.new_sub, row.new_username, row.legacy_id, reason];
            reported.add(sort_key(row.new_sub), &fields)?;
        }
        Ok(())
    })?;
    counts.mapped = mapped.count;
    mapped.write(map, &MAP_HEADER)?;
    if let Some(path) = unmapped {
        reported.write(path, &UNMAPPED_HEADER)?;
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::super::state::{AppendFile, record};
    use super::*;

    const A: &str = "0a0a0a0a-0000-4000-8000-000000000001";
    const B: &str = "b0000000-0000-4000-8000-000000000002";
    const C: &str = "c0000000-0000-4000-8000-000000000003";

    #[test]
    fn uuids_sort_as_their_text_and_other_ids_still_sort() {
        let mut ids = [C, A, B];
        ids.sort_by_key(|id| sort_key(id));
        assert_eq!(ids, [A, B, C]);
        assert_ne!(sort_key("s-1"), sort_key("s-2"));
        assert_ne!(
            sort_key(&A.to_uppercase()),
            sort_key(A),
            "ids are exact: another case is another id"
        );
    }

    fn rows_file(dir: &Path, rows: &[[&str; 4]]) -> (std::path::PathBuf, Trusted) {
        let path = dir.join("rows.csv");
        let mut file = AppendFile::open(&path, Trusted::default()).unwrap();
        for row in rows {
            file.append(&record(row)).unwrap();
        }
        (path.clone(), file.sync().unwrap())
    }

    #[test]
    fn the_map_is_sorted_by_old_sub_and_unproven_or_shared_ids_are_reported_not_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let (rows, trusted) = rows_file(
            dir.path(),
            &[
                // legacy id, new sub, old user name (empty: none), new user name
                [C, "new-c", "carol", "carol@example.com"],
                ["not-an-old-sub", "new-x", "", "=mallory"],
                [A, "new-a", "-ada", "ada@example.com"],
                [B, "new-b1", "bob", "bob"],
                [B, "new-b2", "bob", "bob2"],
            ],
        );
        let map = dir.path().join("map.csv");
        let unmapped = dir.path().join("unmapped.csv");
        let counts = write(&rows, trusted, &map, Some(&unmapped)).unwrap();
        assert_eq!(
            counts,
            MapCounts {
                mapped: 2,
                no_old_user: 1,
                legacy_id_shared: 2
            }
        );
        assert_eq!(
            std::fs::read_to_string(&map).unwrap(),
            format!(
                "old_sub,new_sub,old_username,new_username\n\
                 {A},new-a,'-ada,ada@example.com\n\
                 {C},new-c,carol,carol@example.com\n"
            )
        );
        let report = std::fs::read_to_string(&unmapped).unwrap();
        let mut lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines.remove(0), "new_sub,new_username,legacy_id,reason");
        lines.sort();
        assert_eq!(
            lines,
            [
                format!("new-b1,bob,{B},legacy-id-shared"),
                format!("new-b2,bob2,{B},legacy-id-shared"),
                "new-x,'=mallory,not-an-old-sub,no-old-user".to_string(),
            ]
        );
        let again = dir.path().join("again.csv");
        write(&rows, trusted, &again, None).unwrap();
        assert_eq!(std::fs::read(&again).unwrap(), std::fs::read(&map).unwrap());
    }

    #[test]
    fn no_rows_give_a_header_only_map() {
        let dir = tempfile::tempdir().unwrap();
        let (rows, trusted) = rows_file(dir.path(), &[]);
        let map = dir.path().join("map.csv");
        assert_eq!(
            write(&rows, trusted, &map, None).unwrap(),
            MapCounts::default()
        );
        assert_eq!(
            std::fs::read_to_string(&map).unwrap(),
            "old_sub,new_sub,old_username,new_username\n"
        );
    }
}
