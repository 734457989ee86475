"""Calling a pool's Lambda function on the test bed's Lambda host, and turning its answer into
what Cognito does with it.

`scripts/testbed start` passes the host's address as `TESTBED_LAMBDA_URL`; the function of
`arn:aws:lambda:<region>:<account>:function:<NAME>` is invoked as
`POST <url>/2015-03-31/functions/<NAME>/invocations` (Lambda's Invoke API). A function error comes
back as HTTP 200 with `X-Amz-Function-Error`, as from Lambda.

Failures, as the API reference lists them for every operation that fires a trigger:

* the function raised (or timed out): `UserLambdaValidationException` ("This exception is thrown
  when the Amazon Cognito service encounters a user validation exception with the Lambda
  service."), message `<Trigger> failed with error <errorMessage>.` (the wording Cognito answers
  with, as seen by its callers; the docs do not print it);
* the function's answer is not an event: `InvalidLambdaResponseException` ("This exception is
  thrown when Amazon Cognito encounters an invalid Lambda response."), message "Unrecognizable
  lambda output";
* the function cannot be invoked at all (unknown, no Lambda host): `UnexpectedLambdaException`
  ("This exception is thrown when Amazon Cognito encounters an unexpected exception with Lambda.").

Cognito gives a trigger 5 seconds and retries ("Customizing user pool workflows with Lambda
triggers": "must respond within 5 seconds ... Amazon Cognito retries the call. After three
unsuccessful attempts, the function times out."); the Lambda host enforces the function's own
timeout, and we invoke once.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from .wire import CognitoError

# Long enough for a cold start plus the function's own timeout on the Lambda host.
HTTP_TIMEOUT_SECONDS = 30
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def function_name(arn: str) -> str:
    """`NAME` of `arn:aws:lambda:<region>:<account>:function:NAME[:qualifier]`, or the value
    itself when it is not an ARN (the Invoke API takes both)."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[5] == "function":
        return parts[6]
    return arn


def lambda_url() -> str:
    """The Lambda host's address, or Cognito's answer for a trigger that cannot be called."""
    url = os.environ.get("TESTBED_LAMBDA_URL", "").rstrip("/")
    if not url:
        raise CognitoError(
            "UnexpectedLambdaException",
            "The test bed has no Lambda host: start moto_ext.py with TESTBED_LAMBDA_URL set "
            "(scripts/testbed start does).",
        )
    return url


def invoke(trigger: str, arn: str, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke the function with the event and return the event it answers."""
    url = f"{lambda_url()}/2015-03-31/functions/{quote(function_name(arn), safe='')}/invocations"
    request = urllib.request.Request(
        url,
        data=json.dumps(event).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with _DIRECT.open(request, timeout=HTTP_TIMEOUT_SECONDS) as answer:
            function_error = answer.headers.get("X-Amz-Function-Error")
            payload = answer.read()
    except urllib.error.HTTPError as refused:
        raise CognitoError(
            "UnexpectedLambdaException",
            f"{trigger} invocation failed: the Lambda host answered HTTP {refused.code} for {arn}.",
        ) from refused
    except (urllib.error.URLError, OSError) as unreachable:
        raise CognitoError(
            "UnexpectedLambdaException",
            f"{trigger} invocation failed: the Lambda host did not answer ({unreachable}).",
        ) from unreachable
    if function_error:
        raise CognitoError(
            "UserLambdaValidationException",
            f"{trigger} failed with error {error_message(payload)}.",
        )
    try:
        answered = json.loads(payload or b"null")
    except ValueError:
        answered = None
    if not isinstance(answered, dict):
        raise CognitoError("InvalidLambdaResponseException", "Unrecognizable lambda output")
    return answered


def error_message(payload: bytes) -> str:
    """`errorMessage` of a runtime's error JSON, else the raw text."""
    try:
        parsed = json.loads(payload)
    except ValueError:
        return payload.decode(errors="replace").strip()
    if isinstance(parsed, dict) and isinstance(parsed.get("errorMessage"), str):
        return parsed["errorMessage"]
    return json.dumps(parsed)
