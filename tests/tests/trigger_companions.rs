//! The trigger's companions (PreSignUp, PreTokenGeneration) behind the test bed's Lambda host,
//! invoked through the Lambda Invoke API with the events AWS documents, against moto as the old
//! pool and as the new pool (whose memberships are read back over the SDK afterwards).
//!
//! Each test has its own pools and its own function registration, so the tests run in
//! parallel. The calls per token are counted by `tests/faults/fault_proxy.py` between the function
//! and moto (per `X-Amz-Target`): the token companion's `AdminGetUser` is its re-read of the user
//! in the new pool; `ListUsers` and `AdminListGroupsForUser` go to the old pool.
//!
//! The forged-event tests invoke the function directly, as anyone allowed to invoke it could,
//! with events that name one user and claim another's attributes, and one test signs a stranger
//! in through a new pool that fires the function itself.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, UsernameConfigurationType};
use integration_tests::companion_events::{
    ACCOUNT_EXISTS, GROUPS_UNAVAILABLE_CLAIM, SIGN_UP_UNAVAILABLE, groups_in_answer,
    pre_sign_up_event, pre_token_event,
};
use integration_tests::import_support::FaultProxy;
use integration_tests::lambda::{Function, Invocation, LambdaHost, function_arn, trigger_env};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_member, create_pool, create_sign_in_client,
    create_user, sub_of,
};
use integration_tests::testbed::{Testbed, binary};
use integration_tests::tokens::groups_claim;
use integration_tests::trigger_support::percentile;
use integration_tests::unreachable::{blackhole, closed_port};
use serde_json::{Value, json};

const PASSWORD: &str = "Old-Passw0rd!";
const MARKER: &str = "cognito-migrate-no-old-groups";

/// The account's whole `ListUsers` quota for one instance, for tests that measure something
/// else than the budget with many calls in a row.
const UNMETERED: [(&str, &str); 2] = [("OLD_LIST_USERS_RPS", "30"), ("OLD_LIST_USERS_BURST", "60")];

/// An old pool and a new pool in moto.
struct Pools {
    testbed: Testbed,
    client: Client,
    old_pool: String,
    old_client: String,
    new_pool: String,
}

async fn pools(name: &str) -> Pools {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old_pool = create_pool(
        &client,
        &PoolSpec::named(&format!("companions-old-{name}")).with_custom(&["tenant"]),
    )
    .await;
    let (old_client, _) = create_app_client(&client, &old_pool, false).await;
    let new_pool = create_pool(
        &client,
        &PoolSpec::named(&format!("companions-new-{name}")).with_custom(&["legacy_sub"]),
    )
    .await;
    Pools {
        testbed,
        client,
        old_pool,
        old_client,
        new_pool,
    }
}

impl Pools {
    /// Registers the trigger as function `name` for these pools, reaching AWS at `endpoint`
    /// (moto, or a proxy in front of it) with `extra` settings.
    async fn function(&self, name: &str, endpoint: &str, extra: &[(&str, &str)]) -> Registered {
        let mut extra = extra.to_vec();
        extra.push(("AWS_ENDPOINT_URL", endpoint));
        let env = trigger_env(&self.testbed, &self.old_pool, &self.old_client, &extra);
        let host = LambdaHost::from_env();
        let function = Function {
            name: format!("companions-{name}"),
            env,
            timeout_seconds: 5.0,
        };
        host.register(&function, &binary("cognito-migrate-trigger"))
            .await;
        Registered {
            host,
            name: function.name,
        }
    }

    async fn old_user(&self, name: &str, attributes: &[(&str, &str)], groups: &[&str]) -> String {
        create_member(
            &self.client,
            &self.old_pool,
            name,
            attributes,
            Some(PASSWORD),
            groups,
        )
        .await;
        sub_of(&self.client, &self.old_pool, name).await
    }

    /// The new-pool user the migration would have created, with the old `sub` kept.
    async fn migrated_user(&self, name: &str, legacy_sub: &str) {
        create_user(
            &self.client,
            &self.new_pool,
            name,
            &[("custom:legacy_sub", legacy_sub)],
            Some(PASSWORD),
        )
        .await;
    }

    async fn new_groups_of(&self, name: &str) -> Vec<String> {
        groups_of(&self.client, &self.new_pool, name).await
    }
}

struct Registered {
    host: LambdaHost,
    name: String,
}

impl Registered {
    async fn invoke(&self, event: &Value) -> Invocation {
        self.host.invoke_json(&self.name, event).await
    }
}

/// `pools::groups_of`, sorted.
async fn groups_of(client: &Client, pool_id: &str, user: &str) -> Vec<String> {
    let mut groups = integration_tests::pools::groups_of(client, pool_id, user).await;
    groups.sort();
    groups
}

fn count(calls: &BTreeMap<String, u64>, operation: &str) -> u64 {
    calls.get(operation).copied().unwrap_or(0)
}

/// Old-pool reads of the token companion in `calls` (its `AdminGetUser` goes to the new pool).
fn old_pool_reads(calls: &BTreeMap<String, u64>) -> u64 {
    ["ListUsers", "AdminListGroupsForUser"]
        .iter()
        .map(|operation| count(calls, operation))
        .sum()
}

/// New-pool reads of the token companion in `calls`: the re-read of the user.
fn new_pool_reads(calls: &BTreeMap<String, u64>) -> u64 {
    count(calls, "AdminGetUser")
}

fn refusal_message(invocation: &Invocation) -> String {
    invocation.json()["errorMessage"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn companions_sign_up_with_an_old_users_name_email_or_phone_is_refused() {
    let pools = pools("squat").await;
    pools
        .old_user(
            "ada",
            &[
                ("email", "ada@example.com"),
                ("phone_number", "+15555550100"),
            ],
            &[],
        )
        .await;
    let function = pools
        .function("squat", &pools.testbed.moto_url.clone(), &[])
        .await;
    let sign_up = |name: &str, attributes: &[(&str, &str)]| {
        pre_sign_up_event("PreSignUp_SignUp", &pools.new_pool, name, attributes)
    };

    let mut refusals = Vec::new();
    for event in [
        sign_up("ada", &[("email", "someone@example.com")]),
        sign_up("mallory", &[("email", "ada@example.com")]),
        sign_up("mallory", &[("phone_number", "+15555550100")]),
    ] {
        let refused = function.invoke(&event).await;
        assert_eq!(refused.error_type(), "AccountExists");
        assert_eq!(refusal_message(&refused), ACCOUNT_EXISTS);
        refusals.push(refused.body);
    }
    assert!(
        refusals.windows(2).all(|pair| pair[0] == pair[1]),
        "name, email and phone are refused byte for byte alike"
    );

    let new_identity = sign_up(
        "grace",
        &[
            ("email", "grace@example.com"),
            ("phone_number", "+15555550199"),
        ],
    );
    assert_eq!(function.invoke(&new_identity).await.ok(), new_identity);

    for source in ["PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"] {
        let event = pre_sign_up_event(
            source,
            &pools.new_pool,
            "ada",
            &[("email", "ada@example.com")],
        );
        assert_eq!(function.invoke(&event).await.ok(), event, "{source}");
    }

    let logs = function.host.logs(&function.name).await;
    assert!(
        logs.contains("\"outcome\":\"sign-up-refused-existing\""),
        "{logs}"
    );
    assert!(!logs.contains("ada@example.com"), "no email in the logs");
}

#[tokio::test]
async fn companions_sign_up_in_a_tenant_split_is_refused_only_for_this_tenants_users() {
    let pools = pools("tenant").await;
    pools
        .old_user(
            "ada",
            &[("email", "ada@example.com"), ("custom:tenant", "acme")],
            &[],
        )
        .await;
    let table = format!(
        r#"{{"attribute":"custom:tenant","tenants":{{"acme":{{"pool_id":"{}"}},"globex":{{"pool_id":"us-east-1_Globex1"}}}}}}"#,
        pools.new_pool
    );
    let function = pools
        .function(
            "tenant",
            &pools.testbed.moto_url.clone(),
            &[("TENANT_TABLE_JSON", &table)],
        )
        .await;
    let event = |pool: &str| {
        pre_sign_up_event(
            "PreSignUp_SignUp",
            pool,
            "mallory",
            &[("email", "ada@example.com")],
        )
    };
    let in_acme = function.invoke(&event(&pools.new_pool)).await;
    assert_eq!(in_acme.error_type(), "AccountExists");
    let in_globex = event("us-east-1_Globex1");
    assert_eq!(function.invoke(&in_globex).await.ok(), in_globex);
}

#[tokio::test]
async fn companions_sign_up_fails_closed_inside_the_budget_when_the_old_pool_is_down() {
    let pools = pools("down").await;
    let event = pre_sign_up_event(
        "PreSignUp_SignUp",
        &pools.new_pool,
        "grace",
        &[("email", "grace@example.com")],
    );
    for (label, port) in [
        ("down", closed_port().await),
        ("hanging", blackhole().await),
    ] {
        let endpoint = format!("http://127.0.0.1:{port}");
        let function = pools
            .function(&format!("signup-{label}"), &endpoint, &[])
            .await;
        for round in ["cold", "warm"] {
            let refused = function.invoke(&event).await;
            eprintln!("sign-up, old pool {label} ({round}): {:?}", refused.elapsed);
            assert_eq!(refused.error_type(), "SignUpUnavailable");
            assert_eq!(refusal_message(&refused), SIGN_UP_UNAVAILABLE);
            assert!(refused.elapsed < Duration::from_secs(5), "{label} {round}");
        }
    }
}

#[tokio::test]
async fn companions_first_token_carries_the_old_groups_and_the_new_pool_keeps_them() {
    let pools = pools("groups").await;
    for group in ["admins", "staff", MARKER] {
        create_group(&pools.client, &pools.new_pool, group).await;
    }
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let function = pools.function("groups", &proxy.url, &[]).await;

    for (version, user) in [(1, "ada"), (2, "alan")] {
        let sub = pools.old_user(user, &[], &["admins", "staff"]).await;
        pools.migrated_user(user, &sub).await;
        let attributes = [("custom:legacy_sub", sub.as_str())];
        let before = proxy.requests_by_operation();
        let first = pre_token_event(
            version,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            user,
            &attributes,
            &[],
        );
        let answer = function.invoke(&first).await.ok();
        assert_eq!(
            groups_in_answer(&answer),
            Some(vec!["admins".to_string(), "staff".to_string()]),
            "version {version}: {answer}"
        );
        assert_eq!(answer["request"], first["request"]);
        assert_eq!(pools.new_groups_of(user).await, ["admins", "staff"]);
        let after = proxy.requests_by_operation();
        let delta = |operation: &str| count(&after, operation) - count(&before, operation);
        assert_eq!(
            delta("AdminGetUser"),
            1,
            "the user re-read from the new pool"
        );
        assert_eq!(delta("ListUsers"), 1, "found by legacy sub");
        assert_eq!(delta("AdminListGroupsForUser"), 1);
        assert_eq!(delta("AdminAddUserToGroup"), 2);

        // The next token (a refresh) reads the memberships Cognito now has: nothing asked.
        let refresh = pre_token_event(
            version,
            "TokenGeneration_RefreshTokens",
            &pools.new_pool,
            user,
            &attributes,
            &pools.new_groups_of(user).await,
        );
        let before = proxy.requests_by_operation();
        assert_eq!(function.invoke(&refresh).await.ok(), refresh);
        assert_eq!(proxy.requests_by_operation(), before, "no call at all");
    }
}

#[tokio::test]
async fn companions_a_user_without_old_groups_is_looked_up_once() {
    let pools = pools("marker").await;
    create_group(&pools.client, &pools.new_pool, MARKER).await;
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let function = pools.function("marker", &proxy.url, &[]).await;
    let sub = pools.old_user("bob", &[], &[]).await;
    pools.migrated_user("bob", &sub).await;
    let attributes = [("custom:legacy_sub", sub.as_str())];

    let first = pre_token_event(
        2,
        "TokenGeneration_Authentication",
        &pools.new_pool,
        "bob",
        &attributes,
        &[],
    );
    let mut without_groups = first.clone();
    without_groups["response"]["claimsAndScopeOverrideDetails"] =
        json!({"groupOverrideDetails": {"groupsToOverride": [], "iamRolesToOverride": []}});
    assert_eq!(
        function.invoke(&first).await.ok(),
        without_groups,
        "no old groups, said explicitly"
    );
    assert_eq!(pools.new_groups_of("bob").await, [MARKER]);
    let after_first = old_pool_reads(&proxy.requests_by_operation());
    assert_eq!(after_first, 2, "ListUsers by sub, AdminListGroupsForUser");
    let read_first = new_pool_reads(&proxy.requests_by_operation());
    assert_eq!(read_first, 1, "AdminGetUser in the new pool");

    for source in [
        "TokenGeneration_RefreshTokens",
        "TokenGeneration_Authentication",
    ] {
        let next = pre_token_event(
            2,
            source,
            &pools.new_pool,
            "bob",
            &attributes,
            &pools.new_groups_of("bob").await,
        );
        let answer = function.invoke(&next).await.ok();
        assert_eq!(
            groups_in_answer(&answer),
            Some(Vec::new()),
            "the marker never reaches a token"
        );
    }
    assert_eq!(old_pool_reads(&proxy.requests_by_operation()), after_first);
    assert_eq!(new_pool_reads(&proxy.requests_by_operation()), read_first);
}

#[tokio::test]
async fn companions_token_without_groups_inside_the_budget_when_the_old_pool_is_down() {
    // One endpoint serves both pools here, so the new-pool re-read is the first call to fail;
    // the next test fails one pool at a time.
    let pools = pools("token-down").await;
    for (label, port, version) in [
        ("down", closed_port().await, 1),
        ("hanging", blackhole().await, 2),
    ] {
        let endpoint = format!("http://127.0.0.1:{port}");
        let function = pools
            .function(&format!("token-{label}"), &endpoint, &[])
            .await;
        let event = pre_token_event(
            version,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            "ada",
            &[("custom:legacy_sub", "11111111-2222-4333-8444-555555555555")],
            &[],
        );
        let answered = function.invoke(&event).await;
        eprintln!("token, old pool {label}: {:?}", answered.elapsed);
        assert!(answered.elapsed < Duration::from_secs(5), "{label}");
        let answer = answered.ok();
        assert_eq!(groups_in_answer(&answer), None, "no groups granted");
        let flagged = answer["response"].to_string();
        assert!(flagged.contains(GROUPS_UNAVAILABLE_CLAIM), "{flagged}");
    }
}

#[tokio::test]
async fn companions_token_without_groups_inside_the_budget_when_one_pool_cannot_be_asked() {
    let pools = pools("one-down").await;
    for group in ["admins", MARKER] {
        create_group(&pools.client, &pools.new_pool, group).await;
    }
    let sub = pools.old_user("ada", &[], &["admins"]).await;
    pools.migrated_user("ada", &sub).await;
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let function = pools.function("one-down", &proxy.url, &[]).await;
    let old_pool = r#""operations":["ListUsers","AdminListGroupsForUser"]"#;
    let new_pool = r#""operations":["AdminGetUser"]"#;
    for (label, config, version) in [
        (
            "old pool down",
            format!(r#"{{"drop_share":1.0,"stall_share":0.0,{old_pool}}}"#),
            1,
        ),
        (
            "old pool hanging",
            format!(r#"{{"drop_share":0.0,"stall_share":1.0,"stall_seconds":10,{old_pool}}}"#),
            2,
        ),
        (
            "new pool hanging",
            format!(r#"{{"drop_share":0.0,"stall_share":1.0,"stall_seconds":10,{new_pool}}}"#),
            1,
        ),
    ] {
        proxy.configure(&config);
        let event = pre_token_event(
            version,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            "ada",
            &[("custom:legacy_sub", sub.as_str())],
            &[],
        );
        let answered = function.invoke(&event).await;
        eprintln!("token, {label}: {:?}", answered.elapsed);
        assert!(answered.elapsed < Duration::from_secs(5), "{label}");
        let answer = answered.ok();
        assert_eq!(
            groups_in_answer(&answer),
            None,
            "{label}: no groups granted"
        );
        let flagged = answer["response"].to_string();
        assert!(
            flagged.contains(GROUPS_UNAVAILABLE_CLAIM),
            "{label}: {flagged}"
        );
        assert_eq!(
            pools.new_groups_of("ada").await,
            Vec::<String>::new(),
            "{label}: nothing written"
        );
    }
    let logs = function.host.logs(&function.name).await;
    assert!(
        logs.contains("\"outcome\":\"new-pool-unavailable\""),
        "{logs}"
    );
    assert!(logs.contains("\"outcome\":\"old-pool-"), "{logs}");
}

#[tokio::test]
async fn companions_added_latency_and_old_pool_calls_per_token() {
    const ROUNDS: usize = 20;
    let pools = pools("latency").await;
    for group in ["staff", MARKER] {
        create_group(&pools.client, &pools.new_pool, group).await;
    }
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    // Rounds back to back from one instance: the ListUsers budget is not what is measured here.
    let function = pools.function("latency", &proxy.url, &UNMETERED).await;
    // Warm the process so the figures are the warm path.
    function
        .invoke(&pre_sign_up_event(
            "PreSignUp_AdminCreateUser",
            &pools.new_pool,
            "warm",
            &[],
        ))
        .await
        .ok();

    let mut sign_up_ms = Vec::new();
    let mut first_token_ms = Vec::new();
    let mut steady_token_ms = Vec::new();
    let mut first_reads = Vec::new();
    let mut first_new_reads = Vec::new();
    let mut steady_reads = Vec::new();
    for round in 0..ROUNDS {
        let user = format!("user{round}");
        let sub = pools
            .old_user(
                &user,
                &[("email", &format!("{user}@example.com"))],
                &["staff"],
            )
            .await;
        pools.migrated_user(&user, &sub).await;

        let sign_up = pre_sign_up_event(
            "PreSignUp_SignUp",
            &pools.new_pool,
            &format!("new{round}"),
            &[("email", &format!("new{round}@example.com"))],
        );
        let answered = function.invoke(&sign_up).await;
        answered.ok();
        sign_up_ms.push(answered.host_duration_ms.expect("host duration"));

        let attributes = [("custom:legacy_sub", sub.as_str())];
        let before = proxy.requests_by_operation();
        let first = pre_token_event(
            1,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            &user,
            &attributes,
            &[],
        );
        let answered = function.invoke(&first).await;
        assert_eq!(
            groups_in_answer(&answered.ok()),
            Some(vec!["staff".to_string()])
        );
        first_token_ms.push(answered.host_duration_ms.expect("host duration"));
        let middle = proxy.requests_by_operation();
        first_reads.push((old_pool_reads(&middle) - old_pool_reads(&before)) as f64);
        first_new_reads.push((new_pool_reads(&middle) - new_pool_reads(&before)) as f64);

        let steady = pre_token_event(
            1,
            "TokenGeneration_RefreshTokens",
            &pools.new_pool,
            &user,
            &attributes,
            &pools.new_groups_of(&user).await,
        );
        let answered = function.invoke(&steady).await;
        answered.ok();
        steady_token_ms.push(answered.host_duration_ms.expect("host duration"));
        let after = proxy.requests_by_operation();
        steady_reads.push(
            (old_pool_reads(&after) + new_pool_reads(&after)
                - old_pool_reads(&middle)
                - new_pool_reads(&middle)) as f64,
        );
    }
    for (label, values) in [
        ("sign-up check", &mut sign_up_ms),
        ("first token (lookup + write)", &mut first_token_ms),
        ("steady-state token", &mut steady_token_ms),
    ] {
        let median = percentile(values, 0.5);
        let p99 = percentile(values, 0.99);
        eprintln!("companions latency, {label}: median {median:.1} ms, p99 {p99:.1} ms");
        assert!(p99 < 4500.0, "{label}: p99 {p99} ms is over the budget");
    }
    let first_total: f64 = first_reads.iter().sum();
    let steady_total: f64 = steady_reads.iter().sum();
    eprintln!(
        "companions old-pool calls per token: first {:.1}, steady state {:.1}",
        first_total / ROUNDS as f64,
        steady_total / ROUNDS as f64
    );
    eprintln!(
        "companions new-pool reads per token: first {:.1}",
        first_new_reads.iter().sum::<f64>() / ROUNDS as f64
    );
    assert!(first_reads.iter().all(|calls| *calls == 2.0));
    assert!(first_new_reads.iter().all(|calls| *calls == 1.0));
    assert_eq!(steady_total, 0.0);
}

#[tokio::test]
async fn companions_a_forged_token_event_lends_a_stranger_nobodys_groups() {
    let pools = pools("forged").await;
    for group in ["admins", MARKER] {
        create_group(&pools.client, &pools.new_pool, group).await;
    }
    let victim_sub = pools
        .old_user(
            "ada",
            &[("email", "ada@example.com"), ("email_verified", "true")],
            &["admins"],
        )
        .await;
    // mallory: a new-pool user the migration did not create (no legacy id).
    create_user(
        &pools.client,
        &pools.new_pool,
        "mallory",
        &[("email", "mallory@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    // Another pool the function's credentials reach, where a user carries ada's legacy id.
    let elsewhere = create_pool(
        &pools.client,
        &PoolSpec::named("companions-elsewhere-forged").with_custom(&["legacy_sub"]),
    )
    .await;
    create_group(&pools.client, &elsewhere, "admins").await;
    create_user(
        &pools.client,
        &elsewhere,
        "ada",
        &[("custom:legacy_sub", &victim_sub)],
        Some(PASSWORD),
    )
    .await;
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let function = pools
        .function(
            "forged",
            &proxy.url,
            &[("NEW_USER_POOL_ID", pools.new_pool.as_str())],
        )
        .await;
    let claimed = [
        ("custom:legacy_sub", victim_sub.as_str()),
        ("email", "ada@example.com"),
        ("email_verified", "true"),
    ];

    for version in [1, 2] {
        let before = proxy.requests_by_operation();
        let forged = pre_token_event(
            version,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            "mallory",
            &claimed,
            &[],
        );
        let answer = function.invoke(&forged).await.ok();
        assert_eq!(
            groups_in_answer(&answer),
            None,
            "version {version}: {answer}"
        );
        assert_eq!(answer, forged, "answered untouched");
        assert_eq!(pools.new_groups_of("mallory").await, Vec::<String>::new());
        let after = proxy.requests_by_operation();
        assert_eq!(new_pool_reads(&after) - new_pool_reads(&before), 1);
        assert_eq!(
            old_pool_reads(&after),
            old_pool_reads(&before),
            "old pool not asked"
        );
        assert_eq!(count(&after, "AdminAddUserToGroup"), 0, "nothing written");
    }

    // The same claims in an event naming the other pool: not the configured pool, not touched.
    let before = proxy.requests_by_operation();
    let other = pre_token_event(
        1,
        "TokenGeneration_Authentication",
        &elsewhere,
        "ada",
        &claimed,
        &[],
    );
    let answer = function.invoke(&other).await.ok();
    assert_eq!(groups_in_answer(&answer), None, "{answer}");
    assert_eq!(answer, other);
    assert_eq!(
        groups_of(&pools.client, &elsewhere, "ada").await,
        Vec::<String>::new()
    );
    assert_eq!(proxy.requests_by_operation(), before, "no call at all");

    let logs = function.host.logs(&function.name).await;
    assert!(logs.contains("\"outcome\":\"not-migrated\""), "{logs}");
    assert!(logs.contains("\"outcome\":\"other-pool\""), "{logs}");
}

#[tokio::test]
async fn companions_a_stranger_with_an_old_admins_name_in_another_case_gets_no_groups() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let case_insensitive = || {
        Some(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .expect("username configuration"),
        )
    };
    let mut old_spec = PoolSpec::named("companions-old-case");
    old_spec.username_configuration = case_insensitive();
    let old_pool = create_pool(&client, &old_spec).await;
    let (old_client, _) = create_app_client(&client, &old_pool, false).await;
    create_member(
        &client,
        &old_pool,
        "admin",
        &[],
        Some(PASSWORD),
        &["admins"],
    )
    .await;

    // The new pool fires the function on every token; its users sign in for real.
    let name = "companions-case";
    let mut new_spec = PoolSpec::named("companions-new-case").with_custom(&["legacy_sub"]);
    new_spec.username_configuration = case_insensitive();
    new_spec.lambda_config = Some(
        aws_sdk_cognitoidentityprovider::types::LambdaConfigType::builder()
            .pre_token_generation(function_arn(name))
            .build(),
    );
    let new_pool = create_pool(&client, &new_spec).await;
    let new_client = create_sign_in_client(&client, &new_pool).await;
    for group in ["admins", MARKER] {
        create_group(&client, &new_pool, group).await;
    }
    create_user(
        &client,
        &new_pool,
        "ADMIN",
        &[("email", "stranger@example.com")],
        Some(PASSWORD),
    )
    .await;

    let host = LambdaHost::from_env();
    // The mapping without a legacy id (the old lookup by user name), then the default mapping.
    for mapping in [r#"{"legacy_sub_attribute":null}"#, "{}"] {
        let env = trigger_env(
            &testbed,
            &old_pool,
            &old_client,
            &[
                ("MAPPING_JSON", mapping),
                ("NEW_USER_POOL_ID", new_pool.as_str()),
            ],
        );
        host.register(
            &Function {
                name: name.to_string(),
                env,
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
        let not_migrated = |logs: &str| logs.matches("\"outcome\":\"not-migrated\"").count();
        let answered_before = not_migrated(&host.logs(name).await);
        let tokens = client
            .initiate_auth()
            .client_id(&new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", "ADMIN")
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .expect("the stranger signs in")
            .authentication_result
            .expect("tokens");
        let id_token = tokens.id_token().expect("ID token");
        assert_eq!(groups_claim(id_token), Vec::<String>::new(), "{mapping}");
        assert_eq!(
            groups_of(&client, &new_pool, "ADMIN").await,
            Vec::<String>::new(),
            "{mapping}: no membership, not even the marker"
        );
        let logs = host.logs(name).await;
        assert_eq!(
            not_migrated(&logs),
            answered_before + 1,
            "{mapping}: the function answered the token as not migrated: {logs}"
        );
    }
}

#[tokio::test]
async fn companions_a_sign_up_flood_spends_at_most_the_instances_list_users_budget() {
    const BURST: u64 = 3;
    const RATE: f64 = 2.0;
    let pools = pools("flood").await;
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let function = pools
        .function(
            "flood",
            &proxy.url,
            &[("OLD_LIST_USERS_RPS", "2"), ("OLD_LIST_USERS_BURST", "3")],
        )
        .await;
    let started = std::time::Instant::now();
    let (mut allowed, mut refused) = (0u64, 0u64);
    for i in 0..30 {
        let event = pre_sign_up_event(
            "PreSignUp_SignUp",
            &pools.new_pool,
            &format!("flood-{i}"),
            &[("email", &format!("flood-{i}@example.com"))],
        );
        let answer = function.invoke(&event).await;
        if answer.function_error.is_none() {
            allowed += 1;
        } else {
            assert_eq!(answer.error_type(), "SignUpUnavailable");
            assert_eq!(refusal_message(&answer), SIGN_UP_UNAVAILABLE);
            refused += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let listed = count(&proxy.requests_by_operation(), "ListUsers");
    let bound = BURST as f64 + RATE * elapsed;
    eprintln!(
        "30 sign-ups in {elapsed:.2} s: {allowed} allowed, {refused} refused, {listed} ListUsers (bound {bound:.1})"
    );
    assert!(listed as f64 <= bound, "{listed} > {bound}");
    assert_eq!(
        listed, allowed,
        "one search per admitted sign-up, none for a refused one"
    );
    assert!(allowed >= BURST, "the burst goes through");
    assert!(refused > 0, "the flood meets the budget");
    let logs = function.host.logs(&function.name).await;
    assert!(
        logs.contains("\"outcome\":\"list-users-budget-spent\""),
        "{logs}"
    );
}
