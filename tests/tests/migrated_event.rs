//! The token companion's "user migrated" event (`MIGRATED_EVENT_BUS`) end to end: the real
//! trigger binary on the test bed's Lambda host, fired by a new pool in moto through its own
//! PreTokenGeneration trigger when users sign in, putting its event on an EventBridge bus in the
//! same moto server. A rule on that bus (`source` = `cognito-migrate`) sends the event to an SQS
//! queue, where the test reads it as any subscriber would: moto 5.2.5 delivers EventBridge events
//! to SQS targets, so what is checked is what an app's queue receives.
//!
//! EventBridge and SQS are spoken to over moto's JSON protocols with the test bed's HTTP helper
//! (`X-Amz-Target`, as the SDKs send it), so the test crate needs no SDK for either.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, LambdaConfigType};
use integration_tests::companion_events::{groups_in_answer, pre_token_event};
use integration_tests::import_support::FaultProxy;
use integration_tests::lambda::{Function, LambdaHost, function_arn, http, trigger_env};
use integration_tests::pools::{
    PoolSpec, create_app_client, create_group, create_member, create_pool, create_sign_in_client,
    create_user, sub_of,
};
use integration_tests::testbed::{Testbed, binary};
use integration_tests::tokens::groups_claim;
use integration_tests::unreachable::blackhole;
use serde_json::{Value, json};

const PASSWORD: &str = "Old-Passw0rd!";
const MARKER: &str = "cognito-migrate-no-old-groups";
const ACCOUNT: &str = "123456789012";

/// One JSON-protocol call to moto: `target` is `AWSEvents.PutRule`, `AmazonSQS.CreateQueue`, ...
async fn call(moto_url: &str, service: &str, target: &str, body: &Value) -> Value {
    let (content_type, scope) = match service {
        "events" => ("application/x-amz-json-1.1", "events"),
        _ => ("application/x-amz-json-1.0", "sqs"),
    };
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{scope}/aws4_request, \
         SignedHeaders=host, Signature=0"
    );
    let (status, _, answer) = http(
        moto_url,
        "POST",
        "/",
        &[
            ("X-Amz-Target", target),
            ("Content-Type", content_type),
            ("Authorization", &authorization),
        ],
        body.to_string().as_bytes(),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    assert_eq!(status, 200, "{target}: {answer}");
    serde_json::from_str(&answer).unwrap_or_else(|_| json!({}))
}

/// An event bus with a rule that sends every `cognito-migrate` event to an SQS queue, both named
/// after `name` (the new pool's id: the test bed outlives a run, a pool id is new every time).
struct Subscriber {
    moto_url: String,
    bus: String,
    queue_url: String,
}

impl Subscriber {
    async fn create(moto_url: &str, name: &str) -> Subscriber {
        let bus = format!("migrations-{name}");
        let queue = format!("migrated-{name}");
        let queue_url = call(
            moto_url,
            "sqs",
            "AmazonSQS.CreateQueue",
            &json!({"QueueName": queue}),
        )
        .await["QueueUrl"]
            .as_str()
            .expect("QueueUrl")
            .to_string();
        call(
            moto_url,
            "events",
            "AWSEvents.CreateEventBus",
            &json!({"Name": bus}),
        )
        .await;
        call(
            moto_url,
            "events",
            "AWSEvents.PutRule",
            &json!({"Name": "user-migrated", "EventBusName": bus,
                    "EventPattern": json!({"source": ["cognito-migrate"]}).to_string()}),
        )
        .await;
        call(
            moto_url,
            "events",
            "AWSEvents.PutTargets",
            &json!({"Rule": "user-migrated", "EventBusName": bus, "Targets": [
                {"Id": "queue", "Arn": format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{queue}")}]}),
        )
        .await;
        Subscriber {
            moto_url: moto_url.to_string(),
            bus,
            queue_url,
        }
    }

    /// Every event the queue holds now (read and deleted), as EventBridge delivered them.
    async fn received(&self) -> Vec<Value> {
        let mut events = Vec::new();
        loop {
            let answer = call(
                &self.moto_url,
                "sqs",
                "AmazonSQS.ReceiveMessage",
                &json!({"QueueUrl": self.queue_url, "MaxNumberOfMessages": 10,
                        "WaitTimeSeconds": 0}),
            )
            .await;
            let messages = answer["Messages"].as_array().cloned().unwrap_or_default();
            if messages.is_empty() {
                return events;
            }
            for message in messages {
                let body = message["Body"].as_str().expect("Body");
                events.push(serde_json::from_str(body).expect("the body is the event"));
                call(
                    &self.moto_url,
                    "sqs",
                    "AmazonSQS.DeleteMessage",
                    &json!({"QueueUrl": self.queue_url,
                            "ReceiptHandle": message["ReceiptHandle"]}),
                )
                .await;
            }
        }
    }
}

/// An old pool and a new pool in moto; the new pool fires the host's function `function` on
/// every token.
struct Pools {
    testbed: Testbed,
    client: Client,
    old_pool: String,
    old_client: String,
    new_pool: String,
    new_client: String,
    function: String,
}

async fn pools(name: &str) -> Pools {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old_pool = create_pool(&client, &PoolSpec::named(&format!("event-old-{name}"))).await;
    let (old_client, _) = create_app_client(&client, &old_pool, false).await;
    let function = format!("migrated-event-{name}");
    let mut new_spec = PoolSpec::named(&format!("event-new-{name}")).with_custom(&["legacy_sub"]);
    new_spec.lambda_config = Some(
        LambdaConfigType::builder()
            .pre_token_generation(function_arn(&function))
            .build(),
    );
    let new_pool = create_pool(&client, &new_spec).await;
    let new_client = create_sign_in_client(&client, &new_pool).await;
    for group in ["staff", MARKER] {
        create_group(&client, &new_pool, group).await;
    }
    Pools {
        testbed,
        client,
        old_pool,
        old_client,
        new_pool,
        new_client,
        function,
    }
}

impl Pools {
    /// Registers the trigger binary as the new pool's PreTokenGeneration function, reaching AWS
    /// at `endpoint`, with `extra` settings.
    async fn register(&self, endpoint: &str, extra: &[(&str, &str)]) -> LambdaHost {
        let mut settings = vec![
            ("AWS_ENDPOINT_URL", endpoint),
            ("NEW_USER_POOL_ID", self.new_pool.as_str()),
            ("USER_REF_KEY", "migrated-event-test-key"),
        ];
        settings.extend_from_slice(extra);
        let env = trigger_env(&self.testbed, &self.old_pool, &self.old_client, &settings);
        let host = LambdaHost::from_env();
        host.register(
            &Function {
                name: self.function.clone(),
                env,
                timeout_seconds: 5.0,
            },
            &binary("cognito-migrate-trigger"),
        )
        .await;
        host
    }

    /// An old user with `groups`, and the new-pool user the migration made of it (legacy id
    /// kept); returns (old sub, new sub).
    async fn migrated(&self, name: &str, groups: &[&str]) -> (String, String) {
        create_member(
            &self.client,
            &self.old_pool,
            name,
            &[],
            Some(PASSWORD),
            groups,
        )
        .await;
        let old_sub = sub_of(&self.client, &self.old_pool, name).await;
        create_user(
            &self.client,
            &self.new_pool,
            name,
            &[("custom:legacy_sub", old_sub.as_str())],
            Some(PASSWORD),
        )
        .await;
        let new_sub = sub_of(&self.client, &self.new_pool, name).await;
        (old_sub, new_sub)
    }

    /// Signs `name` in to the new pool (which fires the function); the ID token's groups.
    async fn sign_in(&self, name: &str) -> Vec<String> {
        let tokens = self
            .client
            .initiate_auth()
            .client_id(&self.new_client)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("PASSWORD", PASSWORD)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name} signs in: {e:?}"))
            .authentication_result
            .expect("tokens");
        groups_claim(tokens.id_token().expect("ID token"))
    }
}

fn count(calls: &BTreeMap<String, u64>, operation: &str) -> u64 {
    calls.get(operation).copied().unwrap_or(0)
}

/// The `detail` of the one event in `events`, after checking its source and type.
fn only_detail(events: &[Value]) -> Value {
    assert_eq!(events.len(), 1, "one event: {events:?}");
    assert_eq!(events[0]["source"], "cognito-migrate");
    assert_eq!(events[0]["detail-type"], "User migrated");
    events[0]["detail"].clone()
}

#[tokio::test]
async fn migrated_event_carries_both_subs_once_and_a_stranger_gets_none() {
    let pools = pools("signin").await;
    let subscriber = Subscriber::create(&pools.testbed.moto_url, &pools.new_pool).await;
    let proxy = FaultProxy::start(&pools.testbed.moto_url);
    let host = pools
        .register(
            &proxy.url,
            &[("MIGRATED_EVENT_BUS", subscriber.bus.as_str())],
        )
        .await;

    // A migrated user with old groups: the first token carries them, and one event both subs.
    let (ada_old, ada_new) = pools.migrated("ada", &["staff"]).await;
    assert_ne!(ada_old, ada_new);
    assert_eq!(pools.sign_in("ada").await, ["staff"]);
    let detail = only_detail(&subscriber.received().await);
    assert_eq!(
        detail,
        json!({"old_sub": ada_old, "new_sub": ada_new, "old_username": "ada",
               "new_username": "ada", "user_pool_id": pools.new_pool})
    );

    // Later tokens: no lookup, no event.
    let before = proxy.requests_by_operation();
    assert_eq!(pools.sign_in("ada").await, ["staff"]);
    assert_eq!(proxy.requests_by_operation(), before, "no call at all");
    assert!(subscriber.received().await.is_empty());

    // A migrated user without old groups (marked): announced too, once.
    let (alan_old, alan_new) = pools.migrated("alan", &[]).await;
    assert!(pools.sign_in("alan").await.is_empty());
    assert!(pools.sign_in("alan").await.is_empty());
    let detail = only_detail(&subscriber.received().await);
    assert_eq!(detail["old_sub"], json!(alan_old));
    assert_eq!(detail["new_sub"], json!(alan_new));

    // A stranger (no legacy id), and one who holds ada's legacy id without being ada (no same
    // user name, no verified e-mail of ada's): no event, no PutEvents at all.
    create_user(
        &pools.client,
        &pools.new_pool,
        "eve",
        &[("email", "eve@example.com")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &pools.client,
        &pools.new_pool,
        "mallory",
        &[("custom:legacy_sub", ada_old.as_str())],
        Some(PASSWORD),
    )
    .await;
    let before = proxy.requests_by_operation();
    for stranger in ["eve", "mallory"] {
        assert!(pools.sign_in(stranger).await.is_empty(), "{stranger}");
    }
    let after = proxy.requests_by_operation();
    assert_eq!(count(&after, "PutEvents"), count(&before, "PutEvents"));
    assert!(subscriber.received().await.is_empty());
    assert_eq!(
        count(&after, "PutEvents"),
        2,
        "ada's and alan's, nobody else's"
    );

    // The log says what happened without the ids.
    let logs = host.logs(&pools.function).await;
    assert_eq!(
        logs.matches("\"migrated_event\":\"migrated-event-sent\"")
            .count(),
        2,
        "{logs}"
    );
    for id in [&ada_old, &ada_new, &alan_old, &alan_new] {
        assert!(!logs.contains(id.as_str()), "{id} in the log: {logs}");
    }
}

#[tokio::test]
async fn migrated_event_that_fails_or_hangs_leaves_the_token_unchanged() {
    let pools = pools("faults").await;
    let hanging = format!("http://127.0.0.1:{}", blackhole().await);
    let moto = pools.testbed.moto_url.clone();
    let cases = [
        (
            "a bus that does not exist",
            "no-such-bus",
            moto.clone(),
            "migrated-event-failed",
        ),
        (
            "EventBridge hangs",
            "migrations",
            hanging,
            "migrated-event-timeout",
        ),
    ];
    for (i, (case, bus, events_endpoint, code)) in cases.into_iter().enumerate() {
        let host = pools
            .register(
                &moto,
                &[
                    ("MIGRATED_EVENT_BUS", bus),
                    ("AWS_ENDPOINT_URL_EVENTBRIDGE", events_endpoint.as_str()),
                ],
            )
            .await;
        let name = format!("user{i}");
        let (old_sub, _) = pools.migrated(&name, &["staff"]).await;
        let event = pre_token_event(
            2,
            "TokenGeneration_Authentication",
            &pools.new_pool,
            &name,
            &[("custom:legacy_sub", old_sub.as_str())],
            &[],
        );
        let started = Instant::now();
        let answer = host.invoke_json(&pools.function, &event).await.ok();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{case}: inside Cognito's 5 seconds"
        );
        assert_eq!(
            groups_in_answer(&answer),
            Some(vec!["staff".to_string()]),
            "{case}: {answer}"
        );
        assert_eq!(answer["request"], event["request"], "{case}");
        let logs = host.logs(&pools.function).await;
        assert!(
            logs.contains(&format!("\"outcome\":\"{code}\"")),
            "{case}: {logs}"
        );
        assert!(
            logs.contains("\"outcome\":\"groups-copied\""),
            "{case}: {logs}"
        );
        assert!(!logs.contains(old_sub.as_str()), "{case}: {logs}");
    }
}
