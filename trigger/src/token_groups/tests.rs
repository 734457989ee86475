//! The companion answered end to end against hand-written old and new pools and event bus that
//! log their calls: who gets which groups, what is written, announced and turned on, what each
//! token costs, and the budget.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;
use shared::partition::TenantTable;
use shared::{SourceStatus, SourceUser};

use super::*;
use crate::companion_config::DEFAULT_MARKER_GROUP;
use crate::event::token::GROUPS_UNAVAILABLE_CLAIM;
use crate::migrated_event::EventError;
use crate::old_directory::SearchAttribute;
use crate::old_pool::Lookup;

const LEGACY: &str = "11111111-2222-4333-8444-555555555555";

/// A hand-written old pool: users by name with their groups, and a log of the calls.
#[derive(Default)]
struct FakeOldPool {
    users: BTreeMap<String, (SourceUser, Vec<String>)>,
    calls: Mutex<Vec<String>>,
    fault: Option<OldPoolError>,
    delay: Option<Duration>,
}

impl FakeOldPool {
    fn with(mut self, user: SourceUser, groups: &[&str]) -> FakeOldPool {
        let groups = groups.iter().map(|g| g.to_string()).collect();
        self.users.insert(user.username.clone(), (user, groups));
        self
    }

    async fn enter(&self, call: String) -> Result<(), OldPoolError> {
        self.calls.lock().unwrap().push(call);
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        self.fault.clone().map_or(Ok(()), Err)
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

impl OldDirectory for FakeOldPool {
    async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
        self.enter(format!("get {name}")).await?;
        Ok(self
            .users
            .get(name)
            .map_or(Lookup::NotFound, |(u, _)| Lookup::Found(u.clone())))
    }

    async fn users_with(
        &self,
        attribute: SearchAttribute,
        value: &str,
    ) -> Result<Vec<SourceUser>, OldPoolError> {
        self.enter(format!("list {} {value}", attribute.attribute()))
            .await?;
        Ok(self
            .users
            .values()
            .filter(|(u, _)| u.attribute(attribute.attribute()) == Some(value))
            .map(|(u, _)| u.clone())
            .collect())
    }

    async fn groups_of(&self, username: &str) -> Result<Vec<String>, OldPoolError> {
        self.enter(format!("groups {username}")).await?;
        Ok(self
            .users
            .get(username)
            .map(|(_, g)| g.clone())
            .unwrap_or_default())
    }
}

/// A hand-written new pool: its users (as `AdminGetUser` answers them, optionally found
/// through letter case), the memberships written per canonical user name, groups it refuses,
/// and a log of the reads.
#[derive(Clone, Default)]
struct FakeNewPool {
    users: Arc<BTreeMap<String, SourceUser>>,
    case_insensitive: bool,
    memberships: Arc<Mutex<BTreeMap<String, BTreeSet<String>>>>,
    reads: Arc<Mutex<Vec<String>>>,
    missing_groups: BTreeSet<String>,
    delay: Option<Duration>,
    read_fault: Option<NewPoolError>,
    read_delay: Option<Duration>,
    email_mfa_enabled: Arc<Mutex<Vec<String>>>,
    email_mfa_fault: Option<NewPoolError>,
    email_mfa_delay: Option<Duration>,
}

impl FakeNewPool {
    fn with(mut self, user: SourceUser) -> FakeNewPool {
        Arc::make_mut(&mut self.users).insert(user.username.clone(), user);
        self
    }

    fn groups_of(&self, user: &str) -> Vec<String> {
        self.memberships
            .lock()
            .unwrap()
            .get(user)
            .map(|g| g.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn written(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.memberships.lock().unwrap().clone()
    }

    fn reads(&self) -> Vec<String> {
        self.reads.lock().unwrap().clone()
    }

    /// The users e-mail MFA was turned on for, once per call (refused calls included).
    fn email_mfa_calls(&self) -> Vec<String> {
        self.email_mfa_enabled.lock().unwrap().clone()
    }
}

impl NewPool for FakeNewPool {
    async fn user(
        &self,
        pool_id: &str,
        username: &str,
    ) -> Result<Option<SourceUser>, NewPoolError> {
        self.reads
            .lock()
            .unwrap()
            .push(format!("get {pool_id} {username}"));
        if let Some(delay) = self.read_delay {
            tokio::time::sleep(delay).await;
        }
        if let Some(fault) = &self.read_fault {
            return Err(fault.clone());
        }
        Ok(self
            .users
            .values()
            .find(|u| {
                u.username == username
                    || (self.case_insensitive && u.username.eq_ignore_ascii_case(username))
            })
            .cloned())
    }

    async fn add_to_group(
        &self,
        _pool_id: &str,
        username: &str,
        group: &str,
    ) -> Result<(), NewPoolError> {
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        if self.missing_groups.contains(group) {
            return Err(NewPoolError::Membership {
                group: group.to_string(),
                problem: "ResourceNotFoundException".to_string(),
            });
        }
        self.memberships
            .lock()
            .unwrap()
            .entry(username.to_string())
            .or_default()
            .insert(group.to_string());
        Ok(())
    }

    async fn enable_email_mfa(&self, _pool_id: &str, username: &str) -> Result<(), NewPoolError> {
        self.email_mfa_enabled
            .lock()
            .unwrap()
            .push(username.to_string());
        if let Some(delay) = self.email_mfa_delay {
            tokio::time::sleep(delay).await;
        }
        self.email_mfa_fault.clone().map_or(Ok(()), Err)
    }
}

fn ada() -> SourceUser {
    SourceUser::new("ada", SourceStatus::Confirmed)
        .with("sub", LEGACY)
        .with("custom:tenant", "acme")
}

/// `name` as the migration leaves it in the new pool: its own `sub`, the legacy id, and a
/// verified e-mail.
fn migrated(name: &str, legacy: &str) -> SourceUser {
    SourceUser::new(name, SourceStatus::Confirmed)
        .with("sub", "99999999-8888-4777-8666-555555555555")
        .with("custom:legacy_sub", legacy)
        .with("email", &format!("{name}@example.com"))
        .with("email_verified", "true")
}

/// A new pool holding ada, migrated.
fn new_pool() -> FakeNewPool {
    FakeNewPool::default().with(migrated("ada", LEGACY))
}

fn companion(old: FakeOldPool, new: FakeNewPool) -> TokenGroups<FakeOldPool, FakeNewPool> {
    TokenGroups::new(
        old,
        new,
        Some("custom:legacy_sub".to_string()),
        DEFAULT_MARKER_GROUP,
        None,
    )
}

/// A PreTokenGeneration event as AWS documents it, for the new-pool user `ada` whose
/// new-pool groups are `groups`.
fn token(source: &str, version: &str, legacy: Option<&str>, groups: &[String]) -> Value {
    let mut attributes = json!({"sub": "99999999-8888-4777-8666-555555555555",
                                "email": "ada@example.com", "email_verified": "true"});
    if let Some(legacy) = legacy {
        attributes["custom:legacy_sub"] = json!(legacy);
    }
    let response = if version == "1" {
        json!({"claimsOverrideDetails": null})
    } else {
        json!({"claimsAndScopeOverrideDetails": null})
    };
    json!({
        "version": version, "triggerSource": source, "region": "us-east-1",
        "userPoolId": "us-east-1_acme", "userName": "ada",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newclient"},
        "request": {"userAttributes": attributes,
                    "groupConfiguration": {"groupsToOverride": groups, "iamRolesToOverride": [], "preferredRole": null},
                    "clientMetadata": {}},
        "response": response
    })
}

fn first_token(version: &str) -> Value {
    token("TokenGeneration_Authentication", version, Some(LEGACY), &[])
}

async fn answer(companion: &TokenGroups<FakeOldPool, FakeNewPool>, event: Value) -> Value {
    companion.answer(event, &Context::default()).await
}

/// The outcome the companion logs for `event`, with the answer.
async fn decided(
    companion: &TokenGroups<FakeOldPool, FakeNewPool>,
    event: &Value,
) -> (TokenAnswer, TokenOutcome) {
    let request = TokenRequest::parse(event).expect("a user's token event");
    let context = Context::default();
    let deadline = Deadline::start(companion.budget, &context);
    let decision = companion.decide(&request, &context, &deadline).await;
    (decision.answer, decision.outcome)
}

fn token_groups(answered: &Value, version: &str) -> Value {
    let key = if version == "1" {
        "claimsOverrideDetails"
    } else {
        "claimsAndScopeOverrideDetails"
    };
    answered["response"][key]["groupOverrideDetails"]["groupsToOverride"].clone()
}

#[tokio::test]
async fn the_first_token_carries_the_old_groups_and_they_are_written() {
    for version in ["1", "2"] {
        let new = new_pool();
        let companion = companion(
            FakeOldPool::default().with(ada(), &["admins", "staff"]),
            new.clone(),
        );
        let answered = answer(&companion, first_token(version)).await;
        assert_eq!(token_groups(&answered, version), json!(["admins", "staff"]));
        assert_eq!(new.groups_of("ada"), ["admins", "staff"]);
        assert_eq!(new.reads(), ["get us-east-1_acme ada"], "one re-read");
        // The proven user has an e-mail in the new pool: its MFA settings are read too.
        assert_eq!(
            companion.old_pool.calls(),
            [
                format!("list sub {LEGACY}"),
                "groups ada".to_string(),
                "get ada".to_string()
            ]
        );
        assert_eq!(answered["request"], first_token(version)["request"]);
    }
}

#[tokio::test]
async fn version_one_and_two_answers_have_cognitos_shapes() {
    let old = || FakeOldPool::default().with(ada(), &["staff"]);
    let v1 = answer(&companion(old(), new_pool()), first_token("1")).await;
    assert_eq!(
        v1["response"],
        json!({"claimsOverrideDetails": {"groupOverrideDetails":
            {"groupsToOverride": ["staff"], "iamRolesToOverride": []}}})
    );
    let v2 = answer(&companion(old(), new_pool()), first_token("2")).await;
    assert_eq!(
        v2["response"],
        json!({"claimsAndScopeOverrideDetails": {"groupOverrideDetails":
            {"groupsToOverride": ["staff"], "iamRolesToOverride": []}}})
    );
}

#[tokio::test]
async fn a_user_with_groups_in_the_new_pool_is_never_looked_up() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone());
    for source in [
        "TokenGeneration_Authentication",
        "TokenGeneration_RefreshTokens",
        "TokenGeneration_HostedAuth",
    ] {
        let event = token(source, "1", Some(LEGACY), &["staff".to_string()]);
        assert_eq!(answer(&companion, event.clone()).await, event);
    }
    assert!(companion.old_pool.calls().is_empty());
    assert!(new.reads().is_empty(), "no new-pool read either");
}

#[tokio::test]
async fn refresh_keeps_the_groups_written_at_the_first_token() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &["staff"]), new.clone());
    answer(&companion, first_token("1")).await;
    // Cognito reads the memberships back into the next event.
    let refresh = token(
        "TokenGeneration_RefreshTokens",
        "1",
        Some(LEGACY),
        &new.groups_of("ada"),
    );
    assert_eq!(answer(&companion, refresh.clone()).await, refresh);
    assert_eq!(
        companion.old_pool.calls().len(),
        3,
        "only the first token asked"
    );
    assert_eq!(new.reads().len(), 1, "only the first token read the user");
}

/// `event` answered with an explicit empty group override (version 1 or 2 shape).
fn without_groups(mut event: Value) -> Value {
    let details = if event["version"] == "1" {
        "claimsOverrideDetails"
    } else {
        "claimsAndScopeOverrideDetails"
    };
    event["response"][details] =
        json!({"groupOverrideDetails": {"groupsToOverride": [], "iamRolesToOverride": []}});
    event
}

#[tokio::test]
async fn a_user_without_old_groups_is_looked_up_once_and_never_sees_the_marker() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &[]), new.clone());
    let first = answer(&companion, first_token("2")).await;
    assert_eq!(
        first,
        without_groups(first_token("2")),
        "no groups, said explicitly: the marker just written never shows"
    );
    assert_eq!(new.groups_of("ada"), [DEFAULT_MARKER_GROUP]);
    for _ in 0..3 {
        let next = token(
            "TokenGeneration_RefreshTokens",
            "2",
            Some(LEGACY),
            &new.groups_of("ada"),
        );
        let answered = answer(&companion, next).await;
        assert_eq!(token_groups(&answered, "2"), json!([]));
    }
    assert_eq!(companion.old_pool.calls().len(), 3, "one lookup, ever");
}

#[tokio::test]
async fn users_the_migration_did_not_create_are_left_alone() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone());
    let native = token("TokenGeneration_Authentication", "1", None, &[]);
    assert_eq!(answer(&companion, native.clone()).await, native);
    let machine = json!({"version": "3", "triggerSource": "TokenGeneration_ClientCredentials",
                         "userPoolId": "us-east-1_acme", "request": {}, "response": {}});
    assert_eq!(answer(&companion, machine.clone()).await, machine);
    assert!(companion.old_pool.calls().is_empty());
    assert!(
        new.reads().is_empty(),
        "an event without a legacy id costs no call"
    );
}

#[tokio::test]
async fn forged_event_attributes_are_ignored() {
    // mallory is in the new pool without a legacy id; the event claims ada's legacy id and
    // verified e-mail for her.
    let new = new_pool().with(
        SourceUser::new("mallory", SourceStatus::Confirmed)
            .with("email", "mallory@example.com")
            .with("email_verified", "true"),
    );
    let guarded = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone());
    let mut forged = first_token("1");
    forged["userName"] = json!("mallory");
    assert_eq!(
        decided(&guarded, &forged).await,
        (TokenAnswer::Untouched, TokenOutcome::NotMigrated)
    );
    assert_eq!(answer(&guarded, forged.clone()).await, forged);
    assert!(
        new.written().is_empty(),
        "nothing written: {:?}",
        new.written()
    );
    assert!(guarded.old_pool.calls().is_empty());

    // A migrated user claiming someone else's legacy id gets their own old groups: the new
    // pool's attributes decide.
    let grace = SourceUser::new("grace", SourceStatus::Confirmed)
        .with("sub", "22222222-3333-4444-8555-666666666666");
    let new = new_pool().with(migrated("grace", "22222222-3333-4444-8555-666666666666"));
    let companion = companion(
        FakeOldPool::default()
            .with(ada(), &["admins"])
            .with(grace, &["staff"]),
        new.clone(),
    );
    let mut forged = first_token("1");
    forged["userName"] = json!("grace");
    let answered = answer(&companion, forged).await;
    assert_eq!(token_groups(&answered, "1"), json!(["staff"]));
    assert_eq!(new.groups_of("grace"), ["staff"]);
    assert!(new.groups_of("ada").is_empty());
}

#[tokio::test]
async fn memberships_are_written_under_the_canonical_user_name() {
    let new = FakeNewPool {
        case_insensitive: true,
        ..new_pool()
    };
    let companion = companion(FakeOldPool::default().with(ada(), &["staff"]), new.clone());
    let mut event = first_token("1");
    event["userName"] = json!("ADA");
    let answered = answer(&companion, event).await;
    assert_eq!(token_groups(&answered, "1"), json!(["staff"]));
    assert_eq!(
        new.written(),
        BTreeMap::from([("ada".to_string(), BTreeSet::from(["staff".to_string()]))])
    );
}

#[tokio::test]
async fn a_user_missing_or_disabled_in_the_new_pool_gets_nothing() {
    let mut disabled = migrated("ada", LEGACY);
    disabled.enabled = false;
    for new in [
        FakeNewPool::default(),
        FakeNewPool::default().with(disabled),
    ] {
        let companion = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone());
        assert_eq!(
            decided(&companion, &first_token("2")).await,
            (TokenAnswer::Untouched, TokenOutcome::NotInNewPool)
        );
        assert_eq!(answer(&companion, first_token("2")).await, first_token("2"));
        assert!(new.written().is_empty(), "not even the marker");
        assert!(companion.old_pool.calls().is_empty());
    }
}

#[tokio::test]
async fn a_new_pool_that_cannot_be_read_gives_a_token_without_groups_within_the_budget() {
    for (read_fault, read_delay) in [
        (
            Some(NewPoolError::Read {
                problem: "TooManyRequestsException".into(),
            }),
            None,
        ),
        (None, Some(Duration::from_secs(60))),
    ] {
        let new = FakeNewPool {
            read_fault,
            read_delay,
            ..new_pool()
        };
        let companion = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone())
            .with_budget(Duration::from_millis(200));
        let started = Instant::now();
        assert_eq!(
            decided(&companion, &first_token("1")).await,
            (
                TokenAnswer::GroupsUnavailable,
                TokenOutcome::NewPoolUnavailable
            )
        );
        let answered = answer(&companion, first_token("1")).await;
        assert_eq!(
            answered["response"],
            json!({"claimsOverrideDetails":
                {"claimsToAddOrOverride": {GROUPS_UNAVAILABLE_CLAIM: "true"}}})
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(new.written().is_empty());
        assert!(companion.old_pool.calls().is_empty());
    }
}

#[tokio::test]
async fn an_event_of_another_pool_is_left_untouched() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone())
        .with_new_pool_id(Some("us-east-1_acme".to_string()));
    let mut elsewhere = first_token("1");
    elsewhere["userPoolId"] = json!("us-east-1_other");
    assert_eq!(
        decided(&companion, &elsewhere).await,
        (TokenAnswer::Untouched, TokenOutcome::OtherPool)
    );
    assert_eq!(answer(&companion, elsewhere.clone()).await, elsewhere);
    assert!(new.reads().is_empty() && new.written().is_empty());
    assert!(companion.old_pool.calls().is_empty());

    let answered = answer(&companion, first_token("1")).await;
    assert_eq!(
        token_groups(&answered, "1"),
        json!(["admins"]),
        "its own pool"
    );
}

#[tokio::test]
async fn a_legacy_id_someone_wrote_into_their_own_profile_lends_no_groups() {
    // mallory's own new-pool profile holds ada's legacy id and ada's e-mail, unverified.
    let new = new_pool().with(
        migrated("mallory", LEGACY)
            .with("email", "ada@example.com")
            .with("email_verified", "false"),
    );
    let guarded = companion(FakeOldPool::default().with(ada(), &["admins"]), new.clone());
    let mut mallory = first_token("1");
    mallory["userName"] = json!("mallory");
    assert_eq!(
        answer(&guarded, mallory.clone()).await,
        without_groups(mallory)
    );
    assert_eq!(new.groups_of("mallory"), [DEFAULT_MARKER_GROUP]);

    // A pool that generates user names: the same verified email binds the two.
    let old = ada().with("email", "ada@example.com");
    let generated_name = "0b9f3d1e-6c1a-4f7e-9a43-2c55d0f7e8a1";
    let generated = migrated(generated_name, LEGACY).with("email", "ada@example.com");
    let companion = companion(
        FakeOldPool::default().with(old, &["admins"]),
        FakeNewPool::default().with(generated),
    );
    let mut event = first_token("1");
    event["userName"] = json!(generated_name);
    let answered = answer(&companion, event).await;
    assert_eq!(token_groups(&answered, "1"), json!(["admins"]));
}

#[tokio::test]
async fn without_a_legacy_id_in_the_mapping_nobody_is_proven() {
    // The old pool's admin and a new-pool stranger who took the name (in another case).
    let new = FakeNewPool {
        case_insensitive: true,
        ..FakeNewPool::default().with(SourceUser::new("ADA", SourceStatus::Confirmed))
    };
    let companion = TokenGroups::new(
        FakeOldPool::default().with(ada(), &["admins"]),
        new.clone(),
        None,
        DEFAULT_MARKER_GROUP,
        None,
    );
    for name in ["ada", "ADA"] {
        let mut event = token("TokenGeneration_Authentication", "1", Some(LEGACY), &[]);
        event["userName"] = json!(name);
        assert_eq!(
            decided(&companion, &event).await,
            (TokenAnswer::Untouched, TokenOutcome::NotMigrated)
        );
        assert_eq!(answer(&companion, event.clone()).await, event);
    }
    assert!(companion.old_pool.calls().is_empty(), "no lookup by name");
    assert!(new.reads().is_empty() && new.written().is_empty());
}

#[tokio::test]
async fn an_old_pool_that_cannot_answer_gives_a_token_without_groups_within_the_budget() {
    for (fault, delay) in [
        (
            Some(OldPoolError::Throttled {
                operation: "ListUsers",
                code: "TooManyRequestsException".into(),
            }),
            None,
        ),
        (None, Some(Duration::from_secs(60))),
    ] {
        let new = new_pool();
        let old = FakeOldPool {
            fault,
            delay,
            ..FakeOldPool::default().with(ada(), &["admins"])
        };
        let companion = companion(old, new.clone()).with_budget(Duration::from_millis(200));
        let started = Instant::now();
        for version in ["1", "2"] {
            let answered = answer(&companion, first_token(version)).await;
            let unavailable = json!({"claimsToAddOrOverride": {GROUPS_UNAVAILABLE_CLAIM: "true"}});
            let expected = if version == "1" {
                json!({"claimsOverrideDetails": unavailable})
            } else {
                json!({"claimsAndScopeOverrideDetails":
                    {"idTokenGeneration": unavailable, "accessTokenGeneration": unavailable}})
            };
            assert_eq!(answered["response"], expected);
        }
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(
            new.groups_of("ada").is_empty(),
            "nothing written, not even the marker"
        );
    }
}

#[tokio::test]
async fn a_missing_group_is_still_in_the_token_and_the_others_are_written() {
    let new = FakeNewPool {
        missing_groups: ["admins".to_string()].into(),
        ..new_pool()
    };
    let companion = companion(
        FakeOldPool::default().with(ada(), &["admins", "staff"]),
        new.clone(),
    );
    let answered = answer(&companion, first_token("1")).await;
    assert_eq!(token_groups(&answered, "1"), json!(["admins", "staff"]));
    assert_eq!(new.groups_of("ada"), ["staff"]);
}

#[tokio::test]
async fn slow_writes_are_cut_off_inside_the_budget() {
    let new = FakeNewPool {
        delay: Some(Duration::from_secs(60)),
        ..new_pool()
    };
    let companion = companion(FakeOldPool::default().with(ada(), &["staff"]), new.clone())
        .with_budget(Duration::from_millis(300));
    let started = Instant::now();
    let answered = answer(&companion, first_token("1")).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(token_groups(&answered, "1"), json!(["staff"]));
}

#[tokio::test]
async fn another_tenants_old_user_lends_no_groups() {
    let table = TenantTable::parse(
        r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"us-east-1_acme"},"globex":{"pool_id":"us-east-1_globex"}}}"#,
        Path::new("test"),
    )
    .unwrap();
    let rule = TenantRule {
        table,
        tenant: None,
    };
    let new = new_pool();
    let companion = TokenGroups::new(
        FakeOldPool::default().with(ada(), &["admins"]),
        new.clone(),
        Some("custom:legacy_sub".to_string()),
        DEFAULT_MARKER_GROUP,
        Some(rule),
    );
    let mut event = first_token("1");
    event["userPoolId"] = json!("us-east-1_globex");
    assert_eq!(
        answer(&companion, event.clone()).await,
        without_groups(event)
    );
    assert_eq!(new.groups_of("ada"), [DEFAULT_MARKER_GROUP]);
}

/// A hand-written event bus: the events it was asked to put (accepted or not), and how it
/// fails.
#[derive(Clone, Default)]
struct FakeBus {
    put: Arc<Mutex<Vec<MigratedUser>>>,
    fault: Option<EventError>,
    delay: Option<Duration>,
}

impl FakeBus {
    fn put(&self) -> Vec<MigratedUser> {
        self.put.lock().unwrap().clone()
    }
}

impl MigratedEvents for FakeBus {
    async fn put(&self, user: &MigratedUser) -> Result<(), EventError> {
        self.put.lock().unwrap().push(user.clone());
        if let Some(delay) = self.delay {
            tokio::time::sleep(delay).await;
        }
        self.fault.clone().map_or(Ok(()), Err)
    }
}

type Announcing = TokenGroups<FakeOldPool, FakeNewPool, FakeBus>;

fn announcing(old: FakeOldPool, new: FakeNewPool, bus: &FakeBus) -> Announcing {
    TokenGroups::new(
        old,
        new,
        Some("custom:legacy_sub".to_string()),
        DEFAULT_MARKER_GROUP,
        None,
    )
    .with_migrated_events(Some(bus.clone()))
}

/// ada's event as the companion makes it from the fakes above.
fn ada_migrated() -> MigratedUser {
    MigratedUser {
        old_sub: LEGACY.to_string(),
        new_sub: "99999999-8888-4777-8666-555555555555".to_string(),
        old_username: "ada".to_string(),
        new_username: "ada".to_string(),
        user_pool_id: "us-east-1_acme".to_string(),
    }
}

#[tokio::test]
async fn a_proven_user_is_announced_once_with_both_ids() {
    // With old groups, and without (the marker is the write that marks the user handled).
    for groups in [&["staff"][..], &[]] {
        let new = new_pool();
        let bus = FakeBus::default();
        let companion = announcing(
            FakeOldPool::default().with(ada(), groups),
            new.clone(),
            &bus,
        );
        companion
            .answer(first_token("2"), &Context::default())
            .await;
        assert_eq!(bus.put(), [ada_migrated()], "{groups:?}");
        for source in [
            "TokenGeneration_RefreshTokens",
            "TokenGeneration_Authentication",
        ] {
            let next = token(source, "2", Some(LEGACY), &new.groups_of("ada"));
            companion.answer(next, &Context::default()).await;
        }
        assert_eq!(
            bus.put().len(),
            1,
            "{groups:?}: later tokens announce nobody"
        );
    }
}

#[tokio::test]
async fn the_event_names_the_old_and_the_canonical_new_user() {
    // A pool that generates user names: the old name and the new one differ, and the new
    // one is the pool's, not the event's.
    let old = ada().with("email", "ada@example.com");
    let generated = "0b9f3d1e-6c1a-4f7e-9a43-2c55d0f7e8a1";
    let new = FakeNewPool {
        case_insensitive: true,
        ..FakeNewPool::default().with(migrated(generated, LEGACY).with("email", "ada@example.com"))
    };
    let bus = FakeBus::default();
    let companion = announcing(FakeOldPool::default().with(old, &["staff"]), new, &bus);
    let mut event = first_token("1");
    event["userName"] = json!(generated.to_uppercase());
    companion.answer(event, &Context::default()).await;
    assert_eq!(
        bus.put(),
        [MigratedUser {
            new_username: generated.to_string(),
            ..ada_migrated()
        }]
    );
}

#[tokio::test]
async fn a_user_not_proven_to_be_the_old_user_is_never_announced() {
    let mut disabled = migrated("ada", LEGACY);
    disabled.enabled = false;
    let table = TenantTable::parse(
        r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"us-east-1_acme"},"globex":{"pool_id":"us-east-1_globex"}}}"#,
        Path::new("test"),
    )
    .unwrap();
    let mut elsewhere = first_token("1");
    elsewhere["userPoolId"] = json!("us-east-1_globex");
    let mut mallory = first_token("1");
    mallory["userName"] = json!("mallory");
    let nobodys = "77777777-2222-4333-8444-555555555555";
    // (case, new pool, legacy-id attribute, tenant rule, event): none of them proves anyone.
    type Case = (
        &'static str,
        FakeNewPool,
        Option<&'static str>,
        Option<TenantRule>,
        Value,
    );
    let cases: Vec<Case> = vec![
        (
            "no legacy id in the event",
            new_pool(),
            Some("custom:legacy_sub"),
            None,
            token("TokenGeneration_Authentication", "1", None, &[]),
        ),
        (
            "the mapping keeps no legacy id",
            new_pool(),
            None,
            None,
            first_token("1"),
        ),
        (
            "the event claims a legacy id the new pool does not hold",
            new_pool().with(
                SourceUser::new("mallory", SourceStatus::Confirmed)
                    .with("sub", "99999999-8888-4777-8666-000000000000"),
            ),
            Some("custom:legacy_sub"),
            None,
            mallory.clone(),
        ),
        (
            "a legacy id written into one's own profile, e-mail unverified",
            new_pool().with(
                migrated("mallory", LEGACY)
                    .with("email", "ada@example.com")
                    .with("email_verified", "false"),
            ),
            Some("custom:legacy_sub"),
            None,
            mallory,
        ),
        (
            "a legacy id no old user has",
            FakeNewPool::default().with(migrated("ada", nobodys)),
            Some("custom:legacy_sub"),
            None,
            first_token("1"),
        ),
        (
            "another tenant's old user",
            new_pool(),
            Some("custom:legacy_sub"),
            Some(TenantRule {
                table,
                tenant: None,
            }),
            elsewhere,
        ),
        (
            "disabled in the new pool",
            FakeNewPool::default().with(disabled),
            Some("custom:legacy_sub"),
            None,
            first_token("1"),
        ),
        (
            "not in the new pool",
            FakeNewPool::default(),
            Some("custom:legacy_sub"),
            None,
            first_token("1"),
        ),
    ];
    for (case, new, attribute, tenant, event) in cases {
        let bus = FakeBus::default();
        let companion = TokenGroups::new(
            FakeOldPool::default().with(ada(), &["admins"]),
            new,
            attribute.map(str::to_string),
            DEFAULT_MARKER_GROUP,
            tenant,
        )
        .with_migrated_events(Some(bus.clone()));
        companion.answer(event, &Context::default()).await;
        assert!(bus.put().is_empty(), "{case}: {:?}", bus.put());
    }
}

#[tokio::test]
async fn no_event_until_a_membership_is_written() {
    let new = FakeNewPool {
        missing_groups: ["staff".to_string()].into(),
        ..new_pool()
    };
    let bus = FakeBus::default();
    let old = || FakeOldPool::default().with(ada(), &["staff"]);
    let companion = announcing(old(), new.clone(), &bus);
    companion
        .answer(first_token("1"), &Context::default())
        .await;
    assert!(
        bus.put().is_empty(),
        "nothing written, so the next token looks the user up again"
    );
    // `cognito-migrate groups` has created the group: the next token writes and announces.
    let companion = announcing(
        old(),
        FakeNewPool {
            missing_groups: BTreeSet::new(),
            ..new
        },
        &bus,
    );
    companion
        .answer(first_token("1"), &Context::default())
        .await;
    assert_eq!(bus.put(), [ada_migrated()]);
}

#[tokio::test]
async fn a_pool_that_cannot_be_asked_announces_nobody() {
    let bus = FakeBus::default();
    let old = FakeOldPool {
        fault: Some(OldPoolError::Throttled {
            operation: "ListUsers",
            code: "TooManyRequestsException".into(),
        }),
        ..FakeOldPool::default().with(ada(), &["admins"])
    };
    announcing(old, new_pool(), &bus)
        .answer(first_token("1"), &Context::default())
        .await;
    let new = FakeNewPool {
        read_fault: Some(NewPoolError::Read {
            problem: "TooManyRequestsException".into(),
        }),
        ..new_pool()
    };
    announcing(FakeOldPool::default().with(ada(), &["admins"]), new, &bus)
        .answer(first_token("1"), &Context::default())
        .await;
    assert!(bus.put().is_empty());
}

#[tokio::test]
async fn a_bus_that_fails_or_hangs_leaves_the_answer_unchanged_within_the_budget() {
    for version in ["1", "2"] {
        let expected = answer(
            &companion(FakeOldPool::default().with(ada(), &["staff"]), new_pool()),
            first_token(version),
        )
        .await;
        for bus in [
            FakeBus {
                fault: Some(EventError {
                    problem: "AccessDeniedException".into(),
                }),
                ..FakeBus::default()
            },
            FakeBus {
                delay: Some(Duration::from_secs(60)),
                ..FakeBus::default()
            },
        ] {
            let new = new_pool();
            let companion = announcing(
                FakeOldPool::default().with(ada(), &["staff"]),
                new.clone(),
                &bus,
            )
            .with_budget(Duration::from_millis(300));
            let started = Instant::now();
            let answered = companion
                .answer(first_token(version), &Context::default())
                .await;
            assert!(started.elapsed() < Duration::from_secs(1));
            assert_eq!(answered, expected, "version {version}");
            assert_eq!(
                new.groups_of("ada"),
                ["staff"],
                "the memberships are written"
            );
            assert_eq!(bus.put().len(), 1, "tried once, never again");
        }
    }
}

#[tokio::test]
async fn hanging_writes_end_inside_the_budget_and_announce_nobody() {
    // Writes that hang are cut off with room left for an event; none is due, since nothing
    // was written.
    let new = FakeNewPool {
        delay: Some(Duration::from_secs(60)),
        ..new_pool()
    };
    let bus = FakeBus::default();
    let companion = announcing(FakeOldPool::default().with(ada(), &["staff"]), new, &bus)
        .with_budget(Duration::from_millis(1200));
    let started = Instant::now();
    let answered = companion
        .answer(first_token("1"), &Context::default())
        .await;
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(token_groups(&answered, "1"), json!(["staff"]));
    assert!(
        bus.put().is_empty(),
        "no membership was written, so the user is not marked handled and not announced"
    );
}

/// ada as the old pool holds her, enrolled in e-mail MFA.
fn ada_with_email_mfa() -> SourceUser {
    let mut ada = ada().with("email", "ada@example.com");
    ada.mfa.email = true;
    ada
}

/// Answers `event` and tells what became of the user's e-mail MFA.
async fn answer_reporting<E: MigratedEvents + Sync>(
    companion: &TokenGroups<FakeOldPool, FakeNewPool, E>,
    event: Value,
) -> (Value, Option<EmailMfaOutcome>) {
    let request = TokenRequest::parse(&event).expect("a user's token event");
    let context = Context::default();
    let deadline = Deadline::start(companion.budget, &context);
    companion
        .answer_reporting(request, event, &context, deadline)
        .await
}

#[tokio::test]
async fn a_proven_email_mfa_user_gets_it_back_once_and_the_token_is_unchanged() {
    for groups in [&["staff"][..], &[]] {
        for version in ["1", "2"] {
            let expected = answer(
                &companion(FakeOldPool::default().with(ada(), groups), new_pool()),
                first_token(version),
            )
            .await;
            let new = new_pool();
            let companion = companion(
                FakeOldPool::default().with(ada_with_email_mfa(), groups),
                new.clone(),
            );
            let (answered, email_mfa) = answer_reporting(&companion, first_token(version)).await;
            assert_eq!(
                answered, expected,
                "{groups:?} v{version}: the token is the same"
            );
            assert_eq!(email_mfa, Some(EmailMfaOutcome::Restored));
            assert_eq!(new.email_mfa_calls(), ["ada"], "under the canonical name");
            for source in [
                "TokenGeneration_RefreshTokens",
                "TokenGeneration_Authentication",
            ] {
                let next = token(source, version, Some(LEGACY), &new.groups_of("ada"));
                let (_, email_mfa) = answer_reporting(&companion, next).await;
                assert_eq!(email_mfa, None);
            }
            assert_eq!(
                new.email_mfa_calls().len(),
                1,
                "later tokens leave it alone"
            );
        }
    }
}

#[tokio::test]
async fn a_user_without_email_mfa_in_the_old_pool_is_left_alone() {
    let new = new_pool();
    let companion = companion(FakeOldPool::default().with(ada(), &["staff"]), new.clone());
    let (_, email_mfa) = answer_reporting(&companion, first_token("1")).await;
    assert_eq!(email_mfa, None);
    assert!(new.email_mfa_calls().is_empty());
}

#[tokio::test]
async fn a_user_not_proven_to_be_the_old_user_never_gets_email_mfa() {
    let mut disabled = migrated("ada", LEGACY);
    disabled.enabled = false;
    let mut mallory = first_token("1");
    mallory["userName"] = json!("mallory");
    let cases: Vec<(&str, FakeNewPool, Option<&str>, Value)> = vec![
        (
            "no legacy id in the event",
            new_pool(),
            Some("custom:legacy_sub"),
            token("TokenGeneration_Authentication", "1", None, &[]),
        ),
        (
            "the mapping keeps no legacy id",
            new_pool(),
            None,
            first_token("1"),
        ),
        (
            "a legacy id written into one's own verified profile, another person",
            new_pool().with(migrated("mallory", LEGACY)),
            Some("custom:legacy_sub"),
            mallory,
        ),
        (
            "a legacy id no old user has",
            FakeNewPool::default().with(migrated("ada", "77777777-2222-4333-8444-555555555555")),
            Some("custom:legacy_sub"),
            first_token("1"),
        ),
        (
            "disabled in the new pool",
            FakeNewPool::default().with(disabled),
            Some("custom:legacy_sub"),
            first_token("1"),
        ),
    ];
    for (case, new, attribute, event) in cases {
        let companion: TokenGroups<FakeOldPool, FakeNewPool> = TokenGroups::new(
            FakeOldPool::default().with(ada_with_email_mfa(), &["admins"]),
            new.clone(),
            attribute.map(str::to_string),
            DEFAULT_MARKER_GROUP,
            None,
        );
        let (_, email_mfa) = answer_reporting(&companion, event).await;
        assert_eq!(email_mfa, None, "{case}");
        assert!(new.email_mfa_calls().is_empty(), "{case}");
    }
}

#[tokio::test]
async fn an_email_not_verified_in_the_new_pool_is_not_proof_and_is_logged() {
    for verified in [Some("false"), None] {
        let mut user = migrated("ada", LEGACY);
        match verified {
            Some(flag) => user = user.with("email_verified", flag),
            None => {
                user.attributes.remove("email_verified");
            }
        }
        let new = FakeNewPool::default().with(user);
        let companion = companion(
            FakeOldPool::default().with(ada_with_email_mfa(), &["staff"]),
            new.clone(),
        );
        let (answered, email_mfa) = answer_reporting(&companion, first_token("1")).await;
        assert_eq!(
            token_groups(&answered, "1"),
            json!(["staff"]),
            "the groups still come"
        );
        assert_eq!(email_mfa, Some(EmailMfaOutcome::Unproven), "{verified:?}");
        assert_eq!(EmailMfaOutcome::Unproven.code(), "email-mfa-unproven");
        assert!(new.email_mfa_calls().is_empty(), "{verified:?}");
    }
}

#[tokio::test]
async fn a_user_without_an_email_in_the_new_pool_costs_no_extra_read() {
    let mut user = migrated("ada", LEGACY);
    user.attributes.remove("email");
    user.attributes.remove("email_verified");
    let new = FakeNewPool::default().with(user);
    let companion = companion(
        FakeOldPool::default().with(ada_with_email_mfa(), &["staff"]),
        new.clone(),
    );
    let (_, email_mfa) = answer_reporting(&companion, first_token("1")).await;
    assert_eq!(email_mfa, None);
    assert_eq!(
        companion.old_pool.calls(),
        [format!("list sub {LEGACY}"), "groups ada".to_string()]
    );
    assert!(new.email_mfa_calls().is_empty());
}

#[tokio::test]
async fn a_pool_that_cannot_do_email_mfa_leaves_the_token_unchanged_and_is_logged() {
    for version in ["1", "2"] {
        let expected = answer(
            &companion(FakeOldPool::default().with(ada(), &["staff"]), new_pool()),
            first_token(version),
        )
        .await;
        let refusal = NewPoolError::EmailMfa {
            not_configured: true,
            problem: format!(
                "InvalidParameterException ({})",
                crate::new_pool::NOT_CONFIGURED_FIX
            ),
        };
        let new = FakeNewPool {
            email_mfa_fault: Some(refusal.clone()),
            ..new_pool()
        };
        let companion = companion(
            FakeOldPool::default().with(ada_with_email_mfa(), &["staff"]),
            new.clone(),
        );
        let (answered, email_mfa) = answer_reporting(&companion, first_token(version)).await;
        assert_eq!(answered, expected, "v{version}");
        let email_mfa = email_mfa.expect("an outcome");
        assert_eq!(email_mfa, EmailMfaOutcome::NotConfigured(refusal));
        assert_eq!(email_mfa.code(), "email-mfa-not-configured");
        assert!(email_mfa.problem().unwrap().contains("preflight"));
        assert_eq!(new.email_mfa_calls(), ["ada"], "asked once, not retried");
        assert_eq!(
            new.groups_of("ada"),
            ["staff"],
            "the memberships are written"
        );
    }
}

#[tokio::test]
async fn a_hanging_mfa_call_or_old_read_ends_inside_the_budget_with_the_same_token() {
    let expected = answer(
        &companion(FakeOldPool::default().with(ada(), &["staff"]), new_pool()),
        first_token("1"),
    )
    .await;
    // The new pool's MFA call hangs.
    let new = FakeNewPool {
        email_mfa_delay: Some(Duration::from_secs(60)),
        ..new_pool()
    };
    let companion = companion(
        FakeOldPool::default().with(ada_with_email_mfa(), &["staff"]),
        new,
    )
    .with_budget(Duration::from_millis(1500));
    let started = Instant::now();
    let (answered, email_mfa) = answer_reporting(&companion, first_token("1")).await;
    assert!(started.elapsed() < Duration::from_millis(1800));
    assert_eq!(answered, expected);
    assert_eq!(email_mfa, Some(EmailMfaOutcome::TimedOut));
    // The old pool's read fails: the groups are not held back by it.
    let old = FakeOldPool::default().with(ada_with_email_mfa(), &["staff"]);
    struct FailingGet(FakeOldPool);
    impl OldDirectory for FailingGet {
        async fn user_named(&self, _name: &str) -> Result<Lookup, OldPoolError> {
            Err(OldPoolError::Throttled {
                operation: "AdminGetUser",
                code: "TooManyRequestsException".into(),
            })
        }
        async fn users_with(
            &self,
            attribute: SearchAttribute,
            value: &str,
        ) -> Result<Vec<SourceUser>, OldPoolError> {
            self.0.users_with(attribute, value).await
        }
        async fn groups_of(&self, username: &str) -> Result<Vec<String>, OldPoolError> {
            self.0.groups_of(username).await
        }
    }
    let new = new_pool();
    let companion: TokenGroups<FailingGet, FakeNewPool> = TokenGroups::new(
        FailingGet(old),
        new.clone(),
        Some("custom:legacy_sub".to_string()),
        DEFAULT_MARKER_GROUP,
        None,
    );
    let event = first_token("1");
    let request = TokenRequest::parse(&event).unwrap();
    let context = Context::default();
    let deadline = Deadline::start(companion.budget, &context);
    let (answered, email_mfa) = companion
        .answer_reporting(request, event, &context, deadline)
        .await;
    assert_eq!(answered, expected);
    assert_eq!(
        email_mfa.as_ref().map(EmailMfaOutcome::code),
        Some("email-mfa-unknown")
    );
    assert!(new.email_mfa_calls().is_empty());
}
