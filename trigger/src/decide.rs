//! The decision, as a plain function: what the old pool said about a user → the answer Cognito
//! gets, and the reason code that is logged for it.
//!
//! Who gets into an account is decided here and nowhere else. The rules:
//! - Only a password the old pool accepted migrates a user as `CONFIRMED`, and only when the new
//!   pool's password policy admits it (Cognito does not check it during migration); a weaker one
//!   migrates the user as `RESET_REQUIRED`.
//! - A password never stands in for a second factor. The old pool asks for one only after the
//!   password was right, but the new pool can be given only SMS (`enableSMSMFA`, which needs the
//!   mapped user to keep `phone_number`). So an SMS challenge migrates `CONFIRMED` with SMS MFA
//!   on; every other second factor (TOTP, e-mail code, a choice of factors, an enrolment the old
//!   pool demands, SMS whose phone the mapping drops) migrates `RESET_REQUIRED`: the user proves
//!   the verified e-mail or phone with a reset code before any password works.
//! - The same for a factor the old pool did not ask for this time: a user whose record shows TOTP
//!   or e-mail codes enrolled ([`EnrolledFactors`]) is migrated `RESET_REQUIRED` even when the old
//!   pool answered with tokens (or with an SMS challenge). The old pool can skip the factor (MFA
//!   optional with the factor enrolled but not preferred, adaptive authentication judging the
//!   sign-in low-risk, a remembered device); the new pool could not, so the record decides, not
//!   this one sign-in.
//! - A temporary password (`NEW_PASSWORD_REQUIRED`, or an old status that only has one) never
//!   becomes a permanent one: that user is migrated as `RESET_REQUIRED`.
//! - `RESET_REQUIRED` only with somewhere to send the code: a user without a verified e-mail or
//!   phone is not migrated at all. Created in the new pool, they could never reset, and the
//!   trigger would never be asked about them again; left out, they stay recoverable (verify a
//!   contact in the old pool, or import them).
//! - Forgot-password (unless switched off) migrates only users who can receive the reset code.
//! - Everyone else (unknown, wrong password, disabled, federated, unconfirmed, unmappable, of
//!   another tenant) gets the same answer: no response at all, which Cognito reads as "no such
//!   user".
//!
//! What the old user's record and the new pool's shape alone decide (not migratable, the shared
//! [`Mapping`] or the shape refusing the user, a sign-in value nobody verified, no password, a
//! temporary password or an enrolled factor the new pool cannot be given with nowhere to send a
//! code) is not stated here: it is
//! [`shared::trigger_reach::judge`], the one statement `plan` and `status` count by too, which
//! also hands back the mapped user. This module keeps what depends on the sign-in itself: the
//! password and what the old pool answered to it, the second factor, the typed name's resolution
//! and the calling pool's tenant.

use shared::attributes::{EMAIL, PHONE_NUMBER, PREFERRED_USERNAME};
use shared::trigger_reach::{self, NeverCarried};
use shared::{Mapping, MigratedUser, NotMigratable, PoolShape, SourceStatus, SourceUser};

use crate::event::migration::{
    DeliveryMedium, EventRejection, FinalUserStatus, MessageAction, MigrationRequest,
    MigrationResponse, TriggerSource,
};
use crate::old_pool::{AuthOutcome, EnrolledFactors, OldUser, Refusal};
use crate::password_policy::PasswordPolicy;
use crate::tenant::{self, TenantRule};

/// The response attribute that carries the user name the new pool should create.
///
/// AWS: "You can return a `username` parameter only if the submitted user name matches an alias
/// attribute"; otherwise it must equal the submitted name or be left out
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html>,
/// `userAttributes`, and
/// <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-import-using-lambda.html>).
pub const USERNAME_ATTRIBUTE: &str = "username";

/// Second-factor challenges the new pool can be given: SMS, through `enableSMSMFA`.
const SMS_CHALLENGES: [&str; 2] = ["SMS_MFA", "SMS_OTP"];

/// Settings that change the answer but not the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The new pool has user names (with alias attributes): answer with the old user name when
    /// AWS allows it (the typed name is that user name, or one of the user's alias values).
    /// `false` for a new pool that signs in by e-mail or phone *as* the user name
    /// (`UsernameAttributes`), where Cognito generates the user name itself: no `username` then.
    pub return_old_username: bool,
    /// In a split per tenant: migrate only the users of this pool's tenant.
    pub tenant: Option<TenantRule>,
    /// The new pool's password policy, checked before a password is kept.
    pub password_policy: PasswordPolicy,
    /// Answer `UserMigration_ForgotPassword` (default); `false` answers it as for an unknown user.
    pub forgot_password: bool,
    /// The new pool's shape as far as [`shared::trigger_reach::judge`] reads it: whether it signs
    /// in by e-mail or phone as the user name (`NEW_POOL_SIGN_IN`; unknown: a plain pool, whose
    /// shape refuses nobody).
    pub new_pool: PoolShape,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            return_old_username: true,
            tenant: None,
            password_policy: PasswordPolicy::default(),
            forgot_password: true,
            new_pool: PoolShape::default(),
        }
    }
}

/// Why a user of another tenant is not migrated into this tenant's pool, or `None` when it is
/// admitted (or the pool is not split). Answered like an unknown user, so nobody learns that the
/// user exists in another tenant.
pub fn tenant_refusal(
    request: &MigrationRequest,
    user: &SourceUser,
    options: &Options,
) -> Option<Reason> {
    let pool = request.user_pool_id.as_deref();
    (!tenant::admits(options.tenant.as_ref(), pool, user)).then_some(Reason::OtherTenant)
}

/// What the lookup in the old pool found for the typed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// This user (its `username` differs from the typed name when the name was an alias), with
    /// the second factors it is enrolled in.
    Found(OldUser),
    /// Nobody.
    NotFound,
    /// The alias belongs to more than one user, so it identifies nobody.
    AmbiguousAlias,
}

/// Why the trigger answered as it did; logged as `outcome`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Password accepted, user migrated as `CONFIRMED`.
    MigratedConfirmed,
    /// Password accepted with an SMS challenge, user migrated as `CONFIRMED` with SMS MFA.
    MigratedAfterSecondFactor,
    /// Temporary password accepted, user migrated as `RESET_REQUIRED`.
    MigratedResetRequired,
    /// Password accepted, but the new pool's policy refuses it: migrated as `RESET_REQUIRED`.
    MigratedWeakPassword,
    /// Password accepted with a second factor the new pool cannot be given: migrated as
    /// `RESET_REQUIRED`, so the verified contact is proven before any password works.
    MigratedSecondFactorReset,
    /// Password accepted without a challenge for it, but the old user is enrolled in a second
    /// factor the new pool cannot be given (TOTP, e-mail code): migrated as `RESET_REQUIRED`,
    /// as if the old pool had asked for it.
    MigratedEnrolledFactorReset,
    /// Forgot-password: user migrated as `RESET_REQUIRED` to receive a code.
    MigratedForReset,
    /// The event cannot be acted on.
    Event(EventRejection),
    /// No user has this name or alias.
    UnknownUser,
    /// The alias belongs to several users.
    AmbiguousAlias,
    /// The old pool refused the sign-in.
    Refused(Refusal),
    /// The old user is disabled.
    Disabled,
    /// The old user was created by a federated sign-in.
    Federated,
    /// The old user never confirmed the sign-up.
    Unconfirmed,
    /// An old status the trigger does not migrate (`COMPROMISED`, `ARCHIVED`, ...).
    UnsupportedStatus,
    /// The old pool answered with a challenge that does not prove the password.
    UnprovenChallenge,
    /// The shared mapping, or the new pool's shape, refused the user (its `RejectReason` code,
    /// the one `plan` and `status` count it under).
    MappingRejected(&'static str),
    /// The new pool signs in by e-mail or phone as the user name, and none of the user's is
    /// verified.
    SignInValueUnverified,
    /// The old user has no password (its factors say so).
    NoPassword,
    /// The user would be migrated `RESET_REQUIRED` but has no verified email or phone to send
    /// the code to.
    NoVerifiedContact,
    /// The user belongs to another tenant (or to none) than the pool that called.
    OtherTenant,
    /// Forgot-password is switched off (`FORGOT_PASSWORD=off`).
    ForgotPasswordOff,
}

impl Reason {
    /// The stable code written to the log.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::MigratedConfirmed => "migrated-confirmed",
            Reason::MigratedAfterSecondFactor => "migrated-confirmed-mfa",
            Reason::MigratedResetRequired => "migrated-reset-required",
            Reason::MigratedWeakPassword => "migrated-reset-weak-password",
            Reason::MigratedSecondFactorReset => "migrated-reset-second-factor",
            Reason::MigratedEnrolledFactorReset => "migrated-reset-enrolled-factor",
            Reason::MigratedForReset => "migrated-for-reset",
            Reason::Event(rejection) => rejection.code(),
            Reason::UnknownUser => "unknown-user",
            Reason::AmbiguousAlias => "ambiguous-alias",
            Reason::Refused(refusal) => refusal.code(),
            Reason::Disabled => NotMigratable::Disabled.code(),
            Reason::Federated => NotMigratable::Federated.code(),
            Reason::Unconfirmed => NotMigratable::Unconfirmed.code(),
            Reason::UnsupportedStatus => NotMigratable::UnsupportedStatus.code(),
            Reason::UnprovenChallenge => "unproven-challenge",
            Reason::MappingRejected(_) => "mapping-rejected",
            Reason::SignInValueUnverified => trigger_reach::SIGN_IN_VALUE_UNVERIFIED,
            Reason::NoPassword => trigger_reach::NO_PASSWORD,
            Reason::NoVerifiedContact => trigger_reach::NO_VERIFIED_CONTACT,
            Reason::OtherTenant => "other-tenant",
            Reason::ForgotPasswordOff => "forgot-password-off",
        }
    }
}

/// The trigger's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The response to write into the event; `None` returns the event untouched ("no such
    /// user").
    pub response: Option<MigrationResponse>,
    /// Why.
    pub reason: Reason,
}

impl Decision {
    fn no_such_user(reason: Reason) -> Decision {
        Decision {
            response: None,
            reason,
        }
    }
}

impl From<NeverCarried> for Reason {
    /// The trigger's reason for a user the shared rule never carries (same codes).
    fn from(never: NeverCarried) -> Reason {
        match never {
            NeverCarried::NotMigratable(NotMigratable::Disabled) => Reason::Disabled,
            NeverCarried::NotMigratable(NotMigratable::Federated) => Reason::Federated,
            NeverCarried::NotMigratable(NotMigratable::Unconfirmed) => Reason::Unconfirmed,
            NeverCarried::NotMigratable(NotMigratable::UnsupportedStatus) => {
                Reason::UnsupportedStatus
            }
            NeverCarried::Rejected(reason) => Reason::MappingRejected(reason.code()),
            NeverCarried::SignInValueUnverified => Reason::SignInValueUnverified,
            NeverCarried::NoPassword => Reason::NoPassword,
            NeverCarried::NoVerifiedContact => Reason::NoVerifiedContact,
        }
    }
}

/// Reasons not to ask the old pool about a password at all: the answer would be "no" whatever
/// the password (the first of [`shared::trigger_reach::judge`]'s rules, which needs neither the
/// mapping nor the new pool). Asking anyway would only spend the old account's quota.
pub fn precheck(user: &SourceUser) -> Option<Reason> {
    user.not_migratable_at_sign_in()
        .map(|refusal| NeverCarried::NotMigratable(refusal).into())
}

/// The old user with every second factor its record names ([`EnrolledFactors`] reads more of
/// `AdminGetUser`'s answer than the model's MFA settings), as [`shared::trigger_reach`] reads a
/// record.
fn with_enrolled(user: &SourceUser, factors: EnrolledFactors) -> SourceUser {
    let mut user = user.clone();
    user.mfa.software_token |= factors.software_token;
    user.mfa.email |= factors.email_otp;
    user
}

/// What the old pool's evidence allows, before the mapping and the password policy are applied.
enum Evidence<'a> {
    /// The password alone signed the user in.
    Password,
    /// The password was right and the old pool asked for this second factor.
    SecondFactor(&'a str),
    /// Migrate as `RESET_REQUIRED`, for this reason.
    Reset(Reason),
}

/// Decides the answer for one request from what the old pool said: the lookup, and for
/// sign-in the outcome of the password check (`None` when it was not asked).
pub fn decide(
    request: &MigrationRequest,
    resolution: &Resolution,
    auth: Option<&AuthOutcome>,
    mapping: &Mapping,
    options: &Options,
) -> Decision {
    if request.trigger_source == TriggerSource::ForgotPassword && !options.forgot_password {
        return Decision::no_such_user(Reason::ForgotPasswordOff);
    }
    let user = &match resolution {
        Resolution::Found(found) => with_enrolled(&found.user, found.factors),
        Resolution::NotFound => return Decision::no_such_user(Reason::UnknownUser),
        Resolution::AmbiguousAlias => return Decision::no_such_user(Reason::AmbiguousAlias),
    };
    if let Some(reason) = precheck(user).or_else(|| tenant_refusal(request, user, options)) {
        return Decision::no_such_user(reason);
    }
    let evidence = match request.trigger_source {
        TriggerSource::Authentication => match auth {
            Some(AuthOutcome::Authenticated) if user.status == SourceStatus::Confirmed => {
                Evidence::Password
            }
            Some(AuthOutcome::SecondFactor(challenge))
                if user.status == SourceStatus::Confirmed =>
            {
                Evidence::SecondFactor(challenge)
            }
            // A password that the old pool accepted for a user who only has a temporary one
            // (an emulator that skips the challenge) is still temporary.
            Some(
                AuthOutcome::Authenticated
                | AuthOutcome::SecondFactor(_)
                | AuthOutcome::TemporaryPassword,
            ) => Evidence::Reset(Reason::MigratedResetRequired),
            Some(AuthOutcome::Refused(refusal)) => {
                return Decision::no_such_user(Reason::Refused(*refusal));
            }
            Some(AuthOutcome::OtherChallenge(_)) | None => {
                return Decision::no_such_user(Reason::UnprovenChallenge);
            }
        },
        TriggerSource::ForgotPassword => Evidence::Reset(Reason::MigratedForReset),
    };
    let migrated = match trigger_reach::judge(user, mapping, &options.new_pool) {
        Ok(migrated) => migrated,
        Err(never) => return Decision::no_such_user(never.into()),
    };
    let keeps_phone = migrated.attributes.contains_key(PHONE_NUMBER);
    let sms_carried = |challenge: &str| SMS_CHALLENGES.contains(&challenge) && keeps_phone;
    let password_admitted = || {
        request
            .password
            .as_ref()
            .is_some_and(|password| options.password_policy.admits(password.expose()))
    };
    let (status, reason) = match evidence {
        Evidence::Reset(reason) => (FinalUserStatus::ResetRequired, reason),
        Evidence::SecondFactor(challenge) if !sms_carried(challenge) => (
            FinalUserStatus::ResetRequired,
            Reason::MigratedSecondFactorReset,
        ),
        // Tokens, or an SMS challenge, for a user who also has TOTP or e-mail codes: the old pool
        // skipped (or was not asked for) a factor the new pool can never ask for. Carrying SMS
        // alone would move the user down to the weaker factor without asking them.
        Evidence::Password | Evidence::SecondFactor(_)
            if trigger_reach::second_factor_beyond_sms(user) =>
        {
            (
                FinalUserStatus::ResetRequired,
                Reason::MigratedEnrolledFactorReset,
            )
        }
        Evidence::Password if password_admitted() => {
            (FinalUserStatus::Confirmed, Reason::MigratedConfirmed)
        }
        Evidence::SecondFactor(_) if password_admitted() => (
            FinalUserStatus::Confirmed,
            Reason::MigratedAfterSecondFactor,
        ),
        Evidence::Password | Evidence::SecondFactor(_) => {
            (FinalUserStatus::ResetRequired, Reason::MigratedWeakPassword)
        }
    };
    if status == FinalUserStatus::ResetRequired && !trigger_reach::reset_code_reaches(&migrated) {
        return Decision::no_such_user(Reason::NoVerifiedContact);
    }
    let desired_delivery_mediums = match request.trigger_source {
        TriggerSource::Authentication => None,
        TriggerSource::ForgotPassword => Some(verified_mediums(&migrated)),
    };
    let sms_challenge = matches!(auth, Some(AuthOutcome::SecondFactor(challenge))
        if SMS_CHALLENGES.contains(&challenge.as_str()));
    let sms_mfa = migrated.sms_mfa || (sms_challenge && keeps_phone);
    let answer_username = may_answer_username(&request.user_name, &migrated, options);
    let mut user_attributes = migrated.attributes;
    if answer_username {
        user_attributes.insert(USERNAME_ATTRIBUTE.to_string(), migrated.username);
    }
    Decision {
        response: Some(MigrationResponse {
            user_attributes,
            final_user_status: status,
            message_action: MessageAction::Suppress,
            desired_delivery_mediums,
            enable_sms_mfa: sms_mfa.then_some(true),
        }),
        reason,
    }
}

/// Where a reset code can go: the mapped user's verified e-mail and phone.
fn verified_mediums(migrated: &MigratedUser) -> Vec<DeliveryMedium> {
    let mut mediums = Vec::new();
    if migrated.has_verified_email() {
        mediums.push(DeliveryMedium::Email);
    }
    if migrated.has_verified_phone() {
        mediums.push(DeliveryMedium::Sms);
    }
    mediums
}

/// True when AWS allows the answer to carry the old user name: "You can return a username
/// parameter only if the submitted user name matches an alias attribute" (developer guide,
/// "Importing users with a user migration Lambda trigger"). So only when the new pool has alias
/// attributes (`RETURN_OLD_USERNAME`) and the typed name is one of the user's (mapped) alias
/// values. A typed user name is never answered back: Cognito keeps what was typed, which is that
/// user name (or, from an old pool that ignores case, the same name in another case).
fn may_answer_username(typed: &str, migrated: &MigratedUser, options: &Options) -> bool {
    let alias = |name: &str| migrated.attribute(name);
    options.return_old_username
        && migrated.username != typed
        && ([EMAIL, PREFERRED_USERNAME]
            .into_iter()
            .any(|name| alias(name).is_some_and(|value| value.eq_ignore_ascii_case(typed)))
            || alias(PHONE_NUMBER) == Some(typed))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use shared::Secret;
    use shared::partition::TenantTable;

    use super::*;

    fn sign_in(name: &str) -> MigrationRequest {
        MigrationRequest {
            trigger_source: TriggerSource::Authentication,
            user_name: name.to_string(),
            password: Some(Secret::new("Passw0rd!")),
            user_pool_id: Some("pool-acme".to_string()),
        }
    }

    fn forgot(name: &str) -> MigrationRequest {
        MigrationRequest {
            trigger_source: TriggerSource::ForgotPassword,
            user_name: name.to_string(),
            password: None,
            user_pool_id: Some("pool-acme".to_string()),
        }
    }

    fn ada() -> SourceUser {
        SourceUser::new("ada", SourceStatus::Confirmed)
            .with("sub", "11111111-2222-4333-8444-555555555555")
            .with("email", "ada@example.com")
            .with("email_verified", "true")
            .with("custom:tenant", "acme")
    }

    /// The lookup's answer for `user`, enrolled in no factor beyond SMS.
    fn found(user: SourceUser) -> Resolution {
        Resolution::Found(OldUser {
            user,
            factors: EnrolledFactors::default(),
        })
    }

    fn run(request: &MigrationRequest, user: SourceUser, auth: Option<AuthOutcome>) -> Decision {
        decide(
            request,
            &found(user),
            auth.as_ref(),
            &Mapping::default(),
            &Options::default(),
        )
    }

    #[test]
    fn right_password_migrates_confirmed_with_mapped_attributes() {
        let decision = run(&sign_in("ada"), ada(), Some(AuthOutcome::Authenticated));
        assert_eq!(decision.reason, Reason::MigratedConfirmed);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::Confirmed);
        assert_eq!(response.message_action, MessageAction::Suppress);
        let attributes = &response.user_attributes;
        assert_eq!(attributes.get("sub"), None);
        assert_eq!(
            attributes["custom:legacy_sub"],
            "11111111-2222-4333-8444-555555555555"
        );
        assert_eq!(attributes["email_verified"], "true");
        assert_eq!(attributes["custom:tenant"], "acme");
        assert_eq!(
            attributes.get(USERNAME_ATTRIBUTE),
            None,
            "the typed user name is kept by Cognito; answering it is not allowed"
        );
        assert_eq!(response.enable_sms_mfa, None);
        assert_eq!(response.desired_delivery_mediums, None);
    }

    #[test]
    fn a_second_factor_challenge_proves_the_password() {
        let mut user = ada().with("phone_number", "+15555550100");
        user.mfa.sms = true;
        let decision = run(
            &sign_in("ada"),
            user,
            Some(AuthOutcome::SecondFactor("SMS_MFA".into())),
        );
        assert_eq!(decision.reason, Reason::MigratedAfterSecondFactor);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::Confirmed);
        assert_eq!(response.enable_sms_mfa, Some(true));
    }

    #[test]
    fn a_temporary_password_never_becomes_permanent() {
        let decision = run(&sign_in("ada"), ada(), Some(AuthOutcome::TemporaryPassword));
        assert_eq!(decision.reason, Reason::MigratedResetRequired);
        assert_eq!(
            decision.response.unwrap().final_user_status,
            FinalUserStatus::ResetRequired
        );

        // An emulator that hands out tokens for a temporary password does not change that.
        let mut user = ada();
        user.status = SourceStatus::ForceChangePassword;
        let decision = run(&sign_in("ada"), user, Some(AuthOutcome::Authenticated));
        assert_eq!(
            decision.response.unwrap().final_user_status,
            FinalUserStatus::ResetRequired
        );
    }

    #[test]
    fn every_kind_of_no_gives_the_same_empty_answer() {
        let mut disabled = ada();
        disabled.enabled = false;
        let mut unconfirmed = ada();
        unconfirmed.status = SourceStatus::Unconfirmed;
        let mut compromised = ada();
        compromised.status = SourceStatus::Other("COMPROMISED".into());
        let federated = SourceUser::new("Google_1", SourceStatus::ExternalProvider);
        let unmappable = ada().with("phone_number", "0151 1234");
        let cases = [
            (Resolution::NotFound, None, "unknown-user"),
            (Resolution::AmbiguousAlias, None, "ambiguous-alias"),
            (
                found(ada()),
                Some(AuthOutcome::Refused(Refusal::NotAuthorized)),
                "wrong-password",
            ),
            (
                found(ada()),
                Some(AuthOutcome::Refused(Refusal::InvalidPassword)),
                "wrong-password",
            ),
            (
                found(ada()),
                Some(AuthOutcome::Refused(Refusal::UserNotFound)),
                "unknown-user",
            ),
            (
                found(ada()),
                Some(AuthOutcome::Refused(Refusal::Disabled)),
                "disabled",
            ),
            (
                found(ada()),
                Some(AuthOutcome::Refused(Refusal::PasswordResetRequired)),
                "password-reset-required",
            ),
            (
                found(ada()),
                Some(AuthOutcome::OtherChallenge("CUSTOM_CHALLENGE".into())),
                "unproven-challenge",
            ),
            (found(ada()), None, "unproven-challenge"),
            (
                found(disabled),
                Some(AuthOutcome::Authenticated),
                "disabled",
            ),
            (
                found(unconfirmed),
                Some(AuthOutcome::Authenticated),
                "unconfirmed",
            ),
            (
                found(compromised),
                Some(AuthOutcome::Authenticated),
                "unsupported-status",
            ),
            (
                found(federated),
                Some(AuthOutcome::Authenticated),
                "federated",
            ),
            (
                found(unmappable),
                Some(AuthOutcome::Authenticated),
                "mapping-rejected",
            ),
        ];
        for (resolution, auth, code) in cases {
            let decision = decide(
                &sign_in("ada"),
                &resolution,
                auth.as_ref(),
                &Mapping::default(),
                &Options::default(),
            );
            assert_eq!(decision.response, None, "{code}");
            assert_eq!(decision.reason.code(), code);
        }
    }

    #[test]
    fn alias_sign_in_answers_with_the_old_user_name_only_when_told_to() {
        let decision = run(
            &sign_in("ada@example.com"),
            ada(),
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(
            decision.response.unwrap().user_attributes[USERNAME_ATTRIBUTE],
            "ada"
        );

        let options = Options {
            return_old_username: false,
            ..Options::default()
        };
        let decision = decide(
            &sign_in("ada@example.com"),
            &found(ada()),
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &options,
        );
        assert_eq!(
            decision
                .response
                .unwrap()
                .user_attributes
                .get(USERNAME_ATTRIBUTE),
            None
        );
    }

    #[test]
    fn forgot_password_needs_a_verified_contact_and_names_it() {
        let decision = run(&forgot("ada"), ada(), None);
        assert_eq!(decision.reason, Reason::MigratedForReset);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::ResetRequired);
        assert_eq!(
            response.desired_delivery_mediums,
            Some(vec![DeliveryMedium::Email])
        );

        let both = ada()
            .with("phone_number", "+15555550100")
            .with("phone_number_verified", "true");
        let response = run(&forgot("ada"), both, None).response.unwrap();
        assert_eq!(
            response.desired_delivery_mediums,
            Some(vec![DeliveryMedium::Email, DeliveryMedium::Sms])
        );

        let phone_only = SourceUser::new("bo", SourceStatus::Confirmed)
            .with("phone_number", "+15555550100")
            .with("phone_number_verified", "true")
            .with("email", "bo@example.com");
        let response = run(&forgot("bo"), phone_only, None).response.unwrap();
        assert_eq!(
            response.desired_delivery_mediums,
            Some(vec![DeliveryMedium::Sms])
        );

        let unverified =
            SourceUser::new("cy", SourceStatus::Confirmed).with("email", "cy@example.com");
        let decision = run(&forgot("cy"), unverified, None);
        assert_eq!(decision.response, None);
        assert_eq!(decision.reason, Reason::NoVerifiedContact);
    }

    #[test]
    fn forgot_password_never_migrates_disabled_users() {
        let mut user = ada();
        user.enabled = false;
        assert_eq!(run(&forgot("ada"), user, None).reason, Reason::Disabled);
    }

    #[test]
    fn the_mapping_file_is_applied() {
        let mapping = Mapping::parse(
            r#"{"rename":{"custom:tenant":"custom:org"},"legacy_sub_attribute":"custom:old_id"}"#,
            Path::new("<test>"),
        )
        .unwrap();
        let decision = decide(
            &sign_in("ada"),
            &found(ada()),
            Some(&AuthOutcome::Authenticated),
            &mapping,
            &Options::default(),
        );
        let attributes = decision.response.unwrap().user_attributes;
        assert_eq!(attributes["custom:org"], "acme");
        assert_eq!(
            attributes["custom:old_id"],
            "11111111-2222-4333-8444-555555555555"
        );
        assert_eq!(attributes.get("custom:tenant"), None);
    }

    #[test]
    fn the_same_evidence_gives_the_same_answer() {
        let first = run(&sign_in("ada"), ada(), Some(AuthOutcome::Authenticated));
        let second = run(&sign_in("ada"), ada(), Some(AuthOutcome::Authenticated));
        assert_eq!(first, second);
    }

    #[test]
    fn a_user_of_another_tenant_is_answered_like_an_unknown_user() {
        let table = TenantTable::parse(
            r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"pool-acme"},"globex":{"pool_id":"pool-globex"}}}"#,
            Path::new("t.json"),
        )
        .unwrap();
        let derived = Options {
            return_old_username: true,
            tenant: Some(TenantRule {
                table: table.clone(),
                tenant: None,
            }),
            ..Options::default()
        };
        let fixed = Options {
            return_old_username: true,
            tenant: Some(TenantRule {
                table,
                tenant: Some("globex".into()),
            }),
            ..Options::default()
        };
        let acme_user = ada().with("custom:tenant", "acme");
        let acme = found(acme_user.clone());
        let admitted = decide(
            &sign_in("ada"),
            &acme,
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &derived,
        );
        assert_eq!(
            admitted.reason,
            Reason::MigratedConfirmed,
            "pool-acme admits acme users"
        );
        let refused = decide(
            &sign_in("ada"),
            &acme,
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &fixed,
        );
        assert_eq!(
            refused,
            Decision {
                response: None,
                reason: Reason::OtherTenant
            }
        );
        let forgot_refused = decide(&forgot("ada"), &acme, None, &Mapping::default(), &fixed);
        assert_eq!(forgot_refused.response, None);
        let mut loner = ada();
        loner.attributes.remove("custom:tenant");
        let no_tenant = found(loner);
        let refused = decide(
            &sign_in("ada"),
            &no_tenant,
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &derived,
        );
        assert_eq!(
            refused.reason,
            Reason::OtherTenant,
            "a user without a tenant goes nowhere"
        );
        assert_eq!(Reason::OtherTenant.code(), "other-tenant");
    }

    fn sign_in_with(name: &str, password: &str) -> MigrationRequest {
        MigrationRequest {
            password: Some(Secret::new(password)),
            ..sign_in(name)
        }
    }

    fn no_contact() -> SourceUser {
        SourceUser::new("nic", SourceStatus::Confirmed).with("email", "nic@example.com")
    }

    #[test]
    fn a_second_factor_the_new_pool_cannot_be_given_is_never_confirmed() {
        for challenge in [
            "SOFTWARE_TOKEN_MFA",
            "EMAIL_OTP",
            "SELECT_MFA_TYPE",
            "MFA_SETUP",
            "DEVICE_SRP_AUTH",
        ] {
            let outcome = Some(AuthOutcome::SecondFactor(challenge.into()));
            let decision = run(&sign_in("ada"), ada(), outcome.clone());
            assert_eq!(
                decision.reason,
                Reason::MigratedSecondFactorReset,
                "{challenge}"
            );
            let response = decision.response.unwrap();
            assert_eq!(
                response.final_user_status,
                FinalUserStatus::ResetRequired,
                "{challenge}: the reset code proves the verified e-mail first"
            );
            // Nowhere to send the code: not migrated at all, so the user stays recoverable.
            let decision = run(&sign_in("nic"), no_contact(), outcome);
            assert_eq!(decision.response, None, "{challenge}");
            assert_eq!(decision.reason, Reason::NoVerifiedContact);
        }
    }

    #[test]
    fn sms_is_carried_only_with_the_phone_and_only_as_the_one_factor() {
        let mut sms_user = ada()
            .with("phone_number", "+15555550100")
            .with("phone_number_verified", "true");
        sms_user.mfa.sms = true;
        let sms = Some(AuthOutcome::SecondFactor("SMS_MFA".into()));

        let response = run(&sign_in("ada"), sms_user.clone(), sms.clone())
            .response
            .unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::Confirmed);
        assert_eq!(response.enable_sms_mfa, Some(true));

        // The old user's MFA settings may not say SMS (legacy MFAOptions); the challenge does.
        let mut unflagged = sms_user.clone();
        unflagged.mfa.sms = false;
        let response = run(&sign_in("ada"), unflagged, sms.clone())
            .response
            .unwrap();
        assert_eq!(response.enable_sms_mfa, Some(true));

        // The mapping drops the phone: SMS cannot be given, so the password is not enough.
        let no_phone = Mapping::parse(
            r#"{"drop":["phone_number","phone_number_verified"]}"#,
            Path::new("<test>"),
        )
        .unwrap();
        let decision = decide(
            &sign_in("ada"),
            &found(sms_user.clone()),
            sms.as_ref(),
            &no_phone,
            &Options::default(),
        );
        assert_eq!(decision.reason, Reason::MigratedSecondFactorReset);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::ResetRequired);
        assert_eq!(
            response.enable_sms_mfa, None,
            "enableSMSMFA needs phone_number"
        );

        // SMS preferred but TOTP enrolled too: not moved down to SMS alone.
        let decision = run_enrolled(&sign_in("ada"), sms_user, TOTP, sms);
        assert_eq!(decision.reason, Reason::MigratedEnrolledFactorReset);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::ResetRequired);
        assert_eq!(
            response.enable_sms_mfa,
            Some(true),
            "SMS stays on after the reset"
        );
    }

    const TOTP: EnrolledFactors = EnrolledFactors {
        software_token: true,
        email_otp: false,
    };

    const EMAIL_OTP: EnrolledFactors = EnrolledFactors {
        software_token: false,
        email_otp: true,
    };

    /// [`run`] for a user whose record shows `factors` enrolled.
    fn run_enrolled(
        request: &MigrationRequest,
        user: SourceUser,
        factors: EnrolledFactors,
        auth: Option<AuthOutcome>,
    ) -> Decision {
        decide(
            request,
            &Resolution::Found(OldUser { user, factors }),
            auth.as_ref(),
            &Mapping::default(),
            &Options::default(),
        )
    }

    #[test]
    fn tokens_for_a_user_enrolled_in_totp_do_not_confirm_them() {
        let decision = run_enrolled(
            &sign_in("ada"),
            ada(),
            TOTP,
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(decision.reason, Reason::MigratedEnrolledFactorReset);
        assert_eq!(decision.reason.code(), "migrated-reset-enrolled-factor");
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::ResetRequired);
        assert_eq!(response.enable_sms_mfa, None);
    }

    #[test]
    fn tokens_for_a_user_enrolled_in_email_codes_do_not_confirm_them() {
        let decision = run_enrolled(
            &sign_in("ada"),
            ada(),
            EMAIL_OTP,
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(decision.reason, Reason::MigratedEnrolledFactorReset);
        assert_eq!(
            decision.response.unwrap().final_user_status,
            FinalUserStatus::ResetRequired
        );
    }

    #[test]
    fn an_enrolled_factor_outranks_the_other_answers_but_not_a_challenge_for_it() {
        let both = EnrolledFactors {
            software_token: true,
            email_otp: true,
        };
        let cases = [
            // A weak password would reset anyway; the factor is the reason logged.
            (
                sign_in_with("ada", "password"),
                Some(AuthOutcome::Authenticated),
                Reason::MigratedEnrolledFactorReset,
            ),
            // The old pool asked for the factor itself: the challenge is the reason.
            (
                sign_in("ada"),
                Some(AuthOutcome::SecondFactor("SOFTWARE_TOKEN_MFA".into())),
                Reason::MigratedSecondFactorReset,
            ),
            (
                sign_in("ada"),
                Some(AuthOutcome::TemporaryPassword),
                Reason::MigratedResetRequired,
            ),
            (forgot("ada"), None, Reason::MigratedForReset),
        ];
        for (request, auth, reason) in cases {
            let decision = run_enrolled(&request, ada(), both, auth);
            assert_eq!(decision.reason, reason);
            assert_eq!(
                decision.response.unwrap().final_user_status,
                FinalUserStatus::ResetRequired
            );
        }
        // Nowhere to send the code: not migrated at all, as for every reset.
        for factors in [TOTP, EMAIL_OTP] {
            let decision = run_enrolled(
                &sign_in("nic"),
                no_contact(),
                factors,
                Some(AuthOutcome::Authenticated),
            );
            assert_eq!(decision.response, None);
            assert_eq!(decision.reason, Reason::NoVerifiedContact);
        }
        // Refusals stay refusals.
        let decision = run_enrolled(
            &sign_in("ada"),
            ada(),
            TOTP,
            Some(AuthOutcome::Refused(Refusal::NotAuthorized)),
        );
        assert_eq!(decision.response, None);
    }

    #[test]
    fn sms_enrolled_with_tokens_keeps_the_sms_rule_and_no_factor_confirms() {
        let mut sms_user = ada()
            .with("phone_number", "+15555550100")
            .with("phone_number_verified", "true");
        sms_user.mfa.sms = true;
        // SMS enrolled, tokens (the old pool did not ask): CONFIRMED, SMS on in the new pool.
        let decision = run(
            &sign_in("ada"),
            sms_user.clone(),
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(decision.reason, Reason::MigratedConfirmed);
        let response = decision.response.unwrap();
        assert_eq!(response.final_user_status, FinalUserStatus::Confirmed);
        assert_eq!(response.enable_sms_mfa, Some(true));
        // The mapping drops the phone: still CONFIRMED (SMS keeps its own rule), but SMS cannot
        // be turned on without `phone_number`.
        let no_phone = Mapping::parse(
            r#"{"drop":["phone_number","phone_number_verified"]}"#,
            Path::new("<test>"),
        )
        .unwrap();
        let decision = decide(
            &sign_in("ada"),
            &found(sms_user),
            Some(&AuthOutcome::Authenticated),
            &no_phone,
            &Options::default(),
        );
        assert_eq!(decision.reason, Reason::MigratedConfirmed);
        assert_eq!(decision.response.unwrap().enable_sms_mfa, None);
        // No factor at all: CONFIRMED.
        let decision = run_enrolled(
            &sign_in("ada"),
            ada(),
            EnrolledFactors::default(),
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(decision.reason, Reason::MigratedConfirmed);
        assert_eq!(
            decision.response.unwrap().final_user_status,
            FinalUserStatus::Confirmed
        );
    }

    #[test]
    fn a_password_the_new_pool_would_refuse_is_not_kept() {
        for (password, why) in [
            ("password", "no upper case, number or symbol"),
            ("Sh0rt!", "too short"),
        ] {
            let decision = run(
                &sign_in_with("ada", password),
                ada(),
                Some(AuthOutcome::Authenticated),
            );
            assert_eq!(decision.reason, Reason::MigratedWeakPassword, "{why}");
            assert_eq!(
                decision.response.unwrap().final_user_status,
                FinalUserStatus::ResetRequired
            );
        }
        let mut sms_user = ada().with("phone_number", "+15555550100");
        sms_user.mfa.sms = true;
        let decision = run(
            &sign_in_with("ada", "password"),
            sms_user,
            Some(AuthOutcome::SecondFactor("SMS_MFA".into())),
        );
        assert_eq!(decision.reason, Reason::MigratedWeakPassword);

        let lax = Options {
            password_policy: PasswordPolicy::parse(r#"{"MinimumLength":6}"#).unwrap(),
            ..Options::default()
        };
        let decision = decide(
            &sign_in_with("ada", "password"),
            &found(ada()),
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &lax,
        );
        assert_eq!(decision.reason, Reason::MigratedConfirmed);

        let decision = run(
            &sign_in_with("nic", "password"),
            no_contact(),
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(decision.response, None);
        assert_eq!(decision.reason, Reason::NoVerifiedContact);
    }

    #[test]
    fn forgot_password_can_be_switched_off() {
        let off = Options {
            forgot_password: false,
            ..Options::default()
        };
        let decision = decide(
            &forgot("ada"),
            &found(ada()),
            None,
            &Mapping::default(),
            &off,
        );
        assert_eq!(decision.response, None);
        assert_eq!(decision.reason.code(), "forgot-password-off");
        let sign_in_still_works = decide(
            &sign_in("ada"),
            &found(ada()),
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &off,
        );
        assert_eq!(sign_in_still_works.reason, Reason::MigratedConfirmed);
    }

    #[test]
    fn the_user_name_is_answered_only_where_aws_allows_it() {
        let user = ada()
            .with("phone_number", "+15555550100")
            .with("preferred_username", "lovelace");
        let username_for = |typed: &str, options: &Options| {
            decide(
                &sign_in(typed),
                &found(user.clone()),
                Some(&AuthOutcome::Authenticated),
                &Mapping::default(),
                options,
            )
            .response
            .unwrap()
            .user_attributes
            .get(USERNAME_ATTRIBUTE)
            .cloned()
        };
        let aliases = Options::default();
        assert_eq!(
            username_for("ada", &aliases),
            None,
            "a typed user name matches no alias attribute"
        );
        for alias in [
            "ada@example.com",
            "ADA@Example.com",
            "+15555550100",
            "lovelace",
        ] {
            assert_eq!(
                username_for(alias, &aliases).as_deref(),
                Some("ada"),
                "{alias} is an alias value"
            );
        }
        // A case-insensitive old pool resolves "ADA", but "ADA" is neither the user name nor an
        // alias value: Cognito keeps what was typed.
        assert_eq!(username_for("ADA", &aliases), None);
        // A new pool that signs in by e-mail or phone generates user names itself.
        let by_email = Options {
            return_old_username: false,
            ..Options::default()
        };
        for typed in ["ada", "ada@example.com", "+15555550100"] {
            assert_eq!(username_for(typed, &by_email), None, "{typed}");
        }
    }

    fn by_email() -> Options {
        Options {
            return_old_username: false,
            new_pool: PoolShape {
                username_attributes: vec![EMAIL.to_string()],
                ..PoolShape::default()
            },
            ..Options::default()
        }
    }

    #[test]
    fn an_address_nobody_verified_is_no_sign_in_name_whatever_name_was_typed() {
        // Finding (issue 27 item 4): the shared rule strands this user, but the trigger migrated
        // it when its old user name was typed: the new pool would then hold an address nobody
        // proved was theirs as its sign-in name, perhaps another old user's verified one.
        let unverified = ada().with("email_verified", "false");
        for typed in ["ada", "ada@example.com"] {
            let decision = decide(
                &sign_in(typed),
                &found(unverified.clone()),
                Some(&AuthOutcome::Authenticated),
                &Mapping::default(),
                &by_email(),
            );
            assert_eq!(decision.response, None, "{typed}");
            assert_eq!(decision.reason, Reason::SignInValueUnverified);
            assert_eq!(decision.reason.code(), "sign-in-value-unverified");
        }
        let forgot = decide(
            &forgot("ada"),
            &found(unverified.clone()),
            None,
            &Mapping::default(),
            &by_email(),
        );
        assert_eq!(forgot.reason, Reason::SignInValueUnverified);
        let plain = run(
            &sign_in("ada"),
            unverified,
            Some(AuthOutcome::Authenticated),
        );
        assert_eq!(
            plain.reason,
            Reason::MigratedConfirmed,
            "a pool of user names signs in by the old user name"
        );
        let verified = decide(
            &sign_in("ada"),
            &found(ada()),
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &by_email(),
        );
        assert_eq!(verified.reason, Reason::MigratedConfirmed);
    }

    #[test]
    fn a_user_without_the_new_pools_sign_in_value_is_refused_as_the_export_refuses_it() {
        let no_email = SourceUser::new("bo", SourceStatus::Confirmed).with("sub", "s-bo");
        let decision = decide(
            &sign_in("bo"),
            &found(no_email),
            Some(&AuthOutcome::Authenticated),
            &Mapping::default(),
            &by_email(),
        );
        assert_eq!(decision.response, None);
        assert_eq!(decision.reason, Reason::MappingRejected("no-sign-in-value"));
        assert_eq!(decision.reason.code(), "mapping-rejected");
    }

    #[test]
    fn whom_the_shared_rule_strands_the_trigger_refuses_with_the_same_code() {
        let mut disabled = ada();
        disabled.enabled = false;
        let mut temporary = no_contact().with("sub", "s-nic");
        temporary.status = SourceStatus::ForceChangePassword;
        let mut codes_only = ada();
        codes_only.factors = Some(shared::user::SignInFactors {
            email_otp: true,
            ..Default::default()
        });
        let mut totp_no_contact = no_contact().with("sub", "s-nic");
        totp_no_contact.mfa.software_token = true;
        let users = [
            ada(),
            no_contact(),
            totp_no_contact,
            disabled,
            ada().with("phone_number", "0151 1234"),
            ada().with("email_verified", "false"),
            SourceUser::new("bo", SourceStatus::Confirmed).with("sub", "s-bo"),
            temporary,
            codes_only,
        ];
        let mut seen = std::collections::BTreeSet::new();
        for options in [Options::default(), by_email()] {
            for user in &users {
                let stranded = trigger_reach::refusal(user, &Mapping::default(), &options.new_pool);
                let decision = decide(
                    &sign_in(&user.username),
                    &found(user.clone()),
                    Some(&AuthOutcome::Authenticated),
                    &Mapping::default(),
                    &options,
                );
                let logged = match &decision.reason {
                    Reason::MappingRejected(detail) => Some(*detail),
                    _ if decision.response.is_some() => None,
                    reason => Some(reason.code()),
                };
                assert_eq!(logged, stranded, "{}", user.username);
                seen.extend(stranded);
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            [
                "disabled",
                "invalid-value",
                "no-password",
                "no-sign-in-value",
                "no-verified-contact",
                "sign-in-value-unverified",
            ],
            "every rule of the shared statement is exercised"
        );
    }
}
