//! The token companion's decision, as plain functions: what a token gets before anything is
//! read ([`before_lookup`]), which old user a re-read new-pool user is proven to be
//! ([`proven`], through the identity rules of [`shared::identity`]: the legacy id and
//! [`same_person`]), what the token carries and which memberships are written
//! ([`memberships`]), and what is due once the answer is decided ([`migrated`],
//! [`email_mfa_step`]). The rules are stated in [`crate::token_groups`]; the shell there reads
//! and writes the pools and logs.

use shared::SourceUser;
pub(crate) use shared::identity::same_person;
use shared::identity::{Identity, identify};

use crate::email_mfa::{self, EmailMfaOutcome};
use crate::event::token::{TokenAnswer, TokenRequest};
use crate::migrated_event::MigratedUser;
use crate::tenant::{self, TenantRule};

/// Why the token was answered as it was; logged as `outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOutcome {
    /// Not a user's token event, or unreadable.
    NotAUserToken,
    /// The event names another pool than the configured new pool.
    OtherPool,
    /// The user has groups in the new pool.
    HasGroups,
    /// The user only has the marker group (looked up before, no old groups).
    Marked,
    /// The user was not created by the migration (no legacy id), or nobody can be proven to be
    /// (the mapping keeps no legacy id).
    NotMigrated,
    /// The event's user is not in the new pool, or is disabled there.
    NotInNewPool,
    /// The new pool could not be read.
    NewPoolUnavailable,
    /// Old groups found, returned, and written.
    GroupsCopied,
    /// The old user has no groups (or is not there, or is another tenant's): marked.
    NoOldGroups,
    /// The old pool could not be asked.
    OldPoolUnavailable,
}

impl TokenOutcome {
    /// The log code.
    pub fn code(self) -> &'static str {
        match self {
            TokenOutcome::NotAUserToken => "not-a-user-token",
            TokenOutcome::OtherPool => "other-pool",
            TokenOutcome::HasGroups => "has-groups",
            TokenOutcome::Marked => "marked-no-old-groups",
            TokenOutcome::NotMigrated => "not-migrated",
            TokenOutcome::NotInNewPool => "not-in-new-pool",
            TokenOutcome::NewPoolUnavailable => "new-pool-unavailable",
            TokenOutcome::GroupsCopied => "groups-copied",
            TokenOutcome::NoOldGroups => "no-old-groups",
            TokenOutcome::OldPoolUnavailable => "old-pool-unavailable",
        }
    }
}

/// What the companion decided for one token: the answer, why, how many memberships it wrote,
/// and what is due once the answer is decided (only for a user proven to be the old user whose
/// first membership was written): the "user migrated" event, and the user's e-mail MFA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    /// The answer written into the event.
    pub(crate) answer: TokenAnswer,
    /// Why.
    pub(crate) outcome: TokenOutcome,
    /// Memberships written.
    pub(crate) written: usize,
    /// The "user migrated" event due.
    pub(crate) migrated: Option<MigratedUser>,
    /// What is due about the user's e-mail MFA.
    pub(crate) email_mfa: Option<EmailMfaStep>,
}

impl Decision {
    /// A decision that wrote nothing, announces nobody and leaves MFA alone.
    pub(crate) fn only(answer: TokenAnswer, outcome: TokenOutcome) -> Decision {
        Decision {
            answer,
            outcome,
            written: 0,
            migrated: None,
            email_mfa: None,
        }
    }
}

/// What is due about a proven user's e-mail MFA ([`crate::email_mfa`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EmailMfaStep {
    /// The old user had it and the new pool holds the e-mail as verified: turn it on for this
    /// canonical user name.
    Enable(String),
    /// Nothing to write; only this to log.
    Left(EmailMfaOutcome),
}

/// The old user a new-pool user was proven to be, and that old user's groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProvenOldUser {
    /// The old user name.
    pub(crate) username: String,
    /// The old groups, the marker left out.
    pub(crate) groups: Vec<String>,
}

/// What a token gets from the event alone, before anything is read: `Ok` with the decision, or
/// `Err` with the legacy-id attribute to re-read the user by. The event is not evidence, so it
/// is read only for reasons to grant less: another pool, groups the user already has, no legacy
/// id.
pub(crate) fn before_lookup<'a>(
    request: &TokenRequest,
    new_pool_id: Option<&str>,
    marker_group: &str,
    legacy_id_attribute: Option<&'a str>,
) -> Result<Decision, &'a str> {
    if let Some(pool_id) = new_pool_id
        && pool_id != request.user_pool_id
    {
        return Ok(Decision::only(
            TokenAnswer::Untouched,
            TokenOutcome::OtherPool,
        ));
    }
    if !request.groups.is_empty() {
        if !request.groups.iter().any(|g| g == marker_group) {
            return Ok(Decision::only(
                TokenAnswer::Untouched,
                TokenOutcome::HasGroups,
            ));
        }
        let groups: Vec<String> = request
            .groups
            .iter()
            .filter(|g| *g != marker_group)
            .cloned()
            .collect();
        let outcome = if groups.is_empty() {
            TokenOutcome::Marked
        } else {
            TokenOutcome::HasGroups
        };
        return Ok(Decision::only(TokenAnswer::Groups(groups), outcome));
    }
    let Some(attribute) = legacy_id_attribute else {
        return Ok(Decision::only(
            TokenAnswer::Untouched,
            TokenOutcome::NotMigrated,
        ));
    };
    // Only ever a reason to grant less: an event without a legacy id is left alone unread.
    if request.attribute(attribute).is_none() {
        return Ok(Decision::only(
            TokenAnswer::Untouched,
            TokenOutcome::NotMigrated,
        ));
    }
    Err(attribute)
}

/// The old user that `user` (re-read from the new pool, holding `legacy_id`) is proven to be,
/// from the old users `ListUsers` found with that `sub`: exactly one, whose `sub` is the legacy
/// id, the same person, and (in a split) of the tenant the calling pool admits. `None` for
/// anything else.
pub(crate) fn proven(
    mut found: Vec<SourceUser>,
    user: &SourceUser,
    legacy_id: &str,
    tenant: Option<&TenantRule>,
    pool: &str,
) -> Option<SourceUser> {
    // A sub names one user; anything else identifies nobody.
    let old = found.pop()?;
    let one = found.is_empty()
        && identify(Some(legacy_id), old.attribute("sub").unwrap_or_default()) == Identity::Proven
        && same_person(user, &old);
    let admitted = tenant::admits(tenant, Some(pool), &old);
    (one && admitted).then_some(old)
}

/// The token's answer, its outcome, and the memberships to write: the proven old user's groups,
/// or (no proven user, or no groups) the marker alone, answered as an explicit empty group list
/// rather than untouched, so the token does not depend on whether Cognito reads the memberships
/// before or after the marker is written.
pub(crate) fn memberships(
    proven: Option<&ProvenOldUser>,
    marker_group: &str,
) -> (TokenAnswer, TokenOutcome, Vec<String>) {
    let groups = proven.map(|old| old.groups.clone()).unwrap_or_default();
    if groups.is_empty() {
        (
            TokenAnswer::Groups(Vec::new()),
            TokenOutcome::NoOldGroups,
            vec![marker_group.to_string()],
        )
    } else {
        (
            TokenAnswer::Groups(groups.clone()),
            TokenOutcome::GroupsCopied,
            groups,
        )
    }
}

/// What is due about the e-mail MFA of `user` (re-read from the new pool) once its first token
/// is decided: nothing until a membership is written (the next token looks the user up again)
/// or when the proven old user had no e-mail MFA; else turn it on where the new pool holds the
/// e-mail as verified, or log why not.
pub(crate) fn email_mfa_step(
    user: &SourceUser,
    old_email_mfa: Option<Result<bool, String>>,
    written: usize,
) -> Option<EmailMfaStep> {
    if written == 0 {
        return None;
    }
    match old_email_mfa? {
        Ok(false) => None,
        Err(problem) => Some(EmailMfaStep::Left(EmailMfaOutcome::Unknown(problem))),
        Ok(true) if !email_mfa::proven_email(user) => {
            Some(EmailMfaStep::Left(EmailMfaOutcome::Unproven))
        }
        Ok(true) => Some(EmailMfaStep::Enable(user.username.clone())),
    }
}

/// The "user migrated" event due for `user` (re-read from the new pool, holding `legacy_id`):
/// only when it was proven to be the old user `proven` and its first membership was written, so
/// later tokens skip the lookup and do not announce it again; never without the new `sub`.
pub(crate) fn migrated(
    request: &TokenRequest,
    user: &SourceUser,
    legacy_id: &str,
    proven: Option<&ProvenOldUser>,
    written: usize,
) -> Option<MigratedUser> {
    let old = proven?;
    let new_sub = user.attribute("sub").filter(|sub| !sub.is_empty())?;
    (written > 0).then(|| MigratedUser {
        old_sub: legacy_id.to_string(),
        new_sub: new_sub.to_string(),
        old_username: old.username.clone(),
        new_username: user.username.clone(),
        user_pool_id: request.user_pool_id.clone(),
    })
}

#[cfg(test)]
mod tests {
    use shared::SourceStatus;

    use super::*;

    const LEGACY: &str = "11111111-2222-4333-8444-555555555555";

    fn old_ada() -> SourceUser {
        SourceUser::new("ada", SourceStatus::Confirmed).with("sub", LEGACY)
    }

    #[test]
    fn one_old_user_with_the_legacy_sub_who_is_the_same_person_is_proven() {
        let user = SourceUser::new("ada", SourceStatus::Confirmed);
        assert_eq!(
            proven(vec![old_ada()], &user, LEGACY, None, "p"),
            Some(old_ada())
        );
        assert_eq!(proven(vec![], &user, LEGACY, None, "p"), None);
        assert_eq!(
            proven(vec![old_ada(), old_ada()], &user, LEGACY, None, "p"),
            None,
            "two holders identify nobody"
        );
        let stranger = SourceUser::new("mallory", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "false");
        assert_eq!(proven(vec![old_ada()], &stranger, LEGACY, None, "p"), None);
        let verified = stranger.with("email_verified", "true");
        let old = old_ada().with("email", "ADA@example.com");
        assert!(
            same_person(&verified, &old),
            "a verified e-mail in any case"
        );
    }

    #[test]
    fn a_user_without_old_groups_gets_the_marker_and_an_explicit_empty_list() {
        let (answer, outcome, written) = memberships(None, "marker");
        assert_eq!(answer, TokenAnswer::Groups(Vec::new()));
        assert_eq!(outcome, TokenOutcome::NoOldGroups);
        assert_eq!(written, ["marker"]);
        let old = ProvenOldUser {
            username: "ada".into(),
            groups: vec!["staff".into()],
        };
        let (answer, outcome, written) = memberships(Some(&old), "marker");
        assert_eq!(answer, TokenAnswer::Groups(vec!["staff".into()]));
        assert_eq!(outcome, TokenOutcome::GroupsCopied);
        assert_eq!(written, ["staff"]);
    }

    #[test]
    fn nothing_is_due_until_a_membership_is_written() {
        let user = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("sub", "new-sub")
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        assert_eq!(email_mfa_step(&user, Some(Ok(true)), 0), None);
        assert_eq!(
            email_mfa_step(&user, Some(Ok(true)), 1),
            Some(EmailMfaStep::Enable("ada".into()))
        );
        let request = TokenRequest::parse(&serde_json::json!({
            "triggerSource": "TokenGeneration_Authentication", "userName": "ada",
            "userPoolId": "p", "request": {}
        }))
        .unwrap();
        let old = ProvenOldUser {
            username: "ada".into(),
            groups: Vec::new(),
        };
        assert_eq!(migrated(&request, &user, LEGACY, Some(&old), 0), None);
        assert_eq!(
            migrated(&request, &user, LEGACY, Some(&old), 1).map(|m| m.new_sub),
            Some("new-sub".to_string())
        );
    }
}
