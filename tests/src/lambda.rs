//! The local Lambda host of the test bed (`tests/emulator/lambda_host.py`): registering the
//! trigger binary, invoking it through the real Lambda Invoke API, reading its logs.
//!
//! The HTTP client is a few lines over `tokio::net` (one request per connection, loopback only)
//! rather than a new dependency: the host answers every request with a `Content-Length`.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::testbed::{Testbed, required_env};

/// The ARN by which a pool's `LambdaConfig` names the Lambda host's function `function` (the host
/// serves every function of the test bed's one account and region).
pub fn function_arn(function: &str) -> String {
    format!("arn:aws:lambda:us-east-1:123456789012:function:{function}")
}

/// A `LambdaConfig` whose UserMigration trigger is the host's function `function`.
pub fn user_migration_config(function: &str) -> LambdaConfigType {
    LambdaConfigType::builder()
        .user_migration(function_arn(function))
        .build()
}

/// A `LambdaConfig` for the migration window: the host's function `function` is the
/// UserMigration, PreSignUp and PreTokenGeneration trigger.
pub fn window_config(function: &str) -> LambdaConfigType {
    let arn = function_arn(function);
    LambdaConfigType::builder()
        .user_migration(&arn)
        .pre_sign_up(&arn)
        .pre_token_generation(&arn)
        .build()
}

/// The Lambda host.
#[derive(Debug, Clone)]
pub struct LambdaHost {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

/// One answer of the Invoke API.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// HTTP status (200 also for function errors, as in Lambda).
    pub status: u16,
    /// `X-Amz-Function-Error` (`Unhandled`) when the function failed or timed out.
    pub function_error: Option<String>,
    /// The payload the function returned (or the error document), as bytes.
    pub body: Vec<u8>,
    /// `X-Testbed-Duration-Ms`: the host's time from request to answer.
    pub host_duration_ms: Option<f64>,
    /// Wall time seen by the test.
    pub elapsed: Duration,
}

impl Invocation {
    /// The payload as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "invocation body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The payload of a successful invocation; panics with the error document otherwise.
    pub fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{}", String::from_utf8_lossy(&self.body));
        assert!(
            self.function_error.is_none(),
            "function error: {}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }

    /// The `errorType` of a failed invocation; panics when it succeeded.
    pub fn error_type(&self) -> String {
        assert!(
            self.function_error.is_some(),
            "expected a function error, got {}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()["errorType"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A registration of a function binary on the host.
#[derive(Debug, Clone)]
pub struct Function {
    /// Function name (1–64 of `[A-Za-z0-9_-]`).
    pub name: String,
    /// Environment of its processes (the host adds only the Lambda variables and `AWS_REGION`).
    pub env: BTreeMap<String, String>,
    /// Lambda timeout.
    pub timeout_seconds: f64,
}

impl LambdaHost {
    /// The host of the running test bed.
    pub fn from_env() -> LambdaHost {
        LambdaHost {
            url: required_env("TESTBED_LAMBDA_URL"),
        }
    }

    /// Registers (or replaces) `function` running `binary`; replacing restarts its processes.
    pub async fn register(&self, function: &Function, binary: &Path) {
        self.register_with_concurrency(function, binary, 1).await;
    }

    /// Registers (or replaces) `function` running `binary` with up to `concurrency` instances
    /// side by side.
    pub async fn register_with_concurrency(
        &self,
        function: &Function,
        binary: &Path,
        concurrency: u32,
    ) {
        let body = json!({
            "binary": binary.to_str().expect("utf-8 path"),
            "env": function.env,
            "timeout_seconds": function.timeout_seconds,
            "concurrency": concurrency,
        });
        let (status, _, answer) = self
            .request(
                "PUT",
                &format!("/_testbed/functions/{}", function.name),
                &[],
                &serde_json::to_vec(&body).unwrap(),
            )
            .await;
        assert_eq!(
            status,
            200,
            "register {}: {}",
            function.name,
            String::from_utf8_lossy(&answer)
        );
    }

    /// Invokes `name` with `payload` through the Lambda Invoke API.
    pub async fn invoke(&self, name: &str, payload: &[u8]) -> Invocation {
        let started = Instant::now();
        let (status, headers, body) = self
            .request(
                "POST",
                &format!("/2015-03-31/functions/{name}/invocations"),
                &[],
                payload,
            )
            .await;
        Invocation {
            status,
            function_error: headers.get("x-amz-function-error").cloned(),
            body,
            host_duration_ms: headers
                .get("x-testbed-duration-ms")
                .and_then(|v| v.parse().ok()),
            elapsed: started.elapsed(),
        }
    }

    /// Invokes `name` with a JSON event.
    pub async fn invoke_json(&self, name: &str, event: &Value) -> Invocation {
        self.invoke(name, &serde_json::to_vec(event).unwrap()).await
    }

    /// Everything the function's processes wrote to stdout and stderr so far.
    pub async fn logs(&self, name: &str) -> String {
        let (status, _, body) = self
            .request("GET", &format!("/_testbed/functions/{name}/logs"), &[], &[])
            .await;
        assert_eq!(status, 200, "logs of {name}");
        String::from_utf8(body).expect("logs are UTF-8")
    }

    /// The function's logs once every one of `expected` is in them, or after 5 s (the host reads
    /// an instance's output on its own thread, so a line can arrive after the answer it belongs
    /// to): the caller's assertions then name what is missing.
    pub async fn logs_holding(&self, name: &str, expected: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let logs = self.logs(name).await;
            if Instant::now() >= deadline || expected.iter().all(|line| logs.contains(line)) {
                return logs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, BTreeMap<String, String>, Vec<u8>) {
        http(&self.url, method, path, headers, body).await
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`): status, lower-cased
/// headers, body. The body is sent as `application/json` unless `headers` name a Content-Type.
pub async fn http(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    let authority = base_url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("{base_url}: only http:// URLs"))
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority)
        .await
        .unwrap_or_else(|e| panic!("connect {authority}: {e}"));
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("write request");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in answer: {}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("status line");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some(length) = headers
        .get("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        body.truncate(length);
    }
    (status, headers, body)
}

/// The trigger's environment for an old pool in moto: dummy credentials, the endpoint, no
/// metadata probing; `extra` adds or overrides variables.
pub fn trigger_env(
    testbed: &Testbed,
    pool_id: &str,
    client_id: &str,
    extra: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = crate::testbed::aws_env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    env.insert("AWS_ENDPOINT_URL".into(), testbed.moto_url.clone());
    env.insert("OLD_USER_POOL_ID".into(), pool_id.into());
    env.insert("OLD_CLIENT_ID".into(), client_id.into());
    for (name, value) in extra {
        env.insert(name.to_string(), value.to_string());
    }
    env
}

/// A `UserMigration_Authentication` event as Cognito sends it (version 1, every response field
/// `null`).
pub fn sign_in_event(user_name: &str, password: &str) -> Value {
    json!({
        "version": "1",
        "triggerSource": "UserMigration_Authentication",
        "region": "us-east-1",
        "userPoolId": "us-east-1_NewPool1",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newpoolclient0000000000001"},
        "request": {"password": password, "validationData": null, "clientMetadata": null},
        "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                     "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
    })
}

/// A `UserMigration_ForgotPassword` event as Cognito sends it (no password).
pub fn forgot_password_event(user_name: &str) -> Value {
    json!({
        "version": "1",
        "triggerSource": "UserMigration_ForgotPassword",
        "region": "us-east-1",
        "userPoolId": "us-east-1_NewPool1",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newpoolclient0000000000001"},
        "request": {"clientMetadata": null},
        "response": {"userAttributes": null, "finalUserStatus": null, "messageAction": null,
                     "desiredDeliveryMediums": null, "forceAliasCreation": null, "enableSMSMFA": null}
    })
}
