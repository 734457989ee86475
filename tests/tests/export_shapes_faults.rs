//! An export into an e-mail pool with sign-in collisions, killed (SIGKILL) at random moments and
//! resumed until done, against moto over HTTP: the files come out exactly as an uninterrupted
//! run's — every colliding user rejected once, naming the others, none left in an import file.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, SchemaAttributeType, UsernameAttributeType, UsernameConfigurationType,
    VerifiedAttributeType,
};
use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{assert_reconciles, import_rows, reason_rows};
use integration_tests::pools::create_user;
use integration_tests::testbed::Testbed;

/// A small deterministic generator for kill delays (the same run every time).
/// Kills before a run is left to finish.
const MAX_KILLS: u32 = 12;

struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

fn sorted_rows(dir: &std::path::Path, header: &[String]) -> BTreeSet<String> {
    import_rows(dir, header)
        .into_iter()
        .map(|row| format!("{row:?}"))
        .collect()
}

#[tokio::test]
async fn a_killed_export_with_collisions_resumes_to_the_same_files() {
    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let old = client
        .create_user_pool()
        .pool_name("shapes-kill-old")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let new = client
        .create_user_pool()
        .pool_name("shapes-kill-new")
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .username_attributes(UsernameAttributeType::Email)
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    client
        .add_custom_attributes()
        .user_pool_id(&new)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("legacy_sub")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // 360 users (six pages); every tenth e-mail is shared (in another case) with a user 180
    // places later, so the first of each pair is written pages before the second arrives.
    for i in 0..360 {
        let email = match i % 10 {
            0 if i < 180 => format!("shared{i}@example.com"),
            0 => format!("SHARED{}@example.com", i - 180),
            _ => format!("user{i}@example.com"),
        };
        create_user(
            &client,
            &old,
            &format!("user{i:03}"),
            &[("email", &email), ("email_verified", "true")],
            None,
        )
        .await;
    }
    let header = client
        .get_csv_header()
        .user_pool_id(&new)
        .send()
        .await
        .unwrap()
        .csv_header
        .unwrap();

    let root = tempfile::tempdir().unwrap();
    let reference = root.path().join("reference");
    let run = export(
        &testbed.moto_url,
        &old,
        &new,
        &reference,
        &["--select", "all", "--rps", "30"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert_reconciles(&reference, &header);
    let reference_rejected: BTreeSet<_> = reason_rows(&reference, "rejected.csv")
        .into_iter()
        .collect();
    assert_eq!(reference_rejected.len(), 36, "18 pairs, both of each");

    let dir = root.path().join("killed");
    let mut delays = Delays(7);
    let mut kills = 0;
    for attempt in 0.. {
        assert!(attempt <= 60, "no end after {attempt} runs");
        let mut command = cognito_migrate(&testbed.moto_url);
        command
            .args(["export", "--source-pool-id", &old, "--target-pool-id", &new])
            .args(["--select", "all", "--rps", "10", "--out"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if attempt > 0 {
            command.arg("--resume");
        }
        let mut child = command.spawn().expect("cognito-migrate runs");
        // Killed at random moments a dozen times, then left to finish: on a loaded machine one
        // run may never fit inside the longest delay.
        let deadline = (kills < MAX_KILLS)
            .then(|| Instant::now() + Duration::from_millis(50 + delays.next_ms(1000)));
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break None;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        match finished {
            Some(status) => {
                assert_eq!(status.code(), Some(1), "run {attempt} after {kills} kills");
                break;
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                kills += 1;
            }
        }
    }
    println!("killed {kills} times before a run finished");
    assert!(kills >= 3, "only {kills} kills");
    assert_reconciles(&dir, &header);
    assert_eq!(sorted_rows(&dir, &header), sorted_rows(&reference, &header));
    let rejected: BTreeSet<_> = reason_rows(&dir, "rejected.csv").into_iter().collect();
    assert_eq!(rejected, reference_rejected);
}
