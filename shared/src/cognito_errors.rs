//! One catalogue of the Cognito error codes both halves act on, and what each one means.
//!
//! Bulk retries, explains and counts errors; the trigger sorts them into "no such user" answers
//! and Lambda errors. Both read the same code the same way here, so they cannot disagree on, say,
//! whether an answer asks them to slow down.
//!
//! Sources (the Amazon Cognito API reference, "Errors" of each operation, e.g.
//! <https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserImportJob.html>):
//!
//! - `TooManyRequestsException`: "This exception is thrown when the user has made too many
//!   requests for a given operation." A request rate: wait and try again.
//! - `LimitExceededException`: "This exception is thrown when a user exceeds the limit for a
//!   requested Amazon Web Services resource." A quota on a resource (another import job already
//!   running, the daily e-mail limit), not a request rate: trying again at once, or at a slower
//!   pace, meets the same limit. It is therefore *not* throttling here.
//! - `InternalErrorException`: "This exception is thrown when Amazon Cognito encounters an
//!   internal error." (HTTP 500): transient, worth another attempt.
//! - `ResourceNotFoundException`: "This exception is thrown when the Amazon Cognito service can't
//!   find the requested resource." (a pool or a group).
//! - `NotAuthorizedException`: "This exception is thrown when a user isn't authorized." For a sign-in
//!   that is a wrong password or a disabled user; for an administrator call, the caller.
//! - `UserNotFoundException`: "This exception is thrown when a user isn't found."
//!
//! The remaining codes come from the AWS request layer rather than from Cognito's own list:
//! `ThrottlingException` (the generic AWS throttling code), `ServiceUnavailable` and
//! `RequestTimeout` (transient), and the credential and signature codes of [`ACCESS_DENIED`].

/// Codes that ask the caller to slow down: try again after a backoff.
pub const THROTTLING: [&str; 2] = ["TooManyRequestsException", "ThrottlingException"];

/// Codes of Cognito's (or the AWS front end's) own transient faults: try again.
pub const SERVER_FAULTS: [&str; 3] = [
    "InternalErrorException",
    "ServiceUnavailable",
    "RequestTimeout",
];

/// Codes that say the caller's credentials or IAM policy do not allow the call: no retry helps,
/// the operator must fix the credentials or the policy.
pub const ACCESS_DENIED: [&str; 5] = [
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "InvalidSignatureException",
];

/// `LimitExceededException`: a quota on a resource is used up (see the module documentation).
pub const LIMIT_EXCEEDED: &str = "LimitExceededException";
/// `ResourceNotFoundException`: the pool (or group) named in the request does not exist.
pub const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";
/// `NotAuthorizedException`: the user (a sign-in) or the caller (an administrator call) is not
/// authorised.
pub const NOT_AUTHORIZED: &str = "NotAuthorizedException";
/// `UserNotFoundException`: no user of that name in the pool.
pub const USER_NOT_FOUND: &str = "UserNotFoundException";

/// What a Cognito error code says about a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Too many requests ([`THROTTLING`]): slow down and try again.
    Throttled,
    /// A transient fault on AWS's side ([`SERVER_FAULTS`]): try again.
    ServerFault,
    /// A resource quota is used up ([`LIMIT_EXCEEDED`]): not a rate, so not retried as one.
    LimitExceeded,
    /// The pool or group does not exist ([`RESOURCE_NOT_FOUND`]).
    ResourceNotFound,
    /// The caller's credentials or policy refuse the call ([`ACCESS_DENIED`]).
    AccessDenied,
    /// The user or the caller is not authorised ([`NOT_AUTHORIZED`]).
    NotAuthorized,
    /// No such user ([`USER_NOT_FOUND`]).
    UserNotFound,
    /// Any other code: the operation's own meaning decides.
    Other,
}

impl ErrorKind {
    /// The kind of a Cognito error code.
    pub fn of(code: &str) -> ErrorKind {
        match code {
            _ if THROTTLING.contains(&code) => ErrorKind::Throttled,
            _ if SERVER_FAULTS.contains(&code) => ErrorKind::ServerFault,
            _ if ACCESS_DENIED.contains(&code) => ErrorKind::AccessDenied,
            LIMIT_EXCEEDED => ErrorKind::LimitExceeded,
            RESOURCE_NOT_FOUND => ErrorKind::ResourceNotFound,
            NOT_AUTHORIZED => ErrorKind::NotAuthorized,
            USER_NOT_FOUND => ErrorKind::UserNotFound,
            _ => ErrorKind::Other,
        }
    }

    /// True when another attempt of the same request may succeed: throttling and transient
    /// faults, nothing else.
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorKind::Throttled | ErrorKind::ServerFault)
    }
}

/// True when `code` asks the caller to slow down.
pub fn is_throttling(code: &str) -> bool {
    ErrorKind::of(code) == ErrorKind::Throttled
}

/// True when another attempt of a request that failed with `code` may succeed.
pub fn is_retryable(code: &str) -> bool {
    ErrorKind::of(code).is_retryable()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_request_rate_is_throttling() {
        assert!(is_throttling("TooManyRequestsException"));
        assert!(is_throttling("ThrottlingException"));
        assert!(!is_throttling("LimitExceededException"));
        assert_eq!(
            ErrorKind::of("LimitExceededException"),
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn throttling_and_transient_faults_are_retried_and_nothing_else() {
        for code in THROTTLING.iter().chain(&SERVER_FAULTS) {
            assert!(is_retryable(code), "{code}");
        }
        for code in [
            "LimitExceededException",
            "ResourceNotFoundException",
            "AccessDeniedException",
            "NotAuthorizedException",
            "UserNotFoundException",
            "InvalidParameterException",
            "",
        ] {
            assert!(!is_retryable(code), "{code}");
        }
    }

    #[test]
    fn each_code_has_one_kind() {
        assert_eq!(
            ErrorKind::of("InternalErrorException"),
            ErrorKind::ServerFault
        );
        assert_eq!(
            ErrorKind::of("ResourceNotFoundException"),
            ErrorKind::ResourceNotFound
        );
        assert_eq!(
            ErrorKind::of("NotAuthorizedException"),
            ErrorKind::NotAuthorized
        );
        assert_eq!(
            ErrorKind::of("UserNotFoundException"),
            ErrorKind::UserNotFound
        );
        assert_eq!(ErrorKind::of("InvalidParameterException"), ErrorKind::Other);
        for code in ACCESS_DENIED {
            assert_eq!(ErrorKind::of(code), ErrorKind::AccessDenied, "{code}");
        }
        // A wrong password is not a credentials problem of the caller.
        assert_ne!(
            ErrorKind::of("NotAuthorizedException"),
            ErrorKind::AccessDenied
        );
    }
}
