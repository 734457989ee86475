//! The function in the Lambda runtime: cold start (configuration, clients, the jobs) and the
//! runtime loop that hands every event to the one [`Dispatcher`].

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

use crate::clients;
use crate::companion_config::CompanionConfig;
use crate::config::{Config, ConfigError};
use crate::dispatch::{Dispatcher, unconfigured};
use crate::handler::Trigger;
use crate::logging::{self, Line, UserRefKey};
use crate::migrated_event::SdkEventBus;
use crate::new_pool::SdkNewPool;
use crate::old_directory::{CaseFolding, WindowOldPool};
use crate::old_pool::SdkOldPool;
use crate::sign_up::SignUpGuard;
use crate::token_groups::TokenGroups;

/// Runs the function in the Lambda runtime until it stops: logging first, the configuration read
/// and checked once, the SDK clients, then one `Dispatcher` answering every event. A
/// configuration that cannot work is logged once and returned as the error of every invocation
/// (type `ConfigurationError`; the log line with the request id names the variable), so it shows
/// wherever the function is watched; people read a fixed sentence (`dispatch::unconfigured`).
pub async fn run() -> Result<(), Error> {
    let started = std::time::Instant::now();
    logging::init(std::env::var("LOG_LEVEL").ok().as_deref());
    let dispatcher = match start().await {
        Ok(dispatcher) => dispatcher,
        Err(error) => {
            Line {
                outcome: "configuration-error",
                error: Some(error.to_string()),
                ..Line::default()
            }
            .error("the trigger cannot start");
            let message = error.to_string();
            return lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
                let error = unconfigured(&event, &message);
                async move { Err::<Value, _>(error) }
            }))
            .await;
        }
    };
    Line {
        init: Some(started.elapsed()),
        ..Line::default()
    }
    .info("trigger ready");
    let dispatcher = &dispatcher;
    lambda_runtime::run(service_fn(move |event| dispatcher.handle(event))).await
}

/// The old pool every job asks: the SDK behind the window's rules (one `ListUsers` bucket for
/// the instance, typed e-mails and phones resolved through verified values).
type OldPoolAsked = WindowOldPool<SdkOldPool>;

async fn start()
-> Result<Dispatcher<OldPoolAsked, OldPoolAsked, SdkNewPool, SdkEventBus>, ConfigError> {
    let config = Config::from_env()?;
    let companions = CompanionConfig::from_env()?;
    let sdk = clients::sdk_config(&config).await;
    let old_pool = clients::old_pool(&config, &sdk).await?;
    let new_pool = clients::new_pool(&sdk);
    let tenant = config.options.tenant.clone();
    let user_ref_key = UserRefKey::choose(config.user_ref_key.as_ref(), old_pool.client_secret());
    let mut old_pool =
        WindowOldPool::new(old_pool, config.new_pool_sign_in, config.list_users_rate);
    if let Some(index) = &config.case_index {
        old_pool = old_pool.with_case_folding(CaseFolding::new(index.clone()));
    }
    let sign_up = SignUpGuard::new(old_pool.clone(), tenant.clone())
        .with_sign_in(config.new_pool_sign_in)
        .with_user_ref_key(user_ref_key.clone());
    let token_groups = TokenGroups::new(
        old_pool.clone(),
        new_pool,
        config.mapping.legacy_sub_attribute.clone(),
        companions.marker_group,
        tenant,
    )
    .with_new_pool_id(companions.new_pool_id)
    .with_migrated_events(
        companions
            .migrated_event_bus
            .map(|bus| clients::event_bus(&sdk, bus)),
    )
    .with_user_ref_key(user_ref_key.clone());
    let migration =
        Trigger::new(old_pool, config.mapping, config.options).with_user_ref_key(user_ref_key);
    let migration = if config.alias_lookup {
        migration
    } else {
        migration.without_alias_lookup()
    };
    Ok(Dispatcher::new(migration, sign_up, token_groups))
}
