//! When an old user's e-mail MFA may be switched on in the new pool at import, before the user
//! has proved anything to the new pool: only where the address the codes will go to is the one
//! the old pool already sent them to. **Never more trust than the proof given**: the old pool
//! held the e-mail verified, and the mapping carries it unchanged and verified. An address the
//! old pool never verified, or one the mapping rewrites, proves nothing; such a user waits for
//! the reset code, which proves the address in the new pool.

use crate::attributes::EMAIL;
use crate::mapping::MigratedUser;
use crate::user::SourceUser;

/// True when `old`'s e-mail is verified in the old pool and `mapped` (its import row) carries
/// the same address, verified.
pub fn carried_verified(old: &SourceUser, mapped: &MigratedUser) -> bool {
    let old_email = old.attribute(EMAIL).filter(|email| !email.is_empty());
    old_email.is_some()
        && old.attribute("email_verified") == Some("true")
        && mapped.attribute(EMAIL) == old_email
        && mapped.has_verified_email()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::SourceStatus;

    fn mapped(email: &str, verified: &str) -> MigratedUser {
        MigratedUser {
            username: "ada".into(),
            old_sub: "s".into(),
            old_status: SourceStatus::Confirmed,
            enabled: true,
            attributes: [("email", email), ("email_verified", verified)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sms_mfa: false,
        }
    }

    #[test]
    fn only_an_address_verified_in_the_old_pool_and_carried_unchanged_proves_anything() {
        let old = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        assert!(carried_verified(&old, &mapped("ada@example.com", "true")));
        assert!(
            !carried_verified(&old, &mapped("ada@elsewhere.example", "true")),
            "rewritten by the mapping"
        );
        assert!(!carried_verified(&old, &mapped("ada@example.com", "false")));
        let unverified = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "false");
        assert!(
            !carried_verified(&unverified, &mapped("ada@example.com", "true")),
            "never verified in the old pool"
        );
    }
}
