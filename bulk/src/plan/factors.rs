//! The factors inventory: where the old pool lets users sign in without a password, how each
//! user signs in (`AdminGetUserAuthFactors`, read beside the scan by [`crate::auth_factors`]) and
//! what that makes of them in the new pool.
//!
//! Every user read falls in exactly one first-factor group, decided by what the **new** pool
//! will let them do, not by what the old one did: a password and a one-time code the new pool
//! does not offer first (or to an address the mapping does not carry verified) is a password
//! user, whom the trigger must carry at sign-in. With the users not read (federated, or deleted
//! since they were listed) the groups add up to the plan's total. Passkeys and MFA are counted
//! beside the groups: a user may have several.

use aws_sdk_cognitoidentityprovider::types::{AuthFactorType, UserPoolType};
use serde::Serialize;
use shared::mapping::MigratedUser;
use shared::{SourceStatus, SourceUser};

/// Which one-time codes the new pool signs users in with first (`AllowedFirstAuthFactors`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CodeSignIn {
    /// `EMAIL_OTP`: a code to the verified e-mail.
    pub email: bool,
    /// `SMS_OTP`: a code to the verified phone.
    pub sms: bool,
}

impl CodeSignIn {
    /// What `pool` offers.
    pub fn of(pool: &UserPoolType) -> CodeSignIn {
        let factors = crate::pools::passwordless_first_factors(pool);
        CodeSignIn {
            email: factors.contains(&AuthFactorType::EmailOtp),
            sms: factors.contains(&AuthFactorType::SmsOtp),
        }
    }

    /// True when `user`, imported as `mapped`, can sign in to the new pool with one of these
    /// codes: sent to an address the mapping carries verified, and no MFA. A user's MFA is known
    /// where it was looked up (`user.factors` read), or where the old pool has none
    /// (`!old_pool_has_mfa`); AWS offers users with MFA no passwordless sign-in.
    pub fn lets_in(
        self,
        user: &SourceUser,
        mapped: Option<&MigratedUser>,
        old_pool_has_mfa: bool,
    ) -> bool {
        let no_mfa = match user.factors {
            Some(_) => !(user.mfa.sms || user.mfa.email || user.mfa.software_token),
            None => !user.mfa.sms && !old_pool_has_mfa,
        };
        no_mfa
            && mapped.is_some_and(|m| {
                (self.email && m.has_verified_email()) || (self.sms && m.has_verified_phone())
            })
    }
}

/// How the old pool's users sign in, by what the new pool will let them do.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct FactorCounts {
    /// A password, and no one-time code the new pool lets them sign in with: the trigger carries
    /// the password at sign-in (a CONFIRMED user).
    pub password_only: u64,
    /// A password and a one-time code the new pool offers first: the trigger carries the
    /// password when they type it; a code sign-in in the new pool would not (AWS does not invoke
    /// the migration trigger for passwordless sign-in).
    pub password_and_passwordless: u64,
    /// No password, and a one-time code the new pool offers first to an address carried
    /// verified: importable before cutover (nothing to lose, no trigger needed), and back by a
    /// code after the import.
    pub passwordless_only: u64,
    /// No password, and nothing the new pool lets them sign in with first (a code it does not
    /// offer, an address not carried verified, a passkey alone): importable before cutover, back
    /// through the password-reset code.
    pub passwordless_needs_reset: u64,
    /// Users whose factors were not read: federated (never imported) or deleted since listed.
    pub not_read: u64,
    /// Users with a passkey (`WEB_AUTHN`): on the export's re-enrol list, since no administrator
    /// can read or carry it.
    pub passkey: u64,
    /// Users with e-mail MFA.
    pub email_mfa: u64,
    /// Users with SMS MFA.
    pub sms_mfa: u64,
    /// Users with TOTP (authenticator app) MFA: on the re-enrol list.
    pub totp: u64,
}

impl FactorCounts {
    /// Counts one user, its factors read or not (`user.factors`), who `code_sign_in` can sign in
    /// to the new pool with a one-time code (a code factor the new pool offers first, to an
    /// address the mapping carries verified, and no MFA).
    pub fn add(&mut self, user: &SourceUser, code_sign_in: bool) {
        let Some(factors) = user
            .factors
            .filter(|_| user.status != SourceStatus::ExternalProvider)
        else {
            self.not_read += 1;
            return;
        };
        let group = match (factors.password, code_sign_in) {
            (true, false) => &mut self.password_only,
            (true, true) => &mut self.password_and_passwordless,
            (false, true) => &mut self.passwordless_only,
            (false, false) => &mut self.passwordless_needs_reset,
        };
        *group += 1;
        self.passkey += u64::from(factors.web_authn);
        self.email_mfa += u64::from(user.mfa.email);
        self.sms_mfa += u64::from(user.mfa.sms);
        self.totp += u64::from(user.mfa.software_token);
    }

    /// The users in the first-factor groups, the unread ones included: the plan's total.
    pub fn total(&self) -> u64 {
        self.password_only
            + self.password_and_passwordless
            + self.passwordless_only
            + self.passwordless_needs_reset
            + self.not_read
    }

    /// The inventory's lines, as `line(label, n)` prints them.
    pub fn lines(&self, mut line: impl FnMut(&str, u64)) {
        for (label, n) in [
            (
                "sign-in factors read (AdminGetUserAuthFactors)",
                self.total() - self.not_read,
            ),
            (
                "  password only (the trigger carries it at sign-in)",
                self.password_only,
            ),
            (
                "  password and a one-time code the new pool offers",
                self.password_and_passwordless,
            ),
            (
                "  passwordless only: import before cutover, back by code",
                self.passwordless_only,
            ),
            (
                "  passwordless, no code in the new pool: import, reset",
                self.passwordless_needs_reset,
            ),
            (
                "  not read (federated, or deleted since listed)",
                self.not_read,
            ),
            (
                "  with a passkey (re-enrol list: register again)",
                self.passkey,
            ),
            ("  with e-mail MFA", self.email_mfa),
            ("  with SMS MFA", self.sms_mfa),
            ("  with TOTP MFA (re-enrol list)", self.totp),
        ] {
            line(label, n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::user::{MfaSettings, SignInFactors};

    fn user(factors: Option<SignInFactors>, mfa: MfaSettings) -> SourceUser {
        SourceUser {
            factors,
            mfa,
            ..SourceUser::new("u", SourceStatus::Confirmed)
        }
    }

    #[test]
    fn each_user_is_in_one_group_by_what_the_new_pool_lets_it_do() {
        let password = SignInFactors {
            password: true,
            ..SignInFactors::default()
        };
        let code = SignInFactors {
            email_otp: true,
            ..SignInFactors::default()
        };
        let passkey = SignInFactors {
            web_authn: true,
            ..SignInFactors::default()
        };
        let both = SignInFactors {
            password: true,
            email_otp: true,
            ..SignInFactors::default()
        };
        let mut counts = FactorCounts::default();
        counts.add(&user(Some(both), MfaSettings::default()), false);
        counts.add(&user(Some(both), MfaSettings::default()), true);
        counts.add(&user(Some(code), MfaSettings::default()), true);
        counts.add(&user(Some(code), MfaSettings::default()), false);
        counts.add(&user(Some(passkey), MfaSettings::default()), false);
        let totp_and_email = MfaSettings {
            software_token: true,
            email: true,
            sms: false,
        };
        counts.add(&user(Some(password), totp_and_email), false);
        counts.add(&user(None, MfaSettings::default()), false);
        let mut federated = user(Some(password), MfaSettings::default());
        federated.status = SourceStatus::ExternalProvider;
        counts.add(&federated, false);
        assert_eq!(
            counts,
            FactorCounts {
                password_only: 2,
                password_and_passwordless: 1,
                passwordless_only: 1,
                passwordless_needs_reset: 2,
                not_read: 2,
                passkey: 1,
                email_mfa: 1,
                sms_mfa: 0,
                totp: 1,
            },
            "a password and a code the new pool does not offer is a password user"
        );
        assert_eq!(
            counts.total(),
            8,
            "the groups reconcile with every user added"
        );
    }
}
