#!/usr/bin/env python3
"""A local AWS Lambda host for compiled custom-runtime binaries (Rust `lambda_runtime`).

It serves the two halves of Lambda that the test bed needs, over real HTTP:

* the **Invoke API** that callers use (the moto extension's triggers, the AWS SDKs, curl):
  `POST /2015-03-31/functions/<name>/invocations`;
* the **Runtime API** that the function binary polls, as inside Lambda:
  `GET /2018-06-01/runtime/invocation/next`, `POST .../invocation/<id>/response`,
  `POST .../invocation/<id>/error`, `POST /2018-06-01/runtime/init/error`.

Each running instance of a function gets its own Runtime API port (its
`AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>`), so the host always knows which process holds which
invocation, which is what a timeout needs to kill the right one. One instance serves one
invocation at a time, as a Lambda execution environment does; `concurrency` instances may run
side by side and further invokes wait in a queue.

Control API (test bed only):
  PUT    /_testbed/functions/<name>   {"binary": "/abs/path", "env": {...},
                                       "timeout_seconds": 3, "concurrency": 1}
  DELETE /_testbed/functions/<name>
  GET    /_testbed/functions/<name>/logs   the instances' stdout+stderr so far, as text
  GET    /_testbed/health

Python standard library only. Usage: lambda_host.py --host 127.0.0.1 --port N
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
DEFAULT_TIMEOUT_SECONDS = 3.0
MAX_LOG_CHARS = 10 * 1024 * 1024
FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
INVOKE_PATH = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")
CONTROL_PATH = re.compile(r"^/_testbed/functions/([^/]+)(/logs)?$")
RUNTIME_PATH = re.compile(
    r"^/2018-06-01/runtime/(?:invocation/next|invocation/([^/]+)/(response|error)|init/error)$"
)


def init_timeout_seconds() -> float:
    """Lambda gives the init phase 10 seconds; a binary that never polls is killed then."""
    return float(os.environ.get("TESTBED_LAMBDA_INIT_TIMEOUT_SECONDS", "10"))


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def error_payload(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


class Invocation:
    """One request to a function, from the Invoke API call until its answer."""

    def __init__(self, payload: bytes):
        self.request_id = str(uuid.uuid4())
        self.payload = payload
        self.received = time.monotonic()
        self.done = threading.Event()
        self.body = b""
        self.function_error = False

    def complete(self, body: bytes, function_error: bool) -> bool:
        """Record the answer once; later answers (e.g. after a timeout) are dropped."""
        if self.done.is_set():
            return False
        self.body = body
        self.function_error = function_error
        self.done.set()
        return True


class Instance:
    """One process of a function plus the Runtime API port it polls."""

    def __init__(self, function: Function, host: str):
        self.function = function
        self.alive = True
        self.polled = False
        self.current: Invocation | None = None
        self.init_error: bytes | None = None
        self.timed_out = False
        handler = type("BoundRuntimeHandler", (RuntimeApiHandler,), {"instance": self})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.process = subprocess.Popen(
            [function.binary],
            cwd=os.path.dirname(function.binary),
            env=function.process_env(f"{host}:{self.port}"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.function.log(
            f"[testbed] instance pid {self.process.pid} started, runtime API port {self.port}\n"
        )
        self.reader = threading.Thread(target=self.copy_output, daemon=True)
        self.reader.start()
        threading.Thread(target=self.watch_exit, daemon=True).start()
        init_timer = threading.Timer(init_timeout_seconds(), self.check_init)
        init_timer.daemon = True
        init_timer.start()

    def copy_output(self) -> None:
        assert self.process.stdout is not None
        for raw in iter(self.process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.function.log(line)
            sys.stderr.write(f"[{self.function.name}] {line}")
            sys.stderr.flush()

    def kill(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.kill()
            except ProcessLookupError:
                pass

    def check_init(self) -> None:
        with self.function.cond:
            if self.polled or not self.alive:
                return
        self.function.log(
            f"[testbed] instance pid {self.process.pid} did not poll for work within "
            f"{init_timeout_seconds():g} s of start; killed\n"
        )
        self.kill()

    def watch_exit(self) -> None:
        code = self.process.wait()
        self.reader.join(timeout=5)
        how = f"signal: {-code}" if code < 0 else f"exit status {code}"
        self.function.log(f"[testbed] instance pid {self.process.pid} exited ({how})\n")
        with self.function.cond:
            self.alive = False
            failed = self.current
            if failed is None and not self.polled and self.function.pending:
                # It died during init: the invocation that was waiting for it fails, as the
                # invocation that triggered a failed Lambda init does.
                failed = self.function.pending.popleft()
            if failed is not None and not failed.done.is_set():
                body = self.init_error or error_payload(
                    "Runtime.ExitError",
                    f"RequestId: {failed.request_id} Error: Runtime exited with error: {how}",
                )
                failed.complete(body, function_error=True)
            self.current = None
            if self in self.function.instances:
                self.function.instances.remove(self)
            self.function.ensure_capacity()
            self.function.cond.notify_all()
        threading.Thread(target=self.close_server, daemon=True).start()

    def close_server(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def on_timeout(self, invocation: Invocation) -> None:
        timeout = self.function.timeout
        message = (
            f"RequestId: {invocation.request_id} Error: Task timed out after {timeout:.2f} seconds"
        )
        with self.function.cond:
            if not invocation.complete(error_payload("Sandbox.Timedout", message), True):
                return
            self.timed_out = True
        self.function.log(f"[testbed] {message}\n")
        self.kill()


class Function:
    """A registered function: its binary, settings, queue of invocations and instances."""

    def __init__(
        self,
        name: str,
        binary: str,
        env: dict[str, str],
        timeout: float,
        concurrency: int,
        host: str,
    ):
        self.name = name
        self.binary = binary
        self.env = env
        self.timeout = timeout
        self.concurrency = concurrency
        self.host = host
        self.cond = threading.Condition()
        self.pending: deque[Invocation] = deque()
        self.instances: list[Instance] = []
        self.closed = False
        self.logs: list[str] = []
        self.log_chars = 0
        self.log_lock = threading.Lock()

    def process_env(self, runtime_api: str) -> dict[str, str]:
        # A clean environment, like Lambda's: the test runner's own AWS_* settings must not
        # leak in and hide a configuration the function forgot to read.
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "TZ": ":UTC",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{self.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"testbed/{uuid.uuid4().hex}",
            "LAMBDA_TASK_ROOT": os.path.dirname(self.binary),
        }
        env.update(self.env)
        env.update(
            {
                "AWS_LAMBDA_RUNTIME_API": runtime_api,
                "AWS_LAMBDA_FUNCTION_NAME": self.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            }
        )
        return env

    def log(self, text: str) -> None:
        with self.log_lock:
            self.logs.append(text)
            self.log_chars += len(text)
            while self.log_chars > MAX_LOG_CHARS and len(self.logs) > 1:
                self.log_chars -= len(self.logs.pop(0))

    def log_text(self) -> str:
        with self.log_lock:
            return "".join(self.logs)

    def ensure_capacity(self) -> None:
        """Start instances while invocations wait and the concurrency allows (cond held)."""
        if self.closed:
            return
        idle = sum(1 for i in self.instances if i.alive and i.current is None)
        while len(self.pending) > idle and len(self.instances) < self.concurrency:
            self.instances.append(Instance(self, self.host))
            idle += 1

    def submit(self, invocation: Invocation) -> None:
        with self.cond:
            if self.closed:
                invocation.complete(
                    error_payload("Testbed.FunctionRemoved", "The function was removed."), True
                )
                return
            self.pending.append(invocation)
            self.ensure_capacity()
            self.cond.notify_all()

    def next_invocation(self, instance: Instance) -> Invocation | None:
        """Block until there is work for this instance; None once it should stop polling."""
        with self.cond:
            instance.polled = True
            if instance.current is not None and not instance.current.done.is_set():
                # Asking for the next event without answering the last one: the old one is lost.
                instance.current.complete(
                    error_payload(
                        "Runtime.InvalidState",
                        "The runtime asked for the next event without answering this one.",
                    ),
                    True,
                )
            instance.current = None
            self.cond.notify_all()
            while True:
                if self.closed or not instance.alive:
                    return None
                if self.pending:
                    invocation = self.pending.popleft()
                    instance.current = invocation
                    return invocation
                self.cond.wait(timeout=1.0)

    def close(self) -> None:
        with self.cond:
            self.closed = True
            while self.pending:
                self.pending.popleft().complete(
                    error_payload(
                        "Testbed.FunctionRemoved", "The function was removed or replaced."
                    ),
                    True,
                )
            for instance in list(self.instances):
                if instance.current is not None:
                    instance.current.complete(
                        error_payload(
                            "Testbed.FunctionRemoved", "The function was removed or replaced."
                        ),
                        True,
                    )
            instances = list(self.instances)
            self.cond.notify_all()
        for instance in instances:
            instance.kill()
        for instance in instances:
            try:
                instance.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


class Registry:
    def __init__(self, host: str):
        self.host = host
        self.lock = threading.Lock()
        self.functions: dict[str, Function] = {}

    def put(self, function: Function) -> None:
        with self.lock:
            old = self.functions.get(function.name)
            self.functions[function.name] = function
        if old is not None:
            old.close()

    def remove(self, name: str) -> bool:
        with self.lock:
            old = self.functions.pop(name, None)
        if old is None:
            return False
        old.close()
        return True

    def get(self, name: str) -> Function | None:
        with self.lock:
            return self.functions.get(name)

    def close_all(self) -> None:
        with self.lock:
            functions = list(self.functions.values())
            self.functions.clear()
        for function in functions:
            function.close()


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive (the Rust runtime pools its connections); every answer has a
    Content-Length; request bodies may be sized or chunked."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)


class RuntimeApiHandler(JsonHandler):
    """The Lambda Runtime API as one instance sees it (AWS Lambda developer guide: "Using the
    Lambda runtime API for custom runtimes")."""

    instance: Instance

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/2018-06-01/runtime/invocation/next":
            self.send(404, error_payload("NotFound", "Unknown Runtime API path"))
            return
        function = self.instance.function
        invocation = function.next_invocation(self.instance)
        if invocation is None:
            self.send(410, error_payload("Gone", "This instance is shutting down."))
            self.close_connection = True
            return
        deadline_ms = int((time.time() + function.timeout) * 1000)
        timer = threading.Timer(function.timeout, self.instance.on_timeout, (invocation,))
        timer.daemon = True
        timer.start()
        trace = f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
        function.log(f"START RequestId: {invocation.request_id} Version: $LATEST\n")
        self.send(
            200,
            invocation.payload,
            {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": function_arn(function.name),
                "Lambda-Runtime-Trace-Id": trace,
            },
        )

    def do_POST(self) -> None:
        match = RUNTIME_PATH.match(urlsplit(self.path).path)
        body = self.read_body()
        if not match or self.path.endswith("/invocation/next"):
            self.send(404, error_payload("NotFound", "Unknown Runtime API path"))
            return
        request_id, kind = match.group(1), match.group(2)
        function = self.instance.function
        if request_id is None:
            self.instance.init_error = body or error_payload("Runtime.InitError", "init failed")
            function.log("[testbed] the runtime reported an init error\n")
            self.send(202, b'{"status":"OK"}')
            return
        with function.cond:
            invocation = self.instance.current
            if invocation is None or invocation.request_id != request_id:
                self.send(400, error_payload("InvalidRequestID", "Invalid request ID"))
                return
            function_error = kind == "error"
            if function_error and not body:
                body = error_payload("Unhandled", "The function reported an error without a body.")
            if invocation.complete(body, function_error):
                self.instance.current = None
                function.cond.notify_all()
        elapsed = (time.monotonic() - invocation.received) * 1000
        function.log(
            f"END RequestId: {request_id}\nREPORT RequestId: {request_id}\tDuration: {elapsed:.2f} ms\n"
        )
        self.send(202, b'{"status":"OK"}')


class HostHandler(JsonHandler):
    """The Invoke API and the test bed's control API."""

    registry: Registry

    def send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        headers = dict(headers or {})
        headers["X-Testbed-Duration-Ms"] = f"{(time.monotonic() - self.started) * 1000:.1f}"
        super().send(status, body, headers, content_type)

    def parse_request(self) -> bool:
        self.started = time.monotonic()
        return super().parse_request()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/_testbed/health":
            self.send(200, b'{"status":"ok"}')
            return
        match = CONTROL_PATH.match(path)
        if match and match.group(2):
            function = self.registry.get(unquote(match.group(1)))
            if function is None:
                self.send(404, b'{"message":"Function not found"}')
                return
            self.send(200, function.log_text().encode(), content_type="text/plain; charset=utf-8")
            return
        self.send(404, b'{"message":"Not found"}')

    def do_PUT(self) -> None:
        match = CONTROL_PATH.match(urlsplit(self.path).path)
        body = self.read_body()
        if not match or match.group(2):
            self.send(404, b'{"message":"Not found"}')
            return
        name = unquote(match.group(1))
        try:
            function = self.parse_registration(name, body)
        except ValueError as bad:
            self.send(400, json.dumps({"message": str(bad)}).encode())
            return
        self.registry.put(function)
        self.send(
            200, json.dumps({"FunctionName": name, "FunctionArn": function_arn(name)}).encode()
        )

    def parse_registration(self, name: str, body: bytes) -> Function:
        if not FUNCTION_NAME.fullmatch(name):
            raise ValueError("function names are 1-64 letters, digits, '-' or '_'")
        try:
            spec = json.loads(body or b"{}")
        except ValueError as not_json:
            raise ValueError("the body must be JSON") from not_json
        binary = spec.get("binary")
        if not isinstance(binary, str) or not os.path.isabs(binary):
            raise ValueError("'binary' must be an absolute path")
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            raise ValueError(f"'binary' is not an executable file: {binary}")
        env = spec.get("env") or {}
        if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()
        ):
            raise ValueError("'env' must map strings to strings")
        timeout = spec.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValueError("'timeout_seconds' must be a positive number")
        concurrency = spec.get("concurrency", 1)
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError("'concurrency' must be a positive integer")
        return Function(name, binary, env, float(timeout), concurrency, self.registry.host)

    def do_DELETE(self) -> None:
        match = CONTROL_PATH.match(urlsplit(self.path).path)
        if not match or match.group(2):
            self.send(404, b'{"message":"Not found"}')
            return
        if self.registry.remove(unquote(match.group(1))):
            self.send(200, b'{"status":"deleted"}')
        else:
            self.send(404, b'{"message":"Function not found"}')

    def do_POST(self) -> None:
        match = INVOKE_PATH.match(urlsplit(self.path).path)
        payload = self.read_body()
        if not match:
            self.send(404, b'{"message":"Not found"}')
            return
        function = self.registry.get(invoked_name(unquote(match.group(1))))
        if function is None:
            self.send(
                404,
                b'{"Type":"User","Message":"Function not found"}',
                {"x-amzn-ErrorType": "ResourceNotFoundException"},
            )
            return
        invocation_type = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if invocation_type == "DryRun":
            self.send(204, b"")
            return
        invocation = Invocation(payload)
        function.submit(invocation)
        if invocation_type == "Event":
            self.send(202, b"", {"x-amzn-RequestId": invocation.request_id})
            return
        invocation.done.wait()
        headers = {
            "x-amzn-RequestId": invocation.request_id,
            "X-Amz-Executed-Version": "$LATEST",
        }
        if invocation.function_error:
            headers["X-Amz-Function-Error"] = "Unhandled"
        self.send(200, invocation.body, headers)


def invoked_name(name: str) -> str:
    """Accept a name, `name:qualifier`, or a full/partial function ARN, as Lambda does."""
    if ":function:" in name:
        name = name.split(":function:", 1)[1]
    return name.split(":", 1)[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    registry = Registry(args.host)
    handler = type("BoundHostHandler", (HostHandler,), {"registry": registry})
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True

    def stop(*_: Any) -> None:
        # Function processes must not outlive the host.
        registry.close_all()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stderr.write(f"lambda host listening on http://{args.host}:{args.port}\n")
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
