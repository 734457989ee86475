//! Who in the new pool answers to a name, and whether that user is proven to be a given old user
//! (`shared::identity`): the one lookup behind every grant the bulk commands make (`groups`'
//! memberships and disables, `links`' identities, `import`'s disabled users).
//!
//! Proven takes both facts [`shared::identity`] names: the user carries the old `sub` as its
//! legacy id, and holds the name it was found by itself ([`shared::identity::holds_itself`]:
//! its user name, or its e-mail or phone verified in the new pool). The second is the token
//! companion's `same_person` for a lookup by name: where an app client may write the legacy id (a
//! pool nobody ran `preflight` on), someone who copied an old user's `sub` into their own
//! profile and set that user's name as their `preferred_username` answers to the name, but does
//! not hold it, and gets nothing.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use shared::SourceUser;
use shared::identity::{Identity, holds_itself, identify};

use crate::errors::explain;
use crate::pool_args::PoolRef;

/// The new pool, as the lookup needs it.
pub struct NewPoolUsers<'a> {
    /// The pool, as requests reach it.
    pub pool: PoolRef<'a>,
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
    /// letter case — and whether the user found is the old user whose `sub` is `old_sub`
    /// ([`proof`]). `None` when nobody answers to the name (or the pool's shape refuses it as a
    /// name).
    pub async fn answering_to(
        &self,
        name: &str,
        old_sub: &str,
    ) -> anyhow::Result<Option<Answering>> {
        let answer = self
            .pool
            .pacer
            .call(|| {
                self.pool
                    .client
                    .admin_get_user()
                    .user_pool_id(self.pool.pool_id)
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
            Err(err) => return Err(explain("AdminGetUser", self.pool.pool_id, err)),
        };
        let found = shared::from_sdk::user_from_get(&user);
        Ok(Some(Answering {
            identity: proof(&found, name, self.legacy_id_attribute, old_sub),
            username: found.username,
        }))
    }
}

/// Whether `found`, the new-pool user a lookup by `name` found, is the old user whose `sub` is
/// `old_sub`: its `legacy_id_attribute` holds that `sub`, and it holds `name` itself (see the
/// module's documentation).
pub fn proof(
    found: &SourceUser,
    name: &str,
    legacy_id_attribute: Option<&str>,
    old_sub: &str,
) -> Identity {
    let legacy = legacy_id_attribute.and_then(|attribute| found.attribute(attribute));
    match identify(legacy, old_sub) {
        Identity::Proven if holds_itself(found, name) => Identity::Proven,
        _ => Identity::Stranger,
    }
}

#[cfg(test)]
mod tests {
    use shared::SourceStatus;

    use super::*;

    const LEGACY: Option<&str> = Some("custom:legacy_sub");

    #[test]
    fn the_old_user_carries_its_sub_and_holds_the_name_it_was_found_by() {
        let ada = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("custom:legacy_sub", "s-ada")
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        assert_eq!(proof(&ada, "ada", LEGACY, "s-ada"), Identity::Proven);
        assert_eq!(
            proof(&ada, "ada@example.com", LEGACY, "s-ada"),
            Identity::Proven
        );
        assert_eq!(proof(&ada, "ada", LEGACY, "s-bo"), Identity::Stranger);
        assert_eq!(
            proof(&ada, "ada", None, "s-ada"),
            Identity::Stranger,
            "no legacy id proves nobody"
        );
    }

    #[test]
    fn a_copied_legacy_id_does_not_make_someone_the_user_whose_name_they_set() {
        // The finding of issue 27 item 4: mallory, through an app client that may write the
        // legacy id, copied ada's sub and set ada's name as her preferred_username (an alias).
        // AdminGetUser("ada") finds mallory; before, her legacy id alone made her ada.
        let mallory = SourceUser::new("mallory", SourceStatus::Confirmed)
            .with("custom:legacy_sub", "s-ada")
            .with("preferred_username", "ada")
            .with("email", "ada@example.com")
            .with("email_verified", "false");
        for name in ["ada", "ada@example.com"] {
            assert_eq!(
                proof(&mallory, name, LEGACY, "s-ada"),
                Identity::Stranger,
                "{name}"
            );
        }
    }
}
