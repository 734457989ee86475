//! The PreSignUp companion: during the migration window, nobody can sign up in the new pool with
//! the user name, email or phone number of an old user who has not migrated yet.
//!
//! Why: Cognito never calls UserMigration on sign-up (amplify-js#5081), so without this anyone
//! could take an old user's identity in the new pool before its owner signs in, and the owner's
//! sign-in would then meet the squatter's account instead of being migrated.
//!
//! The rules:
//! - `PreSignUp_SignUp` (self-service sign-up) whose user name, `email` or `phone_number` is held
//!   by an old user (any status, verified or not; in a tenant split, only a user of this pool's
//!   tenant) is refused with [`SignUpRefusal::AccountExists`], a sentence like Cognito's own
//!   answer for an existing account (`UsernameExistsException`, "An account with the given email
//!   already exists."). Cognito shows it as `UserLambdaValidationException` "PreSignUp failed
//!   with error <message>." (AWS: "any sensitive or debugging information should be logged in
//!   the Lambda trigger itself", Lambda triggers, important considerations).
//! - `PreSignUp_AdminCreateUser` (an administrator, or the bulk import) and
//!   `PreSignUp_ExternalProvider` (federated first sign-in) pass unchanged.
//! - When the old pool cannot be asked in time, the sign-up is refused with
//!   [`SignUpRefusal::Unavailable`], a fixed request to retry: fail closed.
//!
//! Users the UserMigration trigger creates never come through here: AWS lists the sign-ups that
//! invoke PreSignUp as "self-service sign-up with SignUp or first sign-in with a trusted identity
//! provider, and on user creation with AdminCreateUser" (pre sign-up Lambda trigger page).
//!
//! Every sign-up costs the same calls whatever the answer: one `AdminGetUser` for the user name
//! and one `ListUsers` for each of `email` and `phone_number` the sign-up carries, asked side by
//! side and all awaited, so the time of the answer does not tell which identifier matched.
//!
//! Reference: <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html>

use std::time::{Duration, Instant};

use lambda_runtime::Context;
use serde::Deserialize;
use serde_json::Value;
use shared::SourceUser;

use crate::config::INVOCATION_BUDGET;
use crate::decide::TenantRule;
use crate::dispatch::time_left;
use crate::logging::{self, UserRefKey};
use crate::old_directory::{OldDirectory, SearchAttribute};
use crate::old_pool::{Lookup, OldPoolError};

/// Which sign-up invoked the trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpSource {
    /// `PreSignUp_SignUp`: self-service sign-up, the one that is checked.
    SignUp,
    /// `PreSignUp_AdminCreateUser`.
    AdminCreateUser,
    /// `PreSignUp_ExternalProvider`.
    ExternalProvider,
}

impl SignUpSource {
    /// Cognito's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpSource::SignUp => "PreSignUp_SignUp",
            SignUpSource::AdminCreateUser => "PreSignUp_AdminCreateUser",
            SignUpSource::ExternalProvider => "PreSignUp_ExternalProvider",
        }
    }
}

/// What the companion needs from a PreSignUp event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUpRequest {
    /// The flow.
    pub source: SignUpSource,
    /// The user name being created (`userName`).
    pub user_name: Option<String>,
    /// `request.userAttributes.email`.
    pub email: Option<String>,
    /// `request.userAttributes.phone_number`.
    pub phone_number: Option<String>,
    /// The new pool that called (`userPoolId`).
    pub user_pool_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    #[serde(default)]
    trigger_source: Option<String>,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    user_pool_id: Option<String>,
    #[serde(default)]
    request: Option<RawRequest>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest {
    #[serde(default)]
    user_attributes: Option<RawAttributes>,
}

#[derive(Deserialize)]
struct RawAttributes {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone_number: Option<String>,
}

/// A value worth looking up: present and not blank.
fn present(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl SignUpRequest {
    /// Reads a PreSignUp event; `None` when it is not one (or cannot be read, which the caller
    /// treats as "refuse": see [`SignUpGuard::answer`]).
    pub fn parse(event: &Value) -> Option<SignUpRequest> {
        let raw = RawEvent::deserialize(event).ok()?;
        let source = match raw.trigger_source.as_deref()? {
            "PreSignUp_SignUp" => SignUpSource::SignUp,
            "PreSignUp_AdminCreateUser" => SignUpSource::AdminCreateUser,
            "PreSignUp_ExternalProvider" => SignUpSource::ExternalProvider,
            _ => return None,
        };
        let attributes = raw.request.and_then(|r| r.user_attributes);
        let (email, phone_number) = match attributes {
            Some(a) => (a.email, a.phone_number),
            None => (None, None),
        };
        Some(SignUpRequest {
            source,
            user_name: present(raw.user_name),
            email: present(email),
            phone_number: present(phone_number),
            user_pool_id: raw.user_pool_id,
        })
    }
}

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
}

impl SignUpRefusal {
    /// The Lambda `errorType` (seen in the function's metrics and logs, not by the user).
    pub fn error_type(self) -> &'static str {
        match self {
            SignUpRefusal::AccountExists => "AccountExists",
            SignUpRefusal::Unavailable => "SignUpUnavailable",
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

/// The PreSignUp companion: the old pool, the tenant rule, the time budget.
#[derive(Debug)]
pub struct SignUpGuard<D> {
    old_pool: D,
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

    /// The same guard with another time budget per invocation.
    pub fn with_budget(mut self, budget: Duration) -> SignUpGuard<D> {
        self.budget = budget;
        self
    }

    /// Answers one PreSignUp event: the event untouched to let the sign-up go on, or the
    /// refusal Cognito shows.
    pub async fn answer(&self, event: Value, context: &Context) -> Result<Value, SignUpRefusal> {
        let started = Instant::now();
        let Some(request) = SignUpRequest::parse(&event) else {
            // The dispatcher only sends PreSignUp events here; one that cannot be read cannot be
            // checked, so it is not let through.
            log(
                &self.user_ref_key,
                context,
                None,
                None,
                "malformed-event",
                started,
            );
            return Err(SignUpRefusal::Unavailable);
        };
        if request.source != SignUpSource::SignUp {
            log(
                &self.user_ref_key,
                context,
                Some(&request),
                None,
                "not-checked",
                started,
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
        let asked =
            tokio::time::timeout(time_left(self.budget, context), self.held(&request)).await;
        match asked {
            Ok(Ok(None)) => {
                log(
                    &self.user_ref_key,
                    context,
                    Some(&request),
                    None,
                    "sign-up-allowed",
                    started,
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
                    started,
                );
                Err(SignUpRefusal::AccountExists)
            }
            Ok(Err(fault)) => {
                log_fault(&self.user_ref_key, context, &request, &fault, started);
                Err(SignUpRefusal::Unavailable)
            }
            Err(_) => {
                let fault = OldPoolError::Timeout {
                    operation: "invocation",
                };
                log_fault(&self.user_ref_key, context, &request, &fault, started);
                Err(SignUpRefusal::Unavailable)
            }
        }
    }

    /// Which identifier of the sign-up an old user of this pool's tenant holds, if any. All
    /// lookups are made and awaited whatever the first one finds.
    async fn held(&self, request: &SignUpRequest) -> Result<Option<Held>, OldPoolError> {
        let by_name = async {
            match &request.user_name {
                Some(name) => match self.old_pool.user_named(name).await? {
                    Lookup::Found(user) => Ok(vec![user]),
                    Lookup::NotFound => Ok(Vec::new()),
                },
                None => Ok(Vec::new()),
            }
        };
        let by_email = self.holders(SearchAttribute::Email, request.email.as_deref());
        let by_phone = self.holders(
            SearchAttribute::PhoneNumber,
            request.phone_number.as_deref(),
        );
        let (by_name, by_email, by_phone) = tokio::join!(by_name, by_email, by_phone);
        let pool = request.user_pool_id.as_deref();
        for (held, users) in [
            (Held::UserName, by_name?),
            (Held::Email, by_email?),
            (Held::PhoneNumber, by_phone?),
        ] {
            if users.iter().any(|user| self.counts(pool, user)) {
                return Ok(Some(held));
            }
        }
        Ok(None)
    }

    async fn holders(
        &self,
        attribute: SearchAttribute,
        value: Option<&str>,
    ) -> Result<Vec<SourceUser>, OldPoolError> {
        match value {
            Some(value) => self.old_pool.users_with(attribute, value).await,
            None => Ok(Vec::new()),
        }
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

fn log(
    key: &UserRefKey,
    context: &Context,
    request: Option<&SignUpRequest>,
    held: Option<Held>,
    outcome: &'static str,
    started: Instant,
) {
    tracing::info!(
        outcome,
        held = held.map(Held::code),
        request_id = context.request_id,
        trigger_source = request.map(|r| r.source.as_str()),
        user_ref = request
            .and_then(|r| r.user_name.as_deref())
            .map(|typed| key.user_ref(typed)),
        duration_us = started.elapsed().as_micros() as u64,
        "sign-up answered"
    );
}

fn log_fault(
    key: &UserRefKey,
    context: &Context,
    request: &SignUpRequest,
    fault: &OldPoolError,
    started: Instant,
) {
    tracing::error!(
        outcome = logging::fault_code(fault),
        request_id = context.request_id,
        trigger_source = request.source.as_str(),
        user_ref = request.user_name.as_deref().map(|typed| key.user_ref(typed)),
        error = %fault,
        duration_us = started.elapsed().as_micros() as u64,
        "old pool fault, sign-up refused until it answers"
    );
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::Mutex;

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

    #[tokio::test]
    async fn admin_create_user_and_federated_sign_ups_pass_unchanged_without_asking() {
        let guard = SignUpGuard::new(old_pool(), None);
        for source in ["PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"] {
            let event = sign_up(source, "ada", Some("ada@example.com"), None);
            assert_eq!(answer(&guard, event.clone()).await, Ok(event));
        }
        assert!(guard.old_pool.calls().is_empty());
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

    #[test]
    fn the_checked_in_event_parses() {
        let event: Value =
            serde_json::from_str(include_str!("../fixtures/pre-sign-up.json")).unwrap();
        assert_eq!(
            SignUpRequest::parse(&event),
            Some(SignUpRequest {
                source: SignUpSource::SignUp,
                user_name: Some("ada".into()),
                email: Some("ada@example.com".into()),
                phone_number: Some("+15555550100".into()),
                user_pool_id: Some("us-east-1_NewPool1".into()),
            })
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
