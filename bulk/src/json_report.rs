//! `--json PATH`, with one meaning in every command: the command's report as JSON in `PATH`, or on
//! standard output for `-` (the human-readable text is then left out, so the output parses).

use std::io::Write;
use std::path::Path;

/// True when `--json -` asks for the JSON on standard output.
pub fn to_stdout(json: Option<&Path>) -> bool {
    json == Some(Path::new("-"))
}

/// Writes `report` as pretty JSON to `path` (`-`: standard output), atomically: a report that
/// stops half-way leaves the earlier one.
pub fn write(path: &Path, report: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut json = serde_json::to_vec_pretty(report)?;
    json.push(b'\n');
    if to_stdout(Some(path)) {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(&json)?;
        return Ok(stdout.flush()?);
    }
    crate::atomic_json::write_bytes(path, &json).map_err(|e| {
        anyhow::anyhow!(
            "cannot write --json {}: {e}. Name a file in a folder that exists and is writable",
            path.display()
        )
    })
}
