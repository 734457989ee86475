//! Who the UserMigration trigger can carry at sign-in, judged from the old user's record and the
//! new pool alone: the one statement `plan` and `status` count by, so that "remaining" (the
//! trigger moves them at their next sign-in) and "stranded" (it never will) mean the same in both.
//!
//! Each rule is one the trigger applies at sign-in, named beside it:
//! - it refuses the user whatever the password ([`SourceUser::not_migratable_at_sign_in`]:
//!   disabled, federated, unconfirmed, an unsupported status — the trigger's `precheck`);
//! - the shared mapping refuses the user (the trigger answers `mapping-rejected`), or the user has
//!   no value to sign in with in the new pool's shape ([`PoolShape::new_username`], e.g. no e-mail
//!   in a pool that signs in by e-mail);
//! - the new pool signs in by e-mail or phone *as* the user name, and none of those values of the
//!   user is verified ([`SIGN_IN_VALUE_UNVERIFIED`]): the user can only type that address, and the
//!   trigger resolves a typed address only through a verified one (the trigger's
//!   `WindowOldPool`: anyone could have registered an unverified address), so the sign-in never
//!   finds the old user;
//! - the user has no password (its factors, where read, show only one-time codes or a passkey:
//!   [`NO_PASSWORD`]); AWS: "Amazon Cognito doesn't invoke this trigger when users authenticate
//!   with passwordless sign-in" (migrate user Lambda trigger);
//! - only a temporary password (`FORCE_CHANGE_PASSWORD`, `RESET_REQUIRED`) and no verified e-mail
//!   or phone after the mapping ([`NO_VERIFIED_CONTACT`]): the trigger migrates such users
//!   `RESET_REQUIRED` only with somewhere to send the code.
//!
//! Not judged here: what depends on the sign-in itself (the password, a second factor the old
//! pool asks for, a factor enrolled that only `AdminGetUser` shows) and who holds the user's name
//! in the new pool (the caller's index decides that).

use crate::{Mapping, PoolShape, SourceUser};

/// Only a temporary password and nowhere to send a reset code.
pub const NO_VERIFIED_CONTACT: &str = "no-verified-contact";

/// The user has no password (it signs in with one-time codes or a passkey, as its factors show):
/// AWS does not invoke the migration trigger for passwordless sign-in. Import it.
pub const NO_PASSWORD: &str = "no-password";

/// The new pool signs in by e-mail or phone as the user name, and the user's are not verified.
pub const SIGN_IN_VALUE_UNVERIFIED: &str = "sign-in-value-unverified";

/// Why the trigger can never carry `user` into a new pool of `shape` with `mapping` (its reason
/// code), or `None` when it carries the user at the next sign-in with the right password.
pub fn refusal(user: &SourceUser, mapping: &Mapping, shape: &PoolShape) -> Option<&'static str> {
    if let Some(refusal) = user.not_migratable_at_sign_in() {
        return Some(refusal.code());
    }
    let migrated = match mapping.apply(user) {
        Ok(migrated) => migrated,
        Err(reason) => return Some(reason.code()),
    };
    if let Err(reason) = shape.new_username(&migrated) {
        return Some(reason.code());
    }
    if shape.signs_in_by_attribute()
        && !shape
            .username_attributes
            .iter()
            .any(|attribute| migrated.has_verified(attribute))
    {
        return Some(SIGN_IN_VALUE_UNVERIFIED);
    }
    if user.factors.is_some_and(|f| !f.password) {
        return Some(NO_PASSWORD);
    }
    let reachable = migrated.has_verified_email() || migrated.has_verified_phone();
    if !user.status.password_survives_sign_in() && !reachable {
        return Some(NO_VERIFIED_CONTACT);
    }
    None
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
