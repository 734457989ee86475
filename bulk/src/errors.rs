//! Turning AWS errors into messages that say what happened and what to do next.

use std::error::Error as StdError;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use shared::cognito_errors::ErrorKind;

/// Explains a failed call of `operation` (e.g. `ListUsers`) on `pool`.
pub fn explain<E>(operation: &str, pool: &str, err: SdkError<E, HttpResponse>) -> anyhow::Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let detail = causes(&err);
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    let kind = ErrorKind::of(&code);
    if kind == ErrorKind::ResourceNotFound {
        return anyhow::anyhow!(
            "{operation}: user pool {pool} not found ({message}). Check the pool id and its region \
             (--source-region/--target-region, --region or AWS_REGION)"
        );
    }
    // For the administrator calls bulk makes, "a user isn't authorized" is the caller.
    if matches!(kind, ErrorKind::AccessDenied | ErrorKind::NotAuthorized) {
        return anyhow::anyhow!(
            "{operation} on {pool}: access denied ({code}: {message}). Check the credentials \
             (--profile, AWS_PROFILE) and that their IAM policy allows cognito-idp:{operation} on this pool"
        );
    }
    if matches!(err, SdkError::DispatchFailure(_)) && detail.to_lowercase().contains("credential") {
        return anyhow::anyhow!(
            "{operation} on {pool}: no usable AWS credentials ({}). Pass --profile (or set \
             AWS_PROFILE) naming a profile with credentials (aws configure, aws sso login), or \
             export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
            credentials_problem(&detail)
        );
    }
    if matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    ) {
        return anyhow::anyhow!(
            "{operation} on {pool}: Cognito could not be reached ({detail}); gave up after \
             retrying for up to a minute. Check the network, the region and --endpoint-url"
        );
    }
    if code.is_empty() {
        return match err.raw_response() {
            // The body is not Cognito's JSON (a proxy's or load balancer's page): the parser's
            // complaint about it says nothing more than the status does.
            Some(raw) => anyhow::anyhow!(
                "{operation} on {pool} failed: HTTP {} without a Cognito error code (an answer \
                 from something between this machine and Cognito?)",
                raw.status().as_u16()
            ),
            None => anyhow::anyhow!("{operation} on {pool} failed: {detail}"),
        };
    }
    anyhow::anyhow!("{operation} on {pool} failed: {code}: {message}")
}

/// The first line of a credentials failure, without the transport's prefixes: the SDK appends one
/// indented line per provider it tried ("Environment: … not enabled"), ~1,600 characters that say
/// nothing the advice does not.
fn credentials_problem(detail: &str) -> &str {
    let first = detail.lines().next().unwrap_or_default();
    let first = first.trim_end().trim_end_matches("Attempted:").trim_end();
    first
        .rsplit_once("other: ")
        .map_or(first, |(_, rest)| rest)
        .trim_end_matches('.')
}

fn causes(err: &(dyn StdError + 'static)) -> String {
    shared::error_text::causes(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersError;
    use aws_sdk_cognitoidentityprovider::types::error::InternalErrorException;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    #[test]
    fn a_credentials_failure_is_its_first_line_without_the_providers_tried() {
        let detail = "dispatch failure: other: the credential provider was not enabled: no \
                      credentials found in chain. Attempted:\n  Environment: the credential \
                      provider was not enabled: environment variable not set\n  Profile: …";
        assert_eq!(
            credentials_problem(detail),
            "the credential provider was not enabled: no credentials found in chain"
        );
    }

    #[test]
    fn a_service_error_shows_its_code_and_message_and_no_debug_structure() {
        let service = ListUsersError::InternalErrorException(
            InternalErrorException::builder()
                .message("try later")
                .meta(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code("InternalErrorException")
                        .message("try later")
                        .build(),
                )
                .build(),
        );
        let raw = HttpResponse::new(StatusCode::try_from(500).unwrap(), SdkBody::from("{}"));
        let err = explain("ListUsers", "pool-1", SdkError::service_error(service, raw));
        assert_eq!(
            err.to_string(),
            "ListUsers on pool-1 failed: InternalErrorException: try later"
        );
    }
}
