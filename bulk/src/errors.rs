//! Turning AWS errors into messages that say what happened and what to do next.

use std::error::Error as StdError;

use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;

const ACCESS_CODES: [&str; 6] = [
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "NotAuthorizedException",
];

/// Explains a failed call of `operation` (e.g. `ListUsers`) on `pool`.
pub fn explain<E>(operation: &str, pool: &str, err: SdkError<E, HttpResponse>) -> anyhow::Error
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let detail = DisplayErrorContext(&err).to_string();
    let code = err.code().unwrap_or_default().to_string();
    let message = err.message().unwrap_or_default().to_string();
    if code == "ResourceNotFoundException" {
        return anyhow::anyhow!(
            "{operation}: user pool {pool} not found ({message}). Check the pool id and its region \
             (--source-region/--target-region, --region or AWS_REGION)"
        );
    }
    if ACCESS_CODES.contains(&code.as_str()) {
        return anyhow::anyhow!(
            "{operation} on {pool}: access denied ({code}: {message}). Check the credentials \
             (--profile, AWS_PROFILE) and that their IAM policy allows cognito-idp:{operation} on this pool"
        );
    }
    if matches!(err, SdkError::DispatchFailure(_)) && detail.to_lowercase().contains("credential") {
        return anyhow::anyhow!(
            "{operation} on {pool}: no usable AWS credentials ({detail}). Set AWS_PROFILE or pass \
             --profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        );
    }
    if matches!(
        err,
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)
    ) {
        return anyhow::anyhow!(
            "{operation} on {pool}: Cognito could not be reached ({detail}). Check the network, \
             the region and --endpoint-url"
        );
    }
    anyhow::anyhow!("{operation} on {pool} failed: {detail}")
}
