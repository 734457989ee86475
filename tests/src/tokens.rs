//! Reading the tokens a pool issues: a JWT's claims, and the groups an ID token carries.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

/// The payload of a JWT (its middle part, base64url without padding), as JSON.
pub fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has three parts");
    let bytes = URL_SAFE_NO_PAD.decode(payload).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON payload")
}

/// The `cognito:groups` claim of a token, sorted (empty when absent).
pub fn groups_claim(token: &str) -> Vec<String> {
    let mut groups: Vec<String> = claims(token)["cognito:groups"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    groups.sort();
    groups
}
