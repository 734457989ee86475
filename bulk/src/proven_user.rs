//! Who in the new pool answers to a name, and whether that user is proven to be a given old user
//! (`shared::identity`): the one lookup behind every grant the bulk commands make (`groups`'
//! memberships and disables, `import`'s disabled users).

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use shared::identity::{Identity, identify};

use crate::errors::explain;
use crate::pacer::Pacer;

/// The new pool, as the lookup needs it.
pub struct NewPoolUsers<'a> {
    /// Its client.
    pub client: &'a Client,
    /// The run's pacer.
    pub pacer: &'a Pacer,
    /// Its id.
    pub pool_id: &'a str,
    /// The attribute holding the old `sub` (`None`: the new pool keeps none, nobody is proven).
    pub legacy_id_attribute: Option<&'a str>,
}

/// A new-pool user who answers to a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answering {
    /// Its canonical `Username`: the only name a grant is addressed to.
    pub username: String,
    /// Whether it is the old user.
    pub identity: Identity,
}

impl NewPoolUsers<'_> {
    /// `AdminGetUser(name)` — which Cognito resolves through aliases, e-mail or phone sign-in and
    /// letter case — and whether the user found carries `old_sub` as its legacy id. `None` when
    /// nobody answers to the name (or the pool's shape refuses it as a name).
    pub async fn answering_to(
        &self,
        name: &str,
        old_sub: &str,
    ) -> anyhow::Result<Option<Answering>> {
        let answer = self
            .pacer
            .call(|| {
                self.client
                    .admin_get_user()
                    .user_pool_id(self.pool_id)
                    .username(name)
                    .send()
            })
            .await;
        let user = match answer {
            Ok(user) => user,
            Err(err)
                if matches!(
                    err.code(),
                    Some("UserNotFoundException" | "InvalidParameterException")
                ) =>
            {
                return Ok(None);
            }
            Err(err) => return Err(explain("AdminGetUser", self.pool_id, err)),
        };
        let legacy = self.legacy_id_attribute.and_then(|attribute| {
            user.user_attributes()
                .iter()
                .find(|a| a.name() == attribute)
                .and_then(|a| a.value())
        });
        Ok(Some(Answering {
            username: user.username().to_string(),
            identity: identify(legacy, old_sub),
        }))
    }
}
