//! The sample as a file: the export's `users-NNNN.csv` read twice (once to choose, once to pick
//! the chosen rows out), and `canary-sample.csv` written in the export folder with the same
//! header, so the imported file can be looked at after the run.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use shared::import_csv::ImportHeader;

use super::sample::{self, Coverage};

/// The sample file's name in the export folder.
pub const SAMPLE_FILE: &str = "canary-sample.csv";

/// One sampled row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampledRow {
    /// Its export file.
    pub file: String,
    /// Its line number in that file (the header is line 1).
    pub line: u64,
    /// Its text, without the line break.
    pub text: String,
    /// Why it was chosen.
    pub reasons: Vec<String>,
}

/// The chosen rows and where they are.
#[derive(Debug)]
pub struct Sample {
    /// The export's header.
    pub header: ImportHeader,
    /// Rows in the export.
    pub rows_in_export: u64,
    /// The chosen rows; the `i`-th is line `i + 2` of the sample file.
    pub rows: Vec<SampledRow>,
    /// The sample file.
    pub path: PathBuf,
}

/// Chooses the sample from `files` (names in `dir`, in order) and writes it.
pub fn write_sample(
    dir: &Path,
    files: &[String],
    random: usize,
    seed: u64,
) -> anyhow::Result<Sample> {
    let header = read_header(dir, files)?;
    let mut coverage = Coverage::new(header.columns());
    let mut seq = 0u64;
    for_each_row(dir, files, |_, _, text| {
        coverage.offer(seq, text);
        seq += 1;
    })?;
    let rows_in_export = coverage.rows();
    let mut chosen = sample::choose(coverage, random, seed);
    let mut rows = Vec::with_capacity(chosen.len());
    seq = 0;
    for_each_row(dir, files, |file, line, text| {
        if let Some(reasons) = chosen.remove(&seq) {
            rows.push(SampledRow {
                file: file.to_string(),
                line,
                text: text.to_string(),
                reasons,
            });
        }
        seq += 1;
    })?;
    let path = dir.join(SAMPLE_FILE);
    let mut text = header.line();
    for row in &rows {
        text.push_str(&row.text);
        text.push('\n');
    }
    let mut out = crate::private_files::create(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Sample {
        header,
        rows_in_export,
        rows,
        path,
    })
}

/// The header every file starts with; files with different headers were not written by one
/// export.
fn read_header(dir: &Path, files: &[String]) -> anyhow::Result<ImportHeader> {
    let mut header: Option<(String, String)> = None;
    for name in files {
        let path = dir.join(name);
        let mut first = String::new();
        BufReader::new(
            File::open(&path).with_context(|| format!("cannot read {}", path.display()))?,
        )
        .read_line(&mut first)
        .with_context(|| format!("cannot read {}", path.display()))?;
        let first = first.trim_end_matches(['\n', '\r']).to_string();
        match &header {
            None => header = Some((name.clone(), first)),
            Some((earlier, line)) if *line != first => anyhow::bail!(
                "{name} and {earlier} in {} have different headers: they were not written by one \
                 export",
                dir.display()
            ),
            Some(_) => {}
        }
    }
    let (name, line) = header
        .ok_or_else(|| anyhow::anyhow!("{} holds no users-NNNN.csv to sample", dir.display()))?;
    ImportHeader::new(line.split(',').map(str::to_string).collect())
        .with_context(|| format!("{name} does not start with an import header"))
}

/// Calls `row(file, line number, text)` for every data row of every file, in order.
fn for_each_row(
    dir: &Path,
    files: &[String],
    mut row: impl FnMut(&str, u64, &str),
) -> anyhow::Result<()> {
    for name in files {
        let path = dir.join(name);
        let reader = BufReader::new(
            File::open(&path).with_context(|| format!("cannot read {}", path.display()))?,
        );
        for (index, text) in reader.lines().enumerate().skip(1) {
            let text = text.with_context(|| format!("cannot read {}", path.display()))?;
            let text = text.trim_end_matches('\r');
            if !text.is_empty() {
                row(name, index as u64 + 1, text);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_file_holds_the_chosen_rows_under_the_export_header() {
        let dir = tempfile::tempdir().unwrap();
        let header = "cognito:username,name,email,phone_number,cognito:mfa_enabled\n";
        std::fs::write(
            dir.path().join("users-0001.csv"),
            format!("{header}ada,Ada,ada@example.com,,FALSE\nbob,Bob,bob@example.com,,FALSE\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("users-0002.csv"),
            format!("{header}cy,Zoë,,+15550100,TRUE\n"),
        )
        .unwrap();
        let files = ["users-0001.csv".to_string(), "users-0002.csv".to_string()];
        let sample = write_sample(dir.path(), &files, 0, 1).unwrap();
        assert_eq!(sample.rows_in_export, 3);
        let picked: Vec<(&str, u64)> = sample
            .rows
            .iter()
            .map(|r| (r.file.as_str(), r.line))
            .collect();
        assert_eq!(
            picked,
            [
                ("users-0001.csv", 2),
                ("users-0001.csv", 3),
                ("users-0002.csv", 2)
            ]
        );
        assert_eq!(
            std::fs::read_to_string(&sample.path).unwrap(),
            format!(
                "{header}ada,Ada,ada@example.com,,FALSE\nbob,Bob,bob@example.com,,FALSE\n\
                 cy,Zoë,,+15550100,TRUE\n"
            )
        );
        std::fs::write(dir.path().join("users-0002.csv"), "cognito:username\nx\n").unwrap();
        let err = write_sample(dir.path(), &files, 0, 1).unwrap_err();
        assert!(err.to_string().contains("different headers"), "{err}");
    }
}
