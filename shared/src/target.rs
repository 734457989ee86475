//! The new pool's rules for imported users, checked per user as the import job would.
//!
//! Built from `DescribeUserPool`, `GetUserPoolMfaConfig` and `GetCSVHeader` (see
//! [`crate::from_sdk`]); checked here without any network.

use std::collections::{BTreeMap, BTreeSet};

use crate::attributes::PHONE_NUMBER;
use crate::{MigratedUser, PoolShape, RejectReason};

/// The new pool's MFA configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaMode {
    /// MFA off: `cognito:mfa_enabled` must be false for every user.
    Off,
    /// MFA required: `cognito:mfa_enabled` must be true for every user.
    On,
    /// Users choose.
    Optional,
}

/// What the new pool demands of every imported user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRules {
    /// The new pool's id.
    pub pool_id: String,
    /// Attributes marked required in the new pool's schema (`sub` excluded).
    pub required: BTreeSet<String>,
    /// `email` and/or `phone_number`: the contacts the new pool verifies automatically.
    pub auto_verified: Vec<String>,
    /// MFA configuration.
    pub mfa: MfaMode,
    /// The pool offers SMS as a second factor.
    pub sms_mfa_available: bool,
    /// The pool offers TOTP as a second factor.
    pub software_token_mfa_available: bool,
    /// How the pool signs users in: what `cognito:username` holds, which values must be unique.
    pub shape: PoolShape,
    /// Longest accepted value per custom string attribute.
    pub max_lengths: BTreeMap<String, usize>,
    /// Custom attributes of type Number.
    pub number_attributes: BTreeSet<String>,
    /// Every attribute the new pool can receive (the import header's attribute columns).
    pub writable: BTreeSet<String>,
}

impl TargetRules {
    /// Checks one mapped user against the new pool's rules.
    pub fn check(&self, user: &MigratedUser) -> Result<(), RejectReason> {
        for (name, value) in &user.attributes {
            if !self.writable.contains(name) {
                return Err(RejectReason::NoTargetAttribute {
                    attribute: name.clone(),
                });
            }
            if let Some(&max) = self.max_lengths.get(name) {
                let length = value.chars().count();
                if length > max {
                    return Err(RejectReason::TooLong {
                        attribute: name.clone(),
                        length,
                        max,
                    });
                }
            }
            if self.number_attributes.contains(name) && value.parse::<i64>().is_err() {
                return Err(RejectReason::InvalidValue {
                    attribute: name.clone(),
                    problem: "is not a whole number (the new pool's attribute is of type Number)"
                        .to_string(),
                });
            }
        }
        if let Some(missing) = self
            .required
            .iter()
            .find(|name| user.attribute(name).is_none())
        {
            return Err(RejectReason::RequiredMissing {
                attribute: missing.clone(),
            });
        }
        if !self.auto_verified.iter().any(|a| user.has_verified(a)) {
            return Err(RejectReason::NoVerifiedContact {
                auto_verified: self.auto_verified.clone(),
            });
        }
        if self.mfa == MfaMode::On
            && self.sms_mfa_available
            && !self.software_token_mfa_available
            && user.attribute(PHONE_NUMBER).is_none()
        {
            return Err(RejectReason::MfaRequiredWithoutPhone);
        }
        Ok(())
    }

    /// The value of `cognito:mfa_enabled` for this user, as the import rules require: true for all
    /// when MFA is required, false for all when it is off, and the user's own SMS MFA when optional.
    /// (TOTP secrets cannot be exported; such users enrol again.)
    pub fn mfa_enabled(&self, user: &MigratedUser) -> bool {
        match self.mfa {
            MfaMode::On => true,
            MfaMode::Off => false,
            MfaMode::Optional => user.sms_mfa,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mapping, SourceStatus, SourceUser};

    fn rules() -> TargetRules {
        TargetRules {
            pool_id: "us-east-1_new".into(),
            required: ["email".to_string()].into(),
            auto_verified: vec!["email".into()],
            mfa: MfaMode::Optional,
            sms_mfa_available: true,
            software_token_mfa_available: false,
            shape: PoolShape::default(),
            max_lengths: [("custom:tenant".to_string(), 8)].into(),
            number_attributes: ["custom:age".to_string()].into(),
            writable: [
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "custom:tenant",
                "custom:age",
                "name",
            ]
            .map(String::from)
            .into(),
        }
    }

    fn user(pairs: &[(&str, &str)]) -> MigratedUser {
        let mut source = SourceUser::new("u", SourceStatus::Confirmed);
        for (k, v) in pairs {
            source = source.with(k, v);
        }
        Mapping::default()
            .without_legacy_sub()
            .apply(&source)
            .unwrap()
    }

    #[test]
    fn a_verified_user_passes() {
        let u = user(&[("email", "u@example.com"), ("email_verified", "true")]);
        assert_eq!(rules().check(&u), Ok(()));
    }

    #[test]
    fn unverified_contacts_are_refused_with_the_reason() {
        let u = user(&[
            ("email", "u@example.com"),
            ("phone_number", "+15555550100"),
            ("phone_number_verified", "true"),
        ]);
        let err = rules().check(&u).unwrap_err();
        assert_eq!(err.code(), "no-verified-contact");
    }

    #[test]
    fn required_attributes_must_be_present() {
        let mut r = rules();
        r.required.insert("name".into());
        let u = user(&[("email", "u@example.com"), ("email_verified", "true")]);
        assert_eq!(
            r.check(&u).unwrap_err().to_string(),
            "required attribute name missing"
        );
    }

    #[test]
    fn attributes_the_pool_lacks_are_refused() {
        let u = user(&[
            ("email", "u@example.com"),
            ("email_verified", "true"),
            ("custom:shoe", "42"),
        ]);
        assert_eq!(
            rules().check(&u).unwrap_err(),
            RejectReason::NoTargetAttribute {
                attribute: "custom:shoe".into()
            }
        );
    }

    #[test]
    fn custom_constraints_apply() {
        let u = user(&[
            ("email", "u@example.com"),
            ("email_verified", "true"),
            ("custom:tenant", "far-too-long"),
        ]);
        assert_eq!(rules().check(&u).unwrap_err().code(), "too-long");
        let u = user(&[
            ("email", "u@example.com"),
            ("email_verified", "true"),
            ("custom:age", "old"),
        ]);
        assert_eq!(rules().check(&u).unwrap_err().code(), "invalid-value");
    }

    #[test]
    fn mfa_flag_follows_the_pool() {
        let mut r = rules();
        let u = user(&[("email", "u@example.com"), ("email_verified", "true")]);
        assert!(!r.mfa_enabled(&u));
        r.mfa = MfaMode::On;
        assert!(r.mfa_enabled(&u));
        assert_eq!(
            r.check(&u).unwrap_err(),
            RejectReason::MfaRequiredWithoutPhone
        );
        r.software_token_mfa_available = true;
        assert_eq!(r.check(&u), Ok(()));
        r.mfa = MfaMode::Off;
        assert!(!r.mfa_enabled(&u));
    }
}
