#!/usr/bin/env python3
"""A fault-injecting HTTP proxy for tests and benchmarks, between the toolkit and an emulator.

Per request it can add latency, answer Cognito's throttling error, answer a 5xx, drop the
connection, or stall; it records when each request arrived, so a test can prove the client
never exceeded its rate limit. Standard library only; binds 127.0.0.1.

    fault_proxy.py --port 0 --upstream http://127.0.0.1:5000 [--latency-ms 50] ...

Prints `listening on http://127.0.0.1:PORT` once ready. Control API on the same port:
    GET  /_proxy/stats    counts and the largest number of requests seen in any 1-second window
    PUT  /_proxy/config   JSON with any of the options below (replaces them for later requests)
    POST /_proxy/reset    clears the statistics

Options (CLI flag or config key):
    latency_ms       added before forwarding
    throttle_share   share of requests answered 400 TooManyRequestsException (Cognito's JSON shape)
    error_share      share answered 500 InternalErrorException / 503 ServiceUnavailable
    drop_share       share whose connection is closed without an answer
    stall_share      share that hang for stall_seconds, then are dropped
    stall_seconds    how long a stall lasts
    operations       only requests whose X-Amz-Target ends with one of these get faults (empty: all);
                     an entry starting with "/" matches requests without X-Amz-Target whose path
                     (query left out) starts with it, e.g. "/_testbed/import-upload/"
    seed             random seed (reproducible fault sequences)

The Host header is forwarded as the client sent it, so URLs the upstream builds from it (the
import job's PreSignedUrl) point back at the proxy and their requests get faults too.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DEFAULTS = {
    "latency_ms": 0,
    "throttle_share": 0.0,
    "error_share": 0.0,
    "drop_share": 0.0,
    "stall_share": 0.0,
    "stall_seconds": 30.0,
    "operations": [],
    "seed": None,
}


class State:
    """Configuration and statistics shared by the handler threads."""

    def __init__(self, upstream, config):
        self.upstream = urlsplit(upstream)
        self.lock = threading.Lock()
        self.config = dict(DEFAULTS)
        self.configure(config)
        self.reset()

    def configure(self, config):
        with self.lock:
            unknown = set(config) - set(DEFAULTS)
            if unknown:
                raise ValueError(f"unknown options: {sorted(unknown)}")
            self.config.update(config)
            self.random = random.Random(self.config["seed"])

    def reset(self):
        with self.lock:
            self.arrivals = {}
            self.counts = {"requests": 0, "forwarded": 0, "throttled": 0, "errors": 0, "dropped": 0, "stalled": 0}

    def decide(self, operation):
        """Picks the fault for one request (or None) and records its arrival."""
        with self.lock:
            self.counts["requests"] += 1
            self.arrivals.setdefault(operation, []).append(time.monotonic())
            config = self.config
            if config["operations"] and not any(matches(operation, o) for o in config["operations"]):
                return None, config["latency_ms"]
            roll = self.random.random()
            for fault in ("throttle", "error", "drop", "stall"):
                share = config[f"{fault}_share"]
                if roll < share:
                    return fault, config["latency_ms"]
                roll -= share
            return None, config["latency_ms"]

    def count(self, what):
        with self.lock:
            self.counts[what] += 1

    def stats(self):
        with self.lock:
            by_operation = {}
            for operation, times in self.arrivals.items():
                by_operation[operation] = {
                    "requests": len(times),
                    "max_per_second": max_in_window(times, 1.0),
                    "first": times[0],
                    "last": times[-1],
                }
            return {**self.counts, "by_operation": by_operation}


def matches(operation, entry):
    """An operation name matches by suffix; a path entry ("/...") by prefix."""
    if entry.startswith("/"):
        return operation.startswith(entry)
    return operation.endswith(entry)


def max_in_window(times, window):
    """The largest number of timestamps within any interval of `window` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def control(self, body):
            if self.path == "/_proxy/stats" and self.command == "GET":
                return self.reply(200, json.dumps(state.stats()))
            if self.path == "/_proxy/config" and self.command == "PUT":
                try:
                    state.configure(json.loads(body or b"{}"))
                except ValueError as error:
                    return self.reply(400, json.dumps({"error": str(error)}))
                return self.reply(200, json.dumps(state.config))
            if self.path == "/_proxy/reset" and self.command == "POST":
                state.reset()
                return self.reply(200, "{}")
            return self.reply(404, '{"error":"unknown control path"}')

        def handle_any(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.startswith("/_proxy/"):
                return self.control(body)
            operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1] or self.path.split("?", 1)[0]
            fault, latency_ms = state.decide(operation)
            if latency_ms:
                time.sleep(latency_ms / 1000)
            if fault == "throttle":
                state.count("throttled")
                return self.reply(
                    400,
                    '{"__type":"TooManyRequestsException","message":"Rate exceeded"}',
                    "application/x-amz-json-1.1",
                    [("x-amzn-ErrorType", "TooManyRequestsException")],
                )
            if fault == "error":
                state.count("errors")
                if state.random.random() < 0.5:
                    return self.reply(500, '{"__type":"InternalErrorException","message":"injected fault"}',
                                      "application/x-amz-json-1.1", [("x-amzn-ErrorType", "InternalErrorException")])
                return self.reply(503, "Service Unavailable", "text/plain")
            if fault in ("drop", "stall"):
                state.count("dropped" if fault == "drop" else "stalled")
                if fault == "stall":
                    time.sleep(state.config["stall_seconds"])
                self.close_connection = True
                self.connection.close()
                return
            self.forward(body)

        def forward(self, body):
            upstream = state.upstream
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            except OSError as error:
                return self.reply(502, json.dumps({"error": f"upstream: {error}"}))
            finally:
                connection.close()
            state.count("forwarded")
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    return Handler


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--throttle-share", type=float, default=0.0)
    parser.add_argument("--error-share", type=float, default=0.0)
    parser.add_argument("--drop-share", type=float, default=0.0)
    parser.add_argument("--stall-share", type=float, default=0.0)
    parser.add_argument("--stall-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args(argv)
    config = {k: v for k, v in vars(args).items() if k not in ("port", "upstream")}
    state = State(args.upstream, config)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state))
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
