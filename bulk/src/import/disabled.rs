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
//! is disabled. A user who already exists in the new pool under that name is disabled too (fail
//! closed: a disabled old identity is never live) and counted apart.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
use shared::import_csv::DecodedRow;

use crate::errors::explain;
use crate::pacer::Pacer;

/// Creates one disabled user (or disables the one already there); `Ok(true)` when created.
pub async fn create_disabled(
    client: &Client,
    pacer: &Pacer,
    pool_id: &str,
    user: &DecodedRow,
) -> anyhow::Result<bool> {
    let attributes: Vec<AttributeType> = user
        .attributes
        .iter()
        .map(|(name, value)| {
            AttributeType::builder()
                .name(name)
                .value(value)
                .build()
                .expect("name is set")
        })
        .collect();
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
    let created = match created {
        Ok(_) => true,
        Err(err) if err.code() == Some("UsernameExistsException") => false,
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
                .username(&user.username)
                .send()
        })
        .await
        .map_err(|err| {
            explain("AdminDisableUser", pool_id, err).context(format!(
                "cannot disable {} (from disabled.csv); rerun with --resume",
                user.username
            ))
        })?;
    Ok(created)
}
