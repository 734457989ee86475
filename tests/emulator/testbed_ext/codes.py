"""The codes the test bed "sends": only the code sent to that user is accepted, and only once.

moto 5.2.5 accepts any ConfirmForgotPassword code that does not start with its own prefix
(`moto-confirmation-code:`), so a test that passes on it proves nothing about codes. Here each
ForgotPassword issues a fresh six-digit code for (pool, user name, purpose); it replaces the one
before, and ConfirmForgotPassword accepts exactly the pending code, once.

The code "sent" reaches tests through moto's own test-only channel, the response header
`x-moto-forgot-password-confirmation-code` of ForgotPassword (moto's `CognitoIdpResponse.
forgot_password` writes whatever code the backend returns; `sign_in` returns ours). AWS sends it by
e-mail or SMS instead.

AWS pages and sentences followed:

* A wrong code (API reference, ConfirmForgotPassword, Errors,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ConfirmForgotPassword.html):
  "CodeMismatchException: This exception is thrown if the provided code doesn't match what the
  server was expecting." Message "Invalid verification code provided, please try again." (Cognito's
  as its callers see it; not printed in the docs).
* No code outstanding (developer guide, "Managing user existence error responses",
  https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html,
  ConfirmForgotPassword): "If a code isn't requested when using ForgotPassword, Amazon Cognito
  returns the ExpiredCodeException error." A code already used leaves none outstanding, so it gets
  the same. API reference, Errors: "ExpiredCodeException: This exception is thrown if a code has
  expired." Message "Invalid code provided, please request a code again." (Cognito's, as reported
  in aws-amplify/amplify-flutter issue #1128; not printed in the docs).
* A superseded code (an earlier ForgotPassword's, after a newer one was sent) is treated as
  expired: AWS does not document whether older codes stay valid; ours, so that a test relying on
  an old code fails here rather than passing by luck.

Not modelled: the code's lifetime in time (AWS: one hour for a reset code) and the limit on
failed attempts (`LimitExceededException`, `TooManyFailedAttemptsException`).
"""

from __future__ import annotations

import hmac
import secrets
import threading

from .wire import CognitoError

FORGOT_PASSWORD = "forgot_password"

MISMATCH = "Invalid verification code provided, please try again."
EXPIRED = "Invalid code provided, please request a code again."

_LOCK = threading.Lock()
# (pool id, user name, purpose) -> the code outstanding.
_PENDING: dict[tuple[str, str, str], str] = {}
# (pool id, user name, purpose) -> codes sent before and used or superseded since.
_SPENT: dict[tuple[str, str, str], set[str]] = {}


def issue(pool_id: str, username: str, purpose: str) -> str:
    """A new six-digit code for the user; any code outstanding for the same purpose is
    superseded."""
    key = (pool_id, username, purpose)
    with _LOCK:
        spent = _SPENT.setdefault(key, set())
        previous = _PENDING.get(key)
        if previous is not None:
            spent.add(previous)
        code = f"{secrets.randbelow(1_000_000):06d}"
        while code in spent or code == previous:
            code = f"{secrets.randbelow(1_000_000):06d}"
        _PENDING[key] = code
        return code


def redeem(pool_id: str, username: str, purpose: str, given: str | None) -> None:
    """Accept `given` if it is the code outstanding (which it then no longer is); otherwise
    `ExpiredCodeException` when none is outstanding or `given` was used or superseded, else
    `CodeMismatchException`."""
    key = (pool_id, username, purpose)
    given = given or ""
    with _LOCK:
        pending = _PENDING.get(key)
        if pending is not None and hmac.compare_digest(given.encode(), pending.encode()):
            del _PENDING[key]
            _SPENT.setdefault(key, set()).add(pending)
            return
        if pending is None or given in _SPENT.get(key, set()):
            raise CognitoError("ExpiredCodeException", EXPIRED)
    raise CognitoError("CodeMismatchException", MISMATCH)


def pending(pool_id: str, username: str, purpose: str) -> str | None:
    """The code outstanding for (pool, user, purpose), if any (the test-only read route)."""
    with _LOCK:
        return _PENDING.get((pool_id, username, purpose))


def reset() -> None:
    """Forget every code (moto's `/moto-api/reset`)."""
    with _LOCK:
        _PENDING.clear()
        _SPENT.clear()
