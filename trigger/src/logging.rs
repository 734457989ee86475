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

/// One log line: every job writes every line through this, so the lines share their field names
/// (`outcome`, `request_id`, `trigger_source`, `user_ref`, `duration_us`, …) and none can carry
/// a password, a client secret, a token or the event: only codes, counts, the keyed `user_ref`,
/// a user name once it is known to be one, and error texts written for operators. A field left
/// `None` is not written.
#[derive(Debug, Default)]
pub(crate) struct Line<'a> {
    /// The reason code (empty for a line without one, such as the cold start's).
    pub(crate) outcome: &'a str,
    /// The Lambda request id (none at cold start).
    pub(crate) request_id: Option<&'a str>,
    /// The event's `triggerSource`, once it is read.
    pub(crate) trigger_source: Option<&'a str>,
    /// The keyed digest of what was typed as the user name ([`UserRefKey::user_ref`]).
    pub(crate) user_ref: Option<String>,
    /// Time since the event arrived (`duration_us`).
    pub(crate) duration: Option<Duration>,
    /// Of it, time spent waiting for the old pool (`old_pool_us`).
    pub(crate) old_pool: Option<Duration>,
    /// A finer code beside the outcome (the mapping's refusal).
    pub(crate) detail: Option<&'a str>,
    /// Which identifier of a sign-up an old user holds.
    pub(crate) held: Option<&'a str>,
    /// The old user name of a migrated user.
    pub(crate) old_username: Option<&'a str>,
    /// A pool the configuration does not know.
    pub(crate) pool: Option<&'a str>,
    /// The old-pool operation a line is about.
    pub(crate) operation: Option<&'a str>,
    /// Time the cold start took (`init_us`).
    pub(crate) init: Option<Duration>,
    /// Group memberships a token wrote.
    pub(crate) memberships_written: Option<usize>,
    /// Memberships written before the budget ended (`written` of `of`).
    pub(crate) written: Option<usize>,
    /// Memberships due.
    pub(crate) of: Option<usize>,
    /// What became of the "user migrated" event.
    pub(crate) migrated_event: Option<&'a str>,
    /// What became of a proven user's e-mail MFA.
    pub(crate) email_mfa: Option<&'a str>,
    /// What failed and what to check.
    pub(crate) error: Option<String>,
}

/// Writes `$line` at `$level` with `$message`; one field list for every level.
macro_rules! emit {
    ($level:ident, $line:expr, $message:expr) => {{
        let line = $line;
        tracing::$level!(
            outcome = (!line.outcome.is_empty()).then_some(line.outcome),
            detail = line.detail,
            held = line.held,
            request_id = line.request_id,
            trigger_source = line.trigger_source,
            user_ref = line.user_ref.as_deref(),
            old_username = line.old_username,
            pool = line.pool,
            operation = line.operation,
            memberships_written = line.memberships_written,
            written = line.written,
            of = line.of,
            migrated_event = line.migrated_event,
            email_mfa = line.email_mfa,
            error = line.error.as_deref(),
            duration_us = line.duration.map(|d| d.as_micros() as u64),
            old_pool_us = line.old_pool.map(|d| d.as_micros() as u64),
            init_us = line.init.map(|d| d.as_micros() as u64),
            "{}",
            $message
        )
    }};
}

impl Line<'_> {
    /// An answer as intended.
    pub(crate) fn info(&self, message: &str) {
        emit!(info, self, message);
    }

    /// Something the answer did without, to be looked at.
    pub(crate) fn warn(&self, message: &str) {
        emit!(warn, self, message);
    }

    /// A fault: a pool that could not be asked, or a configuration that cannot work.
    pub(crate) fn error(&self, message: &str) {
        emit!(error, self, message);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Where a test subscriber writes: one shared buffer.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_line_writes_the_fields_it_has_and_no_others() {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_target(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            Line {
                outcome: "malformed-event",
                request_id: Some("req-1"),
                duration: Some(Duration::from_micros(7)),
                old_pool: Some(Duration::ZERO),
                ..Line::default()
            }
            .info("user migration answered");
            Line {
                init: Some(Duration::from_micros(9)),
                ..Line::default()
            }
            .info("trigger ready");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        let fields = |line: &serde_json::Value| {
            let mut keys: Vec<String> = line.as_object().unwrap().keys().cloned().collect();
            keys.retain(|key| key != "timestamp");
            keys.sort();
            keys
        };
        assert_eq!(
            fields(&lines[0]),
            [
                "duration_us",
                "level",
                "message",
                "old_pool_us",
                "outcome",
                "request_id"
            ]
        );
        assert_eq!(lines[0]["outcome"], "malformed-event");
        assert_eq!(lines[0]["message"], "user migration answered");
        assert_eq!(fields(&lines[1]), ["init_us", "level", "message"]);
    }

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
