//! The new pool, seen from the PreTokenGeneration companion: the read it trusts (the user as
//! Cognito holds it, [`NewPool::user`]), the writes it makes (adding a user to a group,
//! [`NewPool::add_to_group`]; turning a proven user's e-mail MFA back on,
//! [`NewPool::enable_email_mfa`]), and their real answers from Cognito ([`SdkNewPool`]).
//!
//! The new pool is the pool that called (the event's `userPoolId`, checked against
//! `NEW_USER_POOL_ID` when that is set), reached with the function's own role in the function's
//! own region; the groups are created beforehand by `cognito-migrate groups` (and the marker group
//! by the deployment template).

use std::future::Future;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::EmailMfaSettingsType;
use shared::SourceUser;
use shared::cognito_errors::ErrorKind;

use crate::sdk_failure::SdkFailure;

/// What to do when the new pool refuses e-mail MFA.
pub const NOT_CONFIGURED_FIX: &str = "the new pool cannot do e-mail MFA: configure it (SetUserPoolMfaConfig EmailMfaConfiguration, Amazon SES e-mail, the Essentials or Plus plan; cognito-migrate preflight checks it), then turn it on for the users in the export's mfa-reenrol.csv";

/// A new-pool call that failed. The token is answered anyway; the message says what an operator
/// should check, never a token, a user name or an attribute value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewPoolError {
    /// `AdminGetUser` did not answer with the user or "no such user".
    #[error("new pool AdminGetUser: {problem}")]
    Read {
        /// What failed and what to check.
        problem: String,
    },
    /// `AdminAddUserToGroup` did not write the membership.
    #[error("new pool AdminAddUserToGroup {group}: {problem}")]
    Membership {
        /// The group.
        group: String,
        /// What failed and what to check.
        problem: String,
    },
    /// `AdminSetUserMFAPreference` did not turn e-mail MFA on.
    #[error("new pool AdminSetUserMFAPreference: {problem}")]
    EmailMfa {
        /// The pool cannot do e-mail MFA (no `EmailMfaConfiguration`, or the Lite plan): only
        /// configuring it helps, not another try.
        not_configured: bool,
        /// What failed and what to check.
        problem: String,
    },
}

/// The read and the write the PreTokenGeneration companion makes in the new pool.
pub trait NewPool {
    /// `AdminGetUser`: the user `username` answers to as Cognito holds it (canonical `Username`,
    /// `Enabled`, attributes), `None` when the pool has no such user.
    fn user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> impl Future<Output = Result<Option<SourceUser>, NewPoolError>> + Send;

    /// `AdminAddUserToGroup` (idempotent: adding a member twice is not an error).
    fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> impl Future<Output = Result<(), NewPoolError>> + Send;

    /// `AdminSetUserMFAPreference` with `EmailMfaSettings` `Enabled` (and nothing about the
    /// preferred factor): idempotent.
    fn enable_email_mfa(
        &self,
        pool_id: &str,
        username: &str,
    ) -> impl Future<Output = Result<(), NewPoolError>> + Send;
}

/// The new pool through the AWS SDK.
#[derive(Debug, Clone)]
pub struct SdkNewPool {
    client: Client,
}

impl SdkNewPool {
    /// A new pool reached through `client` (configured with the trigger's time budget and
    /// retries, and the function's own credentials).
    pub fn new(client: Client) -> SdkNewPool {
        SdkNewPool { client }
    }
}

/// The operation a failure belongs to, for the hint that names the missing permission.
#[derive(Debug, Clone, Copy)]
enum Operation {
    GetUser,
    AddUserToGroup,
    SetMfaPreference,
}

/// What went wrong, in a line an operator can act on.
fn problem<E, R>(operation: Operation, error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata,
{
    match SdkFailure::of(error) {
        SdkFailure::Service { code, .. } => {
            let code = code.unwrap_or("no error code");
            let hint = match (ErrorKind::of(code), operation) {
                (ErrorKind::ResourceNotFound, Operation::AddUserToGroup) => {
                    "the group is not in the new pool: create the groups with cognito-migrate groups before the window opens"
                }
                (ErrorKind::ResourceNotFound, Operation::GetUser) => {
                    "the event names a pool that does not exist here: set NEW_USER_POOL_ID"
                }
                (ErrorKind::UserNotFound, _) => {
                    "the user is not in the new pool (deleted meanwhile?)"
                }
                (ErrorKind::AccessDenied, Operation::AddUserToGroup) => {
                    "the function's role needs cognito-idp:AdminAddUserToGroup on the new pool"
                }
                (ErrorKind::AccessDenied, Operation::GetUser) => {
                    "the function's role needs cognito-idp:AdminGetUser on the new pool (or the event names another pool)"
                }
                (ErrorKind::AccessDenied, Operation::SetMfaPreference) => {
                    "the function's role needs cognito-idp:AdminSetUserMFAPreference on the new pool"
                }
                (_, Operation::SetMfaPreference) if email_mfa_not_configured(code) => {
                    NOT_CONFIGURED_FIX
                }
                (ErrorKind::Throttled, Operation::SetMfaPreference) => {
                    "throttled; turn e-mail MFA on for the user (AdminSetUserMFAPreference), the export's mfa-reenrol.csv lists them"
                }
                (ErrorKind::Throttled, _) => {
                    "throttled; the next token or cognito-migrate groups --sync adds it"
                }
                (_, Operation::SetMfaPreference) => {
                    "e-mail MFA stays off for the user: turn it on (AdminSetUserMFAPreference EmailMfaSettings), the export's mfa-reenrol.csv lists them"
                }
                _ => "the next token or cognito-migrate groups --sync adds it",
            };
            format!("{code} ({hint})")
        }
        failure => failure.transport_problem().unwrap_or_default().to_string(),
    }
}

/// Whether `code`, answered to `AdminSetUserMFAPreference` enabling e-mail MFA, says the pool
/// cannot do e-mail MFA: "Email MFA is not configured" (`InvalidParameterException`) or a feature
/// plan without it (`FeatureUnavailableInTierException`).
fn email_mfa_not_configured(code: &str) -> bool {
    matches!(
        code,
        "InvalidParameterException" | "FeatureUnavailableInTierException"
    )
}

impl NewPool for SdkNewPool {
    async fn user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Option<SourceUser>, NewPoolError> {
        match self
            .client
            .admin_get_user()
            .user_pool_id(pool_id)
            .username(username)
            .send()
            .await
        {
            Ok(user) => Ok(Some(shared::from_sdk::user_from_get(&user))),
            Err(error)
                if error
                    .code()
                    .is_some_and(|code| ErrorKind::of(code) == ErrorKind::UserNotFound) =>
            {
                Ok(None)
            }
            Err(error) => Err(NewPoolError::Read {
                problem: problem(Operation::GetUser, &error),
            }),
        }
    }

    async fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<(), NewPoolError> {
        self.client
            .admin_add_user_to_group()
            .user_pool_id(pool_id)
            .username(username)
            .group_name(group)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| NewPoolError::Membership {
                group: group.to_string(),
                problem: problem(Operation::AddUserToGroup, &error),
            })
    }

    async fn enable_email_mfa(&self, pool_id: &str, username: &str) -> Result<(), NewPoolError> {
        let settings = EmailMfaSettingsType::builder().enabled(true).build();
        self.client
            .admin_set_user_mfa_preference()
            .user_pool_id(pool_id)
            .username(username)
            .email_mfa_settings(settings)
            .send()
            .await
            .map(|_| ())
            .map_err(|error| NewPoolError::EmailMfa {
                not_configured: matches!(&error, SdkError::ServiceError(_))
                    && error.code().is_some_and(email_mfa_not_configured),
                problem: problem(Operation::SetMfaPreference, &error),
            })
    }
}
