//! Structured JSON logs: one line per invocation with its reason code, and nothing that can hold
//! a password, a client secret, a token or the event.
//!
//! Why the typed user name is not logged as such: people type passwords into the user-name
//! field. It is logged as `user_ref`, a short SHA-256 digest that lets an operator match the
//! lines of one user (hash the name they are asked about) without storing what was typed. The
//! old user name is logged only once a user is migrated, when it is known to be a user name.
//!
//! Why the filter is fixed rather than read from `RUST_LOG`: `lambda_runtime` logs the raw event
//! (with the password) at TRACE, and the SDK logs requests at DEBUG/TRACE. Only this crate's
//! level can be raised (`LOG_LEVEL`, at most `debug`); everything else stays at `warn`.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tracing_subscriber::EnvFilter;

use crate::decide::Reason;
use crate::event::TriggerSource;
use crate::old_pool::OldPoolError;

/// Starts the JSON subscriber on stdout (CloudWatch reads stdout). `level` is this crate's
/// level: `error`, `warn`, `info` (default) or `debug`; anything else, `trace` included, reads
/// as `info`.
pub fn init(level: Option<&str>) {
    let level = match level.map(str::to_ascii_lowercase).as_deref() {
        Some(level @ ("error" | "warn" | "info" | "debug")) => level.to_string(),
        _ => "info".to_string(),
    };
    let filter = EnvFilter::new(format!(
        "warn,trigger={level},cognito_migrate_trigger={level}"
    ));
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
}

/// A short stable digest of what was typed as the user name (first 12 hex digits of SHA-256).
pub fn user_ref(typed: &str) -> String {
    Sha256::digest(typed.as_bytes())
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Logs the outcome of one invocation: `elapsed` since the event arrived, `old_pool` of it spent
/// waiting for the old pool (their difference is the trigger's own cost).
pub fn outcome(
    request_id: &str,
    trigger_source: Option<TriggerSource>,
    user_ref: Option<&str>,
    reason: &Reason,
    migrated_as: Option<&str>,
    elapsed: Duration,
    old_pool: Duration,
) {
    let detail = match reason {
        Reason::MappingRejected(code) => Some(*code),
        _ => None,
    };
    tracing::info!(
        outcome = reason.code(),
        detail,
        request_id,
        trigger_source = trigger_source.map(TriggerSource::as_str),
        user_ref,
        old_username = migrated_as,
        duration_us = elapsed.as_micros() as u64,
        old_pool_us = old_pool.as_micros() as u64,
        "user migration answered"
    );
}

/// Logs an infrastructure fault that is returned as a Lambda error.
pub fn fault(
    request_id: &str,
    trigger_source: TriggerSource,
    user_ref: &str,
    error: &OldPoolError,
    elapsed: Duration,
) {
    tracing::error!(
        outcome = fault_code(error),
        request_id,
        trigger_source = trigger_source.as_str(),
        user_ref,
        error = %error,
        duration_us = elapsed.as_micros() as u64,
        "old pool fault, answered with an error"
    );
}

/// The reason code of a fault.
pub fn fault_code(error: &OldPoolError) -> &'static str {
    match error {
        OldPoolError::Timeout { .. } => "old-pool-timeout",
        OldPoolError::Throttled { .. } => "old-pool-throttled",
        OldPoolError::Unavailable { .. } => "old-pool-unavailable",
        OldPoolError::Misconfigured { .. } => "old-pool-misconfigured",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ref_is_short_stable_and_not_the_name() {
        let r = user_ref("alice");
        assert_eq!(r, user_ref("alice"));
        assert_eq!(r.len(), 12);
        assert_ne!(r, user_ref("alice2"));
        assert!(!r.contains("alice"));
        // SHA-256("alice") starts 2bd806c97f0e00af...
        assert_eq!(r, "2bd806c97f0e");
    }
}
