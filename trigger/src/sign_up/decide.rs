//! The sign-up guard's decision, as plain functions: what a PreSignUp event gets before anything
//! is asked ([`first_step`]), which old-pool searches a sign-up needs in the new pool's shape
//! ([`searches`]), and what the old pool's answers mean ([`name_held`], [`value_held`],
//! [`federated`], [`holders`]). The rules are stated in [`crate::sign_up`]; the shell there asks
//! the old pool and logs.

use shared::SourceUser;

use crate::config::{NewPoolSignIn, SignInKey};
use crate::event::sign_up::{SignUpRequest, SignUpSource};
use crate::old_pool::{AliasKind, Lookup};
use crate::tenant::{self, TenantRule};

/// Why a sign-up is refused. The message is what the person signing up reads, so it is a fixed
/// sentence that names nothing internal; Cognito appends a full stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignUpRefusal {
    /// An old user holds the user name, email or phone number.
    #[error("An account with the given user name, email or phone number already exists")]
    AccountExists,
    /// The old pool could not be asked (or the trigger is misconfigured): try again later.
    #[error("Sign-up is not available right now, please try again in a few minutes")]
    Unavailable,
    /// A federated old user's identity whose profile `links` has not carried yet.
    #[error("Your account is being moved, please try again later")]
    NotYetLinked,
}

impl SignUpRefusal {
    /// The Lambda `errorType` (seen in the function's metrics and logs, not by the user).
    pub fn error_type(self) -> &'static str {
        match self {
            SignUpRefusal::AccountExists => "AccountExists",
            SignUpRefusal::Unavailable => "SignUpUnavailable",
            SignUpRefusal::NotYetLinked => "FederatedNotYetLinked",
        }
    }
}

/// Which identifier of a sign-up an old user holds; logged, never shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// The user name.
    UserName,
    /// The email address.
    Email,
    /// The phone number.
    PhoneNumber,
}

impl Held {
    /// The log code.
    pub fn code(self) -> &'static str {
        match self {
            Held::UserName => "user-name",
            Held::Email => "email",
            Held::PhoneNumber => "phone-number",
        }
    }
}

/// One `ListUsers` search of a sign-up: a value, which of the sign-up's fields it came from, and
/// which old holders count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Search {
    /// E-mail or phone.
    pub(crate) kind: AliasKind,
    /// The value searched for.
    pub(crate) value: String,
    /// The sign-up's field an old holder would hold.
    pub(crate) held: Held,
    /// Which old holders count.
    pub(crate) rule: SignInKey,
}

impl Search {
    /// Whether an old user holding the value (as `ListUsers` found it) signs in with it in the
    /// new pool.
    fn counts(&self, user: &SourceUser) -> bool {
        let holds = user
            .attribute(self.kind.attribute())
            .is_some_and(|stored| self.kind.matches(stored, &self.value));
        match self.rule {
            SignInKey::Not => false,
            SignInKey::VerifiedAlias => {
                holds && user.attribute(self.kind.verified_flag()) == Some("true")
            }
            SignInKey::UserName => holds,
        }
    }
}

/// Why a sign-up was answered as it was; logged as `outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignUpOutcome {
    /// The event cannot be read, so it cannot be checked: refused.
    Malformed,
    /// `PreSignUp_AdminCreateUser`: passes unchecked.
    NotChecked,
    /// No old user signs in with the sign-up's values.
    Allowed,
    /// An old user signs in with one of them.
    RefusedExisting,
    /// A federated old user's identity that `links` has not carried yet.
    FederatedNotYetLinked,
    /// Any other first federated sign-in.
    FederatedAllowed,
}

impl SignUpOutcome {
    /// The log code.
    pub(crate) fn code(self) -> &'static str {
        match self {
            SignUpOutcome::Malformed => "malformed-event",
            SignUpOutcome::NotChecked => "not-checked",
            SignUpOutcome::Allowed => "sign-up-allowed",
            SignUpOutcome::RefusedExisting => "sign-up-refused-existing",
            SignUpOutcome::FederatedNotYetLinked => "federated-not-yet-linked",
            SignUpOutcome::FederatedAllowed => "federated-allowed",
        }
    }
}

/// What a sign-up gets: let through (`refusal` `None`) or refused, why, and which identifier an
/// old user holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The log code.
    pub(crate) outcome: SignUpOutcome,
    /// The refusal Cognito shows, or `None` to let the sign-up go on.
    pub(crate) refusal: Option<SignUpRefusal>,
    /// Which identifier an old user holds (logged, never shown).
    pub(crate) held: Option<Held>,
}

impl Verdict {
    fn pass(outcome: SignUpOutcome) -> Verdict {
        Verdict {
            outcome,
            refusal: None,
            held: None,
        }
    }

    fn refuse(outcome: SignUpOutcome, refusal: SignUpRefusal, held: Option<Held>) -> Verdict {
        Verdict {
            outcome,
            refusal: Some(refusal),
            held,
        }
    }
}

/// What to do with an event before anything is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step<'r> {
    /// Answered without asking.
    Decided(Verdict),
    /// A split whose table does not know the calling pool: a configuration error, refused with
    /// the retry sentence.
    Unconfigured,
    /// A first federated sign-in of this `<Provider>_<subject>` user name: look it up.
    Federated(&'r str),
    /// A self-service sign-up: look its values up ([`searches`]).
    Holders(&'r SignUpRequest),
}

/// The first step for `request` (`None`: the event could not be read). Fails closed: an event
/// that cannot be checked is refused.
pub(crate) fn first_step<'r>(
    request: Option<&'r SignUpRequest>,
    tenant: Option<&TenantRule>,
) -> Step<'r> {
    let malformed = Step::Decided(Verdict::refuse(
        SignUpOutcome::Malformed,
        SignUpRefusal::Unavailable,
        None,
    ));
    let Some(request) = request else {
        return malformed;
    };
    match request.source {
        SignUpSource::ExternalProvider => match request.user_name.as_deref() {
            Some(name) => Step::Federated(name),
            None => malformed,
        },
        SignUpSource::AdminCreateUser => Step::Decided(Verdict::pass(SignUpOutcome::NotChecked)),
        SignUpSource::SignUp
            if tenant
                .is_some_and(|rule| rule.admitted(request.user_pool_id.as_deref()).is_none()) =>
        {
            Step::Unconfigured
        }
        SignUpSource::SignUp => Step::Holders(request),
    }
}

/// A first federated sign-in of `name`, given what the old pool holds under that name: refused
/// while the old pool has that very federated user (status `EXTERNAL_PROVIDER`, of this pool's
/// tenant), which `links` has not carried yet; let through otherwise.
pub(crate) fn federated(
    name: &str,
    found: &Lookup,
    tenant: Option<&TenantRule>,
    pool: Option<&str>,
) -> Verdict {
    match found {
        Lookup::Found(user)
            if user.username == name
                && user.status == shared::SourceStatus::ExternalProvider
                && tenant::admits(tenant, pool, user) =>
        {
            Verdict::refuse(
                SignUpOutcome::FederatedNotYetLinked,
                SignUpRefusal::NotYetLinked,
                Some(Held::UserName),
            )
        }
        _ => Verdict::pass(SignUpOutcome::FederatedAllowed),
    }
}

/// A self-service sign-up, given which identifier an old user holds (if any).
pub(crate) fn holders(held: Option<Held>) -> Verdict {
    match held {
        None => Verdict::pass(SignUpOutcome::Allowed),
        Some(held) => Verdict::refuse(
            SignUpOutcome::RefusedExisting,
            SignUpRefusal::AccountExists,
            Some(held),
        ),
    }
}

/// The `ListUsers` searches a sign-up needs in the new pool's shape: at most one per field
/// and kind, in a fixed order, a value found twice searched once with the wider rule.
pub(crate) fn searches(shape: NewPoolSignIn, request: &SignUpRequest) -> [Option<Search>; 4] {
    let by_attribute = |kind: AliasKind, value: Option<&String>, held: Held| {
        let rule = shape.key(kind);
        value.filter(|_| rule.signs_in()).map(|value| Search {
            kind,
            value: value.clone(),
            held,
            rule,
        })
    };
    // A user name shaped like an e-mail or phone: the value itself where it is the user name,
    // else (user names sign in) the old user the sign-in would resolve it to.
    let by_name = |kind: AliasKind, held: Held| {
        let name = request.user_name.as_ref()?;
        if AliasKind::of(name) != Some(kind) {
            return None;
        }
        let (held, rule) = match shape.key(kind) {
            SignInKey::UserName => (held, SignInKey::UserName),
            _ if shape.user_name => (Held::UserName, SignInKey::VerifiedAlias),
            _ => return None,
        };
        Some(Search {
            kind,
            value: name.clone(),
            held,
            rule,
        })
    };
    let email = by_attribute(AliasKind::Email, request.email.as_ref(), Held::Email);
    let phone = by_attribute(
        AliasKind::PhoneNumber,
        request.phone_number.as_ref(),
        Held::PhoneNumber,
    );
    let name_email = by_name(AliasKind::Email, Held::Email);
    let name_phone = by_name(AliasKind::PhoneNumber, Held::PhoneNumber);
    [
        email.clone(),
        name_email.filter(|n| !same_value(email.as_ref(), n)),
        phone.clone(),
        name_phone.filter(|n| !same_value(phone.as_ref(), n)),
    ]
}

/// True when `search` looks for the value `other` looks for (one search serves both, with the
/// wider rule: `other` is dropped only when `search` counts at least as many holders).
fn same_value(search: Option<&Search>, other: &Search) -> bool {
    search.is_some_and(|s| {
        s.kind == other.kind
            && s.kind.matches(&s.value, &other.value)
            && (s.rule == SignInKey::UserName || other.rule != SignInKey::UserName)
    })
}

/// Whether the old user the sign-up's user name resolves to (`AdminGetUser`) holds it: whoever
/// it is, the sign-in would migrate that user under the name.
pub(crate) fn name_held(
    user: Option<&SourceUser>,
    tenant: Option<&TenantRule>,
    pool: Option<&str>,
) -> bool {
    user.is_some_and(|user| tenant::admits(tenant, pool, user))
}

/// Which value of the sign-up an old user signs in with in the new pool, from what each search
/// found.
pub(crate) fn value_held(
    found: impl IntoIterator<Item = (Search, Vec<SourceUser>)>,
    tenant: Option<&TenantRule>,
    pool: Option<&str>,
) -> Option<Held> {
    found.into_iter().find_map(|(search, users)| {
        users
            .iter()
            .any(|user| search.counts(user) && tenant::admits(tenant, pool, user))
            .then_some(search.held)
    })
}

#[cfg(test)]
mod tests {
    use shared::SourceStatus;

    use super::*;

    fn request(source: SignUpSource, name: &str, email: Option<&str>) -> SignUpRequest {
        SignUpRequest {
            source,
            user_name: Some(name.to_string()),
            email: email.map(str::to_string),
            phone_number: None,
            user_pool_id: Some("us-east-1_new".to_string()),
        }
    }

    #[test]
    fn only_a_self_service_sign_up_is_looked_up() {
        let sign_up = request(SignUpSource::SignUp, "ada", None);
        assert_eq!(first_step(Some(&sign_up), None), Step::Holders(&sign_up));
        let admin = request(SignUpSource::AdminCreateUser, "ada", None);
        assert_eq!(
            first_step(Some(&admin), None),
            Step::Decided(Verdict::pass(SignUpOutcome::NotChecked))
        );
        let federated = request(SignUpSource::ExternalProvider, "Google_1", None);
        assert_eq!(
            first_step(Some(&federated), None),
            Step::Federated("Google_1")
        );
        let Step::Decided(unreadable) = first_step(None, None) else {
            panic!("an unreadable event is decided without asking");
        };
        assert_eq!(unreadable.refusal, Some(SignUpRefusal::Unavailable));
    }

    #[test]
    fn an_email_pool_searches_the_address_as_a_user_name_and_an_alias_pool_only_verified() {
        let sign_up = request(SignUpSource::SignUp, "mallory", Some("ada@example.com"));
        let email_pool = NewPoolSignIn::parse("email").unwrap();
        let [email, ..] = searches(email_pool, &sign_up);
        let email = email.expect("the address is the user name there");
        assert_eq!(email.rule, SignInKey::UserName);
        let unverified =
            SourceUser::new("ada", SourceStatus::Confirmed).with("email", "ada@example.com");
        assert_eq!(
            value_held([(email, vec![unverified.clone()])], None, None),
            Some(Held::Email)
        );
        let alias_pool = NewPoolSignIn::parse("username,email").unwrap();
        let [alias, ..] = searches(alias_pool, &sign_up);
        let alias = alias.expect("an alias is searched");
        assert_eq!(
            value_held([(alias.clone(), vec![unverified])], None, None),
            None
        );
        let verified = SourceUser::new("ada", SourceStatus::Confirmed)
            .with("email", "ada@example.com")
            .with("email_verified", "true");
        assert_eq!(
            value_held([(alias, vec![verified])], None, None),
            Some(Held::Email)
        );
        assert_eq!(holders(None).refusal, None);
        assert_eq!(
            holders(Some(Held::Email)).refusal,
            Some(SignUpRefusal::AccountExists)
        );
    }
}
