//! The old pool, seen from the companions (PreSignUp, PreTokenGeneration): who holds a user
//! name, an email or a phone number, who had a legacy `sub`, and which groups a user was in
//! ([`OldDirectory`]), answered by Cognito through the same client, role, time budget and
//! error sorting as the UserMigration path ([`SdkOldPool`]).
//!
//! A search here ([`OldDirectory::users_with`]) returns every holder of a value, verified or
//! not, and the caller picks: the sign-up guard counts what is a sign-in name in the new pool
//! ([`crate::sign_up`]), the token companion a `sub`, which is never "verified".
//!
//! The deployed function asks the old pool through [`WindowOldPool`], which puts two rules of
//! the migration window in front of the SDK calls, for sign-in and companions alike:
//!
//! - **A typed e-mail or phone resolves only through a verified value.** When the new pool signs
//!   in by e-mail (or phone), the typed `victim@example.com` names the one old user whose
//!   e-mail `victim@example.com` is verified, never an old account whose *user name* is that
//!   string (anyone could create one while the old pool was open to sign-up). So `AdminGetUser`
//!   of an e-mail- or phone-shaped name counts only a user who holds the name as that verified
//!   attribute; the `ListUsers` search already counts only verified holders, and the sign-in
//!   takes exactly one ([`crate::handler`]).
//! - **`ListUsers` spends a per-instance token bucket** ([`TokenBucket`], sized by
//!   [`ListUsersRate`]): the account's 30 requests per second are shared with everything else,
//!   and sign-ups and alias sign-ins spend them without an account. An empty bucket fails closed
//!   the way the path fails when the old pool cannot be asked: the sign-up is refused with the
//!   retry sentence, a token goes out without the old groups, and an alias sign-in is answered
//!   as for an unknown user (the search found nobody), all logged as `list-users-budget-spent`.
//! - **Letter case, where the new pool ignores it** ([`CaseFolding`], from `CASE_INDEX_FILE`):
//!   a value typed in another case than the old pool stores still finds the old user, and a
//!   sign-up that differs from an old user's value only in case is refused. The old pool cannot
//!   be asked that way (a case-sensitive pool needs "the exact capitalization", and AWS documents
//!   no case rule for `ListUsers` filters), so after the value as typed fails, its lower-case
//!   form and the spellings the case index holds are tried; when they name more than one old
//!   user, none is taken. A value typed exactly costs nothing more.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use shared::case_index::{self, CaseIndex};
use shared::sign_in::SignInField;
use shared::{Secret, SourceUser};

use crate::config::{ListUsersRate, NewPoolSignIn};
use crate::logging::Line;
use crate::old_pool::{
    AliasKind, AuthOutcome, ErrorClass, Lookup, OldPool, OldPoolError, OldUser, Refusal,
    SdkOldPool, classify_sdk, filter_safe, input_rejected,
};

/// The log code of a `ListUsers` call the instance's budget held back.
pub const BUDGET_SPENT: &str = "list-users-budget-spent";

/// The `code` of the [`OldPoolError::Throttled`] an empty bucket answers: it names the setting
/// to raise, since no Cognito error was involved.
pub const BUDGET_SPENT_CODE: &str = "this instance's OLD_LIST_USERS_RPS budget is spent";

/// Cognito's largest `ListUsers` and `AdminListGroupsForUser` page.
const PAGE_LIMIT: i32 = 60;

/// A user is in at most 100 groups (Cognito quota), so two pages hold them all; the bound only
/// stops a misbehaving endpoint from keeping the trigger paging.
const MAX_GROUP_PAGES: usize = 3;

/// An attribute `ListUsers` can search by exact value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchAttribute {
    /// `email`.
    Email,
    /// `phone_number`.
    PhoneNumber,
    /// `sub`, the old pool's immutable user id (the value the migration keeps as the legacy id).
    Sub,
}

impl SearchAttribute {
    /// The attribute name, as `ListUsers` filters spell it.
    pub fn attribute(self) -> &'static str {
        match self {
            SearchAttribute::Email => "email",
            SearchAttribute::PhoneNumber => "phone_number",
            SearchAttribute::Sub => "sub",
        }
    }
}

/// The questions the companions ask the old pool.
pub trait OldDirectory {
    /// `AdminGetUser`: the user with this user name (or an alias Cognito resolves itself).
    fn user_named(&self, name: &str) -> impl Future<Output = Result<Lookup, OldPoolError>> + Send;

    /// `ListUsers` with the filter `attribute = "value"`: the users holding that value, verified
    /// or not (one page of up to 60; no real value is held by more).
    fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> impl Future<Output = Result<Vec<SourceUser>, OldPoolError>> + Send;

    /// `AdminListGroupsForUser`: the names of the groups the user is in (none when the user is
    /// gone).
    fn groups_of(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Vec<String>, OldPoolError>> + Send;
}

/// An SDK error as a fault of `operation`. A refusal (the role may not ask, or the pool is not
/// there) is a misconfiguration naming the permission this operation needs.
fn fault<E, R>(operation: &'static str, error: &SdkError<E, R>) -> OldPoolError
where
    E: ProvideErrorMetadata,
{
    let permission = || OldPoolError::Misconfigured {
        operation,
        detail: format!(
            "{}: the function's role (or OLD_ROLE_ARN) needs cognito-idp:{operation} on the old pool",
            error.code().unwrap_or("refused")
        ),
    };
    match classify_sdk(operation, error) {
        ErrorClass::Fault(OldPoolError::Misconfigured { .. })
            if error.code() == Some("AccessDeniedException") =>
        {
            permission()
        }
        ErrorClass::Fault(fault) => fault,
        ErrorClass::Refusal(_) => permission(),
    }
}

impl OldDirectory for SdkOldPool {
    async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
        self.get_user(name).await
    }

    async fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> Result<Vec<SourceUser>, OldPoolError> {
        const OPERATION: &str = "ListUsers";
        // A value that would need escaping is never a real email, phone number or sub.
        if !filter_safe(value) {
            return Ok(Vec::new());
        }
        match self
            .client()
            .list_users()
            .user_pool_id(self.pool_id())
            .filter(format!("{} = \"{value}\"", attribute.attribute()))
            .limit(PAGE_LIMIT)
            .send()
            .await
        {
            Ok(output) => Ok(output
                .users()
                .iter()
                .map(shared::from_sdk::user_from_list)
                .collect()),
            // The value broke the API's constraints: nobody can hold it.
            Err(error) if input_rejected(error.code()) => Ok(Vec::new()),
            Err(error) => Err(fault(OPERATION, &error)),
        }
    }

    async fn groups_of(&self, username: &str) -> Result<Vec<String>, OldPoolError> {
        const OPERATION: &str = "AdminListGroupsForUser";
        let mut groups = Vec::new();
        let mut next_token = None;
        for _ in 0..MAX_GROUP_PAGES {
            let output = match self
                .client()
                .admin_list_groups_for_user()
                .user_pool_id(self.pool_id())
                .username(username)
                .limit(PAGE_LIMIT)
                .set_next_token(next_token.take())
                .send()
                .await
            {
                Ok(output) => output,
                Err(error) => {
                    return match classify_sdk(OPERATION, &error) {
                        // Deleted since it was found: it is in no group.
                        ErrorClass::Refusal(Refusal::UserNotFound) => Ok(Vec::new()),
                        _ => Err(fault(OPERATION, &error)),
                    };
                }
            };
            groups.extend(
                output
                    .groups()
                    .iter()
                    .filter_map(|group| group.group_name().map(str::to_string)),
            );
            match output.next_token() {
                Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
                _ => break,
            }
        }
        groups.sort();
        groups.dedup();
        Ok(groups)
    }
}

/// A token bucket: `burst` tokens at most, refilled at `per_second`, one taken per call. Time is
/// given by the caller, so the schedule is tested on instants without waiting.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: ListUsersRate,
    tokens: f64,
    last: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: ListUsersRate) -> TokenBucket {
        TokenBucket {
            rate,
            tokens: f64::from(rate.burst),
            last: None,
        }
    }

    /// Takes one token at `now` if there is one. An instant earlier than the last one adds
    /// nothing (the clock is monotonic; a caller racing another may pass one a little late).
    pub fn try_take(&mut self, now: Instant) -> bool {
        if let Some(last) = self.last {
            let elapsed = now.saturating_duration_since(last).as_secs_f64();
            self.tokens =
                (self.tokens + elapsed * self.rate.per_second).min(f64::from(self.rate.burst));
        }
        if self.last.is_none_or(|last| now > last) {
            self.last = Some(now);
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Where the bucket reads the time: the monotonic clock, or a hand-set one in tests.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The other spellings of a typed value that a case-insensitive new pool treats as the same,
/// as the old pool may store them: the lower-case form, then what the case index holds.
#[derive(Debug, Clone)]
pub struct CaseFolding {
    index: Arc<CaseIndex>,
}

/// What `AdminGetUser` of the old pool resolves a typed name as: its user name, or the
/// `preferred_username` alias.
const NAME_FIELDS: &[SignInField] = &[SignInField::Username, SignInField::PreferredUsername];

/// At most this many other spellings are tried for one value: more name several old users
/// anyway (and none is taken), and each costs a call inside the 5-second budget.
const MAX_SPELLINGS: usize = 3;

impl CaseFolding {
    /// Folding with the index `cognito-migrate case-index` wrote.
    pub fn new(index: Arc<CaseIndex>) -> CaseFolding {
        CaseFolding { index }
    }

    /// The spellings to try once `typed` itself found nobody, as a value of any of `fields`,
    /// without `typed` or repeats.
    pub fn spellings(&self, fields: &[SignInField], typed: &str) -> Vec<String> {
        let mut spellings = Vec::new();
        let folded = case_index::fold(typed);
        if folded != typed {
            spellings.push(folded);
        }
        for field in fields {
            for stored in self.index.lookup(*field, typed) {
                if stored != typed && !spellings.contains(&stored) {
                    spellings.push(stored);
                }
            }
        }
        spellings.truncate(MAX_SPELLINGS);
        spellings
    }
}

/// The old pool as the deployed function asks it during the window: `inner` (the SDK, or a fake
/// in tests) behind the rules of this module's documentation. Clones share one bucket.
#[derive(Clone)]
pub struct WindowOldPool<P> {
    inner: P,
    sign_in: NewPoolSignIn,
    bucket: Arc<Mutex<TokenBucket>>,
    clock: Clock,
    case: Option<CaseFolding>,
}

impl<P> std::fmt::Debug for WindowOldPool<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowOldPool")
            .field("sign_in", &self.sign_in)
            .finish_non_exhaustive()
    }
}

impl<P> WindowOldPool<P> {
    /// `inner` for a new pool signing in as `sign_in` says, with a full bucket of `rate`.
    pub fn new(inner: P, sign_in: NewPoolSignIn, rate: ListUsersRate) -> WindowOldPool<P> {
        WindowOldPool {
            inner,
            sign_in,
            bucket: Arc::new(Mutex::new(TokenBucket::new(rate))),
            clock: Arc::new(Instant::now),
            case: None,
        }
    }

    /// The same pool for a new pool that ignores letter case.
    pub fn with_case_folding(mut self, case: CaseFolding) -> WindowOldPool<P> {
        self.case = Some(case);
        self
    }

    /// The other spellings to try for `typed` as a value of `fields` (none where the new pool
    /// compares exactly).
    fn spellings(&self, fields: &[SignInField], typed: &str) -> Vec<String> {
        self.case
            .as_ref()
            .map_or_else(Vec::new, |case| case.spellings(fields, typed))
    }

    /// The same pool reading the time from `clock`.
    #[cfg(test)]
    pub fn with_clock(mut self, clock: Clock) -> WindowOldPool<P> {
        self.clock = clock;
        self
    }

    /// The pool behind the rules.
    #[cfg(test)]
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// One token for a `ListUsers` call, if the bucket has one.
    fn admit_list_users(&self) -> bool {
        let now = (self.clock)();
        // A poisoned lock only means another call panicked mid-update; the bucket is still sound.
        let mut bucket = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        bucket.try_take(now)
    }

    /// Whether `user`, found for the typed `name`, may stand for it: always for a name that is
    /// not shaped like an e-mail or phone the new pool signs in by; else only when the user holds
    /// the name as that attribute, verified.
    fn stands_for(&self, name: &str, user: &SourceUser) -> bool {
        match AliasKind::of(name).filter(|kind| self.sign_in.key(*kind).signs_in()) {
            None => true,
            Some(kind) => {
                user.attribute(kind.attribute())
                    .is_some_and(|stored| kind.matches(stored, name))
                    && user.attribute(kind.verified_flag()) == Some("true")
            }
        }
    }
}

impl<P: OldPool + Sync> OldPool for WindowOldPool<P> {
    async fn get_user_with_factors(&self, name: &str) -> Result<Option<OldUser>, OldPoolError> {
        let exact = self.inner.get_user_with_factors(name).await?;
        if let Some(found) = exact.filter(|found| self.stands_for(name, &found.user)) {
            return Ok(Some(found));
        }
        // Another spelling counts only when exactly one old user answers to any of them.
        let mut found: Vec<OldUser> = Vec::new();
        for spelling in self.spellings(NAME_FIELDS, name) {
            let Some(user) = self.inner.get_user_with_factors(&spelling).await? else {
                continue;
            };
            if self.stands_for(&spelling, &user.user)
                && !found.iter().any(|f| f.user.username == user.user.username)
            {
                found.push(user);
            }
        }
        Ok(if found.len() == 1 { found.pop() } else { None })
    }

    async fn find_by_alias(
        &self,
        kind: AliasKind,
        value: &str,
    ) -> Result<Vec<String>, OldPoolError> {
        if !self.admit_list_users() {
            // Found nobody: the sign-in goes on as for an unknown user, inside the budget.
            Line {
                outcome: BUDGET_SPENT,
                operation: Some("ListUsers"),
                ..Line::default()
            }
            .warn("alias search skipped: this instance's OLD_LIST_USERS_RPS budget is spent");
            return Ok(Vec::new());
        }
        let mut names = self.inner.find_by_alias(kind, value).await?;
        if !names.is_empty() || kind != AliasKind::Email {
            return Ok(names);
        }
        for spelling in self.spellings(&[SignInField::Email], value) {
            if !self.admit_list_users() {
                break;
            }
            for name in self.inner.find_by_alias(kind, &spelling).await? {
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }

    async fn authenticate(
        &self,
        username: &str,
        password: &Secret,
    ) -> Result<AuthOutcome, OldPoolError> {
        self.inner.authenticate(username, password).await
    }
}

impl<P: OldDirectory + Sync> OldDirectory for WindowOldPool<P> {
    async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
        if let found @ Lookup::Found(_) = self.inner.user_named(name).await? {
            return Ok(found);
        }
        for spelling in self.spellings(NAME_FIELDS, name) {
            if let found @ Lookup::Found(_) = self.inner.user_named(&spelling).await? {
                return Ok(found);
            }
        }
        Ok(Lookup::NotFound)
    }

    async fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> Result<Vec<SourceUser>, OldPoolError> {
        if !self.admit_list_users() {
            return Err(OldPoolError::Throttled {
                operation: "ListUsers",
                code: BUDGET_SPENT_CODE.to_string(),
            });
        }
        let mut users = self.inner.users_with(attribute, value).await?;
        if !users.is_empty() || attribute != SearchAttribute::Email {
            return Ok(users);
        }
        for spelling in self.spellings(&[SignInField::Email], value) {
            if !self.admit_list_users() {
                return Err(OldPoolError::Throttled {
                    operation: "ListUsers",
                    code: BUDGET_SPENT_CODE.to_string(),
                });
            }
            users.extend(self.inner.users_with(attribute, &spelling).await?);
        }
        Ok(users)
    }

    async fn groups_of(&self, username: &str) -> Result<Vec<String>, OldPoolError> {
        self.inner.groups_of(username).await
    }
}

/// True for the fault an empty bucket answers (logged as [`BUDGET_SPENT`]).
pub fn budget_spent(fault: &OldPoolError) -> bool {
    matches!(fault, OldPoolError::Throttled { code, .. } if code == BUDGET_SPENT_CODE)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use shared::SourceStatus;

    use super::*;

    fn rate(per_second: f64, burst: u32) -> ListUsersRate {
        ListUsersRate { per_second, burst }
    }

    #[test]
    fn the_bucket_gives_its_burst_then_its_rate() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut bucket = TokenBucket::new(rate(2.0, 4));
        let burst: Vec<bool> = (0..5).map(|_| bucket.try_take(at(0))).collect();
        assert_eq!(burst, [true, true, true, true, false]);
        assert!(!bucket.try_take(at(499)), "half a token is none");
        assert!(bucket.try_take(at(500)));
        assert!(!bucket.try_take(at(500)));
        // A long pause refills to the burst, never beyond it.
        let refilled = (0..6).filter(|_| bucket.try_take(at(60_000))).count();
        assert_eq!(refilled, 4);
        // An instant before the last one adds nothing.
        assert!(!bucket.try_take(at(59_000)));
    }

    #[test]
    fn over_any_stretch_the_bucket_admits_at_most_burst_plus_rate_times_time() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(rate(5.0, 10));
        // A call every 10 ms for 3 s: 10 at once, then 5 per second.
        let admitted = (0..300)
            .filter(|i| bucket.try_take(start + Duration::from_millis(i * 10)))
            .count();
        assert!(
            (24..=25).contains(&admitted),
            "burst 10 + 5/s × 2.99 s: {admitted}"
        );
    }

    /// An old pool that knows users by name and counts its calls.
    #[derive(Default, Clone)]
    struct Fake {
        users: BTreeMap<String, SourceUser>,
        lists: Arc<Mutex<u32>>,
    }

    impl OldPool for Fake {
        async fn get_user_with_factors(&self, name: &str) -> Result<Option<OldUser>, OldPoolError> {
            Ok(self.users.get(name).cloned().map(|user| OldUser {
                user,
                factors: Default::default(),
            }))
        }

        async fn find_by_alias(
            &self,
            kind: AliasKind,
            value: &str,
        ) -> Result<Vec<String>, OldPoolError> {
            *self.lists.lock().unwrap() += 1;
            Ok(self
                .users
                .values()
                .filter(|u| {
                    u.attribute(kind.attribute()) == Some(value)
                        && u.attribute(kind.verified_flag()) == Some("true")
                })
                .map(|u| u.username.clone())
                .collect())
        }

        async fn authenticate(&self, _: &str, _: &Secret) -> Result<AuthOutcome, OldPoolError> {
            Ok(AuthOutcome::Authenticated)
        }
    }

    impl OldDirectory for Fake {
        async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
            self.get_user(name).await
        }

        async fn users_with(
            &self,
            _: SearchAttribute,
            _: &str,
        ) -> Result<Vec<SourceUser>, OldPoolError> {
            *self.lists.lock().unwrap() += 1;
            Ok(Vec::new())
        }

        async fn groups_of(&self, _: &str) -> Result<Vec<String>, OldPoolError> {
            Ok(Vec::new())
        }
    }

    fn squatted() -> Fake {
        let mut users = BTreeMap::new();
        // Created while the old pool was open: named after the victim's address.
        let squatter = SourceUser::new("victim@example.com", SourceStatus::Confirmed)
            .with("email", "mallory@example.com")
            .with("email_verified", "true");
        let victim = SourceUser::new("victim", SourceStatus::Confirmed)
            .with("email", "victim@example.com")
            .with("email_verified", "true");
        let bob = SourceUser::new("bob@example.com", SourceStatus::Confirmed)
            .with("email", "BOB@example.com")
            .with("email_verified", "true");
        for user in [squatter, victim, bob] {
            users.insert(user.username.clone(), user);
        }
        Fake {
            users,
            ..Fake::default()
        }
    }

    fn shape(text: &str) -> NewPoolSignIn {
        NewPoolSignIn::parse(text).unwrap()
    }

    fn found(lookup: Lookup) -> Option<String> {
        match lookup {
            Lookup::Found(user) => Some(user.username),
            Lookup::NotFound => None,
        }
    }

    #[tokio::test]
    async fn a_typed_address_names_only_its_verified_holder_where_the_new_pool_signs_in_by_it() {
        for sign_in in [
            shape("email"),
            shape("username,email"),
            NewPoolSignIn::UNKNOWN,
        ] {
            let pool = &WindowOldPool::new(squatted(), sign_in, ListUsersRate::default());
            let get = |name: &'static str| async move { found(pool.get_user(name).await.unwrap()) };
            assert_eq!(get("victim@example.com").await, None, "{sign_in:?}");
            assert_eq!(get("victim").await.as_deref(), Some("victim"));
            assert_eq!(
                get("bob@example.com").await.as_deref(),
                Some("bob@example.com"),
                "named after its own verified address, in another case"
            );
            assert_eq!(
                pool.find_by_alias(AliasKind::Email, "victim@example.com")
                    .await
                    .unwrap(),
                ["victim"]
            );
        }
        // A new pool of plain user names: the typed string is a user name like any other.
        let plain = WindowOldPool::new(squatted(), shape("username"), ListUsersRate::default());
        assert_eq!(
            found(plain.get_user("victim@example.com").await.unwrap()).as_deref(),
            Some("victim@example.com")
        );
    }

    #[tokio::test]
    async fn an_empty_bucket_fails_closed_on_every_list_users_path() {
        let start = Instant::now();
        let now = Arc::new(Mutex::new(start));
        let clock = {
            let now = now.clone();
            Arc::new(move || *now.lock().unwrap()) as Clock
        };
        let pool =
            WindowOldPool::new(squatted(), NewPoolSignIn::UNKNOWN, rate(1.0, 2)).with_clock(clock);
        let clone = pool.clone();
        assert!(
            pool.users_with(SearchAttribute::Email, "a@example.com")
                .await
                .is_ok()
        );
        assert_eq!(
            clone
                .find_by_alias(AliasKind::Email, "victim@example.com")
                .await
                .unwrap(),
            ["victim"],
            "clones share the bucket"
        );
        // Empty: the sign-in's search finds nobody, the companions' is a throttling fault.
        assert!(
            clone
                .find_by_alias(AliasKind::Email, "victim@example.com")
                .await
                .unwrap()
                .is_empty()
        );
        let fault = pool
            .users_with(SearchAttribute::Sub, "s")
            .await
            .unwrap_err();
        assert!(budget_spent(&fault), "{fault}");
        assert!(fault.to_string().contains("OLD_LIST_USERS_RPS"), "{fault}");
        assert_eq!(
            *pool.inner().lists.lock().unwrap(),
            2,
            "held back before the old pool"
        );
        // A second later one token is back.
        *now.lock().unwrap() = start + Duration::from_secs(1);
        assert!(
            pool.users_with(SearchAttribute::Email, "a@example.com")
                .await
                .is_ok()
        );
        assert!(
            pool.users_with(SearchAttribute::Email, "a@example.com")
                .await
                .is_err()
        );
        assert_eq!(*pool.inner().lists.lock().unwrap(), 3);
    }

    /// A case index of `entries`, as `cognito-migrate case-index` writes it.
    fn case_folding(entries: &[(SignInField, &str)]) -> CaseFolding {
        let mut records: Vec<(u64, Vec<u8>)> = entries
            .iter()
            .map(|(field, value)| {
                let entry = case_index::Entry {
                    field: *field,
                    value: value.to_string(),
                };
                let hash = case_index::hash(&case_index::fold(value));
                (hash, case_index::record(&entry).unwrap())
            })
            .collect();
        records.sort();
        let mut bytes = case_index::MAGIC.to_vec();
        for (_, record) in records {
            bytes.extend(record);
        }
        CaseFolding::new(Arc::new(CaseIndex::from_bytes(bytes).unwrap()))
    }

    /// An old pool that compares user names exactly: `Ada` and `admin`; `Twin` and `TWIN`, two
    /// users a case-insensitive pool cannot tell apart.
    fn case_sensitive_old_pool() -> Fake {
        let mut users = BTreeMap::new();
        for name in ["Ada", "admin", "Twin", "TWIN"] {
            let user = SourceUser::new(name, SourceStatus::Confirmed)
                .with("email", &format!("{name}@Example.com"))
                .with("email_verified", "true");
            users.insert(name.to_string(), user);
        }
        Fake {
            users,
            ..Fake::default()
        }
    }

    #[tokio::test]
    async fn any_letter_case_finds_one_old_user_and_two_find_none() {
        let folding = case_folding(&[
            (SignInField::Username, "Ada"),
            (SignInField::Username, "Twin"),
            (SignInField::Username, "TWIN"),
            (SignInField::Email, "Ada@Example.com"),
        ]);
        let pool = WindowOldPool::new(
            case_sensitive_old_pool(),
            shape("username"),
            ListUsersRate::default(),
        )
        .with_case_folding(folding);
        let get = |name: &'static str| {
            let pool = &pool;
            async move { found(pool.get_user(name).await.unwrap()) }
        };
        assert_eq!(
            get("ada").await.as_deref(),
            Some("Ada"),
            "through the index"
        );
        assert_eq!(get("ADMIN").await.as_deref(), Some("admin"), "lower case");
        assert_eq!(get("Ada").await.as_deref(), Some("Ada"), "as typed");
        assert_eq!(get("twin").await, None, "two old users: none is taken");
        assert_eq!(get("TWIN").await.as_deref(), Some("TWIN"), "exact wins");
        assert_eq!(get("bob").await, None);
        assert_eq!(
            found(pool.user_named("aDmIn").await.unwrap()).as_deref(),
            Some("admin"),
            "the sign-up guard sees case variants"
        );
        assert_eq!(
            pool.find_by_alias(AliasKind::Email, "ada@example.COM")
                .await
                .unwrap(),
            ["Ada"]
        );
        // Without the index the new pool compares exactly: nothing else is tried.
        let exact = WindowOldPool::new(
            case_sensitive_old_pool(),
            shape("username"),
            ListUsersRate::default(),
        );
        assert_eq!(found(exact.get_user("ada").await.unwrap()), None);
    }
}
