//! The old pool, seen from the trigger: the three questions it asks ([`OldPool`]) and their real
//! answers from Cognito ([`SdkOldPool`]), including the second factors a user is enrolled in
//! ([`EnrolledFactors`]), which the decision needs beyond the model's user.
//!
//! The trait keeps the decision logic testable with a hand-written fake; the SDK implementation
//! is tested against moto. Every Cognito error is sorted here, once, into "the credentials or
//! user are no good" (an ordinary answer) or an [`OldPoolError`] (an infrastructure fault that
//! becomes a Lambda error): see [`classify`].

use std::future::Future;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::admin_get_user::AdminGetUserOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType, DeliveryMediumType};
use shared::cognito_errors::ErrorKind;
use shared::{Secret, SourceUser};

use crate::sdk_failure::SdkFailure;

/// The answer to "who is this?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The old pool has this user.
    Found(SourceUser),
    /// No such user.
    NotFound,
}

/// The second factors other than SMS that an old user is enrolled in, as `AdminGetUser` shows
/// them. SMS is the model's own ([`shared::SourceUser`]'s `mfa.sms`, which the mapping carries to
/// the new pool); these two cannot be carried, so the decision must see them even when the old pool
/// did not ask for them at this sign-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnrolledFactors {
    /// An authenticator app (`SOFTWARE_TOKEN_MFA`).
    pub software_token: bool,
    /// Codes by e-mail (`EMAIL_OTP`).
    pub email_otp: bool,
}

impl EnrolledFactors {
    /// The factors of one `AdminGetUser` answer: named in `UserMFASettingList` (the factors the
    /// user turned on) or as `PreferredMfaSetting`, or, for e-mail, a legacy `MFAOptions` entry
    /// delivering by `EMAIL`. Any one of these is enough: a factor the record names at all is one
    /// the old pool may ask for.
    pub fn of(user: &AdminGetUserOutput) -> EnrolledFactors {
        let named = |factor: &str| {
            user.user_mfa_setting_list().iter().any(|s| s == factor)
                || user.preferred_mfa_setting() == Some(factor)
        };
        let legacy_email = user
            .mfa_options()
            .iter()
            .any(|option| option.delivery_medium() == Some(&DeliveryMediumType::Email));
        EnrolledFactors {
            software_token: named("SOFTWARE_TOKEN_MFA"),
            email_otp: named("EMAIL_OTP") || legacy_email,
        }
    }
}

/// An old user as the sign-in path reads it: the model's user and its [`EnrolledFactors`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldUser {
    /// The user, as bulk reads it too.
    pub user: SourceUser,
    /// The second factors beyond SMS it is enrolled in.
    pub factors: EnrolledFactors,
}

/// An alias attribute the old pool can be searched by: e-mail or phone, as shared recognises them.
pub use shared::alias::AliasKind;

/// What the old pool said to a user name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Tokens: the password is right.
    Authenticated,
    /// An MFA step: the password is right, the old pool wants a second factor. The name is
    /// Cognito's challenge name (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`, ...).
    SecondFactor(String),
    /// `NEW_PASSWORD_REQUIRED`: the password is a temporary one an administrator set.
    TemporaryPassword,
    /// A challenge that does not prove the password (or that this trigger does not know).
    OtherChallenge(String),
    /// The old pool refused: wrong password, no such user, disabled, ...
    Refused(Refusal),
}

/// Why the old pool refused a sign-in. All of these are answered alike ("no such user").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `NotAuthorizedException`: wrong password (or unknown user with PreventUserExistenceErrors).
    NotAuthorized,
    /// `NotAuthorizedException` "User is disabled."
    Disabled,
    /// `UserNotFoundException`.
    UserNotFound,
    /// `InvalidPasswordException`: some emulators answer a wrong password with it; refused like a
    /// wrong password.
    InvalidPassword,
    /// `PasswordResetRequiredException`: an administrator reset the password.
    PasswordResetRequired,
    /// `UserNotConfirmedException`.
    NotConfirmed,
    /// `UserLambdaValidationException`: the old pool's own trigger refused the sign-in.
    OldPoolTriggerRefused,
}

impl Refusal {
    /// The reason code logged for this refusal.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NotAuthorized => "wrong-password",
            Refusal::Disabled => "disabled",
            Refusal::UserNotFound => "unknown-user",
            Refusal::InvalidPassword => "wrong-password",
            Refusal::PasswordResetRequired => "password-reset-required",
            Refusal::NotConfirmed => "unconfirmed",
            Refusal::OldPoolTriggerRefused => "old-pool-trigger-refused",
        }
    }
}

/// An infrastructure fault: the trigger cannot say anything about the user. It becomes a Lambda
/// error (Cognito then fails the sign-in and the user may retry), never "no such user", which
/// would be a lie. Messages name the operation and what to check, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OldPoolError {
    /// No answer within the budget.
    #[error(
        "old pool {operation}: no answer within the time budget (check the old pool's endpoint and network path, OLD_POOL_TIMEOUT_MS)"
    )]
    Timeout {
        /// The API operation.
        operation: &'static str,
    },
    /// Still throttled after the retries the budget allows.
    #[error(
        "old pool {operation}: throttled ({code}); raise the old account's Cognito quota or spread the cutover"
    )]
    Throttled {
        /// The API operation.
        operation: &'static str,
        /// `TooManyRequestsException` or `ThrottlingException` (shared's
        /// [`cognito_errors::THROTTLING`](shared::cognito_errors::THROTTLING)).
        code: String,
    },
    /// The old pool or the network failed (5xx, connection refused, unreadable answer).
    #[error("old pool {operation}: unavailable: {detail}")]
    Unavailable {
        /// The API operation.
        operation: &'static str,
        /// What failed.
        detail: String,
    },
    /// The old pool rejects the trigger's own configuration: wrong pool or client id, missing
    /// permission, flow not enabled, wrong client secret.
    #[error("old pool {operation}: misconfigured: {detail}")]
    Misconfigured {
        /// The API operation.
        operation: &'static str,
        /// Cognito's code and message, and what to check.
        detail: String,
    },
}

impl OldPoolError {
    /// The reason code logged for this fault.
    pub fn code(&self) -> &'static str {
        match self {
            OldPoolError::Timeout { .. } => "old-pool-timeout",
            OldPoolError::Throttled { .. } => "old-pool-throttled",
            OldPoolError::Unavailable { .. } => "old-pool-unavailable",
            OldPoolError::Misconfigured { .. } => "old-pool-misconfigured",
        }
    }
}

/// The three questions the trigger asks the old pool.
pub trait OldPool {
    /// `AdminGetUser`: the user with this name (Cognito also accepts an alias here) and the
    /// second factors it is enrolled in; `None` when there is no such user.
    fn get_user_with_factors(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<OldUser>, OldPoolError>> + Send;

    /// `AdminGetUser` for callers that need only the user (the companions, `--check`): the same
    /// call as [`OldPool::get_user_with_factors`].
    fn get_user(&self, name: &str) -> impl Future<Output = Result<Lookup, OldPoolError>> + Send
    where
        Self: Sync,
    {
        async move {
            Ok(match self.get_user_with_factors(name).await? {
                Some(found) => Lookup::Found(found.user),
                None => Lookup::NotFound,
            })
        }
    }

    /// `ListUsers` filtered by an alias attribute: the user names of users whose `kind`
    /// attribute is `value` and verified.
    fn find_by_alias(
        &self,
        kind: AliasKind,
        value: &str,
    ) -> impl Future<Output = Result<Vec<String>, OldPoolError>> + Send;

    /// `AdminInitiateAuth` with `ADMIN_USER_PASSWORD_AUTH`.
    fn authenticate(
        &self,
        username: &str,
        password: &Secret,
    ) -> impl Future<Output = Result<AuthOutcome, OldPoolError>> + Send;
}

/// How one Cognito error is treated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// An answer about the user or the credentials.
    Refusal(Refusal),
    /// An infrastructure fault.
    Fault(OldPoolError),
}

/// Sorts a Cognito service error by its code and message.
///
/// The codes that mean "bad credentials or no such user": `NotAuthorizedException` (wrong
/// password, "User is disabled.") and `UserNotFoundException` from AWS, and
/// `InvalidPasswordException`, which some emulators answer for a wrong password.
/// A `NotAuthorizedException` about the client secret is a misconfiguration, not a wrong
/// password: treating it as one would silently refuse every user.
///
/// What the general codes mean (throttling, not found, access denied, ...) is shared's
/// [`ErrorKind`], the catalogue bulk reads too; only the sign-in's own codes are sorted here.
/// `LimitExceededException` is a used-up quota, not throttling (see
/// [`shared::cognito_errors`]), so it is reported as the old pool being unavailable.
pub fn classify(operation: &'static str, code: Option<&str>, message: Option<&str>) -> ErrorClass {
    let message = message.unwrap_or_default();
    let code = code.unwrap_or_default();
    let misconfigured = |hint: &str| {
        ErrorClass::Fault(OldPoolError::Misconfigured {
            operation,
            detail: format!("{code}: {message} ({hint})"),
        })
    };
    match code {
        "InvalidPasswordException" => return ErrorClass::Refusal(Refusal::InvalidPassword),
        "PasswordResetRequiredException" => {
            return ErrorClass::Refusal(Refusal::PasswordResetRequired);
        }
        "UserNotConfirmedException" => return ErrorClass::Refusal(Refusal::NotConfirmed),
        "UserLambdaValidationException" => {
            return ErrorClass::Refusal(Refusal::OldPoolTriggerRefused);
        }
        "InvalidParameterException" | "InvalidUserPoolConfigurationException" => {
            return misconfigured(
                "the old app client must allow ALLOW_ADMIN_USER_PASSWORD_AUTH; check OLD_CLIENT_ID",
            );
        }
        _ => {}
    }
    match ErrorKind::of(code) {
        ErrorKind::NotAuthorized => {
            let lower = message.to_ascii_lowercase();
            if lower.contains("secret") {
                misconfigured(
                    "check OLD_CLIENT_SECRET / OLD_CLIENT_SECRET_ARN against the old app client",
                )
            } else if lower.contains("disabled") {
                ErrorClass::Refusal(Refusal::Disabled)
            } else {
                ErrorClass::Refusal(Refusal::NotAuthorized)
            }
        }
        ErrorKind::UserNotFound => ErrorClass::Refusal(Refusal::UserNotFound),
        ErrorKind::Throttled => ErrorClass::Fault(OldPoolError::Throttled {
            operation,
            code: code.to_string(),
        }),
        ErrorKind::ResourceNotFound => {
            misconfigured("check OLD_USER_POOL_ID, OLD_CLIENT_ID and OLD_REGION")
        }
        ErrorKind::AccessDenied => misconfigured(
            "the function's role (or OLD_ROLE_ARN) needs cognito-idp:AdminInitiateAuth, AdminGetUser and ListUsers on the old pool",
        ),
        ErrorKind::LimitExceeded => ErrorClass::Fault(OldPoolError::Unavailable {
            operation,
            detail: format!(
                "{code}: {message} (a quota of the old account is used up, not a request rate; see the message)"
            ),
        }),
        ErrorKind::ServerFault | ErrorKind::Other => ErrorClass::Fault(OldPoolError::Unavailable {
            operation,
            detail: if code.is_empty() {
                "no error code in the answer (HTTP 5xx or not Cognito)".to_string()
            } else {
                format!("{code}: {message}")
            },
        }),
    }
}

/// Sorts an SDK error: transport failures and timeouts are faults, service errors go through
/// [`classify`].
pub(crate) fn classify_sdk<E, R>(operation: &'static str, error: &SdkError<E, R>) -> ErrorClass
where
    E: ProvideErrorMetadata,
{
    let unavailable = |detail: &str| {
        ErrorClass::Fault(OldPoolError::Unavailable {
            operation,
            detail: detail.to_string(),
        })
    };
    match SdkFailure::of(error) {
        SdkFailure::TimedOut => ErrorClass::Fault(OldPoolError::Timeout { operation }),
        SdkFailure::Unreachable => {
            unavailable("cannot connect (check the endpoint and network path)")
        }
        SdkFailure::NotSent => unavailable("request could not be sent"),
        SdkFailure::Service { code, message } => classify(operation, code, message),
        SdkFailure::Unreadable => unavailable("unreadable answer"),
        SdkFailure::NotBuilt => unavailable("request could not be built"),
    }
}

/// True for the error Cognito gives when a request breaks the API's own constraints. In a lookup
/// that can only be the typed name (length, characters outside the user-name pattern, a filter
/// value): the pool and client ids are checked at cold start. Such a name matches nobody; it
/// must not become a "misconfigured" Lambda error that anyone can provoke by typing it.
pub(crate) fn input_rejected(code: Option<&str>) -> bool {
    code == Some("InvalidParameterException")
}

/// Challenge names that Cognito only sends after the password was verified.
const SECOND_FACTOR_CHALLENGES: [&str; 7] = [
    "SMS_MFA",
    "SOFTWARE_TOKEN_MFA",
    "EMAIL_OTP",
    "SMS_OTP",
    "MFA_SETUP",
    "SELECT_MFA_TYPE",
    "DEVICE_SRP_AUTH",
];

/// Sorts a challenge name: second factors prove the password, a temporary password is flagged,
/// anything else proves nothing.
pub fn classify_challenge(name: &str) -> AuthOutcome {
    if name == ChallengeNameType::NewPasswordRequired.as_str() {
        AuthOutcome::TemporaryPassword
    } else if SECOND_FACTOR_CHALLENGES.contains(&name) {
        AuthOutcome::SecondFactor(name.to_string())
    } else {
        AuthOutcome::OtherChallenge(name.to_string())
    }
}

/// The old pool through the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkOldPool {
    client: Client,
    pool_id: String,
    client_id: String,
    client_secret: Option<Secret>,
}

impl SdkOldPool {
    /// An old pool reached through `client` (already configured with region, credentials,
    /// timeouts and retries), signing in through the app client `client_id`.
    pub fn new(
        client: Client,
        pool_id: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: Option<Secret>,
    ) -> SdkOldPool {
        SdkOldPool {
            client,
            pool_id: pool_id.into(),
            client_id: client_id.into(),
            client_secret,
        }
    }

    /// The SDK client, for the companions' own questions ([`crate::old_directory`]).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The old pool's id.
    pub fn pool_id(&self) -> &str {
        &self.pool_id
    }
}

impl SdkOldPool {
    /// The old app client's secret, if it has one (also the default key of the log's
    /// `user_ref`, see [`crate::logging::UserRefKey`]).
    pub fn client_secret(&self) -> Option<&Secret> {
        self.client_secret.as_ref()
    }
}

/// `ListUsers` filter values are double-quoted strings; a value that would need escaping is
/// never a real email address or phone number, so it is not searched at all.
pub(crate) fn filter_safe(value: &str) -> bool {
    !value.contains(['"', '\\'])
}

impl OldPool for SdkOldPool {
    async fn get_user_with_factors(&self, name: &str) -> Result<Option<OldUser>, OldPoolError> {
        const OPERATION: &str = "AdminGetUser";
        match self
            .client
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(name)
            .send()
            .await
        {
            Ok(output) => Ok(Some(OldUser {
                user: shared::from_sdk::user_from_get(&output),
                factors: EnrolledFactors::of(&output),
            })),
            // The typed name broke the API's constraints: no user can have it.
            Err(error) if input_rejected(error.code()) => Ok(None),
            Err(error) => match classify_sdk(OPERATION, &error) {
                ErrorClass::Refusal(Refusal::UserNotFound) => Ok(None),
                ErrorClass::Refusal(_) => Err(OldPoolError::Misconfigured {
                    operation: OPERATION,
                    detail: format!(
                        "{}: refused (check the function's permissions on the old pool)",
                        error.code().unwrap_or("unknown")
                    ),
                }),
                ErrorClass::Fault(fault) => Err(fault),
            },
        }
    }

    async fn find_by_alias(
        &self,
        kind: AliasKind,
        value: &str,
    ) -> Result<Vec<String>, OldPoolError> {
        const OPERATION: &str = "ListUsers";
        if !filter_safe(value) {
            return Ok(Vec::new());
        }
        let output = match self
            .client
            .list_users()
            .user_pool_id(&self.pool_id)
            .filter(format!("{} = \"{}\"", kind.attribute(), value))
            .limit(10)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) if input_rejected(error.code()) => return Ok(Vec::new()),
            Err(error) => Err(match classify_sdk(OPERATION, &error) {
                ErrorClass::Fault(fault) => fault,
                ErrorClass::Refusal(_) => OldPoolError::Misconfigured {
                    operation: OPERATION,
                    detail: "refused (check the function's permissions on the old pool)"
                        .to_string(),
                },
            })?,
        };
        Ok(output
            .users()
            .iter()
            .map(shared::from_sdk::user_from_list)
            .filter(|user| {
                user.attribute(kind.attribute())
                    .is_some_and(|stored| kind.matches(stored, value))
                    && user.attribute(kind.verified_flag()) == Some("true")
            })
            .map(|user| user.username)
            .collect())
    }

    async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<AuthOutcome, OldPoolError> {
        const OPERATION: &str = "AdminInitiateAuth";
        let mut request = self
            .client
            .admin_initiate_auth()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password.expose());
        if let Some(secret) = &self.client_secret {
            request = request.auth_parameters(
                "SECRET_HASH",
                shared::secret_hash::secret_hash(username, &self.client_id, secret),
            );
        }
        match request.send().await {
            Ok(output) => Ok(match output.challenge_name() {
                Some(challenge) => classify_challenge(challenge.as_str()),
                None if output.authentication_result().is_some() => AuthOutcome::Authenticated,
                None => AuthOutcome::OtherChallenge("NONE".to_string()),
            }),
            Err(error) => match classify_sdk(OPERATION, &error) {
                ErrorClass::Refusal(refusal) => Ok(AuthOutcome::Refused(refusal)),
                ErrorClass::Fault(fault) => Err(fault),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: &str, message: &str) -> Option<Refusal> {
        match classify("AdminInitiateAuth", Some(code), Some(message)) {
            ErrorClass::Refusal(r) => Some(r),
            ErrorClass::Fault(_) => None,
        }
    }

    #[test]
    fn bad_credentials_and_unknown_users_are_refusals() {
        assert_eq!(
            refusal("NotAuthorizedException", "alice"),
            Some(Refusal::NotAuthorized)
        );
        assert_eq!(
            refusal("NotAuthorizedException", "Incorrect username or password."),
            Some(Refusal::NotAuthorized)
        );
        assert_eq!(
            refusal("NotAuthorizedException", "User is disabled."),
            Some(Refusal::Disabled)
        );
        assert_eq!(
            refusal("UserNotFoundException", "User does not exist."),
            Some(Refusal::UserNotFound)
        );
        assert_eq!(
            refusal("InvalidPasswordException", "Invalid password"),
            Some(Refusal::InvalidPassword)
        );
        assert_eq!(
            refusal(
                "PasswordResetRequiredException",
                "Password reset required for the user"
            ),
            Some(Refusal::PasswordResetRequired)
        );
        assert_eq!(
            refusal("UserNotConfirmedException", "User is not confirmed."),
            Some(Refusal::NotConfirmed)
        );
    }

    #[test]
    fn a_secret_problem_is_misconfiguration_not_a_wrong_password() {
        for message in [
            "Unable to verify secret hash for client 7nqd4vsmu4ms8tg53d3vcml9g",
            "Client 7nqd4vsmu4ms8tg53d3vcml9g is configured for secret but secret was not received",
        ] {
            match classify(
                "AdminInitiateAuth",
                Some("NotAuthorizedException"),
                Some(message),
            ) {
                ErrorClass::Fault(OldPoolError::Misconfigured { detail, .. }) => {
                    assert!(detail.contains("OLD_CLIENT_SECRET"), "{detail}")
                }
                other => panic!("{message}: {other:?}"),
            }
        }
    }

    #[test]
    fn infrastructure_faults_say_what_to_check() {
        let fault = |code: Option<&str>| match classify("AdminGetUser", code, Some("m")) {
            ErrorClass::Fault(f) => f.to_string(),
            other => panic!("{code:?}: {other:?}"),
        };
        assert!(fault(Some("TooManyRequestsException")).contains("throttled"));
        let quota = fault(Some("LimitExceededException"));
        assert!(
            quota.contains("quota") && !quota.contains("throttled"),
            "{quota}"
        );
        assert!(fault(Some("ResourceNotFoundException")).contains("OLD_USER_POOL_ID"));
        assert!(
            fault(Some("InvalidParameterException")).contains("ALLOW_ADMIN_USER_PASSWORD_AUTH")
        );
        assert!(fault(Some("AccessDeniedException")).contains("cognito-idp:AdminInitiateAuth"));
        assert!(fault(Some("InternalErrorException")).contains("unavailable"));
        assert!(fault(None).contains("HTTP 5xx"));
    }

    #[test]
    fn challenges_that_prove_the_password() {
        for name in [
            "SMS_MFA",
            "SOFTWARE_TOKEN_MFA",
            "EMAIL_OTP",
            "MFA_SETUP",
            "SELECT_MFA_TYPE",
        ] {
            assert_eq!(
                classify_challenge(name),
                AuthOutcome::SecondFactor(name.to_string())
            );
        }
        assert_eq!(
            classify_challenge("NEW_PASSWORD_REQUIRED"),
            AuthOutcome::TemporaryPassword
        );
        assert_eq!(
            classify_challenge("CUSTOM_CHALLENGE"),
            AuthOutcome::OtherChallenge("CUSTOM_CHALLENGE".to_string())
        );
    }

    #[test]
    fn enrolled_factors_are_read_from_every_place_the_record_names_them() {
        use aws_sdk_cognitoidentityprovider::operation::admin_get_user::builders::AdminGetUserOutputBuilder;
        use aws_sdk_cognitoidentityprovider::types::MfaOptionType;
        let user = || AdminGetUserOutput::builder().username("ada");
        let factors =
            |output: AdminGetUserOutputBuilder| EnrolledFactors::of(&output.build().unwrap());
        let totp = EnrolledFactors {
            software_token: true,
            email_otp: false,
        };
        let email = EnrolledFactors {
            software_token: false,
            email_otp: true,
        };
        assert_eq!(
            factors(user().user_mfa_setting_list("SOFTWARE_TOKEN_MFA")),
            totp
        );
        assert_eq!(
            factors(user().preferred_mfa_setting("SOFTWARE_TOKEN_MFA")),
            totp
        );
        assert_eq!(factors(user().user_mfa_setting_list("EMAIL_OTP")), email);
        assert_eq!(factors(user().preferred_mfa_setting("EMAIL_OTP")), email);
        let legacy = |medium| {
            MfaOptionType::builder()
                .delivery_medium(medium)
                .attribute_name("email")
                .build()
        };
        assert_eq!(
            factors(user().mfa_options(legacy(DeliveryMediumType::Email))),
            email
        );
        // SMS, however it is named, is the model's factor, not one of these.
        for sms in [
            user().user_mfa_setting_list("SMS_MFA"),
            user().preferred_mfa_setting("SMS_MFA"),
            user().mfa_options(legacy(DeliveryMediumType::Sms)),
            user().preferred_mfa_setting(""),
        ] {
            assert_eq!(factors(sms), EnrolledFactors::default());
        }
    }

    #[test]
    fn alias_values_that_need_escaping_are_not_searched() {
        assert!(!filter_safe("a\"b@example.com"));
        assert!(filter_safe("ada@example.com"));
    }
}
