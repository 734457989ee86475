"""USER_SRP_AUTH verified for real: the PASSWORD_VERIFIER answer must prove the user's password.

moto 5.2.5 answers USER_SRP_AUTH with a random `SRP_B` and `SALT` and then issues tokens for any
`PASSWORD_CLAIM_SIGNATURE`, so a wrong password signed in. moto keeps each user's password in
plain text, so the test bed can be the SRP server Cognito is: it derives the verifier from the
password at the first step and checks the client's proof at the second, with the group, hash and
key derivation the Cognito client libraries use (amazon-cognito-identity-js `AuthenticationHelper`,
Amplify v6, pycognito): the 3072-bit group of RFC 5054 with g = 2, SHA-256,
`k = H(N | g)`, `x = H(salt | H(poolName | userId | ":" | password))`, `u = H(A | B)`,
`S = (A * v^u)^b mod N`, the key = HKDF-SHA256(S, salt u, info "Caldera Derived Key")[:16] and
the signature = HMAC-SHA256(key, poolName | userId | secretBlock | timestamp), base64.

AWS pages and sentences followed:

* The flow (API reference, InitiateAuth, AuthParameters,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_InitiateAuth.html):
  "USER_SRP_AUTH: USERNAME (required), SRP_A (required), SECRET_HASH (required if the app client
  is configured with a client secret), DEVICE_KEY." and RespondToAuthChallenge,
  ChallengeResponses: "PASSWORD_VERIFIER: PASSWORD_CLAIM_SIGNATURE, PASSWORD_CLAIM_SECRET_BLOCK,
  TIMESTAMP, USERNAME".
* A wrong password (API reference, RespondToAuthChallenge, Errors): "NotAuthorizedException: This
  exception is thrown when a user isn't authorized.", with the message of the password flows,
  "Incorrect username or password." (`user_existence.INCORRECT`).
* A user the pool does not have (developer guide, "Managing user existence error responses",
  https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
  "When someone attempts SRP sign-in with a username that isn't known to your app client, Amazon
  Cognito returns a simulated response in the first step as described in RFC 5054. Amazon Cognito
  returns the same salt and an internal user ID in UUID format for the same username and user pool
  combination. When you send a RespondToAuthChallenge API request with proof of password, Amazon
  Cognito returns a generic NotAuthorizedException error when either username or password is
  incorrect." That is with PreventUserExistenceErrors ENABLED; a LEGACY client answers
  `UserNotFoundException` at the first step ("When this property has a value of LEGACY, your app
  client returns a UserNotFoundException error response when a user attempts to sign in with a
  username that doesn't exist in your user pool."). A RESET_REQUIRED user (no password to prove)
  is answered `PasswordResetRequiredException` on LEGACY and like an unknown user on ENABLED, as
  the password flows do ("during authentication of imported users a generic
  NotAuthorizedException error is returned").
* No migration on SRP (developer guide, "Importing users with a user migration Lambda trigger",
  https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-import-using-lambda.html):
  "your app must not use the default USER_SRP_AUTH flow since the SDK does not send the password
  to the server in the SRP authentication flow". An unknown user is never handed to the
  UserMigration trigger here.

After a valid proof the user's state decides as on the password flows (disabled:
`NotAuthorizedException` "User is disabled."; UNCONFIRMED: `UserNotConfirmedException`), then
moto continues (NEW_PASSWORD_REQUIRED, MFA challenges, tokens with PreTokenGeneration). Each
secret block answers once. Ours (AWS does not document them): the `TIMESTAMP` is not checked
against the clock; a missing or malformed `SRP_A` is `InvalidParameterException`; a secret block
that is unknown, used, or from another app client is `NotAuthorizedException` "Invalid session for
the user."; `DEVICE_SRP_AUTH` stays moto's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus
from moto.cognitoidp.utils import check_secret_hash

from . import pool_shapes, user_existence
from .wire import CognitoError, invalid_parameter, pool_and_client

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D"
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D"
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9"
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64"
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B"
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31"
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key\x01"

INVALID_SESSION = "Invalid session for the user."

# A key of this server process: simulated salts and user ids are the same for the same name and
# pool while it runs, and differ from any other run.
_KEY = secrets.token_bytes(32)
_LOCK = threading.Lock()


@dataclass
class Challenge:
    """One PASSWORD_VERIFIER challenge, keyed by its secret block."""

    pool_id: str
    client_id: str
    username: str | None  # None: simulated (the user cannot sign in)
    user_id: str
    a: int
    b: int
    big_b: int
    verifier: int


_CHALLENGES: dict[str, Challenge] = {}


def pad_hex(value: int) -> str:
    """The client libraries' `padHex`: even length, and a leading 00 when the top bit is set."""
    text = f"{value:x}"
    if len(text) % 2:
        return "0" + text
    if text[0] in "89abcdef":
        return "00" + text
    return text


def hex_hash(hex_text: str) -> str:
    """SHA-256 of the bytes a hex string spells, as 64 hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest()


K = int(hex_hash(pad_hex(N) + pad_hex(G)), 16)


def pool_name(pool_id: str) -> str:
    """The part of the pool id after the region, which Cognito's SRP hashes."""
    return pool_id.split("_", 1)[1]


def derive(*parts: str) -> bytes:
    """A value of this process fixed by `parts`."""
    return hmac.new(_KEY, "\0".join(parts).encode(), hashlib.sha256).digest()


def salt_hex(*parts: str) -> str:
    """16 bytes of salt, the first in 0x10..0x7f so that every client pads it the same way."""
    raw = bytearray(derive("salt", *parts)[:16])
    raw[0] = 0x10 + raw[0] % 0x70
    return raw.hex()


def verifier_of(pool_id: str, user_id: str, password: str, salt: str) -> int:
    """v = g^x mod N for the user's password."""
    inner = hashlib.sha256(f"{pool_name(pool_id)}{user_id}:{password}".encode()).hexdigest()
    x = int(hex_hash(pad_hex(int(salt, 16)) + inner), 16)
    return pow(G, x, N)


def session_key(challenge: Challenge) -> bytes:
    """The 16-byte key both sides derive from S and u."""
    u = int(hex_hash(pad_hex(challenge.a) + pad_hex(challenge.big_b)), 16)
    s = pow(challenge.a * pow(challenge.verifier, u, N), challenge.b, N)
    prk = hmac.new(bytes.fromhex(pad_hex(u)), bytes.fromhex(pad_hex(s)), hashlib.sha256).digest()
    return hmac.new(prk, INFO, hashlib.sha256).digest()[:16]


def start(pool: Any, client: Any, parameters: dict[str, Any]) -> dict[str, Any]:
    """The first step: PASSWORD_VERIFIER with this user's salt and B (or a simulated one)."""
    parameters = parameters or {}
    typed = parameters.get("USERNAME")
    if not isinstance(typed, str) or not typed:
        raise invalid_parameter("Missing required parameter USERNAME")
    try:
        a = int(str(parameters.get("SRP_A") or ""), 16)
    except ValueError:
        raise invalid_parameter("SRP_A is not a hexadecimal number.") from None
    if a % N == 0:
        raise invalid_parameter("SRP_A is not a valid SRP value.")
    if client.generate_secret and not check_secret_hash(
        client.secret, client.id, typed, parameters.get("SECRET_HASH")
    ):
        raise CognitoError(
            "NotAuthorizedException", f"Unable to verify secret hash for client {client.id}"
        )

    user = pool_shapes.find_user(pool, typed)
    if user is not None and user.status == UserStatus.RESET_REQUIRED:
        if not user_existence.prevents_errors(client):
            raise user_existence.reset_required(client)
        user = None
    if user is None and not user_existence.prevents_errors(client):
        raise user_existence.unknown_user_at_sign_in(client)

    if user is not None and user.password is not None:
        user_id = user.username
        salt = salt_hex(pool.id, "user", user.username, user.password)
        verifier = verifier_of(pool.id, user_id, user.password, salt)
        username: str | None = user.username
    else:
        # RFC 5054 2.5.1.3: answer as for a user, with a verifier nobody knows the password of.
        name = pool_shapes.folded(pool, typed)
        user_id = str(uuid.UUID(bytes=derive("id", pool.id, name)[:16], version=4))
        salt = salt_hex(pool.id, "unknown", name)
        verifier = pow(G, int.from_bytes(secrets.token_bytes(32), "big"), N)
        username = None
    b = int.from_bytes(secrets.token_bytes(128), "big") % N
    big_b = (K * verifier + pow(G, b, N)) % N
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    challenge = Challenge(pool.id, client.id, username, user_id, a, b, big_b, verifier)
    with _LOCK:
        _CHALLENGES[secret_block] = challenge
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": f"{big_b:x}",
            "SECRET_BLOCK": secret_block,
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    }


def verify(backend: Any, client_id: str, responses: dict[str, Any]) -> tuple[Any, Any]:
    """The second step: the pool and user whose password the claim proves, or
    `NotAuthorizedException`."""
    responses = responses or {}
    secret_block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK")
    with _LOCK:
        challenge = _CHALLENGES.pop(secret_block, None) if isinstance(secret_block, str) else None
    if challenge is None or challenge.client_id != client_id:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    pool = backend.user_pools.get(challenge.pool_id)
    client = pool.clients.get(client_id) if pool is not None else None
    if client is None:
        raise CognitoError("NotAuthorizedException", INVALID_SESSION)
    timestamp = responses.get("TIMESTAMP")
    signature = responses.get("PASSWORD_CLAIM_SIGNATURE")
    if not isinstance(timestamp, str) or not isinstance(signature, str):
        raise user_existence.wrong_password()
    try:
        claimed = base64.b64decode(signature, validate=True)
    except ValueError:
        raise user_existence.wrong_password() from None
    message = (
        pool_name(challenge.pool_id).encode()
        + challenge.user_id.encode()
        + base64.b64decode(secret_block)
        + timestamp.encode()
    )
    expected = hmac.new(session_key(challenge), message, hashlib.sha256).digest()
    user = pool.users.get(challenge.username) if challenge.username is not None else None
    if user is None or not hmac.compare_digest(claimed, expected):
        raise user_existence.wrong_password()
    return pool, user


def reset() -> None:
    """Forget every open challenge (moto's `/moto-api/reset`)."""
    with _LOCK:
        _CHALLENGES.clear()


def install() -> None:
    """Answer USER_SRP_AUTH on InitiateAuth and AdminInitiateAuth, and PASSWORD_VERIFIER on
    (Admin)RespondToAuthChallenge; every other flow and challenge goes on to the hooks before."""
    initiate_auth = CognitoIdpBackend.initiate_auth
    admin_initiate_auth = CognitoIdpBackend.admin_initiate_auth
    respond_to_auth_challenge = CognitoIdpBackend.respond_to_auth_challenge

    def initiate_auth_hook(self: Any, client_id: str, auth_flow: str, auth_parameters: dict) -> Any:
        pool, client = pool_and_client(self, client_id)
        if pool is None or auth_flow != "USER_SRP_AUTH":
            return initiate_auth(self, client_id, auth_flow, auth_parameters)
        return start(pool, client, auth_parameters)

    def admin_initiate_auth_hook(
        self: Any, user_pool_id: str, client_id: str, auth_flow: str, auth_parameters: dict
    ) -> Any:
        pool = self.user_pools.get(user_pool_id)
        client = pool.clients.get(client_id) if pool is not None else None
        if client is None or auth_flow != "USER_SRP_AUTH":
            return admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters)
        return start(pool, client, auth_parameters)

    def respond_to_auth_challenge_hook(
        self: Any, session: str, client_id: str, challenge_name: str, challenge_responses: dict
    ) -> Any:
        if challenge_name != "PASSWORD_VERIFIER":
            return respond_to_auth_challenge(
                self, session, client_id, challenge_name, challenge_responses
            )
        pool, user = verify(self, client_id, challenge_responses)
        if not user.enabled:
            raise CognitoError("NotAuthorizedException", "User is disabled.")
        if user.status == UserStatus.UNCONFIRMED:
            raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
        # moto continues from its own session, keyed by the secret block.
        secret_block = challenge_responses["PASSWORD_CLAIM_SECRET_BLOCK"]
        self.sessions[secret_block] = (user.username, pool)
        responses = dict(challenge_responses, USERNAME=user.username)
        return respond_to_auth_challenge(self, session, client_id, challenge_name, responses)

    CognitoIdpBackend.initiate_auth = initiate_auth_hook
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth_hook
    CognitoIdpBackend.respond_to_auth_challenge = respond_to_auth_challenge_hook
