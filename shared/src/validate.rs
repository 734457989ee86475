//! Value rules for single attributes: what Cognito accepts, in the form the model keeps.
//!
//! Values are normalised the way the import job would treat them anyway (surrounding white space
//! trimmed, booleans lower-case), so the bulk file and the trigger response carry the same value.

use crate::RejectReason;
use crate::attributes::{self, BIRTHDATE, EMAIL, PHONE_NUMBER, UPDATED_AT};

/// Normalises one attribute value, or says why it is not acceptable.
///
/// Returns `Ok(None)` for a value that is empty after trimming: Cognito treats an empty attribute
/// as absent.
pub fn normalize(name: &str, value: &str) -> Result<Option<String>, RejectReason> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let invalid = |problem: &str| RejectReason::InvalidValue {
        attribute: name.to_string(),
        problem: problem.to_string(),
    };
    if attributes::is_boolean(name) {
        return match parse_bool(value) {
            Some(b) => Ok(Some(b.to_string())),
            None => Err(invalid("is not true or false")),
        };
    }
    match name {
        PHONE_NUMBER if !is_e164(value) => {
            return Err(invalid("not E.164 (+ then 2 to 15 digits)"));
        }
        EMAIL if !is_plausible_email(value) => return Err(invalid("is not an email address")),
        BIRTHDATE if parse_birthdate(value).is_none() => {
            return Err(invalid("is not a date in the form YYYY-MM-DD"));
        }
        UPDATED_AT if value.parse::<u64>().is_err() => {
            return Err(invalid("is not epoch seconds"));
        }
        _ => {}
    }
    if attributes::is_standard(name) {
        let length = value.chars().count();
        if length > attributes::STANDARD_MAX_LEN {
            return Err(RejectReason::TooLong {
                attribute: name.to_string(),
                length,
                max: attributes::STANDARD_MAX_LEN,
            });
        }
    }
    Ok(Some(value.to_string()))
}

/// Parses Cognito's boolean spellings, case-insensitively.
pub fn parse_bool(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// True for an E.164 phone number as Cognito stores it: `+`, then a country code (which never
/// starts with 0), then digits, 2 to 15 in all (E.164's maximum), nothing else.
///
/// The one phone check of the toolkit: the mapping refuses a `phone_number` by it, a pool that
/// signs in by phone takes its user name by it, and the trigger decides by it whether a typed
/// name can be a phone alias. AWS: "Phone numbers must follow these format rules: A phone number
/// must start with a plus (`+`) sign, followed immediately by the country code. A phone number
/// can only contain the `+` sign and digits. [...] For example, a phone number based in the
/// United States must follow this format: `+14325551212`."
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html>,
/// "phone_number").
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// True for a value shaped like an email address: one `@`, non-empty local part and domain,
/// no white space or control characters. Cognito's own check is not published; this refuses
/// what certainly cannot receive mail and nothing more.
pub fn is_plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Parses `YYYY-MM-DD` (the form Cognito's API uses) into `(year, month, day)`, checking that
/// the day exists in that month.
pub fn parse_birthdate(value: &str) -> Option<(u32, u32, u32)> {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &value[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1 && (1..=days_in_month).contains(&day)).then_some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_drops_empty_values() {
        assert_eq!(normalize("name", "  Ada  ").unwrap(), Some("Ada".into()));
        assert_eq!(normalize("name", " \t ").unwrap(), None);
    }

    #[test]
    fn booleans_become_lower_case() {
        assert_eq!(
            normalize("email_verified", "TRUE").unwrap(),
            Some("true".into())
        );
        assert_eq!(
            normalize("phone_number_verified", "False").unwrap(),
            Some("false".into())
        );
        assert_eq!(
            normalize("email_verified", "yes").unwrap_err().to_string(),
            "email_verified is not true or false"
        );
    }

    #[test]
    fn phone_numbers_must_be_e164() {
        assert!(is_e164("+4915112345678"));
        assert!(!is_e164("+49 151 12345678"));
        assert!(!is_e164("004915112345678"));
        assert!(!is_e164("+1234567890123456"));
        // A country code never starts with 0.
        assert!(!is_e164("+0123"));
        assert!(!is_e164("+04915112345678"));
        assert!(is_e164("+14325551212"));
        assert!(!is_e164("+"));
        assert!(!is_e164("+1"));
        assert!(is_e164("+123456789012345"));
        assert_eq!(
            normalize("phone_number", "555-1234")
                .unwrap_err()
                .to_string(),
            "phone_number not E.164 (+ then 2 to 15 digits)"
        );
    }

    #[test]
    fn emails_need_an_at_and_a_domain() {
        assert!(is_plausible_email("ada@example.com"));
        assert!(is_plausible_email("ÄDA+tag@exämple.de"));
        assert!(!is_plausible_email("ada"));
        assert!(!is_plausible_email("ada@"));
        assert!(!is_plausible_email("a da@example.com"));
        assert!(!is_plausible_email("a@b@c"));
    }

    #[test]
    fn birthdates_are_real_days() {
        assert_eq!(parse_birthdate("1985-02-01"), Some((1985, 2, 1)));
        assert_eq!(parse_birthdate("2000-02-29"), Some((2000, 2, 29)));
        assert_eq!(parse_birthdate("1900-02-29"), None);
        assert_eq!(parse_birthdate("1985-13-01"), None);
        assert_eq!(parse_birthdate("02/01/1985"), None);
        assert_eq!(parse_birthdate("0000-02-01"), None);
    }

    #[test]
    fn updated_at_is_epoch_seconds() {
        assert_eq!(
            normalize("updated_at", "1471453471").unwrap(),
            Some("1471453471".into())
        );
        assert!(normalize("updated_at", "2020-01-01").is_err());
    }

    #[test]
    fn standard_values_are_capped_at_2048_chars() {
        assert!(normalize("name", &"x".repeat(2048)).is_ok());
        let err = normalize("name", &"x".repeat(2049)).unwrap_err();
        assert_eq!(err.code(), "too-long");
        // Custom attributes are checked against the new pool's schema instead.
        assert!(normalize("custom:bio", &"x".repeat(3000)).is_ok());
    }
}
