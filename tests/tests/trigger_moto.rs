//! `cognito-migrate-trigger` behind the test bed's Lambda host, invoked through the Lambda
//! Invoke API with the event JSON Cognito sends, against an old pool in moto.
//!
//! Each test has its own old pool and its own function registration (moto and the host are
//! shared), so the tests run in parallel.

use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::SmsMfaSettingsType;
use integration_tests::import_support::FaultProxy;
use integration_tests::lambda::{
    Function, LambdaHost, forgot_password_event, http, sign_in_event, trigger_env,
};
use integration_tests::pools::{create_app_client, create_user, enrol_totp, sub_of};
use integration_tests::testbed::{Testbed, binary};
use integration_tests::trigger_support::OldPool;
use integration_tests::unreachable::{blackhole, closed_port};
use serde_json::{Value, json};

const PASSWORD: &str = "Old-Passw0rd!";
const TEMP_PASSWORD: &str = "Temp-Passw0rd!";

async fn old_pool(name: &str, custom: &[&str], with_secret: bool) -> OldPool {
    OldPool::create(&format!("trigger-{name}"), custom, with_secret).await
}

/// Registers the trigger for an old pool.
trait Register {
    /// Registers the trigger as function `name`, configured for this pool plus `extra`.
    async fn function(&self, name: &str, extra: &[(&str, &str)]) -> (LambdaHost, String);
}

impl Register for OldPool {
    async fn function(&self, name: &str, extra: &[(&str, &str)]) -> (LambdaHost, String) {
        register(name, self.trigger_env(extra)).await
    }
}

async fn register(
    name: &str,
    env: std::collections::BTreeMap<String, String>,
) -> (LambdaHost, String) {
    let host = LambdaHost::from_env();
    let function = Function {
        name: format!("trigger-{name}"),
        env,
        timeout_seconds: 5.0,
    };
    host.register(&function, &binary("cognito-migrate-trigger"))
        .await;
    (host, function.name)
}

fn attributes(answer: &Value) -> &serde_json::Map<String, Value> {
    answer["response"]["userAttributes"]
        .as_object()
        .unwrap_or_else(|| panic!("no userAttributes in {answer}"))
}

/// The answer that means "no such user": the event exactly as sent.
fn assert_unchanged(answer: &Value, event: &Value) {
    assert_eq!(answer, event, "expected the event back untouched");
}

#[tokio::test]
async fn trigger_right_password_migrates_confirmed() {
    let old = old_pool("right", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("name", "Alice"),
        ],
        Some(PASSWORD),
    )
    .await;
    let (host, name) = old.function("right", &[]).await;

    let cold = host
        .invoke_json(&name, &sign_in_event("alice", PASSWORD))
        .await;
    let warm = host
        .invoke_json(&name, &sign_in_event("alice", PASSWORD))
        .await;
    eprintln!(
        "right password: cold {:?} (host {:?} ms), warm {:?} (host {:?} ms)",
        cold.elapsed, cold.host_duration_ms, warm.elapsed, warm.host_duration_ms
    );
    let answer = cold.ok();
    let response = &answer["response"];
    assert_eq!(response["finalUserStatus"], "CONFIRMED");
    assert_eq!(response["messageAction"], "SUPPRESS");
    assert!(response.get("enableSMSMFA").is_none());
    let attributes = attributes(&answer);
    assert_eq!(attributes["email"], "alice@example.com");
    assert_eq!(attributes["email_verified"], "true");
    assert_eq!(attributes["name"], "Alice");
    assert!(
        !attributes.contains_key("username"),
        "a typed user name matches no alias attribute: never answered back"
    );
    assert!(!attributes.contains_key("sub"));
    assert_eq!(
        attributes["custom:legacy_sub"],
        sub_of(&old.client, &old.pool_id, "alice").await.as_str()
    );
    assert_eq!(
        answer["request"],
        sign_in_event("alice", PASSWORD)["request"]
    );
    assert_eq!(
        warm.ok(),
        answer,
        "the same event twice gets the same answer"
    );
}

#[tokio::test]
async fn trigger_unknown_user_and_wrong_password_answer_byte_for_byte_alike() {
    let with_alice = old_pool("enum-a", &[], false).await;
    create_user(
        &with_alice.client,
        &with_alice.pool_id,
        "alice",
        &[("email", "a@example.com")],
        Some(PASSWORD),
    )
    .await;
    let without_alice = old_pool("enum-b", &[], false).await;
    let (host, wrong_fn) = with_alice.function("enum-wrong", &[]).await;
    let (_, unknown_fn) = without_alice.function("enum-unknown", &[]).await;

    let event = serde_json::to_vec(&sign_in_event("alice", "Not-The-Passw0rd")).unwrap();
    let wrong = host.invoke(&wrong_fn, &event).await;
    let unknown = host.invoke(&unknown_fn, &event).await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.function_error.is_none() && unknown.function_error.is_none());
    assert_eq!(
        wrong.body, unknown.body,
        "wrong password and unknown user must be indistinguishable"
    );
    assert_unchanged(&wrong.json(), &sign_in_event("alice", "Not-The-Passw0rd"));

    // An unverified email that only looks like an alias resolves to nobody either.
    let alias = host
        .invoke_json(&wrong_fn, &sign_in_event("a@example.com", PASSWORD))
        .await;
    assert_unchanged(&alias.ok(), &sign_in_event("a@example.com", PASSWORD));

    let logs = host.logs(&wrong_fn).await;
    assert!(logs.contains("\"outcome\":\"wrong-password\""), "{logs}");
    let logs = host.logs(&unknown_fn).await;
    assert!(logs.contains("\"outcome\":\"unknown-user\""), "{logs}");
}

#[tokio::test]
async fn trigger_disabled_user_is_not_migrated() {
    let old = old_pool("disabled", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "dora",
        &[("email", "dora@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    old.client
        .admin_disable_user()
        .user_pool_id(&old.pool_id)
        .username("dora")
        .send()
        .await
        .expect("AdminDisableUser");
    let (host, name) = old.function("disabled", &[]).await;

    let answer = host
        .invoke_json(&name, &sign_in_event("dora", PASSWORD))
        .await
        .ok();
    assert_unchanged(&answer, &sign_in_event("dora", PASSWORD));
    let answer = host
        .invoke_json(&name, &forgot_password_event("dora"))
        .await
        .ok();
    assert_unchanged(&answer, &forgot_password_event("dora"));
    assert!(host.logs(&name).await.contains("\"outcome\":\"disabled\""));
}

#[tokio::test]
async fn trigger_temporary_password_migrates_as_reset_required() {
    let old = old_pool("temporary", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "tim",
        &[("email", "tim@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    let (host, name) = old.function("temporary", &[]).await;

    let answer = host
        .invoke_json(&name, &sign_in_event("tim", TEMP_PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "RESET_REQUIRED");
    assert_eq!(attributes(&answer)["email"], "tim@example.com");

    let wrong = host
        .invoke_json(&name, &sign_in_event("tim", "Wrong-Passw0rd!"))
        .await
        .ok();
    assert_unchanged(&wrong, &sign_in_event("tim", "Wrong-Passw0rd!"));
}

#[tokio::test]
async fn trigger_sms_mfa_user_migrates_confirmed_with_sms_mfa() {
    let old = old_pool("sms-mfa", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "sam",
        &[
            ("phone_number", "+15555550100"),
            ("phone_number_verified", "true"),
            ("email", "sam@example.com"),
            ("email_verified", "true"),
        ],
        Some(PASSWORD),
    )
    .await;
    old.client
        .admin_set_user_mfa_preference()
        .user_pool_id(&old.pool_id)
        .username("sam")
        .sms_mfa_settings(
            SmsMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("AdminSetUserMFAPreference");
    let (host, name) = old.function("sms-mfa", &[]).await;

    let answer = host
        .invoke_json(&name, &sign_in_event("sam", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
    assert_eq!(answer["response"]["enableSMSMFA"], true);
    assert_eq!(attributes(&answer)["phone_number"], "+15555550100");
    assert!(
        host.logs(&name)
            .await
            .contains("\"outcome\":\"migrated-confirmed-mfa\"")
    );

    let wrong = host
        .invoke_json(&name, &sign_in_event("sam", "Wrong-Passw0rd!"))
        .await
        .ok();
    assert_unchanged(&wrong, &sign_in_event("sam", "Wrong-Passw0rd!"));

    // A mapping that drops the phone cannot carry SMS MFA (enableSMSMFA needs phone_number):
    // the password alone is not enough, the user resets through the verified e-mail.
    let drop_phone = r#"{"drop":["phone_number","phone_number_verified"]}"#;
    let (host, name) = old
        .function("sms-mfa-no-phone", &[("MAPPING_JSON", drop_phone)])
        .await;
    let answer = host
        .invoke_json(&name, &sign_in_event("sam", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "RESET_REQUIRED");
    assert!(answer["response"].get("enableSMSMFA").is_none());
    assert!(!attributes(&answer).contains_key("phone_number"));
    assert!(
        host.logs(&name)
            .await
            .contains("\"outcome\":\"migrated-reset-second-factor\"")
    );
}

#[tokio::test]
async fn trigger_totp_user_with_the_right_password_is_never_confirmed() {
    let old = old_pool("totp", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "tina",
        &[("email", "tina@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "toby",
        &[("email", "toby@example.com")],
        Some(PASSWORD),
    )
    .await;
    enrol_totp(&old.client, &old.pool_id, &old.client_id, "tina", PASSWORD).await;
    enrol_totp(&old.client, &old.pool_id, &old.client_id, "toby", PASSWORD).await;
    let (host, name) = old.function("totp", &[]).await;

    // The password is right, but the TOTP secret cannot be moved: whoever holds only the
    // password must first prove the verified e-mail with a reset code.
    for typed in ["tina", "tina@example.com"] {
        let answer = host
            .invoke_json(&name, &sign_in_event(typed, PASSWORD))
            .await
            .ok();
        assert_eq!(
            answer["response"]["finalUserStatus"], "RESET_REQUIRED",
            "{typed}"
        );
        assert!(answer["response"].get("enableSMSMFA").is_none());
    }
    // No verified contact to send a code to: not migrated at all.
    let event = sign_in_event("toby", PASSWORD);
    assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);
    let event = sign_in_event("tina", "Wrong-Passw0rd!");
    assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);

    let logs = host.logs(&name).await;
    assert!(!logs.contains("\"outcome\":\"migrated-confirmed"), "{logs}");
    assert!(
        logs.contains("\"outcome\":\"migrated-reset-second-factor\""),
        "{logs}"
    );
    assert!(
        logs.contains("\"outcome\":\"no-verified-contact\""),
        "{logs}"
    );
}

#[tokio::test]
async fn trigger_password_weaker_than_the_new_policy_migrates_reset_required() {
    let old = old_pool("policy", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "wes",
        &[("email", "wes@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    // The new pool asks for 16 characters; the old password has 13.
    let strict = r#"{"MinimumLength":16,"RequireUppercase":true,"RequireLowercase":true,"RequireNumbers":true,"RequireSymbols":true}"#;
    let (host, name) = old
        .function("policy-strict", &[("NEW_PASSWORD_POLICY", strict)])
        .await;
    let answer = host
        .invoke_json(&name, &sign_in_event("wes", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "RESET_REQUIRED");
    assert!(
        host.logs(&name)
            .await
            .contains("\"outcome\":\"migrated-reset-weak-password\"")
    );
    // A wrong password is still nobody, whatever the policy.
    let event = sign_in_event("wes", "Wrong-Passw0rd!");
    assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);

    // The default policy (Cognito's) admits it.
    let (host, name) = old.function("policy-default", &[]).await;
    let answer = host
        .invoke_json(&name, &sign_in_event("wes", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn trigger_forgot_password_switched_off_answers_like_an_unknown_user() {
    let old = old_pool("forgot-off", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "vic",
        &[("email", "vic@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    let (host, name) = old
        .function("forgot-off", &[("FORGOT_PASSWORD", "off")])
        .await;
    for typed in ["vic", "vic@example.com", "nobody"] {
        let event = forgot_password_event(typed);
        assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);
    }
    assert!(
        host.logs(&name)
            .await
            .contains("\"outcome\":\"forgot-password-off\"")
    );
    let answer = host
        .invoke_json(&name, &sign_in_event("vic", PASSWORD))
        .await
        .ok();
    assert_eq!(
        answer["response"]["finalUserStatus"], "CONFIRMED",
        "sign-in still migrates"
    );
}

#[tokio::test]
async fn trigger_old_pool_calls_are_the_same_for_known_and_unknown_names() {
    let old = old_pool("call-shape", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "phil",
        &[
            ("phone_number", "+15555550123"),
            ("phone_number_verified", "true"),
        ],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "dora",
        &[("email", "dora@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    old.client
        .admin_disable_user()
        .user_pool_id(&old.pool_id)
        .username("dora")
        .send()
        .await
        .expect("AdminDisableUser");
    // Every old-pool request goes through a proxy that counts them by operation.
    let proxy = FaultProxy::start(&old.testbed.moto_url);
    let (host, name) = old
        .function("call-shape", &[("AWS_ENDPOINT_URL", &proxy.url)])
        .await;

    let counts = |stats: &Value| -> std::collections::BTreeMap<String, u64> {
        stats["by_operation"]
            .as_object()
            .map(|ops| {
                ops.iter()
                    .map(|(op, s)| (op.clone(), s["requests"].as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let shapes: [(&str, &[&str]); 3] = [
        ("user name", &["ada", "nobody", "dora"]),
        (
            "e-mail",
            &["ada@example.com", "nobody@example.com", "dora@example.com"],
        ),
        ("phone", &["+15555550123", "+15555550999"]),
    ];
    for (shape, names) in shapes {
        let mut seen = Vec::new();
        for typed in names {
            for password in [PASSWORD, "Wrong-Passw0rd!"] {
                let before = counts(&proxy.stats());
                host.invoke_json(&name, &sign_in_event(typed, password))
                    .await
                    .ok();
                let after = counts(&proxy.stats());
                let delta: Vec<(String, u64)> = after
                    .iter()
                    .map(|(op, n)| (op.clone(), n - before.get(op).copied().unwrap_or(0)))
                    .filter(|(_, n)| *n > 0)
                    .collect();
                seen.push((typed.to_string(), password == PASSWORD, delta));
            }
        }
        eprintln!("{shape}: {:?}", seen[0].2);
        assert!(!seen[0].2.is_empty(), "{shape}: the proxy saw no calls");
        assert!(
            seen.iter().all(|(_, _, delta)| *delta == seen[0].2),
            "{shape}: calls differ between names: {seen:#?}"
        );
    }
}

#[tokio::test]
async fn trigger_alias_sign_in_keeps_the_old_user_name() {
    let old = old_pool("alias", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "ada",
        &[("email", "ada@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "phil",
        &[
            ("phone_number", "+15555550123"),
            ("phone_number_verified", "true"),
        ],
        Some(PASSWORD),
    )
    .await;
    let (host, name) = old.function("alias", &[]).await;

    let answer = host
        .invoke_json(&name, &sign_in_event("ada@example.com", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
    assert_eq!(attributes(&answer)["username"], "ada");
    assert_eq!(attributes(&answer)["email"], "ada@example.com");

    let answer = host
        .invoke_json(&name, &sign_in_event("+15555550123", PASSWORD))
        .await
        .ok();
    assert_eq!(attributes(&answer)["username"], "phil");

    let wrong = host
        .invoke_json(&name, &sign_in_event("ada@example.com", "Wrong-Passw0rd!"))
        .await
        .ok();
    assert_unchanged(&wrong, &sign_in_event("ada@example.com", "Wrong-Passw0rd!"));

    // A new pool that uses email as the user name generates user names itself.
    let (host, name) = old
        .function("alias-no-username", &[("RETURN_OLD_USERNAME", "false")])
        .await;
    let answer = host
        .invoke_json(&name, &sign_in_event("ada@example.com", PASSWORD))
        .await
        .ok();
    assert!(!attributes(&answer).contains_key("username"));

    // Without ListUsers (a role that may not list users), moto cannot resolve the alias.
    let (host, name) = old
        .function("alias-no-lookup", &[("ALIAS_LOOKUP", "false")])
        .await;
    let event = sign_in_event("ada@example.com", PASSWORD);
    assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);
}

#[tokio::test]
async fn trigger_custom_attributes_and_legacy_id_follow_the_mapping() {
    let old = old_pool("custom", &["tenant", "internal"], true).await;
    create_user(
        &old.client,
        &old.pool_id,
        "carl",
        &[
            ("email", "carl@example.com"),
            ("email_verified", "false"),
            ("custom:tenant", "acme"),
            ("custom:internal", "x"),
        ],
        Some(PASSWORD),
    )
    .await;
    let sub = sub_of(&old.client, &old.pool_id, "carl").await;

    let (host, name) = old.function("custom-default", &[]).await;
    let answer = host
        .invoke_json(&name, &sign_in_event("carl", PASSWORD))
        .await
        .ok();
    let attrs = attributes(&answer);
    assert_eq!(attrs["custom:tenant"], "acme");
    assert_eq!(attrs["custom:legacy_sub"], sub.as_str());
    assert_eq!(attrs["email_verified"], "false", "copied, never invented");
    assert!(!attrs.contains_key("sub"));

    let mapping = r#"{"legacy_sub_attribute":"custom:old_id","rename":{"custom:tenant":"custom:org"},"drop":["custom:internal"]}"#;
    let (host, name) = old
        .function("custom-mapped", &[("MAPPING_JSON", mapping)])
        .await;
    let answer = host
        .invoke_json(&name, &sign_in_event("carl", PASSWORD))
        .await
        .ok();
    let attrs = attributes(&answer);
    assert_eq!(attrs["custom:org"], "acme");
    assert_eq!(attrs["custom:old_id"], sub.as_str());
    assert!(!attrs.contains_key("custom:tenant"));
    assert!(!attrs.contains_key("custom:internal"));
    assert!(!attrs.contains_key("custom:legacy_sub"));
}

#[tokio::test]
async fn trigger_forgot_password_migrates_only_users_with_a_verified_contact() {
    let old = old_pool("forgot", &[], false).await;
    create_user(
        &old.client,
        &old.pool_id,
        "vera",
        &[("email", "vera@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "pia",
        &[
            ("phone_number", "+15555550111"),
            ("phone_number_verified", "true"),
            ("email", "pia@example.com"),
        ],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "uma",
        &[("email", "uma@example.com")],
        Some(PASSWORD),
    )
    .await;
    let (host, name) = old.function("forgot", &[]).await;

    let answer = host
        .invoke_json(&name, &forgot_password_event("vera"))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "RESET_REQUIRED");
    assert_eq!(answer["response"]["messageAction"], "SUPPRESS");
    assert_eq!(
        answer["response"]["desiredDeliveryMediums"],
        json!(["EMAIL"])
    );
    assert_eq!(attributes(&answer)["email_verified"], "true");

    let answer = host
        .invoke_json(&name, &forgot_password_event("vera@example.com"))
        .await
        .ok();
    assert_eq!(
        attributes(&answer)["username"],
        "vera",
        "alias works for forgot-password too"
    );

    let answer = host
        .invoke_json(&name, &forgot_password_event("pia"))
        .await
        .ok();
    assert_eq!(answer["response"]["desiredDeliveryMediums"], json!(["SMS"]));

    let answer = host
        .invoke_json(&name, &forgot_password_event("uma"))
        .await
        .ok();
    assert_unchanged(&answer, &forgot_password_event("uma"));
    let answer = host
        .invoke_json(&name, &forgot_password_event("nobody"))
        .await
        .ok();
    assert_unchanged(&answer, &forgot_password_event("nobody"));
    assert!(
        host.logs(&name)
            .await
            .contains("\"outcome\":\"no-verified-contact\"")
    );
}

#[tokio::test]
async fn trigger_malformed_events_are_answered_not_crashed_on() {
    let old = old_pool("malformed", &[], false).await;
    create_user(&old.client, &old.pool_id, "alice", &[], Some(PASSWORD)).await;
    let (host, name) = old.function("malformed", &[]).await;

    let mut wrong_type = sign_in_event("alice", PASSWORD);
    wrong_type["userName"] = json!(12345);
    let mut unknown_source = sign_in_event("alice", PASSWORD);
    unknown_source["triggerSource"] = json!("CustomMessage_SignUp");
    let events = [
        sign_in_event(&"a".repeat(10 * 1024), PASSWORD),
        sign_in_event("al\u{7}ice", PASSWORD),
        wrong_type,
        unknown_source,
        json!({}),
        json!([1, 2, 3]),
    ];
    for event in events {
        let answer = host.invoke_json(&name, &event).await.ok();
        assert_eq!(answer, event);
    }
    // Still alive and right afterwards.
    let answer = host
        .invoke_json(&name, &sign_in_event("alice", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn trigger_misconfiguration_is_a_named_error() {
    let old = old_pool("misconfigured", &[], false).await;
    let host = LambdaHost::from_env();

    let mut env = trigger_env(&old.testbed, &old.pool_id, &old.client_id, &[]);
    env.remove("OLD_CLIENT_ID");
    let (_, name) = register("misconfigured-env", env).await;
    let failed = host
        .invoke_json(&name, &sign_in_event("alice", PASSWORD))
        .await;
    assert_eq!(failed.error_type(), "ConfigurationError");
    let env_message = public_message(&failed.json());
    // The person signing in sees a plain sentence; the log names the variable.
    assert!(
        host.logs(&name).await.contains("OLD_CLIENT_ID is not set"),
        "the detail is logged"
    );

    let env = trigger_env(&old.testbed, "us-east-1_doesnotexist", &old.client_id, &[]);
    let (_, name) = register("misconfigured-pool", env).await;
    let failed = host
        .invoke_json(&name, &sign_in_event("alice", PASSWORD))
        .await;
    assert_eq!(failed.error_type(), "OldPoolMisconfigured");
    assert_eq!(
        public_message(&failed.json()),
        env_message,
        "one fixed sentence per kind"
    );
    let logs = host.logs(&name).await;
    assert!(logs.contains("OLD_USER_POOL_ID"), "{logs}");
    assert!(logs.contains("\"request_id\""), "{logs}");
}

/// Names from inside the function that must never reach the person signing in: AWS shows
/// trigger errors to people, "any sensitive or debugging information should be logged in the
/// Lambda trigger itself".
const INTERNAL_NAMES: [&str; 14] = [
    "OLD_",
    "TENANT",
    "MAPPING",
    "arn:",
    "Admin",
    "ListUsers",
    "InitiateAuth",
    "Exception",
    "cognito-idp",
    "secret",
    "pool",
    "127.0.0.1",
    "timeout_ms",
    "_",
];

/// The `errorMessage` of a failed invocation, checked for internal names.
fn public_message(answer: &Value) -> String {
    let message = answer["errorMessage"]
        .as_str()
        .unwrap_or_else(|| panic!("no errorMessage in {answer}"))
        .to_string();
    for name in INTERNAL_NAMES {
        assert!(
            !message.to_lowercase().contains(&name.to_lowercase()),
            "{message:?} names {name}"
        );
    }
    message
}

#[tokio::test]
async fn trigger_old_pool_down_or_hanging_is_answered_inside_the_budget() {
    let old = old_pool("budget", &[], false).await;
    for (label, port) in [
        ("down", closed_port().await),
        ("hanging", blackhole().await),
    ] {
        let endpoint = format!("http://127.0.0.1:{port}");
        let (host, name) = old
            .function(
                &format!("budget-{label}"),
                &[("AWS_ENDPOINT_URL", &endpoint)],
            )
            .await;
        // The first invocation also starts the process; measure a warm one too.
        for round in ["cold", "warm"] {
            let failed = host
                .invoke_json(&name, &sign_in_event("alice", PASSWORD))
                .await;
            eprintln!(
                "old pool {label} ({round}): {:?} wall, host {:?} ms, {}",
                failed.elapsed,
                failed.host_duration_ms,
                String::from_utf8_lossy(&failed.body)
            );
            let error_type = failed.error_type();
            assert_ne!(
                error_type, "Sandbox.Timedout",
                "the function itself must answer in time"
            );
            assert!(
                error_type == "OldPoolUnavailable" || error_type == "OldPoolTimeout",
                "{error_type}"
            );
            public_message(&failed.json());
            assert!(
                failed.elapsed < Duration::from_millis(4500),
                "{label}: {:?}",
                failed.elapsed
            );
        }
    }
}

#[tokio::test]
async fn trigger_reads_the_client_secret_from_secrets_manager() {
    let old = old_pool("secrets-manager", &[], true).await;
    create_user(&old.client, &old.pool_id, "sid", &[], Some(PASSWORD)).await;
    let secret = old.client_secret.clone().expect("client secret");
    let secret_json = json!({"client_secret": secret}).to_string();
    let body = json!({"Name": format!("old-client-{}", old.pool_id), "SecretString": secret_json})
        .to_string();
    let (status, _, answer) = http(
        &old.testbed.moto_url,
        "POST",
        "/",
        &[
            ("X-Amz-Target", "secretsmanager.CreateSecret"),
            ("Content-Type", "application/x-amz-json-1.1"),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(
        status,
        200,
        "CreateSecret: {}",
        String::from_utf8_lossy(&answer)
    );
    let arn = serde_json::from_slice::<Value>(&answer).unwrap()["ARN"]
        .as_str()
        .unwrap()
        .to_string();

    let env = trigger_env(
        &old.testbed,
        &old.pool_id,
        &old.client_id,
        &[("OLD_CLIENT_SECRET_ARN", &arn)],
    );
    let (host, name) = register("secrets-manager", env).await;
    let answer = host
        .invoke_json(&name, &sign_in_event("sid", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");

    let env = trigger_env(
        &old.testbed,
        &old.pool_id,
        &old.client_id,
        &[(
            "OLD_CLIENT_SECRET_ARN",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf",
        )],
    );
    let (host, name) = register("secrets-manager-missing", env).await;
    let failed = host
        .invoke_json(&name, &sign_in_event("sid", PASSWORD))
        .await;
    assert_eq!(failed.error_type(), "ConfigurationError");
    assert!(!host.logs(&name).await.contains(&secret));
}

#[tokio::test]
async fn trigger_logs_never_contain_passwords_secrets_or_tokens() {
    let old = old_pool("logscan", &["tenant"], true).await;
    let secret = old.client_secret.clone().expect("client secret");
    create_user(
        &old.client,
        &old.pool_id,
        "lou",
        &[
            ("email", "lou@example.com"),
            ("email_verified", "true"),
            ("custom:tenant", "acme"),
        ],
        Some(PASSWORD),
    )
    .await;
    create_user(
        &old.client,
        &old.pool_id,
        "tess",
        &[("email", "tess@example.com"), ("email_verified", "true")],
        None,
    )
    .await;
    let (host, name) = old.function("logscan", &[("LOG_LEVEL", "debug")]).await;

    // A password typed into the user-name field must not be logged either.
    let typed_password_as_name = "Typed-As-Name-Passw0rd!";
    let mut wrong_type = sign_in_event("lou", PASSWORD);
    wrong_type["request"]["password"] = json!({"value": "Nested-Passw0rd!"});
    let events = [
        sign_in_event("lou", PASSWORD),
        sign_in_event("lou", "Wrong-Passw0rd!"),
        sign_in_event("lou@example.com", PASSWORD),
        sign_in_event("tess", TEMP_PASSWORD),
        sign_in_event(typed_password_as_name, "Another-Passw0rd!"),
        forgot_password_event("lou"),
        wrong_type,
    ];
    for event in &events {
        host.invoke_json(&name, event).await.ok();
    }
    let expected = [
        "migrated-confirmed",
        "wrong-password",
        "migrated-reset-required",
        "migrated-for-reset",
        "malformed-event",
    ];
    let logs = host.logs_holding(&name, &expected).await;
    for forbidden in [
        PASSWORD,
        "Wrong-Passw0rd!",
        TEMP_PASSWORD,
        typed_password_as_name,
        "Another-Passw0rd!",
        "Nested-Passw0rd!",
        secret.as_str(),
        "eyJ",
        "SECRET_HASH",
        "validationData",
    ] {
        assert!(
            !logs.contains(forbidden),
            "the logs contain {forbidden:?}:\n{logs}"
        );
    }
    for expected in expected {
        assert!(logs.contains(expected), "no {expected} line:\n{logs}");
    }
}

#[tokio::test]
async fn trigger_email_as_user_name_old_pool_migrates_by_email() {
    // An old pool that signs in by e-mail (`UsernameAttributes`): its user names are UUIDs.
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let pool_id = client
        .create_user_pool()
        .pool_name("trigger-email-username")
        .username_attributes(aws_sdk_cognitoidentityprovider::types::UsernameAttributeType::Email)
        .send()
        .await
        .expect("CreateUserPool")
        .user_pool
        .and_then(|p| p.id)
        .expect("pool id");
    let (client_id, _) = create_app_client(&client, &pool_id, false).await;
    create_user(
        &client,
        &pool_id,
        "eve@example.com",
        &[("email", "eve@example.com"), ("email_verified", "true")],
        Some(PASSWORD),
    )
    .await;
    let old = OldPool {
        testbed,
        client,
        pool_id,
        client_id,
        client_secret: None,
    };
    let uuid = old
        .client
        .admin_get_user()
        .user_pool_id(&old.pool_id)
        .username("eve@example.com")
        .send()
        .await
        .expect("AdminGetUser by e-mail")
        .username
        .clone();
    assert_ne!(uuid, "eve@example.com", "the old user name is generated");

    // New pool with user names and an e-mail alias: the typed e-mail is an alias value, so AWS
    // allows the old user name in the answer.
    let (host, name) = old.function("email-username", &[]).await;
    let answer = host
        .invoke_json(&name, &sign_in_event("eve@example.com", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
    assert_eq!(attributes(&answer)["username"], uuid.as_str());
    assert_eq!(attributes(&answer)["email"], "eve@example.com");
    let event = sign_in_event("eve@example.com", "Wrong-Passw0rd!");
    assert_unchanged(&host.invoke_json(&name, &event).await.ok(), &event);

    // New pool that signs in by e-mail too: Cognito generates the user name, none is answered.
    let (host, name) = old
        .function("email-username-new", &[("RETURN_OLD_USERNAME", "false")])
        .await;
    let answer = host
        .invoke_json(&name, &sign_in_event("eve@example.com", PASSWORD))
        .await
        .ok();
    assert_eq!(answer["response"]["finalUserStatus"], "CONFIRMED");
    assert!(!attributes(&answer).contains_key("username"));
}
