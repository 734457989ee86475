//! One invocation: read the event, ask the old pool what the decision needs, inside the time
//! budget, decide, log one line, answer.
//!
//! The order of questions: look the user up first (`AdminGetUser`, then `ListUsers` by email or
//! phone and one more `AdminGetUser` when the typed name looks like an alias), and only then check
//! the password against the resolved user name. Looking up first lets a disabled, federated or
//! unconfirmed user be refused without it counting, and makes alias sign-in work on pools where
//! `AdminInitiateAuth` does not resolve aliases.
//!
//! Every typed name of one shape costs the same old-pool calls, whoever it names: a user name
//! `AdminGetUser` + `AdminInitiateAuth`; an e-mail address or phone number `AdminGetUser` +
//! `ListUsers` + `AdminGetUser` + `AdminInitiateAuth`. So neither the answer, nor its time, nor
//! the old pool's call log tells a known name from an unknown one.
//!
//! What a failed invocation says: AWS shows a trigger's error to the person signing in, and
//! advises that "any sensitive or debugging information should be logged in the Lambda trigger
//! itself" (<https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html>).
//! So every error is one fixed sentence per kind ([`TriggerError`]); the detail (operation,
//! Cognito's code, what to check) goes to the log line with the Lambda request id.

use std::fmt;
use std::time::Duration;

use lambda_runtime::{Context, Diagnostic};
use serde_json::Value;
use shared::Mapping;

use crate::budget::{Deadline, INVOCATION_BUDGET};
use crate::config::ConfigError;
use crate::decide::{self, Options, Reason, Resolution};
use crate::event::migration::{MigrationRequest, TriggerSource};
use crate::logging::{Line, UserRefKey};
use crate::old_pool::{AliasKind, AuthOutcome, OldPool, OldPoolError};

/// Cognito's longest user name (`AdminGetUser` `Username`, 1–128 characters).
const MAX_USERNAME_CHARS: usize = 128;

/// What a person is told when the old pool did not answer in time.
pub const MESSAGE_TIMEOUT: &str = "Sign-in took too long. Please try again.";
/// What a person is told when the old pool is throttling.
pub const MESSAGE_THROTTLED: &str =
    "Too many sign-ins at the moment. Please try again in a minute.";
/// What a person is told when the old pool failed.
pub const MESSAGE_UNAVAILABLE: &str = "Sign-in is temporarily unavailable. Please try again later.";
/// What a person is told when the function or its access to the old pool is misconfigured.
pub const MESSAGE_UNCONFIGURED: &str =
    "Sign-in is not available at the moment. Please try again later.";

/// An invocation that cannot be answered. Cognito turns any of these into a failed sign-in the
/// user can retry. Its `Display` is the fixed sentence for its kind, fit for the person signing
/// in; [`TriggerError::detail`] is what an operator should check, for the log only.
#[derive(Debug)]
pub enum TriggerError {
    /// The old pool could not be asked.
    OldPool(OldPoolError),
    /// The function's configuration is unusable (reported on every invocation until fixed).
    Config(String),
}

impl TriggerError {
    /// The sentence shown to people: one per kind, never a name from inside.
    pub fn public_message(&self) -> &'static str {
        match self {
            TriggerError::OldPool(OldPoolError::Timeout { .. }) => MESSAGE_TIMEOUT,
            TriggerError::OldPool(OldPoolError::Throttled { .. }) => MESSAGE_THROTTLED,
            TriggerError::OldPool(OldPoolError::Unavailable { .. }) => MESSAGE_UNAVAILABLE,
            TriggerError::OldPool(OldPoolError::Misconfigured { .. }) | TriggerError::Config(_) => {
                MESSAGE_UNCONFIGURED
            }
        }
    }

    /// What happened and what to check, for the log.
    pub fn detail(&self) -> String {
        match self {
            TriggerError::OldPool(fault) => fault.to_string(),
            TriggerError::Config(detail) => format!("configuration: {detail}"),
        }
    }
}

impl fmt::Display for TriggerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.public_message())
    }
}

impl std::error::Error for TriggerError {}

impl From<OldPoolError> for TriggerError {
    fn from(fault: OldPoolError) -> TriggerError {
        TriggerError::OldPool(fault)
    }
}

impl From<ConfigError> for TriggerError {
    fn from(error: ConfigError) -> TriggerError {
        TriggerError::Config(error.to_string())
    }
}

impl From<TriggerError> for Diagnostic {
    fn from(error: TriggerError) -> Diagnostic {
        let error_type = match &error {
            TriggerError::OldPool(OldPoolError::Timeout { .. }) => "OldPoolTimeout",
            TriggerError::OldPool(OldPoolError::Throttled { .. }) => "OldPoolThrottled",
            TriggerError::OldPool(OldPoolError::Unavailable { .. }) => "OldPoolUnavailable",
            TriggerError::OldPool(OldPoolError::Misconfigured { .. }) => "OldPoolMisconfigured",
            TriggerError::Config(_) => "ConfigurationError",
        };
        Diagnostic {
            error_type: error_type.to_string(),
            error_message: error.public_message().to_string(),
        }
    }
}

/// The error of every invocation of a function that could not start: logged with the request
/// id and the detail (which variable to fix), answered with the fixed sentence.
pub fn unconfigured(context: &Context, detail: &str) -> TriggerError {
    Line {
        outcome: "configuration-error",
        request_id: Some(&context.request_id),
        error: Some(detail.to_string()),
        ..Line::default()
    }
    .error("the trigger is not configured, answered with an error");
    TriggerError::Config(detail.to_string())
}

/// Logs the outcome of one invocation: the time since the event arrived, and `old_pool` of it
/// spent waiting for the old pool (their difference is the trigger's own cost).
fn log_answer(
    context: &Context,
    trigger_source: Option<TriggerSource>,
    user_ref: Option<String>,
    reason: &Reason,
    migrated_as: Option<&str>,
    deadline: &Deadline,
    old_pool: Duration,
) {
    let detail = match reason {
        Reason::MappingRejected(code) => Some(*code),
        _ => None,
    };
    Line {
        outcome: reason.code(),
        detail,
        request_id: Some(&context.request_id),
        trigger_source: trigger_source.map(TriggerSource::as_str),
        user_ref,
        old_username: migrated_as,
        duration: Some(deadline.elapsed()),
        old_pool: Some(old_pool),
        ..Line::default()
    }
    .info("user migration answered");
}

/// Logs a fault and turns it into the invocation's error.
fn fault_error(
    context: &Context,
    request: &MigrationRequest,
    user_ref: &str,
    fault: OldPoolError,
    deadline: &Deadline,
) -> TriggerError {
    Line {
        outcome: fault.code(),
        request_id: Some(&context.request_id),
        trigger_source: Some(request.trigger_source.as_str()),
        user_ref: Some(user_ref.to_string()),
        error: Some(fault.to_string()),
        duration: Some(deadline.elapsed()),
        ..Line::default()
    }
    .error("old pool fault, answered with an error");
    TriggerError::OldPool(fault)
}

/// The trigger: the old pool, the mapping, and the answer options.
#[derive(Debug)]
pub struct Trigger<P> {
    old_pool: P,
    mapping: Mapping,
    options: Options,
    budget: Duration,
    alias_lookup: bool,
    user_ref_key: UserRefKey,
}

impl<P: OldPool + Sync> Trigger<P> {
    /// A trigger asking `old_pool` and mapping attributes with `mapping`.
    pub fn new(old_pool: P, mapping: Mapping, options: Options) -> Trigger<P> {
        Trigger {
            old_pool,
            mapping,
            options,
            budget: INVOCATION_BUDGET,
            alias_lookup: true,
            user_ref_key: UserRefKey::random(),
        }
    }

    /// The same trigger without the `ListUsers` alias lookup (for a role that may not list
    /// users; aliases then resolve only where `AdminGetUser` resolves them).
    pub fn without_alias_lookup(mut self) -> Trigger<P> {
        self.alias_lookup = false;
        self
    }

    /// The same trigger with another time budget per invocation (default
    /// [`INVOCATION_BUDGET`]).
    #[cfg(test)]
    pub fn with_budget(mut self, budget: Duration) -> Trigger<P> {
        self.budget = budget;
        self
    }

    /// The same trigger with the key of the log's `user_ref` (default: random per process).
    pub fn with_user_ref_key(mut self, key: UserRefKey) -> Trigger<P> {
        self.user_ref_key = key;
        self
    }

    /// Answers one event: the event itself when the user is not to be migrated, the event with
    /// a `response` when they are, an error when the old pool cannot be asked.
    pub async fn answer(&self, event: Value, context: &Context) -> Result<Value, TriggerError> {
        let deadline = Deadline::start(self.budget, context);
        let request = match MigrationRequest::parse(&event) {
            Ok(request) => request,
            Err(rejection) => {
                let reason = Reason::Event(rejection);
                log_answer(
                    context,
                    None,
                    None,
                    &reason,
                    None,
                    &deadline,
                    Duration::ZERO,
                );
                return Ok(event);
            }
        };
        if let Some(rule) = &self.options.tenant
            && rule.admitted(request.user_pool_id.as_deref()).is_none()
        {
            let pool = request.user_pool_id.as_deref().unwrap_or("(none)");
            return Err(unconfigured(
                context,
                &format!(
                    "the calling pool {pool} is not in TENANT_TABLE: add it to the table or set TENANT"
                ),
            ));
        }
        let user_ref = self.user_ref_key.user_ref(&request.user_name);
        let asking = std::time::Instant::now();
        let asked = deadline.run(self.ask(&request)).await;
        let old_pool_time = asking.elapsed();
        let (resolution, auth) = match asked {
            Ok(Ok(answers)) => answers,
            Ok(Err(fault)) => {
                return Err(fault_error(context, &request, &user_ref, fault, &deadline));
            }
            Err(_) => {
                let fault = OldPoolError::Timeout {
                    operation: "invocation",
                };
                return Err(fault_error(context, &request, &user_ref, fault, &deadline));
            }
        };
        let decision = decide::decide(
            &request,
            &resolution,
            auth.as_ref(),
            &self.mapping,
            &self.options,
        );
        let migrated_as = match (&decision.response, &resolution) {
            (Some(_), Resolution::Found(found)) => Some(found.user.username.as_str()),
            _ => None,
        };
        log_answer(
            context,
            Some(request.trigger_source),
            Some(user_ref),
            &decision.reason,
            migrated_as,
            &deadline,
            old_pool_time,
        );
        Ok(match decision.response {
            Some(response) => response.write_into(event),
            None => event,
        })
    }

    /// Asks the old pool what the decision needs.
    async fn ask(
        &self,
        request: &MigrationRequest,
    ) -> Result<(Resolution, Option<AuthOutcome>), OldPoolError> {
        // Switched off: every forgot-password is answered alike, so nothing needs asking.
        if request.trigger_source == TriggerSource::ForgotPassword && !self.options.forgot_password
        {
            return Ok((Resolution::NotFound, None));
        }
        let resolution = self.resolve(&request.user_name).await?;
        // Every sign-in costs the same password check, whoever typed what: an unknown name,
        // a disabled user or one of another tenant take as long to refuse as a wrong password,
        // so the time of the answer gives nothing away. Only an admitted user's outcome counts.
        let auth = match (&request.password, request.trigger_source) {
            (Some(password), TriggerSource::Authentication) => {
                let (name, admitted) = match &resolution {
                    Resolution::Found(found) => (
                        found.user.username.as_str(),
                        decide::precheck(&found.user).is_none()
                            && decide::tenant_refusal(request, &found.user, &self.options)
                                .is_none(),
                    ),
                    Resolution::NotFound | Resolution::AmbiguousAlias => {
                        (request.user_name.as_str(), false)
                    }
                };
                let outcome = self.old_pool.authenticate(name, password).await?;
                admitted.then_some(outcome)
            }
            _ => None,
        };
        Ok((resolution, auth))
    }

    /// Finds the old user the typed name stands for: by user name (or an alias Cognito resolves
    /// itself), else by a verified email or phone number.
    ///
    /// A name shaped like an alias always takes the search and a second lookup (of the user
    /// found, or of the typed name again), so a known and an unknown address cost the same calls.
    async fn resolve(&self, typed: &str) -> Result<Resolution, OldPoolError> {
        // Longer names cannot be user names (AdminGetUser would refuse them); they can still be
        // an email address.
        let direct = if typed.chars().count() <= MAX_USERNAME_CHARS {
            self.old_pool.get_user_with_factors(typed).await?
        } else {
            None
        };
        let Some(kind) = AliasKind::of(typed).filter(|_| self.alias_lookup) else {
            return Ok(direct.map_or(Resolution::NotFound, Resolution::Found));
        };
        let names = self.old_pool.find_by_alias(kind, typed).await?;
        // A user name wins over another user's alias, as in Cognito's own sign-in.
        let (target, ambiguous) = match (&direct, names.as_slice()) {
            (Some(found), _) => (found.user.username.as_str(), false),
            (None, [name]) => (name.as_str(), false),
            (None, []) => (typed, false),
            (None, _) => (typed, true),
        };
        let second = self.old_pool.get_user_with_factors(target).await?;
        Ok(match second {
            _ if ambiguous => Resolution::AmbiguousAlias,
            Some(found) => Resolution::Found(found),
            None => Resolution::NotFound,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;
    use std::time::Instant;

    use serde_json::json;
    use shared::{Secret, SourceStatus, SourceUser};

    use super::*;
    use crate::old_pool::{EnrolledFactors, OldUser, Refusal};

    /// A hand-written old pool: users by name (with the factors they are enrolled in), their
    /// passwords, and a log of the calls made.
    #[derive(Default)]
    struct FakePool {
        users: BTreeMap<String, OldUser>,
        passwords: BTreeMap<String, (String, AuthOutcome)>,
        calls: Mutex<Vec<String>>,
        fault: Option<OldPoolError>,
        delay: Option<Duration>,
        /// User names match in any case (`UsernameConfiguration.CaseSensitive` false).
        case_insensitive: bool,
        /// `AdminGetUser` also takes an alias value (AWS: "can be any of their alias
        /// attributes"; e-mail or phone as user name).
        get_resolves_aliases: bool,
    }

    impl FakePool {
        fn with_user(self, user: SourceUser, password: &str, outcome: AuthOutcome) -> FakePool {
            self.with_enrolled_user(user, EnrolledFactors::default(), password, outcome)
        }

        fn with_enrolled_user(
            mut self,
            user: SourceUser,
            factors: EnrolledFactors,
            password: &str,
            outcome: AuthOutcome,
        ) -> FakePool {
            self.passwords
                .insert(user.username.clone(), (password.to_string(), outcome));
            self.users
                .insert(user.username.clone(), OldUser { user, factors });
            self
        }

        fn calls(&self) -> Vec<String> {
            self.calls.lock().unwrap().clone()
        }

        async fn enter(&self, call: String) -> Result<(), OldPoolError> {
            self.calls.lock().unwrap().push(call);
            if let Some(delay) = self.delay {
                tokio::time::sleep(delay).await;
            }
            match &self.fault {
                Some(fault) => Err(fault.clone()),
                None => Ok(()),
            }
        }
    }

    impl OldPool for FakePool {
        async fn get_user_with_factors(&self, name: &str) -> Result<Option<OldUser>, OldPoolError> {
            self.enter(format!("get {name}")).await?;
            let by_name = |found: &&OldUser| {
                found.user.username == name
                    || (self.case_insensitive && found.user.username.eq_ignore_ascii_case(name))
            };
            let by_alias = |found: &&OldUser| {
                self.get_resolves_aliases
                    && ["email", "phone_number", "preferred_username"]
                        .iter()
                        .any(|alias| found.user.attribute(alias) == Some(name))
            };
            Ok(self
                .users
                .values()
                .find(by_name)
                .or_else(|| self.users.values().find(by_alias))
                .cloned())
        }

        async fn find_by_alias(
            &self,
            kind: AliasKind,
            value: &str,
        ) -> Result<Vec<String>, OldPoolError> {
            self.enter(format!("list {} {value}", kind.attribute()))
                .await?;
            Ok(self
                .users
                .values()
                .map(|found| &found.user)
                .filter(|u| {
                    u.attribute(kind.attribute())
                        .is_some_and(|stored| kind.matches(stored, value))
                        && u.attribute(kind.verified_flag()) == Some("true")
                })
                .map(|u| u.username.clone())
                .collect())
        }

        async fn authenticate(
            &self,
            username: &str,
            password: &Secret,
        ) -> Result<AuthOutcome, OldPoolError> {
            self.enter(format!("auth {username}")).await?;
            Ok(match self.passwords.get(username) {
                Some((right, outcome)) if right == password.expose() => outcome.clone(),
                Some(_) => AuthOutcome::Refused(Refusal::NotAuthorized),
                None => AuthOutcome::Refused(Refusal::UserNotFound),
            })
        }
    }

    fn ada() -> SourceUser {
        SourceUser::new("ada", SourceStatus::Confirmed)
            .with("sub", "11111111-2222-4333-8444-555555555555")
            .with("email", "ada@example.com")
            .with("email_verified", "true")
    }

    fn pool() -> FakePool {
        FakePool::default().with_user(ada(), "Right-Passw0rd", AuthOutcome::Authenticated)
    }

    fn sign_in(name: &str, password: &str) -> Value {
        json!({
            "version": "1", "triggerSource": "UserMigration_Authentication", "region": "us-east-1",
            "userPoolId": "us-east-1_new", "userName": name,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newclient"},
            "request": {"password": password, "validationData": null},
            "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                         "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
        })
    }

    async fn answer(pool: FakePool, event: Value) -> (Result<Value, TriggerError>, Vec<String>) {
        let trigger = Trigger::new(pool, Mapping::default(), Options::default());
        let result = trigger.answer(event, &Context::default()).await;
        (result, trigger.old_pool.calls())
    }

    #[tokio::test]
    async fn right_password_is_checked_against_the_resolved_user_and_migrates() {
        let (result, calls) = answer(pool(), sign_in("ada", "Right-Passw0rd")).await;
        let answered = result.unwrap();
        assert_eq!(calls, ["get ada", "auth ada"]);
        assert_eq!(answered["response"]["finalUserStatus"], "CONFIRMED");
        assert_eq!(
            answered["response"]["userAttributes"]["username"],
            Value::Null,
            "a typed user name is never answered back"
        );
        assert_eq!(
            answered["request"]["password"], "Right-Passw0rd",
            "the event is returned, not rebuilt"
        );
    }

    #[tokio::test]
    async fn unknown_user_and_wrong_password_answer_byte_for_byte_alike() {
        let (wrong, _) = answer(pool(), sign_in("ada", "guess")).await;
        let (unknown, calls) = answer(pool(), sign_in("nobody", "guess")).await;
        // The unknown name costs the same password check as a wrong password (timing).
        assert_eq!(calls, ["get nobody", "auth nobody"]);
        let wrong = serde_json::to_vec(&wrong.unwrap()).unwrap();
        let unknown = serde_json::to_vec(&unknown.unwrap()).unwrap();
        let wrong_as_unknown = serde_json::to_vec(&sign_in("ada", "guess")).unwrap();
        assert_eq!(wrong, wrong_as_unknown);
        assert_eq!(
            unknown,
            serde_json::to_vec(&sign_in("nobody", "guess")).unwrap()
        );
    }

    #[tokio::test]
    async fn disabled_users_are_refused_even_with_the_right_password() {
        let mut user = ada();
        user.enabled = false;
        let pool =
            FakePool::default().with_user(user, "Right-Passw0rd", AuthOutcome::Authenticated);
        let (result, calls) = answer(pool, sign_in("ada", "Right-Passw0rd")).await;
        assert_eq!(result.unwrap(), sign_in("ada", "Right-Passw0rd"));
        // Asked like everyone else (same time), but the answer cannot change.
        assert_eq!(calls, ["get ada", "auth ada"]);
    }

    #[tokio::test]
    async fn an_email_resolves_to_the_old_user_name() {
        let (result, calls) = answer(pool(), sign_in("ada@example.com", "Right-Passw0rd")).await;
        assert_eq!(
            calls,
            [
                "get ada@example.com",
                "list email ada@example.com",
                "get ada",
                "auth ada"
            ]
        );
        assert_eq!(
            result.unwrap()["response"]["userAttributes"]["username"],
            "ada"
        );
    }

    #[tokio::test]
    async fn alias_lookup_can_be_switched_off() {
        let trigger =
            Trigger::new(pool(), Mapping::default(), Options::default()).without_alias_lookup();
        let event = sign_in("ada@example.com", "Right-Passw0rd");
        let answered = trigger
            .answer(event.clone(), &Context::default())
            .await
            .unwrap();
        assert_eq!(answered, event);
        assert_eq!(
            trigger.old_pool.calls(),
            ["get ada@example.com", "auth ada@example.com"]
        );
    }

    #[tokio::test]
    async fn a_name_too_long_for_a_user_name_is_only_tried_as_an_alias() {
        let long_email = format!("{}@example.com", "a".repeat(130));
        let (result, calls) = answer(pool(), sign_in(&long_email, "pw")).await;
        assert_eq!(result.unwrap(), sign_in(&long_email, "pw"));
        assert_eq!(
            calls,
            [
                format!("list email {long_email}"),
                format!("get {long_email}"),
                format!("auth {long_email}")
            ]
        );
    }

    #[tokio::test]
    async fn an_alias_shared_by_two_users_identifies_nobody() {
        let twin = SourceUser::new("ada2", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        let pool = pool().with_user(twin, "Right-Passw0rd", AuthOutcome::Authenticated);
        let (result, calls) = answer(pool, sign_in("ada@example.com", "Right-Passw0rd")).await;
        assert_eq!(
            result.unwrap(),
            sign_in("ada@example.com", "Right-Passw0rd")
        );
        assert_eq!(
            calls,
            [
                "get ada@example.com",
                "list email ada@example.com",
                "get ada@example.com",
                "auth ada@example.com"
            ]
        );
    }

    #[tokio::test]
    async fn forgot_password_never_authenticates() {
        let event = json!({"version": "1", "triggerSource": "UserMigration_ForgotPassword", "userName": "ada",
                           "request": {"clientMetadata": null}, "response": {}});
        let (result, calls) = answer(pool(), event).await;
        assert_eq!(calls, ["get ada"]);
        let response = &result.unwrap()["response"];
        assert_eq!(response["finalUserStatus"], "RESET_REQUIRED");
        assert_eq!(response["desiredDeliveryMediums"], json!(["EMAIL"]));
    }

    #[tokio::test]
    async fn malformed_events_come_back_untouched_without_asking_the_old_pool() {
        for event in [
            json!(null),
            json!({"triggerSource": "CustomMessage_SignUp"}),
            sign_in(&"x".repeat(10_240), "pw"),
        ] {
            let (result, calls) = answer(pool(), event.clone()).await;
            assert_eq!(result.unwrap(), event);
            assert!(calls.is_empty());
        }
    }

    #[tokio::test]
    async fn faults_are_lambda_errors_with_a_named_type() {
        let pool = FakePool {
            fault: Some(OldPoolError::Misconfigured {
                operation: "AdminGetUser",
                detail:
                    "ResourceNotFoundException: User pool does not exist (check OLD_USER_POOL_ID)"
                        .into(),
            }),
            ..pool()
        };
        let (result, _) = answer(pool, sign_in("ada", "Right-Passw0rd")).await;
        let error = result.unwrap_err();
        assert!(error.detail().contains("OLD_USER_POOL_ID"), "for the log");
        let diagnostic = Diagnostic::from(error);
        assert_eq!(diagnostic.error_type, "OldPoolMisconfigured");
        assert_eq!(diagnostic.error_message, MESSAGE_UNCONFIGURED);
    }

    #[tokio::test]
    async fn a_hanging_old_pool_is_cut_off_inside_the_budget() {
        let pool = FakePool {
            delay: Some(Duration::from_secs(60)),
            ..pool()
        };
        let trigger = Trigger::new(pool, Mapping::default(), Options::default())
            .with_budget(Duration::from_millis(100));
        let started = Instant::now();
        let result = trigger
            .answer(sign_in("ada", "Right-Passw0rd"), &Context::default())
            .await;
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(
            Diagnostic::from(result.unwrap_err()).error_type,
            "OldPoolTimeout"
        );
    }

    #[tokio::test]
    async fn the_same_event_twice_gets_the_same_answer() {
        let trigger = Trigger::new(pool(), Mapping::default(), Options::default());
        let first = trigger
            .answer(sign_in("ada", "Right-Passw0rd"), &Context::default())
            .await
            .unwrap();
        let second = trigger
            .answer(sign_in("ada", "Right-Passw0rd"), &Context::default())
            .await
            .unwrap();
        assert_eq!(first, second);
    }

    fn forgot_event(name: &str) -> Value {
        json!({"version": "1", "triggerSource": "UserMigration_ForgotPassword", "userName": name,
               "request": {"clientMetadata": null}, "response": {}})
    }

    /// The operations of a call log, without their arguments.
    fn shape(calls: &[String]) -> Vec<&str> {
        calls
            .iter()
            .map(|call| call.split(' ').next().unwrap())
            .collect()
    }

    #[tokio::test]
    async fn every_name_of_one_shape_costs_the_same_old_pool_calls() {
        let phil = SourceUser::new("phil", SourceStatus::Confirmed)
            .with("phone_number", "+15555550123")
            .with("phone_number_verified", "true");
        let mut disabled = SourceUser::new("dora", SourceStatus::Confirmed)
            .with("email", "dora@example.com")
            .with("email_verified", "true");
        disabled.enabled = false;
        let pools = [
            ("aliases", false, false),
            ("alias-resolving AdminGetUser", true, false),
            ("case-insensitive", true, true),
        ];
        for (pool_kind, get_resolves_aliases, case_insensitive) in pools {
            let make = || FakePool {
                get_resolves_aliases,
                case_insensitive,
                ..pool()
                    .with_user(phil.clone(), "Right-Passw0rd", AuthOutcome::Authenticated)
                    .with_user(
                        disabled.clone(),
                        "Right-Passw0rd",
                        AuthOutcome::Authenticated,
                    )
            };
            let shapes = [
                ("user name", vec!["ada", "nobody", "dora"]),
                (
                    "e-mail",
                    vec!["ada@example.com", "nobody@example.com", "dora@example.com"],
                ),
                ("phone", vec!["+15555550123", "+15555550999"]),
            ];
            for (shape_name, names) in shapes {
                let mut seen = Vec::new();
                let mut forgot_seen = Vec::new();
                for name in &names {
                    for password in ["Right-Passw0rd", "wrong"] {
                        let (_, calls) = answer(make(), sign_in(name, password)).await;
                        seen.push((name, shape(&calls).join(" ")));
                    }
                    let (_, calls) = answer(make(), forgot_event(name)).await;
                    forgot_seen.push((name, shape(&calls).join(" ")));
                }
                for seen in [&seen, &forgot_seen] {
                    let first = &seen[0].1;
                    assert!(
                        seen.iter().all(|(_, calls)| calls == first),
                        "{pool_kind}, {shape_name}: {seen:?}"
                    );
                }
            }
        }
        // Known and unknown e-mail: four calls each (lookup, search, lookup, password).
        let (_, known) = answer(pool(), sign_in("ada@example.com", "wrong")).await;
        let (_, unknown) = answer(pool(), sign_in("nobody@example.com", "wrong")).await;
        assert_eq!(shape(&known), ["get", "list", "get", "auth"]);
        assert_eq!(shape(&known), shape(&unknown));
    }

    #[tokio::test]
    async fn a_case_insensitive_old_pool_resolves_any_case_without_answering_the_user_name() {
        let insensitive = FakePool {
            case_insensitive: true,
            ..pool()
        };
        let (result, calls) = answer(insensitive, sign_in("ADA", "Right-Passw0rd")).await;
        assert_eq!(calls, ["get ADA", "auth ada"]);
        let answered = result.unwrap();
        assert_eq!(answered["response"]["finalUserStatus"], "CONFIRMED");
        assert!(
            answered["response"]["userAttributes"]
                .get("username")
                .is_none()
        );
        // An e-mail in another case finds the user too, and as an alias may name it.
        let (result, _) = answer(pool(), sign_in("Ada@Example.COM", "Right-Passw0rd")).await;
        assert_eq!(
            result.unwrap()["response"]["userAttributes"]["username"],
            "ada"
        );
    }

    #[tokio::test]
    async fn an_email_that_is_the_user_name_resolves_in_one_lookup_and_costs_the_same() {
        // E-mail as user name: the old pool's user name is a UUID, AdminGetUser takes the e-mail.
        let uuid = SourceUser::new(
            "7f1c0e56-0000-4000-8000-000000000001",
            SourceStatus::Confirmed,
        )
        .with("email", "eve@example.com")
        .with("email_verified", "false");
        let pool = FakePool {
            get_resolves_aliases: true,
            ..FakePool::default().with_user(uuid, "Right-Passw0rd", AuthOutcome::Authenticated)
        };
        let (result, calls) = answer(pool, sign_in("eve@example.com", "Right-Passw0rd")).await;
        assert_eq!(shape(&calls), ["get", "list", "get", "auth"]);
        let answered = result.unwrap();
        assert_eq!(answered["response"]["finalUserStatus"], "CONFIRMED");
    }

    #[tokio::test]
    async fn a_totp_user_with_the_right_password_is_never_confirmed() {
        let totp = FakePool::default().with_user(
            ada(),
            "Right-Passw0rd",
            AuthOutcome::SecondFactor("SOFTWARE_TOKEN_MFA".into()),
        );
        let (result, _) = answer(totp, sign_in("ada", "Right-Passw0rd")).await;
        assert_eq!(
            result.unwrap()["response"]["finalUserStatus"],
            "RESET_REQUIRED"
        );
    }

    #[tokio::test]
    async fn tokens_for_a_user_enrolled_in_totp_or_email_codes_never_confirm() {
        for factors in [
            EnrolledFactors {
                software_token: true,
                email_otp: false,
            },
            EnrolledFactors {
                software_token: false,
                email_otp: true,
            },
        ] {
            // The old pool skipped the factor (not preferred, adaptive authentication, a
            // remembered device): tokens, yet the lookup's record names the factor.
            let skipped = || {
                FakePool::default().with_enrolled_user(
                    ada(),
                    factors,
                    "Right-Passw0rd",
                    AuthOutcome::Authenticated,
                )
            };
            // By user name and by e-mail (the factors come through the second lookup too).
            for typed in ["ada", "ada@example.com"] {
                let (result, _) = answer(skipped(), sign_in(typed, "Right-Passw0rd")).await;
                assert_eq!(
                    result.unwrap()["response"]["finalUserStatus"],
                    "RESET_REQUIRED",
                    "{factors:?} {typed}"
                );
            }
        }
    }

    #[tokio::test]
    async fn forgot_password_switched_off_answers_like_an_unknown_user_without_asking() {
        let off = Options {
            forgot_password: false,
            ..Options::default()
        };
        let trigger = Trigger::new(pool(), Mapping::default(), off);
        let answered = trigger
            .answer(forgot_event("ada"), &Context::default())
            .await
            .unwrap();
        assert_eq!(answered, forgot_event("ada"));
        assert!(trigger.old_pool.calls().is_empty());
    }

    /// Names from inside the function that must never reach the person signing in.
    const INTERNAL: [&str; 16] = [
        "OLD_",
        "TENANT",
        "MAPPING",
        "USER_REF",
        "arn:",
        "Admin",
        "ListUsers",
        "Exception",
        "cognito-idp",
        "secret",
        "pool",
        "us-east-1",
        "operation",
        "configuration",
        "invocation",
        "_",
    ];

    #[test]
    fn every_error_message_is_a_fixed_sentence_without_internal_names() {
        let faults = [
            OldPoolError::Timeout {
                operation: "AdminInitiateAuth",
            },
            OldPoolError::Throttled {
                operation: "ListUsers",
                code: "TooManyRequestsException".into(),
            },
            OldPoolError::Unavailable {
                operation: "AdminGetUser",
                detail: "InternalErrorException: boom at arn:aws:cognito-idp:us-east-1:1:userpool/x"
                    .into(),
            },
            OldPoolError::Misconfigured {
                operation: "AdminGetUser",
                detail: "ResourceNotFoundException: User pool us-east-1_x does not exist (check OLD_USER_POOL_ID)".into(),
            },
        ];
        let mut errors: Vec<TriggerError> = faults.into_iter().map(TriggerError::from).collect();
        errors.push(TriggerError::from(ConfigError::Missing {
            name: "OLD_CLIENT_ID",
            hint: "an app client id",
        }));
        errors.push(TriggerError::Config(
            "the calling pool us-east-1_new is not in TENANT_TABLE".into(),
        ));
        errors.push(unconfigured(
            &Context::default(),
            "OLD_CLIENT_SECRET_ARN arn:aws:secretsmanager:x",
        ));
        let fixed = [
            MESSAGE_TIMEOUT,
            MESSAGE_THROTTLED,
            MESSAGE_UNAVAILABLE,
            MESSAGE_UNCONFIGURED,
        ];
        for error in errors {
            let detail = error.detail();
            let shown = [error.to_string(), Diagnostic::from(error).error_message];
            for message in shown {
                assert!(fixed.contains(&message.as_str()), "{message}");
                for name in INTERNAL {
                    assert!(
                        !message.to_lowercase().contains(&name.to_lowercase()),
                        "{message} names {name} (detail: {detail})"
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn an_unknown_calling_pool_in_a_split_is_a_fixed_sentence_too() {
        let table = shared::partition::TenantTable::parse(
            r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"pool-acme"}}}"#,
            std::path::Path::new("t.json"),
        )
        .unwrap();
        let options = Options {
            tenant: Some(crate::tenant::TenantRule {
                table,
                tenant: None,
            }),
            ..Options::default()
        };
        let trigger = Trigger::new(pool(), Mapping::default(), options);
        let error = trigger
            .answer(sign_in("ada", "Right-Passw0rd"), &Context::default())
            .await
            .unwrap_err();
        assert!(error.detail().contains("us-east-1_new"));
        assert_eq!(error.to_string(), MESSAGE_UNCONFIGURED);
    }
}
