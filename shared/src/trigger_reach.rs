//! Who the UserMigration trigger can carry at sign-in, judged from the old user's record and the
//! new pool alone: the one statement the trigger's decision (`trigger/src/decide.rs`), `plan` and
//! `status` all go through, so that "remaining" (the trigger moves them at their next sign-in)
//! and "stranded" (it never will) mean in the reports what the trigger does, and each reason code
//! means one thing in all three.
//!
//! The rules ([`judge`]), in the order they are applied:
//! - the trigger refuses the user whatever the password ([`SourceUser::not_migratable_at_sign_in`]:
//!   disabled, federated, unconfirmed, an unsupported status);
//! - the shared mapping refuses the user, or the user has no value to sign in with in the new
//!   pool's shape ([`PoolShape::new_username`], e.g. no e-mail in a pool that signs in by e-mail):
//!   the export refuses the same user with the same code ([`NeverCarried::Rejected`]; the trigger
//!   logs it as `mapping-rejected` with that code as the detail);
//! - the new pool signs in by e-mail or phone *as* the user name, and none of those values of the
//!   user is verified ([`SIGN_IN_VALUE_UNVERIFIED`]): the user can only type that address, and the
//!   trigger resolves a typed address only through a verified one (anyone could have registered
//!   an unverified address); nor is such a user carried under another typed name, since the new
//!   user would then hold, as its sign-in name, an address nobody proved is theirs;
//! - the user has no password (its factors, where read, show only one-time codes or a passkey:
//!   [`NO_PASSWORD`]); AWS: "Amazon Cognito doesn't invoke this trigger when users authenticate
//!   with passwordless sign-in" (migrate user Lambda trigger);
//! - the trigger can only migrate the user `RESET_REQUIRED` — it has only a temporary password
//!   (`FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`), or its record shows a second factor the new
//!   pool cannot be given ([`second_factor_beyond_sms`]: an authenticator app or codes by e-mail,
//!   which the old pool may skip at one sign-in but the new pool could never ask for) — and there
//!   is nowhere to send the reset code ([`NO_VERIFIED_CONTACT`], [`reset_code_reaches`]): the
//!   trigger migrates nobody `RESET_REQUIRED` without a verified e-mail or phone after the
//!   mapping. AWS: "In order for users to reset their passwords in the forgot-password flow, they
//!   must have either a verified email or a verified phone number" (migrate user Lambda trigger,
//!   `userAttributes`).
//!
//! A record read from `ListUsers` alone shows no second factor but SMS; where the factors were
//! not read, the last rule counts only the temporary password.
//!
//! Not judged here: what depends on the sign-in itself (the password and the new pool's policy
//! for it, the second factor the old pool asks for this time, the typed name's resolution, the
//! calling pool's tenant) and who holds the user's name in the new pool (the caller's index
//! decides that). The trigger applies those around [`judge`], and the last rule again to every
//! answer it would give as `RESET_REQUIRED`, through the same [`reset_code_reaches`].

use crate::{Mapping, MigratedUser, NotMigratable, PoolShape, RejectReason, SourceUser};

/// The user can only be migrated `RESET_REQUIRED` (a temporary password, a second factor the new
/// pool cannot be given, or at the trigger anything else that resets) and there is nowhere to
/// send the reset code.
pub const NO_VERIFIED_CONTACT: &str = "no-verified-contact";

/// The user has no password (it signs in with one-time codes or a passkey, as its factors show):
/// AWS does not invoke the migration trigger for passwordless sign-in. Import it.
pub const NO_PASSWORD: &str = "no-password";

/// The new pool signs in by e-mail or phone as the user name, and the user's are not verified.
pub const SIGN_IN_VALUE_UNVERIFIED: &str = "sign-in-value-unverified";

/// Why the trigger never carries a user into the new pool, judged from the record alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeverCarried {
    /// Refused whatever the password: disabled, federated, unconfirmed, an unsupported status.
    NotMigratable(NotMigratable),
    /// The mapping refuses the user, or the user has no valid value to sign in with in the new
    /// pool's shape; an export refuses it with the same code.
    Rejected(RejectReason),
    /// The new pool signs in by e-mail or phone as the user name, and none of the user's is
    /// verified ([`SIGN_IN_VALUE_UNVERIFIED`]).
    SignInValueUnverified,
    /// The user has no password ([`NO_PASSWORD`]).
    NoPassword,
    /// Only a temporary password, or a second factor the new pool cannot be given, and no
    /// verified e-mail or phone after the mapping ([`NO_VERIFIED_CONTACT`]).
    NoVerifiedContact,
}

impl NeverCarried {
    /// The reason code `plan` and `status` count by and the trigger logs (for
    /// [`NeverCarried::Rejected`], as the detail of `mapping-rejected`).
    pub fn code(&self) -> &'static str {
        match self {
            NeverCarried::NotMigratable(refusal) => refusal.code(),
            NeverCarried::Rejected(reason) => reason.code(),
            NeverCarried::SignInValueUnverified => SIGN_IN_VALUE_UNVERIFIED,
            NeverCarried::NoPassword => NO_PASSWORD,
            NeverCarried::NoVerifiedContact => NO_VERIFIED_CONTACT,
        }
    }
}

/// True when a reset code can reach the mapped user: a verified e-mail or phone. The trigger
/// migrates nobody `RESET_REQUIRED` without one.
pub fn reset_code_reaches(migrated: &MigratedUser) -> bool {
    migrated.has_verified_email() || migrated.has_verified_phone()
}

/// True when the record shows a second factor the new pool cannot be given: an authenticator
/// app (TOTP) or codes by e-mail. Only SMS can be handed over (`enableSMSMFA`), so the trigger
/// migrates such a user `RESET_REQUIRED`, whatever the old pool asks at this sign-in.
pub fn second_factor_beyond_sms(user: &SourceUser) -> bool {
    user.mfa.software_token || user.mfa.email
}

/// The user as the trigger would hand it to a new pool of `shape` (mapped with `mapping`), or
/// why the trigger never carries it, whatever password is typed (see the module's rules).
pub fn judge(
    user: &SourceUser,
    mapping: &Mapping,
    shape: &PoolShape,
) -> Result<MigratedUser, NeverCarried> {
    if let Some(refusal) = user.not_migratable_at_sign_in() {
        return Err(NeverCarried::NotMigratable(refusal));
    }
    let migrated = mapping.apply(user).map_err(NeverCarried::Rejected)?;
    shape
        .new_username(&migrated)
        .map_err(NeverCarried::Rejected)?;
    if shape.signs_in_by_attribute()
        && !shape
            .username_attributes
            .iter()
            .any(|attribute| migrated.has_verified(attribute))
    {
        return Err(NeverCarried::SignInValueUnverified);
    }
    if user.factors.is_some_and(|f| !f.password) {
        return Err(NeverCarried::NoPassword);
    }
    let reset_only = !user.status.password_survives_sign_in() || second_factor_beyond_sms(user);
    if reset_only && !reset_code_reaches(&migrated) {
        return Err(NeverCarried::NoVerifiedContact);
    }
    Ok(migrated)
}

/// Why the trigger can never carry `user` into a new pool of `shape` with `mapping` (its reason
/// code), or `None` when it carries the user at the next sign-in with the right password: what
/// `plan` and `status` count by.
pub fn refusal(user: &SourceUser, mapping: &Mapping, shape: &PoolShape) -> Option<&'static str> {
    judge(user, mapping, shape).err().map(|never| never.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceStatus;

    fn pool(username_attributes: &[&str]) -> PoolShape {
        PoolShape {
            username_attributes: username_attributes.iter().map(|a| a.to_string()).collect(),
            ..PoolShape::default()
        }
    }

    fn confirmed(name: &str) -> SourceUser {
        SourceUser::new(name, SourceStatus::Confirmed)
            .with("sub", &format!("sub-{name}"))
            .with("email", &format!("{name}@example.com"))
            .with("email_verified", "true")
    }

    fn reach(user: &SourceUser, shape: &PoolShape) -> Option<&'static str> {
        refusal(user, &Mapping::default(), shape)
    }

    #[test]
    fn an_enabled_confirmed_user_is_carried_and_the_password_is_enough() {
        assert_eq!(reach(&confirmed("ada"), &pool(&[])), None);
        assert_eq!(reach(&confirmed("ada"), &pool(&["email"])), None);
        let no_contact = SourceUser::new("bo", SourceStatus::Confirmed).with("sub", "s");
        assert_eq!(reach(&no_contact, &pool(&[])), None);
    }

    #[test]
    fn a_carried_user_comes_back_as_the_mapping_writes_it() {
        let migrated = judge(&confirmed("ada"), &Mapping::default(), &pool(&["email"])).unwrap();
        assert_eq!(migrated.attribute("custom:legacy_sub"), Some("sub-ada"));
        assert!(reset_code_reaches(&migrated));
        let unmappable = confirmed("bo").with("phone_number", "0151 1234");
        let never = judge(&unmappable, &Mapping::default(), &pool(&[])).unwrap_err();
        assert!(matches!(never, NeverCarried::Rejected(_)), "{never:?}");
        assert_eq!(never.code(), "invalid-value", "the export's code");
    }

    #[test]
    fn users_the_trigger_refuses_are_named_with_its_reason() {
        let mut disabled = confirmed("ada");
        disabled.enabled = false;
        assert_eq!(reach(&disabled, &pool(&[])), Some("disabled"));
        let mut unconfirmed = confirmed("bo");
        unconfirmed.status = SourceStatus::Unconfirmed;
        assert_eq!(reach(&unconfirmed, &pool(&[])), Some("unconfirmed"));
        let mut federated = confirmed("cy");
        federated.status = SourceStatus::ExternalProvider;
        assert_eq!(reach(&federated, &pool(&[])), Some("federated"));
    }

    #[test]
    fn no_sign_in_value_for_the_new_shape_is_named() {
        let no_email = SourceUser::new("dee", SourceStatus::Confirmed).with("sub", "s");
        assert_eq!(
            reach(&no_email, &pool(&["email"])),
            Some("no-sign-in-value")
        );
    }

    #[test]
    fn an_unverified_address_as_the_new_user_name_is_never_resolved() {
        let unverified = SourceUser::new("eve", SourceStatus::Confirmed)
            .with("sub", "s")
            .with("email", "eve@example.com")
            .with("email_verified", "false");
        assert_eq!(
            reach(&unverified, &pool(&["email"])),
            Some(SIGN_IN_VALUE_UNVERIFIED)
        );
        assert_eq!(
            reach(&unverified, &pool(&[])),
            None,
            "a pool with user names: the old user name still signs in"
        );
        let verified_phone = unverified
            .clone()
            .with("phone_number", "+15550100")
            .with("phone_number_verified", "true");
        assert_eq!(
            reach(&verified_phone, &pool(&["email", "phone_number"])),
            None,
            "the verified phone signs in"
        );
    }

    #[test]
    fn a_user_without_a_password_is_never_carried_by_the_trigger() {
        let mut codes_only = confirmed("gus");
        codes_only.factors = Some(crate::user::SignInFactors {
            email_otp: true,
            ..Default::default()
        });
        assert_eq!(reach(&codes_only, &pool(&[])), Some(NO_PASSWORD));
    }

    #[test]
    fn a_second_factor_the_new_pool_cannot_be_given_needs_a_verified_contact() {
        // Finding (issue 27 item 4): plan and status counted these users as remaining, but the
        // trigger migrates them only RESET_REQUIRED, so only with a verified e-mail or phone.
        let bare = SourceUser::new("hal", SourceStatus::Confirmed)
            .with("sub", "s")
            .with("email", "hal@example.com");
        assert_eq!(
            reach(&bare, &pool(&[])),
            None,
            "no factor: the password is enough"
        );
        for (totp, email) in [(true, false), (false, true)] {
            let mut enrolled = bare.clone();
            enrolled.mfa.software_token = totp;
            enrolled.mfa.email = email;
            assert!(second_factor_beyond_sms(&enrolled));
            assert_eq!(reach(&enrolled, &pool(&[])), Some(NO_VERIFIED_CONTACT));
            let verified = enrolled.with("email_verified", "true");
            assert_eq!(reach(&verified, &pool(&[])), None);
        }
        let mut sms = bare.clone();
        sms.mfa.sms = true;
        assert!(!second_factor_beyond_sms(&sms), "SMS is handed over");
        assert_eq!(reach(&sms, &pool(&[])), None);
    }

    #[test]
    fn a_temporary_password_needs_a_verified_contact() {
        let mut reset = confirmed("eve");
        reset.status = SourceStatus::ResetRequired;
        assert_eq!(reach(&reset, &pool(&[])), None);
        let unverified = SourceUser::new("fay", SourceStatus::ForceChangePassword)
            .with("sub", "s")
            .with("email", "fay@example.com");
        assert_eq!(reach(&unverified, &pool(&[])), Some(NO_VERIFIED_CONTACT));
    }
}
