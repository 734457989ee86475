//! The export's files that `groups` applies: `groups.jsonl` (one group per line),
//! `memberships.jsonl` (`{"group", "username"}` per line) and `disabled.csv` (the users disabled
//! in the old pool, in the import format). Memberships and disabled users are streamed, never held
//! whole.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::target::OldMember;
use crate::export_dir::{self, GroupSpec, Membership};

fn open(dir: &Path, name: &str) -> anyhow::Result<(PathBuf, File)> {
    let path = dir.join(name);
    let file = File::open(&path).map_err(|err| {
        let missing = format!(
            "run cognito-migrate export --out {} first (it writes groups.jsonl, \
             memberships.jsonl and disabled.csv)",
            dir.display()
        );
        export_dir::folder::file_error(&path, &err, &missing)
    })?;
    Ok((path, file))
}

/// Every line of a JSON-lines file, parsed, with its line number in errors.
fn json_lines<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<T>>> {
    let (path, file) = open(dir, name)?;
    Ok(BufReader::new(file)
        .lines()
        .enumerate()
        .filter(|(_, line)| line.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(move |(index, line)| {
            let line = line.map_err(|err| export_dir::folder::file_error(&path, &err, ""))?;
            serde_json::from_str(&line)
                .with_context(|| format!("{} line {} is not valid", path.display(), index + 1))
        }))
}

/// All groups of `groups.jsonl` (a pool has at most 10,000).
pub fn groups(dir: &Path) -> anyhow::Result<Vec<GroupSpec>> {
    json_lines(dir, export_dir::GROUPS)?.collect()
}

/// The memberships of `memberships.jsonl`, in file order.
pub fn memberships(dir: &Path) -> anyhow::Result<impl Iterator<Item = anyhow::Result<Membership>>> {
    json_lines(dir, export_dir::MEMBERSHIPS)
}

/// The users of `disabled.csv`, in file order (none when the file is absent), each with the
/// legacy id (`legacy_id_attribute`'s column) a new-pool user must carry to be disabled.
pub fn disabled(
    dir: &Path,
    legacy_id_attribute: &str,
) -> anyhow::Result<impl Iterator<Item = anyhow::Result<OldMember>>> {
    let legacy_id_attribute = legacy_id_attribute.to_string();
    Ok(
        crate::import::inputs::disabled_users(dir)?.map(move |user| {
            user.map(|row| OldMember {
                sub: row
                    .attributes
                    .get(&legacy_id_attribute)
                    .cloned()
                    .unwrap_or_default(),
                username: row.username,
                email: None,
                phone: None,
            })
        }),
    )
}

/// Number of items an iterator over one of these files yields (for progress).
pub fn count<T>(items: impl Iterator<Item = anyhow::Result<T>>) -> anyhow::Result<u64> {
    let mut n = 0;
    for item in items {
        item?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_export_formats() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("groups.jsonl"),
            "{\"name\":\"a\",\"description\":\"x, \\\"y\\\"\",\"precedence\":null,\"role_arn\":null}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("memberships.jsonl"),
            "{\"group\":\"a\",\"username\":\"ada\"}\n\n{\"group\":\"a\",\"username\":\"bob\"}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("disabled.csv"),
            "cognito:username,email,custom:legacy_sub,cognito:mfa_enabled\no\\,dd,o@example.com,s-o,FALSE\nplain,,,FALSE\n",
        )
        .unwrap();
        assert_eq!(
            groups(dir.path()).unwrap()[0].description.as_deref(),
            Some("x, \"y\"")
        );
        let members: Vec<String> = memberships(dir.path())
            .unwrap()
            .map(|m| m.unwrap().username)
            .collect();
        assert_eq!(members, ["ada", "bob"]);
        let disabled: Vec<(String, String)> = disabled(dir.path(), "custom:legacy_sub")
            .unwrap()
            .map(|u| u.map(|u| (u.username, u.sub)).unwrap())
            .collect();
        assert_eq!(
            disabled,
            [
                ("o,dd".into(), "s-o".into()),
                ("plain".into(), String::new())
            ]
        );
    }

    #[test]
    fn a_missing_file_says_to_export_first() {
        let dir = tempfile::tempdir().unwrap();
        let err = groups(dir.path()).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "cannot read {}: run cognito-migrate export --out {} first (it writes \
                 groups.jsonl, memberships.jsonl and disabled.csv)",
                dir.path().join("groups.jsonl").display(),
                dir.path().display()
            )
        );
    }

    #[test]
    fn a_file_that_is_a_folder_is_not_answered_export_first() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("memberships.jsonl")).unwrap();
        let err = match memberships(dir.path()).and_then(|mut lines| lines.next().transpose()) {
            Ok(_) => panic!("a folder read as memberships.jsonl"),
            Err(err) => err.to_string(),
        };
        assert_eq!(
            err,
            format!(
                "cannot read {}: it is a folder, not a file: this is not a folder \
                 cognito-migrate export wrote",
                dir.path().join("memberships.jsonl").display()
            )
        );
    }
}
