//! `cognito-migrate export` against the synthetic pool (`tests/bench/synthetic_pool.py`): a
//! pagination token refused in AWS's own words ("Paging marker … is invalid for request …", an
//! `InvalidParameterException`) sends its shard back to be read as 16 narrower parts from their
//! first pages, and the shard's ledger keeps every user in exactly one output, whether the
//! refusal meets a `--resume` or a running scan, and even when no token lives as long as a shard's scan;
//! the sweep's index of the new pool splits its refused shards the same way. An export beside
//! another client of the account's quota, or through throttling at random, still writes every
//! user once.
//!
//! The server is its own; these tests need no test bed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::assert_reconciles;
use integration_tests::synthetic_pool::{NEW_POOL, OLD_POOL, SyntheticPool};
use integration_tests::testbed::client_for;

const USERS: usize = 3000;

async fn header(pool: &SyntheticPool) -> Vec<String> {
    client_for(&pool.url)
        .await
        .get_csv_header()
        .user_pool_id(NEW_POOL)
        .send()
        .await
        .expect("GetCSVHeader")
        .csv_header
        .unwrap_or_default()
}

/// Starts an export of the whole old pool into `dir`; returns once its checkpoint records a
/// token for some shard that is not done, with the export still running.
fn export_until_a_token_is_checkpointed(
    pool: &SyntheticPool,
    dir: &Path,
    extra: &[&str],
) -> std::process::Child {
    let mut child = cognito_migrate(&pool.url)
        .args([
            "export",
            "--source-pool-id",
            OLD_POOL,
            "--target-pool-id",
            NEW_POOL,
        ])
        .args(["--select", "all", "--out"])
        .arg(dir)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cognito-migrate runs");
    let checkpoint = dir.join(".export/checkpoint.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the export ended ({status}) before a token was checkpointed");
        }
        let state: Option<serde_json::Value> = std::fs::read_to_string(&checkpoint)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let mid_scan = state.as_ref().is_some_and(|c| {
            c["shards"].as_array().is_some_and(|shards| {
                shards
                    .iter()
                    .any(|s| s["next_token"].is_string() && s["done"] == false)
            })
        });
        if mid_scan {
            return child;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    panic!("no token checkpointed within 60 s");
}

fn assert_every_user_once(dir: &Path, header: &[String]) {
    let (exported, rejected, skipped) = assert_reconciles(dir, header);
    assert_eq!(exported.len() + rejected.len() + skipped.len(), USERS);
}

#[tokio::test]
async fn a_token_refused_on_resume_restarts_its_shard_without_duplicates() {
    let pool = SyntheticPool::start(&["--old-users", &USERS.to_string()]);
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let mut child =
        export_until_a_token_is_checkpointed(&pool, &dir, &["--rps", "10", "--segments", "4"]);
    child.kill().unwrap();
    child.wait().unwrap();
    // Every token the checkpoint holds is now stale, as after a pause longer than their life.
    pool.refuse_tokens();

    let run = export(
        &pool.url,
        OLD_POOL,
        NEW_POOL,
        &dir,
        &[
            "--select",
            "all",
            "--resume",
            "--rps",
            "30",
            "--segments",
            "4",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert!(
        pool.stats()["refused_tokens"].as_u64().unwrap() >= 1,
        "{}",
        pool.stats()
    );
    assert_every_user_once(&dir, &header);
}

#[tokio::test]
async fn tokens_refused_mid_run_restart_their_shards_without_duplicates() {
    let pool = SyntheticPool::start(&["--old-users", &USERS.to_string()]);
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let child =
        export_until_a_token_is_checkpointed(&pool, &dir, &["--rps", "10", "--segments", "4"]);
    pool.refuse_tokens();
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    assert!(
        pool.stats()["refused_tokens"].as_u64().unwrap() >= 1,
        "{}",
        pool.stats()
    );
    assert_every_user_once(&dir, &header);
}

#[tokio::test]
async fn sub_prefixes_partition_the_synthetic_pool() {
    let pool = SyntheticPool::start(&["--old-users", "1000"]);
    let client = client_for(&pool.url).await;
    let page = client
        .list_users()
        .user_pool_id(OLD_POOL)
        .filter("sub ^= \"a\"")
        .limit(60)
        .send()
        .await
        .expect("ListUsers");
    let subs: Vec<String> = page
        .users()
        .iter()
        .flat_map(|u| u.attributes())
        .filter(|a| a.name() == "sub")
        .filter_map(|a| a.value().map(str::to_string))
        .collect();
    assert_eq!(subs.len(), 60);
    assert!(subs.iter().all(|s| s.starts_with('a')), "{subs:?}");
}

/// Tokens that live shorter than the pause between two pages of a shard (16 shards sharing
/// 20 requests/s: 0.8 s between a shard's pages; tokens honoured 0.5 s) refuse every second page.
/// Restarting a shard from its first page would meet the same refusal for ever (and stop after
/// three); each refused shard is read as 16 narrower parts instead, until every part fits in
/// pages that outrun the tokens' life.
#[tokio::test]
async fn tokens_living_shorter_than_a_shard_scan_split_the_shard_until_it_finishes() {
    let pool = SyntheticPool::start(&["--old-users", &USERS.to_string(), "--token-ttl", "0.5"]);
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let args = ["--select", "all", "--rps", "20", "--segments", "16"];
    let run = export(&pool.url, OLD_POOL, NEW_POOL, &dir, &args);
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let refused = pool.stats()["refused_tokens"].as_u64().unwrap();
    assert!(
        refused >= 16,
        "every shard's second page is refused: {refused}"
    );
    let checkpoint: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(".export/checkpoint.json")).unwrap(),
    )
    .unwrap();
    let shards = checkpoint["shards"].as_array().unwrap();
    assert!(
        shards.len() > 16,
        "refused shards were split: {}",
        shards.len()
    );
    assert!(shards.iter().all(|s| s["done"] == true));
    assert_every_user_once(&dir, &header);
}

/// Users in the new pool already: all but the last 300 of the old pool's.
const IMPORTED: usize = USERS - 300;

/// The old pool, the first [`IMPORTED`] of its users in the new pool, and tokens honoured
/// 0.5 s (shorter than the pause between two pages of a shard at 20 requests/s).
fn pool_with_short_lived_tokens() -> SyntheticPool {
    let (old, new) = (USERS.to_string(), IMPORTED.to_string());
    let options = [
        "--old-users",
        &old,
        "--new-users",
        &new,
        "--token-ttl",
        "0.5",
    ];
    SyntheticPool::start(&options)
}

/// The same short-lived tokens meet the sweep's first step, the index of the users the new pool
/// already has (`--select not-in-target`): each refused shard of that scan is read as 16
/// narrower parts too, so the index completes instead of restarting a shard until it gives up.
#[tokio::test]
async fn tokens_living_shorter_than_a_shard_scan_split_the_new_pools_index_too() {
    let pool = pool_with_short_lived_tokens();
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let args = [
        "--select",
        "not-in-target",
        "--rps",
        "20",
        "--segments",
        "16",
    ];
    let run = export(&pool.url, OLD_POOL, NEW_POOL, &dir, &args);
    assert!(
        run.status.code().is_some_and(|c| c <= 1),
        "{}",
        describe(&run)
    );
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join(".export/target-index")
                .join(NEW_POOL)
                .join("state.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let shards = index["shards"].as_array().unwrap();
    assert!(index["complete"] == true, "{index}");
    assert!(
        shards.len() > 16,
        "refused shards were split: {}",
        shards.len()
    );
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(
        exported.len() + rejected.len(),
        USERS - IMPORTED,
        "only the users not imported"
    );
    assert_eq!(skipped.len(), IMPORTED);
}

/// The read-only reports page the same way: `plan`'s scans of both pools meet tokens that live
/// shorter than a shard's scan, split the refused shards, and count every old user exactly once
/// (the users a refused shard had read are not counted again when its parts read them).
#[tokio::test]
async fn tokens_living_shorter_than_a_shard_scan_leave_plan_s_counts_exact() {
    let pool = pool_with_short_lived_tokens();
    let run = cognito_migrate(&pool.url)
        .args([
            "plan",
            "--source-pool-id",
            OLD_POOL,
            "--target-pool-id",
            NEW_POOL,
        ])
        .args(["--rps", "20", "--segments", "16", "--json", "-"])
        .output()
        .expect("cognito-migrate runs");
    assert!(run.status.success(), "{}", describe(&run));
    let refused = pool.stats()["refused_tokens"].as_u64().unwrap();
    assert!(refused >= 16, "tokens were refused: {refused}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("16 narrower parts"),
        "the split is told: {stderr}"
    );
    assert!(
        !stderr.contains('\x1b'),
        "no colour codes in a log file: {stderr}"
    );
    let plan: serde_json::Value = serde_json::from_slice(&run.stdout).expect("plan's JSON");
    assert_eq!(plan["total"], USERS, "{plan}");
    assert_eq!(plan["already_in_target"], IMPORTED, "{plan}");
}

#[tokio::test]
async fn an_export_beside_another_client_of_the_accounts_quota_is_throttled_and_reconciles() {
    // The account allows 30 requests/s; another client spends 20 of them the whole time.
    let pool = SyntheticPool::start(&[
        "--old-users",
        &USERS.to_string(),
        "--quota",
        "30",
        "--other-rps",
        "20",
    ]);
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = export_all_at_the_quota(&pool, out.path());
    let stats = pool.stats();
    // The quota counts both clients: going at its --rps, the export met it.
    assert!(stats["throttled"].as_u64().unwrap() >= 1, "{stats}");
    assert!(stats["other_requests"].as_u64().unwrap() >= 20, "{stats}");
    assert_every_user_once(&dir, &header);
}

#[tokio::test]
async fn an_export_through_throttling_at_random_reconciles() {
    // A fifth of the answers throttled whatever the rate: nine attempts all throttled are rare
    // enough (one request in two million) for the export to finish.
    let pool =
        SyntheticPool::start(&["--old-users", &USERS.to_string(), "--throttle-share", "0.2"]);
    let header = header(&pool).await;
    let out = tempfile::tempdir().unwrap();
    let dir = export_all_at_the_quota(&pool, out.path());
    let stats = pool.stats();
    let (throttled, requests) = (
        stats["throttled"].as_u64().unwrap(),
        stats["requests"].as_u64().unwrap(),
    );
    assert!(throttled >= 1 && throttled < requests / 2, "{stats}");
    assert_every_user_once(&dir, &header);
}

/// Exports every user of `pool` at the account's 30 requests/s with 4 segments into a folder in
/// `out`, and returns it; the export ends with exit status 1 (some generated users are rejected
/// by design).
fn export_all_at_the_quota(pool: &SyntheticPool, out: &Path) -> PathBuf {
    let dir = out.join("e");
    let run = export(
        &pool.url,
        OLD_POOL,
        NEW_POOL,
        &dir,
        &["--select", "all", "--rps", "30", "--segments", "4"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    dir
}
