//! `cognito-migrate plan` against moto: the numbers match what export and the trigger will do.

use integration_tests::cli::{cognito_migrate, describe};
use integration_tests::pools::{PoolSpec, create_pool, create_user};
use integration_tests::testbed::Testbed;

#[tokio::test]
async fn plan_counts_who_moves_how() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = create_pool(&client, &PoolSpec::named("plan-old")).await;
    let new = create_pool(
        &client,
        &PoolSpec::named("plan-new").with_custom(&["legacy_sub"]),
    )
    .await;
    let verified = |email: &'static str| vec![("email", email), ("email_verified", "true")];
    create_user(
        &client,
        &old,
        "confirmed",
        &verified("c@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(&client, &old, "temporary", &verified("t@example.com"), None).await;
    create_user(
        &client,
        &old,
        "stranded",
        &[("email", "s@example.com")],
        Some("Passw0rd!"),
    )
    .await;
    create_user(
        &client,
        &old,
        "off",
        &verified("o@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    client
        .admin_disable_user()
        .user_pool_id(&old)
        .username("off")
        .send()
        .await
        .unwrap();
    create_user(
        &client,
        &old,
        "moved",
        &verified("m@example.com"),
        Some("Passw0rd!"),
    )
    .await;
    create_user(&client, &new, "moved", &verified("m@example.com"), None).await;

    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("plan.json");
    let run = cognito_migrate(&testbed.moto_url)
        .args([
            "plan",
            "--source-pool-id",
            &old,
            "--target-pool-id",
            &new,
            "--json",
        ])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", describe(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("stranded"), "{stdout}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(plan["total"], 5);
    assert_eq!(plan["by_status"]["CONFIRMED"], 4);
    assert_eq!(plan["by_status"]["FORCE_CHANGE_PASSWORD"], 1);
    assert_eq!(plan["disabled"], 1);
    assert_eq!(plan["already_in_target"], 1);
    assert_eq!(plan["importable_now_without_losing_a_password"], 1);
    assert_eq!(
        plan["need_trigger"], 3,
        "confirmed, stranded and off are not in the new pool yet"
    );
    assert_eq!(plan["stranded"], 1);
    assert_eq!(plan["without_verified_contact"], 1);
    assert_eq!(plan["would_be_rejected"]["no-verified-contact"], 1);
}
