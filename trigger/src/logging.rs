//! Structured JSON logs: one line per invocation with its reason code, and nothing that can hold
//! a password, a client secret, a token or the event.
//!
//! Why the typed user name is not logged as such: people type passwords into the user-name
//! field. It is logged as `user_ref`, the first 12 hex digits of HMAC-SHA256 under a key the log
//! reader does not have ([`UserRefKey`]): an operator who holds the key can match the lines of one
//! user (compute the ref of the name they are asked about), while a plain digest could be
//! reversed offline by guessing what was typed. The old user name is logged only once a user is
//! migrated, when it is known to be a user name.
//!
//! Why the filter is fixed rather than read from `RUST_LOG`: `lambda_runtime` logs the raw event
//! (with the password) at TRACE, and the SDK logs requests at DEBUG/TRACE. Only this crate's
//! level can be raised (`LOG_LEVEL`, at most `debug`); everything else stays at `warn`.

use std::fmt;
use std::io::Read;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::Secret;
use tracing_subscriber::EnvFilter;

use crate::decide::Reason;
use crate::event::migration::TriggerSource;
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

/// The label the client secret is hashed with to derive the `user_ref` key from it, so the key
/// is not the secret itself.
pub const DERIVED_KEY_LABEL: &str = "cognito-migrate-trigger user_ref";

/// The key of the log's `user_ref`: `USER_REF_KEY`; else derived from the old app client's
/// secret (`HMAC-SHA256(client_secret, DERIVED_KEY_LABEL)`); else random for this process (refs
/// then match only within one Lambda instance).
#[derive(Clone)]
pub struct UserRefKey(Vec<u8>);

impl fmt::Debug for UserRefKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserRefKey([redacted])")
    }
}

impl UserRefKey {
    /// The configured key (`USER_REF_KEY`), used as given.
    pub fn new(key: &Secret) -> UserRefKey {
        UserRefKey(key.expose().as_bytes().to_vec())
    }

    /// A key derived from the old app client's secret.
    pub fn derived_from(client_secret: &Secret) -> UserRefKey {
        UserRefKey(hmac(client_secret.expose().as_bytes(), DERIVED_KEY_LABEL))
    }

    /// A random key for this process: 32 bytes from the operating system.
    pub fn random() -> UserRefKey {
        let mut bytes = vec![0u8; 32];
        let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
        if read.is_err() {
            // Without /dev/urandom: the per-process random SipHash keys of the standard library.
            use std::hash::BuildHasher;
            let state = std::collections::hash_map::RandomState::new();
            for (i, chunk) in bytes.chunks_mut(8).enumerate() {
                chunk.copy_from_slice(&state.hash_one(i).to_le_bytes());
            }
        }
        UserRefKey(bytes)
    }

    /// The key by the order above.
    pub fn choose(configured: Option<&Secret>, client_secret: Option<&Secret>) -> UserRefKey {
        match (configured, client_secret) {
            (Some(key), _) => UserRefKey::new(key),
            (None, Some(secret)) => UserRefKey::derived_from(secret),
            (None, None) => UserRefKey::random(),
        }
    }

    /// The `user_ref` of what was typed as the user name: the first 12 hex digits of
    /// HMAC-SHA256 under this key.
    pub fn user_ref(&self, typed: &str) -> String {
        hmac(&self.0, typed)
            .iter()
            .take(6)
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

fn hmac(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key).expect("HMAC-SHA256 accepts keys of any length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
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
    fn user_ref_is_a_keyed_digest_not_a_plain_one() {
        let key = UserRefKey::new(&Secret::new("key"));
        let r = key.user_ref("alice");
        assert_eq!(r, key.user_ref("alice"));
        assert_eq!(r.len(), 12);
        assert_ne!(r, key.user_ref("alice2"));
        // HMAC-SHA256(key "key", "alice"), computed with Python's hmac module.
        assert_eq!(r, "76fb55e929c0");
        // Not the unkeyed SHA-256("alice") (2bd806c97f0e...) anyone could compute.
        assert_ne!(r, "2bd806c97f0e");
        assert_ne!(
            UserRefKey::new(&Secret::new("other")).user_ref("alice"),
            r,
            "another key, another ref"
        );
    }

    #[test]
    fn the_key_is_configured_derived_or_random() {
        let secret = Secret::new("client-secret");
        let configured = Secret::new("key");
        assert_eq!(
            UserRefKey::choose(Some(&configured), Some(&secret)).user_ref("alice"),
            UserRefKey::new(&configured).user_ref("alice")
        );
        let derived = UserRefKey::choose(None, Some(&secret));
        assert_eq!(
            derived.user_ref("alice"),
            UserRefKey::derived_from(&secret).user_ref("alice")
        );
        assert_ne!(
            derived.user_ref("alice"),
            UserRefKey::new(&secret).user_ref("alice"),
            "the derived key is not the secret itself"
        );
        // Python: k = hmac(b"client-secret", b"cognito-migrate-trigger user_ref", sha256);
        // hmac(k, b"alice", sha256).hexdigest()[:12] (the README's openssl recipe agrees).
        assert_eq!(derived.user_ref("alice"), "71d729f90b7c");
        let random = UserRefKey::choose(None, None);
        assert_ne!(
            random.user_ref("alice"),
            UserRefKey::random().user_ref("alice")
        );
        assert_eq!(format!("{random:?}"), "UserRefKey([redacted])");
    }
}
