//! Building the AWS clients at cold start: the old pool's Cognito client (its region, an
//! assumed role for another account, the time budget and retries) and the one-off read of the
//! client secret from Secrets Manager.
//!
//! Why these retry and timeout settings: Cognito waits 5 seconds for the trigger, and a sign-in
//! takes two or three old-pool calls. Each call gets at most two attempts within
//! `OLD_POOL_TIMEOUT_MS` (default 2 s; 1.2 s per attempt), so a slow or unreachable old pool
//! ends in a clear Lambda error inside the budget instead of a Cognito-side timeout.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use shared::Secret;

use crate::config::{ClientSecretSource, Config, ConfigError, secret_region};
use crate::migrated_event::SdkEventBus;
use crate::new_pool::SdkNewPool;
use crate::old_pool::SdkOldPool;

/// The shared SDK configuration (region, credentials, endpoint from the environment) with the
/// trigger's time budget and retry policy.
pub async fn sdk_config(config: &Config) -> SdkConfig {
    let attempt = config.attempt_timeout();
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(attempt.min(Duration::from_millis(1000)))
                .operation_attempt_timeout(attempt)
                .operation_timeout(config.call_timeout)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(50))
                .with_max_backoff(Duration::from_millis(200)),
        )
        .load()
        .await
}

/// The old pool, ready to ask: its client (in its region, through the assumed role when one is
/// configured) and the app client's secret.
pub async fn old_pool(config: &Config, sdk: &SdkConfig) -> Result<SdkOldPool, ConfigError> {
    let mut builder = aws_sdk_cognitoidentityprovider::config::Builder::from(sdk);
    if let Some(region) = &config.old_region {
        builder = builder.region(Region::new(region.clone()));
    }
    if let Some(role) = &config.assume_role {
        let mut provider = AssumeRoleProvider::builder(role.role_arn.clone())
            .session_name("cognito-migrate-trigger");
        if let Some(external_id) = &role.external_id {
            provider = provider.external_id(external_id.clone());
        }
        builder = builder.credentials_provider(provider.configure(sdk).build().await);
    }
    let client = aws_sdk_cognitoidentityprovider::Client::from_conf(builder.build());
    let secret = client_secret(&config.client_secret, sdk).await?;
    Ok(SdkOldPool::new(
        client,
        config.old_pool_id.clone(),
        config.old_client_id.clone(),
        secret,
    ))
}

/// The new pool (the one whose triggers call the function): the function's own region and
/// credentials, the same time budget and retries.
pub fn new_pool(sdk: &SdkConfig) -> SdkNewPool {
    SdkNewPool::new(aws_sdk_cognitoidentityprovider::Client::new(sdk))
}

/// The event bus of the "user migrated" events (`MIGRATED_EVENT_BUS`): the function's own region
/// and credentials, the same time budget and retries (the companion bounds each put further).
pub fn event_bus(sdk: &SdkConfig, bus: String) -> SdkEventBus {
    SdkEventBus::new(aws_sdk_eventbridge::Client::new(sdk), bus)
}

/// Reads the app client's secret from where the configuration says it is.
async fn client_secret(
    source: &ClientSecretSource,
    sdk: &SdkConfig,
) -> Result<Option<Secret>, ConfigError> {
    let (arn, json_key) = match source {
        ClientSecretSource::None => return Ok(None),
        ClientSecretSource::Inline(secret) => return Ok(Some(secret.clone())),
        ClientSecretSource::SecretsManager { arn, json_key } => (arn, json_key),
    };
    let failed = |problem: String| ConfigError::Secret {
        arn: arn.clone(),
        problem,
    };
    let mut builder = aws_sdk_secretsmanager::config::Builder::from(sdk);
    if let Some(region) = secret_region(arn) {
        builder = builder.region(Region::new(region.to_string()));
    }
    let client = aws_sdk_secretsmanager::Client::from_conf(builder.build());
    let output = client.get_secret_value().secret_id(arn).send().await.map_err(|error| {
        failed(format!(
            "cannot read it ({}); the function's role needs secretsmanager:GetSecretValue on it: {}",
            error.code().unwrap_or("no error code"),
            shared::error_text::causes(&error)
        ))
    })?;
    let text = output.secret_string().ok_or_else(|| {
        failed("has no SecretString (binary secrets are not supported)".to_string())
    })?;
    secret_from_text(text, json_key).map(Some).map_err(failed)
}

/// The client secret from a secret's text: a JSON object's `json_key` field, or the whole text.
/// Errors never quote the text.
pub fn secret_from_text(text: &str, json_key: &str) -> Result<Secret, String> {
    let value = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) => match fields.get(json_key) {
            Some(serde_json::Value::String(value)) => value.trim().to_string(),
            _ => {
                return Err(format!(
                    "is a JSON object without a string field {json_key} (set OLD_CLIENT_SECRET_KEY)"
                ));
            }
        },
        _ => text.trim().to_string(),
    };
    if value.is_empty() {
        return Err("is empty".to_string());
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_text_plain_or_json() {
        assert_eq!(
            secret_from_text(" abc \n", "client_secret")
                .unwrap()
                .expose(),
            "abc"
        );
        assert_eq!(
            secret_from_text(r#"{"client_secret":"abc","other":"x"}"#, "client_secret")
                .unwrap()
                .expose(),
            "abc"
        );
        assert_eq!(
            secret_from_text(r#"{"old":"abc"}"#, "old")
                .unwrap()
                .expose(),
            "abc"
        );
        let err = secret_from_text(r#"{"other":"hunter2"}"#, "client_secret").unwrap_err();
        assert!(
            err.contains("client_secret") && !err.contains("hunter2"),
            "{err}"
        );
        assert!(secret_from_text("  ", "client_secret").is_err());
    }
}
