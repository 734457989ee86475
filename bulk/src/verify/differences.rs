//! The optional differences report of `verify`: `username,kind,detail`, naming attributes and
//! groups, never attribute values.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::report_csv::csv_record;

/// Where differences go: a CSV file, or nowhere when none was asked for.
pub struct Differences(Option<BufWriter<File>>);

impl Differences {
    /// Creates the report at `path` (with its header), or a report that discards everything.
    pub fn create(path: Option<&Path>) -> anyhow::Result<Differences> {
        let Some(path) = path else {
            return Ok(Differences(None));
        };
        let file = crate::private_files::create(path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        let mut writer = BufWriter::new(file);
        writer.write_all(&csv_record(&["username", "kind", "detail"]))?;
        Ok(Differences(Some(writer)))
    }

    /// Records one difference.
    pub fn note(&mut self, username: &str, kind: &str, detail: &str) -> anyhow::Result<()> {
        if let Some(writer) = &mut self.0 {
            writer.write_all(&csv_record(&[username, kind, detail]))?;
        }
        Ok(())
    }

    /// Flushes the report.
    pub fn finish(self) -> anyhow::Result<()> {
        if let Some(mut writer) = self.0 {
            writer.flush()?;
        }
        Ok(())
    }
}
