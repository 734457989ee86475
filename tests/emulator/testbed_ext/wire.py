"""What every module shares: Cognito's error shape, who is calling, moto's backend.

Errors are raised as `CognitoError`, a moto `JsonRESTError`, so the same exception answers
correctly whether it is raised in our middleware or inside a moto operation we hook: HTTP 400,
`{"__type": ..., "message": ...}` and the `x-amzn-ErrorType` header, as Cognito answers.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.models import cognitoidp_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
DEFAULT_REGION = "us-east-1"
CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([^/,\s]+)/")


class CognitoError(JsonRESTError):
    """An error answered in Cognito's JSON shape: HTTP 400, `__type` and `message`."""

    def __init__(self, error_type: str, message: str):
        super().__init__(error_type, message)


def invalid_parameter(message: str) -> CognitoError:
    """`InvalidParameterException`, Cognito's answer to a request it cannot accept."""
    return CognitoError("InvalidParameterException", message)


def validation_error(value: Any, member: str, constraint: str) -> CognitoError:
    """AWS's wording for a request that breaks the API model's constraints."""
    shown = "null" if value is None else f"'{value}'"
    return invalid_parameter(
        f"1 validation error detected: Value {shown} at '{member}' failed to satisfy "
        f"constraint: {constraint}"
    )


def require_string(
    body: dict[str, Any],
    name: str,
    pattern: re.Pattern[str],
    min_len: int,
    max_len: int,
) -> str:
    """A required string member, checked against the API model's length and pattern."""
    member = name[0].lower() + name[1:]
    value = body.get(name)
    if value is None:
        raise validation_error(None, member, "Member must not be null")
    if not isinstance(value, str):
        raise invalid_parameter(f"{name} must be a string.")
    if not min_len <= len(value) <= max_len:
        raise validation_error(
            value, member, f"Member must have length between {min_len} and {max_len}"
        )
    if not pattern.fullmatch(value):
        raise validation_error(
            value, member, f"Member must satisfy regular expression pattern: {pattern.pattern}"
        )
    return value


@dataclass
class CallContext:
    """Who called and where: what moto itself derives from a request."""

    account_id: str
    region: str
    host: str


def call_context(environ: dict[str, Any]) -> CallContext:
    """The region from the SigV4 credential scope (unsigned: us-east-1), the account with
    moto's own precedence minus IAM key lookup, and the Host the caller used."""
    match = CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    region = match.group(1) if match else DEFAULT_REGION
    account_id = (
        os.environ.get("MOTO_ACCOUNT_ID")
        or environ.get("HTTP_X_MOTO_ACCOUNT_ID")
        or DEFAULT_ACCOUNT_ID
    )
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return CallContext(account_id=account_id, region=region, host=host)


def moto_backend(account_id: str, region: str) -> Any:
    """moto's cognito-idp backend of one account and region."""
    try:
        return cognitoidp_backends[account_id][region]
    except KeyError as missing:
        raise CognitoError("ResourceNotFoundException", f"Unknown region {region}.") from missing


def user_pool(ctx: CallContext, user_pool_id: str) -> Any:
    """The pool, or Cognito's `ResourceNotFoundException`."""
    pool = moto_backend(ctx.account_id, ctx.region).user_pools.get(user_pool_id)
    if pool is None:
        raise CognitoError("ResourceNotFoundException", f"User pool {user_pool_id} does not exist.")
    return pool


def pool_and_client(backend: Any, client_id: str) -> tuple[Any, Any] | tuple[None, None]:
    """The pool that holds an app client, and the client (public operations name only the client)."""
    for pool in backend.user_pools.values():
        client = pool.clients.get(client_id)
        if client is not None:
            return pool, client
    return None, None


def json_response(start_response: Any, status: str, payload: Any, headers=()) -> list[bytes]:
    """A JSON 1.1 answer."""
    body = json.dumps(payload).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
            *headers,
        ],
    )
    return [body]


def error_response(start_response: Any, error: CognitoError) -> list[bytes]:
    """A `CognitoError` answered by the middleware itself."""
    return json_response(
        start_response,
        "400 Bad Request",
        {"__type": error.error_type, "message": error.message},
        headers=[("x-amzn-ErrorType", error.error_type)],
    )


def text_response(start_response: Any, status: str, text: str, content_type: str) -> list[bytes]:
    """A plain answer (health, import logs, S3-style XML)."""
    body = text.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
