//! The HTTP PUT of an import file to its job's pre-signed S3 URL.
//!
//! "Creating and running the Amazon Cognito user pool import job": the URL is valid for 15
//! minutes and the upload must send `x-amz-server-side-encryption: aws:kms`. The file is streamed
//! from disk with its exact `Content-Length` (S3 does not take chunked PUTs on pre-signed URLs).
//!
//! The client is hyper 1 with rustls 0.23 on aws-lc-rs, the stack the AWS SDK already uses, with
//! the operating system's trusted roots (rustls-native-certs), as the SDK's own client has them.
//! Plain `http://` is refused except to a loopback address (a local test bed): the file holds
//! personal data.

use std::path::Path;
use std::time::Duration;

use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use http::header::{CONTENT_LENGTH, HeaderValue};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::BodyExt;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// The header and value AWS requires on the upload.
const ENCRYPTION_HEADER: (&str, &str) = ("x-amz-server-side-encryption", "aws:kms");
/// Attempts for a transient failure (5xx, broken connection, timeout).
const ATTEMPTS: u32 = 4;
/// Longest one attempt may take: the URL is only checked when the request starts, but a 100 MB
/// file must still get through on a slow link.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(14 * 60);
/// Most bytes of an error answer kept for the message.
const MAX_ERROR_BODY: usize = 4096;

/// Why an upload did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// S3 says the pre-signed URL has expired: create a new job to get a new one.
    #[error("the pre-signed URL has expired ({0})")]
    Expired(String),
    /// S3 refused the upload, or it kept failing.
    #[error("{0}")]
    Failed(String),
}

/// Uploads import files; one per run, reusing connections.
pub struct Uploader {
    client: Client<HttpsConnector<HttpConnector>, SdkBody>,
}

impl Uploader {
    /// An uploader trusting the operating system's root certificates.
    pub fn new() -> anyhow::Result<Uploader> {
        let connector = HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::aws_lc_rs::default_provider())
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot load the system's trusted root certificates for the upload ({e}); \
                     install the ca-certificates package"
                )
            })?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Uploader {
            client: Client::builder(TokioExecutor::new()).build(connector),
        })
    }

    /// PUTs `file` to `url`, retrying transient failures with backoff.
    pub async fn put(&self, url: &str, file: &Path) -> Result<(), UploadError> {
        let uri: Uri = url
            .parse()
            .map_err(|e| UploadError::Failed(format!("the pre-signed URL is not a URL ({e})")))?;
        check_scheme(&uri)?;
        let mut last = String::new();
        for attempt in 1..=ATTEMPTS {
            if attempt > 1 {
                tokio::time::sleep(Duration::from_secs(1 << (attempt - 2))).await;
            }
            match self.attempt(&uri, file).await {
                Ok(()) => return Ok(()),
                Err(Attempt::Final(err)) => return Err(err),
                Err(Attempt::Transient(why)) => {
                    tracing::debug!(attempt, why = %why, "upload attempt failed");
                    last = why;
                }
            }
        }
        Err(UploadError::Failed(format!(
            "{last} (gave up after {ATTEMPTS} attempts)"
        )))
    }

    async fn attempt(&self, uri: &Uri, file: &Path) -> Result<(), Attempt> {
        let length = tokio::fs::metadata(file)
            .await
            .map_err(|e| final_failure(format!("cannot read {}: {e}", file.display())))?
            .len();
        let body = ByteStream::from_path(file)
            .await
            .map_err(|e| final_failure(format!("cannot read {}: {e}", file.display())))?
            .into_inner();
        let request = Request::builder()
            .method(Method::PUT)
            .uri(uri.clone())
            .header(CONTENT_LENGTH, HeaderValue::from(length))
            .header(ENCRYPTION_HEADER.0, ENCRYPTION_HEADER.1)
            .body(body)
            .map_err(|e| final_failure(format!("cannot build the upload request: {e}")))?;
        let response =
            match tokio::time::timeout(ATTEMPT_TIMEOUT, self.client.request(request)).await {
                Err(_) => return Err(Attempt::Transient("the upload timed out".into())),
                Ok(Err(err)) => {
                    return Err(Attempt::Transient(format!(
                        "the upload connection failed: {}",
                        error_chain(&err)
                    )));
                }
                Ok(Ok(response)) => response,
            };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let body = response
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&body[..body.len().min(MAX_ERROR_BODY)]).into_owned();
        Err(classify(status, &text))
    }
}

enum Attempt {
    Final(UploadError),
    Transient(String),
}

fn final_failure(message: String) -> Attempt {
    Attempt::Final(UploadError::Failed(message))
}

fn check_scheme(uri: &Uri) -> Result<(), UploadError> {
    let loopback = matches!(
        uri.host(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if loopback => Ok(()),
        _ => Err(UploadError::Failed(
            "the pre-signed URL is not https; refusing to send user data unencrypted".into(),
        )),
    }
}

/// Turns an S3 error answer into a retry decision and a message.
fn classify(status: StatusCode, body: &str) -> Attempt {
    let code = xml_element(body, "Code").unwrap_or_default();
    let message = xml_element(body, "Message").unwrap_or_default();
    let what = if code.is_empty() {
        let text: String = body.trim().chars().take(200).collect();
        format!("HTTP {status}: {text}")
    } else {
        format!("HTTP {status} {code}: {message}")
    };
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        return Attempt::Transient(format!("S3 answered {what}"));
    }
    if message.to_lowercase().contains("expired") {
        return Attempt::Final(UploadError::Expired(what));
    }
    Attempt::Final(UploadError::Failed(format!(
        "S3 refused the upload: {what}"
    )))
}

/// The text of the first `<name>…</name>` in an S3 XML error.
fn xml_element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRED: &str = "<?xml version=\"1.0\"?>\n<Error><Code>AccessDenied</Code>\
        <Message>Request has expired</Message><RequestId>1</RequestId></Error>";

    #[test]
    fn an_expired_url_is_told_apart_from_other_refusals() {
        assert!(matches!(
            classify(StatusCode::FORBIDDEN, EXPIRED),
            Attempt::Final(UploadError::Expired(_))
        ));
        let denied = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        match classify(StatusCode::FORBIDDEN, denied) {
            Attempt::Final(UploadError::Failed(m)) => {
                assert_eq!(
                    m,
                    "S3 refused the upload: HTTP 403 Forbidden AccessDenied: Access Denied"
                )
            }
            _ => panic!("a plain 403 is final"),
        }
        assert!(matches!(
            classify(StatusCode::SERVICE_UNAVAILABLE, "Slow Down"),
            Attempt::Transient(_)
        ));
    }

    #[test]
    fn user_data_never_goes_out_over_plain_http_except_to_loopback() {
        let local: Uri = "http://127.0.0.1:4000/upload".parse().unwrap();
        assert!(check_scheme(&local).is_ok());
        let remote: Uri = "http://bucket.s3.amazonaws.com/x".parse().unwrap();
        assert!(check_scheme(&remote).is_err());
        let tls: Uri = "https://bucket.s3.amazonaws.com/x".parse().unwrap();
        assert!(check_scheme(&tls).is_ok());
    }
}
