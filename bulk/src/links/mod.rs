//! `cognito-migrate links`: the old pool's federated users and links to identity providers,
//! carried to the new pool so that a person who signs in with Google, Apple, SAML or OIDC after
//! the cutover lands on their migrated profile — legacy id, attributes, groups — not on a new,
//! empty one.
//!
//! AWS documents the way (developer guide, *Linking federated users to an existing user
//! profile*): "You can create a local profile and link it to your federated user at any time
//! before their first sign-in, in an AdminLinkProviderForUser API request, either in a planned
//! prestaging task or in a Pre sign-up Lambda trigger." This command is the prestaging task:
//! - a **federated** old user (status `EXTERNAL_PROVIDER`) gets a profile in the new pool — the
//!   mapped attributes with the legacy id, under the name the new pool's shape gives it (its old
//!   name in a pool with user names, so `groups` finds it like any other user), created with no
//!   message and disabled first when it was disabled in the old pool — and then each of its
//!   identities is linked to it;
//! - a **native** old user with links gets them again once it is in the new pool (imported, or
//!   migrated by the trigger); until then it is reported `not_migrated_yet` and a later run links
//!   it. Run `links` after `import` and with `groups --sync` during the window.
//!
//! Why its own command: it needs the old pool live (the export's files carry no identities) and
//! runs again during the window as users migrate, like `groups --sync`; `import` reads only the
//! export's folder.
//!
//! Nothing is linked to, or created over, a user not proven to be the old user
//! (`shared::identity`: the legacy id): a new-pool user who answers to the old user's name without
//! its legacy id — including a federated identity that signed in to the new pool before it was
//! linked — is reported `name_held_by_another_user` and left alone. Every identity of every such
//! old user is a row of `links-report.csv`, linked or not, with the reason. Each run is a full
//! pass and every step is idempotent (a profile or link already there counts as such), so an
//! interrupted run is resumed by running it again.

mod new_pool;
mod report;
mod work;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use shared::identity::stranger_detail;
use shared::linked_identities::{LinkedIdentity, MAX_LINKS_PER_USER};
use shared::{Mapping, PoolShape};

use crate::aws::AwsArgs;
use crate::groups::target::{Holder, OldMember, TargetPool};
use crate::pace::{PaceArgs, ProgressArgs};
use crate::pool_args::{PoolPair, PoolRef};
use crate::pools;
use crate::progress::Progress;
use crate::signals::StopSignal;
use new_pool::NewPool;
use report::{Outcome, Report, Row};
use work::{LinkedUser, LinkedUsers};

/// Arguments of `cognito-migrate links`.
#[derive(Debug, clap::Args)]
pub struct LinksArgs {
    /// The old pool (read live for its federated and linked users), the new pool, and the
    /// mapping (the attributes and legacy id of the profiles it creates).
    #[command(flatten)]
    pub pools: PoolPair,
    /// Where links-report.csv is written (created if missing; e.g. the export's folder).
    #[arg(long)]
    pub dir: PathBuf,
    /// Concurrent scans of the old pool (1-16).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=16))]
    pub segments: u8,
    /// How fast Cognito is called, and retries.
    #[command(flatten)]
    pub pace: PaceArgs<10, 50>,
    /// How often progress is reported.
    #[command(flatten)]
    pub progress: ProgressArgs,
}

/// How a `links` run ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinksOutcome {
    /// Every identity is linked.
    AllLinked,
    /// Finished; some identities are not linked (see links-report.csv).
    SomeNotLinked,
    /// Stopped by a signal; rerun to continue.
    Interrupted,
}

/// Runs `links`.
pub async fn run(args: LinksArgs, aws: &AwsArgs) -> anyhow::Result<LinksOutcome> {
    if args.dir.exists() && !args.dir.is_dir() {
        anyhow::bail!(
            "--dir {} is a file, not a folder: pass the folder for links-report.csv",
            args.dir.display()
        );
    }
    let pacer = Arc::new(args.pace.pacer());
    let open = args.pools.open(aws, &pacer).await?;
    let (source, target, new_pool) = (open.old.client, open.new.client, open.new.pool);
    let (mapping_file, mapping) = (open.file, open.mapping);
    let Some(legacy_id_attribute) = mapping.legacy_sub_attribute.clone() else {
        anyhow::bail!(
            "links needs the legacy id to prove who is who, and {} sets legacy_sub_attribute to \
             null: remove that line (and add custom:legacy_sub to the new pool {}), then run again",
            mapping_file.origin,
            args.pools.new.target_pool_id
        );
    };
    crate::private_files::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create --dir {}", args.dir.display()))?;
    let reach = PoolRef {
        client: &target,
        pacer: &pacer,
        pool_id: &args.pools.new.target_pool_id,
    };
    let pool = NewPool { pool: reach };
    let providers =
        pools::identity_provider_names(&target, &pacer, &args.pools.new.target_pool_id).await?;
    let users = LinkedUsers::read(
        &source,
        &pacer,
        &args.pools.old.source_pool_id,
        args.segments,
        args.progress.interval(),
    )
    .await?;
    eprintln!(
        "{} old users with identities ({} federated); linking in the new pool {}…",
        users.count, users.federated, args.pools.new.target_pool_id
    );
    let total = users.count;
    let mut linker = Linker {
        pool,
        finder: TargetPool {
            pool: reach,
            legacy_id_attribute: &legacy_id_attribute,
        },
        providers,
        mapping,
        shape: shared::from_sdk::pool_shape(&new_pool),
        report: Report::create(&args.dir)?,
    };
    let stop = StopSignal::listen();
    let mut progress = Progress::new("users", total, args.progress.interval());
    let mut done = 0;
    let mut interrupted = false;
    for user in users.iter() {
        if stop.requested() {
            interrupted = true;
            break;
        }
        linker.carry(user?).await?;
        done += 1;
        progress.update(done, "carried");
    }
    progress.finish();
    let report = linker.report.finish()?;
    println!("{}", report.summary(&args.dir));
    if interrupted {
        eprintln!("interrupted: rerun the same command to continue (every step is idempotent)");
        return Ok(LinksOutcome::Interrupted);
    }
    Ok(if report.all_linked() {
        LinksOutcome::AllLinked
    } else {
        LinksOutcome::SomeNotLinked
    })
}

/// One run's view of the new pool and what it has written so far.
struct Linker<'a> {
    pool: NewPool<'a>,
    finder: TargetPool<'a>,
    providers: BTreeSet<String>,
    mapping: Mapping,
    shape: PoolShape,
    report: Report,
}

impl Linker<'_> {
    /// Carries one old user's identities: finds (or, for a federated user, creates) its proven
    /// profile, then links each identity not linked yet.
    async fn carry(&mut self, user: LinkedUser) -> anyhow::Result<()> {
        let identities = match user.identities() {
            Ok(identities) if !identities.is_empty() => identities,
            Ok(_) => {
                let detail = "a federated user without an identities attribute: nothing to link; \
                              it signs in again with its provider and gets a new profile";
                return self.each(&user, &[], Outcome::IdentitiesUnreadable, detail);
            }
            Err(problem) => return self.each(&user, &[], Outcome::IdentitiesUnreadable, &problem),
        };
        if let Some(missing) = identities
            .iter()
            .find(|i| !self.providers.contains(&i.provider_name))
        {
            let detail = format!(
                "the new pool {} has no identity provider named {:?}: create it under the same name, \
                 type and attribute mapping as in the old pool (preflight compares them), then rerun",
                self.pool.pool.pool_id, missing.provider_name
            );
            return self.each(&user, &identities, Outcome::ProviderMissing, &detail);
        }
        if identities.len() > MAX_LINKS_PER_USER {
            let detail = too_many(identities.len());
            return self.each(&user, &identities, Outcome::TooManyLinks, &detail);
        }
        let Some(destination) = self.destination(&user, &identities).await? else {
            return Ok(());
        };
        if !user.enabled {
            // Disabled first, so no moment exists in which the link opens a live account.
            self.pool.disable(&destination).await?;
        }
        let present = self.pool.identities_of(&destination).await?;
        let mut count = present.len();
        for identity in &identities {
            if present.contains(identity) {
                self.report
                    .add(Row::of(&user, Some(identity), Outcome::AlreadyLinked, ""))?;
                continue;
            }
            if count >= MAX_LINKS_PER_USER {
                self.report.add(Row::of(
                    &user,
                    Some(identity),
                    Outcome::TooManyLinks,
                    &too_many(count + 1),
                ))?;
                continue;
            }
            match self.pool.link(&destination, identity).await? {
                Ok(()) => {
                    count += 1;
                    self.report.add(Row::of(
                        &user,
                        Some(identity),
                        Outcome::Linked,
                        &destination,
                    ))?;
                }
                Err(refused) => {
                    let detail = format!(
                        "Cognito refused the link to {destination:?}: {refused}. If the identity \
                         already signed in to the new pool (a user {}_{} there), it can no longer \
                         be linked: see docs/commands.md, links",
                        identity.provider_name, identity.user_id
                    );
                    self.report.add(Row::of(
                        &user,
                        Some(identity),
                        Outcome::LinkRefused,
                        &detail,
                    ))?;
                }
            }
        }
        Ok(())
    }

    /// The proven new-pool user the identities go to: found by legacy id, or — for a federated
    /// user nobody answers for — a profile made now. `None` (reported) when there is none to use.
    async fn destination(
        &mut self,
        user: &LinkedUser,
        identities: &[LinkedIdentity],
    ) -> anyhow::Result<Option<String>> {
        let source = user.source_user();
        let member = OldMember {
            username: user.username.clone(),
            sub: source.sub().to_string(),
            email: source.attribute("email").map(str::to_string),
            phone: source.attribute("phone_number").map(str::to_string),
        };
        match self.finder.find(&member).await? {
            Holder::Proven(username) => Ok(Some(username)),
            Holder::Stranger(holder) => {
                let detail = stranger_detail(&user.username, &holder);
                self.each(user, identities, Outcome::NameHeldByAnotherUser, &detail)?;
                Ok(None)
            }
            Holder::Absent if !user.federated() => {
                let detail = "not in the new pool yet (import it, or the trigger moves it at its \
                              next sign-in): rerun links once it is there";
                self.each(user, identities, Outcome::NotMigratedYet, detail)?;
                Ok(None)
            }
            Holder::Absent => self.create_profile(user, identities).await,
        }
    }

    /// A profile for a federated user: its mapped attributes and legacy id, under the name the
    /// new pool's shape gives it; disabled at once when it was disabled in the old pool.
    async fn create_profile(
        &mut self,
        user: &LinkedUser,
        identities: &[LinkedIdentity],
    ) -> anyhow::Result<Option<String>> {
        let migrated = match self.mapping.apply_to_federated(&user.source_user()) {
            Ok(migrated) => migrated,
            Err(reason) => {
                let detail = format!("the mapping refuses the user: {reason}");
                self.each(user, identities, Outcome::MappingRejected, &detail)?;
                return Ok(None);
            }
        };
        let name = match self.shape.new_username(&migrated) {
            Ok(name) => name,
            Err(reason) => {
                let detail = format!("no name for a profile in the new pool: {reason}");
                self.each(user, identities, Outcome::MappingRejected, &detail)?;
                return Ok(None);
            }
        };
        match self
            .pool
            .create_profile(&name, &migrated.attributes)
            .await?
        {
            Ok(username) => {
                if !user.enabled {
                    self.pool.disable(&username).await?;
                }
                self.report.profile_created();
                Ok(Some(username))
            }
            Err(refused) => {
                let detail = format!(
                    "Cognito refused the profile {name:?}: {refused} (another user holds its name, \
                     e-mail or phone?)"
                );
                self.each(user, identities, Outcome::ProfileRefused, &detail)?;
                Ok(None)
            }
        }
    }

    /// One row per identity (or one for the user when none could be read), all with `outcome`.
    fn each(
        &mut self,
        user: &LinkedUser,
        identities: &[LinkedIdentity],
        outcome: Outcome,
        detail: &str,
    ) -> anyhow::Result<()> {
        if identities.is_empty() {
            return self.report.add(Row::of(user, None, outcome, detail));
        }
        for identity in identities {
            self.report
                .add(Row::of(user, Some(identity), outcome, detail))?;
        }
        Ok(())
    }
}

/// Why a user's links stop at AWS's limit.
fn too_many(count: usize) -> String {
    format!(
        "{count} identities for one user, and AWS links at most {MAX_LINKS_PER_USER} (\"The maximum \
         number of federated identities linked to a user is five.\"): the rest sign in with their \
         provider as a separate user"
    )
}
