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
//! The look-up itself ([`look_up`]: `AdminGetUserAuthFactors` where the old pool offers
//! passwordless sign-in, else `AdminGetUser`) is [`crate::auth_factors`], which `plan` uses too.

use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use serde::{Deserialize, Serialize};

pub use crate::auth_factors::{LookedUp, Lookup, look_up};

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
