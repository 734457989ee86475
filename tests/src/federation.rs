//! Federated users on the test bed: identity providers, and a federated sign-in played the way
//! Cognito finishes one after the IdP answered (the test-only route
//! `POST /_testbed/federated-sign-in`, tests/emulator/README.md).
//!
//! The sign-in lands on the user linked to `(provider, subject)` (`AdminLinkProviderForUser`),
//! else on `<Provider>_<subject>` (status `EXTERNAL_PROVIDER`), created on first sign-in after the
//! pool's PreSignUp trigger (`PreSignUp_ExternalProvider`). The app client must list the provider
//! in `SupportedIdentityProviders`.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
use serde_json::{Value, json};

/// What the test bed's federated sign-in answered: the token endpoint's tokens, and who signed in.
#[derive(Debug, Clone)]
pub struct FederatedSignIn {
    pub id_token: String,
    pub access_token: String,
    pub refresh_token: String,
    /// The user the tokens are for (`cognito:username`): the linked user, or `<Provider>_<subject>`.
    pub username: String,
    /// Whether this sign-in created the `EXTERNAL_PROVIDER` user.
    pub created: bool,
}

/// Creates identity provider `name` of `provider_type` (`Google`, `Facebook`, `SignInWithApple`,
/// `LoginWithAmazon`, `OIDC`, `SAML`) in the pool, with `attribute_mapping` (user pool attribute →
/// IdP claim) and placeholder provider details of that type (a SAML provider gets metadata with
/// entityID `https://<name>.idp.example`, an OIDC one the issuer `https://<name>.idp.example`).
pub async fn create_identity_provider(
    client: &Client,
    pool_id: &str,
    name: &str,
    provider_type: &str,
    attribute_mapping: &[(&str, &str)],
) {
    let issuer = format!("https://{}.idp.example", name.to_ascii_lowercase());
    let details: Vec<(&str, String)> = match provider_type {
        "SAML" => vec![(
            "MetadataFile",
            format!(
                "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" \
                 entityID=\"{issuer}\"></EntityDescriptor>"
            ),
        )],
        "OIDC" => vec![
            ("client_id", "test-client".to_string()),
            ("client_secret", "test-secret".to_string()),
            ("attributes_request_method", "GET".to_string()),
            ("oidc_issuer", issuer),
            ("authorize_scopes", "openid email".to_string()),
        ],
        _ => vec![
            ("client_id", "test-client".to_string()),
            ("client_secret", "test-secret".to_string()),
            ("authorize_scopes", "email openid".to_string()),
        ],
    };
    let mut request = client
        .create_identity_provider()
        .user_pool_id(pool_id)
        .provider_name(name)
        .provider_type(IdentityProviderTypeType::from(provider_type));
    for (key, value) in details {
        request = request.provider_details(key, value);
    }
    for (pool_attribute, claim) in attribute_mapping {
        request = request.attribute_mapping(*pool_attribute, *claim);
    }
    request
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider {name} in {pool_id}: {e:?}"));
}

/// The federated sign-in of `subject` through `provider` on `client_id`, with the claims the IdP
/// sent (`attributes`, mapped by the provider's `AttributeMapping`); `Err((status, body))` when the
/// test bed refuses it (a Cognito-shaped error: `__type`, `message`).
pub async fn try_federated_sign_in(
    moto_url: &str,
    pool_id: &str,
    client_id: &str,
    provider: &str,
    subject: &str,
    attributes: &[(&str, &str)],
) -> Result<FederatedSignIn, (u16, String)> {
    let claims: serde_json::Map<String, Value> = attributes
        .iter()
        .map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string())))
        .collect();
    let body = json!({
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "ProviderName": provider,
        "Subject": subject,
        "Attributes": claims,
    })
    .to_string();
    let (status, _headers, answer) = crate::lambda::http(
        moto_url,
        "POST",
        "/_testbed/federated-sign-in",
        &[],
        body.as_bytes(),
    )
    .await;
    let text = String::from_utf8_lossy(&answer).to_string();
    if status != 200 {
        return Err((status, text));
    }
    let answer: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("federated sign-in answered no JSON ({e}): {text}"));
    let field = |name: &str| {
        answer[name]
            .as_str()
            .unwrap_or_else(|| panic!("federated sign-in answer lacks {name}: {text}"))
            .to_string()
    };
    Ok(FederatedSignIn {
        id_token: field("id_token"),
        access_token: field("access_token"),
        refresh_token: field("refresh_token"),
        username: answer["x_testbed"]["username"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        created: answer["x_testbed"]["created"].as_bool().unwrap_or(false),
    })
}

/// [`try_federated_sign_in`], panicking with the test bed's answer when it refuses.
pub async fn federated_sign_in(
    moto_url: &str,
    pool_id: &str,
    client_id: &str,
    provider: &str,
    subject: &str,
    attributes: &[(&str, &str)],
) -> FederatedSignIn {
    try_federated_sign_in(moto_url, pool_id, client_id, provider, subject, attributes)
        .await
        .unwrap_or_else(|(status, body)| {
            panic!("federated sign-in {provider}/{subject} refused: HTTP {status} {body}")
        })
}
