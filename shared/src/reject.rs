//! Why a user cannot be migrated, in words an operator can act on.
//!
//! Every reason has a stable `code` (for counting in `summary.json` and for log fields) and a
//! human sentence that names the field and says what is wrong.

use std::fmt;

/// Why one user is not migrated. The `Display` form is the sentence written to `rejected.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The user was created by a federated sign-in (status `EXTERNAL_PROVIDER`).
    Federated,
    /// None of the new pool's auto-verified contacts is verified, so the user could never receive
    /// a password-reset code after an import.
    NoVerifiedContact {
        /// The attributes the new pool auto-verifies, e.g. `["email"]`.
        auto_verified: Vec<String>,
    },
    /// A `*_verified` flag is true but the attribute it vouches for is missing.
    VerifiedWithoutValue {
        /// `email` or `phone_number`.
        attribute: String,
    },
    /// A value is not in the form the attribute requires.
    InvalidValue {
        /// The attribute.
        attribute: String,
        /// What is wrong, e.g. `not E.164 (+ and up to 15 digits)`.
        problem: String,
    },
    /// An attribute the new pool requires is empty.
    RequiredMissing {
        /// The attribute.
        attribute: String,
    },
    /// The user has a value for an attribute the new pool does not have, and the mapping does not
    /// say to drop it.
    NoTargetAttribute {
        /// The attribute (after renaming).
        attribute: String,
    },
    /// A value is longer than the new pool accepts for that attribute.
    TooLong {
        /// The attribute.
        attribute: String,
        /// Length of the value in characters.
        length: usize,
        /// Most characters allowed.
        max: usize,
    },
    /// A value cannot be written in Cognito's CSV import format.
    NotExpressibleInCsv {
        /// The attribute or column.
        attribute: String,
        /// Why, e.g. `contains a line break`.
        problem: String,
    },
    /// The encoded row exceeds the import format's 16,000 characters.
    RowTooLong {
        /// Length of the row in characters.
        length: usize,
    },
    /// The user name cannot be imported (spaces or tabs, or empty).
    InvalidUsername {
        /// What is wrong.
        problem: String,
    },
    /// The new pool requires MFA but the user has no second factor the import can carry.
    MfaRequiredWithoutPhone,
    /// The new pool signs users in by e-mail and/or phone, and the user has neither value for
    /// `cognito:username`.
    NoSignInValue {
        /// The new pool's `UsernameAttributes` (`email`, `phone_number`).
        attributes: Vec<String>,
    },
    /// Another old-pool user would sign in to the new pool with the same value: none of them is
    /// imported, rather than one at random.
    SignInCollision {
        /// The field they share (`cognito:username`, `email`, `phone_number`,
        /// `preferred_username`).
        field: String,
        /// True when the new pool compares the value case-insensitively.
        case_insensitive: bool,
        /// The other users' old user names.
        others: Vec<String>,
    },
}

impl RejectReason {
    /// A short stable code for counting reasons (`summary.json`, logs).
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::Federated => "federated",
            RejectReason::NoVerifiedContact { .. } => "no-verified-contact",
            RejectReason::VerifiedWithoutValue { .. } => "verified-without-value",
            RejectReason::InvalidValue { .. } => "invalid-value",
            RejectReason::RequiredMissing { .. } => "required-missing",
            RejectReason::NoTargetAttribute { .. } => "no-target-attribute",
            RejectReason::TooLong { .. } => "too-long",
            RejectReason::NotExpressibleInCsv { .. } => "not-expressible-in-csv",
            RejectReason::RowTooLong { .. } => "row-too-long",
            RejectReason::InvalidUsername { .. } => "invalid-username",
            RejectReason::MfaRequiredWithoutPhone => "mfa-required-without-phone",
            RejectReason::NoSignInValue { .. } => "no-sign-in-value",
            RejectReason::SignInCollision { .. } => "sign-in-collision",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::Federated => write!(
                f,
                "federated user: created by sign-in, cannot be imported (it is re-created when the user signs in through the identity provider)"
            ),
            RejectReason::NoVerifiedContact { auto_verified } => {
                let wanted = auto_verified
                    .iter()
                    .map(|a| format!("verified {a}"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                write!(
                    f,
                    "no verified email or phone: the user could never reset the password (the new pool needs {wanted})"
                )
            }
            RejectReason::VerifiedWithoutValue { attribute } => {
                write!(f, "{attribute}_verified is true but {attribute} is empty")
            }
            RejectReason::InvalidValue { attribute, problem } => write!(f, "{attribute} {problem}"),
            RejectReason::RequiredMissing { attribute } => {
                write!(f, "required attribute {attribute} missing")
            }
            RejectReason::NoTargetAttribute { attribute } => write!(
                f,
                "attribute {attribute} does not exist in the new pool: add it there, or drop or rename it in the mapping file"
            ),
            RejectReason::TooLong {
                attribute,
                length,
                max,
            } => write!(
                f,
                "{attribute} is {length} characters, the new pool allows at most {max}"
            ),
            RejectReason::NotExpressibleInCsv { attribute, problem } => write!(
                f,
                "{attribute} {problem}, which the CSV import format cannot carry"
            ),
            RejectReason::RowTooLong { length } => {
                write!(f, "row longer than 16000 chars ({length})")
            }
            RejectReason::InvalidUsername { problem } => write!(f, "user name {problem}"),
            RejectReason::MfaRequiredWithoutPhone => write!(
                f,
                "the new pool requires SMS MFA but the user has no phone_number"
            ),
            RejectReason::NoSignInValue { attributes } => write!(
                f,
                "the new pool signs users in by {}, which this user lacks (cognito:username must hold it)",
                attributes.join(" or ")
            ),
            RejectReason::SignInCollision {
                field,
                case_insensitive,
                others,
            } => {
                let case = if *case_insensitive {
                    " (the new pool ignores case)"
                } else {
                    ""
                };
                write!(
                    f,
                    "{field} is the same{case} as for {}: none of them is imported; make the values unique in the old pool and export again",
                    others.join(" ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One reason of every kind, each with its code: the codes are what `summary.json` counts
    /// and tests match on, so they are fixed here.
    fn every_reason() -> Vec<(RejectReason, &'static str)> {
        let attribute = || "email".to_string();
        vec![
            (RejectReason::Federated, "federated"),
            (
                RejectReason::NoVerifiedContact {
                    auto_verified: vec![attribute()],
                },
                "no-verified-contact",
            ),
            (
                RejectReason::VerifiedWithoutValue {
                    attribute: attribute(),
                },
                "verified-without-value",
            ),
            (
                RejectReason::InvalidValue {
                    attribute: attribute(),
                    problem: "x".into(),
                },
                "invalid-value",
            ),
            (
                RejectReason::RequiredMissing {
                    attribute: attribute(),
                },
                "required-missing",
            ),
            (
                RejectReason::NoTargetAttribute {
                    attribute: attribute(),
                },
                "no-target-attribute",
            ),
            (
                RejectReason::TooLong {
                    attribute: attribute(),
                    length: 3,
                    max: 2,
                },
                "too-long",
            ),
            (
                RejectReason::NotExpressibleInCsv {
                    attribute: attribute(),
                    problem: "x".into(),
                },
                "not-expressible-in-csv",
            ),
            (RejectReason::RowTooLong { length: 16_001 }, "row-too-long"),
            (
                RejectReason::InvalidUsername {
                    problem: "x".into(),
                },
                "invalid-username",
            ),
            (
                RejectReason::MfaRequiredWithoutPhone,
                "mfa-required-without-phone",
            ),
            (
                RejectReason::NoSignInValue {
                    attributes: vec![attribute()],
                },
                "no-sign-in-value",
            ),
            (
                RejectReason::SignInCollision {
                    field: attribute(),
                    case_insensitive: false,
                    others: vec!["bo".into()],
                },
                "sign-in-collision",
            ),
        ]
    }

    #[test]
    fn every_kind_has_its_own_stable_code_and_a_sentence() {
        let reasons = every_reason();
        let codes: std::collections::BTreeSet<&str> =
            reasons.iter().map(|(r, _)| r.code()).collect();
        assert_eq!(codes.len(), reasons.len(), "two kinds share a code");
        for (reason, code) in &reasons {
            assert_eq!(reason.code(), *code);
            assert!(!reason.to_string().is_empty(), "{code}");
        }
    }

    #[test]
    fn reasons_name_the_field() {
        let r = RejectReason::InvalidValue {
            attribute: "phone_number".into(),
            problem: "not E.164 (+ and up to 15 digits)".into(),
        };
        assert_eq!(
            r.to_string(),
            "phone_number not E.164 (+ and up to 15 digits)"
        );
        assert_eq!(r.code(), "invalid-value");
        let r = RejectReason::RequiredMissing {
            attribute: "given_name".into(),
        };
        assert_eq!(r.to_string(), "required attribute given_name missing");
    }

    #[test]
    fn a_collision_names_the_field_and_the_other_users() {
        let r = RejectReason::SignInCollision {
            field: "email".into(),
            case_insensitive: true,
            others: vec!["bo".into(), "cy".into()],
        };
        assert_eq!(
            r.to_string(),
            "email is the same (the new pool ignores case) as for bo cy: none of them is imported; make the values unique in the old pool and export again"
        );
        assert_eq!(r.code(), "sign-in-collision");
    }

    #[test]
    fn no_verified_contact_says_what_is_needed() {
        let r = RejectReason::NoVerifiedContact {
            auto_verified: vec!["email".into(), "phone_number".into()],
        };
        assert!(
            r.to_string()
                .starts_with("no verified email or phone: the user could never reset the password")
        );
        assert!(
            r.to_string()
                .contains("verified email or verified phone_number")
        );
    }
}
