//! E-mail MFA turned back on by the PreTokenGeneration companion, for a migrated user who had it
//! in the old pool, once the new pool holds that user's e-mail as proven.
//!
//! Why: a password never stands in for a second factor, so an old user enrolled in e-mail MFA
//! (`EMAIL_OTP` in `UserMFASettingList`) is migrated `RESET_REQUIRED` by the sign-in path and
//! imported `RESET_REQUIRED` by the bulk path, and nothing else carries the factor: without this
//! the user ends the migration with a password alone. E-mail MFA has no secret to carry, so it
//! can simply be switched on again (`AdminSetUserMFAPreference` `EmailMfaSettings` `Enabled`).
//!
//! **Never more trust than the proof given.** It is switched on only for a user the companion
//! proved to be the old user (the legacy id the new pool holds, one old user with that `sub`, the
//! same person, this pool's tenant: [`crate::token_groups`]) whose `email_verified` is `"true"`
//! *in the new pool* ([`proven_email`]). That flag is what the codes will be sent on: after a
//! reset it means the user proved the address with the code sent there (the first token after a
//! reset is this one); carried verified from the old pool, it is the address the old pool sent
//! its MFA codes to. An e-mail-MFA user without it is logged ([`EmailMfaOutcome::Unproven`]) and
//! left alone: the export's `mfa-reenrol.csv` lists them.
//!
//! **Once, never in the token's way.** The old user's MFA settings are read (`AdminGetUser`, the
//! one call that shows them) beside the membership writes of the first token; e-mail MFA is
//! turned on, once, on the token that writes the user's first membership, the same token that
//! puts the "user migrated" event, so every later token skips the lookup. It takes at most
//! [`EMAIL_MFA_BUDGET`] of what is left of the invocation's budget, and never changes the token:
//! a pool that cannot do e-mail MFA (no `EmailMfaConfiguration`, or the Lite plan) is logged
//! `email-mfa-not-configured` with the fix ([`crate::new_pool::NOT_CONFIGURED_FIX`]), any other failure
//! `email-mfa-failed` / `email-mfa-timeout`. `PreferredMfa` is not set: the old preference is not
//! read, and with e-mail the user's only second factor Cognito asks for it anyway.

use std::time::Duration;

use shared::SourceUser;

use crate::budget::Deadline;
use crate::new_pool::{NewPool, NewPoolError};

/// The most the `AdminSetUserMFAPreference` call may take: the token waits for it.
pub const EMAIL_MFA_BUDGET: Duration = Duration::from_millis(500);

/// Whether the new pool holds `user`'s e-mail as proven: an address, verified (`email_verified`
/// `"true"` as the new pool answers it, never the event).
pub fn proven_email(user: &SourceUser) -> bool {
    user.attribute("email")
        .is_some_and(|email| !email.is_empty())
        && user.attribute("email_verified") == Some("true")
}

/// What the companion did about a proven user's e-mail MFA; logged as `email_mfa` on the token's
/// line (nothing for a user who had none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmailMfaOutcome {
    /// Turned on in the new pool.
    Restored,
    /// The old user had it, but the new pool does not hold the e-mail as verified: left off.
    Unproven,
    /// The old user's MFA settings could not be read (the message says why): left off.
    Unknown(String),
    /// The new pool cannot do e-mail MFA: left off until it is configured.
    NotConfigured(NewPoolError),
    /// `AdminSetUserMFAPreference` failed otherwise.
    Failed(NewPoolError),
    /// No answer within the time left.
    TimedOut,
}

impl EmailMfaOutcome {
    /// The log code.
    pub fn code(&self) -> &'static str {
        match self {
            EmailMfaOutcome::Restored => "email-mfa-restored",
            EmailMfaOutcome::Unproven => "email-mfa-unproven",
            EmailMfaOutcome::Unknown(_) => "email-mfa-unknown",
            EmailMfaOutcome::NotConfigured(_) => "email-mfa-not-configured",
            EmailMfaOutcome::Failed(_) => "email-mfa-failed",
            EmailMfaOutcome::TimedOut => "email-mfa-timeout",
        }
    }

    /// What went wrong and what to do, for the warning line; `None` when nothing did.
    pub fn problem(&self) -> Option<String> {
        match self {
            EmailMfaOutcome::Restored => None,
            EmailMfaOutcome::Unproven => Some(
                "the e-mail is not verified in the new pool, so e-mail MFA stays off; the user is in the export's mfa-reenrol.csv".to_string(),
            ),
            EmailMfaOutcome::Unknown(problem) => Some(format!(
                "the old user's MFA settings could not be read ({problem}); if the user had e-mail MFA, turn it on (the export's mfa-reenrol.csv lists them)"
            )),
            EmailMfaOutcome::NotConfigured(error) | EmailMfaOutcome::Failed(error) => {
                Some(error.to_string())
            }
            EmailMfaOutcome::TimedOut => Some(
                "AdminSetUserMFAPreference: no answer within the time budget; turn e-mail MFA on for the user (the export's mfa-reenrol.csv lists them)".to_string(),
            ),
        }
    }
}

/// Turns e-mail MFA on for `username` (canonical, as the new pool answered it) in `pool_id`,
/// once, giving up at `deadline` (or after [`EMAIL_MFA_BUDGET`], whichever comes first).
pub(crate) async fn enable_within<N: NewPool>(
    pool: &N,
    pool_id: &str,
    username: &str,
    deadline: &Deadline,
) -> EmailMfaOutcome {
    let call = pool.enable_email_mfa(pool_id, username);
    match deadline.capped(EMAIL_MFA_BUDGET).run(call).await {
        Ok(Ok(())) => EmailMfaOutcome::Restored,
        Ok(Err(
            error @ NewPoolError::EmailMfa {
                not_configured: true,
                ..
            },
        )) => EmailMfaOutcome::NotConfigured(error),
        Ok(Err(error)) => EmailMfaOutcome::Failed(error),
        Err(_) => EmailMfaOutcome::TimedOut,
    }
}

#[cfg(test)]
mod tests {
    use shared::SourceStatus;

    use super::*;

    #[test]
    fn only_a_verified_address_is_proven() {
        let user = || SourceUser::new("ada", SourceStatus::Confirmed);
        let with = |email: &str, verified: &str| {
            user().with("email", email).with("email_verified", verified)
        };
        assert!(proven_email(&with("ada@example.com", "true")));
        assert!(!proven_email(&with("ada@example.com", "false")));
        assert!(!proven_email(&with("ada@example.com", "TRUE ")));
        assert!(!proven_email(&with("", "true")));
        assert!(!proven_email(&user().with("email", "ada@example.com")));
        assert!(!proven_email(&user()));
    }

    #[test]
    fn a_refusal_names_the_fix() {
        let refused = EmailMfaOutcome::NotConfigured(NewPoolError::EmailMfa {
            not_configured: true,
            problem: format!(
                "InvalidParameterException ({})",
                crate::new_pool::NOT_CONFIGURED_FIX
            ),
        });
        assert_eq!(refused.code(), "email-mfa-not-configured");
        let problem = refused.problem().unwrap();
        assert!(problem.contains("EmailMfaConfiguration"), "{problem}");
        assert!(problem.contains("preflight"), "{problem}");
        assert_eq!(EmailMfaOutcome::Restored.problem(), None);
    }
}
