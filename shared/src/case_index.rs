//! The case index: the old pool's sign-in values that hold capital letters, found by their
//! lower-case form, so that the trigger of a case-insensitive new pool can reach the old user
//! behind any letter case a person types — and refuse a sign-up that differs from an old user's
//! value only in case.
//!
//! Why it is needed: a case-insensitive new pool "treats any variation in case as the same user"
//! (<https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html>),
//! but the old pool cannot be asked that way: a case-sensitive pool's `AdminGetUser` needs "the
//! exact capitalization of their given username" (same page), and AWS documents no case rule for
//! the `email` filter of `ListUsers`. The trigger therefore tries the value as typed, then in
//! lower case, then this index — which only has to hold the values that are not lower case
//! already (usually a small share), written once by `cognito-migrate case-index` while the old
//! pool is closed for sign-ups.
//!
//! The file (every number little-endian), records sorted by hash:
//!
//! ```text
//! "cognito-migrate case index 1\n"
//! per record: hash u64 (FNV-1a 64 of the folded value) | field tag u8 | length u16 | value bytes
//! ```
//!
//! A lookup verifies each candidate by folding its value again, so a hash collision never answers.

use crate::sign_in::SignInField;

/// The first bytes of every case index.
pub const MAGIC: &[u8] = b"cognito-migrate case index 1\n";

/// A value as a case-insensitive pool compares it (phone numbers have no case).
pub fn fold(value: &str) -> String {
    value.to_lowercase()
}

/// True when the value has letters whose case a case-insensitive pool ignores: such a value is
/// kept in the index.
pub fn needs_index(value: &str) -> bool {
    fold(value) != value
}

/// FNV-1a 64 of a folded value: stable across builds and versions (the writer and the trigger
/// may be built apart).
pub fn hash(folded: &str) -> u64 {
    folded.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// One record: an old user's exact value of `field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Which value (the old user name, or an e-mail or phone it signs in with).
    pub field: SignInField,
    /// The value exactly as the old pool stores it.
    pub value: String,
}

/// Encodes one record; records must be written in ascending [`hash`] order of their folded value.
pub fn record(entry: &Entry) -> Result<Vec<u8>, CaseIndexError> {
    let length =
        u16::try_from(entry.value.len()).map_err(|_| CaseIndexError::TooLong(entry.value.len()))?;
    let mut bytes = Vec::with_capacity(11 + entry.value.len());
    bytes.extend_from_slice(&hash(&fold(&entry.value)).to_le_bytes());
    bytes.push(entry.field.tag());
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(entry.value.as_bytes());
    Ok(bytes)
}

/// Why a case index cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseIndexError {
    /// The file does not start with [`MAGIC`].
    #[error("not a case index (written by cognito-migrate case-index)")]
    NotAnIndex,
    /// A record is cut short or malformed.
    #[error(
        "the case index is damaged at byte {0}: write it again with cognito-migrate case-index"
    )]
    Damaged(usize),
    /// Records are not in hash order.
    #[error(
        "the case index is not sorted at byte {0}: write it again with cognito-migrate case-index"
    )]
    Unsorted(usize),
    /// A value longer than a record can hold.
    #[error("a value of {0} bytes is too long for the case index")]
    TooLong(usize),
}

/// A case index held in memory, ready for lookups.
#[derive(Debug, Clone, Default)]
pub struct CaseIndex {
    bytes: Vec<u8>,
    /// Per record: its hash and where it starts.
    records: Vec<(u64, usize)>,
}

impl CaseIndex {
    /// Reads an index from its bytes, checking its shape and order.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<CaseIndex, CaseIndexError> {
        if !bytes.starts_with(MAGIC) {
            return Err(CaseIndexError::NotAnIndex);
        }
        let mut records = Vec::new();
        let mut at = MAGIC.len();
        while at < bytes.len() {
            let header = bytes.get(at..at + 11).ok_or(CaseIndexError::Damaged(at))?;
            let hash = u64::from_le_bytes(header[..8].try_into().expect("8 bytes"));
            SignInField::from_tag(header[8]).ok_or(CaseIndexError::Damaged(at))?;
            let length = usize::from(u16::from_le_bytes([header[9], header[10]]));
            let value = bytes
                .get(at + 11..at + 11 + length)
                .ok_or(CaseIndexError::Damaged(at))?;
            std::str::from_utf8(value).map_err(|_| CaseIndexError::Damaged(at))?;
            if records.last().is_some_and(|(last, _)| *last > hash) {
                return Err(CaseIndexError::Unsorted(at));
            }
            records.push((hash, at));
            at += 11 + length;
        }
        Ok(CaseIndex { bytes, records })
    }

    /// Records held.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the index holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The old values of `field` that `typed` matches regardless of case.
    pub fn lookup(&self, field: SignInField, typed: &str) -> Vec<String> {
        let folded = fold(typed);
        let wanted = hash(&folded);
        let start = self.records.partition_point(|(h, _)| *h < wanted);
        self.records[start..]
            .iter()
            .take_while(|(h, _)| *h == wanted)
            .filter_map(|(_, at)| self.entry(*at))
            .filter(|entry| entry.field == field && fold(&entry.value) == folded)
            .map(|entry| entry.value)
            .collect()
    }

    fn entry(&self, at: usize) -> Option<Entry> {
        let field = SignInField::from_tag(self.bytes[at + 8])?;
        let length = usize::from(u16::from_le_bytes([
            self.bytes[at + 9],
            self.bytes[at + 10],
        ]));
        let value = std::str::from_utf8(&self.bytes[at + 11..at + 11 + length]).ok()?;
        Some(Entry {
            field,
            value: value.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(entries: &[(SignInField, &str)]) -> CaseIndex {
        let mut records: Vec<(u64, Vec<u8>)> = entries
            .iter()
            .map(|(field, value)| {
                let entry = Entry {
                    field: *field,
                    value: value.to_string(),
                };
                (hash(&fold(value)), record(&entry).unwrap())
            })
            .collect();
        records.sort();
        let mut bytes = MAGIC.to_vec();
        for (_, record) in records {
            bytes.extend(record);
        }
        CaseIndex::from_bytes(bytes).unwrap()
    }

    #[test]
    fn a_record_is_exactly_these_bytes() {
        let entry = Entry {
            field: SignInField::Email,
            value: "A@b".into(),
        };
        let mut expected = hash("a@b").to_le_bytes().to_vec();
        expected.extend([b'e', 3, 0, b'A', b'@', b'b']);
        assert_eq!(record(&entry).unwrap(), expected);
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325, "FNV-1a offset basis");
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c, "FNV-1a 64 of \"a\"");
    }

    #[test]
    fn any_case_finds_the_exact_old_values_of_its_field() {
        let index = index(&[
            (SignInField::Username, "Admin"),
            (SignInField::Username, "ADMIN"),
            (SignInField::Email, "Ada@Example.com"),
        ]);
        assert_eq!(index.len(), 3);
        let mut admins = index.lookup(SignInField::Username, "aDmIn");
        admins.sort();
        assert_eq!(admins, ["ADMIN", "Admin"], "two old users: ambiguous");
        assert_eq!(
            index.lookup(SignInField::Email, "ada@EXAMPLE.com"),
            ["Ada@Example.com"]
        );
        assert!(
            index
                .lookup(SignInField::Username, "ada@example.com")
                .is_empty()
        );
        assert!(index.lookup(SignInField::Username, "bob").is_empty());
    }

    #[test]
    fn only_values_with_capitals_need_the_index() {
        assert!(needs_index("Ada@example.com"));
        assert!(needs_index("ÉLODIE"));
        assert!(!needs_index("ada@example.com"));
        assert!(!needs_index("+15550100"));
    }

    #[test]
    fn damaged_unsorted_and_foreign_files_are_refused() {
        assert_eq!(
            CaseIndex::from_bytes(b"hello".to_vec()).unwrap_err(),
            CaseIndexError::NotAnIndex
        );
        let mut cut = MAGIC.to_vec();
        cut.extend([1, 2, 3]);
        assert!(matches!(
            CaseIndex::from_bytes(cut),
            Err(CaseIndexError::Damaged(_))
        ));
        let high = record(&Entry {
            field: SignInField::Username,
            value: "B".into(),
        })
        .unwrap();
        let low = record(&Entry {
            field: SignInField::Username,
            value: "A".into(),
        })
        .unwrap();
        let (first, second) = if hash("b") > hash("a") {
            (high, low)
        } else {
            (low, high)
        };
        let mut unsorted = MAGIC.to_vec();
        unsorted.extend(first);
        unsorted.extend(second);
        assert!(matches!(
            CaseIndex::from_bytes(unsorted),
            Err(CaseIndexError::Unsorted(_))
        ));
        assert!(CaseIndex::from_bytes(MAGIC.to_vec()).unwrap().is_empty());
    }
}
