//! Cognito's `SECRET_HASH`: `Base64(HMAC_SHA256(client_secret, username + client_id))`.
//!
//! Required on every auth call when the app client has a secret. moto does not check it on admin
//! flows, so these known-answer tests are what proves it.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Secret;

/// Computes the `SECRET_HASH` for `username` signing in through `client_id` with `client_secret`.
pub fn secret_hash(username: &str, client_id: &str, client_secret: &Secret) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.expose().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed independently with Python's hmac/hashlib/base64:
    // base64.b64encode(hmac.new(secret, (user + client).encode(), hashlib.sha256).digest())
    #[test]
    fn known_vectors() {
        assert_eq!(
            secret_hash("alice", "client123", &Secret::new("secret")),
            "oKHO337pkuh1r3zUNCZ1oCL3YgM0Yi2nkcAZsKQTIH8="
        );
        assert_eq!(
            secret_hash(
                "user@example.com",
                "7nqd4vsmu4ms8tg53d3vcml9g",
                &Secret::new("1example23456789abcdefghijklmnopqrstuvwxyz0123456")
            ),
            "AGXnoNrVjjkOs0IzeGLnkoxS0oWQDoQgzbxSDhFEnDM="
        );
    }

    // RFC 4231 test case 2 (key "Jefe"), base64 of the published hex digest
    // 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843.
    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            secret_hash("what do ya want ", "for nothing?", &Secret::new("Jefe")),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
        );
    }
}
