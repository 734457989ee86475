//! A user's links to external identity providers: the `identities` attribute Cognito keeps on a
//! federated user (status `EXTERNAL_PROVIDER`) and on a native user linked with
//! `AdminLinkProviderForUser`, read into what a link is made from.
//!
//! The attribute is a JSON array Cognito writes itself (never an app: `identities` is never
//! writable, [`crate::attributes::NEVER_WRITABLE`]), one object per identity, e.g.
//! `[{"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,
//! "primary":true,"dateCreated":1699999999999}]`. Only `providerName` and `userId` make a link
//! (AWS, `AdminLinkProviderForUser`: the `SourceUser` is the provider's name and, with
//! `ProviderAttributeName` `Cognito_Subject`, the user's id at that provider); the other fields
//! are read when present and otherwise ignored.

use serde::Deserialize;

/// The attribute that holds a user's links.
pub const IDENTITIES: &str = "identities";

/// At most this many external identities can be linked to one user. AWS
/// (`AdminLinkProviderForUser`, API reference): "The maximum number of federated identities
/// linked to a user is five."
pub const MAX_LINKS_PER_USER: usize = 5;

/// One external identity a user is linked with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct LinkedIdentity {
    /// The identity provider's name in the pool (`Google`, `SignInWithApple`, a SAML or OIDC
    /// provider's chosen name).
    #[serde(rename = "providerName")]
    pub provider_name: String,
    /// The user's id at that provider (its subject).
    #[serde(rename = "userId")]
    pub user_id: String,
}

/// The identities of an `identities` value; an empty or absent value has none.
pub fn parse(value: Option<&str>) -> Result<Vec<LinkedIdentity>, String> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut identities: Vec<LinkedIdentity> = serde_json::from_str(text)
        .map_err(|err| format!("the identities attribute is not Cognito's JSON array: {err}"))?;
    identities.sort();
    identities.dedup();
    if let Some(blank) = identities
        .iter()
        .find(|i| i.provider_name.is_empty() || i.user_id.is_empty())
    {
        return Err(format!(
            "the identities attribute has an entry without a provider name or user id: {blank:?}"
        ));
    }
    Ok(identities)
}

/// The identities as one comparable value, `provider:userId` sorted and space-separated (what
/// `verify` compares: Cognito's array also holds dates and flags that differ between pools).
pub fn comparable(identities: &[LinkedIdentity]) -> String {
    let mut parts: Vec<String> = identities
        .iter()
        .map(|i| format!("{}:{}", i.provider_name, i.user_id))
        .collect();
    parts.sort();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(provider: &str, user: &str) -> LinkedIdentity {
        LinkedIdentity {
            provider_name: provider.to_string(),
            user_id: user.to_string(),
        }
    }

    #[test]
    fn cognitos_array_is_read_sorted_and_without_duplicates() {
        let value = r#"[{"userId":"9","providerName":"MySAML","providerType":"SAML","issuer":"urn:x","primary":false,"dateCreated":1},
                        {"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1699999999999},
                        {"userId":"1234","providerName":"Google","providerType":"Google","issuer":null,"primary":true,"dateCreated":1699999999999}]"#;
        assert_eq!(
            parse(Some(value)).unwrap(),
            [identity("Google", "1234"), identity("MySAML", "9")]
        );
    }

    #[test]
    fn the_comparable_value_ignores_order_dates_and_flags() {
        let a = parse(Some(r#"[{"userId":"9","providerName":"Corp","dateCreated":1},{"userId":"1","providerName":"Google"}]"#)).unwrap();
        let b = parse(Some(r#"[{"userId":"1","providerName":"Google","primary":true},{"userId":"9","providerName":"Corp","dateCreated":2}]"#)).unwrap();
        assert_eq!(comparable(&a), "Corp:9 Google:1");
        assert_eq!(comparable(&a), comparable(&b));
    }

    #[test]
    fn no_value_is_no_identity_and_junk_is_named() {
        assert_eq!(parse(None).unwrap(), []);
        assert_eq!(parse(Some("  ")).unwrap(), []);
        assert!(parse(Some("[]")).unwrap().is_empty());
        let err = parse(Some("Google_1234")).unwrap_err();
        assert!(
            err.starts_with("the identities attribute is not Cognito's JSON array"),
            "{err}"
        );
        let err = parse(Some(r#"[{"userId":"","providerName":"Google"}]"#)).unwrap_err();
        assert!(err.contains("without a provider name or user id"), "{err}");
    }
}
