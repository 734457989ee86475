//! The PreTokenGeneration companion: a user the migration created gets their old groups in the
//! very first token, and keeps them, because the memberships are written to the new pool at the
//! same time.
//!
//! Why: UserMigration creates the user but cannot add groups, so without this the first tokens
//! of a migrated user carry no `cognito:groups` until `cognito-migrate groups --sync` runs.
//!
//! **The identity rule.** Groups are granted only to the new-pool user whose legacy-id attribute,
//! as the new pool itself holds it, is the old user's `sub` ([`shared::identity::identify`]).
//! The event is not evidence: anyone allowed to invoke the function directly hands it any
//! `userName`, `userPoolId` and `request.userAttributes` they like, so the companion re-reads the
//! user (`AdminGetUser` on the new pool) and decides, and writes, only from what Cognito answers:
//! the legacy id, the verified e-mail and phone, `Enabled`, and the canonical `Username` that
//! every membership is written under (never the event's name, which Cognito may resolve through
//! an alias or letter case). A user name proves nothing, so when the mapping keeps no legacy id
//! nobody is proven and nothing is granted ([`shared::identity::NO_LEGACY_ID_FIX`]).
//!
//! The rules, for `TokenGeneration_*` events of a user (not `TokenGeneration_ClientCredentials`):
//! - An event of another pool than `NEW_USER_POOL_ID` (when set) comes back untouched, with no
//!   call.
//! - A user who already has groups in the new pool (`request.groupConfiguration.groupsToOverride`
//!   is not empty) is never looked up: the event comes back untouched (only the marker is taken
//!   out). No call and no write: a forged event gets back the groups it sent, nothing more.
//! - When the mapping keeps no legacy id, or the event's attributes carry none, the event comes
//!   back untouched with no call (`not-migrated`). The event's attributes are read for this one
//!   thing: leaving the legacy id out can only cost the caller groups, never grant any, and it
//!   keeps every token of a user the migration did not create free of calls.
//! - Otherwise the user is re-read from the new pool, within the invocation's budget. A user the
//!   pool does not have, or has disabled, comes back untouched with nothing written; a read that
//!   fails or times out is answered without groups (below). A re-read user without a legacy id is
//!   `not-migrated`.
//! - The old user is found by that legacy id (`ListUsers` `sub = "…"`) and counts only when
//!   exactly one user answers, its `sub` is the legacy id ([`shared::identity::identify`]), and it
//!   is the same person ([`decide::same_person`]: the same user name, or the same e-mail or phone
//!   *verified* in the new pool). `same_person` guards the case the identity rule assumes away:
//!   an app client that lets users write the legacy-id attribute (`preflight` fails such a pool,
//!   but the function may run without it), where someone could copy another old user's `sub`
//!   into their own profile. The old user's groups are listed (`AdminListGroupsForUser`), written
//!   to the new pool (`AdminAddUserToGroup`, groups created beforehand by `cognito-migrate
//!   groups`) and returned in `groupOverrideDetails.groupsToOverride` (version 1:
//!   `claimsOverrideDetails`; version 2 and 3: `claimsAndScopeOverrideDetails`, which also sets
//!   the access token's groups).
//! - A re-read user with a legacy id who gets no groups from the old pool (no old user, not the
//!   same person, another tenant's, or no groups) is added to the **marker group** instead
//!   (`GROUPS_MARKER_GROUP`, default [`crate::companion_config::DEFAULT_MARKER_GROUP`]). From then
//!   on that user has a group, so the rule above applies: at most one lookup per user in steady
//!   state. Its cost: one group in the new pool, one `AdminAddUserToGroup` per such user, and a
//!   name in `groupsToOverride` that this companion strips from every token (no call), so apps
//!   never see it. The token that writes the marker is answered with an explicit empty group
//!   list, so it never shows the marker whether Cognito reads the memberships before or after it
//!   is written.
//! - When the new pool cannot be read or the old pool cannot be asked within the budget, the
//!   token is answered **without the groups** (never granting a group that was not confirmed) and
//!   with the claim [`crate::event::token::GROUPS_UNAVAILABLE_CLAIM`] = `"true"`, so an app can tell "no groups" from
//!   "groups not known yet" — which matters for deny-groups such as `blocked` (see the README
//!   runbook). Nothing is written; the next token asks again.
//!
//! - With `MIGRATED_EVENT_BUS` set, a user proven to be the old user (above: a legacy id, one old
//!   user with that `sub`, the same person, this pool's tenant) whose first membership (an old
//!   group or the marker) was written gets one "user migrated" EventBridge event with both ids
//!   ([`crate::migrated_event`]): put after the token's answer is decided, within what is left of
//!   the budget, never changing the answer. Nobody else ever gets one.
//!
//! - A proven user with an e-mail in the new pool has its old MFA settings read (`AdminGetUser`
//!   on the old pool, beside the membership writes). If the old user had e-mail MFA and the new
//!   pool holds the e-mail as verified, e-mail MFA is turned on again in the new pool on the token
//!   that writes the first membership ([`crate::email_mfa`]): once, after the answer is decided,
//!   within what is left of the budget, never changing the answer; a pool that cannot do it, an
//!   e-mail not verified, a failure are logged with what to do. A user whose groups `cognito-migrate
//!   groups` wrote first is never looked up here (above): `groups --sync` carries that user's
//!   e-mail MFA itself, on the same proof as `import` (`bulk/src/groups/email_mfa.rs`), and
//!   `import --resume` that of an imported user.
//!
//! Cost per first token of a migrated user: one `AdminGetUser` on the new pool, then `ListUsers`
//! and `AdminListGroupsForUser` on the old pool (and its `AdminGetUser` when the user has an
//! e-mail in the new pool) and one `AdminAddUserToGroup` per group (and one
//! `AdminSetUserMFAPreference` for an e-mail-MFA user, one `PutEvents` with
//! `MIGRATED_EVENT_BUS`); every later token: none.
//!
//! One module per job: the event and how the answer is written into it in
//! [`crate::event::token`]; the decision, as plain functions tested without any pool, in
//! [`decide`]; the old pool's lookups in [`old_user`]; the membership writes in [`writes`]; and
//! [`TokenGroups`] here, the shell that asks, writes and logs inside the invocation's
//! [`Deadline`].

mod decide;
mod old_user;
mod writes;

use std::time::Duration;

use lambda_runtime::Context;
use serde_json::Value;

use crate::budget::{Deadline, INVOCATION_BUDGET};
use crate::email_mfa::{self, EMAIL_MFA_BUDGET, EmailMfaOutcome};
use crate::event::token::{TokenAnswer, TokenRequest};
use crate::logging::{Line, UserRefKey};
use crate::migrated_event::{
    self, EVENT_BUDGET, EventOutcome, MigratedEvents, MigratedUser, NoEvents,
};
use crate::new_pool::{NewPool, NewPoolError};
use crate::old_directory::OldDirectory;
use crate::old_pool::OldPoolError;
use crate::tenant::TenantRule;
use decide::{Decision, EmailMfaStep, TokenOutcome};

/// Time kept back from the reads (the new-pool user, the old pool's lookups) for writing the
/// memberships.
const WRITE_RESERVE: Duration = Duration::from_millis(1000);

/// The message of a token's answer line.
const ANSWERED: &str = "token answered";

/// The PreTokenGeneration companion; `E` is where it puts "user migrated" events
/// ([`NoEvents`]: nowhere).
#[derive(Debug)]
pub struct TokenGroups<D, N, E = NoEvents> {
    old_pool: D,
    new_pool: N,
    events: Option<E>,
    legacy_id_attribute: Option<String>,
    new_pool_id: Option<String>,
    marker_group: String,
    tenant: Option<TenantRule>,
    budget: Duration,
    user_ref_key: UserRefKey,
}

impl<D, N, E> TokenGroups<D, N, E>
where
    D: OldDirectory + Sync,
    N: NewPool + Clone + Send + Sync + 'static,
    E: MigratedEvents + Sync,
{
    /// A companion that proves users by `legacy_id_attribute` (the mapping's
    /// `legacy_sub_attribute`; `None`: nobody is proven, nothing is granted), finds them in
    /// `old_pool`, reads and writes `new_pool`, and marks users without old groups with
    /// `marker_group`.
    pub fn new(
        old_pool: D,
        new_pool: N,
        legacy_id_attribute: Option<String>,
        marker_group: impl Into<String>,
        tenant: Option<TenantRule>,
    ) -> TokenGroups<D, N, E> {
        TokenGroups {
            old_pool,
            new_pool,
            events: None,
            legacy_id_attribute,
            new_pool_id: None,
            marker_group: marker_group.into(),
            tenant,
            budget: INVOCATION_BUDGET,
            user_ref_key: UserRefKey::random(),
        }
    }

    /// The same companion with the key of the log's `user_ref` (see [`UserRefKey`]).
    pub fn with_user_ref_key(mut self, key: UserRefKey) -> TokenGroups<D, N, E> {
        self.user_ref_key = key;
        self
    }

    /// The same companion answering only events of the pool `pool_id` (`NEW_USER_POOL_ID`;
    /// `None`: the event's `userPoolId`, whatever it is).
    pub fn with_new_pool_id(mut self, pool_id: Option<String>) -> TokenGroups<D, N, E> {
        self.new_pool_id = pool_id;
        self
    }

    /// The same companion with another time budget per invocation.
    #[cfg(test)]
    pub fn with_budget(mut self, budget: Duration) -> TokenGroups<D, N, E> {
        self.budget = budget;
        self
    }

    /// The same companion putting a "user migrated" event on `events` for each proven user it
    /// first handles (`MIGRATED_EVENT_BUS`; `None`: no event).
    pub fn with_migrated_events(mut self, events: Option<E>) -> TokenGroups<D, N, E> {
        self.events = events;
        self
    }

    /// Answers one PreTokenGeneration event. Never an error: a token without the old groups is
    /// the safe answer when they cannot be known.
    pub async fn answer(&self, event: Value, context: &Context) -> Value {
        let deadline = Deadline::start(self.budget, context);
        let Some(request) = TokenRequest::parse(&event) else {
            Line {
                outcome: TokenOutcome::NotAUserToken.code(),
                request_id: Some(&context.request_id),
                memberships_written: Some(0),
                duration: Some(deadline.elapsed()),
                ..Line::default()
            }
            .info(ANSWERED);
            return event;
        };
        let (answered, _) = self
            .answer_reporting(request, event, context, deadline)
            .await;
        answered
    }

    /// [`TokenGroups::answer`] for a user's token event, with what became of the user's e-mail
    /// MFA.
    async fn answer_reporting(
        &self,
        request: TokenRequest,
        event: Value,
        context: &Context,
        deadline: Deadline,
    ) -> (Value, Option<EmailMfaOutcome>) {
        let decision = self.decide(&request, context, &deadline).await;
        // The answer is decided; what follows can only take time that is left, never change it.
        let email_mfa = match &decision.email_mfa {
            Some(EmailMfaStep::Enable(username)) => {
                let outcome = email_mfa::enable_within(
                    &self.new_pool,
                    &request.user_pool_id,
                    username,
                    &deadline,
                )
                .await;
                Some(outcome)
            }
            Some(EmailMfaStep::Left(outcome)) => Some(outcome.clone()),
            None => None,
        };
        if let Some(outcome) = &email_mfa
            && let Some(problem) = outcome.problem()
        {
            Line {
                outcome: outcome.code(),
                error: Some(problem),
                ..self.line(context, &request)
            }
            .warn("e-mail MFA was not turned on again for a user who had it in the old pool (not retried)");
        }
        let event_outcome = match (&self.events, &decision.migrated) {
            (Some(events), Some(user)) => Some(
                self.announce(events, user, &deadline, context, &request)
                    .await,
            ),
            _ => None,
        };
        Line {
            outcome: decision.outcome.code(),
            trigger_source: Some(&request.trigger_source),
            memberships_written: Some(decision.written),
            migrated_event: event_outcome.as_ref().map(EventOutcome::code),
            email_mfa: email_mfa.as_ref().map(EmailMfaOutcome::code),
            duration: Some(deadline.elapsed()),
            ..self.line(context, &request)
        }
        .info(ANSWERED);
        (decision.answer.write_into(&request, event), email_mfa)
    }

    /// The start of every log line about `request`: its request id and `user_ref`.
    fn line<'a>(&self, context: &'a Context, request: &TokenRequest) -> Line<'a> {
        Line {
            request_id: Some(&context.request_id),
            user_ref: Some(self.user_ref_key.user_ref(&request.user_name)),
            ..Line::default()
        }
    }

    /// Puts the "user migrated" event before `deadline` (within [`EVENT_BUDGET`] at most); a
    /// failure is logged with its code and what to check, never the ids.
    async fn announce(
        &self,
        events: &E,
        user: &MigratedUser,
        deadline: &Deadline,
        context: &Context,
        request: &TokenRequest,
    ) -> EventOutcome {
        let outcome = migrated_event::put_within(events, user, deadline).await;
        let error = match &outcome {
            EventOutcome::Sent => return outcome,
            EventOutcome::Failed(error) => error.to_string(),
            EventOutcome::TimedOut => {
                "EventBridge PutEvents: no answer within the time budget".to_string()
            }
        };
        Line {
            outcome: outcome.code(),
            error: Some(error),
            ..self.line(context, request)
        }
        .warn("the user migrated event was not put (not retried; cognito-migrate id-map has the user)");
        outcome
    }

    /// Reads the new pool and asks the old one what the decision needs, inside `deadline`, and
    /// writes the memberships it decides.
    async fn decide(
        &self,
        request: &TokenRequest,
        context: &Context,
        deadline: &Deadline,
    ) -> Decision {
        let attribute = match decide::before_lookup(
            request,
            self.new_pool_id.as_deref(),
            &self.marker_group,
            self.legacy_id_attribute.as_deref(),
        ) {
            Ok(decision) => return decision,
            Err(attribute) => attribute,
        };
        let reads = deadline.keeping(WRITE_RESERVE);
        let read = reads
            .run(
                self.new_pool
                    .user(&request.user_pool_id, &request.user_name),
            )
            .await;
        let user = match read {
            Ok(Ok(Some(user))) if user.enabled => user,
            Ok(Ok(_)) => {
                return Decision::only(TokenAnswer::Untouched, TokenOutcome::NotInNewPool);
            }
            Ok(Err(fault)) => {
                return self.unavailable(context, request, PoolFault::New(&fault), deadline);
            }
            Err(_) => {
                let fault = NewPoolError::Read {
                    problem: "no answer within the time budget".to_string(),
                };
                return self.unavailable(context, request, PoolFault::New(&fault), deadline);
            }
        };
        let Some(legacy_id) = user.attribute(attribute).filter(|id| !id.is_empty()) else {
            return Decision::only(TokenAnswer::Untouched, TokenOutcome::NotMigrated);
        };
        let asked = reads
            .run(old_user::proven_old_user(
                &self.old_pool,
                &user,
                legacy_id,
                self.tenant.as_ref(),
                &request.user_pool_id,
                &self.marker_group,
            ))
            .await;
        let proven = match asked {
            Ok(Ok(proven)) => proven,
            Ok(Err(fault)) => {
                return self.unavailable(context, request, PoolFault::Old(&fault), deadline);
            }
            Err(_) => {
                let fault = OldPoolError::Timeout {
                    operation: "invocation",
                };
                return self.unavailable(context, request, PoolFault::Old(&fault), deadline);
            }
        };
        // Room after the writes for the e-mail MFA of a proven user and for the event, but never
        // more than half of what is left.
        let mut reserve = Duration::ZERO;
        if proven.is_some() {
            reserve += EMAIL_MFA_BUDGET;
        }
        if self.events.is_some() {
            reserve += EVENT_BUDGET;
        }
        let writes = deadline.keeping(reserve);
        let (answer, outcome, memberships) =
            decide::memberships(proven.as_ref(), &self.marker_group);
        let logged = writes::Logged {
            request_id: &context.request_id,
            user_ref: self.user_ref_key.user_ref(&request.user_name),
        };
        // The old user's MFA settings are read while the memberships are written.
        let (written, old_email_mfa) = tokio::join!(
            writes::add_to_groups(
                &self.new_pool,
                &request.user_pool_id,
                &user.username,
                &memberships,
                &writes,
                &logged,
            ),
            old_user::old_email_mfa(&self.old_pool, &user, proven.as_ref(), legacy_id, &writes),
        );
        Decision {
            answer,
            outcome,
            written,
            migrated: decide::migrated(request, &user, legacy_id, proven.as_ref(), written),
            email_mfa: decide::email_mfa_step(&user, old_email_mfa, written),
        }
    }

    /// The answer when a pool could not be asked: logged, no groups, nothing written.
    fn unavailable(
        &self,
        context: &Context,
        request: &TokenRequest,
        fault: PoolFault<'_>,
        deadline: &Deadline,
    ) -> Decision {
        let (code, outcome) = match fault {
            PoolFault::New(_) => ("new-pool-unavailable", TokenOutcome::NewPoolUnavailable),
            PoolFault::Old(fault) => (fault.code(), TokenOutcome::OldPoolUnavailable),
        };
        Line {
            outcome: code,
            trigger_source: Some(&request.trigger_source),
            error: Some(fault.to_string()),
            duration: Some(deadline.elapsed()),
            ..self.line(context, request)
        }
        .error("pool fault, token answered without the old groups");
        Decision::only(TokenAnswer::GroupsUnavailable, outcome)
    }
}

/// A pool that could not be asked, for the log line and the outcome.
#[derive(Debug, thiserror::Error)]
enum PoolFault<'a> {
    #[error(transparent)]
    New(&'a NewPoolError),
    #[error(transparent)]
    Old(&'a OldPoolError),
}

#[cfg(test)]
mod tests;
