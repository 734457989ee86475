//! The token companion's questions to the old pool: which old user a legacy id names and that
//! user's groups ([`proven_old_user`]), and whether that user had e-mail MFA
//! ([`old_email_mfa`]). What the answers prove is decided in [`super::decide`].

use shared::SourceUser;

use super::decide::{self, ProvenOldUser};
use crate::budget::Deadline;
use crate::old_directory::{OldDirectory, SearchAttribute};
use crate::old_pool::{Lookup, OldPoolError};
use crate::tenant::TenantRule;

/// The old user that `user` (re-read from the new pool, holding `legacy_id`) is proven to be,
/// with its groups (`ListUsers` by `sub`, then `AdminListGroupsForUser`): `None` when there is
/// no such old user, it is not the same person, or it is another tenant's. The marker is this
/// companion's own: an old group of that name is not copied.
pub(crate) async fn proven_old_user<D: OldDirectory>(
    old_pool: &D,
    user: &SourceUser,
    legacy_id: &str,
    tenant: Option<&TenantRule>,
    pool: &str,
    marker_group: &str,
) -> Result<Option<ProvenOldUser>, OldPoolError> {
    let found = old_pool.users_with(SearchAttribute::Sub, legacy_id).await?;
    let Some(old) = decide::proven(found, user, legacy_id, tenant, pool) else {
        return Ok(None);
    };
    let mut groups = old_pool.groups_of(&old.username).await?;
    groups.retain(|g| g != marker_group);
    Ok(Some(ProvenOldUser {
        username: old.username,
        groups,
    }))
}

/// Whether the proven old user of `user` has e-mail MFA (`AdminGetUser`, the one read that
/// shows it), before `deadline`: `None` without a proven user, or when `user` has no e-mail in
/// the new pool (nothing to send codes to: not asked); `Some(Err(why))` when it cannot be
/// told.
pub(crate) async fn old_email_mfa<D: OldDirectory>(
    old_pool: &D,
    user: &SourceUser,
    proven: Option<&ProvenOldUser>,
    legacy_id: &str,
    deadline: &Deadline,
) -> Option<Result<bool, String>> {
    let old = proven?;
    user.attribute("email").filter(|email| !email.is_empty())?;
    let read = deadline.run(old_pool.user_named(&old.username)).await;
    Some(match read {
        // Only the user the legacy id named: a name reused since says nothing.
        Ok(Ok(Lookup::Found(found))) => {
            Ok(found.mfa.email && found.attribute("sub") == Some(legacy_id))
        }
        Ok(Ok(Lookup::NotFound)) => Ok(false),
        Ok(Err(fault)) => Err(fault.to_string()),
        Err(_) => Err("old pool AdminGetUser: no answer within the time budget".to_string()),
    })
}
