#!/usr/bin/env python3
"""Benchmark of `cognito-migrate export` (run by scripts/bench-export; figures, not a test).

Serves the test bed's emulator from this process (moto with the project's extension and its rules
installed, as tests/emulator/moto_ext.py serves it to the tests: ListUsers' limits included),
seeds pools straight into moto's backend (the HTTP API seeds ~160 users/s), puts
tests/faults/fault_proxy.py with a fixed added latency between the tool and moto, and measures in
one run:
  (a) users/s of a sequential single-request pager (the baseline) and of export at --segments 1
      and 16, against the goal of 90 % of rps x 60;
  (b) the request rate achieved for two --rps settings, and the largest count in any 1-s window;
  (c) peak RSS of export at two pool sizes (flat = streaming).
Prints a table and writes target/bench/export.json.
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "emulator"))

import moto_ext  # noqa: E402  (needs the test bed's venv)
from moto.cognitoidp.models import cognitoidp_backends  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

ACCOUNT, REGION = "123456789012", "us-east-1"
AWS_ENV = {
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def serve_moto():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access line per request
    moto_ext.install_hooks()  # the same rules as the emulator the tests run against
    app = moto_ext.TestbedMiddleware(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def backend():
    return cognitoidp_backends[ACCOUNT][REGION]


def make_pool(name, custom=(), auto_verified=("email",)):
    pool = backend().create_user_pool(name, {"AutoVerifiedAttributes": list(auto_verified)})
    if custom:
        pool.add_custom_attributes(
            [{"Name": c, "AttributeDataType": "String", "Mutable": True} for c in custom]
        )
    return pool.id


def seed(pool_id, count, prefix):
    started = time.monotonic()
    for i in range(count):
        name = f"{prefix}{i:07d}"
        backend().admin_create_user(
            pool_id,
            name,
            "SUPPRESS",
            "Temp-Passw0rd!",
            [
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": f"User {i}, the {i % 7}th"},
                {"Name": "custom:tenant", "Value": f"t{i % 3}"},
            ],
        )
    return time.monotonic() - started


def start_proxy(upstream, latency_ms):
    proxy = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "faults" / "fault_proxy.py"), "--upstream", upstream,
         "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE, text=True,
    )
    line = proxy.stdout.readline().strip()
    return proxy, line.rsplit(" ", 1)[-1]


def proxy_call(url, path, method="GET", body=None):
    request = urllib.request.Request(url + path, method=method, data=body)
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read() or b"{}")


def run_json(command, env):
    """Runs a command that prints one JSON object; returns it."""
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout)


def peak_rss_mib(command, env):
    """Runs a command and samples its VmHWM (peak RSS) from /proc until it exits."""
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    out, err = process.communicate()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{err}")
    return peak / 1024, out


def export(binary, endpoint, source, target, rps, segments):
    out = tempfile.mkdtemp(prefix="bench-export-")
    command = [binary, "--endpoint-url", endpoint, "export", "--source-pool-id", source,
               "--target-pool-id", target, "--select", "all", "--out", out, "--rps", str(rps),
               "--segments", str(segments)]
    started = time.monotonic()
    peak, _ = peak_rss_mib(command, AWS_ENV)
    seconds = time.monotonic() - started
    summary = json.loads(Path(out, "summary.json").read_text())
    return {"seconds": seconds, "peak_rss_mib": peak, "seen": summary["seen"],
            "users_per_second": summary["seen"] / seconds, "requests": summary["requests"]["requests"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--small-users", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--rps", type=int, default=20)
    parser.add_argument("--rate-settings", default="5,15")
    parser.add_argument("--release-dir", default=str(ROOT / "target" / "release"))
    args = parser.parse_args()
    binary = str(Path(args.release_dir) / "cognito-migrate")
    pager = str(Path(args.release_dir) / "examples" / "sequential_pager")

    moto_url = serve_moto()
    target = make_pool("bench-new", custom=("tenant", "legacy_sub"))
    big = make_pool("bench-old-big", custom=("tenant",))
    small = make_pool("bench-old-small", custom=("tenant",))
    seed_seconds = seed(big, args.users, "u") + seed(small, args.small_users, "s")
    print(f"seeded {args.users} + {args.small_users} users in {seed_seconds:.1f} s", flush=True)

    proxy, proxy_url = start_proxy(moto_url, args.latency_ms)
    results = {"users": args.users, "latency_ms": args.latency_ms, "rps": args.rps}
    try:
        goal = args.rps * 60
        env = {**AWS_ENV, "AWS_ENDPOINT_URL": proxy_url}
        baseline = run_json([pager, big], env)
        results["baseline_sequential"] = {**baseline, "users_per_second": baseline["users"] / baseline["seconds"]}
        for segments in (1, 16):
            results[f"export_segments_{segments}"] = export(binary, proxy_url, big, target, args.rps, segments)

        results["rate"] = []
        for rps in [int(r) for r in args.rate_settings.split(",")]:
            proxy_call(proxy_url, "/_proxy/reset", "POST")
            run = export(binary, proxy_url, small, target, rps, 16)
            stats = proxy_call(proxy_url, "/_proxy/stats")["by_operation"]["ListUsers"]
            span = stats["last"] - stats["first"]
            achieved = (stats["requests"] - 1) / span if span > 0 else 0
            results["rate"].append({"rps": rps, "requests": stats["requests"], "achieved_rps": achieved,
                                    "max_in_any_1s_window": stats["max_per_second"], "seconds": run["seconds"]})

        results["rss"] = {
            "small": {"users": args.small_users, **export(binary, moto_url, small, target, 30, 16)},
            "big": {"users": args.users, **export(binary, moto_url, big, target, 30, 16)},
        }
    finally:
        proxy.terminate()

    print(f"\nexport benchmark: {args.users} users, +{args.latency_ms:.0f} ms per request, --rps {args.rps} "
          f"(goal {goal} users/s, 90 % = {0.9 * goal:.0f})")
    base = results["baseline_sequential"]
    print(f"  sequential pager (baseline) {base['users_per_second']:8.0f} users/s  {base['seconds']:6.1f} s")
    for segments in (1, 16):
        r = results[f"export_segments_{segments}"]
        print(f"  export --segments {segments:<2}         {r['users_per_second']:8.0f} users/s  {r['seconds']:6.1f} s"
              f"  ({100 * r['users_per_second'] / goal:.0f} % of goal)")
    for r in results["rate"]:
        print(f"  --rps {r['rps']:<3} achieved {r['achieved_rps']:5.2f} req/s, max {r['max_in_any_1s_window']} in any 1 s window")
    for key in ("small", "big"):
        r = results["rss"][key]
        print(f"  peak RSS at {r['users']:>6} users: {r['peak_rss_mib']:6.1f} MiB")
    out = ROOT / "target" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "export.json").write_text(json.dumps(results, indent=2))
    print(f"  (written to {out / 'export.json'})")


if __name__ == "__main__":
    main()
