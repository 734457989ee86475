//! Cognito's CSV user-import format: one function writes a row, one reads it back.
//!
//! The format is not RFC 4180. From AWS's guide "Creating the user import CSV file": values are
//! never quoted, a comma inside a value is written as `\,`, the file is UTF-8 without BOM, a row
//! has at most 16,000 characters, `birthdate` is `mm/dd/yyyy`, `updated_at` is epoch seconds,
//! booleans are written as in AWS's sample (`TRUE`/`FALSE`), and leading or trailing white space
//! is trimmed by the importer. A value this format cannot carry faithfully (a line break, a
//! backslash right before a comma or at the end, a leading double quote, a control character)
//! is refused with a reason instead of producing a row the importer would misread.

use std::collections::{BTreeMap, BTreeSet};

use crate::attributes::{self, BIRTHDATE, CSV_MFA_ENABLED, CSV_USERNAME};
use crate::{MigratedUser, RejectReason, validate};

/// The longest row the import job accepts, in characters.
pub const MAX_ROW_CHARS: usize = 16_000;
/// The most users one import file may hold.
pub const MAX_ROWS_PER_FILE: u64 = 500_000;
/// The largest import file, in bytes (AWS: 100 MB).
pub const MAX_FILE_BYTES: u64 = 100_000_000;

/// The columns of an import file, exactly as the new pool's `GetCSVHeader` returned them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportHeader {
    columns: Vec<String>,
}

/// A header that cannot be used for an import file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the new pool's CSV header has no {missing} column: {columns:?}")]
pub struct HeaderError {
    missing: &'static str,
    columns: Vec<String>,
}

impl ImportHeader {
    /// Takes the header columns; `cognito:username` and `cognito:mfa_enabled` must be among them.
    pub fn new(columns: Vec<String>) -> Result<ImportHeader, HeaderError> {
        for required in [CSV_USERNAME, CSV_MFA_ENABLED] {
            if !columns.iter().any(|c| c == required) {
                return Err(HeaderError {
                    missing: required,
                    columns,
                });
            }
        }
        Ok(ImportHeader { columns })
    }

    /// The columns in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The header line, with its line break.
    pub fn line(&self) -> String {
        let mut line = self.columns.join(",");
        line.push('\n');
        line
    }

    /// The user attributes the file can carry (every column but `cognito:*`).
    pub fn attribute_columns(&self) -> BTreeSet<String> {
        self.columns
            .iter()
            .filter(|c| !c.starts_with("cognito:"))
            .cloned()
            .collect()
    }

    /// Encodes one user as a row (with its line break), or says why it cannot be written.
    ///
    /// Attributes without a column are not written; checking that none are lost is
    /// [`crate::TargetRules::check`]'s job.
    pub fn encode(&self, user: &MigratedUser, mfa_enabled: bool) -> Result<String, RejectReason> {
        check_username(&user.username)?;
        let mut row = String::new();
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                row.push(',');
            }
            let value = match column.as_str() {
                CSV_USERNAME => user.username.clone(),
                CSV_MFA_ENABLED => bool_field(mfa_enabled).to_string(),
                name => match user.attribute(name) {
                    None => continue,
                    Some(value) => format_value(name, value)?,
                },
            };
            escape_into(column, &value, &mut row)?;
        }
        let length = row.chars().count();
        if length > MAX_ROW_CHARS {
            return Err(RejectReason::RowTooLong { length });
        }
        row.push('\n');
        Ok(row)
    }
}

fn bool_field(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

fn check_username(username: &str) -> Result<(), RejectReason> {
    let problem = if username.is_empty() {
        "is empty"
    } else if username.contains([' ', '\t']) {
        "contains a space or tab, which the import format does not allow"
    } else {
        return Ok(());
    };
    Err(RejectReason::InvalidUsername {
        problem: problem.to_string(),
    })
}

/// The column form of a normalised attribute value.
fn format_value(name: &str, value: &str) -> Result<String, RejectReason> {
    if attributes::is_boolean(name) {
        return Ok(bool_field(value == "true").to_string());
    }
    if name == BIRTHDATE {
        let (year, month, day) =
            validate::parse_birthdate(value).ok_or_else(|| RejectReason::InvalidValue {
                attribute: name.to_string(),
                problem: "is not a date in the form YYYY-MM-DD".to_string(),
            })?;
        return Ok(format!("{month:02}/{day:02}/{year:04}"));
    }
    Ok(value.to_string())
}

/// Appends `value` to `row` in the import dialect, refusing what would not read back unchanged.
fn escape_into(column: &str, value: &str, row: &mut String) -> Result<(), RejectReason> {
    let refuse = |problem: &str| RejectReason::NotExpressibleInCsv {
        attribute: column.to_string(),
        problem: problem.to_string(),
    };
    if value.trim() != value {
        return Err(refuse(
            "has leading or trailing white space (the importer trims it)",
        ));
    }
    if value.starts_with('"') {
        return Err(refuse("starts with a double quote"));
    }
    if value.ends_with('\\') {
        return Err(refuse("ends with a backslash"));
    }
    let mut previous = None;
    for c in value.chars() {
        match c {
            '\n' | '\r' => return Err(refuse("contains a line break")),
            ',' if previous == Some('\\') => {
                return Err(refuse("contains a backslash right before a comma"));
            }
            ',' => row.push_str("\\,"),
            c if c.is_control() && c != '\t' => return Err(refuse("contains a control character")),
            c => row.push(c),
        }
        previous = Some(c);
    }
    Ok(())
}

/// Splits one import row (without its line break) into values, undoing `\,`.
///
/// This is how the importer reads the dialect [`ImportHeader::encode`] writes; tests and the
/// `verify` tooling use it to prove rows round-trip.
pub fn decode_row(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                chars.next();
                fields.last_mut().expect("never empty").push(',');
            }
            ',' => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

/// One row read back as the API holds the user: the `cognito:username` value and the attributes
/// in their API form (booleans `true`/`false`, `birthdate` `YYYY-MM-DD`), empty values left out.
///
/// The inverse of [`ImportHeader::encode`] for rows it wrote; used where a user from an export
/// file is created through the API instead of an import job (users disabled in the old pool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRow {
    /// The `cognito:username` value.
    pub username: String,
    /// Attribute name → API value.
    pub attributes: BTreeMap<String, String>,
}

impl ImportHeader {
    /// Reads one row (without its line break) of a file with this header; `Err` says what is wrong
    /// with it.
    pub fn decode(&self, line: &str) -> Result<DecodedRow, String> {
        let values = decode_row(line);
        if values.len() != self.columns.len() {
            return Err(format!(
                "has {} values where the header has {} columns",
                values.len(),
                self.columns.len()
            ));
        }
        let mut username = String::new();
        let mut attributes = BTreeMap::new();
        for (column, value) in self.columns.iter().zip(values) {
            match column.as_str() {
                CSV_USERNAME => username = value,
                CSV_MFA_ENABLED => {}
                _ if value.is_empty() => {}
                name => {
                    let value = api_value(name, &value).ok_or_else(|| {
                        format!("{name} value {value:?} is not in the import form")
                    })?;
                    attributes.insert(name.to_string(), value);
                }
            }
        }
        if username.is_empty() {
            return Err("has no cognito:username".to_string());
        }
        Ok(DecodedRow {
            username,
            attributes,
        })
    }
}

/// The API form of a column value: the inverse of [`format_value`].
fn api_value(name: &str, value: &str) -> Option<String> {
    if attributes::is_boolean(name) {
        return match value.to_ascii_lowercase().as_str() {
            "true" => Some("true".to_string()),
            "false" => Some("false".to_string()),
            _ => None,
        };
    }
    if name == BIRTHDATE {
        let mut parts = value.split('/');
        let (month, day, year) = (parts.next()?, parts.next()?, parts.next()?);
        let iso = format!("{year}-{month}-{day}");
        validate::parse_birthdate(&iso)?;
        return Some(iso);
    }
    Some(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mapping, SourceStatus, SourceUser};

    fn header() -> ImportHeader {
        ImportHeader::new(
            [
                "cognito:username",
                "name",
                "email",
                "email_verified",
                "birthdate",
                "updated_at",
                "cognito:mfa_enabled",
                "custom:note",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap()
    }

    fn user(pairs: &[(&str, &str)]) -> MigratedUser {
        let mut source = SourceUser::new("ada", SourceStatus::Confirmed);
        for (k, v) in pairs {
            source = source.with(k, v);
        }
        Mapping::default()
            .without_legacy_sub()
            .apply(&source)
            .unwrap()
    }

    #[test]
    fn writes_the_documented_forms_exactly() {
        let u = user(&[
            ("name", "Lovelace, Ada"),
            ("email", "ada@example.com"),
            ("email_verified", "true"),
            ("birthdate", "1985-02-01"),
            ("updated_at", "1471453471"),
        ]);
        assert_eq!(
            header().encode(&u, false).unwrap(),
            "ada,Lovelace\\, Ada,ada@example.com,TRUE,02/01/1985,1471453471,FALSE,\n"
        );
        assert_eq!(
            header().line(),
            "cognito:username,name,email,email_verified,birthdate,updated_at,cognito:mfa_enabled,custom:note\n"
        );
    }

    #[test]
    fn hostile_values_round_trip_or_are_refused() {
        for value in [
            "a,b,,c",
            "Zoë 🦀 日本語",
            "back\\slash",
            "say \"hi\"",
            "tab\tinside",
            "x".repeat(2000).as_str(),
        ] {
            let u = user(&[("custom:note", value)]);
            let row = header().encode(&u, true).unwrap();
            let fields = decode_row(row.trim_end_matches('\n'));
            assert_eq!(fields.len(), header().columns().len(), "{row}");
            assert_eq!(fields[7], value);
        }
        for (value, problem) in [
            ("two\nlines", "contains a line break"),
            ("ends\\", "ends with a backslash"),
            ("a\\,b", "contains a backslash right before a comma"),
            ("\"quoted\"", "starts with a double quote"),
            ("bell\u{7}", "contains a control character"),
        ] {
            let u = user(&[("custom:note", value)]);
            let err = header().encode(&u, true).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("custom:note {problem}, which the CSV import format cannot carry")
            );
        }
    }

    #[test]
    fn long_rows_are_refused() {
        let u = user(&[("custom:note", &"x".repeat(16_001))]);
        assert_eq!(
            header().encode(&u, false).unwrap_err().code(),
            "row-too-long"
        );
    }

    #[test]
    fn usernames_without_spaces_only() {
        let mut u = user(&[]);
        u.username = "ada lovelace".into();
        assert_eq!(
            header().encode(&u, false).unwrap_err().code(),
            "invalid-username"
        );
    }

    #[test]
    fn a_header_needs_the_cognito_columns() {
        assert!(ImportHeader::new(vec!["email".into()]).is_err());
        assert_eq!(
            header().attribute_columns().into_iter().collect::<Vec<_>>(),
            [
                "birthdate",
                "custom:note",
                "email",
                "email_verified",
                "name",
                "updated_at"
            ]
        );
    }

    #[test]
    fn rows_read_back_into_the_api_form() {
        let u = user(&[
            ("name", "Lovelace, Ada"),
            ("email", "ada@example.com"),
            ("email_verified", "true"),
            ("birthdate", "1985-02-01"),
        ]);
        let row = header().encode(&u, false).unwrap();
        let decoded = header().decode(row.trim_end_matches('\n')).unwrap();
        assert_eq!(decoded.username, "ada");
        assert_eq!(decoded.attributes, u.attributes);
        assert!(header().decode("ada,x").unwrap_err().contains("8 columns"));
        assert!(
            header()
                .decode("ada,,,maybe,,,FALSE,")
                .unwrap_err()
                .contains("email_verified")
        );
        assert!(
            header()
                .decode(",,,,,,FALSE,")
                .unwrap_err()
                .contains("cognito:username")
        );
    }
}
