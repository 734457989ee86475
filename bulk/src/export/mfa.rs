//! Each user's MFA, which `ListUsers` does not show: it returns only the legacy `MFAOptions`
//! ("no longer supported … provides information only about SMS MFA"), so a user who chose SMS
//! through SetUserMFAPreference, and every TOTP user, looks like a user without MFA.
//! `AdminGetUser` returns `UserMFASettingList`; it counts against the UserRead quota (120 requests
//! per second per account, shared with production traffic), paced on its own (`--mfa-rps`) so the
//! ListUsers budget is untouched.
//!
//! Default (`--mfa-lookup auto`): look each user up when the old pool's MFA is ON or OPTIONAL —
//! there users may have MFA the export would otherwise drop without a word — or when the old pool
//! lets users sign in without a password (`AllowedFirstAuthFactors` beyond `PASSWORD`), and never
//! otherwise (nobody has MFA or another factor). With `--mfa-lookup off` the export counts those
//! users as `mfa_unknown` in `summary.json` instead.
//!
//! Where the old pool offers passwordless sign-in the lookup is `AdminGetUserAuthFactors`, which
//! answers both questions in one request: the MFA settings and the factors the user signs in with
//! (`ConfiguredUserAuthFactors`: a user with no `PASSWORD` loses nothing by being imported now; a
//! passkey must be registered again). Elsewhere it is `AdminGetUser`, as before.

use std::sync::Arc;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{UserPoolMfaType, UserStatusType, UserType};
use serde::{Deserialize, Serialize};
use shared::from_sdk::{factors_from_get, user_from_get};
use shared::user::{MfaSettings, SignInFactors};
use tokio::task::JoinSet;

use crate::errors::explain;
use crate::pacer::Pacer;

/// Whether to read each user's MFA with `AdminGetUser`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum MfaLookup {
    /// When the old pool's MFA is ON or OPTIONAL.
    Auto,
    /// Always.
    On,
    /// Never: users whose MFA ListUsers cannot show are counted as `mfa_unknown`.
    Off,
}

/// What the export knows about users' MFA in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaVisibility {
    /// The old pool has MFA OFF: nobody has any.
    NoneInOldPool,
    /// Each user is looked up.
    LookedUp,
    /// The old pool has MFA but users are not looked up: only legacy SMS options are seen.
    Hidden,
}

/// How users are looked up: the lookups' own pacer (`--mfa-rps`), and whether their sign-in
/// factors are read too (`AdminGetUserAuthFactors`).
#[derive(Clone, Copy)]
pub struct Lookup<'a> {
    /// The pacer of the lookups.
    pub pacer: &'a Arc<Pacer>,
    /// Read the factors (the old pool offers passwordless sign-in).
    pub factors: bool,
}

/// What one lookup read of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookedUp {
    /// Its MFA settings.
    pub mfa: MfaSettings,
    /// The factors it signs in with (`AdminGetUserAuthFactors` only).
    pub factors: Option<SignInFactors>,
}

impl MfaLookup {
    /// What this choice means for an old pool with MFA configuration `old`, which lets users
    /// sign in without a password when `passwordless`.
    pub fn visibility(self, old: Option<&UserPoolMfaType>, passwordless: bool) -> MfaVisibility {
        let old_has_mfa = old.is_some_and(|m| m != &UserPoolMfaType::Off);
        let something_to_see = old_has_mfa || (passwordless && self == MfaLookup::Auto);
        match (self, something_to_see) {
            (MfaLookup::On, _) | (MfaLookup::Auto, true) => MfaVisibility::LookedUp,
            (_, false) => MfaVisibility::NoneInOldPool,
            (MfaLookup::Off, true) => MfaVisibility::Hidden,
        }
    }
}

/// The MFA settings of every user of a page (in page order), read through `pacer` with
/// `AdminGetUser`, or with `AdminGetUserAuthFactors` when `factors` (the old pool offers
/// passwordless sign-in). `None` for a federated user (never imported) or one deleted since it
/// was listed.
pub async fn look_up(
    client: &Client,
    pacer: &Arc<Pacer>,
    pool_id: &str,
    users: &[UserType],
    factors: bool,
) -> anyhow::Result<Vec<Option<LookedUp>>> {
    let mut lookups = JoinSet::new();
    for (index, user) in users.iter().enumerate() {
        let Some(username) = user.username().map(String::from) else {
            continue;
        };
        if user.user_status() == Some(&UserStatusType::ExternalProvider) {
            continue;
        }
        let (client, pacer, pool_id) = (client.clone(), pacer.clone(), pool_id.to_string());
        lookups.spawn(async move {
            let settings = if factors {
                let result = pacer
                    .call(|| {
                        client
                            .admin_get_user_auth_factors()
                            .user_pool_id(&pool_id)
                            .username(&username)
                            .send()
                    })
                    .await;
                match result {
                    Ok(output) => {
                        let (mfa, factors) = factors_from_get(&output);
                        Ok(Some(LookedUp {
                            mfa,
                            factors: Some(factors),
                        }))
                    }
                    Err(err) if err.code() == Some("UserNotFoundException") => Ok(None),
                    Err(err) => Err(explain("AdminGetUserAuthFactors", &pool_id, err)),
                }
            } else {
                let result = pacer
                    .call(|| {
                        client
                            .admin_get_user()
                            .user_pool_id(&pool_id)
                            .username(&username)
                            .send()
                    })
                    .await;
                match result {
                    Ok(output) => Ok(Some(LookedUp {
                        mfa: user_from_get(&output).mfa,
                        factors: None,
                    })),
                    Err(err) if err.code() == Some("UserNotFoundException") => Ok(None),
                    Err(err) => Err(explain("AdminGetUser", &pool_id, err)),
                }
            };
            (index, settings)
        });
    }
    let mut settings = vec![None; users.len()];
    while let Some(joined) = lookups.join_next().await {
        let (index, result) = joined?;
        settings[index] = result?;
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_looks_up_only_when_the_old_pool_has_mfa() {
        let on = UserPoolMfaType::On;
        let optional = UserPoolMfaType::Optional;
        let off = UserPoolMfaType::Off;
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&optional), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&on), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&off), false),
            MfaVisibility::NoneInOldPool
        );
        assert_eq!(
            MfaLookup::Auto.visibility(None, false),
            MfaVisibility::NoneInOldPool
        );
        assert_eq!(
            MfaLookup::Off.visibility(Some(&on), false),
            MfaVisibility::Hidden
        );
        assert_eq!(
            MfaLookup::On.visibility(Some(&off), false),
            MfaVisibility::LookedUp
        );
        assert_eq!(
            MfaLookup::Auto.visibility(Some(&off), true),
            MfaVisibility::LookedUp,
            "a pool with passwordless sign-in: factors to read"
        );
        assert_eq!(
            MfaLookup::Off.visibility(Some(&off), true),
            MfaVisibility::NoneInOldPool
        );
    }
}
