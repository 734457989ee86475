"""What the emulator tests share: one moto_ext.py and one Lambda host on free 127.0.0.1 ports
(started once per test run, stopped at exit), boto3 clients, pools, functions, token claims.

Real parts only: the tests speak to the servers over HTTP with boto3, and triggers run the small
runtime-API function in trigger_function.py on the real Lambda host.
"""

from __future__ import annotations

import atexit
import base64
import datetime
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
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
                "MOTO_URL": servers()["moto_url"],
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


def sent_code(answer: dict[str, Any]) -> str:
    """The reset code a ForgotPassword answer "sent": the test-only header moto_ext fills
    (`x-moto-forgot-password-confirmation-code`), where AWS would send an e-mail or SMS."""
    return answer["ResponseMetadata"]["HTTPHeaders"]["x-moto-forgot-password-confirmation-code"]


# The SRP client of the Cognito client libraries (amazon-cognito-identity-js AuthenticationHelper,
# Amplify v6, pycognito), written here from their algorithm so the tests do not reuse the server's
# code: RFC 5054's 3072-bit group, g = 2, SHA-256, HKDF info "Caldera Derived Key".
SRP_N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)


def _pad(value: Any) -> str:
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdefABCDEF" else text


def _hex_hash(hex_text: str) -> str:
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


class SrpClient:
    """One USER_SRP_AUTH sign-in, as the client libraries run it."""

    def __init__(self, pool_id: str):
        self.pool_name = pool_id.split("_", 1)[1]
        self.a = int.from_bytes(secrets.token_bytes(128), "big") % SRP_N
        self.big_a = pow(2, self.a, SRP_N)

    def srp_a(self) -> str:
        return f"{self.big_a:x}"

    def answer(self, parameters: dict[str, str], password: str) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeResponses for the challenge's parameters."""
        user_id = parameters["USER_ID_FOR_SRP"]
        big_b = int(parameters["SRP_B"], 16)
        k = int(_hex_hash(_pad(SRP_N) + _pad(2)), 16)
        u = int(_hex_hash(_pad(self.big_a) + _pad(big_b)), 16)
        inner = hashlib.sha256(f"{self.pool_name}{user_id}:{password}".encode()).hexdigest()
        x = int(_hex_hash(_pad(int(parameters["SALT"], 16)) + inner), 16)
        s = pow(big_b - k * pow(2, x, SRP_N), self.a + u * x, SRP_N)
        prk = hmac.new(bytes.fromhex(_pad(u)), bytes.fromhex(_pad(s)), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        now = datetime.datetime.now(datetime.timezone.utc)
        timestamp = now.strftime("%a %b ") + str(now.day) + now.strftime(" %H:%M:%S UTC %Y")
        message = (
            self.pool_name.encode()
            + user_id.encode()
            + base64.b64decode(parameters["SECRET_BLOCK"])
            + timestamp.encode()
        )
        signature = hmac.new(key, message, hashlib.sha256).digest()
        return {
            "USERNAME": user_id,
            "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(signature).decode(),
            "TIMESTAMP": timestamp,
        }


def srp_challenge(client: Any, pool_id: str, client_id: str, username: str) -> tuple:
    """The first step of USER_SRP_AUTH: (the SRP client, InitiateAuth's answer)."""
    srp = SrpClient(pool_id)
    answer = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": srp.srp_a()},
    )
    return srp, answer


def srp_sign_in(
    client: Any, pool_id: str, client_id: str, username: str, password: str = PASSWORD
) -> Any:
    """Both steps of USER_SRP_AUTH: RespondToAuthChallenge's answer."""
    srp, answer = srp_challenge(client, pool_id, client_id, username)
    return client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.answer(answer["ChallengeParameters"], password),
    )


def federated_sign_in(
    pool_id: str,
    client_id: str,
    provider: str,
    subject: str,
    attributes: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """The test-only federated sign-in (`POST /_testbed/federated-sign-in`, testbed_ext/federation):
    Cognito's side of a sign-in after the IdP `provider` answered for `subject` with the claims
    `attributes`. (HTTP status, JSON answer)."""
    body = {
        "UserPoolId": pool_id,
        "ClientId": client_id,
        "ProviderName": provider,
        "Subject": subject,
        "Attributes": attributes or {},
    }
    request = urllib.request.Request(
        f"{servers()['moto_url']}/_testbed/federated-sign-in",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with _DIRECT.open(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read() or b"{}")
