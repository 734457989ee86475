//! `cognito-migrate groups`: the old pool's groups, memberships and disabled users applied to
//! the new pool once the users are there, idempotently and resumably.
//!
//! Two sources:
//! - the export's files (`groups.jsonl`, `memberships.jsonl`, `disabled.csv`), after `import`:
//!   creates missing groups, adds each membership, disables each disabled user. A later run
//!   retries only what could not be applied (users not in the new pool yet, conflicting groups).
//!   Where the token function is wired, a user the export lists with e-mail MFA and the e-mail
//!   carried verified who is still `RESET_REQUIRED` is given no groups yet and left to it, as
//!   `--sync` does ([`email_mfa`]); a later run adds them once the user has reset.
//! - `--sync`: the old pool read live (ListGroups, ListUsersInGroup), for users the trigger
//!   migrated after the bulk import: each group is compared with the new pool's members and only
//!   the missing ones are added. Run it periodically during the migration window; disabled users
//!   never sign in, so the trigger never migrates them and `--sync` leaves disabled state alone.
//!   It also carries the e-mail MFA of the users it reaches before their first token after the
//!   reset ([`email_mfa`]): a user it gives groups is one the token function then skips, so it
//!   turns the factor on itself where AWS allows it, else at its next run; where the token
//!   function is wired, a user still `RESET_REQUIRED` is given no groups and left to it, which
//!   writes both at the first token after the reset.
//!
//! An existing group with another description, precedence or role is never changed: it and its
//! memberships are reported as `group_conflict` (a different role would grant other IAM rights).
//! Everything not applied lands in `groups-report.csv` with its reason.

pub mod email_mfa;
pub mod inputs;
pub mod report;
pub mod state;
mod sync;
pub mod target;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::aws::{AwsArgs, Side};
use crate::export_dir;
use crate::mapping_file::MappingFile;
use crate::pace::{PaceArgs, ProgressArgs};
use crate::pacer::Pacer;
use crate::pool_args::{MappingArg, NewPoolArg, OpenPool, PoolRef};
use crate::pools;
use crate::progress::Progress;
use crate::signals::StopSignal;
use email_mfa::Carrier;
use shared::identity::{NO_LEGACY_ID_FIX, stranger_detail};
use shared::mapping::DEFAULT_LEGACY_SUB_ATTRIBUTE;
use state::{GroupsState, ItemKind, Pass, Reason, Unapplied};
use sync::{NewMemberships, OldGroups, Reading};
use target::{GroupCheck, GroupSpec, Holder, OldMember, Refusal, TargetPool};

/// Save the state at least this often while applying.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// Arguments of `cognito-migrate groups`.
#[derive(Debug, clap::Args)]
pub struct GroupsArgs {
    /// The new pool.
    #[command(flatten)]
    pub new: NewPoolArg,
    /// The export's folder (its groups.jsonl, memberships.jsonl, disabled.csv are applied);
    /// with --sync, where groups-state.json and groups-report.csv are kept.
    #[arg(long)]
    pub dir: PathBuf,
    /// Read groups and memberships live from the old pool (--source-pool-id) instead of the
    /// export's files, and add members the new pool's groups lack: for users the trigger
    /// migrated after the bulk import. Run it periodically during the migration window.
    #[arg(long, requires = "source_pool_id")]
    pub sync: bool,
    /// The old pool (with --sync).
    #[arg(long, requires = "sync", value_parser = crate::aws::pool_id_arg)]
    pub source_pool_id: Option<String>,
    /// The mapping: its legacy_sub_attribute names the attribute that proves a new-pool user is
    /// the old user. Without --mapping: the export folder's mapping.json (the mapping the export
    /// used), else the default mapping (custom:legacy_sub).
    #[command(flatten)]
    pub mapping: MappingArg,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<10, 50>,
    /// How often progress is reported.
    #[command(flatten)]
    pub progress: ProgressArgs,
}

/// How a `groups` run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsOutcome {
    /// Everything applied.
    AllApplied,
    /// Finished; some items are in `groups-report.csv`.
    SomeNotApplied,
    /// Stopped by a signal; rerun to continue.
    Interrupted,
}

/// Runs `groups`.
pub async fn run(args: GroupsArgs, aws: &AwsArgs) -> anyhow::Result<GroupsOutcome> {
    let source_pool = args.source_pool_id.as_deref().filter(|_| args.sync);
    if source_pool.is_none() {
        // The export's folder, read before Cognito is asked anything (never created: a typo
        // must not leave an empty folder that then "lacks" groups.jsonl).
        export_dir::folder::check(&args.dir)?;
        // Both files open before the first request (a folder export has not written says so).
        inputs::groups(&args.dir)?;
        drop(inputs::memberships(&args.dir)?);
    } else if args.dir.exists() && !args.dir.is_dir() {
        anyhow::bail!(
            "--dir {} is a file, not a folder: pass the folder for groups-state.json and \
             groups-report.csv (with --sync any folder, e.g. the export's)",
            args.dir.display()
        );
    } else {
        crate::private_files::create_dir_all(&args.dir)
            .with_context(|| format!("cannot create --dir {}", args.dir.display()))?;
    }
    let state = GroupsState::load_or_new(&args.dir, &args.new.target_pool_id, source_pool)?;
    let pacer = Arc::new(args.pace.pacer());
    let OpenPool {
        client,
        pool: new_pool,
        ..
    } = args.new.open(aws, &pacer).await?;
    let legacy = legacy_id_attribute(&args)?;
    let keeps_legacy_id = legacy.as_deref().is_some_and(|legacy| {
        new_pool
            .schema_attributes()
            .iter()
            .any(|a| a.name() == Some(legacy))
    });
    if !keeps_legacy_id {
        eprintln!("warning: {}: {NO_LEGACY_ID_FIX}", args.new.target_pool_id);
    }
    let legacy = legacy.unwrap_or_else(|| DEFAULT_LEGACY_SUB_ATTRIBUTE.to_string());
    let mut applier = Applier {
        target: TargetPool {
            pool: PoolRef {
                client: &client,
                pacer: &pacer,
                pool_id: &args.new.target_pool_id,
            },
            legacy_id_attribute: &legacy,
        },
        keeps_legacy_id,
        token_function: email_mfa::token_function_wired(&new_pool),
        state,
        args: &args,
        stop: StopSignal::listen(),
        saved: Instant::now(),
    };
    let finished = match source_pool {
        Some(old) => {
            let source = aws.client(Side::Source, Some(old)).await;
            pools::describe(&source, &pacer, old).await?;
            applier.sync(&source, &pacer, old).await?
        }
        None => {
            let mut carrier = applier.files_carrier().await?;
            if applier.state.pass.complete {
                applier.retry_unapplied(&mut carrier).await?
            } else {
                applier.apply_files(&mut carrier).await?
            }
        }
    };
    applier.save()?;
    let mut rows = applier.state.unapplied.clone();
    rows.extend(applier.state.email_mfa.report_rows());
    report::write(&args.dir, &rows)?;
    println!("{}", summary(&applier.state, &args, applier.token_function));
    if !finished {
        eprintln!("interrupted: rerun the same command to continue");
        return Ok(GroupsOutcome::Interrupted);
    }
    // A membership left to the token function is the design, not a failure.
    let left = |u: &Unapplied| u.reason == Reason::LeftToTokenFunction;
    Ok(if applier.state.unapplied.iter().all(left) {
        GroupsOutcome::AllApplied
    } else {
        GroupsOutcome::SomeNotApplied
    })
}

/// The attribute that proves who is who (`None`: the mapping opts out of a legacy id): the one
/// `--mapping` names, else the export's own mapping (`mapping.json` in `--dir`, which the export
/// wrote with the legacy id resolved against the new pool), else the default.
fn legacy_id_attribute(args: &GroupsArgs) -> anyhow::Result<Option<String>> {
    let mapping = match args.sync {
        // A live sync reads no export: its folder's mapping.json may be another run's.
        true => args.mapping.load()?,
        false => MappingFile::of_export(args.mapping.mapping.as_deref(), &args.dir)?,
    };
    Ok(mapping.mapping.legacy_sub_attribute)
}

fn summary(state: &GroupsState, args: &GroupsArgs, token_function: bool) -> String {
    let applied = state.applied;
    let mut text = format!(
        "groups created {}, already there {}; memberships applied {}; users disabled {}; \
         not applied {}",
        applied.groups_created,
        applied.groups_existing,
        applied.memberships,
        applied.disabled,
        state.unapplied.len()
    );
    for (reason, n) in report::by_reason(&state.unapplied) {
        text.push_str(&format!("\n  {n:>8}  {reason}"));
    }
    if let Some(line) = state.email_mfa.summary(token_function) {
        text.push('\n');
        text.push_str(&line);
    }
    text.push_str(&format!(
        "\nreport: {}",
        args.dir.join(report::REPORT_FILE).display()
    ));
    // With --sync, users the trigger has not moved yet are the migration window's normal state.
    let hint = (!args.sync)
        .then(|| users_missing_hint(state, &args.new.target_pool_id, &args.dir))
        .flatten();
    if let Some(hint) = hint {
        text.push('\n');
        text.push_str(&hint);
    }
    text
}

/// When none, or nearly none, of the export's users looked up in the new pool are there (90 % or
/// more of them `user_not_in_new_pool`), the likely cause and the fix: `groups` ran before
/// `import`, or before the trigger moved them. Counts items (memberships and disabled users), over
/// every run of this state.
fn users_missing_hint(state: &GroupsState, pool: &str, dir: &std::path::Path) -> Option<String> {
    let absent = state
        .unapplied
        .iter()
        .filter(|u| u.reason == Reason::UserNotInNewPool)
        .count() as u64;
    let other_users = state
        .unapplied
        .iter()
        .filter(|u| u.kind != ItemKind::Group)
        .filter(|u| !matches!(u.reason, Reason::UserNotInNewPool | Reason::GroupConflict))
        .count() as u64;
    let looked_up = state.applied.memberships + state.applied.disabled + other_users + absent;
    if absent == 0 || absent * 10 < looked_up * 9 {
        return None;
    }
    let dir = dir.display();
    let share = match looked_up - absent {
        0 => format!("none of the {looked_up} users looked up (memberships, disabled users) is"),
        1 => format!("only 1 of the {looked_up} users looked up (memberships, disabled users) is"),
        found => format!(
            "only {found} of the {looked_up} users looked up (memberships, disabled users) are"
        ),
    };
    Some(format!(
        "hint: {share} in the new pool {pool} yet: groups ran before the users were there. Run \
         cognito-migrate import --target-pool-id {pool} --dir {dir} --logs-role-arn … first (or \
         wait for the trigger to move them at sign-in), then rerun this groups command: it \
         retries only what was not applied"
    ))
}

/// One run: the new pool, the state, and the stop flag.
struct Applier<'a> {
    target: TargetPool<'a>,
    /// The new pool has the legacy-id attribute, so users can be proven (`shared::identity`).
    keeps_legacy_id: bool,
    /// The new pool's PreTokenGeneration trigger is wired (`email_mfa::token_function_wired`).
    token_function: bool,
    state: GroupsState,
    args: &'a GroupsArgs,
    stop: StopSignal,
    saved: Instant,
}

impl<'a> Applier<'a> {
    fn save(&mut self) -> anyhow::Result<()> {
        self.state.save(&self.args.dir)?;
        self.saved = Instant::now();
        Ok(())
    }

    fn save_now_and_then(&mut self) -> anyhow::Result<()> {
        if self.saved.elapsed() >= SAVE_EVERY {
            self.save()?;
        }
        Ok(())
    }

    fn not_applied(&mut self, kind: ItemKind, group: &str, user: &OldMember, refusal: Refusal) {
        self.state.unapplied.push(Unapplied {
            kind,
            group: group.to_string(),
            username: user.username.clone(),
            legacy_id: user.sub.clone(),
            reason: refusal.reason,
            detail: refusal.detail,
        });
    }

    fn progress(&self, what: &'static str, total: u64) -> Progress {
        Progress::new(what, total, self.args.progress.interval())
    }

    /// Creates or checks one group; returns whether its members may be added.
    async fn group(&mut self, spec: &GroupSpec) -> anyhow::Result<bool> {
        match self.target.ensure_group(spec).await? {
            GroupCheck::Created => self.state.applied.groups_created += 1,
            GroupCheck::Existing => self.state.applied.groups_existing += 1,
            GroupCheck::Conflict(detail) => {
                let refusal = Refusal {
                    reason: Reason::GroupConflict,
                    detail: format!(
                        "the new pool's group differs ({detail}); left unchanged: align it \
                         (UpdateGroup) or delete it, then rerun"
                    ),
                };
                self.not_applied(ItemKind::Group, &spec.name, &OldMember::none(), refusal);
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The old user's canonical `Username` in the new pool once it is proven to be that user
    /// (`shared::identity`: by legacy id, never by a name Cognito resolves through aliases or
    /// case), or why nothing may be granted.
    async fn proven(&self, old: &OldMember) -> anyhow::Result<Result<String, Refusal>> {
        let unprovable = |detail: &str| Refusal {
            reason: Reason::IdentityUnprovable,
            detail: detail.to_string(),
        };
        if !self.keeps_legacy_id {
            return Ok(Err(unprovable(NO_LEGACY_ID_FIX)));
        }
        if old.sub.is_empty() {
            return Ok(Err(unprovable(
                "the export's line carries no legacy id (an export folder of an older version): \
                 export again, then rerun groups",
            )));
        }
        Ok(match self.target.find(old).await? {
            Holder::Proven(username) => Ok(username),
            Holder::Stranger(holder) => Err(Refusal {
                reason: Reason::NameHeldByAnotherUser,
                detail: stranger_detail(&old.username, &holder),
            }),
            Holder::Absent => Err(Refusal {
                reason: Reason::UserNotInNewPool,
                detail: "no user of the new pool carries its legacy id yet (import has not run, \
                         the trigger has not migrated it, or the import skipped or failed it): \
                         rerun groups once it is there"
                    .to_string(),
            }),
        })
    }

    /// Adds the proven old user to `group`, unless `carrier` leaves it to the token function.
    async fn member(
        &mut self,
        group: &str,
        old: &OldMember,
        group_ok: bool,
        carrier: &mut Option<Carrier<'_>>,
    ) -> anyhow::Result<()> {
        if !group_ok {
            let refusal = Refusal {
                reason: Reason::GroupConflict,
                detail: "the group conflicts (see its group row)".into(),
            };
            self.not_applied(ItemKind::Membership, group, old, refusal);
            return Ok(());
        }
        match self.proven(old).await? {
            Ok(username) => self.add_or_leave(group, old, &username, carrier).await,
            Err(refusal) => {
                self.not_applied(ItemKind::Membership, group, old, refusal);
                Ok(())
            }
        }
    }

    /// Adds the proven user `username` to `group`, its e-mail MFA decided first
    /// ([`email_mfa`]): a user left to the token function must have no group when its first
    /// token comes, so the membership is kept as `left_to_token_function` and added by a later
    /// run once the user is no longer left to it.
    async fn add_or_leave(
        &mut self,
        group: &str,
        old: &OldMember,
        username: &str,
        carrier: &mut Option<Carrier<'_>>,
    ) -> anyhow::Result<()> {
        let left = match carrier.as_mut() {
            Some(carrier) => {
                carrier
                    .before_adding(old, username, &mut self.state.email_mfa)
                    .await?
            }
            None => false,
        };
        if !left {
            return self.add(group, old, username).await;
        }
        let refusal = Refusal {
            reason: Reason::LeftToTokenFunction,
            detail: Reason::LeftToTokenFunction.email_mfa_fix().to_string(),
        };
        self.not_applied(ItemKind::Membership, group, old, refusal);
        Ok(())
    }

    /// The carrier of e-mail MFA for a run over the export's files: only where the new pool's
    /// token function is wired (else each `import --resume` turns the factor on, as before), for
    /// the users the export's `mfa-reenrol.csv` lists with e-mail MFA and the e-mail carried
    /// verified.
    async fn files_carrier(&mut self) -> anyhow::Result<Option<Carrier<'a>>> {
        if !self.token_function || !self.keeps_legacy_id {
            return Ok(None);
        }
        let pools = email_mfa::Pools {
            old: email_mfa::OldSide::exported(&self.args.dir)?,
            new: self.target.pool,
            legacy_id_attribute: self.target.legacy_id_attribute,
            token_function: true,
        };
        Carrier::open(pools, &mut self.state.email_mfa).await
    }

    /// AdminAddUserToGroup under the proven user's canonical name.
    async fn add(&mut self, group: &str, old: &OldMember, username: &str) -> anyhow::Result<()> {
        match self.target.add_member(group, username).await? {
            Ok(()) => self.state.applied.memberships += 1,
            Err(refusal) => self.not_applied(ItemKind::Membership, group, old, refusal),
        }
        Ok(())
    }

    /// Disables the proven old user; a stranger who answers to its name is never disabled.
    async fn disable(&mut self, old: &OldMember) -> anyhow::Result<()> {
        let username = match self.proven(old).await? {
            Ok(username) => username,
            Err(refusal) => {
                self.not_applied(ItemKind::Disabled, "", old, refusal);
                return Ok(());
            }
        };
        match self.target.disable(&username).await? {
            Ok(()) => self.state.applied.disabled += 1,
            Err(refusal) => self.not_applied(ItemKind::Disabled, "", old, refusal),
        }
        Ok(())
    }

    /// First pass over the export's files (resumes where an interrupted one stopped).
    async fn apply_files(&mut self, carrier: &mut Option<Carrier<'_>>) -> anyhow::Result<bool> {
        let dir = self.args.dir.clone();
        if !self.state.pass.groups_done {
            self.state.unapplied.retain(|u| u.kind != ItemKind::Group);
            for spec in inputs::groups(&dir)? {
                if self.stop.requested() {
                    return Ok(false);
                }
                self.group(&spec).await?;
            }
            self.state.pass.groups_done = true;
            self.save()?;
        }
        let conflicts = self.conflicting_groups();

        let total = inputs::count(inputs::memberships(&dir)?)?;
        let mut progress = self.progress("memberships", total);
        let done = self.state.pass.memberships_done;
        for (index, membership) in inputs::memberships(&dir)?.enumerate().skip(done as usize) {
            if self.stop.requested() {
                progress.finish();
                return Ok(false);
            }
            let membership = membership?;
            let group_ok = !conflicts.contains(&membership.group);
            let old = OldMember::named(membership.username, membership.legacy_id);
            self.member(&membership.group, &old, group_ok, carrier)
                .await?;
            self.state.pass.memberships_done = index as u64 + 1;
            progress.update(index as u64 + 1, "");
            self.save_now_and_then()?;
        }
        progress.finish();

        let done = self.state.pass.disabled_done;
        let disabled = inputs::disabled(&dir, self.target.legacy_id_attribute)?;
        for (index, old) in disabled.enumerate().skip(done as usize) {
            if self.stop.requested() {
                return Ok(false);
            }
            self.disable(&old?).await?;
            self.state.pass.disabled_done = index as u64 + 1;
            self.save_now_and_then()?;
        }
        self.state.pass.complete = true;
        Ok(true)
    }

    fn conflicting_groups(&self) -> HashSet<String> {
        self.state
            .unapplied
            .iter()
            .filter(|u| u.kind == ItemKind::Group)
            .map(|u| u.group.clone())
            .collect()
    }

    /// Checks again the users whose e-mail MFA waits (a user left to the token function is no
    /// longer once reset), and saves; false when a stop was asked for first.
    async fn retry_email_mfa(&mut self, carrier: Option<&mut Carrier<'_>>) -> anyhow::Result<bool> {
        let Some(carrier) = carrier else {
            return Ok(true);
        };
        let stop = &self.stop;
        let retried = carrier
            .retry(&mut self.state.email_mfa, &|| stop.requested())
            .await?;
        self.save()?;
        Ok(retried)
    }

    /// A later run over the same files: checks again the users whose e-mail MFA waits (a user
    /// left to the token function is no longer once reset), then retries only what was not
    /// applied.
    async fn retry_unapplied(&mut self, carrier: &mut Option<Carrier<'_>>) -> anyhow::Result<bool> {
        if !self.retry_email_mfa(carrier.as_mut()).await? {
            return Ok(false);
        }
        let mut pending = std::mem::take(&mut self.state.unapplied);
        pending.sort();
        let specs: BTreeMap<String, GroupSpec> = inputs::groups(&self.args.dir)?
            .into_iter()
            .map(|spec| (spec.name.clone(), spec))
            .collect();
        let mut rest = pending.into_iter();
        let mut conflicts = HashSet::new();
        while let Some(item) = rest.next() {
            if self.stop.requested() {
                self.state.unapplied.push(item);
                self.state.unapplied.extend(rest);
                return Ok(false);
            }
            match item.kind {
                ItemKind::Group => match specs.get(&item.group) {
                    Some(spec) => {
                        if !self.group(spec).await? {
                            conflicts.insert(item.group.clone());
                        }
                    }
                    None => self.state.unapplied.push(item),
                },
                ItemKind::Membership => {
                    let group_ok = !conflicts.contains(&item.group);
                    let old = OldMember::named(item.username, Some(item.legacy_id));
                    self.member(&item.group, &old, group_ok, carrier).await?;
                }
                ItemKind::Disabled => {
                    let old = OldMember::named(item.username, Some(item.legacy_id));
                    self.disable(&old).await?;
                }
                // E-mail MFA waits in its own list (`email_mfa`), never here.
                ItemKind::EmailMfa => self.state.unapplied.push(item),
            }
            self.save_now_and_then()?;
        }
        Ok(true)
    }

    /// One pass of `--sync`: every group of the old pool, and the members its twin lacks.
    async fn sync(
        &mut self,
        source: &aws_sdk_cognitoidentityprovider::Client,
        pacer: &Arc<Pacer>,
        old_pool: &str,
    ) -> anyhow::Result<bool> {
        if self.state.pass.complete {
            self.state.pass = Pass::default();
            self.state.unapplied.clear();
        }
        let carrier = email_mfa::Pools {
            old: email_mfa::OldSide::Live(PoolRef {
                client: source,
                pacer,
                pool_id: old_pool,
            }),
            new: self.target.pool,
            legacy_id_attribute: self.target.legacy_id_attribute,
            token_function: self.token_function,
        };
        let mut carrier = Carrier::open(carrier, &mut self.state.email_mfa).await?;
        if !self.retry_email_mfa(carrier.as_mut()).await? {
            return Ok(false);
        }
        let synced: HashSet<String> = self.state.pass.synced_groups.iter().cloned().collect();
        self.state.unapplied.retain(|u| synced.contains(&u.group));
        let interval = self.args.progress.interval();
        let new = NewMemberships::read(
            Reading {
                client: self.target.pool.client,
                pacer,
                pool_id: self.target.pool.pool_id,
                progress_interval: interval,
            },
            self.target.legacy_id_attribute,
        )
        .await?;
        let old = Reading {
            client: source,
            pacer,
            pool_id: old_pool,
            progress_interval: interval,
        };
        let old = OldGroups::read(old, &new, &|group| synced.contains(group)).await?;
        eprintln!(
            "{} memberships of the old pool are not in the new pool's groups yet",
            old.candidates()
        );
        let mut candidates = old.each_candidate().peekable();
        let mut progress = self.progress("groups", old.groups.len() as u64);
        for (number, spec) in old.groups.iter().enumerate() {
            if synced.contains(&spec.name) {
                continue;
            }
            if self.stop.requested() {
                progress.finish();
                return Ok(false);
            }
            let group_ok = self.group(spec).await?;
            while let Some(candidate) =
                candidates.next_if(|c| !matches!(c, Ok((n, _)) if *n != number))
            {
                let (_, old) = candidate?;
                if !group_ok {
                    self.member(&spec.name, &old, group_ok, &mut carrier)
                        .await?;
                    continue;
                }
                // The user may be in the new pool under another name (a pool that signs in by
                // e-mail or phone); only the one carrying its legacy id is added.
                match self.proven(&old).await? {
                    Ok(username) if new.has_member(&spec.name, &username)? => continue,
                    Ok(username) => {
                        self.add_or_leave(&spec.name, &old, &username, &mut carrier)
                            .await?;
                    }
                    Err(refusal) => {
                        self.not_applied(ItemKind::Membership, &spec.name, &old, refusal);
                    }
                }
                self.save_now_and_then()?;
            }
            self.state.pass.synced_groups.push(spec.name.clone());
            self.save()?;
            progress.update(number as u64 + 1, "");
        }
        progress.finish();
        self.state.pass.complete = true;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn state(applied: u64, absent: usize) -> GroupsState {
        let mut state = GroupsState::new("us-east-1_New", None);
        state.applied.memberships = applied;
        for n in 0..absent {
            state.unapplied.push(Unapplied {
                kind: ItemKind::Membership,
                group: "admins".into(),
                username: format!("user{n}"),
                legacy_id: format!("s-{n}"),
                reason: Reason::UserNotInNewPool,
                detail: String::new(),
            });
        }
        state
    }

    #[test]
    fn groups_before_import_says_why_and_what_to_run() {
        let dir = Path::new("/srv/export");
        assert_eq!(
            users_missing_hint(&state(0, 3), "us-east-1_New", dir).as_deref(),
            Some(
                "hint: none of the 3 users looked up (memberships, disabled users) is in the new \
                 pool us-east-1_New yet: groups ran before the users were there. Run \
                 cognito-migrate import --target-pool-id us-east-1_New --dir /srv/export \
                 --logs-role-arn … first (or wait for the trigger to move them at sign-in), then \
                 rerun this groups command: it retries only what was not applied"
            )
        );
        let nearly_none = users_missing_hint(&state(1, 9), "us-east-1_New", dir).unwrap();
        assert!(
            nearly_none.starts_with(
                "hint: only 1 of the 10 users looked up (memberships, disabled users) is in the \
                 new pool us-east-1_New yet:"
            ),
            "{nearly_none}"
        );
    }

    #[test]
    fn a_few_users_not_there_yet_get_no_hint() {
        let dir = Path::new("/srv/export");
        assert_eq!(users_missing_hint(&state(2, 1), "p", dir), None);
        assert_eq!(users_missing_hint(&state(2, 8), "p", dir), None);
        assert_eq!(users_missing_hint(&state(5, 0), "p", dir), None);
        assert_eq!(users_missing_hint(&state(0, 0), "p", dir), None);
    }

    #[test]
    fn disabled_users_count_as_users_looked_up() {
        let mut state = state(0, 2);
        state.unapplied[1].kind = ItemKind::Disabled;
        let text = users_missing_hint(&state, "us-east-1_New", Path::new("/x")).unwrap();
        assert!(text.contains("none of the 2 users"), "{text}");
    }
}
