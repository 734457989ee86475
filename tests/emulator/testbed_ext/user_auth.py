"""Choice-based sign-in (`AuthFlow` `USER_AUTH`) with PASSWORD, EMAIL_OTP and SMS_OTP, and the
e-mail MFA challenge after a password, on `InitiateAuth` / `AdminInitiateAuth` and
`RespondToAuthChallenge` / `AdminRespondToAuthChallenge`.

moto 5.2.5 refuses `USER_AUTH` as an unknown flow and answers unknown challenge names with an
empty object. The codes "sent" are six digits from `codes` (one outstanding per user and
challenge, accepted once); tests read them from the response header `x-moto-otp-code` of the call
that sent them, or from the test-only `GET /_testbed/sign-in-code?UserPoolId=…&Username=…&
ChallengeName=EMAIL_OTP|SMS_OTP` (`{"Code": "123456"}`; 404 `ResourceNotFoundException` when none
is outstanding). AWS sends an e-mail or SMS instead.

AWS pages and sentences followed (API = API reference,
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/):

* `USER_AUTH` needs Essentials or Plus: API InitiateAuth `AuthFlow`: "USER_AUTH: The entry point
  for choice-based authentication with passwords, one-time passwords, and WebAuthn authenticators.
  … To activate this setting, your user pool must be in the Essentials tier or higher." The
  operation lists `FeatureUnavailableInTierException`: a LITE pool gets it.
* The app client must allow it: API CreateUserPoolClient `ExplicitAuthFlows`: "ALLOW_USER_AUTH:
  Enable selection-based sign-in with USER_AUTH. … This authentiation flow can do username-password
  and SRP authentication without other ExplicitAuthFlows permitting them." Else
  `InvalidParameterException` "USER_AUTH flow not enabled for this client" (the wording AWS uses
  for the other flows, e.g. "USER_PASSWORD_AUTH flow not enabled for this client"; not printed in
  the docs). moto enforces `ExplicitAuthFlows` for no other flow.
* Parameters: API InitiateAuth `AuthParameters`: "USER_AUTH: USERNAME (required),
  PREFERRED_CHALLENGE. If you don't provide a value for PREFERRED_CHALLENGE, Amazon Cognito
  responds with the AvailableChallenges parameter that specifies the available sign-in methods."
  AvailableChallenges are the user's `ConfiguredUserAuthFactors` (`factors`): API
  AdminGetUserAuthFactors: "…are returned in AdminInitiateAuth:AvailableChallenges when you don't
  request a PREFERRED_CHALLENGE." A preferred challenge the user cannot answer gets the same
  SELECT_CHALLENGE answer (ours: AWS does not say).
* Answers: API RespondToAuthChallenge `ChallengeResponses`: `SELECT_CHALLENGE` with `ANSWER`
  ("It must be one of the challenge types in the AvailableChallenges response parameter") —
  PASSWORD completes with `PASSWORD` in the same answer; "For SMS_OTP and EMAIL_OTP, respond with
  the username and answer. Your user pool will send a code for the user to submit in the next
  challenge response."; `EMAIL_OTP` with `EMAIL_OTP_CODE`, `SMS_OTP` with `SMS_OTP_CODE`,
  `PASSWORD` with `PASSWORD`. A wrong code: `CodeMismatchException`; none outstanding / used:
  `ExpiredCodeException` (`codes`). `PREFERRED_CHALLENGE` PASSWORD with `PASSWORD` in
  `AuthParameters` completes at once (Amplify's `preferredChallenge: 'PASSWORD'` sends it so);
  without it the answer is a `PASSWORD` challenge (ours).
* A password chosen under USER_AUTH is checked as on the password flows (`user_existence`): wrong
  → `NotAuthorizedException` "Incorrect username or password.", RESET_REQUIRED →
  `PasswordResetRequiredException` (or `NotAuthorizedException` with ENABLED), FORCE_CHANGE_PASSWORD
  → `NEW_PASSWORD_REQUIRED` (moto answers it), then MFA as after any password.
* One-time passwords sign in users whatever their password state (RESET_REQUIRED included): an
  e-mail/SMS code proves the contact, not the password (ours; the import page's "users can sign in
  with email or SMS one-time passwords immediately after your import job completes", as issue 25
  quotes it, is the intent).
* UserMigration is not fired for passwordless sign-in: developer guide "Migrate user Lambda
  trigger": "Amazon Cognito doesn't invoke this trigger when users authenticate with passwordless
  sign-in." Whether it fires for the PASSWORD choice of USER_AUTH is not documented: here it does
  not (an unknown user gets the unknown-user answer) — an open question for the real service
  (README, "Open questions").
* E-mail MFA after a password (password flows and the PASSWORD choice): the `EMAIL_OTP` challenge
  with `CODE_DELIVERY_DELIVERY_MEDIUM` EMAIL and `CODE_DELIVERY_DESTINATION` (developer guide "SMS
  and email message MFA": "The ChallengeParameters in the API response includes a
  CODE_DELIVERY_DESTINATION value that indicates where the authorization code was sent."), answered
  with `EMAIL_OTP_CODE`; then "When a user completes their first MFA, Amazon Cognito marks their
  email address or phone number as verified." (`email_verified` true).
* WEB_AUTHN: offered when the user has a passkey; the challenge carries
  `CREDENTIAL_REQUEST_OPTIONS`, but no answer is accepted (`NotAuthorizedException`): the test bed
  has no authenticator to verify an assertion with (divergence).
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from typing import Any
from urllib.parse import parse_qs

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

from . import codes, email_mfa, factors, pool_shapes, request_context, sign_in, user_existence
from .wire import CognitoError, invalid_parameter, pool_and_client, user_pool

USER_AUTH = "USER_AUTH"
OTP_CHALLENGES = ("EMAIL_OTP", "SMS_OTP")
HEADER = "x-moto-otp-code"

_LOCK = threading.Lock()
# Session -> what it is for: pool, client, user name, the step answered next, the choices.
_SESSIONS: dict[str, dict[str, Any]] = {}


def reset() -> None:
    """Forget every session (moto's `/moto-api/reset`)."""
    with _LOCK:
        _SESSIONS.clear()


def new_session(pool: Any, client: Any, user: Any, step: str, **extra: Any) -> str:
    session = f"testbed-{uuid.uuid4()}"
    with _LOCK:
        _SESSIONS[session] = {
            "pool_id": pool.id,
            "client_id": client.id,
            "username": user.username,
            "step": step,
            **extra,
        }
    return session


def send_code(pool: Any, user: Any, challenge: str) -> dict[str, str]:
    """Issue the code of `challenge` (EMAIL_OTP / SMS_OTP) and put it in the test-only header;
    the challenge parameters that say where it went."""
    code = codes.issue(pool.id, user.username, challenge)
    request_context.cache().setdefault("headers", []).append((HEADER, code))
    if challenge == "EMAIL_OTP":
        local, _, domain = (user.attribute_lookup.get("email") or "").partition("@")
        where = sign_in.masked_email(local, domain)
    else:
        where = sign_in.masked_phone((user.attribute_lookup.get("phone_number") or "")[-4:])
    return {
        "CODE_DELIVERY_DELIVERY_MEDIUM": where["DeliveryMedium"],
        "CODE_DELIVERY_DESTINATION": where["Destination"],
    }


def tokens(backend: Any, pool: Any, client: Any, user: Any) -> dict[str, Any]:
    return backend._log_user_in(pool, client, user.username)


def moto_challenge(backend: Any, pool: Any, user: Any, name: str) -> dict[str, Any]:
    """A challenge moto's RespondToAuthChallenge answers (its session store)."""
    session = str(uuid.uuid4())
    backend.sessions[session] = (user.username, pool)
    return {"ChallengeName": name, "ChallengeParameters": {"USERNAME": user.username}, "Session": session}


def after_password(backend: Any, pool: Any, client: Any, user: Any) -> dict[str, Any]:
    """What a right password leads to: a new password, MFA, or tokens."""
    if user.status == UserStatus.FORCE_CHANGE_PASSWORD:
        return moto_challenge(backend, pool, user, "NEW_PASSWORD_REQUIRED")
    if email_mfa.applies_at_sign_in(pool, user):
        return email_mfa_challenge(pool, client, user)
    if pool.mfa_config in ("ON", "OPTIONAL"):
        if user.software_token_mfa_enabled and user.preferred_mfa_setting == "SOFTWARE_TOKEN_MFA":
            return moto_challenge(backend, pool, user, "SOFTWARE_TOKEN_MFA")
        if user.sms_mfa_enabled and user.preferred_mfa_setting == "SMS_MFA":
            return moto_challenge(backend, pool, user, "SMS_MFA")
    return tokens(backend, pool, client, user)


def email_mfa_challenge(pool: Any, client: Any, user: Any) -> dict[str, Any]:
    parameters = send_code(pool, user, "EMAIL_OTP")
    session = new_session(pool, client, user, "EMAIL_OTP", mfa=True)
    return {
        "ChallengeName": "EMAIL_OTP",
        "ChallengeParameters": {"USERNAME": user.username, **parameters},
        "Session": session,
    }


def check_password(client: Any, user: Any, password: Any) -> None:
    """The password checks of the password flows (`sign_in.password_sign_in`)."""
    if user.status == UserStatus.RESET_REQUIRED:
        raise user_existence.reset_required(client)
    if user.password is None or user.password != password:
        raise user_existence.wrong_password()


def start(
    backend: Any, pool: Any, client: Any, user: Any, choice: str, answers: dict[str, Any]
) -> dict[str, Any]:
    """Begin (or, for PASSWORD with the password given, finish) the chosen first factor."""
    if choice == "PASSWORD":
        if "PASSWORD" in answers:
            check_password(client, user, answers.get("PASSWORD"))
            return after_password(backend, pool, client, user)
        session = new_session(pool, client, user, "PASSWORD")
        return {
            "ChallengeName": "PASSWORD",
            "ChallengeParameters": {"USERNAME": user.username},
            "Session": session,
        }
    if choice in OTP_CHALLENGES:
        parameters = send_code(pool, user, choice)
        session = new_session(pool, client, user, choice, mfa=False)
        return {
            "ChallengeName": choice,
            "ChallengeParameters": {"USERNAME": user.username, **parameters},
            "Session": session,
        }
    # WEB_AUTHN
    options = {
        "challenge": secrets.token_urlsafe(32),
        "rpId": (getattr(pool, "testbed_webauthn_config", None) or {}).get("RelyingPartyId")
        or "localhost",
        "allowCredentials": [
            {"type": "public-key", "id": passkey["CredentialId"]}
            for passkey in factors.passkeys(user)
        ],
        "userVerification": "preferred",
        "timeout": 180000,
    }
    session = new_session(pool, client, user, "WEB_AUTHN")
    return {
        "ChallengeName": "WEB_AUTHN",
        "ChallengeParameters": {
            "USERNAME": user.username,
            "CREDENTIAL_REQUEST_OPTIONS": json.dumps(options),
        },
        "Session": session,
    }


def initiate_user_auth(backend: Any, pool: Any, client: Any, parameters: dict[str, Any]) -> Any:
    """`AuthFlow` USER_AUTH."""
    factors.require_essentials(pool, "Choice-based sign-in (USER_AUTH)")
    flows = client.extended_config.get("ExplicitAuthFlows") or []
    if "ALLOW_USER_AUTH" not in flows:
        raise invalid_parameter("USER_AUTH flow not enabled for this client")
    parameters = dict(parameters or {})
    typed = parameters.get("USERNAME")
    if not typed:
        raise invalid_parameter("Missing required parameter USERNAME")
    user = pool_shapes.find_user(pool, typed)
    if user is None:
        # No UserMigration here (module docstring): the unknown-user answer of the client.
        raise user_existence.unknown_user_at_sign_in(client)
    if not user.enabled:
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    if user.status == UserStatus.UNCONFIRMED:
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    available = factors.configured_factors(pool, user)
    preferred = parameters.get("PREFERRED_CHALLENGE")
    if preferred in available:
        return start(backend, pool, client, user, preferred, parameters)
    session = new_session(pool, client, user, "SELECT_CHALLENGE", available=available)
    return {
        "ChallengeName": "SELECT_CHALLENGE",
        "ChallengeParameters": {"USERNAME": user.username},
        "Session": session,
        "AvailableChallenges": available,
    }


def email_mfa_first(pool: Any, client: Any, parameters: dict[str, Any]) -> Any:
    """The EMAIL_OTP challenge for a right password on a password flow, or None when the
    password flow goes on as before (unknown user, wrong password, no e-mail MFA...)."""
    user = pool_shapes.find_user(pool, (parameters or {}).get("USERNAME"))
    if user is None or not user.enabled or user.status != UserStatus.CONFIRMED:
        return None
    if user.password is None or user.password != (parameters or {}).get("PASSWORD"):
        return None
    if not email_mfa.applies_at_sign_in(pool, user):
        return None
    return email_mfa_challenge(pool, client, user)


def respond(
    backend: Any, state: dict[str, Any], session: str, name: str, answers: dict[str, Any]
) -> Any:
    """An answer to one of our sessions."""
    pool = backend.user_pools.get(state["pool_id"])
    client = pool.clients.get(state["client_id"]) if pool is not None else None
    user = pool.users.get(state["username"]) if pool is not None else None
    if pool is None or client is None or user is None:
        raise CognitoError("NotAuthorizedException", "Invalid session for the user.")
    if name != state["step"]:
        raise invalid_parameter(f"The session expects a {state['step']} answer, not {name}.")
    if name == "SELECT_CHALLENGE":
        choice = answers.get("ANSWER")
        if choice not in state.get("available", []):
            raise invalid_parameter(f"{choice} is not one of the available challenges.")
        forget(session)
        return start(backend, pool, client, user, choice, answers)
    if name == "PASSWORD":
        check_password(client, user, answers.get("PASSWORD"))
        forget(session)
        return after_password(backend, pool, client, user)
    if name in OTP_CHALLENGES:
        codes.redeem(pool.id, user.username, name, answers.get(f"{name}_CODE"))
        forget(session)
        if state.get("mfa") and name == "EMAIL_OTP":
            user.update_attributes([{"Name": "email_verified", "Value": "true"}])
        return tokens(backend, pool, client, user)
    # WEB_AUTHN
    raise CognitoError(
        "NotAuthorizedException",
        "The test bed cannot verify a WebAuthn assertion (no authenticator).",
    )


def forget(session: str) -> None:
    with _LOCK:
        _SESSIONS.pop(session, None)


def sign_in_code_route(ctx: Any, query: str) -> dict[str, Any]:
    """The test-only `GET /_testbed/sign-in-code`."""
    fields = {key: values[0] for key, values in parse_qs(query).items()}
    pool = user_pool(ctx, fields.get("UserPoolId", ""))
    user = pool_shapes.find_user(pool, fields.get("Username"))
    challenge = fields.get("ChallengeName", "EMAIL_OTP")
    code = codes.pending(pool.id, user.username, challenge) if user is not None else None
    if code is None:
        raise CognitoError("ResourceNotFoundException", "No code outstanding for that user.")
    return {"Code": code}


def install() -> None:
    """Wrap the sign-in operations (after `sign_in` and `srp`, whose hooks these call)."""
    initiate_auth = CognitoIdpBackend.initiate_auth
    admin_initiate_auth = CognitoIdpBackend.admin_initiate_auth
    respond_to_auth_challenge = CognitoIdpBackend.respond_to_auth_challenge

    def initiate_auth_hook(self: Any, client_id: str, auth_flow: str, auth_parameters: dict) -> Any:
        pool, client = pool_and_client(self, client_id)
        if pool is not None and auth_flow == USER_AUTH:
            return initiate_user_auth(self, pool, client, auth_parameters)
        if pool is not None and auth_flow == "USER_PASSWORD_AUTH":
            challenge = email_mfa_first(pool, client, auth_parameters)
            if challenge is not None:
                return challenge
        return initiate_auth(self, client_id, auth_flow, auth_parameters)

    def admin_initiate_auth_hook(
        self: Any, user_pool_id: str, client_id: str, auth_flow: str, auth_parameters: dict
    ) -> Any:
        pool = self.user_pools.get(user_pool_id)
        client = pool.clients.get(client_id) if pool is not None else None
        if client is not None and auth_flow == USER_AUTH:
            return initiate_user_auth(self, pool, client, auth_parameters)
        if client is not None and auth_flow in ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"):
            challenge = email_mfa_first(pool, client, auth_parameters)
            if challenge is not None:
                return challenge
        return admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters)

    def respond_to_auth_challenge_hook(
        self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict
    ) -> Any:
        with _LOCK:
            state = dict(_SESSIONS[session]) if session in _SESSIONS else None
        if state is None:
            return respond_to_auth_challenge(
                self, session, client_id, challenge_name, challenge_responses
            )
        if state["client_id"] != client_id:
            raise CognitoError("NotAuthorizedException", "Invalid session for the user.")
        return respond(self, state, session, challenge_name, dict(challenge_responses or {}))

    CognitoIdpBackend.initiate_auth = initiate_auth_hook
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth_hook
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge_hook
