#!/usr/bin/env python3
"""moto's server (pinned to 5.2.5) made into one Cognito user pool service that follows AWS's
documented rules for the parts the toolkit exercises.

moto answers most Cognito operations but lacks the user import jobs, never fires Lambda triggers
and ignores several pool settings. This entry point wraps moto's own WSGI application in a small
middleware and installs hooks into moto's models; each job lives in one module of `testbed_ext/`
(see its `__init__`), and every rule names the AWS page and sentence it follows
(table in tests/emulator/README.md):

* import jobs: `GetCSVHeader`, `Create/Start/Describe/List/StopUserImportJob`, the
  `PreSignedUrl` upload target `PUT /_testbed/import-upload/<JobId>`, and the job's result lines
  `GET /_testbed/import-logs/<JobId>`, also written to CloudWatch Logs (moto's `logs` service) in
  AWS's log group and stream (`import_operations`, `import_csv`, `import_jobs`, `import_upload`,
  `import_logs`);
* triggers fired per pool from its own `LambdaConfig`, on the Lambda host at `TESTBED_LAMBDA_URL`:
  UserMigration, PreSignUp, PreTokenGeneration (`migration`, `user_creation`, `tokens`);
* a user's own attribute changes: `UpdateUserAttributes` (the app client's `WriteAttributes`,
  aliases, `UserAttributeUpdateSettings`) and `VerifyUserAttribute` (`attribute_updates`);
* sign-in and password reset as AWS answers them: reset codes accepted only as sent, once
  (`codes`), USER_SRP_AUTH verified against the user's password (`srp`), simulated deliveries
  for users nothing is sent to (`sign_in`);
* pool shapes: `UsernameAttributes`, `AliasAttributes`, `UsernameConfiguration.CaseSensitive`
  through one sign-in lookup, the app client's `PreventUserExistenceErrors`, ListUsers' limits
  (`pool_shapes`, `sign_in`, `user_existence`, `list_users`);
* federated users: `AdminLinkProviderForUser`, `AdminDisableProviderForUser`, the `identities`
  attribute and claim, and the test-only federated sign-in `POST /_testbed/federated-sign-in`
  (PreSignUp_ExternalProvider, EXTERNAL_PROVIDER users, linked users) (`federation`);
* sign-in factors: `UserPoolTier` (default ESSENTIALS) and the refusals of what LITE lacks, the
  sign-in policy's first factors, `AdminGetUserAuthFactors`/`GetUserAuthFactors`, passkeys (the
  test-only `POST /_testbed/passkeys`, `ListWebAuthnCredentials`), e-mail MFA, and `USER_AUTH`
  with PASSWORD / EMAIL_OTP / SMS_OTP, its codes readable in `x-moto-otp-code` and the test-only
  `GET /_testbed/sign-in-code` (`factors`, `email_mfa`, `user_auth`);
* `GET /_testbed/health`; `POST /moto-api/reset` resets moto and forgets the import jobs, codes and SRP sessions.

This relies on moto internals (listed in tests/emulator/README.md), which is why moto is pinned
to one exact version. Not a mock of any SDK: it speaks the real wire protocol (`X-Amz-Target` +
JSON 1.1) over HTTP, like AWS.

Usage: moto_ext.py --host 127.0.0.1 --port N   (env TESTBED_LAMBDA_URL for triggers)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
from typing import Any, Callable

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request

from testbed_ext import (
    attribute_updates,
    codes,
    email_mfa,
    factors,
    federation,
    import_jobs,
    import_operations,
    import_upload,
    list_users,
    pool_shapes,
    request_context,
    sign_in,
    srp,
    tokens,
    user_auth,
    user_creation,
)
from testbed_ext.wire import (
    TARGET_PREFIX,
    CognitoError,
    call_context,
    error_response,
    json_response,
    text_response,
)


def install_hooks() -> None:
    """Put the rules into moto's models and operations (each module's `install`)."""
    pool_shapes.install()
    sign_in.install()
    srp.install()
    user_creation.install()
    attribute_updates.install()
    federation.install()
    tokens.install()
    list_users.install()
    factors.install()
    email_mfa.install()
    user_auth.install()


class TestbedMiddleware:
    """Answers the import operations and test-bed paths itself; records the operation of every
    other Cognito request for the hooks, then hands it to moto."""

    def __init__(self, moto_app: Any):
        self.moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/_testbed/health":
            return text_response(start_response, "200 OK", '{"status":"ok"}', "application/json")
        if path.startswith("/_testbed/import-upload/") and method == "PUT":
            return import_upload.upload_csv(environ, start_response, path.rsplit("/", 1)[-1])
        if path.startswith("/_testbed/import-logs/") and method == "GET":
            return import_upload.job_log(start_response, path.rsplit("/", 1)[-1])
        if path == "/_testbed/federated-sign-in" and method == "POST":
            return federation.federated_sign_in_route(
                environ, start_response, call_context(environ)
            )

        if path == "/_testbed/passkeys" and method == "POST":
            return self.answer(environ, start_response, factors.give_passkey)
        if path == "/_testbed/sign-in-code" and method == "GET":
            try:
                answer = user_auth.sign_in_code_route(
                    call_context(environ), environ.get("QUERY_STRING", "")
                )
            except CognitoError as error:
                if error.error_type != "ResourceNotFoundException":
                    return error_response(start_response, error)
                return json_response(
                    start_response,
                    "404 Not Found",
                    {"__type": error.error_type, "message": error.message},
                    headers=[("x-amzn-ErrorType", error.error_type)],
                )
            return json_response(start_response, "200 OK", answer)

        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        if operation in import_operations.OPERATIONS:
            return self.answer(environ, start_response, import_operations.OPERATIONS[operation])
        if operation in attribute_updates.OPERATIONS:
            return self.answer(environ, start_response, attribute_updates.OPERATIONS[operation])
        if operation in federation.OPERATIONS:
            return self.answer(environ, start_response, federation.OPERATIONS[operation])
        if operation in factors.OPERATIONS:
            return self.answer(environ, start_response, factors.OPERATIONS[operation])
        if operation in email_mfa.OPERATIONS:
            return self.answer(environ, start_response, email_mfa.OPERATIONS[operation])
        if operation:
            return self.pass_to_moto(environ, start_response, operation)

        if path == "/moto-api/reset" and method == "POST":
            import_jobs.JOBS.reset()
            codes.reset()
            srp.reset()
            user_auth.reset()
        return self.moto_app(environ, start_response)

    def pass_to_moto(self, environ: dict[str, Any], start_response: Any, operation: str) -> Any:
        """Let moto answer, with the operation and its body recorded for this thread."""
        raw = read_body(environ)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        request_context.begin(operation, body if isinstance(body, dict) else {})

        def start_with_test_headers(status: str, headers: list, *rest: Any) -> Any:
            # Test-only headers a hook asked for (the sign-in codes "sent", `user_auth`).
            extra = request_context.cache().get("headers") or []
            return start_response(status, [*headers, *extra], *rest)

        try:
            return list(self.moto_app(environ, start_with_test_headers))
        finally:
            request_context.end()

    def answer(self, environ: dict[str, Any], start_response: Any, operation: Callable) -> Any:
        try:
            raw = Request(environ).get_data(cache=False)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                raise CognitoError("SerializationException", "The request body is not JSON.")
            if not isinstance(body, dict):
                raise CognitoError(
                    "SerializationException", "The request body is not a JSON object."
                )
            return json_response(start_response, "200 OK", operation(call_context(environ), body))
        except CognitoError as error:
            return error_response(start_response, error)


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto reads it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    # moto builds some URLs from MOTO_PORT; its own server sets it the same way.
    os.environ.setdefault("MOTO_PORT", str(args.port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    install_hooks()
    moto_app = DomainDispatcherApplication(create_backend_app)
    moto_app.debug = True  # as moto's own server does: tracebacks in 500 answers
    run_simple(
        args.host,
        args.port,
        TestbedMiddleware(moto_app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
