//! Hardening of `cognito-migrate-trigger` (issue 5, trigger side), through the test bed's Lambda
//! host and the real Invoke API:
//! - wrong-password fuzz against real old-pool users in moto: nothing migrates, and a wrong
//!   password answers exactly like an unknown user;
//! - the old pool behind `tests/faults/fault_proxy.py` (throttled, failing, stalled, partly
//!   throttled): every answer comes inside Cognito's 5-second budget and no user the old pool did
//!   not verify is migrated;
//! - hostile events (huge names, control characters, wrong types, junk): a clean answer, no
//!   crash, no panic;
//! - load end to end through a new pool that calls the trigger from its LambdaConfig: 200
//!   distinct users, 20 at a time, each migrated once;
//! - the function's logs hold no password, client secret, token or event;
//! - a user enrolled in TOTP whom the old pool answers with tokens (the factor on but not
//!   preferred) arrives `RESET_REQUIRED`, never `CONFIRMED`, in a user-name and an
//!   e-mail-as-user-name new pool.
//!
//! Every test has its own pools and function registration, so they run in parallel.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
    UserStatusType, UsernameAttributeType,
};
use integration_tests::import_support::FaultProxy;
use integration_tests::lambda::{
    Function, Invocation, LambdaHost, forgot_password_event, sign_in_event, trigger_env,
    user_migration_config,
};
use integration_tests::pools::{
    PoolSpec, create_pool, create_sign_in_client, create_user, find_user,
};
use integration_tests::testbed::binary;
use integration_tests::trigger_support::{
    OldPool, SplitMix, WrongPasswordKind, percentile, seed_users, wrong_password,
};
use serde_json::{Value, json};
use shared::Secret;
use shared::secret_hash::secret_hash;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const PASSWORD: &str = "Old-Passw0rd!";
const TEMP_PASSWORD: &str = "Temp-Passw0rd!";

/// How long Cognito waits for a UserMigration trigger.
const COGNITO_BUDGET: Duration = Duration::from_secs(5);

/// The log line the trigger writes for every migration.
const MIGRATED: &str = "\"outcome\":\"migrated-";

async fn old_pool(name: &str, with_secret: bool) -> OldPool {
    OldPool::create(&format!("hardening-{name}"), &[], with_secret).await
}

/// Registers the trigger for an old pool.
trait Register {
    /// Registers the trigger for this pool as a function of its own (named after `label` and
    /// the pool, so parallel runs do not collide), with `extra` settings and up to
    /// `concurrency` instances; the Lambda timeout is Cognito's budget.
    async fn function(
        &self,
        label: &str,
        extra: &[(&str, &str)],
        concurrency: u32,
    ) -> (LambdaHost, String);
}

impl Register for OldPool {
    async fn function(
        &self,
        label: &str,
        extra: &[(&str, &str)],
        concurrency: u32,
    ) -> (LambdaHost, String) {
        let suffix = self.pool_id.rsplit('_').next().unwrap_or_default();
        let host = LambdaHost::from_env();
        let function = Function {
            name: format!("hard-{label}-{suffix}"),
            env: self.trigger_env(extra),
            timeout_seconds: COGNITO_BUDGET.as_secs_f64(),
        };
        host.register_with_concurrency(&function, &binary("cognito-migrate-trigger"), concurrency)
            .await;
        (host, function.name)
    }
}

/// What an invocation answered, seen from the migration's side.
#[derive(Debug)]
enum Answer {
    /// The event back untouched: "no such user".
    Unchanged,
    /// A response with user attributes: the user is migrated.
    Migrated(Value),
    /// A function error with this `errorType`.
    Failed(String),
    /// Anything else (a changed event without user attributes).
    Other(Value),
}

fn answer_of(invocation: &Invocation, event: &Value) -> Answer {
    assert_eq!(
        invocation.status,
        200,
        "{}",
        String::from_utf8_lossy(&invocation.body)
    );
    if invocation.function_error.is_some() {
        return Answer::Failed(invocation.error_type());
    }
    let answer = invocation.json();
    if &answer == event {
        Answer::Unchanged
    } else if answer["response"]["userAttributes"].is_object() {
        Answer::Migrated(answer)
    } else {
        Answer::Other(answer)
    }
}

/// The answer of a fault: must come in time and must not migrate.
fn assert_in_budget_and_not_migrated(label: &str, invocation: &Invocation, event: &Value) {
    eprintln!(
        "{label}: wall {:?}, host {:?} ms, {}",
        invocation.elapsed,
        invocation.host_duration_ms,
        String::from_utf8_lossy(&invocation.body)
    );
    assert!(
        invocation.elapsed < COGNITO_BUDGET,
        "{label}: answered after {:?}",
        invocation.elapsed
    );
    let host_ms = invocation
        .host_duration_ms
        .expect("the host reports X-Testbed-Duration-Ms");
    assert!(host_ms < 5000.0, "{label}: host measured {host_ms} ms");
    match answer_of(invocation, event) {
        Answer::Failed(error_type) => assert_ne!(
            error_type, "Sandbox.Timedout",
            "{label}: the function itself must answer inside the budget"
        ),
        Answer::Unchanged => {}
        other => panic!("{label}: a fault must not migrate anyone: {other:?}"),
    }
}

/// The `"userName":...` member as the trigger writes it (compact JSON).
fn user_name_member(name: &str) -> Vec<u8> {
    format!("\"userName\":{}", serde_json::to_string(name).unwrap()).into_bytes()
}

fn replace_once(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let at: Vec<usize> = haystack
        .windows(from.len())
        .enumerate()
        .filter(|(_, w)| *w == from)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(
        at.len(),
        1,
        "{} must occur once in {}",
        String::from_utf8_lossy(from),
        String::from_utf8_lossy(haystack)
    );
    [&haystack[..at[0]], to, &haystack[at[0] + from.len()..]].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trigger_wrong_password_fuzz_never_migrates_and_answers_like_an_unknown_user() {
    const ROUNDS: usize = 1000;
    const PARALLEL: usize = 4;
    let started = Instant::now();
    let old = old_pool("fuzz", false).await;
    // Distinct right passwords, one of them far from ASCII, so case changes and one-character
    // edits hit letters of several scripts.
    let users: [(&str, &str, Option<&str>); 4] = [
        ("fuzz-ann", PASSWORD, Some("ann@fuzz.example")),
        ("fuzz-ben", "Grüße-Пароль-7!Ab", None),
        ("fuzz-cy", "Correct-Horse-Battery-Staple-42", None),
        ("fuzz-di", "Sh0rt-pw", None),
    ];
    for (name, password, email) in users {
        let mut attributes = vec![("name", name)];
        if let Some(email) = email {
            attributes.extend([("email", email), ("email_verified", "true")]);
        }
        create_user(&old.client, &old.pool_id, name, &attributes, Some(password)).await;
    }
    let (host, function) = old.function("fuzz", &[], PARALLEL as u32).await;

    let mut rng = SplitMix::new(0x5eed_0005);
    let mut cases = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (name, right, email) = users[round % users.len()];
        let kind = WrongPasswordKind::ALL[(round / users.len()) % WrongPasswordKind::ALL.len()];
        let password = wrong_password(&mut rng, right, kind);
        // Every fifth guess at ann goes through her email alias (ListUsers, then the auth).
        let (typed, unknown) = match email {
            Some(email) if round % 5 == 0 => {
                (email.to_string(), format!("nobody-{round}@fuzz.example"))
            }
            _ => (name.to_string(), format!("fuzz-nobody-{round}")),
        };
        // Every third guess also goes out for an unknown user (3 and 4 are coprime, so every
        // real user and every kind gets such twins).
        let unknown = (round % 3 == 0).then_some(unknown);
        cases.push((kind, typed, unknown, password));
    }

    let permits = Arc::new(Semaphore::new(PARALLEL));
    let mut tasks = JoinSet::new();
    for (kind, typed, unknown, password) in cases.clone() {
        let host = host.clone();
        let function = function.clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.unwrap();
            let wrong_event = sign_in_event(&typed, &password);
            let wrong = host.invoke_json(&function, &wrong_event).await;
            let twin = match unknown {
                Some(unknown) => {
                    let event = sign_in_event(&unknown, &password);
                    let answer = host.invoke_json(&function, &event).await;
                    Some((unknown, event, answer))
                }
                None => None,
            };
            (kind, typed, wrong_event, wrong, twin)
        });
    }
    let mut per_kind: BTreeMap<WrongPasswordKind, usize> = BTreeMap::new();
    let (mut non_ascii, mut twins) = (0, 0);
    let (mut wrong_ms, mut unknown_ms) = (Vec::new(), Vec::new());
    while let Some(done) = tasks.join_next().await {
        let (kind, typed, wrong_event, wrong, twin) = done.expect("invocation task");
        match answer_of(&wrong, &wrong_event) {
            Answer::Unchanged => {}
            other => panic!("wrong password for {typed} ({kind:?}) answered {other:?}"),
        }
        if let Some((unknown, unknown_event, unknown_answer)) = twin {
            match answer_of(&unknown_answer, &unknown_event) {
                Answer::Unchanged => {}
                other => panic!("unknown user {unknown} answered {other:?}"),
            }
            // The same event but for the user name: the same bytes but for the name.
            assert_eq!(
                String::from_utf8_lossy(&unknown_answer.body),
                String::from_utf8_lossy(&replace_once(
                    &wrong.body,
                    &user_name_member(&typed),
                    &user_name_member(&unknown)
                )),
                "a wrong password for {typed} and an unknown user must answer alike"
            );
            twins += 1;
            unknown_ms.extend(unknown_answer.host_duration_ms);
        }
        wrong_ms.extend(wrong.host_duration_ms);
        *per_kind.entry(kind).or_default() += 1;
        if !wrong_event["request"]["password"]
            .as_str()
            .unwrap()
            .is_ascii()
        {
            non_ascii += 1;
        }
    }
    let fuzz_time = started.elapsed();
    // Not asserted, reported: the bytes are alike, the time is not (a wrong password costs one
    // more old-pool call than an unknown name).
    eprintln!(
        "wrong-password fuzz timing (host, median): wrong password {:.1} ms, unknown user {:.1} ms",
        percentile(&mut wrong_ms, 0.5),
        percentile(&mut unknown_ms, 0.5)
    );

    let logs = host.logs(&function).await;
    let wrong_logged = logs.matches("\"outcome\":\"wrong-password\"").count();
    let unknown_logged = logs.matches("\"outcome\":\"unknown-user\"").count();
    eprintln!(
        "wrong-password fuzz: {ROUNDS} wrong passwords ({non_ascii} with non-ASCII characters) \
         against {} real users, {twins} unknown-user twins, {} migrated, in {fuzz_time:?}; \
         per kind {per_kind:?}; logged wrong-password {wrong_logged}, unknown-user {unknown_logged}",
        users.len(),
        logs.matches(MIGRATED).count()
    );
    assert_eq!(logs.matches(MIGRATED).count(), 0, "nothing may migrate");
    assert_eq!(
        wrong_logged, ROUNDS,
        "every guess was checked against the old pool"
    );
    assert_eq!(unknown_logged, twins);
    for (_, _, _, password) in &cases {
        if password.chars().count() >= 10 {
            assert!(
                !logs.contains(password.as_str()),
                "a password is in the logs"
            );
        }
    }

    // The users are real and migratable: the right password moves each of them.
    for (name, password, _) in users {
        let event = sign_in_event(name, password);
        match answer_of(&host.invoke_json(&function, &event).await, &event) {
            Answer::Migrated(answer) => {
                assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
                assert!(
                    answer["response"]["userAttributes"]["custom:legacy_sub"].is_string(),
                    "{name} is answered with the old user's attributes"
                );
            }
            other => panic!("right password for {name}: {other:?}"),
        }
    }
    assert_eq!(
        host.logs(&function).await.matches(MIGRATED).count(),
        users.len()
    );
}

/// Runs sign-ins against an old pool behind a proxy configured with `faults`: each answer inside
/// the budget, none migrates, the error type is one of `expected`; afterwards, with the faults
/// cleared, the same function migrates the user. A forgot-password event is sent too when the
/// faults hit every operation (it needs only the lookup, so it may migrate when that answers).
async fn budget_under_fault(label: &str, faults: Value, expected: &[&str], counted: &str) {
    let every_operation = faults.get("operations").is_none();
    let old = old_pool(&format!("budget-{label}"), false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "bud",
        &[("email", "bud@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    let proxy = FaultProxy::start(&old.testbed.moto_url);
    proxy.configure(&faults.to_string());
    let (host, function) = old
        .function(label, &[("AWS_ENDPOINT_URL", &proxy.url)], 1)
        .await;

    let events = [
        ("cold, right password", sign_in_event("bud", PASSWORD)),
        ("warm, right password", sign_in_event("bud", PASSWORD)),
        ("warm, alias", sign_in_event("bud@example.com", PASSWORD)),
        (
            "warm, wrong password",
            sign_in_event("bud", "Wrong-Passw0rd!"),
        ),
        ("warm, forgot password", forgot_password_event("bud")),
    ];
    let mut worst = Duration::ZERO;
    for (round, event) in &events {
        if round.contains("forgot") && !every_operation {
            continue;
        }
        let invocation = host.invoke_json(&function, event).await;
        assert_in_budget_and_not_migrated(&format!("{label} ({round})"), &invocation, event);
        worst = worst.max(invocation.elapsed);
        if round.contains("right password") {
            match answer_of(&invocation, event) {
                Answer::Failed(error_type) => assert!(
                    expected.contains(&error_type.as_str()),
                    "{label}: {error_type} is not one of {expected:?}"
                ),
                other => panic!("{label}: a fault is an error, not {other:?}"),
            }
        }
    }
    let stats = proxy.stats();
    eprintln!("{label}: worst answer {worst:?}; proxy {stats}");
    assert!(
        stats[counted].as_u64().unwrap_or_default() > 0,
        "the proxy injected no {counted}: {stats}"
    );
    let logs = host.logs(&function).await;
    assert_eq!(logs.matches(MIGRATED).count(), 0, "{logs}");
    assert!(!logs.contains("panicked"), "{logs}");

    proxy.configure(r#"{"throttle_share":0,"error_share":0,"stall_share":0,"latency_ms":0}"#);
    let event = sign_in_event("bud", PASSWORD);
    let recovered = host.invoke_json(&function, &event).await;
    match answer_of(&recovered, &event) {
        Answer::Migrated(answer) => assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED"),
        other => panic!("{label}: without faults the user migrates, got {other:?}"),
    }
}

#[tokio::test]
async fn trigger_fully_throttled_old_pool_is_answered_inside_the_budget_without_migrating() {
    budget_under_fault(
        "throttled",
        json!({"throttle_share": 1.0, "seed": 1}),
        &["OldPoolThrottled"],
        "throttled",
    )
    .await;
}

#[tokio::test]
async fn trigger_failing_old_pool_is_answered_inside_the_budget_without_migrating() {
    budget_under_fault(
        "5xx",
        json!({"error_share": 1.0, "seed": 2}),
        &["OldPoolUnavailable"],
        "errors",
    )
    .await;
}

#[tokio::test]
async fn trigger_stalled_old_pool_is_answered_inside_the_budget_without_migrating() {
    budget_under_fault(
        "stalled",
        json!({"stall_share": 1.0, "stall_seconds": 20, "seed": 3}),
        &["OldPoolTimeout"],
        "stalled",
    )
    .await;
}

#[tokio::test]
async fn trigger_old_pool_stalling_only_the_password_check_is_answered_inside_the_budget() {
    // The lookup answers, the password check hangs: the latest point a stall can hit.
    budget_under_fault(
        "stalled-auth",
        json!({"stall_share": 1.0, "stall_seconds": 20, "operations": ["AdminInitiateAuth"], "seed": 4}),
        &["OldPoolTimeout"],
        "stalled",
    )
    .await;
}

#[tokio::test]
async fn trigger_partly_throttled_old_pool_migrates_only_users_it_verified() {
    const USERS: usize = 24;
    let old = old_pool("throttled-30", false).await;
    let names: Vec<String> = (0..USERS).map(|i| format!("part-{i:02}")).collect();
    seed_users(
        &old.client,
        &old.pool_id,
        names.iter().map(|n| (n.clone(), Vec::new())).collect(),
        PASSWORD,
        6,
    )
    .await;
    let proxy = FaultProxy::start(&old.testbed.moto_url);
    proxy.configure(&json!({"throttle_share": 0.3, "seed": 30}).to_string());
    let (host, function) = old
        .function("throttled-30", &[("AWS_ENDPOINT_URL", &proxy.url)], 1)
        .await;

    let (mut migrated, mut throttled, mut refused) = (0, 0, 0);
    let mut failed_users = Vec::new();
    for name in &names {
        for (password, right) in [("Wrong-Passw0rd!", false), (PASSWORD, true)] {
            let event = sign_in_event(name, password);
            let before = proxy.stats();
            let invocation = host.invoke_json(&function, &event).await;
            let stats = proxy.stats();
            let delta = |key: &str| {
                stats[key].as_u64().unwrap_or_default() - before[key].as_u64().unwrap_or_default()
            };
            let auth_calls = |s: &Value| {
                s["by_operation"]["AdminInitiateAuth"]["requests"]
                    .as_u64()
                    .unwrap_or_default()
            };
            assert!(
                invocation.elapsed < COGNITO_BUDGET,
                "{:?}",
                invocation.elapsed
            );
            match answer_of(&invocation, &event) {
                Answer::Migrated(answer) => {
                    assert!(right, "{name}: a wrong password migrated: {answer}");
                    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
                    // A lookup is forwarded at most once (it succeeds when it gets through), so
                    // a second forwarded request is a password check that reached the old pool.
                    assert!(
                        auth_calls(&stats) > auth_calls(&before) && delta("forwarded") >= 2,
                        "{name} migrated without the old pool checking the password: {stats}"
                    );
                    migrated += 1;
                }
                Answer::Failed(error_type) => {
                    assert_eq!(error_type, "OldPoolThrottled");
                    assert!(delta("throttled") >= 1, "{stats}");
                    throttled += 1;
                    if right {
                        failed_users.push(name.clone());
                    }
                }
                Answer::Unchanged => {
                    // Throttling must never read as "no such user" for the right password.
                    assert!(!right, "{name}: the right password was answered as unknown");
                    refused += 1;
                }
                Answer::Other(answer) => panic!("{name}: {answer}"),
            }
        }
    }
    let stats = proxy.stats();
    eprintln!(
        "30 % throttling: {migrated} migrated, {throttled} answered OldPoolThrottled, {refused} \
         wrong passwords refused; proxy {stats}"
    );
    assert!(migrated > 0, "some sign-ins get through");
    assert!(stats["throttled"].as_u64().unwrap() > 0);
    assert_eq!(
        host.logs(&function).await.matches(MIGRATED).count(),
        migrated
    );

    // The users the throttling stopped migrate when they try again without it.
    proxy.configure(r#"{"throttle_share":0}"#);
    for name in &failed_users {
        let event = sign_in_event(name, PASSWORD);
        assert!(matches!(
            answer_of(&host.invoke_json(&function, &event).await, &event),
            Answer::Migrated(_)
        ));
    }
    assert_eq!(migrated + failed_users.len(), USERS);
}

/// Nested arrays `depth` deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn trigger_hostile_events_get_clean_answers_and_never_crash_the_function() {
    let old = old_pool("hostile", false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "alice",
        &[("email", "alice@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    let (host, function) = old.function("hostile", &[], 1).await;

    let with = |path: &[&str], value: Value| {
        let mut event = sign_in_event("alice", PASSWORD);
        let mut at = &mut event;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        event
    };
    let without = |path: &[&str]| {
        let mut event = sign_in_event("alice", PASSWORD);
        let mut at = &mut event;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at.as_object_mut().unwrap().remove(path[path.len() - 1]);
        event
    };
    let deep_junk: Value = serde_json::from_str(&format!(
        "{{\"a\":{}}}",
        (0..60).fold("1".to_string(), |inner, i| if i % 2 == 0 {
            format!("[{inner},\"x\"]")
        } else {
            format!("{{\"k{i}\":{inner}}}")
        })
    ))
    .unwrap();
    let mut deep_wrong = sign_in_event("alice", "Wrong-Passw0rd!");
    deep_wrong["request"]["validationData"] = deep_junk.clone();
    let mut huge_wrong = sign_in_event("alice", "Wrong-Passw0rd!");
    huge_wrong["request"]["clientMetadata"] = json!({"pad": "x".repeat(1 << 20)});

    // Events that must come back untouched: none of them is a sign-in the old pool verified.
    let unchanged: Vec<(&str, Value)> = vec![
        (
            "10 KB user name",
            sign_in_event(&"a".repeat(10 * 1024), PASSWORD),
        ),
        (
            "10 KB email",
            sign_in_event(&format!("{}@example.com", "a".repeat(10 * 1024)), PASSWORD),
        ),
        ("NUL in user name", sign_in_event("ali\0ce", PASSWORD)),
        (
            "newline after user name",
            sign_in_event("alice\n", PASSWORD),
        ),
        (
            "ESC in user name",
            sign_in_event("\u{1b}[2Jalice", PASSWORD),
        ),
        (
            "right password + NUL",
            sign_in_event("alice", "Old-Passw0rd!\0"),
        ),
        (
            "NUL + right password",
            sign_in_event("alice", "\0Old-Passw0rd!"),
        ),
        (
            "right password + newline",
            sign_in_event("alice", "Old-Passw0rd!\n"),
        ),
        (
            "ESC in password",
            sign_in_event("alice", "Old-\u{1b}[31mPassw0rd!"),
        ),
        (
            "only control characters",
            sign_in_event("alice", "\0\u{1b}\n\r\t"),
        ),
        (
            "10 KB password",
            sign_in_event("alice", &"p".repeat(10 * 1024)),
        ),
        ("empty password", sign_in_event("alice", "")),
        ("no userName", without(&["userName"])),
        ("no request", without(&["request"])),
        ("no password", without(&["request", "password"])),
        ("no triggerSource", without(&["triggerSource"])),
        ("userName 42", with(&["userName"], json!(42))),
        ("userName null", with(&["userName"], Value::Null)),
        ("userName array", with(&["userName"], json!(["alice"]))),
        (
            "userName object",
            with(&["userName"], json!({"S": "alice"})),
        ),
        ("request \"x\"", with(&["request"], json!("x"))),
        ("request null", with(&["request"], Value::Null)),
        ("password 42", with(&["request", "password"], json!(42))),
        (
            "password object",
            with(&["request", "password"], json!({"value": PASSWORD})),
        ),
        ("triggerSource 7", with(&["triggerSource"], json!(7))),
        ("userPoolId 5", with(&["userPoolId"], json!(5))),
        (
            "unknown triggerSource",
            with(&["triggerSource"], json!("CustomMessage_SignUp")),
        ),
        (
            "triggerSource in lower case",
            with(&["triggerSource"], json!("usermigration_authentication")),
        ),
        (
            "triggerSource with a space",
            with(&["triggerSource"], json!("UserMigration_Authentication ")),
        ),
        ("deeply nested junk, wrong password", deep_wrong),
        ("1 MB of metadata, wrong password", huge_wrong),
        ("deeply nested junk as the event", deep_junk),
        ("empty object", json!({})),
        ("JSON array", json!([1, 2, 3])),
        ("empty array", json!([])),
        ("nested arrays", serde_json::from_str(&nested(100)).unwrap()),
        ("string", json!("UserMigration_Authentication")),
        ("number", json!(42)),
        ("null", Value::Null),
        ("true", json!(true)),
    ];
    for (label, event) in &unchanged {
        let invocation = host.invoke_json(&function, event).await;
        match answer_of(&invocation, event) {
            Answer::Unchanged => {}
            other => panic!("{label}: expected the event back, got {other:?}"),
        }
    }

    // Payloads that are not a JSON value the runtime can read: Lambda's runtime answers them
    // with an error before the handler runs; the process must survive.
    let unreadable: Vec<(&str, Vec<u8>)> = vec![
        ("empty body", Vec::new()),
        ("not JSON", b"userName=alice&password=x".to_vec()),
        (
            "truncated JSON",
            br#"{"triggerSource":"UserMigration_Authentication","userName":"alice""#.to_vec(),
        ),
        ("invalid UTF-8", b"{\"userName\":\"\xff\xfe\"}".to_vec()),
        ("arrays 10,000 deep", nested(10_000).into_bytes()),
    ];
    for (label, payload) in &unreadable {
        let invocation = host.invoke(&function, payload).await;
        assert_eq!(invocation.status, 200, "{label}");
        assert!(
            invocation.function_error.is_some(),
            "{label}: expected an error, got {}",
            String::from_utf8_lossy(&invocation.body)
        );
        let error = invocation.json();
        assert!(
            error["errorType"].as_str().is_some_and(|t| !t.is_empty()),
            "{label}: {error}"
        );
        assert_ne!(error["errorType"], "Runtime.ExitError", "{label}: crashed");
        assert_ne!(error["errorType"], "Sandbox.Timedout", "{label}");
        eprintln!("{label}: {}", error["errorType"]);
    }

    // Still alive, and still right.
    let event = sign_in_event("alice", PASSWORD);
    match answer_of(&host.invoke_json(&function, &event).await, &event) {
        Answer::Migrated(answer) => assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED"),
        other => panic!("after the hostile events: {other:?}"),
    }
    let logs = host.logs(&function).await;
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(
        logs.contains("deserialization into LambdaEvent<T> failed"),
        "the runtime logs the unreadable payloads:\n{logs}"
    );
    assert_eq!(
        logs.matches("[testbed] instance pid").count(),
        1,
        "one process served everything (no crash, no restart):\n{logs}"
    );
    for code in [
        "malformed-event",
        "invalid-user-name",
        "invalid-password",
        "unknown-trigger-source",
    ] {
        assert!(logs.contains(code), "no {code} line:\n{logs}");
    }
    eprintln!(
        "hostile events: {} answered unchanged, {} unreadable payloads answered with an error, \
         one process throughout",
        unchanged.len(),
        unreadable.len()
    );
}

/// A new pool whose UserMigration trigger is the Lambda host's function `function`, and its app
/// client.
async fn new_pool(new: &Client, name: &str, function: &str) -> (String, String) {
    let mut spec = PoolSpec::named(&format!("hardening-{name}-new")).with_custom(&["legacy_sub"]);
    spec.lambda_config = Some(user_migration_config(function));
    let pool = create_pool(new, &spec).await;
    let client = create_sign_in_client(new, &pool).await;
    (pool, client)
}

/// Signs each of `names` in through the new pool, `parallel` at a time; the latency of each in
/// milliseconds. Panics on any failed sign-in.
async fn sign_in_all(new: &Client, client_id: &str, names: &[String], parallel: usize) -> Vec<f64> {
    let permits = Arc::new(Semaphore::new(parallel));
    let mut tasks = JoinSet::new();
    for name in names {
        let (new, client_id, name) = (new.clone(), client_id.to_string(), name.clone());
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.unwrap();
            let started = Instant::now();
            let result = new
                .initiate_auth()
                .client_id(&client_id)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", &name)
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
                .await;
            let elapsed = started.elapsed();
            match result {
                Ok(output) => assert!(
                    output.authentication_result().is_some(),
                    "{name}: no tokens"
                ),
                Err(e) => panic!(
                    "{name}: sign-in failed: {} {}",
                    e.code().unwrap_or_default(),
                    e.message().unwrap_or_default()
                ),
            }
            elapsed.as_secs_f64() * 1000.0
        });
    }
    let mut latencies = Vec::with_capacity(names.len());
    while let Some(done) = tasks.join_next().await {
        latencies.push(done.expect("sign-in task"));
    }
    latencies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trigger_e2e_200_concurrent_sign_ins_migrate_each_user_exactly_once() {
    const USERS: usize = 200;
    const PARALLEL: usize = 20;
    let started = Instant::now();
    let old = old_pool("load", false).await;
    let names: Vec<String> = (0..USERS).map(|i| format!("load-{i:03}")).collect();
    seed_users(
        &old.client,
        &old.pool_id,
        names
            .iter()
            .map(|n| {
                let email = format!("{n}@load.example");
                (n.clone(), vec![("email".to_string(), email)])
            })
            .collect(),
        PASSWORD,
        8,
    )
    .await;
    let seeded = started.elapsed();

    let function = "hardening-load".to_string();
    let new = old.testbed.moto_client().await;
    let (new_pool, new_client) = new_pool(&new, "load", &function).await;
    let host = LambdaHost::from_env();
    host.register_with_concurrency(
        &Function {
            name: function.clone(),
            env: trigger_env(&old.testbed, &old.pool_id, &old.client_id, &[]),
            timeout_seconds: COGNITO_BUDGET.as_secs_f64(),
        },
        &binary("cognito-migrate-trigger"),
        PARALLEL as u32,
    )
    .await;

    let first_started = Instant::now();
    let mut first = sign_in_all(&new, &new_client, &names, PARALLEL).await;
    let first_time = first_started.elapsed();
    let logs = host.logs(&function).await;
    let instances = logs.matches("[testbed] instance pid").count();
    assert_eq!(
        logs.matches(MIGRATED).count(),
        USERS,
        "each user migrated once"
    );

    let second_started = Instant::now();
    let mut second = sign_in_all(&new, &new_client, &names, PARALLEL).await;
    let second_time = second_started.elapsed();
    let logs = host.logs(&function).await;
    assert_eq!(
        logs.matches(MIGRATED).count(),
        USERS,
        "a second sign-in must not migrate again"
    );
    assert_eq!(
        logs.matches("START RequestId").count(),
        USERS,
        "a second sign-in must not call the trigger at all"
    );
    assert!(!logs.contains("panicked"));

    for name in &names {
        let user = new
            .admin_get_user()
            .user_pool_id(&new_pool)
            .username(name)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name} is not in the new pool: {e:?}"));
        assert_eq!(
            user.user_status(),
            Some(&UserStatusType::Confirmed),
            "{name}"
        );
    }

    let figures = |latencies: &mut Vec<f64>| {
        (
            percentile(latencies, 0.5),
            percentile(latencies, 0.99),
            percentile(latencies, 1.0),
        )
    };
    let (p50, p99, max) = figures(&mut first);
    let (again_p50, again_p99, again_max) = figures(&mut second);
    eprintln!(
        "load: {USERS} users seeded in {seeded:?}; {USERS} migrating sign-ins, {PARALLEL} at a \
         time, in {first_time:?} over {instances} function instances: p50 {p50:.0} ms, p99 \
         {p99:.0} ms, max {max:.0} ms; second sign-ins (no trigger) in {second_time:?}: p50 \
         {again_p50:.0} ms, p99 {again_p99:.0} ms, max {again_max:.0} ms"
    );
    assert!(max < COGNITO_BUDGET.as_secs_f64() * 1000.0 + 1000.0);
}

#[tokio::test]
async fn trigger_logs_hold_no_passwords_secrets_tokens_or_events() {
    let old = old_pool("secrets", true).await;
    let secret = old.client_secret.clone().expect("client secret");
    create_user(
        &old.client,
        &old.pool_id,
        "sec-lou",
        &[("email", "lou@secret.example"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    // A verified contact, so the temporary password migrates RESET_REQUIRED and logs that line.
    create_user(
        &old.client,
        &old.pool_id,
        "sec-tess",
        &[("email", "tess@secret.example"), ("email_verified", "true")],
        None,
    )
    .await;
    // Faults on, so the error paths write their lines too.
    let proxy = FaultProxy::start(&old.testbed.moto_url);
    proxy.configure(&json!({"throttle_share": 0.2, "error_share": 0.1, "seed": 55}).to_string());
    let (host, function) = old
        .function(
            "secrets",
            &[("AWS_ENDPOINT_URL", &proxy.url), ("LOG_LEVEL", "debug")],
            1,
        )
        .await;

    let mut rng = SplitMix::new(0x5ec2e7);
    let mut passwords: Vec<String> = (0..60)
        .map(|i| wrong_password(&mut rng, PASSWORD, WrongPasswordKind::ALL[i % 6]))
        .collect();
    let typed_as_name = "Typed-As-Name-Passw0rd!";
    let control = "Ctl-\u{1b}Passw0rd\n!";
    passwords.extend(
        [
            PASSWORD,
            TEMP_PASSWORD,
            typed_as_name,
            "Another-Passw0rd!",
            "Nested-Passw0rd!",
            "Trunc-Passw0rd!",
            control,
        ]
        .map(str::to_string),
    );
    let mut events: Vec<Value> = passwords[..60]
        .iter()
        .map(|p| sign_in_event("sec-lou", p))
        .collect();
    let mut nested_password = sign_in_event("sec-lou", PASSWORD);
    nested_password["request"]["password"] = json!({"value": "Nested-Passw0rd!"});
    events.extend([
        sign_in_event("sec-lou", PASSWORD),
        sign_in_event("lou@secret.example", PASSWORD),
        sign_in_event("sec-tess", TEMP_PASSWORD),
        sign_in_event(typed_as_name, "Another-Passw0rd!"),
        sign_in_event("sec-lou", control),
        sign_in_event(&"a".repeat(10 * 1024), PASSWORD),
        nested_password,
        forgot_password_event("sec-lou"),
        forgot_password_event("nobody"),
    ]);
    for event in &events {
        let invocation = host.invoke_json(&function, event).await;
        assert!(invocation.elapsed < COGNITO_BUDGET);
    }
    let truncated = br#"{"triggerSource":"UserMigration_Authentication","userName":"sec-lou","request":{"password":"Trunc-Passw0rd!""#;
    host.invoke(&function, truncated).await;
    // Without faults, a sign-in that surely gets tokens from the old pool.
    proxy.configure(r#"{"throttle_share":0,"error_share":0}"#);
    let event = sign_in_event("sec-lou", PASSWORD);
    assert!(matches!(
        answer_of(&host.invoke_json(&function, &event).await, &event),
        Answer::Migrated(_)
    ));

    let logs = host.logs(&function).await;
    let secret = Secret::new(secret);
    let mut forbidden: Vec<String> = passwords
        .iter()
        .filter(|p| p.chars().count() >= 8)
        .cloned()
        .collect();
    forbidden.push(secret.expose().to_string());
    for name in ["sec-lou", "sec-tess", typed_as_name, "lou@secret.example"] {
        forbidden.push(secret_hash(name, &old.client_id, &secret));
    }
    forbidden.extend(
        [
            "eyJ",
            "SECRET_HASH",
            "AccessToken",
            "RefreshToken",
            "IdToken",
            "AWS4-HMAC-SHA256",
            "callerContext",
            "awsSdkVersion",
            "newpoolclient0000000000001",
            "validationData",
            "clientMetadata",
            "userAttributes",
            "\"request\"",
        ]
        .map(str::to_string),
    );
    for needle in &forbidden {
        assert!(
            !logs.contains(needle.as_str()),
            "the logs contain {needle:?}:\n{logs}"
        );
    }
    for expected in [
        "migrated-confirmed",
        "wrong-password",
        "migrated-reset-required",
        "migrated-for-reset",
        "malformed-event",
        "invalid-user-name",
    ] {
        assert!(logs.contains(expected), "no {expected} line:\n{logs}");
    }
    assert!(
        logs.contains("old-pool-throttled") || logs.contains("old-pool-unavailable"),
        "no fault line; proxy {}:\n{logs}",
        proxy.stats()
    );
    eprintln!(
        "logs: {} lines after {} invocations scanned for {} forbidden strings ({} passwords); \
         none found",
        logs.lines().count(),
        events.len() + 2,
        forbidden.len(),
        passwords.len()
    );
}

/// Enrols `username` in TOTP the way an app does (tokens, AssociateSoftwareToken,
/// VerifySoftwareToken; moto accepts any code) and turns it on *without* making it the preferred
/// factor, then checks the two facts the test rests on: `AdminGetUser` lists the factor, and the
/// password alone still gets tokens. moto skips a factor that is not preferred; AWS skips one for
/// a low-risk sign-in under adaptive authentication or on a remembered device, with the same
/// record.
async fn enrol_totp_not_preferred(old: &OldPool, username: &str) {
    let sign_in = || {
        old.client
            .admin_initiate_auth()
            .user_pool_id(&old.pool_id)
            .client_id(&old.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
    };
    let access_token = sign_in()
        .await
        .expect("AdminInitiateAuth before MFA")
        .authentication_result
        .and_then(|r| r.access_token)
        .expect("tokens before MFA");
    old.client
        .associate_software_token()
        .access_token(&access_token)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    old.client
        .verify_software_token()
        .access_token(&access_token)
        .user_code("123456")
        .send()
        .await
        .expect("VerifySoftwareToken");
    old.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&old.pool_id)
        .username(username)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(false)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    let record = find_user(&old.client, &old.pool_id, username)
        .await
        .expect("the old user");
    assert_eq!(
        record.user_mfa_setting_list(),
        ["SOFTWARE_TOKEN_MFA"],
        "{username}'s record names the factor"
    );
    let answered = sign_in().await.expect("AdminInitiateAuth after MFA");
    assert!(
        answered.challenge_name().is_none() && answered.authentication_result().is_some(),
        "the old pool answers {username}'s password alone with tokens: {answered:?}"
    );
}

#[tokio::test]
async fn trigger_e2e_tokens_for_a_totp_enrolled_user_migrate_reset_required_in_two_pool_shapes() {
    let old = old_pool("totp-skipped", false).await;
    old.client
        .set_user_pool_mfa_config()
        .user_pool_id(&old.pool_id)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig OPTIONAL with TOTP");
    for name in ["tina", "tess", "sam", "sue"] {
        let email = format!("{name}@totp-skipped.example");
        create_user(
            &old.client,
            &old.pool_id,
            name,
            &[("email", &email), ("email_verified", "true")],
            Some(PASSWORD),
        )
        .await;
    }
    // tina and tess have TOTP on but not preferred; sam and sue have no second factor.
    enrol_totp_not_preferred(&old, "tina").await;
    enrol_totp_not_preferred(&old, "tess").await;

    let new = old.testbed.moto_client().await;
    // A new pool of user names, and one that signs in by e-mail as the user name (Cognito
    // generates the user names there, so the trigger never answers the old one).
    let (by_name_host, by_name_function) = old.function("totp-by-name", &[], 1).await;
    let (by_name_pool, by_name_client) = new_pool(&new, "totp-by-name", &by_name_function).await;
    let (by_email_host, by_email_function) = old
        .function("totp-by-email", &[("RETURN_OLD_USERNAME", "false")], 1)
        .await;
    let mut spec = PoolSpec::named("hardening-totp-by-email-new").with_custom(&["legacy_sub"]);
    spec.username_attributes = vec![UsernameAttributeType::Email];
    spec.lambda_config = Some(user_migration_config(&by_email_function));
    let by_email_pool = create_pool(&new, &spec).await;
    let by_email_client = create_sign_in_client(&new, &by_email_pool).await;

    let shapes = [
        (
            "user names",
            &by_name_host,
            &by_name_function,
            &by_name_pool,
            &by_name_client,
            "tina",
            "sam",
        ),
        (
            "e-mail as user name",
            &by_email_host,
            &by_email_function,
            &by_email_pool,
            &by_email_client,
            "tess@totp-skipped.example",
            "sue@totp-skipped.example",
        ),
    ];
    for (shape, host, function, pool, client, enrolled, plain) in shapes {
        let sign_in = |typed: &str| {
            new.initiate_auth()
                .client_id(client)
                .auth_flow(AuthFlowType::UserPasswordAuth)
                .auth_parameters("USERNAME", typed)
                .auth_parameters("PASSWORD", PASSWORD)
                .send()
        };
        // The right password, and the old pool gave tokens: still only a reset code to the
        // verified e-mail lets this user in, as if the old pool had asked for the TOTP code.
        let refused = sign_in(enrolled)
            .await
            .expect_err("the password alone is not the TOTP user's second factor");
        assert_eq!(
            refused.code(),
            Some("NotAuthorizedException"),
            "{shape}: {refused:?}"
        );
        let migrated = find_user(&new, pool, enrolled)
            .await
            .unwrap_or_else(|| panic!("{shape}: {enrolled} is in the new pool"));
        assert_eq!(
            migrated.user_status(),
            Some(&UserStatusType::ResetRequired),
            "{shape}: {enrolled} must not arrive CONFIRMED"
        );
        // The same pools migrate a user without a second factor as CONFIRMED.
        let tokens = sign_in(plain)
            .await
            .unwrap_or_else(|e| panic!("{shape}: {plain} signs in: {e:?}"));
        assert!(tokens.authentication_result().is_some(), "{shape}: {plain}");
        let migrated = find_user(&new, pool, plain)
            .await
            .unwrap_or_else(|| panic!("{shape}: {plain} is in the new pool"));
        assert_eq!(
            migrated.user_status(),
            Some(&UserStatusType::Confirmed),
            "{shape}: {plain}"
        );
        let logs = host.logs(function).await;
        assert_eq!(
            logs.matches("\"outcome\":\"migrated-reset-enrolled-factor\"")
                .count(),
            1,
            "{shape}:\n{logs}"
        );
        assert_eq!(
            logs.matches("\"outcome\":\"migrated-confirmed\"").count(),
            1,
            "{shape}: only the user without a factor is confirmed:\n{logs}"
        );
    }
}
