//! Which rows of an export the canary imports: the rows that cover every kind of value the files
//! hold, plus a few random ones.
//!
//! Covered, each by the first row (in file order) that shows it: every column that is ever
//! non-empty, each escaping case (an escaped comma `\,`, another backslash, a double quote,
//! non-ASCII text), every distinct `cognito:mfa_enabled` value, a user with a phone number and no
//! e-mail; then the [`LONGEST`] longest rows. The random rows are drawn from the others with a
//! seeded generator, so a run is repeated exactly by giving its seed again.
//!
//! Rows are numbered across the files in file order (`seq`), so the choice streams: one pass
//! offers every row to [`Coverage`], [`random_rows`] draws numbers, and a second pass picks the
//! chosen rows' text out of the files.

use std::collections::{BTreeMap, BTreeSet};

use shared::attributes::{CSV_MFA_ENABLED, EMAIL, PHONE_NUMBER};
use shared::import_csv::decode_row;

/// How many of the longest rows are always taken.
pub const LONGEST: usize = 3;

/// The reason given for a random row.
pub const RANDOM_ROW: &str = "a random row";

/// Why rows were chosen, by row number (`seq`), in the order the reasons were found.
pub type Reasons = BTreeMap<u64, Vec<String>>;

/// Whether a raw row shows one escaping case.
type Shows = fn(&str) -> bool;

/// The escaping cases a raw row can show, each with the test that finds it.
const ESCAPES: [(&str, Shows); 4] = [
    ("an escaped comma", |row| row.contains("\\,")),
    ("a backslash", |row| {
        row.match_indices('\\')
            .any(|(at, _)| !row[at + 1..].starts_with(','))
    }),
    ("a double quote", |row| row.contains('"')),
    ("non-ASCII text", |row| !row.is_ascii()),
];

/// Finds, in one pass, the rows that cover every kind of value.
#[derive(Debug)]
pub struct Coverage {
    columns: Vec<String>,
    chosen: Reasons,
    found: BTreeSet<String>,
    /// `(characters, seq)` of the longest rows so far, longest first.
    longest: Vec<(usize, u64)>,
    rows: u64,
}

impl Coverage {
    /// Coverage of files with these header columns.
    pub fn new(columns: &[String]) -> Coverage {
        Coverage {
            columns: columns.to_vec(),
            chosen: Reasons::new(),
            found: BTreeSet::new(),
            longest: Vec::new(),
            rows: 0,
        }
    }

    /// Looks at row number `seq` (its text without the line break). Rows come in `seq` order.
    pub fn offer(&mut self, seq: u64, row: &str) {
        self.rows += 1;
        let values = decode_row(row);
        let value = |name: &str| {
            self.columns
                .iter()
                .position(|c| c == name)
                .and_then(|i| values.get(i))
                .map(String::as_str)
                .unwrap_or_default()
        };
        let mut kinds = Vec::new();
        for (column, value) in self.columns.iter().zip(&values) {
            if !value.is_empty() && column != CSV_MFA_ENABLED {
                kinds.push(format!("the first non-empty {column}"));
            }
        }
        for (case, shows) in ESCAPES {
            if shows(row) {
                kinds.push(format!("the first row with {case}"));
            }
        }
        kinds.push(format!(
            "the first {CSV_MFA_ENABLED} {:?}",
            value(CSV_MFA_ENABLED)
        ));
        if !value(PHONE_NUMBER).is_empty() && value(EMAIL).is_empty() {
            kinds.push("the first user with a phone number and no e-mail".to_string());
        }
        for kind in kinds {
            if self.found.insert(kind.clone()) {
                self.chosen.entry(seq).or_default().push(kind);
            }
        }
        let length = row.chars().count();
        let place = self.longest.partition_point(|&(l, _)| l >= length);
        if place < LONGEST {
            self.longest.insert(place, (length, seq));
            self.longest.truncate(LONGEST);
        }
    }

    /// Rows seen so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The chosen rows and why.
    pub fn finish(mut self) -> Reasons {
        for (length, seq) in self.longest {
            self.chosen.entry(seq).or_default().push(format!(
                "one of the {LONGEST} longest rows ({length} characters)"
            ));
        }
        self.chosen
    }
}

/// `count` row numbers below `rows`, none of them in `taken`, drawn with `seed`; all the others
/// when fewer than `count` are left.
pub fn random_rows(rows: u64, taken: &BTreeSet<u64>, count: usize, seed: u64) -> BTreeSet<u64> {
    let left = rows.saturating_sub(taken.len() as u64);
    if left <= count as u64 {
        return (0..rows).filter(|seq| !taken.contains(seq)).collect();
    }
    let mut random = SplitMix64(seed);
    let mut drawn = BTreeSet::new();
    while drawn.len() < count {
        let seq = random.next() % rows;
        if !taken.contains(&seq) {
            drawn.insert(seq);
        }
    }
    drawn
}

/// The whole choice: coverage rows and their reasons, plus `count` random rows ([`RANDOM_ROW`]).
pub fn choose(coverage: Coverage, count: usize, seed: u64) -> Reasons {
    let rows = coverage.rows();
    let mut chosen = coverage.finish();
    let taken: BTreeSet<u64> = chosen.keys().copied().collect();
    for seq in random_rows(rows, &taken, count, seed) {
        chosen.insert(seq, vec![RANDOM_ROW.to_string()]);
    }
    chosen
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, and the same sequence for a seed on every
/// platform and version, which a library generator does not promise.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<String> {
        [
            "cognito:username",
            "name",
            "email",
            "phone_number",
            "cognito:mfa_enabled",
        ]
        .map(String::from)
        .to_vec()
    }

    fn offered(rows: &[&str]) -> Coverage {
        let mut coverage = Coverage::new(&columns());
        for (seq, row) in rows.iter().enumerate() {
            coverage.offer(seq as u64, row);
        }
        coverage
    }

    #[test]
    fn each_kind_of_value_is_covered_by_its_first_row() {
        let rows = [
            "ada,Ada,ada@example.com,,FALSE",
            "bob,Bob,bob@example.com,,FALSE",
            "cy,Lovelace\\, Cy,cy@example.com,,FALSE",
            "dee,D\\e,,+15550100,TRUE",
            "eve,Zoë,eve@example.com,,FALSE",
            "fay,Fay,fay@example.com,,FALSE",
            "gus,Gus \"G\",gus@example.com,+15550101,FALSE",
        ];
        let chosen = offered(&rows).finish();
        let reasons = |seq: u64| chosen.get(&seq).cloned().unwrap_or_default();
        assert_eq!(
            reasons(0),
            [
                "the first non-empty cognito:username",
                "the first non-empty name",
                "the first non-empty email",
                "the first cognito:mfa_enabled \"FALSE\"",
                "one of the 3 longest rows (30 characters)",
            ]
        );
        assert_eq!(
            reasons(2),
            [
                "the first row with an escaped comma",
                "one of the 3 longest rows (38 characters)",
            ]
        );
        assert_eq!(
            reasons(3),
            [
                "the first non-empty phone_number",
                "the first row with a backslash",
                "the first cognito:mfa_enabled \"TRUE\"",
                "the first user with a phone number and no e-mail",
            ]
        );
        assert_eq!(reasons(4), ["the first row with non-ASCII text"]);
        assert_eq!(
            reasons(6),
            [
                "the first row with a double quote",
                "one of the 3 longest rows (43 characters)",
            ]
        );
        assert_eq!(chosen.keys().copied().collect::<Vec<_>>(), [0, 2, 3, 4, 6]);
    }

    #[test]
    fn random_rows_are_the_same_for_a_seed_and_avoid_the_covered_ones() {
        let taken = BTreeSet::from([0, 1, 2]);
        let first = random_rows(1000, &taken, 5, 42);
        assert_eq!(first, random_rows(1000, &taken, 5, 42));
        assert_eq!(first.len(), 5);
        assert!(first.iter().all(|seq| *seq >= 3 && *seq < 1000));
        assert_ne!(first, random_rows(1000, &taken, 5, 43));
        assert_eq!(
            random_rows(5, &taken, 10, 42),
            BTreeSet::from([3, 4]),
            "fewer rows left than asked: all of them"
        );
    }

    #[test]
    fn the_choice_is_coverage_plus_the_random_rows() {
        let rows: Vec<String> = (0..50)
            .map(|i| format!("u{i:02},Name,u{i:02}@example.com,,FALSE"))
            .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let chosen = choose(offered(&rows), 2, 7);
        let random: Vec<u64> = chosen
            .iter()
            .filter(|(_, why)| why == &&[RANDOM_ROW.to_string()])
            .map(|(seq, _)| *seq)
            .collect();
        assert_eq!(random, [4, 37]);
        assert_eq!(chosen.len(), 5, "{chosen:?}");
    }
}
