//! The guard answered end to end against a hand-written old pool that logs its calls: what is
//! refused, what passes, which calls every sign-up costs, and the budget.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde_json::json;
use shared::SourceStatus;
use shared::partition::TenantTable;

use super::*;

/// A hand-written old pool: users by name, a log of the calls, an optional fault or delay.
#[derive(Default)]
struct FakeDirectory {
    users: BTreeMap<String, SourceUser>,
    calls: Mutex<Vec<String>>,
    fault: Option<OldPoolError>,
    delay: Option<Duration>,
}

impl FakeDirectory {
    fn with(mut self, user: SourceUser) -> FakeDirectory {
        self.users.insert(user.username.clone(), user);
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
        let mut calls = self.calls.lock().unwrap().clone();
        calls.sort();
        calls
    }
}

impl OldDirectory for FakeDirectory {
    async fn user_named(&self, name: &str) -> Result<Lookup, OldPoolError> {
        self.enter(format!("get {name}")).await?;
        Ok(self
            .users
            .get(name)
            .cloned()
            .map_or(Lookup::NotFound, Lookup::Found))
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
            .filter(|u| u.attribute(attribute.attribute()) == Some(value))
            .cloned()
            .collect())
    }

    async fn groups_of(&self, _: &str) -> Result<Vec<String>, OldPoolError> {
        unreachable!("sign-up never asks for groups")
    }
}

fn ada() -> SourceUser {
    // Unverified on purpose: an identity is protected whether or not it was verified.
    SourceUser::new("ada", SourceStatus::Confirmed)
        .with("email", "ada@example.com")
        .with("phone_number", "+15555550100")
        .with("custom:tenant", "acme")
}

fn old_pool() -> FakeDirectory {
    FakeDirectory::default().with(ada())
}

/// A PreSignUp event as AWS documents it (version 1, `response` with the three flags).
fn sign_up(source: &str, name: &str, email: Option<&str>, phone: Option<&str>) -> Value {
    let mut attributes = serde_json::Map::new();
    if let Some(email) = email {
        attributes.insert("email".into(), json!(email));
    }
    if let Some(phone) = phone {
        attributes.insert("phone_number".into(), json!(phone));
    }
    json!({
        "version": "1", "triggerSource": source, "region": "us-east-1",
        "userPoolId": "us-east-1_acme", "userName": name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "newclient"},
        "request": {"userAttributes": attributes, "validationData": null, "clientMetadata": null},
        "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
    })
}

async fn answer(guard: &SignUpGuard<FakeDirectory>, event: Value) -> Result<Value, SignUpRefusal> {
    guard.answer(event, &Context::default()).await
}

#[tokio::test]
async fn an_old_users_name_email_or_phone_is_refused_as_an_existing_account() {
    let guard = SignUpGuard::new(old_pool(), None);
    for event in [
        sign_up("PreSignUp_SignUp", "ada", Some("new@example.com"), None),
        sign_up("PreSignUp_SignUp", "mallory", Some("ada@example.com"), None),
        sign_up("PreSignUp_SignUp", "mallory", None, Some("+15555550100")),
    ] {
        assert_eq!(
            answer(&guard, event).await,
            Err(SignUpRefusal::AccountExists)
        );
    }
    assert_eq!(
        SignUpRefusal::AccountExists.to_string(),
        "An account with the given user name, email or phone number already exists"
    );
}

#[tokio::test]
async fn a_new_identity_signs_up_and_the_event_comes_back_untouched() {
    let guard = SignUpGuard::new(old_pool(), None);
    let event = sign_up(
        "PreSignUp_SignUp",
        "grace",
        Some("grace@example.com"),
        Some("+15555550199"),
    );
    assert_eq!(answer(&guard, event.clone()).await, Ok(event));
}

#[tokio::test]
async fn every_sign_up_costs_the_same_calls_whatever_it_finds() {
    let taken = SignUpGuard::new(old_pool(), None);
    let free = SignUpGuard::new(FakeDirectory::default(), None);
    let event = sign_up(
        "PreSignUp_SignUp",
        "ada",
        Some("ada@example.com"),
        Some("+15555550100"),
    );
    assert!(answer(&taken, event.clone()).await.is_err());
    assert!(answer(&free, event).await.is_ok());
    let expected = [
        "get ada",
        "list email ada@example.com",
        "list phone_number +15555550100",
    ];
    assert_eq!(taken.old_pool.calls(), expected);
    assert_eq!(free.old_pool.calls(), expected);
}

fn guard_for(shape: &str, pool: FakeDirectory) -> SignUpGuard<FakeDirectory> {
    SignUpGuard::new(pool, None).with_sign_in(NewPoolSignIn::parse(shape).unwrap())
}

/// Ada (unverified e-mail and phone) and Vera (verified e-mail), Dora (disabled) and Uma
/// (unconfirmed).
fn shaped_old_pool() -> FakeDirectory {
    let vera = SourceUser::new("vera", SourceStatus::Confirmed)
        .with("email", "vera@example.com")
        .with("email_verified", "true");
    let mut dora = SourceUser::new("dora", SourceStatus::Confirmed)
        .with("email", "dora@example.com")
        .with("email_verified", "true");
    dora.enabled = false;
    let uma = SourceUser::new("uma", SourceStatus::Unconfirmed).with("email", "uma@example.com");
    old_pool().with(vera).with(dora).with(uma)
}

#[tokio::test]
async fn a_user_name_pool_protects_user_names_and_not_addresses() {
    let guard = guard_for("username", shaped_old_pool());
    let refused = |name: &'static str, email: &'static str| {
        let event = sign_up("PreSignUp_SignUp", name, Some(email), Some("+15555550100"));
        let guard = &guard;
        async move { answer(guard, event).await.is_err() }
    };
    assert!(
        !refused("mallory", "ada@example.com").await,
        "not an oracle"
    );
    assert!(
        !refused("mallory", "vera@example.com").await,
        "an attribute, not a name"
    );
    for name in ["ada", "dora", "uma"] {
        assert!(refused(name, "new@example.com").await, "{name}");
    }
    // A user name shaped like an address the sign-in would resolve: only a verified one.
    assert!(refused("vera@example.com", "x@example.com").await);
    assert!(!refused("ada@example.com", "x@example.com").await);
    assert!(
        guard
            .old_pool
            .calls()
            .iter()
            .all(|call| !call.starts_with("list email new@")
                && !call.starts_with("list phone_number")),
        "attributes that are no sign-in name are never searched: {:?}",
        guard.old_pool.calls()
    );
}

#[tokio::test]
async fn an_alias_pool_protects_verified_aliases_only() {
    let guard = guard_for("username,email", shaped_old_pool());
    let event = |name: &str, email: &str| sign_up("PreSignUp_SignUp", name, Some(email), None);
    assert_eq!(
        answer(&guard, event("mallory", "vera@example.com")).await,
        Err(SignUpRefusal::AccountExists)
    );
    assert_eq!(
        answer(&guard, event("mallory", "dora@example.com")).await,
        Err(SignUpRefusal::AccountExists),
        "a disabled user's verified alias too"
    );
    for unverified in ["ada@example.com", "uma@example.com"] {
        assert!(
            answer(&guard, event("mallory", unverified)).await.is_ok(),
            "{unverified}"
        );
    }
}

#[tokio::test]
async fn an_email_pool_protects_every_old_address_and_no_user_name() {
    let guard = guard_for("email", shaped_old_pool());
    let event =
        |email: &str, phone: Option<&str>| sign_up("PreSignUp_SignUp", email, Some(email), phone);
    for taken in ["ada@example.com", "vera@example.com", "uma@example.com"] {
        assert_eq!(
            answer(&guard, event(taken, None)).await,
            Err(SignUpRefusal::AccountExists),
            "{taken}"
        );
    }
    // A phone is only an attribute there; a generated user name is never looked up.
    let free = event("new@example.com", Some("+15555550100"));
    assert_eq!(answer(&guard, free.clone()).await, Ok(free));
    let calls = guard.old_pool.calls();
    assert!(
        calls.iter().all(|c| c.starts_with("list email ")),
        "{calls:?}"
    );
}

#[tokio::test]
async fn the_calls_depend_on_the_shape_not_on_who_exists() {
    for shape in [
        "username",
        "username,email,phone_number",
        "email",
        "phone_number",
    ] {
        let taken = guard_for(shape, shaped_old_pool());
        let free = guard_for(shape, FakeDirectory::default());
        let event = sign_up(
            "PreSignUp_SignUp",
            "vera@example.com",
            Some("vera@example.com"),
            Some("+15555550100"),
        );
        let _ = answer(&taken, event.clone()).await;
        let _ = answer(&free, event).await;
        assert_eq!(taken.old_pool.calls(), free.old_pool.calls(), "{shape}");
    }
}

#[tokio::test]
async fn a_spent_list_users_budget_refuses_with_the_retry_sentence() {
    let spent = FakeDirectory {
        fault: Some(OldPoolError::Throttled {
            operation: "ListUsers",
            code: old_directory::BUDGET_SPENT_CODE.to_string(),
        }),
        ..old_pool()
    };
    let guard = SignUpGuard::new(spent, None);
    let event = sign_up("PreSignUp_SignUp", "grace", Some("grace@example.com"), None);
    assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
}

#[tokio::test]
async fn admin_create_user_passes_unchanged_without_asking() {
    let guard = SignUpGuard::new(old_pool(), None);
    let event = sign_up(
        "PreSignUp_AdminCreateUser",
        "ada",
        Some("ada@example.com"),
        None,
    );
    assert_eq!(answer(&guard, event.clone()).await, Ok(event));
    assert!(guard.old_pool.calls().is_empty());
}

#[tokio::test]
async fn a_federated_old_user_not_yet_linked_waits_and_every_other_identity_passes() {
    let federated = SourceUser::new("Google_123", SourceStatus::ExternalProvider)
        .with("email", "bo@example.com")
        .with(
            "identities",
            r#"[{"userId":"123","providerName":"Google"}]"#,
        );
    let guard = SignUpGuard::new(old_pool().with(federated), None);
    let first = sign_up(
        "PreSignUp_ExternalProvider",
        "Google_123",
        Some("bo@example.com"),
        None,
    );
    let refusal = answer(&guard, first).await.unwrap_err();
    assert_eq!(refusal, SignUpRefusal::NotYetLinked);
    assert_eq!(
        refusal.to_string(),
        "Your account is being moved, please try again later"
    );
    // A new federated user, and one that shares only an old user's e-mail or name, pass.
    for (name, email) in [
        ("Google_999", "new@example.com"),
        ("Google_998", "ada@example.com"),
        ("ada", "ada@example.com"),
    ] {
        let event = sign_up("PreSignUp_ExternalProvider", name, Some(email), None);
        assert_eq!(answer(&guard, event.clone()).await, Ok(event), "{name}");
    }
    assert_eq!(
        guard.old_pool.calls(),
        [
            "get Google_123",
            "get Google_998",
            "get Google_999",
            "get ada"
        ],
        "one AdminGetUser of the federated user name, nothing else"
    );
    let down = FakeDirectory {
        fault: Some(OldPoolError::Unavailable {
            operation: "AdminGetUser",
            detail: "cannot connect".into(),
        }),
        ..old_pool()
    };
    let guard = SignUpGuard::new(down, None);
    let event = sign_up("PreSignUp_ExternalProvider", "Google_999", None, None);
    assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
}

#[tokio::test]
async fn an_old_pool_that_cannot_answer_refuses_within_the_budget() {
    let down = FakeDirectory {
        fault: Some(OldPoolError::Unavailable {
            operation: "ListUsers",
            detail: "cannot connect".into(),
        }),
        ..old_pool()
    };
    let guard = SignUpGuard::new(down, None);
    let event = sign_up("PreSignUp_SignUp", "grace", Some("grace@example.com"), None);
    let refusal = answer(&guard, event.clone()).await.unwrap_err();
    assert_eq!(refusal, SignUpRefusal::Unavailable);
    assert!(!refusal.to_string().contains("ListUsers"));

    let hanging = FakeDirectory {
        delay: Some(Duration::from_secs(60)),
        ..old_pool()
    };
    let guard = SignUpGuard::new(hanging, None).with_budget(Duration::from_millis(100));
    let started = Instant::now();
    assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
    assert!(started.elapsed() < Duration::from_secs(2));
}

fn split() -> TenantRule {
    let table = TenantTable::parse(
        r#"{"attribute":"custom:tenant","tenants":{"acme":{"pool_id":"us-east-1_acme"},"globex":{"pool_id":"us-east-1_globex"}}}"#,
        Path::new("test"),
    )
    .unwrap();
    TenantRule {
        table,
        tenant: None,
    }
}

#[tokio::test]
async fn in_a_tenant_split_only_this_tenants_users_hold_identities() {
    let guard = SignUpGuard::new(old_pool(), Some(split()));
    let mut in_acme = sign_up("PreSignUp_SignUp", "mallory", Some("ada@example.com"), None);
    assert_eq!(
        answer(&guard, in_acme.clone()).await,
        Err(SignUpRefusal::AccountExists)
    );
    in_acme["userPoolId"] = json!("us-east-1_globex");
    let in_globex = in_acme;
    assert_eq!(answer(&guard, in_globex.clone()).await, Ok(in_globex));

    let mut unknown_pool = sign_up("PreSignUp_SignUp", "grace", None, None);
    unknown_pool["userPoolId"] = json!("us-east-1_other");
    assert_eq!(
        answer(&guard, unknown_pool).await,
        Err(SignUpRefusal::Unavailable)
    );
}

#[tokio::test]
async fn an_unreadable_sign_up_is_not_let_through() {
    let guard = SignUpGuard::new(old_pool(), None);
    let mut event = sign_up("PreSignUp_SignUp", "grace", None, None);
    event["request"]["userAttributes"] = json!("not an object");
    assert_eq!(answer(&guard, event).await, Err(SignUpRefusal::Unavailable));
}
