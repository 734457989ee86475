//! `cognito-migrate-trigger`: wires the trigger up and hands it to the Lambda runtime.
//!
//! Order: logging first, configuration read and checked once, one SDK client, then `run`. A
//! configuration that cannot work is logged once and returned as the error of every invocation
//! (type `ConfigurationError`, naming the variable), so it shows wherever the function is watched.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use trigger::config::Config;
use trigger::handler::{Trigger, TriggerError};
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
            return lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| {
                let message = message.clone();
                async move { Err::<Value, _>(TriggerError::Config(message)) }
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
    let trigger = Trigger::new(old_pool, config.mapping, config.options);
    Ok(if config.alias_lookup {
        trigger
    } else {
        trigger.without_alias_lookup()
    })
}
