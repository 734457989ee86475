//! Where the emulators are and how to reach them.

use std::path::PathBuf;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{Credentials, Region};

/// The running test bed, read from the `TESTBED_*` environment variables.
#[derive(Debug, Clone)]
pub struct Testbed {
    /// moto's server with the project's import-job extension (the old pool, and new pools for
    /// export/import tests).
    pub moto_url: String,
}

/// The value of the test bed's variable `name`; panics saying how to start the test bed when it
/// is not set (a plain `cargo test` without the emulators).
pub(crate) fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the emulators are not running. Run scripts/test, or \
             scripts/testbed start && . .testbed/env before cargo test"
        )
    })
}

impl Testbed {
    /// Reads the test bed's addresses; panics with what to run when it is not started.
    pub fn from_env() -> Testbed {
        Testbed {
            moto_url: required_env("TESTBED_MOTO_URL"),
        }
    }

    /// A Cognito client for moto.
    pub async fn moto_client(&self) -> Client {
        client_for(&self.moto_url).await
    }
}

/// A Cognito client for a local endpoint with dummy credentials; never probes the network for
/// region or credentials.
pub async fn client_for(endpoint: &str) -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "testing", "testing", None, None, "testbed",
        ))
        .endpoint_url(endpoint)
        .load()
        .await;
    Client::new(&config)
}

/// The path of a binary built by `cargo build --workspace --bins`, found next to the running
/// test (or demo) executable.
///
/// Tests never build binaries themselves: the test command builds them once beforehand.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("executable path");
    let mut dir = exe.parent().expect("executable has a folder");
    // Test executables live in target/<profile>/deps, binaries in target/<profile>.
    if dir.ends_with("deps") {
        dir = dir.parent().expect("deps has a parent");
    }
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first with cargo build --workspace --bins",
        path.display()
    );
    path
}

/// Environment for a child process that talks to the test bed: dummy credentials, no metadata
/// probing, the region the emulators use.
pub fn aws_env() -> Vec<(&'static str, String)> {
    vec![
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
    ]
}

/// `ForgotPassword` for `username` on `client_id`, over HTTP, and the reset code the test bed
/// "sent": moto's test-only answer header `x-moto-forgot-password-confirmation-code` (AWS sends
/// the code by e-mail or SMS). The test bed accepts only this code, once, in
/// `ConfirmForgotPassword` (tests/emulator/README.md); panics when no code was sent (an unknown
/// user, or one without a verified contact).
pub async fn forgot_password_code(moto_url: &str, client_id: &str, username: &str) -> String {
    let body = serde_json::json!({ "ClientId": client_id, "Username": username }).to_string();
    let (status, headers, answer) = crate::lambda::http(
        moto_url,
        "POST",
        "/",
        &[
            (
                "X-Amz-Target",
                "AWSCognitoIdentityProviderService.ForgotPassword",
            ),
            ("Content-Type", "application/x-amz-json-1.1"),
        ],
        body.as_bytes(),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status, 200, "ForgotPassword {username}: {answer}");
    headers
        .get("x-moto-forgot-password-confirmation-code")
        .filter(|code| !code.is_empty() && code.as_str() != "None")
        .unwrap_or_else(|| panic!("ForgotPassword {username} sent no code: {answer}"))
        .clone()
}
