//! The new pool as `links` changes it: a proven user's links, a profile for a federated user, a
//! link. Each call through the run's pacer; refusals AWS documents come
//! back as values, everything else as an error that names the call and the fix.

use std::collections::BTreeMap;

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{MessageActionType, ProviderUserIdentifierType};
use shared::linked_identities::{self, IDENTITIES, LinkedIdentity};

use crate::errors::explain;
use crate::pool_args::PoolRef;

/// `AdminLinkProviderForUser`'s `ProviderName` for a user of the pool itself. AWS (API reference,
/// `DestinationUser`): "The ProviderName should be set to Cognito for users in Cognito user
/// pools."
const COGNITO_PROVIDER: &str = "Cognito";

/// The provider attribute that names a federated identity by its subject. AWS (API reference,
/// `SourceUser`): "If the SourceUser is using a provider attribute name other than
/// Cognito_Subject, …"; with `Cognito_Subject` the value is the user's id at the provider.
const SUBJECT: &str = "Cognito_Subject";

/// The new pool, as `links` addresses it.
pub struct NewPool<'a> {
    /// The pool, as requests reach it.
    pub pool: PoolRef<'a>,
}

/// What AWS refused, in its own words (code and message; never a value of the user's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The error code, e.g. `AliasExistsException`.
    pub code: String,
    /// Cognito's message.
    pub message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

/// Codes AWS documents for a link or profile it will not make (as opposed to a fault of the
/// run): the user is reported and the run goes on.
const REFUSALS: [&str; 4] = [
    "AliasExistsException",
    "InvalidParameterException",
    "UsernameExistsException",
    "LimitExceededException",
];

impl NewPool<'_> {
    /// The identities a user is linked with now.
    pub async fn identities_of(&self, username: &str) -> anyhow::Result<Vec<LinkedIdentity>> {
        let user = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_get_user()
                    .user_pool_id(self.pool.pool_id)
                    .username(username)
                    .send()
            })
            .await
            .map_err(|err| explain("AdminGetUser", self.pool.pool_id, err))?;
        let value = user
            .user_attributes()
            .iter()
            .find(|a| a.name() == IDENTITIES)
            .and_then(|a| a.value());
        linked_identities::parse(value).map_err(|problem| {
            anyhow::anyhow!("user {username} of {}: {problem}", self.pool.pool_id)
        })
    }

    /// Creates a profile (no message is sent; its temporary password is never told), returning
    /// its canonical `Username`.
    pub async fn create_profile(
        &self,
        username: &str,
        attributes: &BTreeMap<String, String>,
    ) -> anyhow::Result<Result<String, Refused>> {
        let attributes = shared::from_sdk::sdk_attributes(attributes);
        let created = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_create_user()
                    .user_pool_id(self.pool.pool_id)
                    .username(username)
                    .set_user_attributes(Some(attributes.clone()))
                    .message_action(MessageActionType::Suppress)
                    .send()
            })
            .await;
        match created {
            Ok(output) => Ok(Ok(output
                .user()
                .and_then(|u| u.username())
                .unwrap_or(username)
                .to_string())),
            Err(err) => refusal_or_error(err, "AdminCreateUser", self.pool.pool_id),
        }
    }

    /// Disables a profile (before anything links to it).
    pub async fn disable(&self, username: &str) -> anyhow::Result<()> {
        self.pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_disable_user()
                    .user_pool_id(self.pool.pool_id)
                    .username(username)
                    .send()
            })
            .await
            .map(|_| ())
            .map_err(|err| explain("AdminDisableUser", self.pool.pool_id, err))
    }

    /// Links `identity` to the user `username`.
    pub async fn link(
        &self,
        username: &str,
        identity: &LinkedIdentity,
    ) -> anyhow::Result<Result<(), Refused>> {
        let destination = ProviderUserIdentifierType::builder()
            .provider_name(COGNITO_PROVIDER)
            .provider_attribute_value(username)
            .build();
        let source = ProviderUserIdentifierType::builder()
            .provider_name(&identity.provider_name)
            .provider_attribute_name(SUBJECT)
            .provider_attribute_value(&identity.user_id)
            .build();
        let linked = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_link_provider_for_user()
                    .user_pool_id(self.pool.pool_id)
                    .destination_user(destination.clone())
                    .source_user(source.clone())
                    .send()
            })
            .await;
        match linked {
            Ok(_) => Ok(Ok(())),
            Err(err) => refusal_or_error(err, "AdminLinkProviderForUser", self.pool.pool_id),
        }
    }
}

/// A refusal AWS documents as a value, anything else as the explained error.
fn refusal_or_error<T, E>(
    err: aws_sdk_cognitoidentityprovider::error::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
    operation: &str,
    pool_id: &str,
) -> anyhow::Result<Result<T, Refused>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err.code() {
        Some(code) if REFUSALS.contains(&code) => Ok(Err(Refused {
            code: code.to_string(),
            message: err.message().unwrap_or_default().to_string(),
        })),
        _ => Err(explain(operation, pool_id, err)),
    }
}
