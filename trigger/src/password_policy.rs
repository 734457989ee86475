//! The new pool's password policy, applied to the typed password before it is kept.
//!
//! Why the trigger checks it: Cognito does not. AWS's migrate-user page says the new pool's
//! password policy is not enforced during migration, and to "validate the password strength in
//! your code. Then set finalUserStatus to RESET_REQUIRED"
//! (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html>).
//! A password the new pool would refuse is therefore never carried over as `CONFIRMED`.
//!
//! Where the policy comes from: `NEW_PASSWORD_POLICY`, the JSON `aws cognito-idp
//! describe-user-pool --query UserPool.Policies.PasswordPolicy` prints; unset, Cognito's default
//! policy (8 characters, upper case, lower case, a number and a symbol). An environment variable
//! rather than a `DescribeUserPool` call: no extra permission on the new pool, no call inside
//! Cognito's 5 seconds, and a policy that is always checked (never skipped because a call failed).
//!
//! The character classes follow
//! <https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html>:
//! the listed special characters, and a space that is neither leading nor trailing. Letters and
//! digits are the Basic Latin ones: a character Cognito might count and this check does not only
//! makes the answer `RESET_REQUIRED`, never the other way round.

use serde::Deserialize;

/// Cognito's special characters (besides an inner space).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-";

/// The password rules of the new pool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// Fewest characters.
    #[serde(default = "default_minimum_length")]
    pub minimum_length: usize,
    /// At least one of `A`–`Z`.
    #[serde(default)]
    pub require_uppercase: bool,
    /// At least one of `a`–`z`.
    #[serde(default)]
    pub require_lowercase: bool,
    /// At least one of `0`–`9`.
    #[serde(default)]
    pub require_numbers: bool,
    /// At least one special character.
    #[serde(default)]
    pub require_symbols: bool,
}

fn default_minimum_length() -> usize {
    8
}

impl Default for PasswordPolicy {
    /// Cognito's default policy for a new user pool.
    fn default() -> PasswordPolicy {
        PasswordPolicy {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
        }
    }
}

impl PasswordPolicy {
    /// Reads Cognito's `PasswordPolicyType` JSON (`MinimumLength`, `RequireUppercase`, ...; other
    /// fields such as `TemporaryPasswordValidityDays` are ignored). A field left out is not
    /// required, as in the API. The error never quotes the text.
    pub fn parse(json: &str) -> Result<PasswordPolicy, String> {
        let policy: PasswordPolicy = serde_json::from_str(json).map_err(|_| {
            "is not a PasswordPolicy JSON object (MinimumLength, RequireUppercase, RequireLowercase, RequireNumbers, RequireSymbols)".to_string()
        })?;
        if !(6..=99).contains(&policy.minimum_length) {
            return Err(format!(
                "MinimumLength {} is outside Cognito's 6 to 99",
                policy.minimum_length
            ));
        }
        Ok(policy)
    }

    /// True when the new pool would accept `password`.
    pub fn admits(&self, password: &str) -> bool {
        let chars: Vec<char> = password.chars().collect();
        let has = |test: fn(&char) -> bool| chars.iter().any(test);
        let inner_space = chars.len() > 2 && chars[1..chars.len() - 1].contains(&' ');
        chars.len() >= self.minimum_length
            && (!self.require_uppercase || has(char::is_ascii_uppercase))
            && (!self.require_lowercase || has(char::is_ascii_lowercase))
            && (!self.require_numbers || has(char::is_ascii_digit))
            && (!self.require_symbols || has(|c| SYMBOLS.contains(*c)) || inner_space)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_cognitos_default() {
        let policy = PasswordPolicy::default();
        assert!(policy.admits("Old-Passw0rd!"));
        assert!(policy.admits("Aa1^aaaa"));
        assert!(!policy.admits("Aa1^aaa"), "7 characters");
        assert!(!policy.admits("old-passw0rd!"), "no upper case");
        assert!(!policy.admits("OLD-PASSW0RD!"), "no lower case");
        assert!(!policy.admits("Old-Password!"), "no number");
        assert!(!policy.admits("OldPassw0rdX"), "no symbol");
        assert!(policy.admits("Old Passw0rd"), "an inner space is a symbol");
        assert!(!policy.admits("OldPassw0rd "), "a trailing space is not");
        assert!(!policy.admits("ÄÖÜäöü12!x"), "Basic Latin letters only");
    }

    #[test]
    fn every_listed_symbol_counts() {
        for symbol in SYMBOLS.chars() {
            assert!(
                PasswordPolicy::default().admits(&format!("Passw0rd{symbol}")),
                "{symbol}"
            );
        }
    }

    #[test]
    fn reads_the_describe_user_pool_json() {
        let policy = PasswordPolicy::parse(
            r#"{"MinimumLength":12,"RequireUppercase":false,"RequireLowercase":true,"RequireNumbers":true,"RequireSymbols":false,"TemporaryPasswordValidityDays":7}"#,
        )
        .unwrap();
        assert_eq!(policy.minimum_length, 12);
        assert!(policy.admits("correcthorse1"));
        assert!(!policy.admits("correcthor1"), "11 characters");
        let lax = PasswordPolicy::parse(r#"{"MinimumLength":6}"#).unwrap();
        assert!(lax.admits("abcdef"));
        assert!(PasswordPolicy::parse(r#"{"MinimumLength":5}"#).is_err());
        let err = PasswordPolicy::parse("hunter2").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
