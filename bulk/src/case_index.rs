//! `cognito-migrate case-index`: writes the old pool's sign-in values that hold capital letters
//! into a case index (`shared::case_index`) for the trigger of a case-insensitive new pool, so a
//! person who types their name or e-mail in another letter case still migrates, and nobody signs
//! up with an old user's value in another case.
//!
//! Which values: those a person types at the new pool for an old user — the old user name where
//! the new pool signs in by user name (only when the old pool compares it exactly: a
//! case-insensitive old pool folds it itself), the e-mail where the new pool signs in by it or
//! has it as a verified alias, and `preferred_username` where it is an alias. Phone numbers have
//! no case. Values already in lower case are left out: the trigger tries the lower-case form
//! itself. The records are sorted on disk ([`crate::disk_table`]), so memory stays flat as the
//! pool grows; the file is written atomically and private (0600).
//!
//! Write it while the old pool is closed for sign-ups (the runbook's step), so it stays complete
//! for the window.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use shared::attributes::{EMAIL, PREFERRED_USERNAME};
use shared::case_index::{self, Entry};
use shared::from_sdk::{pool_shape, user_from_list};
use shared::sign_in::{PoolShape, SignInField};
use shared::{SourceUser, attributes};

use crate::aws::AwsArgs;
use crate::disk_table::{Spot, TableBuilder, TextFile, temporary_file_error};
use crate::pace::ScanArgs;
use crate::pool_args::{NewPoolArg, OldPoolArg};
use crate::progress::Progress;
use crate::scan;

/// Arguments of `cognito-migrate case-index`.
#[derive(Debug, clap::Args)]
pub struct CaseIndexArgs {
    /// The old pool (read only).
    #[command(flatten)]
    pub old: OldPoolArg,
    /// The new pool (its shape decides which values a person types).
    #[command(flatten)]
    pub new: NewPoolArg,
    /// Where to write the index (give it to the trigger as CASE_INDEX_FILE).
    #[arg(long)]
    pub out: PathBuf,
    /// Pace, progress and concurrent scans.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// The fields of an old user a person types at the new pool, with their values that need the
/// index.
fn entries(user: &SourceUser, new: &PoolShape, old_case_sensitive: bool) -> Vec<Entry> {
    let mut fields: Vec<(SignInField, Option<&str>)> = Vec::new();
    if new.signs_in_by_attribute() {
        if new.username_attributes.iter().any(|a| a == EMAIL) {
            fields.push((SignInField::Email, user.attribute(EMAIL)));
        }
    } else if old_case_sensitive {
        fields.push((SignInField::Username, Some(user.username.as_str())));
    }
    for alias in &new.alias_attributes {
        match alias.as_str() {
            EMAIL if user.attribute(attributes::EMAIL_VERIFIED) == Some("true") => {
                fields.push((SignInField::Email, user.attribute(EMAIL)));
            }
            PREFERRED_USERNAME => {
                fields.push((
                    SignInField::PreferredUsername,
                    user.attribute(PREFERRED_USERNAME),
                ));
            }
            _ => {}
        }
    }
    let mut entries: Vec<Entry> = fields
        .into_iter()
        .filter_map(|(field, value)| {
            let value = value?.trim();
            case_index::needs_index(value).then(|| Entry {
                field,
                value: value.to_string(),
            })
        })
        .collect();
    entries.dedup();
    entries
}

/// Runs `case-index`.
pub async fn run(args: CaseIndexArgs, aws: &AwsArgs) -> anyhow::Result<()> {
    crate::writable::file("--out", &args.out)?;
    let pacer = Arc::new(args.scan.pace.pacer());
    let (old, new) = tokio::join!(args.old.open(aws, &pacer), args.new.open(aws, &pacer));
    let (old, new) = (old?, new?);
    let (source, old_pool, new_pool) = (old.client, old.pool, new.pool);
    let new = pool_shape(&new_pool);
    if new.case_sensitive {
        eprintln!(
            "the new pool {} compares sign-in values exactly (case-sensitive): the trigger needs \
             no case index; nothing written",
            args.new.target_pool_id
        );
        return Ok(());
    }
    let old_case_sensitive = pool_shape(&old_pool).case_sensitive;

    eprintln!(
        "reading the old pool {} for sign-in values with capital letters…",
        args.old.source_pool_id
    );
    let estimate = u64::try_from(old_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new("old-pool users", estimate, args.scan.progress.interval());
    let mut records: TableBuilder<Spot> = TableBuilder::default();
    let mut texts = TextFile::create().map_err(temporary_file_error)?;
    let (mut users, mut arrivals) = (0u64, 0u64);
    let mut failure = None;
    scan::each_user(
        &source,
        &pacer,
        &args.old.source_pool_id,
        args.scan.segments,
        |listed| {
            users += 1;
            progress.update(users, "read");
            for entry in entries(&user_from_list(listed), &new, old_case_sensitive) {
                arrivals += 1;
                let key = (u128::from(case_index::hash(&case_index::fold(&entry.value))) << 64)
                    | u128::from(arrivals);
                let stored = format!("{}{}", char::from(entry.field.tag()), entry.value);
                let pushed = texts
                    .append(&stored)
                    .and_then(|spot| records.push(key, spot));
                if let Err(err) = pushed {
                    failure.get_or_insert(err);
                }
            }
        },
    )
    .await?;
    progress.finish();
    if let Some(err) = failure {
        return Err(temporary_file_error(err));
    }
    let records = records.finish().map_err(temporary_file_error)?;
    let texts = texts.finish().map_err(temporary_file_error)?;

    let tmp = args.out.with_extension("tmp");
    let file = crate::private_files::create(&tmp)
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = std::io::BufWriter::new(file);
    out.write_all(case_index::MAGIC)?;
    let mut written = 0u64;
    for record in records.iter() {
        let (_, spot) = record.map_err(temporary_file_error)?;
        let stored = texts.get(spot).map_err(temporary_file_error)?;
        let field = stored
            .bytes()
            .next()
            .and_then(SignInField::from_tag)
            .context("a damaged temporary record")?;
        let entry = Entry {
            field,
            value: stored[1..].to_string(),
        };
        out.write_all(&case_index::record(&entry)?)?;
        written += 1;
    }
    out.into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    let bytes = std::fs::metadata(&args.out)?.len();
    println!(
        "case index: {written} sign-in values with capital letters from {users} old users, \
         {bytes} bytes, in {}\ngive it to the trigger as CASE_INDEX_FILE (see trigger/README.md); \
         write it again if users join the old pool",
        args.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;

    fn shape(username_attributes: &[&str], aliases: &[&str]) -> PoolShape {
        PoolShape {
            username_attributes: username_attributes.iter().map(|s| s.to_string()).collect(),
            alias_attributes: aliases.iter().map(|s| s.to_string()).collect(),
            case_sensitive: false,
        }
    }

    fn values(entries: Vec<Entry>) -> Vec<String> {
        entries.into_iter().map(|e| e.value).collect()
    }

    #[test]
    fn only_typed_values_with_capitals_are_kept() {
        let user = SourceUser::new("Ada", SourceStatus::Confirmed)
            .with("email", "Ada@Example.com")
            .with("phone_number", "+15550100")
            .with("preferred_username", "lovelace");
        assert_eq!(values(entries(&user, &shape(&[], &[]), true)), ["Ada"]);
        assert!(
            entries(&user, &shape(&[], &[]), false).is_empty(),
            "a case-insensitive old pool folds its user names itself"
        );
        assert_eq!(
            values(entries(&user, &shape(&["email"], &[]), true)),
            ["Ada@Example.com"]
        );
        assert!(entries(&user, &shape(&["phone_number"], &[]), true).is_empty());
        assert_eq!(
            values(entries(
                &user,
                &shape(&[], &["email", "preferred_username"]),
                true
            )),
            ["Ada"],
            "an unverified e-mail is no alias; a lower-case preferred_username needs no index"
        );
        let verified = user.with("email_verified", "true");
        assert_eq!(
            values(entries(&verified, &shape(&[], &["email"]), true)),
            ["Ada", "Ada@Example.com"]
        );
    }
}
