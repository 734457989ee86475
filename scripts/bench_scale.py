#!/usr/bin/env python3
"""Benchmark of every command at scale (run by scripts/bench-scale; figures, not a test).

Each command runs against its own tests/bench/synthetic_pool.py (an old and a new pool of
generated users, every page answered in constant time, a fixed added latency), so what is
measured is the tool: wall time, users/s, the request rate the server saw (mean, and the most in
any 1-second window) and peak RSS (VmHWM, sampled from /proc). Commands may run side by side
(`--parallel`): each has its own server and the rate is per process, as it would be per account.
`export-shared-quota` and `export-random-throttle` measure the pacer against a quota shared with
another client and against throttling at random (a second table); `export-mfa` and
`export-mfa-120` an export that looks every user's MFA up at --mfa-rps 20 and 120 (a third).

Prints one table and writes target/bench/scale.json.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = "us-east-1_SynthOld", "us-east-1_SynthNew"
AWS_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}
# Per command: (users already in the new pool as a share of the old, its arguments[, options of
# the synthetic pool]).
PAIR = ["--source-pool-id", OLD, "--target-pool-id", NEW]
# An old pool whose MFA is OPTIONAL, without groups (ListUsers requests are then the user pages),
# enforcing the account's UserRead quota.
MFA_POOL = ["--groups", "0", "--old-mfa", "OPTIONAL", "--user-read-quota", "120"]
COMMANDS = {
    "export-all": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate]),
    # The same old pool without groups: what the user pages alone reach (memberships are pages of
    # the same UserList quota, so a pool with groups has fewer users per request).
    "export-all-no-groups": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate],
                             ["--groups", "0"]),
    "export-passwordless": (0, lambda rate, out: ["export", *PAIR, "--select", "passwordless", "--out", out, *rate]),
    "export-not-in-target": (1, lambda rate, out: ["export", *PAIR, "--select", "not-in-target", "--out", out, *rate]),
    "plan": (1, lambda rate, out: ["plan", *PAIR, *rate]),
    "verify": (1, lambda rate, out: ["verify", *PAIR, *rate]),
    # Killed at a random point, every pagination token refused, then --resume: see export_resumed.
    "export-resume": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate]),
    # groups --sync pages several groups at once: it has --rps but no --segments.
    "groups-sync": (1, lambda rate, out: ["groups", "--sync", *PAIR, "--dir", out, *rate[:2]]),
    # Every old user migrated with its legacy id: the old pool is read, then the new pool, and the
    # map is written sorted; every user must be mapped.
    "id-map": (1, lambda rate, out: ["id-map", *PAIR, "--out", out + "/map.csv", *rate]),
    # Every old user's name has capitals: the largest case index a pool of this size can need.
    "case-index": (0, lambda rate, out: ["case-index", *PAIR, "--out", out + "/case.idx", *rate],
                   ["--capitalised-old"]),
    # The account's ListUsers quota (30/s) shared with another client at 10/s for the first
    # OTHER_FOR seconds: the pacer should take the free 20/s, then climb back once it is alone.
    "export-shared-quota": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate],
                            ["--quota", "30", "--other-rps", "10", "--other-for", "60"]),
    # 10 % of answers throttled at random, whatever the rate: slowing down would not help.
    "export-random-throttle": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate],
                               ["--throttle-share", "0.1"]),
    # The old pool's MFA OPTIONAL: every user looked up (AdminGetUser, UserRead quota 120/s) beside
    # the scan, at the default --mfa-rps and at the whole UserRead quota (a third table).
    "export-mfa": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate,
                                         "--mfa-rps", "20"], MFA_POOL),
    "export-mfa-120": (0, lambda rate, out: ["export", *PAIR, "--select", "all", "--out", out, *rate,
                                             "--mfa-rps", "120"], MFA_POOL),
}
# When the other consumer of export-shared-quota stops (seconds after the server starts), and the
# seconds of its start left out of the shared figures (the pacer's first second at full rate).
OTHER_FOR, SETTLING = 60, 5


def start_pool(old_users, new_users, latency_ms, options=()):
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "bench" / "synthetic_pool.py"), "--old-users", str(old_users),
         "--new-users", str(new_users), "--latency-ms", str(latency_ms), *options],
        stdout=subprocess.PIPE, text=True,
    )
    return server, server.stdout.readline().strip().rsplit(" ", 1)[-1]


def pool_stats(url):
    with urllib.request.urlopen(url + "/_pool/stats") as answer:
        return json.loads(answer.read())


def run_measured(command):
    """Runs a command, sampling its VmHWM (peak RSS) from /proc until it exits."""
    process = subprocess.Popen(command, env={**os.environ, **AWS_ENV}, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    output = {}
    readers = [threading.Thread(target=lambda s=s, k=k: output.__setitem__(k, s.read()))
               for k, s in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    peak, status = 0, Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    for reader in readers:
        reader.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command[:3])} failed ({process.returncode}):\n{output.get('err', '')[-3000:]}")
    return peak / 1024


def refuse_tokens(url):
    urllib.request.urlopen(urllib.request.Request(url + "/_pool/refuse-tokens", method="POST", data=b""))


def split_csv_line(line):
    """The first fields of a line of Cognito's import dialect (a comma inside a value is `\\,`)."""
    return re.split(r"(?<!\\),", line.rstrip("\n"))


def usernames_written(out):
    """Every user name in the export's output files, once per row."""
    names = []
    for path in sorted(Path(out).glob("users-*.csv")) + [Path(out, "disabled.csv")]:
        with path.open(encoding="utf-8") as rows:
            column = split_csv_line(next(rows)).index("cognito:username")
            names.extend(split_csv_line(row)[column] for row in rows)
    for name in ("rejected.csv", "skipped.csv"):
        with Path(out, name).open(encoding="utf-8") as rows:
            next(rows)
            names.extend(row.split(",", 1)[0] for row in rows)
    return names


def export_resumed(command, url, users, rps):
    """Runs an export, kills it at a random point of its expected time, refuses every token it
    holds (as if they had expired), resumes it; checks that every user is written exactly once.
    Returns the resumed run's peak RSS."""
    first = subprocess.Popen(command, env={**os.environ, **AWS_ENV}, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    checkpoint = Path(command[command.index("--out") + 1], ".export", "checkpoint.json")
    while first.poll() is None and not (checkpoint.exists() and '"next_token": "' in checkpoint.read_text()):
        time.sleep(0.05)
    time.sleep(random.uniform(0, 0.7) * users / (rps * 60))
    first.kill()
    first.wait()
    refuse_tokens(url)
    peak = run_measured(command + ["--resume"])
    names = usernames_written(command[command.index("--out") + 1])
    lost, duplicated = users - len(set(names)), len(names) - len(set(names))
    print(f"export-resume: {users:,} users, {lost} lost, {duplicated} duplicated", file=sys.stderr, flush=True)
    return peak, lost, duplicated


def measure(binary, name, users, args):
    new_share, build, *options = COMMANDS[name]
    server, url = start_pool(users, users * new_share, args.latency_ms, *options)
    out = tempfile.mkdtemp(prefix=f"bench-scale-{name}-")
    try:
        rate = ["--rps", str(args.rps), "--segments", str(args.segments)]
        command = [binary, "--endpoint-url", url, *build(rate, out)]
        started = time.monotonic()
        checked = {}
        if name == "export-resume":
            peak, checked["lost"], checked["duplicated"] = export_resumed(command, url, users, args.rps)
        else:
            peak = run_measured(command)
        seconds = time.monotonic() - started
        if name == "id-map":
            with open(Path(out, "map.csv"), encoding="utf-8") as rows:
                checked["mapped"] = sum(1 for _ in rows) - 1
        stats = pool_stats(url)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(out, ignore_errors=True)
    if name == "export-shared-quota":
        checked.update(shared_quota_figures(stats, args.rps))
    if "--mfa-rps" in command:
        checked.update(look_up_figures(stats, users, int(command[command.index("--mfa-rps") + 1]), args.rps))
    row = {
        "command": name, "users": users, "seconds": seconds, "users_per_second": users / seconds,
        "requests": stats["requests"], "throttled": stats["throttled"], "mean_rate": stats["mean_rate"],
        "max_in_any_second": stats["max_in_any_second"], "peak_rss_mib": peak,
        "ideal_seconds": stats["requests"] / args.rps, "refused_tokens": stats["refused_tokens"], **checked,
    }
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def shared_quota_figures(stats, rps):
    """While the other consumer ran (after the first SETTLING seconds): our requests/s and the
    share of them throttled; after it stopped: the seconds until a 5-second window of ours
    averaged 95 % of --rps (None: never, before the run ended)."""
    sent, throttled = stats["per_second"], stats["throttled_per_second"]
    shared = sent[SETTLING:OTHER_FOR]
    refused = sum(throttled[SETTLING:OTHER_FOR])
    recovered = next((end - OTHER_FOR for end in range(OTHER_FOR + 5, len(sent) + 1)
                      if sum(sent[end - 5:end]) >= 0.95 * rps * 5), None)
    return {
        "shared_rate": sum(shared) / max(len(shared), 1),
        "shared_throttled": refused / max(sum(shared), 1),
        "recovered_after": recovered,
        "other_requests": stats["other_requests"], "other_throttled": stats["other_throttled"],
    }


def look_up_figures(stats, users, mfa_rps, rps):
    """An export with MFA look-ups: their count and rate, ListUsers' rate, and the time the longer
    of the two would take alone at their paces (the look-ups at --mfa-rps, the pages at --rps)."""
    lookups = stats["by_operation"].get("AdminGetUser", 0)
    pages = stats["by_operation"].get("ListUsers", 0)
    return {
        "mfa_rps": mfa_rps, "lookups": lookups, "list_requests": pages,
        "lookup_rate": stats["operation_rate"].get("AdminGetUser", 0.0),
        "list_rate": stats["operation_rate"].get("ListUsers", 0.0),
        "lookup_ideal_seconds": max(users / mfa_rps, pages / rps),
    }


def look_up_table(rows, rps):
    """The exports that look every user's MFA up."""
    lines = [
        "| command | users | --mfa-rps | wall | look-ups | look-ups/s (% of --mfa-rps) | ListUsers req/s "
        "(% of --rps) | max(users/mfa-rps, pages/rps) | wall ÷ that | throttled |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "mfa_rps" not in r:
            continue
        lines.append(
            f"| {r['command']} | {r['users']:,} | {r['mfa_rps']} | {r['seconds']:.0f} s | {r['lookups']:,} | "
            f"{r['lookup_rate']:.2f} ({100 * r['lookup_rate'] / r['mfa_rps']:.1f} %) | "
            f"{r['list_rate']:.2f} ({100 * r['list_rate'] / rps:.1f} %) | {r['lookup_ideal_seconds']:.0f} s | "
            f"{r['seconds'] / r['lookup_ideal_seconds']:.3f} | {r['throttled']} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


def quota_table(rows, rps):
    """The runs that share the account's quota or meet throttling at random."""
    lines = [
        "| command | users | wall | requests | mean req/s (% of --rps) | throttled | "
        f"while shared (s {SETTLING}–{OTHER_FOR}): req/s, throttled | back at 95 % of --rps after it stopped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if r["command"] not in ("export-shared-quota", "export-random-throttle"):
            continue
        shared = (f"{r['shared_rate']:.1f}, {100 * r['shared_throttled']:.1f} %" if "shared_rate" in r else "–")
        back = (("never" if r["recovered_after"] is None else f"{r['recovered_after']} s")
                if "shared_rate" in r else "–")
        lines.append(
            f"| {r['command']} | {r['users']:,} | {r['seconds']:.0f} s | {r['requests']:,} | "
            f"{r['mean_rate']:.2f} ({100 * r['mean_rate'] / rps:.1f} %) | "
            f"{100 * r['throttled'] / max(r['requests'], 1):.1f} % | {shared} | {back} |"
        )
    return "\n".join(lines) if len(lines) > 2 else ""


def table(rows, rps):
    lines = [
        "| command | users | wall | users/s | % of rps×60 | requests | mean req/s | % of --rps | max in 1 s | wall ÷ requests/rps | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        checked = (f" ({r['refused_tokens']} tokens refused; {r['lost']} lost, {r['duplicated']} duplicated)"
                   if "lost" in r else f" ({r['mapped']:,} mapped)" if "mapped" in r else "")
        lines.append(
            f"| {r['command']}{checked} | {r['users']:,} | {r['seconds']:.0f} s | {r['users_per_second']:,.0f} | "
            f"{100 * r['users_per_second'] / (rps * 60):.1f} % | {r['requests']:,} | {r['mean_rate']:.2f} | "
            f"{100 * r['mean_rate'] / rps:.1f} % | {r['max_in_any_second']} | {r['seconds'] / r['ideal_seconds']:.3f} | "
            f"{r['peak_rss_mib']:.1f} MiB |"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated pool sizes, e.g. 100000,1000000")
    parser.add_argument("--commands", default=",".join(COMMANDS), help=f"comma-separated, of {', '.join(COMMANDS)}")
    parser.add_argument("--rps", type=int, default=30)
    parser.add_argument("--segments", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--parallel", action="store_true", help="run the commands of a size side by side")
    parser.add_argument("--binary", default=str(ROOT / "target" / "release" / "cognito-migrate"))
    parser.add_argument("--json", default=str(ROOT / "target" / "bench" / "scale.json"))
    args = parser.parse_args()
    names = args.commands.split(",")
    unknown = set(names) - set(COMMANDS)
    if unknown:
        parser.error(f"unknown commands {sorted(unknown)}")
    rows = []
    for users in (int(s) for s in args.sizes.split(",")):
        jobs = [(name, users) for name in names]
        if args.parallel:
            found = {}
            threads = [threading.Thread(target=lambda j=j: found.__setitem__(j, measure(args.binary, *j, args)))
                       for j in jobs]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rows.extend(found[j] for j in jobs if j in found)
        else:
            rows.extend(measure(args.binary, *j, args) for j in jobs)
        print(f"done: {users:,} users", file=sys.stderr, flush=True)
    print(f"--rps {args.rps}, --segments {args.segments}, {args.latency_ms:.0f} ms added latency")
    print(table(rows, args.rps))
    print(quota_table(rows, args.rps))
    print(look_up_table(rows, args.rps))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"rps": args.rps, "segments": args.segments,
                                           "latency_ms": args.latency_ms, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
