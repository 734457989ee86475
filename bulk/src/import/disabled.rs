//! Users disabled in the old pool: created disabled through the API, never imported live.
//!
//! The CSV import has no "disabled" column: an imported user is enabled and `RESET_REQUIRED`, so
//! it could reset its password through its verified contact (or, with passwordless sign-in on,
//! sign in with a one-time code) the moment the job finishes. The export therefore keeps these
//! users out of the users files and lists them in `disabled.csv`; here each one is created with
//! `AdminCreateUser` (`MessageAction: SUPPRESS`, no temporary password given: Cognito generates
//! one that is never sent) and disabled at once with `AdminDisableUser`.
//!
//! At no moment can such a user sign in or reset a password: before `AdminDisableUser` the user
//! is `FORCE_CHANGE_PASSWORD` with a password nobody knows, and Cognito refuses a forgotten-password
//! reset in that state ("User password cannot be reset in the current state"); afterwards the user
//! is disabled. The user created is disabled under the `Username` Cognito answered with.
//!
//! When the name is taken, the user holding it is disabled only when it is proven to be this old
//! user (its legacy id is the old `sub`, `shared::identity`): Cognito resolves a name through
//! aliases and letter case, so the holder may be a stranger who signed up during the window, and
//! disabling a stranger would lock out someone who never was this user. Such a holder is left
//! alone and reported; the old user, never created, cannot sign in either.

use anyhow::Context;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::MessageActionType;
use shared::identity::{Identity, stranger_detail};
use shared::import_csv::DecodedRow;

use crate::errors::explain;
use crate::pool_args::PoolRef;
use crate::proven_user::NewPoolUsers;

/// What became of one disabled old user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisabledOutcome {
    /// Created and disabled.
    Created,
    /// Already in the new pool (proven by its legacy id), disabled.
    AlreadyThere,
    /// Another user answers to the name: left alone (the detail names both and the fix).
    HeldByAnotherUser(String),
}

/// Creates one disabled user, or disables the proven user already there.
pub async fn create_disabled(
    pool: &NewPoolUsers<'_>,
    user: &DecodedRow,
) -> anyhow::Result<DisabledOutcome> {
    let PoolRef {
        client,
        pacer,
        pool_id,
    } = pool.pool;
    let attributes = shared::from_sdk::sdk_attributes(&user.attributes);
    let created = pacer
        .call(|| {
            client
                .admin_create_user()
                .user_pool_id(pool_id)
                .username(&user.username)
                .set_user_attributes(Some(attributes.clone()))
                .message_action(MessageActionType::Suppress)
                .send()
        })
        .await;
    let (username, outcome) = match created {
        Ok(output) => {
            let username = output
                .user()
                .and_then(|u| u.username())
                .unwrap_or(&user.username)
                .to_string();
            (username, DisabledOutcome::Created)
        }
        Err(err) if err.code() == Some("UsernameExistsException") => {
            match holder(pool, user).await? {
                Ok(username) => (username, DisabledOutcome::AlreadyThere),
                Err(detail) => return Ok(DisabledOutcome::HeldByAnotherUser(detail)),
            }
        }
        Err(err) => {
            return Err(explain("AdminCreateUser", pool_id, err).context(format!(
                "cannot create the disabled user {} (from disabled.csv)",
                user.username
            )));
        }
    };
    pacer
        .call(|| {
            client
                .admin_disable_user()
                .user_pool_id(pool_id)
                .username(&username)
                .send()
        })
        .await
        .map_err(|err| {
            explain("AdminDisableUser", pool_id, err).context(format!(
                "cannot disable {} (from disabled.csv); rerun with --resume",
                user.username
            ))
        })?;
    Ok(outcome)
}

/// The canonical name of the user holding `user`'s name when it is that old user, or why not.
async fn holder(
    pool: &NewPoolUsers<'_>,
    user: &DecodedRow,
) -> anyhow::Result<Result<String, String>> {
    let old_sub = pool
        .legacy_id_attribute
        .and_then(|attribute| user.attributes.get(attribute))
        .map_or("", String::as_str);
    let context = || {
        format!(
            "cannot read the new pool's user holding {} (from disabled.csv); rerun with --resume",
            user.username
        )
    };
    let Some(holder) = pool
        .answering_to(&user.username, old_sub)
        .await
        .with_context(context)?
    else {
        anyhow::bail!(
            "{}: AdminCreateUser said the name is taken but AdminGetUser finds nobody",
            context()
        );
    };
    Ok(match holder.identity {
        Identity::Proven => Ok(holder.username),
        Identity::Stranger if pool.legacy_id_attribute.is_none() => Err(format!(
            "{}; {}",
            stranger_detail(&user.username, &holder.username),
            shared::identity::NO_LEGACY_ID_FIX
        )),
        Identity::Stranger => Err(stranger_detail(&user.username, &holder.username)),
    })
}
