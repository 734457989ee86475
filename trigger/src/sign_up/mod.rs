//! The PreSignUp companion: during the migration window, nobody can sign up in the new pool with
//! a sign-in name an old user who has not migrated yet will sign in with there.
//!
//! Why: Cognito never calls UserMigration on sign-up (amplify-js#5081), so without this anyone
//! could take an old user's sign-in name in the new pool before its owner signs in, and the
//! owner's sign-in would then meet the squatter's account instead of being migrated.
//!
//! **Only sign-in names, in the new pool's shape** ([`NewPoolSignIn`], `NEW_POOL_SIGN_IN`). A
//! sign-up is refused when a value the new user would sign in with equals a value an old user
//! would sign in with in the new pool:
//!
//! | new pool | the sign-up's values checked | an old user's values that count |
//! |---|---|---|
//! | user names (`username`) | `userName` | the user name, or whatever the old pool's `AdminGetUser` resolves the name to; for an e-mail- or phone-shaped `userName`, also the old user whose e-mail/phone it is, **verified** (the sign-in would migrate that user under this name) |
//! | user names with aliases (`username,email`, …) | also `email` / `phone_number` when it is an alias | also the old e-mail/phone, **verified** in the old pool (an unverified one never becomes an alias) |
//! | e-mail/phone as the user name (`email`, `phone_number`) | `email` / `phone_number` (and `userName` when it is shaped like one) | the old e-mail/phone, verified or not (it is the user name there, and the import carries it so) |
//! | unknown (unset) | all of the above | all of the above, verified or not |
//!
//! Anything else is an attribute, not a name, and is not looked at: an old user's unverified
//! e-mail in a user-name pool, or any e-mail in a pool that signs in by phone, can be signed up
//! with. Until issue 22 every old e-mail and phone was refused whatever the shape, which told
//! anyone whether an address belonged to an old user.
//!
//! **Disabled and unconfirmed old users count like the others.** The trigger never migrates
//! them at sign-in (their password does not prove them), but the window's import carries them
//! with these same sign-in names (disabled ones disabled, unconfirmed ones through the
//! passwordless export). A sign-up holding such a name would make their import SKIP them, and
//! hand a banned user's name to whoever asked first. So they are refused whatever the status.
//!
//! **The oracle that remains.** A refusal says that the value is an old user's sign-in name in
//! the new pool. Cognito says the same of its own users: "The `SignUp` operation returns
//! `UsernameExistsException` when a user name is already taken" (developer guide, *Managing user
//! existence error responses*; `PreventUserExistenceErrors` does not change it), and the same
//! page's remedy, "To prevent the `UsernameExistsException` error for email or phone number
//! during `SignUp`, you can use verification based aliases", is why an alias counts only when
//! verified. What a refusal tells is therefore what the new pool itself will tell once the user
//! has migrated, with one addition on an alias pool: that an address is an old user's
//! *verified* alias, which Cognito's own sign-up would not reveal (it moves the alias on
//! confirmation); refusing it keeps the owner's migration from meeting a confirmed squatter.
//!
//! The other rules:
//! - A refused sign-up reads [`SignUpRefusal::AccountExists`], a sentence like Cognito's own
//!   answer for an existing account ("An account with the given email already exists.").
//!   Cognito shows it as `UserLambdaValidationException` `PreSignUp failed with error
//!   <message>.` (AWS: "any sensitive or debugging information should be logged in the Lambda
//!   trigger itself", Lambda triggers, important considerations). In a tenant split, only a user
//!   of this pool's tenant counts.
//! - `PreSignUp_AdminCreateUser` (an administrator, or the bulk import) passes unchanged.
//! - `PreSignUp_ExternalProvider` (a federated identity's first sign-in to the new pool, with
//!   `userName` `<Provider>_<subject>`) is refused with [`SignUpRefusal::NotYetLinked`] when the
//!   old pool has that very federated user and `cognito-migrate links` has not carried it yet:
//!   let through, Cognito would create an empty profile under that identity, and AWS lets a link
//!   be made only to an identity that has not signed in ("This operation connects a local user
//!   profile with a user identity who hasn't yet signed in from their third-party IdP",
//!   `AdminLinkProviderForUser`), so the old profile, legacy id and groups could never reach the
//!   person again. Once `links` ran, the sign-in lands on the linked profile and never comes here
//!   (AWS: "Amazon Cognito returns this user when the new user (with the linked IdP attribute)
//!   signs in"). The guard does not link on the spot, which AWS also allows in this trigger: that
//!   would give the function that anyone's sign-in reaches the right to create users and links in
//!   the new pool, which only `links` (an operator's credentials) holds. Anyone else's first
//!   federated sign-in passes. A native old user's linked identity cannot be looked up by name in
//!   the old pool, so it passes too (and `links` reports the identity `link_refused`): run `links`
//!   before cutover and with `groups --sync` during the window.
//! - When the old pool cannot be asked in time, or this instance's `ListUsers` budget is spent
//!   ([`crate::old_directory::WindowOldPool`]), the sign-up is refused with
//!   [`SignUpRefusal::Unavailable`], a fixed request to retry: fail closed.
//!
//! Users the UserMigration trigger creates never come through here: AWS lists the sign-ups that
//! invoke PreSignUp as "self-service sign-up with SignUp or first sign-in with a trusted identity
//! provider, and on user creation with AdminCreateUser" (pre sign-up Lambda trigger page).
//!
//! Every sign-up of one shape costs the same calls whatever the answer: one `AdminGetUser` for
//! the user name where user names sign in, and one `ListUsers` for each value checked by search
//! (above), asked side by side and all awaited, so the time of the answer does not tell which
//! value matched. Which calls are made depends only on which fields the sign-up carries and
//! whether the user name looks like an e-mail or phone.
//!
//! One module per job: the event is read in [`crate::event::sign_up`], the decision is made by
//! plain functions in [`decide`] (tested without any pool), and [`SignUpGuard`] here only asks
//! the old pool, inside the invocation's [`Deadline`], and logs one line.
//!
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html>,
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html>

mod decide;

use std::time::Duration;

use lambda_runtime::Context;
use serde_json::Value;
use shared::SourceUser;

use crate::budget::{Deadline, INVOCATION_BUDGET};
use crate::config::NewPoolSignIn;
use crate::event::sign_up::SignUpRequest;
use crate::logging::{Line, UserRefKey};
use crate::old_directory::{self, OldDirectory, SearchAttribute};
use crate::old_pool::{AliasKind, Lookup, OldPoolError};
use crate::tenant::TenantRule;
pub use decide::SignUpRefusal;
use decide::{Held, Search, Step};

/// The PreSignUp companion: the old pool, the new pool's sign-in shape, the tenant rule, the
/// time budget.
#[derive(Debug)]
pub struct SignUpGuard<D> {
    old_pool: D,
    sign_in: NewPoolSignIn,
    tenant: Option<TenantRule>,
    budget: Duration,
    user_ref_key: UserRefKey,
}

impl<D: OldDirectory + Sync> SignUpGuard<D> {
    /// A guard asking `old_pool`; in a tenant split, only the users `tenant` admits hold
    /// identities.
    pub fn new(old_pool: D, tenant: Option<TenantRule>) -> SignUpGuard<D> {
        SignUpGuard {
            old_pool,
            sign_in: NewPoolSignIn::UNKNOWN,
            tenant,
            budget: INVOCATION_BUDGET,
            user_ref_key: UserRefKey::random(),
        }
    }

    /// The same guard with the key of the log's `user_ref` (see [`UserRefKey`]).
    pub fn with_user_ref_key(mut self, key: UserRefKey) -> SignUpGuard<D> {
        self.user_ref_key = key;
        self
    }

    /// The same guard for a new pool signing in as `sign_in` says (default
    /// [`NewPoolSignIn::UNKNOWN`]: every shape's names are protected).
    pub fn with_sign_in(mut self, sign_in: NewPoolSignIn) -> SignUpGuard<D> {
        self.sign_in = sign_in;
        self
    }

    /// The same guard with another time budget per invocation.
    #[cfg(test)]
    pub fn with_budget(mut self, budget: Duration) -> SignUpGuard<D> {
        self.budget = budget;
        self
    }

    /// Answers one PreSignUp event: the event untouched to let the sign-up go on, or the
    /// refusal Cognito shows.
    pub async fn answer(&self, event: Value, context: &Context) -> Result<Value, SignUpRefusal> {
        let deadline = Deadline::start(self.budget, context);
        // The dispatcher only sends PreSignUp events here; one that cannot be read cannot be
        // checked, so it is not let through.
        let request = SignUpRequest::parse(&event);
        let tenant = self.tenant.as_ref();
        let pool = request.as_ref().and_then(|r| r.user_pool_id.as_deref());
        let asked = match decide::first_step(request.as_ref(), tenant) {
            Step::Decided(verdict) => Ok(Ok(verdict)),
            Step::Unconfigured => {
                Line {
                    outcome: "configuration-error",
                    request_id: Some(&context.request_id),
                    pool: Some(pool.unwrap_or("(none)")),
                    ..Line::default()
                }
                .error(
                    "the calling pool is not in TENANT_TABLE: add it to the table or set TENANT",
                );
                return Err(SignUpRefusal::Unavailable);
            }
            Step::Federated(name) => {
                let found = deadline.run(self.old_pool.user_named(name)).await;
                found.map(|found| found.map(|found| decide::federated(name, &found, tenant, pool)))
            }
            Step::Holders(request) => {
                let held = deadline.run(self.held(request)).await;
                held.map(|held| held.map(decide::holders))
            }
        };
        let fault = match asked {
            Ok(Ok(verdict)) => {
                let mut line =
                    self.line(context, request.as_ref(), verdict.outcome.code(), &deadline);
                line.held = verdict.held.map(Held::code);
                line.info("sign-up answered");
                return match verdict.refusal {
                    Some(refusal) => Err(refusal),
                    None => Ok(event),
                };
            }
            Ok(Err(fault)) => fault,
            Err(_) => OldPoolError::Timeout {
                operation: "invocation",
            },
        };
        let outcome = if old_directory::budget_spent(&fault) {
            old_directory::BUDGET_SPENT
        } else {
            fault.code()
        };
        let mut line = self.line(context, request.as_ref(), outcome, &deadline);
        line.error = Some(fault.to_string());
        line.error("old pool fault, sign-up refused until it answers");
        Err(SignUpRefusal::Unavailable)
    }

    /// The log line of this sign-up, keyed by what was typed as the user name.
    fn line<'a>(
        &self,
        context: &'a Context,
        request: Option<&'a SignUpRequest>,
        outcome: &'a str,
        deadline: &Deadline,
    ) -> Line<'a> {
        Line {
            outcome,
            request_id: Some(&context.request_id),
            trigger_source: request.map(|r| r.source.as_str()),
            user_ref: request
                .and_then(|r| r.user_name.as_deref())
                .map(|typed| self.user_ref_key.user_ref(typed)),
            duration: Some(deadline.elapsed()),
            ..Line::default()
        }
    }

    /// Which value of the sign-up an old user of this pool's tenant signs in with in the new
    /// pool, if any. All lookups are made and awaited whatever the first one finds.
    async fn held(&self, request: &SignUpRequest) -> Result<Option<Held>, OldPoolError> {
        let by_name = async {
            match request
                .user_name
                .as_ref()
                .filter(|_| self.sign_in.user_name)
            {
                // Whoever the old pool resolves the name to, the sign-in would migrate under it.
                Some(name) => match self.old_pool.user_named(name).await? {
                    Lookup::Found(user) => Ok(Some(user)),
                    Lookup::NotFound => Ok(None),
                },
                None => Ok(None),
            }
        };
        let [a, b, c, d] = decide::searches(self.sign_in, request);
        let (by_name, a, b, c, d) = tokio::join!(
            by_name,
            self.search(a),
            self.search(b),
            self.search(c),
            self.search(d)
        );
        let tenant = self.tenant.as_ref();
        let pool = request.user_pool_id.as_deref();
        if decide::name_held(by_name?.as_ref(), tenant, pool) {
            return Ok(Some(Held::UserName));
        }
        let found = [a?, b?, c?, d?].into_iter().flatten();
        Ok(decide::value_held(found, tenant, pool))
    }

    /// One `ListUsers` search, when the sign-up needs it.
    async fn search(
        &self,
        search: Option<Search>,
    ) -> Result<Option<(Search, Vec<SourceUser>)>, OldPoolError> {
        let Some(search) = search else {
            return Ok(None);
        };
        let attribute = match search.kind {
            AliasKind::Email => SearchAttribute::Email,
            AliasKind::PhoneNumber => SearchAttribute::PhoneNumber,
        };
        let users = self.old_pool.users_with(attribute, &search.value).await?;
        Ok(Some((search, users)))
    }
}

#[cfg(test)]
mod tests;
