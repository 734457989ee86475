//! Report files (`rejected.csv`, `skipped.csv`, differences, ...) are ordinary RFC 4180 CSV, unlike
//! the import files: any spreadsheet or `csv` reader opens them.

/// Encodes one RFC 4180 record, with its line break.
pub fn csv_record(fields: &[&str]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(fields)
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
}
