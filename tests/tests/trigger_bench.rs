//! The trigger's benchmark (issue 3): the Rust trigger and a minimal Node.js handler doing the
//! same two old-pool calls, side by side, behind the same Lambda host and the same moto.
//!
//! Ignored by default; `scripts/bench-trigger` builds what it needs and runs it with
//! `BENCH_RUST_BINARY` (a release build) and `BENCH_NODE_HANDLER` set.
//!
//! Figures per implementation: cold invocation (process start, init and the first answer) as the
//! host measures it; warm invocations (median, p95); the time inside the handler beyond the
//! old-pool calls (from the functions' own `duration_us` and `old_pool_us` log fields); and the
//! peak resident memory of the function process (`VmHWM`).

use std::path::PathBuf;
use std::time::Duration;

use integration_tests::lambda::{Function, LambdaHost, sign_in_event, trigger_env};
use integration_tests::pools::{PoolSpec, create_app_client, create_pool, create_user};
use integration_tests::testbed::Testbed;
use integration_tests::trigger_support::percentile;
use serde_json::Value;

const PASSWORD: &str = "Old-Passw0rd!";

struct Figures {
    name: &'static str,
    cold_ms: f64,
    warm_median_ms: f64,
    warm_p95_ms: f64,
    overhead_median_us: f64,
    overhead_p95_us: f64,
    old_pool_median_us: f64,
    peak_rss_kb: u64,
    init_us: Option<f64>,
}

fn peak_rss_kb(logs: &str) -> u64 {
    let pid = logs
        .lines()
        .find_map(|line| line.strip_prefix("[testbed] instance pid "))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("instance pid in the host's log");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("function process still running");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM")
}

async fn measure(
    name: &'static str,
    binary: PathBuf,
    env: std::collections::BTreeMap<String, String>,
    warm: usize,
) -> Figures {
    let host = LambdaHost::from_env();
    let function = Function {
        name: format!("bench-{name}"),
        env,
        timeout_seconds: 5.0,
    };
    host.register(&function, &binary).await;
    let event = serde_json::to_vec(&sign_in_event("bench", PASSWORD)).unwrap();

    let cold = host.invoke(&function.name, &event).await;
    assert_eq!(
        cold.json()["response"]["finalUserStatus"],
        "CONFIRMED",
        "{name}: {}",
        String::from_utf8_lossy(&cold.body)
    );
    let mut warm_ms = Vec::with_capacity(warm);
    for _ in 0..warm {
        let invocation = host.invoke(&function.name, &event).await;
        assert!(
            invocation.function_error.is_none(),
            "{name}: {}",
            String::from_utf8_lossy(&invocation.body)
        );
        warm_ms.push(invocation.host_duration_ms.expect("host duration"));
    }

    let logs = host.logs(&function.name).await;
    let lines: Vec<Value> = logs
        .lines()
        .filter(|line| line.starts_with('{'))
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line.get("old_pool_us").is_some())
        .collect();
    assert_eq!(
        lines.len(),
        warm + 1,
        "{name}: one timing line per invocation"
    );
    let warm_lines = &lines[1..];
    let mut overhead: Vec<f64> = warm_lines
        .iter()
        .map(|l| l["duration_us"].as_f64().unwrap() - l["old_pool_us"].as_f64().unwrap())
        .collect();
    let mut old_pool: Vec<f64> = warm_lines
        .iter()
        .map(|l| l["old_pool_us"].as_f64().unwrap())
        .collect();
    let peak_rss_kb = peak_rss_kb(&logs);
    let init_us = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|line| line["init_us"].as_f64());
    Figures {
        name,
        cold_ms: cold.host_duration_ms.expect("host duration"),
        warm_median_ms: percentile(&mut warm_ms, 0.5),
        warm_p95_ms: percentile(&mut warm_ms, 0.95),
        overhead_median_us: percentile(&mut overhead, 0.5),
        overhead_p95_us: percentile(&mut overhead, 0.95),
        old_pool_median_us: percentile(&mut old_pool, 0.5),
        peak_rss_kb,
        init_us,
    }
}

#[tokio::test]
#[ignore = "benchmark: run by scripts/bench-trigger"]
async fn trigger_bench_rust_vs_node() {
    let rust = PathBuf::from(std::env::var("BENCH_RUST_BINARY").expect("BENCH_RUST_BINARY"));
    let node = PathBuf::from(std::env::var("BENCH_NODE_HANDLER").expect("BENCH_NODE_HANDLER"));
    let warm: usize = std::env::var("BENCH_INVOCATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);

    let testbed = Testbed::from_env();
    let client = testbed.moto_client().await;
    let pool = create_pool(&client, &PoolSpec::named("trigger-bench")).await;
    let (client_id, _) = create_app_client(&client, &pool, false).await;
    create_user(
        &client,
        &pool,
        "bench",
        &[
            ("email", "bench@example.com"),
            ("email_verified", "true"),
            ("name", "Bench"),
        ],
        Some(PASSWORD),
    )
    .await;
    let env = trigger_env(&testbed, &pool, &client_id, &[]);

    let mut results = Vec::new();
    for (name, binary) in [("rust", rust), ("node", node)] {
        results.push(measure(name, binary, env.clone(), warm).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("\n{warm} warm invocations each (same host, same moto, same user)\n");
    println!(
        "| handler | cold invocation ms | cold start (cold − warm median) ms | warm median ms | warm p95 ms | in-handler beyond old-pool calls, median µs | p95 µs | old-pool calls median µs | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for f in &results {
        println!(
            "| {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.0} | {:.0} | {:.1} |",
            f.name,
            f.cold_ms,
            f.cold_ms - f.warm_median_ms,
            f.warm_median_ms,
            f.warm_p95_ms,
            f.overhead_median_us,
            f.overhead_p95_us,
            f.old_pool_median_us,
            f.peak_rss_kb as f64 / 1024.0
        );
    }
    for f in &results {
        if let Some(init_us) = f.init_us {
            println!(
                "| {}: init inside the process (main to ready) {:.1} ms |",
                f.name,
                init_us / 1000.0
            );
        }
    }
}
