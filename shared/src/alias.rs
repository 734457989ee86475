//! The two aliases a typed sign-in name can be, e-mail address or phone number, and how each is
//! recognised and compared.
//!
//! Cognito verifies only these two ("Only the email and phone_number attributes can be
//! verified", <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html>),
//! so each has a `*_verified` flag ([`crate::attributes::VERIFIABLE`]), and a phone alias is
//! recognised by the same E.164 rule the mapping applies to `phone_number`
//! ([`crate::validate::is_e164`]).

/// An alias attribute the old pool can be searched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasKind {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
}

impl AliasKind {
    /// The attribute name, as `ListUsers` filters spell it.
    pub fn attribute(self) -> &'static str {
        match self {
            AliasKind::Email => crate::attributes::EMAIL,
            AliasKind::PhoneNumber => crate::attributes::PHONE_NUMBER,
        }
    }

    /// The `*_verified` flag that makes the attribute usable for sign-in
    /// ([`crate::attributes::verified_flag`]; both kinds have one).
    pub fn verified_flag(self) -> &'static str {
        crate::attributes::verified_flag(self.attribute()).unwrap_or_default()
    }

    /// True when a stored alias value answers to the typed one: e-mail addresses ignoring
    /// ASCII case (people type them in any case), phone numbers exactly.
    pub fn matches(self, stored: &str, typed: &str) -> bool {
        match self {
            AliasKind::Email => stored.eq_ignore_ascii_case(typed),
            AliasKind::PhoneNumber => stored == typed,
        }
    }

    /// The kind of alias a typed name looks like, if any: an address with `@`, or an E.164
    /// number by the same rule the mapping applies to `phone_number` (so a number the new pool
    /// could never hold is not searched for). Anything else is only ever a user name.
    pub fn of(typed: &str) -> Option<AliasKind> {
        if typed.contains('@') {
            Some(AliasKind::Email)
        } else if crate::validate::is_e164(typed) {
            Some(AliasKind::PhoneNumber)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_kinds_from_the_typed_name() {
        assert_eq!(AliasKind::of("ada@example.com"), Some(AliasKind::Email));
        assert_eq!(AliasKind::of("+15555550100"), Some(AliasKind::PhoneNumber));
        assert_eq!(AliasKind::of("+1"), None);
        assert_eq!(AliasKind::of("+1555abc"), None);
        assert_eq!(
            AliasKind::of("+0151234567"),
            None,
            "no country code starts with 0"
        );
        assert_eq!(AliasKind::of("ada"), None);
        assert_eq!(AliasKind::Email.verified_flag(), "email_verified");
        assert_eq!(
            AliasKind::PhoneNumber.verified_flag(),
            "phone_number_verified"
        );
    }

    #[test]
    fn emails_match_in_any_case_phones_exactly() {
        assert!(AliasKind::Email.matches("Ada@Example.com", "ada@example.COM"));
        assert!(!AliasKind::Email.matches("ada@example.com", "bo@example.com"));
        assert!(AliasKind::PhoneNumber.matches("+15555550100", "+15555550100"));
        assert!(!AliasKind::PhoneNumber.matches("+15555550100", "+15555550101"));
    }
}
