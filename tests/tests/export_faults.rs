//! `cognito-migrate export` behind the fault proxy (`tests/faults/fault_proxy.py`): throttling and
//! 5xx answers, dropped connections, a stalled request, and SIGKILL at random points followed by
//! `--resume`. Each test has its own pools and its own proxy, and asserts the reconciliation
//! invariant (every user in exactly one output file) on what the export wrote.
//!
//! Figures (faults injected, kill points, the largest request count in any 1-second window) are
//! printed with `--nocapture`.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use integration_tests::cli::{cognito_migrate, describe, export};
use integration_tests::export_files::{assert_reconciles, import_rows};
use integration_tests::import_support::FaultProxy;
use integration_tests::pools::{MigrationPools, create_user};
use serde_json::Value;

/// An old pool with `count` users (every tenth without a verified email, so rejected) and a new
/// pool to export for, both fresh for the test.
async fn seeded_pools(name: &str, count: usize) -> MigrationPools {
    let pools = MigrationPools::create(name).await;
    let (client, old) = (&pools.client, &pools.old);
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let (client, pool, name) = (client.clone(), old.clone(), name.to_string());
            tokio::spawn(async move {
                for i in (worker..count).step_by(8) {
                    let username = format!("{name}{i:04}");
                    let email = format!("{username}@example.com");
                    let verified = if i % 10 == 0 { "false" } else { "true" };
                    let attributes = [("email", email.as_str()), ("email_verified", verified)];
                    create_user(&client, &pool, &username, &attributes, None).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("seeding task");
    }
    pools
}

/// `cognito-migrate export` of `pools` through `endpoint` into `out`, started but not waited for.
fn spawn_export(pools: &MigrationPools, endpoint: &str, out: &Path, extra: &[&str]) -> Child {
    cognito_migrate(endpoint)
        .args([
            "export",
            "--source-pool-id",
            &pools.old,
            "--target-pool-id",
            &pools.new,
            "--select",
            "all",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cognito-migrate starts")
}

/// `(requests, max_per_second)` the proxy saw for one operation.
fn operation_stats(stats: &Value, operation: &str) -> (u64, u64) {
    let op = &stats["by_operation"][operation];
    (
        op["requests"].as_u64().unwrap_or(0),
        op["max_per_second"].as_u64().unwrap_or(0),
    )
}

/// Every row of the import files, as sorted debug strings: equal lists mean the same rows, none
/// lost and none duplicated.
fn sorted_rows(dir: &Path, header: &[String]) -> Vec<String> {
    let mut rows: Vec<String> = import_rows(dir, header)
        .into_iter()
        .map(|row| format!("{row:?}"))
        .collect();
    rows.sort();
    rows
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// Waits for `child` at most `limit`; kills it and fails the test when it takes longer.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait for export") {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("export still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn export_through_throttling_and_server_errors_reconciles_within_the_rate() {
    let p = seeded_pools("fthrottle", 300).await;
    let header = p.header().await;
    let proxy = FaultProxy::start(&p.endpoint);
    // With seed 29 the first five requests (start-up, sent one at a time) draw: ok, 5xx,
    // throttled, ok, 5xx; so both faults occur whatever order the parallel scan's requests take.
    proxy.configure(r#"{"throttle_share": 0.3, "error_share": 0.05, "seed": 29}"#);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let rps = 10;
    let run = export(
        &proxy.url,
        &p.old,
        &p.new,
        &dir,
        &[
            "--select",
            "all",
            "--rps",
            &rps.to_string(),
            "--segments",
            "4",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(
        (exported.len(), rejected.len(), skipped.len()),
        (270, 30, 0)
    );

    let stats = proxy.stats();
    let (throttled, errors) = (stats["throttled"].as_u64(), stats["errors"].as_u64());
    let (list_users, max_per_second) = operation_stats(&stats, "ListUsers");
    println!(
        "throttle 30 % + 5xx 5 %: {} requests, {throttled:?} throttled, {errors:?} 5xx; \
         ListUsers {list_users} requests, at most {max_per_second} in any 1 s (--rps {rps})",
        stats["requests"]
    );
    assert!(
        throttled > Some(0) && errors > Some(0),
        "faults injected: {stats}"
    );
    assert!(
        max_per_second <= rps,
        "ListUsers reached {max_per_second} requests in one second with --rps {rps}: {stats}"
    );
    let summary = integration_tests::export_files::summary(&dir);
    assert_eq!(
        summary["requests"]["throttled"].as_u64(),
        throttled,
        "every injected throttle was seen by the pacer: {summary}"
    );
}

#[tokio::test]
async fn export_through_dropped_connections_reconciles() {
    let p = seeded_pools("fdrop", 200).await;
    let header = p.header().await;
    let proxy = FaultProxy::start(&p.endpoint);
    proxy.configure(r#"{"drop_share": 0.2, "latency_ms": 20, "seed": 7}"#);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let run = export(
        &proxy.url,
        &p.old,
        &p.new,
        &dir,
        &["--select", "all", "--rps", "20", "--segments", "4"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (exported, rejected, _) = assert_reconciles(&dir, &header);
    assert_eq!((exported.len(), rejected.len()), (180, 20));
    let stats = proxy.stats();
    println!(
        "drop 20 %: {} requests, {} dropped",
        stats["requests"], stats["dropped"]
    );
    assert!(stats["dropped"].as_u64() > Some(0), "{stats}");
}

/// The SDK's attempt timeout (30 s, `bulk/src/aws.rs`) is what ends a stalled request, so this
/// test takes a little over 30 s.
#[tokio::test]
async fn a_stalled_request_times_out_and_the_export_completes() {
    let p = seeded_pools("fstall", 100).await;
    let header = p.header().await;
    let proxy = FaultProxy::start(&p.endpoint);
    // Every ListUsers hangs (10 minutes, far beyond any timeout) until the first one has.
    proxy.configure(r#"{"stall_share": 1.0, "stall_seconds": 600, "operations": ["ListUsers"]}"#);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("e");
    let started = Instant::now();
    let mut child = spawn_export(&p, &proxy.url, &dir, &["--rps", "20"]);
    while proxy.stats()["stalled"].as_u64() < Some(1) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no ListUsers arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    proxy.configure(r#"{"stall_share": 0.0}"#);
    let status = wait_at_most(&mut child, Duration::from_secs(120));
    let elapsed = started.elapsed();
    println!("one stalled ListUsers: export finished after {elapsed:.1?}");
    assert_eq!(status.code(), Some(1), "export after a stall");
    assert_eq!(proxy.stats()["stalled"].as_u64(), Some(1));
    assert!(
        elapsed >= Duration::from_secs(30),
        "finished in {elapsed:?}: the stalled request cannot have timed out"
    );
    let (exported, rejected, _) = assert_reconciles(&dir, &header);
    assert_eq!((exported.len(), rejected.len()), (90, 10));
}

/// A small xorshift generator: kill points differ between runs, and a failing seed can be
/// replayed with `KILL_SEED`.
struct KillPoints(u64);

impl KillPoints {
    fn new() -> KillPoints {
        let seed = std::env::var("KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .expect("clock after 1970")
                    .as_nanos() as u64
            })
            | 1;
        println!("KILL_SEED={seed}");
        KillPoints(seed)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

#[tokio::test]
async fn an_export_killed_at_random_points_and_resumed_loses_and_duplicates_nothing() {
    let p = seeded_pools("fkill", 600).await;
    let header = p.header().await;
    let out = tempfile::tempdir().unwrap();

    let reference = out.path().join("reference");
    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &reference,
        &["--select", "all", "--rps", "30", "--segments", "4"],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (ref_exported, ref_rejected, ref_skipped) = assert_reconciles(&reference, &header);

    // The killed runs go through a proxy without faults, to see how far each run got.
    let proxy = FaultProxy::start(&p.endpoint);
    let dir = out.path().join("killed");
    let mut points = KillPoints::new();
    let mut kills = Vec::new();
    let mut seen_before = 0;
    for attempt in 0..40 {
        assert!(attempt < 39, "no progress after {attempt} runs: {kills:?}");
        // Kill after the k-th ListUsers of this run arrived (k = 0: during start-up) plus up to
        // 400 ms, so kill points fall in start-up, mid-request and mid-write alike.
        let after_requests = points.below(4);
        let jitter = Duration::from_millis(points.below(400));
        let mut extra = vec!["--rps", "5", "--segments", "4"];
        if attempt > 0 {
            extra.push("--resume");
        }
        let mut child = spawn_export(&p, &proxy.url, &dir, &extra);
        let started = Instant::now();
        let finished = loop {
            if let Some(status) = child.try_wait().expect("wait for export") {
                break Some(status);
            }
            let (list_users, _) = operation_stats(&proxy.stats(), "ListUsers");
            if list_users - seen_before >= after_requests {
                break None;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "export hangs");
            std::thread::sleep(Duration::from_millis(10));
        };
        if finished.is_none() {
            std::thread::sleep(jitter);
        }
        let finished = finished.or(child.try_wait().expect("wait for export"));
        if let Some(status) = finished {
            let output = child.wait_with_output().expect("export output");
            assert_eq!(
                status.code(),
                Some(1),
                "run {attempt} after {} kills: {}",
                kills.len(),
                describe(&output)
            );
            break;
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let (list_users, _) = operation_stats(&proxy.stats(), "ListUsers");
        kills.push((list_users - seen_before, started.elapsed().as_millis()));
        seen_before = list_users;
        if kills.len() >= 6 {
            break;
        }
    }
    println!(
        "killed {} times at (ListUsers requests of the run, ms): {kills:?}",
        kills.len()
    );
    assert!(kills.len() >= 5, "only {} kills: {kills:?}", kills.len());

    let run = export(
        &p.endpoint,
        &p.old,
        &p.new,
        &dir,
        &[
            "--select",
            "all",
            "--rps",
            "30",
            "--segments",
            "4",
            "--resume",
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", describe(&run));
    let (exported, rejected, skipped) = assert_reconciles(&dir, &header);
    assert_eq!(sorted(exported), sorted(ref_exported), "exported users");
    assert_eq!(sorted(rejected), sorted(ref_rejected), "rejected users");
    assert_eq!(sorted(skipped), sorted(ref_skipped), "skipped users");
    assert_eq!(
        sorted_rows(&dir, &header),
        sorted_rows(&reference, &header),
        "rows"
    );
}
