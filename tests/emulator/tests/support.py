"""What the emulator tests share: one moto_ext.py and one Lambda host on free 127.0.0.1 ports
(started once per test run, stopped at exit), boto3 clients, pools, functions, token claims.

Real parts only: the tests speak to the servers over HTTP with boto3, and triggers run the small
runtime-API function in trigger_function.py on the real Lambda host.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

EMULATOR = Path(__file__).resolve().parent.parent
FUNCTION = Path(__file__).resolve().parent / "trigger_function.py"
REGION = "us-east-1"
ACCOUNT = "123456789012"
PASSWORD = "Passw0rd!x"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_SERVERS: dict[str, Any] = {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited; read {log}")
        try:
            with _DIRECT.open(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 30 s; read {log}")


def servers() -> dict[str, Any]:
    """Start the Lambda host and moto_ext.py once; their URLs and the work directory."""
    if _SERVERS:
        return _SERVERS
    work = Path(tempfile.mkdtemp(prefix="emulator-tests-"))
    lambda_url = f"http://127.0.0.1:{free_port()}"
    moto_url = f"http://127.0.0.1:{free_port()}"
    env = dict(
        os.environ,
        TESTBED_LAMBDA_URL=lambda_url,
        TESTBED_IMPORT_STEP_SECONDS="0.05",
        TESTBED_IMPORT_MAX_REJECTED_LINES="3",
    )
    processes = []
    for name, script, url, health in (
        ("lambda", "lambda_host.py", lambda_url, "/_testbed/health"),
        ("moto", "moto_ext.py", moto_url, "/_testbed/health"),
    ):
        log = work / f"{name}.log"
        port = url.rsplit(":", 1)[1]
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, str(EMULATOR / script), "--host", "127.0.0.1", "--port", port],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        processes.append(process)
        wait_for(url + health, process, log)

    def stop() -> None:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
            try:
                os.killpg(process.pid, 9)
            except OSError:
                pass

    atexit.register(stop)
    _SERVERS.update(moto_url=moto_url, lambda_url=lambda_url, work=work)
    return _SERVERS


def cognito() -> Any:
    """A boto3 cognito-idp client on moto_ext, without retries (errors show as they come)."""
    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=servers()["moto_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def logs() -> Any:
    """A boto3 CloudWatch Logs client on moto_ext, without retries."""
    return boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=servers()["moto_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


class Function:
    """One test function registered on the Lambda host, answering by `plan` (trigger_function.py)."""

    def __init__(self, plan: dict[str, Any]):
        self.name = unique("fn")
        self.events_file = servers()["work"] / f"{self.name}.events"
        self.events_file.touch()
        body = {
            "binary": str(FUNCTION),
            "env": {
                "PLAN": json.dumps(plan),
                "EVENTS_FILE": str(self.events_file),
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            },
            "timeout_seconds": 5,
        }
        request = urllib.request.Request(
            f"{servers()['lambda_url']}/_testbed/functions/{self.name}",
            data=json.dumps(body).encode(),
            method="PUT",
        )
        _DIRECT.open(request).read()
        self.arn = function_arn(self.name)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.events_file.read_text().splitlines() if line]


def create_pool(client: Any, **config: Any) -> str:
    """A pool with e-mail auto-verified and a simple password policy, plus `config`."""
    config.setdefault("AutoVerifiedAttributes", ["email"])
    config.setdefault("Policies", {"PasswordPolicy": {"MinimumLength": 8}})
    return client.create_user_pool(PoolName=unique("pool"), **config)["UserPool"]["Id"]


def create_client(client: Any, pool_id: str, prevent: str = "LEGACY", **config: Any) -> str:
    return client.create_user_pool_client(
        **config,
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
        PreventUserExistenceErrors=prevent,
    )["UserPoolClient"]["ClientId"]


def confirmed_user(
    client: Any, pool_id: str, username: str, attributes: dict[str, str] | None = None
) -> Any:
    """AdminCreateUser + a permanent password: a CONFIRMED user."""
    answer = client.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
    )
    client.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    return answer["User"]


def sign_in(
    client: Any, client_id: str, username: str, password: str = PASSWORD, **extra: Any
) -> Any:
    return client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
        **extra,
    )


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (signature not checked: the tests read what moto put in)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def error_of(call: Any) -> tuple[str, str]:
    """(code, message) of the Cognito error a call raises; fails the test if it succeeds."""
    try:
        call()
    except Exception as error:  # botocore ClientError
        response = getattr(error, "response", None)
        if response is None:
            raise
        return response["Error"]["Code"], response["Error"]["Message"]
    raise AssertionError("the call succeeded; Cognito refuses it")
