//! A user as the old pool holds it.

use std::collections::BTreeMap;
use std::fmt;

use crate::attributes;

/// A user's status in the old pool (`UserStatusType`), with what it means for the migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceStatus {
    /// Signed up and confirmed: the password is known to the user and can be carried over by the
    /// trigger at sign-in.
    Confirmed,
    /// Signed up, never confirmed.
    Unconfirmed,
    /// Created by an administrator; only a temporary password exists.
    ForceChangePassword,
    /// An administrator required a password reset.
    ResetRequired,
    /// Created by a federated sign-in.
    ExternalProvider,
    /// Compromised, archived, unknown or a status this tool does not know yet.
    Other(String),
}

impl SourceStatus {
    /// Parses Cognito's status string (`CONFIRMED`, `FORCE_CHANGE_PASSWORD`, ...).
    pub fn parse(s: &str) -> SourceStatus {
        match s {
            "CONFIRMED" => SourceStatus::Confirmed,
            "UNCONFIRMED" => SourceStatus::Unconfirmed,
            "FORCE_CHANGE_PASSWORD" => SourceStatus::ForceChangePassword,
            "RESET_REQUIRED" => SourceStatus::ResetRequired,
            "EXTERNAL_PROVIDER" => SourceStatus::ExternalProvider,
            other => SourceStatus::Other(other.to_string()),
        }
    }

    /// Cognito's spelling of the status.
    pub fn as_str(&self) -> &str {
        match self {
            SourceStatus::Confirmed => "CONFIRMED",
            SourceStatus::Unconfirmed => "UNCONFIRMED",
            SourceStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            SourceStatus::ResetRequired => "RESET_REQUIRED",
            SourceStatus::ExternalProvider => "EXTERNAL_PROVIDER",
            SourceStatus::Other(s) => s,
        }
    }

    /// True when the user has a permanent password that the UserMigration trigger can carry over
    /// at sign-in. Everyone else loses nothing by being bulk-imported (and landing in
    /// `RESET_REQUIRED`) before cutover.
    pub fn password_survives_sign_in(&self) -> bool {
        matches!(self, SourceStatus::Confirmed)
    }
}

impl fmt::Display for SourceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the UserMigration trigger never migrates an old-pool user, whatever password is typed.
///
/// The trigger's `precheck` and `cognito-migrate status` (which counts such users as stranded)
/// both read this one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotMigratable {
    /// An administrator disabled the user.
    Disabled,
    /// Created by a federated sign-in: it has no password in the old pool.
    Federated,
    /// Never confirmed the sign-up.
    Unconfirmed,
    /// A status the trigger does not migrate (`COMPROMISED`, `ARCHIVED`, ...).
    UnsupportedStatus,
}

impl NotMigratable {
    /// The stable code logs and reports use (`disabled`, `federated`, ...).
    pub fn code(self) -> &'static str {
        match self {
            NotMigratable::Disabled => "disabled",
            NotMigratable::Federated => "federated",
            NotMigratable::Unconfirmed => "unconfirmed",
            NotMigratable::UnsupportedStatus => "unsupported-status",
        }
    }
}

/// The MFA settings of an old-pool user, as far as they can be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MfaSettings {
    /// SMS MFA is enabled for the user.
    pub sms: bool,
    /// TOTP (software token) MFA is enabled. Its secret cannot be exported, so the user must
    /// enrol again in the new pool.
    pub software_token: bool,
    /// E-mail MFA (`EMAIL_OTP` in `UserMFASettingList`) is enabled.
    pub email: bool,
}

/// How a user can sign in first, from `AdminGetUserAuthFactors`' `ConfiguredUserAuthFactors`
/// (API reference: "The authentication types that are available to the user with USER_AUTH
/// sign-in"): read only where the old pool offers sign-in without a password.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInFactors {
    /// `PASSWORD`: the user has a password.
    pub password: bool,
    /// `EMAIL_OTP`: a one-time code to the e-mail.
    pub email_otp: bool,
    /// `SMS_OTP`: a one-time code to the phone.
    pub sms_otp: bool,
    /// `WEB_AUTHN`: a passkey, whose key no administrator can read or carry.
    pub web_authn: bool,
}

/// One user of the old pool: the input of the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceUser {
    /// The old pool's user name (for email-as-username pools, a UUID).
    pub username: String,
    /// The user's status.
    pub status: SourceStatus,
    /// False when an administrator disabled the user.
    pub enabled: bool,
    /// Every attribute the old pool returned, `sub` included.
    pub attributes: BTreeMap<String, String>,
    /// MFA settings (known only from `AdminGetUser`; from `ListUsers` only legacy SMS options).
    pub mfa: MfaSettings,
    /// How the user signs in first, where it was read (`None`: not read; a password is assumed).
    pub factors: Option<SignInFactors>,
}

impl SourceUser {
    /// A user with the given name and status, enabled, with no attributes.
    pub fn new(username: impl Into<String>, status: SourceStatus) -> SourceUser {
        SourceUser {
            username: username.into(),
            status,
            enabled: true,
            attributes: BTreeMap::new(),
            mfa: MfaSettings::default(),
            factors: None,
        }
    }

    /// True when the trigger can carry the user's password at sign-in: a `CONFIRMED` user who
    /// has a password (a user who signs in only with one-time codes or a passkey has none, and
    /// loses nothing by being imported now).
    pub fn password_survives_sign_in(&self) -> bool {
        self.status.password_survives_sign_in() && self.factors.is_none_or(|f| f.password)
    }

    /// Adds an attribute (builder style, for tests and conversions).
    pub fn with(mut self, name: &str, value: &str) -> SourceUser {
        self.attributes.insert(name.to_string(), value.to_string());
        self
    }

    /// The old pool's `sub`, or an empty string if the pool did not return it.
    pub fn sub(&self) -> &str {
        self.attributes
            .get(attributes::SUB)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The value of an attribute, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// Why the trigger would refuse this user at sign-in before asking the old pool anything, or
    /// `None` when it may migrate them (enabled, and `CONFIRMED`, `FORCE_CHANGE_PASSWORD` or
    /// `RESET_REQUIRED`).
    pub fn not_migratable_at_sign_in(&self) -> Option<NotMigratable> {
        if !self.enabled {
            return Some(NotMigratable::Disabled);
        }
        match self.status {
            SourceStatus::Confirmed
            | SourceStatus::ForceChangePassword
            | SourceStatus::ResetRequired => None,
            SourceStatus::ExternalProvider => Some(NotMigratable::Federated),
            SourceStatus::Unconfirmed => Some(NotMigratable::Unconfirmed),
            SourceStatus::Other(_) => Some(NotMigratable::UnsupportedStatus),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_and_knows_whose_password_survives() {
        for s in [
            "CONFIRMED",
            "UNCONFIRMED",
            "FORCE_CHANGE_PASSWORD",
            "RESET_REQUIRED",
            "EXTERNAL_PROVIDER",
            "ARCHIVED",
        ] {
            assert_eq!(SourceStatus::parse(s).as_str(), s);
        }
        assert!(SourceStatus::Confirmed.password_survives_sign_in());
        let mut passwordless = SourceUser::new("ada", SourceStatus::Confirmed);
        assert!(
            passwordless.password_survives_sign_in(),
            "not read: a password is assumed"
        );
        passwordless.factors = Some(SignInFactors {
            email_otp: true,
            ..SignInFactors::default()
        });
        assert!(!passwordless.password_survives_sign_in());
        assert!(!SourceStatus::ForceChangePassword.password_survives_sign_in());
        assert!(!SourceStatus::ResetRequired.password_survives_sign_in());
        assert!(!SourceStatus::Unconfirmed.password_survives_sign_in());
    }

    #[test]
    fn the_trigger_refuses_disabled_federated_unconfirmed_and_unknown_statuses() {
        let mut disabled = SourceUser::new("a", SourceStatus::Confirmed);
        disabled.enabled = false;
        assert_eq!(
            disabled.not_migratable_at_sign_in(),
            Some(NotMigratable::Disabled)
        );
        for (status, refusal) in [
            ("CONFIRMED", None),
            ("FORCE_CHANGE_PASSWORD", None),
            ("RESET_REQUIRED", None),
            ("EXTERNAL_PROVIDER", Some(NotMigratable::Federated)),
            ("UNCONFIRMED", Some(NotMigratable::Unconfirmed)),
            ("COMPROMISED", Some(NotMigratable::UnsupportedStatus)),
        ] {
            let user = SourceUser::new("a", SourceStatus::parse(status));
            assert_eq!(user.not_migratable_at_sign_in(), refusal, "{status}");
        }
        assert_eq!(
            NotMigratable::UnsupportedStatus.code(),
            "unsupported-status"
        );
    }
}
