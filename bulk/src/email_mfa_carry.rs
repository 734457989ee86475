//! E-mail MFA switched back on in the new pool: the one request `import` and `groups --sync` make
//! for it, and how its answers are sorted. Who may get it is decided before: by the export
//! (`mfa-reenrol.csv`, [`crate::export::mfa`]) for `import`, by a live read of both pools for
//! `groups --sync` ([`crate::groups`]), both by [`shared::email_proof`].
//!
//! How: `AdminSetUserMFAPreference` `EmailMfaSettings` `Enabled` (no `PreferredMfa`, as the token
//! function: with e-mail the user's only second factor Cognito asks for it anyway), where the new
//! pool has e-mail MFA configured (`GetUserPoolMfaConfig` `EmailMfaConfiguration`, MFA not
//! `OFF`). AWS's API reference lists `PasswordResetRequiredException` ("This exception is thrown
//! when a password reset is required") for the operation, and every user an import job creates,
//! and every e-mail-MFA user the trigger migrates, is `RESET_REQUIRED`: that answer means "ask
//! again after the user's reset", never a failure.

use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{EmailMfaSettingsType, UserPoolMfaType};

use crate::errors::explain;
use crate::pool_args::PoolRef;

/// What the new pool answered to turning a user's e-mail MFA on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Turned on.
    On,
    /// Refused until the user resets the password (`PasswordResetRequiredException`).
    AfterReset,
    /// No such user (`UserNotFoundException`).
    NotFound,
}

/// Whether `pool` can do e-mail MFA at all (`GetUserPoolMfaConfig`: an `EmailMfaConfiguration`,
/// MFA not `OFF`). Also used for the old pool: where it has none, none of its users has e-mail
/// MFA to carry.
pub async fn configured(pool: PoolRef<'_>) -> anyhow::Result<bool> {
    let config = crate::pools::mfa_config(pool.client, pool.pacer, pool.pool_id).await?;
    Ok(config.email_mfa_configuration().is_some()
        && config.mfa_configuration() != Some(&UserPoolMfaType::Off))
}

/// Turns e-mail MFA on for `username` in `pool` (the new pool's canonical name of a user already
/// proven to be the old user, its e-mail proven); any answer other than [`Answer`]'s is fatal.
pub async fn enable(pool: PoolRef<'_>, username: &str) -> anyhow::Result<Answer> {
    let settings = EmailMfaSettingsType::builder().enabled(true).build();
    let answer = pool
        .pacer
        .call(|| {
            pool.client
                .admin_set_user_mfa_preference()
                .user_pool_id(pool.pool_id)
                .username(username)
                .email_mfa_settings(settings.clone())
                .send()
        })
        .await;
    match answer {
        Ok(_) => Ok(Answer::On),
        Err(err) if err.code() == Some("PasswordResetRequiredException") => Ok(Answer::AfterReset),
        Err(err) if err.code() == Some("UserNotFoundException") => Ok(Answer::NotFound),
        Err(err) => Err(explain("AdminSetUserMFAPreference", pool.pool_id, err)),
    }
}
