//! `cognito-migrate-trigger`: wires the trigger up and hands it to the Lambda runtime.
//!
//! Order: logging first, configuration read and checked once, one SDK client, then `run`. A
//! configuration that cannot work is logged once and returned as the error of every invocation
//! (type `ConfigurationError`; the log line names the variable), so it shows wherever the function is watched.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use trigger::config::Config;
use trigger::handler::{self, Trigger, TriggerError};
use trigger::logging::UserRefKey;
use trigger::{clients, logging};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let started = std::time::Instant::now();
    logging::init(std::env::var("LOG_LEVEL").ok().as_deref());
    let trigger = match start().await {
        Ok(trigger) => trigger,
        Err(error) => {
            tracing::error!(outcome = "configuration-error", error = %error, "the trigger cannot start");
            let message = error.to_string();
            return lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
                let error = handler::unconfigured(&event.context, &message);
                async move { Err::<Value, TriggerError>(error) }
            }))
            .await;
        }
    };
    tracing::info!(
        init_us = started.elapsed().as_micros() as u64,
        "trigger ready"
    );
    let trigger = &trigger;
    lambda_runtime::run(service_fn(move |event| trigger.handle(event))).await
}

async fn start() -> Result<Trigger<trigger::old_pool::SdkOldPool>, trigger::config::ConfigError> {
    let config = Config::from_env()?;
    let sdk = clients::sdk_config(&config).await;
    let old_pool = clients::old_pool(&config, &sdk).await?;
    let user_ref_key = UserRefKey::choose(config.user_ref_key.as_ref(), old_pool.client_secret());
    let trigger =
        Trigger::new(old_pool, config.mapping, config.options).with_user_ref_key(user_ref_key);
    Ok(if config.alias_lookup {
        trigger
    } else {
        trigger.without_alias_lookup()
    })
}
