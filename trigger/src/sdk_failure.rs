//! How an AWS SDK call failed, sorted once for every client the function holds (the old pool,
//! the new pool, the event bus): no answer in time, no way to reach the service, an error the
//! service answered with, or an answer that cannot be read. Each client then says what its own
//! failure means and what to check ([`crate::old_pool`], [`crate::new_pool`],
//! [`crate::migrated_event`]).

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// One failed SDK call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SdkFailure<'e> {
    /// No answer within the call's timeout.
    TimedOut,
    /// The service could not be reached (connection, DNS: the endpoint or the network path).
    Unreachable,
    /// The request could not be sent for another reason.
    NotSent,
    /// The service answered with an error.
    Service {
        /// Its error code, when it gave one.
        code: Option<&'e str>,
        /// Its message, when it gave one.
        message: Option<&'e str>,
    },
    /// The answer could not be read.
    Unreadable,
    /// The request could not be built.
    NotBuilt,
}

impl<'e> SdkFailure<'e> {
    /// Sorts `error`.
    pub(crate) fn of<E: ProvideErrorMetadata, R>(error: &'e SdkError<E, R>) -> SdkFailure<'e> {
        match error {
            SdkError::TimeoutError(_) => SdkFailure::TimedOut,
            SdkError::DispatchFailure(failure) if failure.is_timeout() => SdkFailure::TimedOut,
            SdkError::DispatchFailure(failure) if failure.is_io() => SdkFailure::Unreachable,
            SdkError::DispatchFailure(_) => SdkFailure::NotSent,
            SdkError::ServiceError(service) => SdkFailure::Service {
                code: service.err().code(),
                message: service.err().message(),
            },
            SdkError::ResponseError(_) => SdkFailure::Unreadable,
            _ => SdkFailure::NotBuilt,
        }
    }

    /// What went wrong on the way to or from the service, in the companions' words; `None` for
    /// an error the service answered with, which each client explains by its code.
    pub(crate) fn transport_problem(self) -> Option<&'static str> {
        match self {
            SdkFailure::TimedOut => Some("no answer within the time budget"),
            SdkFailure::Unreachable | SdkFailure::NotSent => {
                Some("cannot connect (check the network path)")
            }
            SdkFailure::Unreadable | SdkFailure::NotBuilt => Some("unreadable answer"),
            SdkFailure::Service { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_runtime_api::client::result::{ConnectorError, ServiceError};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    type Error = SdkError<ErrorMetadata, HttpResponse>;

    fn response() -> HttpResponse {
        HttpResponse::new(500u16.try_into().unwrap(), SdkBody::empty())
    }

    #[test]
    fn every_failure_is_sorted_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let service = ServiceError::builder()
            .source(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("slow down")
                    .build(),
            )
            .raw(response())
            .build();
        let cases: [(Error, SdkFailure<'_>); 5] = [
            (SdkError::timeout_error("late"), SdkFailure::TimedOut),
            (
                SdkError::dispatch_failure(ConnectorError::timeout("late".into())),
                SdkFailure::TimedOut,
            ),
            (
                SdkError::dispatch_failure(ConnectorError::io(io.into())),
                SdkFailure::Unreachable,
            ),
            (
                SdkError::dispatch_failure(ConnectorError::other("tls".into(), None)),
                SdkFailure::NotSent,
            ),
            (
                SdkError::construction_failure("no region"),
                SdkFailure::NotBuilt,
            ),
        ];
        for (error, expected) in &cases {
            assert_eq!(SdkFailure::of(error), *expected, "{error:?}");
        }
        let answered: Error = SdkError::ServiceError(service);
        assert_eq!(
            SdkFailure::of(&answered),
            SdkFailure::Service {
                code: Some("ThrottlingException"),
                message: Some("slow down"),
            }
        );
        assert_eq!(SdkFailure::of(&answered).transport_problem(), None);
        assert_eq!(
            SdkFailure::Unreachable.transport_problem(),
            Some("cannot connect (check the network path)")
        );
    }
}
