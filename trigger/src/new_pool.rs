//! The new pool, seen from the PreTokenGeneration companion: the one write it makes, adding a
//! user to a group ([`NewPool`]), and its real answer from Cognito ([`SdkNewPool`]).
//!
//! The new pool is the pool that called (the event's `userPoolId`), reached with the function's
//! own role in the function's own region; the groups are created beforehand by
//! `cognito-migrate groups` (and the marker group by the deployment template).

use std::future::Future;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use shared::cognito_errors::ErrorKind;

/// A membership that could not be written. The token is answered anyway; the message says what
/// an operator should check, never a token or an attribute value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("new pool AdminAddUserToGroup {group}: {problem}")]
pub struct NewPoolError {
    /// The group.
    pub group: String,
    /// What failed and what to check.
    pub problem: String,
}

/// The write the PreTokenGeneration companion makes in the new pool.
pub trait NewPool {
    /// `AdminAddUserToGroup` (idempotent: adding a member twice is not an error).
    fn add_to_group(
        &self,
        pool_id: &str,
        username: &str,
        group: &str,
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

/// What went wrong, in a line an operator can act on.
fn problem<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata,
{
    match error {
        SdkError::TimeoutError(_) => "no answer within the time budget".to_string(),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            "no answer within the time budget".to_string()
        }
        SdkError::DispatchFailure(_) => "cannot connect (check the network path)".to_string(),
        SdkError::ServiceError(_) => {
            let code = error.code().unwrap_or("no error code");
            let hint = match ErrorKind::of(code) {
                ErrorKind::ResourceNotFound => {
                    "the group is not in the new pool: create the groups with cognito-migrate groups before the window opens"
                }
                ErrorKind::UserNotFound => "the user is not in the new pool (deleted meanwhile?)",
                ErrorKind::AccessDenied => {
                    "the function's role needs cognito-idp:AdminAddUserToGroup on the new pool"
                }
                ErrorKind::Throttled => {
                    "throttled; the next token or cognito-migrate groups --sync adds it"
                }
                _ => "the next token or cognito-migrate groups --sync adds it",
            };
            format!("{code} ({hint})")
        }
        _ => "unreadable answer".to_string(),
    }
}

impl NewPool for SdkNewPool {
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
            .map_err(|error| NewPoolError {
                group: group.to_string(),
                problem: problem(&error),
            })
    }
}
