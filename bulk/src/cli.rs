//! Command-line interface: one subcommand per job, dispatched by one `match`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::aws::AwsArgs;
use crate::canary::{self, CanaryArgs, CanaryOutcome};
use crate::case_index::{self, CaseIndexArgs};
use crate::export::{self, ExportArgs, ExportOutcome};
use crate::groups::{self, GroupsArgs, GroupsOutcome};
use crate::id_map::{self, IdMapArgs, IdMapOutcome};
use crate::import::{self, ImportArgs, ImportOutcome};
use crate::links::{self, LinksArgs, LinksOutcome};
use crate::new_pool_template::{self, NewPoolArgs};
use crate::old_pool_sign_up::{self, OldPoolArgs};
use crate::plan::{self, PlanArgs};
use crate::preflight::{self, PreflightArgs, Verdict};
use crate::status::{self, StatusArgs};
use crate::verify::{self, VerifyArgs};

/// Move the users of one Cognito user pool into another without password resets.
///
/// Exit status: 0 every user landed (or was skipped by choice); 1 the run finished but some users
/// were rejected (see rejected.csv); 2 fatal or usage error; 130 interrupted (rerun with --resume).
#[derive(Debug, Parser)]
#[command(name = "cognito-migrate", version, about)]
pub struct Cli {
    /// AWS settings for both pools.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export every user of the old pool into the new pool's CSV import files.
    Export(ExportArgs),
    /// Import the export's users-NNNN.csv into the new pool with Cognito import jobs, one file
    /// after another, resumable (users land RESET_REQUIRED: AWS does not import passwords).
    Import(ImportArgs),
    /// Re-create the old pool's groups, memberships and disabled users in the new pool, from the
    /// export's files or (--sync) live from the old pool; what cannot be applied goes to
    /// groups-report.csv.
    Groups(GroupsArgs),
    /// Carry the old pool's federated users (a profile with the legacy id, linked to the same
    /// provider identity) and native users' links to identity providers into the new pool, for
    /// users proven by their legacy id; what cannot be linked goes to links-report.csv. Run after
    /// import and again during the window.
    Links(LinksArgs),
    /// Count what a migration will do before cutover: who can be imported now, who needs the
    /// trigger, who would be stranded, who is already in the new pool.
    Plan(PlanArgs),
    /// Compare the old and new pools: users missing, attributes that differ, memberships missing.
    /// Exit status 1 when anything is missing that should not be.
    Verify(VerifyArgs),
    /// Check the wiring before cutover: app clients, trigger, attributes, auto-verification, MFA,
    /// import role. Exit status 1 when a check fails.
    Preflight(PreflightArgs),
    /// Where the migration window stands: old users migrated, remaining and stranded; new users
    /// imported, migrated at sign-in and signed up; migrations per day. A table, --json, --html.
    Status(StatusArgs),
    /// Import a sample of the export into a scratch copy of the new pool (deleted afterwards) and
    /// compare what AWS made of each line with the files. Exit status 1 when a line would fail or
    /// a value would change.
    Canary(CanaryArgs),
    /// Write the old pool's sign-in values that hold capital letters into a case index for the
    /// trigger of a case-insensitive new pool (CASE_INDEX_FILE): any letter case a person types
    /// then finds the old user, and no sign-up takes an old user's value in another case.
    CaseIndex(CaseIndexArgs),
    /// Write old sub -> new sub, with the old and new user names, for every migrated user (a
    /// new-pool user whose legacy id is an old user's sub), sorted by old sub: what apps keyed on
    /// sub re-key with. Resumable (--resume).
    IdMap(IdMapArgs),
    /// Close the old pool for self sign-up for the migration window (close), and put back what
    /// close found afterwards (reopen); every other setting is sent back unchanged.
    OldPool(OldPoolArgs),
    /// Write the new pool as a CloudFormation template from the old pool (sign-in shape chosen,
    /// everything else carried, triggers wired to the migration stack), and the template after
    /// the window; what cannot be carried is reported on standard error.
    NewPool(NewPoolArgs),
}

/// Exit status: some users were rejected.
pub const EXIT_REJECTED: u8 = 1;
/// Exit status: fatal or usage error.
pub const EXIT_FATAL: u8 = 2;
/// Exit status: interrupted by a signal.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Runs the chosen subcommand and turns its result into the exit status.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    cli.aws.check_profiles().await?;
    match cli.command {
        Command::Export(args) => Ok(match export::run(args, &cli.aws).await? {
            ExportOutcome::AllExported => ExitCode::SUCCESS,
            ExportOutcome::SomeRejected => ExitCode::from(EXIT_REJECTED),
            ExportOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::Import(args) => Ok(match import::run(args, &cli.aws).await? {
            ImportOutcome::AllLanded => ExitCode::SUCCESS,
            ImportOutcome::SomeNotLanded => ExitCode::from(EXIT_REJECTED),
            ImportOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::Groups(args) => Ok(match groups::run(args, &cli.aws).await? {
            GroupsOutcome::AllApplied => ExitCode::SUCCESS,
            GroupsOutcome::SomeNotApplied => ExitCode::from(EXIT_REJECTED),
            GroupsOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::Links(args) => Ok(match links::run(args, &cli.aws).await? {
            LinksOutcome::AllLinked => ExitCode::SUCCESS,
            LinksOutcome::SomeNotLinked => ExitCode::from(EXIT_REJECTED),
            LinksOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::Verify(args) => Ok(if verify::run(args, &cli.aws).await?.clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_REJECTED)
        }),
        Command::Preflight(args) => {
            let checks = preflight::run(args, &cli.aws).await?;
            let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
            Ok(if failed {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Canary(args) => Ok(match canary::run(args, &cli.aws).await? {
            CanaryOutcome::Clean => ExitCode::SUCCESS,
            CanaryOutcome::Differences => ExitCode::from(EXIT_REJECTED),
            CanaryOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::Plan(args) => {
            plan::run(args, &cli.aws).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status(args) => {
            status::run(args, &cli.aws).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::CaseIndex(args) => {
            case_index::run(args, &cli.aws).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::IdMap(args) => Ok(match id_map::run(args, &cli.aws).await? {
            IdMapOutcome::Written => ExitCode::SUCCESS,
            IdMapOutcome::Interrupted => ExitCode::from(EXIT_INTERRUPTED),
        }),
        Command::OldPool(args) => {
            old_pool_sign_up::run(args, &cli.aws).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::NewPool(args) => {
            new_pool_template::run(args, &cli.aws).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
