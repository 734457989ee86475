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
//!   Cognito shows it as `UserLambdaValidationException` "PreSignUp failed with error
//!   <message>." (AWS: "any sensitive or debugging information should be logged in the Lambda
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
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html>,
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html>

use std::time::Duration;

use lambda_runtime::Context;
use serde_json::Value;
use shared::SourceUser;

use crate::budget::{Deadline, INVOCATION_BUDGET};
use crate::config::{NewPoolSignIn, SignInKey};
use crate::decide::TenantRule;
use crate::event::sign_up::{SignUpRequest, SignUpSource};
use crate::logging::{self, UserRefKey};
use crate::old_directory::{self, OldDirectory, SearchAttribute};
use crate::old_pool::{AliasKind, Lookup, OldPoolError};

/// Why a sign-up is refused. The message is what the person signing up reads, so it is a fixed
/// sentence that names nothing internal; Cognito appends a full stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignUpRefusal {
    /// An old user holds the user name, email or phone number.
    #[error("An account with the given user name, email or phone number already exists")]
    AccountExists,
    /// The old pool could not be asked (or the trigger is misconfigured): try again later.
    #[error("Sign-up is not available right now, please try again in a few minutes")]
    Unavailable,
    /// A federated old user's identity whose profile `links` has not carried yet.
    #[error("Your account is being moved, please try again later")]
    NotYetLinked,
}

impl SignUpRefusal {
    /// The Lambda `errorType` (seen in the function's metrics and logs, not by the user).
    pub fn error_type(self) -> &'static str {
        match self {
            SignUpRefusal::AccountExists => "AccountExists",
            SignUpRefusal::Unavailable => "SignUpUnavailable",
            SignUpRefusal::NotYetLinked => "FederatedNotYetLinked",
        }
    }
}

/// Which identifier of a sign-up an old user holds; logged, never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// The user name.
    UserName,
    /// The email address.
    Email,
    /// The phone number.
    PhoneNumber,
}

impl Held {
    /// The log code.
    pub fn code(self) -> &'static str {
        match self {
            Held::UserName => "user-name",
            Held::Email => "email",
            Held::PhoneNumber => "phone-number",
        }
    }
}

/// One `ListUsers` search of a sign-up: a value, which of the sign-up's fields it came from, and
/// which old holders count.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Search {
    kind: AliasKind,
    value: String,
    held: Held,
    rule: SignInKey,
}

impl Search {
    /// Whether an old user holding the value (as `ListUsers` found it) signs in with it in the
    /// new pool.
    fn counts(&self, user: &SourceUser) -> bool {
        let holds = user
            .attribute(self.kind.attribute())
            .is_some_and(|stored| self.kind.matches(stored, &self.value));
        match self.rule {
            SignInKey::Not => false,
            SignInKey::VerifiedAlias => {
                holds && user.attribute(self.kind.verified_flag()) == Some("true")
            }
            SignInKey::UserName => holds,
        }
    }
}

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
        let Some(request) = SignUpRequest::parse(&event) else {
            // The dispatcher only sends PreSignUp events here; one that cannot be read cannot be
            // checked, so it is not let through.
            log(
                &self.user_ref_key,
                context,
                None,
                None,
                "malformed-event",
                deadline,
            );
            return Err(SignUpRefusal::Unavailable);
        };
        if request.source == SignUpSource::ExternalProvider {
            return self.federated(event, &request, context, deadline).await;
        }
        if request.source != SignUpSource::SignUp {
            log(
                &self.user_ref_key,
                context,
                Some(&request),
                None,
                "not-checked",
                deadline,
            );
            return Ok(event);
        }
        if let Some(rule) = &self.tenant
            && rule.admitted(request.user_pool_id.as_deref()).is_none()
        {
            tracing::error!(
                outcome = "configuration-error",
                request_id = context.request_id,
                pool = request.user_pool_id.as_deref().unwrap_or("(none)"),
                "the calling pool is not in TENANT_TABLE: add it to the table or set TENANT"
            );
            return Err(SignUpRefusal::Unavailable);
        }
        let asked = deadline.run(self.held(&request)).await;
        match asked {
            Ok(Ok(None)) => {
                log(
                    &self.user_ref_key,
                    context,
                    Some(&request),
                    None,
                    "sign-up-allowed",
                    deadline,
                );
                Ok(event)
            }
            Ok(Ok(Some(held))) => {
                log(
                    &self.user_ref_key,
                    context,
                    Some(&request),
                    Some(held),
                    "sign-up-refused-existing",
                    deadline,
                );
                Err(SignUpRefusal::AccountExists)
            }
            Ok(Err(fault)) => {
                log_fault(&self.user_ref_key, context, &request, &fault, deadline);
                Err(SignUpRefusal::Unavailable)
            }
            Err(_) => {
                let fault = OldPoolError::Timeout {
                    operation: "invocation",
                };
                log_fault(&self.user_ref_key, context, &request, &fault, deadline);
                Err(SignUpRefusal::Unavailable)
            }
        }
    }

    /// A federated identity's first sign-in to the new pool: refused while the old pool has that
    /// very federated user (`<Provider>_<subject>`, status `EXTERNAL_PROVIDER`), which `links`
    /// has not carried yet; let through otherwise. Fails closed like a sign-up.
    async fn federated(
        &self,
        event: Value,
        request: &SignUpRequest,
        context: &Context,
        deadline: Deadline,
    ) -> Result<Value, SignUpRefusal> {
        let Some(name) = request.user_name.as_deref() else {
            log(
                &self.user_ref_key,
                context,
                Some(request),
                None,
                "malformed-event",
                deadline,
            );
            return Err(SignUpRefusal::Unavailable);
        };
        let asked = deadline.run(self.old_pool.user_named(name)).await;
        let fault = match asked {
            Ok(Ok(Lookup::Found(user)))
                if user.username == name
                    && user.status == shared::SourceStatus::ExternalProvider
                    && self
                        .tenant
                        .as_ref()
                        .is_none_or(|rule| rule.admits(request.user_pool_id.as_deref(), &user)) =>
            {
                log(
                    &self.user_ref_key,
                    context,
                    Some(request),
                    Some(Held::UserName),
                    "federated-not-yet-linked",
                    deadline,
                );
                return Err(SignUpRefusal::NotYetLinked);
            }
            Ok(Ok(_)) => {
                log(
                    &self.user_ref_key,
                    context,
                    Some(request),
                    None,
                    "federated-allowed",
                    deadline,
                );
                return Ok(event);
            }
            Ok(Err(fault)) => fault,
            Err(_) => OldPoolError::Timeout {
                operation: "invocation",
            },
        };
        log_fault(&self.user_ref_key, context, request, &fault, deadline);
        Err(SignUpRefusal::Unavailable)
    }

    /// The `ListUsers` searches a sign-up needs in the new pool's shape: at most one per field
    /// and kind, in a fixed order, a value found twice searched once with the wider rule.
    fn searches(&self, request: &SignUpRequest) -> [Option<Search>; 4] {
        let shape = self.sign_in;
        let by_attribute = |kind: AliasKind, value: Option<&String>, held: Held| {
            let rule = shape.key(kind);
            value.filter(|_| rule.signs_in()).map(|value| Search {
                kind,
                value: value.clone(),
                held,
                rule,
            })
        };
        // A user name shaped like an e-mail or phone: the value itself where it is the user name,
        // else (user names sign in) the old user the sign-in would resolve it to.
        let by_name = |kind: AliasKind, held: Held| {
            let name = request.user_name.as_ref()?;
            if AliasKind::of(name) != Some(kind) {
                return None;
            }
            let (held, rule) = match shape.key(kind) {
                SignInKey::UserName => (held, SignInKey::UserName),
                _ if shape.user_name => (Held::UserName, SignInKey::VerifiedAlias),
                _ => return None,
            };
            Some(Search {
                kind,
                value: name.clone(),
                held,
                rule,
            })
        };
        let email = by_attribute(AliasKind::Email, request.email.as_ref(), Held::Email);
        let phone = by_attribute(
            AliasKind::PhoneNumber,
            request.phone_number.as_ref(),
            Held::PhoneNumber,
        );
        let name_email = by_name(AliasKind::Email, Held::Email);
        let name_phone = by_name(AliasKind::PhoneNumber, Held::PhoneNumber);
        [
            email.clone(),
            name_email.filter(|n| !same_value(email.as_ref(), n)),
            phone.clone(),
            name_phone.filter(|n| !same_value(phone.as_ref(), n)),
        ]
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
        let [a, b, c, d] = self.searches(request);
        let (by_name, a, b, c, d) = tokio::join!(
            by_name,
            self.search(a),
            self.search(b),
            self.search(c),
            self.search(d)
        );
        let pool = request.user_pool_id.as_deref();
        if by_name?.is_some_and(|user| self.counts(pool, &user)) {
            return Ok(Some(Held::UserName));
        }
        for found in [a?, b?, c?, d?].into_iter().flatten() {
            let (search, users) = found;
            if users
                .iter()
                .any(|user| search.counts(user) && self.counts(pool, user))
            {
                return Ok(Some(search.held));
            }
        }
        Ok(None)
    }

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

    /// Whether an old user's identities are protected in the calling pool: always, except in a
    /// tenant split, where only the users of this pool's tenant will ever migrate here.
    fn counts(&self, pool: Option<&str>, user: &SourceUser) -> bool {
        match &self.tenant {
            None => true,
            Some(rule) => rule.admits(pool, user),
        }
    }
}

/// True when `search` looks for the value `other` looks for (one search serves both, with the
/// wider rule: `other` is dropped only when `search` counts at least as many holders).
fn same_value(search: Option<&Search>, other: &Search) -> bool {
    search.is_some_and(|s| {
        s.kind == other.kind
            && s.kind.matches(&s.value, &other.value)
            && (s.rule == SignInKey::UserName || other.rule != SignInKey::UserName)
    })
}

fn log(
    key: &UserRefKey,
    context: &Context,
    request: Option<&SignUpRequest>,
    held: Option<Held>,
    outcome: &'static str,
    deadline: Deadline,
) {
    tracing::info!(
        outcome,
        held = held.map(Held::code),
        request_id = context.request_id,
        trigger_source = request.map(|r| r.source.as_str()),
        user_ref = request
            .and_then(|r| r.user_name.as_deref())
            .map(|typed| key.user_ref(typed)),
        duration_us = deadline.elapsed().as_micros() as u64,
        "sign-up answered"
    );
}

fn log_fault(
    key: &UserRefKey,
    context: &Context,
    request: &SignUpRequest,
    fault: &OldPoolError,
    deadline: Deadline,
) {
    let outcome = if old_directory::budget_spent(fault) {
        old_directory::BUDGET_SPENT
    } else {
        logging::fault_code(fault)
    };
    tracing::error!(
        outcome,
        request_id = context.request_id,
        trigger_source = request.source.as_str(),
        user_ref = request.user_name.as_deref().map(|typed| key.user_ref(typed)),
        error = %fault,
        duration_us = deadline.elapsed().as_micros() as u64,
        "old pool fault, sign-up refused until it answers"
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::Mutex;
    use std::time::Instant;

    use serde_json::json;
    use shared::SourceStatus;
    use shared::partition::TenantTable;

    use super::*;

    /// A hand-written old pool: users by name, a log of the calls, an optional fault or delay.
    #[derive(Default)]
    struct FakeDirectory {
        users: BTreeMap<String, SourceUser>,
        calls: Mutex<Vec<String>>,
        fault: Option<OldPoolError>,
        delay: Option<Duration>,
    }

    impl FakeDirectory {
        fn with(mut self, user: SourceUser) -> FakeDirectory {
            self.users.insert(user.username.clone(), user);
            self
        }

        async fn enter(&self, call: String) -> Result<(), OldPoolError> {
            self.calls.lock().unwrap().push(call);
            if let Some(delay) = self.delay {
                tokio::time::sleep(delay).await;
            }
            self.fault.clone().map_or(Ok(()), Err)
        }

        fn calls(&self) -> Vec<String> {
            let mut calls = self.calls.lock().unwrap().clone();
            calls.sort();
            calls
        }
    }

    impl OldDirectory for FakeDirectory {
        async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
            self.enter(format!("get {name}")).await?;
            Ok(self
                .users
                .get(name)
                .cloned()
                .map_or(Lookup::NotFound, Lookup::Found))
        }

        async fn users_with(
            &self,
            attribute: SearchAttribute,
            value: &str,
        ) -> Result<Vec<SourceUser>, OldPoolError> {
            self.enter(format!("list {} {value}", attribute.attribute()))
                .await?;
            Ok(self
                .users
                .values()
                .filter(|u| u.attribute(attribute.attribute()) == Some(value))
                .cloned()
                .collect())
        }

        async fn groups_of(&self, _: &str) -> Result<Vec<String>, OldPoolError> {
            unreachable!("sign-up never asks for groups")
        }
    }

    fn ada() -> SourceUser {
        // Unverified on purpose: an identity is protected whether or not it was verified.
        SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("phone_number", "+15555550100")
            .with("custom:tenant", "acme")
    }

    fn old_pool() -> FakeDirectory {
        FakeDirectory::default().with(ada())
    }

    /// A PreSignUp event as AWS documents it (version 1, `response` with the three flags).
    fn sign_up(source: &str, name: &str, email: Option<&str>, phone: Option<&str>) -> Value {
        let mut attributes = serde_json::Map::new();
        if let Some(email) = email {
            attributes.insert("email".into(), json!(email));
        }
        if let Some(phone) = phone {
            attributes.insert("phone_number".into(), json!(phone));
        }
        json!({
            "version": "1", "triggerSource": source, "region": "us-east-1",
            "userPoolId": "us-east-1_acme", "userName": name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newclient"},
            "request": {"userAttributes": attributes, "validationData": null, "clientMetadata": null},
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
        })
    }

    async fn answer(
        guard: &SignUpGuard<FakeDirectory>,
        event: Value,
    ) -> Result<Value, SignUpRefusal> {
        guard.answer(event, &Context::default()).await
    }

    #[tokio::test]
    async fn an_old_users_name_email_or_phone_is_refused_as_an_existing_account() {
        let guard = SignUpGuard::new(old_pool(), None);
        for event in [
            sign_up("PreSignUp_SignUp", "ada", Some("new@example.com"), None),
            sign_up("PreSignUp_SignUp", "mallory", Some("ada@example.com"), None),
            sign_up("PreSignUp_SignUp", "mallory", None, Some("+15555550100")),
        ] {
            assert_eq!(
                answer(&guard, event).await,
                Err(SignUpRefusal::AccountExists)
            );
        }
        assert_eq!(
            SignUpRefusal::AccountExists.to_string(),
            "An account with the given user name, email or phone number already exists"
        );
    }

    #[tokio::test]
    async fn a_new_identity_signs_up_and_the_event_comes_back_untouched() {
        let guard = SignUpGuard::new(old_pool(), None);
        let event = sign_up(
            "PreSignUp_SignUp",
            "grace",
            Some("grace@example.com"),
            Some("+15555550199"),
        );
        assert_eq!(answer(&guard, event.clone()).await, Ok(event));
    }

    #[tokio::test]
    async fn every_sign_up_costs_the_same_calls_whatever_it_finds() {
        let taken = SignUpGuard::new(old_pool(), None);
        let free = SignUpGuard::new(FakeDirectory::default(), None);
        let event = sign_up(
            "PreSignUp_SignUp",
            "ada",
            Some("ada@example.com"),
            Some("+15555550100"),
        );
        assert!(answer(&taken, event.clone()).await.is_err());
        assert!(answer(&free, event).await.is_ok());
        let expected = [
            "get ada",
            "list email ada@example.com",
            "list phone_number +15555550100",
        ];
        assert_eq!(taken.old_pool.calls(), expected);
        assert_eq!(free.old_pool.calls(), expected);
    }

    fn guard_for(shape: &str, pool: FakeDirectory) -> SignUpGuard<FakeDirectory> {
        SignUpGuard::new(pool, None).with_sign_in(NewPoolSignIn::parse(shape).unwrap())
    }

    /// Ada (unverified e-mail and phone) and Vera (verified e-mail), Dora (disabled) and Uma
    /// (unconfirmed).
    fn shaped_old_pool() -> FakeDirectory {
        let vera = SourceUser::new("vera", SourceStatus::Confirmed)
            .with("email", "vera@example.com")
            .with("email_verified", "true");
        let mut dora = SourceUser::new("dora", SourceStatus::Confirmed)
            .with("email", "dora@example.com")
            .with("email_verified", "true");
        dora.enabled = false;
        let uma =
            SourceUser::new("uma", SourceStatus::Unconfirmed).with("email", "uma@example.com");
        old_pool().with(vera).with(dora).with(uma)
    }

    #[tokio::test]
    async fn a_user_name_pool_protects_user_names_and_not_addresses() {
        let guard = guard_for("username", shaped_old_pool());
        let refused = |name: &'static str, email: &'static str| {
            let event = sign_up("PreSignUp_SignUp", name, Some(email), Some("+15555550100"));
            let guard = &guard;
            async move { answer(guard, event).await.is_err() }
        };
        assert!(
            !refused("mallory", "ada@example.com").await,
            "not an oracle"
        );
        assert!(
            !refused("mallory", "vera@example.com").await,
            "an attribute, not a name"
        );
        for name in ["ada", "dora", "uma"] {
            assert!(refused(name, "new@example.com").await, "{name}");
        }
        // A user name shaped like an address the sign-in would resolve: only a verified one.
        assert!(refused("vera@example.com", "x@example.com").await);
        assert!(!refused("ada@example.com", "x@example.com").await);
        assert!(
            guard
                .old_pool
                .calls()
                .iter()
                .all(|call| !call.starts_with("list email new@")
                    && !call.starts_with("list phone_number")),
            "attributes that are no sign-in name are never searched: {:?}",
            guard.old_pool.calls()
        );
    }

    #[tokio::test]
    async fn an_alias_pool_protects_verified_aliases_only() {
        let guard = guard_for("username,email", shaped_old_pool());
        let event = |name: &str, email: &str| sign_up("PreSignUp_SignUp", name, Some(email), None);
        assert_eq!(
            answer(&guard, event("mallory", "vera@example.com")).await,
            Err(SignUpRefusal::AccountExists)
        );
        assert_eq!(
            answer(&guard, event("mallory", "dora@example.com")).await,
            Err(SignUpRefusal::AccountExists),
            "a disabled user's verified alias too"
        );
        for unverified in ["ada@example.com", "uma@example.com"] {
            assert!(
                answer(&guard, event("mallory", unverified)).await.is_ok(),
                "{unverified}"
            );
        }
    }

    #[tokio::test]
    async fn an_email_pool_protects_every_old_address_and_no_user_name() {
        let guard = guard_for("email", shaped_old_pool());
        let event = |email: &str, phone: Option<&str>| {
            sign_up("PreSignUp_SignUp", email, Some(email), phone)
        };
        for taken in ["ada@example.com", "vera@example.com", "uma@example.com"] {
            assert_eq!(
                answer(&guard, event(taken, None)).await,
                Err(SignUpRefusal::AccountExists),
                "{taken}"
            );
        }
        // A phone is only an attribute there; a generated user name is never looked up.
        let free = event("new@example.com", Some("+15555550100"));
        assert_eq!(answer(&guard, free.clone()).await, Ok(free));
        let calls = guard.old_pool.calls();
        assert!(
            calls.iter().all(|c| c.starts_with("list email ")),
            "{calls:?}"
        );
    }

    #[tokio::test]
    async fn the_calls_depend_on_the_shape_not_on_who_exists() {
        for shape in [
            "username",
            "username,email,phone_number",
            "email",
            "phone_number",
        ] {
            let taken = guard_for(shape, shaped_old_pool());
            let free = guard_for(shape, FakeDirectory::default());
            let event = sign_up(
                "PreSignUp_SignUp",
                "vera@example.com",
                Some("vera@example.com"),
                Some("+15555550100"),
            );
            let _ = answer(&taken, event.clone()).await;
            let _ = answer(&free, event).await;
            assert_eq!(taken.old_pool.calls(), free.old_pool.calls(), "{shape}");
        }
    }

    #[tokio::test]
    async fn a_spent_list_users_budget_refuses_with_the_retry_sentence() {
        let spent = FakeDirectory {
            fault: Some(OldPoolError::Throttled {
                operation: "ListUsers",
                code: old_directory::BUDGET_SPENT_CODE.to_string(),
            }),
            ..old_pool()
        };
        let guard = SignUpGuard::new(spent, None);
        let event = sign_up("PreSignUp_SignUp", "grace", Some("grace@example.com"), None);
        assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
    }

    #[tokio::test]
    async fn admin_create_user_passes_unchanged_without_asking() {
        let guard = SignUpGuard::new(old_pool(), None);
        let event = sign_up(
            "PreSignUp_AdminCreateUser",
            "ada",
            Some("ada@example.com"),
            None,
        );
        assert_eq!(answer(&guard, event.clone()).await, Ok(event));
        assert!(guard.old_pool.calls().is_empty());
    }

    #[tokio::test]
    async fn a_federated_old_user_not_yet_linked_waits_and_every_other_identity_passes() {
        let federated = SourceUser::new("Google_123", SourceStatus::ExternalProvider)
            .with("email", "bo@example.com")
            .with(
                "identities",
                r#"[{"userId":"123","providerName":"Google"}]"#,
            );
        let guard = SignUpGuard::new(old_pool().with(federated), None);
        let first = sign_up(
            "PreSignUp_ExternalProvider",
            "Google_123",
            Some("bo@example.com"),
            None,
        );
        let refusal = answer(&guard, first).await.unwrap_err();
        assert_eq!(refusal, SignUpRefusal::NotYetLinked);
        assert_eq!(
            refusal.to_string(),
            "Your account is being moved, please try again later"
        );
        // A new federated user, and one that shares only an old user's e-mail or name, pass.
        for (name, email) in [
            ("Google_999", "new@example.com"),
            ("Google_998", "ada@example.com"),
            ("ada", "ada@example.com"),
        ] {
            let event = sign_up("PreSignUp_ExternalProvider", name, Some(email), None);
            assert_eq!(answer(&guard, event.clone()).await, Ok(event), "{name}");
        }
        assert_eq!(
            guard.old_pool.calls(),
            [
                "get Google_123",
                "get Google_998",
                "get Google_999",
                "get ada"
            ],
            "one AdminGetUser of the federated user name, nothing else"
        );
        let down = FakeDirectory {
            fault: Some(OldPoolError::Unavailable {
                operation: "AdminGetUser",
                detail: "cannot connect".into(),
            }),
            ..old_pool()
        };
        let guard = SignUpGuard::new(down, None);
        let event = sign_up("PreSignUp_ExternalProvider", "Google_999", None, None);
        assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
    }

    #[tokio::test]
    async fn an_old_pool_that_cannot_answer_refuses_within_the_budget() {
        let down = FakeDirectory {
            fault: Some(OldPoolError::Unavailable {
                operation: "ListUsers",
                detail: "cannot connect".into(),
            }),
            ..old_pool()
        };
        let guard = SignUpGuard::new(down, None);
        let event = sign_up("PreSignUp_SignUp", "grace", Some("grace@example.com"), None);
        let refusal = answer(&guard, event.clone()).await.unwrap_err();
        assert_eq!(refusal, SignUpRefusal::Unavailable);
        assert!(!refusal.to_string().contains("ListUsers"));

        let hanging = FakeDirectory {
            delay: Some(Duration::from_secs(60)),
            ..old_pool()
        };
        let guard = SignUpGuard::new(hanging, None).with_budget(Duration::from_millis(100));
        let started = Instant::now();
        assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    fn split() -> TenantRule {
        let table = TenantTable::parse(
            r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"us-east-1_acme"},"globex":{"pool_id":"us-east-1_globex"}}}"#,
            Path::new("test"),
        )
        .unwrap();
        TenantRule {
            table,
            tenant: None,
        }
    }

    #[tokio::test]
    async fn in_a_tenant_split_only_this_tenants_users_hold_identities() {
        let guard = SignUpGuard::new(old_pool(), Some(split()));
        let mut in_acme = sign_up("PreSignUp_SignUp", "mallory", Some("ada@example.com"), None);
        assert_eq!(
            answer(&guard, in_acme.clone()).await,
            Err(SignUpRefusal::AccountExists)
        );
        in_acme["userPoolId"] = json!("us-east-1_globex");
        let in_globex = in_acme;
        assert_eq!(answer(&guard, in_globex.clone()).await, Ok(in_globex));

        let mut unknown_pool = sign_up("PreSignUp_SignUp", "grace", None, None);
        unknown_pool["userPoolId"] = json!("us-east-1_other");
        assert_eq!(
            answer(&guard, unknown_pool).await,
            Err(SignUpRefusal::Unavailable)
        );
    }

    #[tokio::test]
    async fn an_unreadable_sign_up_is_not_let_through() {
        let guard = SignUpGuard::new(old_pool(), None);
        let mut event = sign_up("PreSignUp_SignUp", "grace", None, None);
        event["request"]["userAttributes"] = json!("not an object");
        assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
    }
}
