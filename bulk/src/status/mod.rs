//! `cognito-migrate status`: where the migration window stands, read from both pools.
//!
//! Old users: migrated (in the new pool), remaining (the trigger moves them at their next
//! sign-in), stranded (the trigger never moves them; per reason). New users: imported, migrated at
//! sign-in, signed up. And the new users created per day. The rules are in [`classify`].
//!
//! The new pool is read first, keeping ~20 bytes a user ([`new_users`]); then the old pool is read
//! and each old user is looked up and counted at once, nothing of it kept (so a user the trigger
//! migrates between the two reads counts as remaining: the report is a snapshot, and the next run
//! counts it). Users are matched as
//! the sweep and `plan` match them ([`MatchRule`]: the legacy id first, then the new shape's
//! sign-in values). Output: a terminal table, `--json` ([`report`] documents its structure) and
//! `--html`, a self-contained page with two charts.
//!
//! Where the old pool offers a passwordless first factor, each old user's factors are read beside
//! the old pool's scan (`AdminGetUserAuthFactors` on `--factors-rps`, as `plan` reads them), and
//! the report shows the factor groups with what the export folders wrote ([`factors`]).

mod chart;
mod classify;
mod export_folder;
mod factors;
mod html;
mod new_users;
mod report;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use shared::from_sdk::user_from_list;

pub use report::StatusReport;

use crate::auth_factors::{self, FactorsPace, Lookup};
use crate::aws::AwsArgs;
use crate::json_report;
use crate::pace::ScanArgs;
use crate::plan::factors::{CodeSignIn, FactorCounts};
use crate::pool_args::PoolPair;
use crate::progress::Progress;
use crate::scan;
use crate::target_index::MatchRule;
use crate::target_index::NAME_HELD_BY_ANOTHER_USER;
use classify::{OldState, arrival, import_status, old_state};
use export_folder::ExportListing;
use new_users::{NewUser, NewUsers};
use report::{ImportedToldBy, day_of};

/// Arguments of `cognito-migrate status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// The old pool, the new pool and the mapping (its legacy_sub_attribute ties new users to
    /// old ones).
    #[command(flatten)]
    pub pools: PoolPair,
    /// An export folder that was imported (repeat for each: `--dir pre --dir sweep`): its users
    /// are counted as imported (without it, the status an import leaves tells them apart, which
    /// misses imported users who have since reset their password).
    #[arg(long)]
    pub dir: Vec<PathBuf>,
    /// Write the report as JSON to this file (`-`: to standard output, instead of the table).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the report as a self-contained HTML page with charts to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Write every stranded old user to this CSV (`username,reason`): the users the trigger
    /// never moves, for the sweep or for telling them.
    #[arg(long, value_name = "PATH")]
    pub stranded: Option<PathBuf>,
    /// Pace, progress and concurrent scans.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// The pace of the factor look-ups.
    #[command(flatten)]
    pub factors: FactorsPace,
}

/// Reads both pools, prints the table (unless `--json -`) and writes the files asked for.
pub async fn run(args: StatusArgs, aws: &AwsArgs) -> anyhow::Result<StatusReport> {
    if let Some(path) = &args.json {
        crate::writable::file("--json", path)?;
    }
    if let Some(path) = &args.html {
        crate::writable::file("--html", path)?;
    }
    // Each export folder is checked before the first request: a typo is named with its real
    // problem at once, not after a minute of retries against Cognito.
    for dir in &args.dir {
        crate::export_dir::folder::check(dir)?;
    }
    let mut stranded_csv = args
        .stranded
        .as_deref()
        .map(StrandedCsv::create)
        .transpose()?;
    let pacer = Arc::new(args.scan.pace.pacer());
    let open = args.pools.open(aws, &pacer).await?;
    let (source, old_pool) = (open.old.client, open.old.pool);
    let (target, new_pool, mapping) = (open.new.client, open.new.pool, open.mapping);
    let rule = MatchRule::for_pools(
        &old_pool,
        &new_pool,
        mapping.legacy_sub_attribute.as_deref(),
    )?;
    let listing = (!args.dir.is_empty())
        .then(|| ExportListing::read(&args.dir, &rule))
        .transpose()?;

    eprintln!("reading the new pool {}…", args.pools.new.target_pool_id);
    let mut new_users = NewUsers::default();
    let mut progress = Progress::new("new-pool users", 0, args.scan.progress.interval());
    scan::each_user(
        &target,
        &pacer,
        &args.pools.new.target_pool_id,
        args.scan.segments,
        |listed| {
            let user = user_from_list(listed);
            let keys = rule.new_pool_user_keys(&user);
            let has_legacy_id = rule
                .legacy_id_attribute
                .as_deref()
                .and_then(|name| user.attribute(name))
                .is_some_and(|id| !id.is_empty());
            new_users.add(
                &keys,
                NewUser {
                    created_day: listed.user_create_date().map_or(0, |d| day_of(d.secs())),
                    has_legacy_id,
                    import_status: import_status(&user.status),
                    listed_in_export: listing.as_ref().is_some_and(|l| l.lists(&keys)),
                },
            );
            progress.update(new_users.len() as u64, "read");
        },
    )
    .await?;
    progress.finish();
    new_users.finish();

    let told_by = match listing {
        Some(_) => ImportedToldBy::ExportFolder,
        None => ImportedToldBy::Status,
    };
    let mut report = StatusReport::new(
        &args.pools.old.source_pool_id,
        &args.pools.new.target_pool_id,
        told_by,
    );
    report.factors.read_folders(&args.dir)?;
    let factors_pacer = args
        .factors
        .pacer_for(&old_pool, args.scan.pace.max_retries);
    let code_sign_in = CodeSignIn::of(&new_pool);
    let mut old_factors = factors_pacer.as_ref().map(|_| FactorCounts::default());
    eprintln!("reading the old pool {}…", args.pools.old.source_pool_id);
    let estimate = u64::try_from(old_pool.estimated_number_of_users()).unwrap_or(0);
    let mut progress = Progress::new("old-pool users", estimate, args.scan.progress.interval());
    let pool = scan::PoolScan {
        client: &source,
        pacer: &pacer,
        pool_id: &args.pools.old.source_pool_id,
        segments: args.scan.segments,
    };
    let lookup = factors_pacer.as_ref().map(|pacer| Lookup {
        pacer,
        factors: true,
    });
    auth_factors::each_read_page(pool, lookup, async |users: Vec<shared::SourceUser>| {
        for user in users {
            let found = new_users.find_old_user(&rule.old_user_keys(&user));
            let state = if !found && new_users.holds_any(&rule.name_held_keys(&user)) {
                OldState::Stranded(NAME_HELD_BY_ANOTHER_USER)
            } else {
                old_state(&user, found, &mapping, &rule.shape)
            };
            if let (OldState::Stranded(reason), Some(csv)) = (state, stranded_csv.as_mut()) {
                csv.add(&user.username, reason);
            }
            if let Some(counts) = old_factors.as_mut() {
                // Only users whose factors were read are grouped by them, their MFA known.
                let mapped = mapping.apply(&user).ok();
                counts.add(&user, code_sign_in.lets_in(&user, mapped.as_ref(), true));
            }
            let links = shared::linked_identities::parse(
                user.attribute(shared::linked_identities::IDENTITIES),
            )
            .map_or(0, |identities| identities.len());
            let federated = user.status == shared::SourceStatus::ExternalProvider;
            report.add_identities(federated, links, state);
            report.add_old(state);
            progress.update(report.old_users.total, "read");
        }
        Ok(())
    })
    .await?;
    progress.finish();
    report.factors.old_pool = old_factors;
    if let Some(csv) = stranded_csv {
        csv.finish()?;
    }
    let export_folder_given = told_by == ImportedToldBy::ExportFolder;
    report.add_new(
        new_users
            .facts(export_folder_given)
            .map(|(day, facts)| (day, arrival(facts))),
    );
    write_outputs(&args, &report)?;
    Ok(report)
}

/// The table on standard output (unless the JSON goes there), then `--json` and `--html`.
fn write_outputs(args: &StatusArgs, report: &StatusReport) -> anyhow::Result<()> {
    if !json_report::to_stdout(args.json.as_deref()) {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(table::table(report).as_bytes())?;
        stdout.flush()?;
    }
    if let Some(path) = &args.json {
        json_report::write(path, report)?;
    }
    if let Some(path) = &args.html {
        write_file(path, html::page(report).as_bytes(), "--html")?;
    }
    Ok(())
}

/// `--stranded`: one line per stranded old user, written as the old pool is read (nothing kept);
/// the first write error is kept and reported at the end.
struct StrandedCsv {
    path: PathBuf,
    out: std::io::BufWriter<std::fs::File>,
    failure: Option<std::io::Error>,
}

impl StrandedCsv {
    fn create(path: &Path) -> anyhow::Result<StrandedCsv> {
        let mut out = std::io::BufWriter::new(crate::private_files::create(path).with_context(
            || {
                format!(
                    "cannot write --stranded {}: name a file in a folder that exists and is writable",
                    path.display()
                )
            },
        )?);
        out.write_all(b"username,reason\n")?;
        Ok(StrandedCsv {
            path: path.to_path_buf(),
            out,
            failure: None,
        })
    }

    fn add(&mut self, username: &str, reason: &str) {
        if self.failure.is_none()
            && let Err(err) = self
                .out
                .write_all(&crate::report_csv::csv_record(&[username, reason]))
        {
            self.failure = Some(err);
        }
    }

    fn finish(mut self) -> anyhow::Result<()> {
        let flushed = match self.failure.take() {
            Some(err) => Err(err),
            None => self.out.flush(),
        };
        flushed.with_context(|| {
            format!(
                "writing --stranded {} failed: free space or pick another file, then run again",
                self.path.display()
            )
        })
    }
}

fn write_file(path: &Path, contents: &[u8], flag: &str) -> anyhow::Result<()> {
    crate::atomic_json::write_bytes(path, contents).with_context(|| {
        format!(
            "cannot write {flag} {}: name a file in a folder that exists and is writable",
            path.display()
        )
    })
}
