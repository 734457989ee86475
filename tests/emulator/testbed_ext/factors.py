"""Feature plans, the sign-in policy and each user's sign-in factors, as AWS documents them.

moto 5.2.5 stores whatever CreateUserPool is sent and refuses nothing here; it has no
`AdminGetUserAuthFactors` and no passkeys. This module adds:

* `UserPoolTier` (LITE / ESSENTIALS / PLUS) on CreateUserPool / UpdateUserPool /
  DescribeUserPool, defaulting to ESSENTIALS. API reference, CreateUserPool / UpdateUserPool /
  UserPoolType, UserPoolTier
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html):
  "The user pool feature plan, or tier. This parameter determines the eligibility of the user pool
  for features like managed login, access-token customization, and threat protection. Defaults to
  ESSENTIALS." A value outside the enum is refused with AWS's validation wording.
* `Policies.SignInPolicy.AllowedFirstAuthFactors` round-tripped (default `[PASSWORD]`, as the
  CDK's `SignInPolicy` documents "Default: - Password only"); values outside PASSWORD / EMAIL_OTP /
  SMS_OTP / WEB_AUTHN refused. API reference, SignInPolicyType: "SOFTWARE_TOKEN is not currently
  supported as a first auth factor. Do not include this value in AllowedFirstAuthFactors." and
  "Array Members: Minimum number of 1 item." A first factor other than PASSWORD on a LITE pool is
  `FeatureUnavailableInTierException`: SignInPolicyType "To activate this setting, your user pool
  must be in the Essentials tier or higher." with the exception's own page
  (API_CreateUserPool / API_UpdateUserPool Errors): "This exception is thrown when a feature that
  you attempted to use or configure isn't included in your user pool's current feature plan. This
  can occur when: You configure a feature that your feature plan doesn't support." (the message
  wording is ours).
* UpdateUserPool keeps what its request cannot carry (`UsernameAttributes`, `AliasAttributes`,
  `UsernameConfiguration`, `Schema`): moto's UpdateUserPool dropped them, so a pool switched to
  another tier lost its sign-in shape (AWS's UpdateUserPool has no such members).
* `AdminGetUserAuthFactors` and `GetUserAuthFactors`: `Username`, `PreferredMfaSetting`,
  `UserMFASettingList` (as AdminGetUser) and `ConfiguredUserAuthFactors`. API reference,
  AdminGetUserAuthFactors: "The user's options for choice-based authentication with the USER_AUTH
  flow. The list of options in the response to this query are eligible … selections for
  PREFERRED_CHALLENGE and are returned in AdminInitiateAuth:AvailableChallenges when you don't
  request a PREFERRED_CHALLENGE." So the list is what the pool allows as a first factor (its
  SignInPolicy) and the user can answer: PASSWORD when the user has a password, EMAIL_OTP /
  SMS_OTP when the user has a verified e-mail / phone number, WEB_AUTHN when the user has a
  passkey. (The user-side conditions are ours: AWS lists the values, not how it derives them;
  developer guide "Signing up and confirming user accounts" ties passwordless sign-in to the
  attributes the pool verifies: "Your user pool automatically verifies the attributes that users
  can use with passwordless sign-in.")
* Sign-up without a password. API reference, SignUp `Password`
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SignUp.html):
  "Users can sign up without a password when your user pool supports passwordless sign-in with
  email or SMS OTPs. To create a user with no password, omit this parameter or submit a blank
  value. You can only create a passwordless user when passwordless sign-in is available." With
  the developer guide "Signing up and confirming user accounts" ("Users provide attribute values
  for the passwordless sign-in methods … that you permit"): a SignUp without `Password` is
  accepted where the pool's `AllowedFirstAuthFactors` hold `EMAIL_OTP` (and the request gives an
  `email`) or `SMS_OTP` (and a `phone_number`); the user has no password (`ConfiguredUserAuthFactors`
  without PASSWORD). Elsewhere it is refused with `InvalidParameterException` (wording ours),
  before anything is created. moto checked the missing password as a string and failed.
* Passkeys: registering one needs a browser and an authenticator, so the test-only route
  `POST /_testbed/passkeys` `{"UserPoolId", "Username", "FriendlyCredentialName"?}` gives a user a
  passkey record (no AWS counterpart); `ListWebAuthnCredentials` (the user's access token) lists
  them. API reference, ListWebAuthnCredentials: "Generates a list of the currently signed-in
  user's registered passkey, or WebAuthn, credentials." — there is no admin operation that lists
  another user's passkeys.
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend

from . import pool_shapes, request_context
from .wire import (
    CognitoError,
    invalid_parameter,
    moto_backend,
    require_string,
    user_pool,
    validation_error,
)

TIERS = ("LITE", "ESSENTIALS", "PLUS")
DEFAULT_TIER = "ESSENTIALS"
FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
# What UpdateUserPool's request has no member for, so an update cannot change it.
NOT_UPDATABLE = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration", "Schema")
POOL_ID = re.compile(r"[\w-]+_[0-9a-zA-Z]+")


def tier(pool: Any) -> str:
    """The pool's feature plan."""
    return pool.extended_config.get("UserPoolTier") or DEFAULT_TIER


def feature_unavailable(feature: str) -> CognitoError:
    """`FeatureUnavailableInTierException` (message ours)."""
    return CognitoError(
        "FeatureUnavailableInTierException",
        f"{feature} is not available in the LITE feature plan: it needs the Essentials or Plus plan.",
    )


def require_essentials(pool: Any, feature: str) -> None:
    """Refuse `feature` on a LITE pool ("To activate this setting, your user pool must be in the
    Essentials tier or higher.")."""
    if tier(pool) == "LITE":
        raise feature_unavailable(feature)


def require_essentials_or(pool: Any, error: CognitoError) -> None:
    """Refuse with `error` on a LITE pool (operations whose error list lacks
    `FeatureUnavailableInTierException`)."""
    if tier(pool) == "LITE":
        raise error


def first_factors(pool: Any) -> list[str]:
    """The pool's `AllowedFirstAuthFactors` (PASSWORD when unset)."""
    policy = (pool.extended_config.get("Policies") or {}).get("SignInPolicy") or {}
    return list(policy.get("AllowedFirstAuthFactors") or ["PASSWORD"])


def check_pool_settings(config: dict[str, Any]) -> None:
    """The tier and sign-in policy of a CreateUserPool / UpdateUserPool request."""
    given_tier = config.get("UserPoolTier")
    if given_tier is not None and given_tier not in TIERS:
        raise validation_error(
            given_tier, "userPoolTier", f"Member must satisfy enum value set: [{', '.join(TIERS)}]"
        )
    policy = (config.get("Policies") or {}).get("SignInPolicy")
    if policy is None:
        return
    factors = policy.get("AllowedFirstAuthFactors")
    if factors is None:
        return
    if not isinstance(factors, list) or not 1 <= len(factors) <= 4:
        raise validation_error(
            factors,
            "policies.signInPolicy.allowedFirstAuthFactors",
            "Member must have length less than or equal to 4 and greater than or equal to 1",
        )
    for factor in factors:
        if factor not in FIRST_FACTORS:
            raise invalid_parameter(f"{factor} is not supported as a first authentication factor.")
    if (given_tier or DEFAULT_TIER) == "LITE" and any(f != "PASSWORD" for f in factors):
        raise feature_unavailable("Passwordless and passkey sign-in (SignInPolicy)")


def settle_pool(pool: Any) -> None:
    """Write the defaults DescribeUserPool shows: the tier, and the sign-in policy inside
    `Policies` (a new dict: moto's default `Policies` is shared by every pool)."""
    pool.extended_config["UserPoolTier"] = tier(pool)
    policies = dict(pool.extended_config.get("Policies") or {})
    policies["SignInPolicy"] = {"AllowedFirstAuthFactors": first_factors(pool)}
    pool.extended_config["Policies"] = policies


# --- a user's factors -------------------------------------------------------------------------


def passkeys(user: Any) -> list[dict[str, Any]]:
    """The passkeys given to the user (test-only route)."""
    return getattr(user, "testbed_passkeys", None) or []


def has_verified(user: Any, name: str) -> bool:
    return bool(user.attribute_lookup.get(name)) and pool_shapes.is_verified(
        user.attribute_lookup, name
    )


def configured_factors(pool: Any, user: Any) -> list[str]:
    """`ConfiguredUserAuthFactors`: what the pool allows first and the user can answer."""
    allowed = first_factors(pool)
    have = {
        "PASSWORD": bool(user.password),
        "EMAIL_OTP": has_verified(user, "email"),
        "SMS_OTP": has_verified(user, "phone_number"),
        "WEB_AUTHN": bool(passkeys(user)),
    }
    return [factor for factor in FIRST_FACTORS if factor in allowed and have[factor]]


def mfa_settings(user: Any) -> dict[str, Any]:
    """`UserMFASettingList` and `PreferredMfaSetting` as AdminGetUser shows them."""
    shown = user.to_json(extended=True, attributes_key="UserAttributes")
    answer = {"UserMFASettingList": shown.get("UserMFASettingList") or []}
    if shown.get("PreferredMfaSetting"):
        answer["PreferredMfaSetting"] = shown["PreferredMfaSetting"]
    return answer


def admin_get_user_auth_factors(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    pool_id = require_string(body, "UserPoolId", POOL_ID, 1, 55)
    username = body.get("Username")
    if not isinstance(username, str) or not username:
        raise validation_error(username, "username", "Member must not be null")
    pool = user_pool(ctx, pool_id)
    user = pool_shapes.find_user(pool, username)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return {
        "Username": user.username,
        **mfa_settings(user),
        "ConfiguredUserAuthFactors": configured_factors(pool, user),
    }


def signed_in_user(ctx: Any, access_token: Any) -> tuple[Any, Any]:
    """The pool and user an access token was issued to, or `NotAuthorizedException`."""
    backend = moto_backend(ctx.account_id, ctx.region)
    for pool in backend.user_pools.values():
        if isinstance(access_token, str) and access_token in pool.access_tokens:
            _client, username = pool.access_tokens[access_token]
            user = pool.users.get(username)
            if user is not None:
                return pool, user
    raise CognitoError("NotAuthorizedException", "Invalid Access Token")


def get_user_auth_factors(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    pool, user = signed_in_user(ctx, body.get("AccessToken"))
    return {
        "Username": user.username,
        **mfa_settings(user),
        "ConfiguredUserAuthFactors": configured_factors(pool, user),
    }


def list_webauthn_credentials(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    _pool, user = signed_in_user(ctx, body.get("AccessToken"))
    return {"Credentials": [dict(passkey) for passkey in passkeys(user)]}


def give_passkey(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    """The test-only `POST /_testbed/passkeys`: a passkey record for the user, as if registered
    with StartWebAuthnRegistration / CompleteWebAuthnRegistration in a browser."""
    pool_id = require_string(body, "UserPoolId", POOL_ID, 1, 55)
    pool = user_pool(ctx, pool_id)
    user = pool_shapes.find_user(pool, body.get("Username"))
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    relying_party = (
        (getattr(pool, "testbed_webauthn_config", None) or {}).get("RelyingPartyId")
        or "localhost"
    )
    passkey = {
        "CredentialId": secrets.token_urlsafe(32),
        "FriendlyCredentialName": body.get("FriendlyCredentialName") or "test-bed passkey",
        "RelyingPartyId": relying_party,
        "AuthenticatorAttachment": "platform",
        "AuthenticatorTransports": ["internal"],
        "CreatedAt": time.time(),
    }
    user.testbed_passkeys = passkeys(user) + [passkey]
    return {
        "CredentialId": passkey["CredentialId"],
        "x_testbed": {"username": user.username, "passkeys": len(user.testbed_passkeys)},
    }


OPERATIONS = {
    "AdminGetUserAuthFactors": admin_get_user_auth_factors,
    "GetUserAuthFactors": get_user_auth_factors,
    "ListWebAuthnCredentials": list_webauthn_credentials,
}


def check_passwordless_sign_up(pool: Any) -> None:
    """A SignUp without a password: only for the contact of a one-time-code first factor the
    pool allows (module docstring)."""
    body = request_context.body()
    given = {a.get("Name") for a in body.get("UserAttributes") or [] if a.get("Value")}
    typed = str(body.get("Username") or "")
    usable = [
        factor
        for factor, attribute in (("EMAIL_OTP", "email"), ("SMS_OTP", "phone_number"))
        if factor in first_factors(pool)
        and (attribute in given or attribute in (pool.extended_config.get("UsernameAttributes") or []))
    ]
    if not usable:
        raise invalid_parameter(
            f"Password is required: user pool {pool.id} has no passwordless sign-in (EMAIL_OTP or "
            f"SMS_OTP in AllowedFirstAuthFactors) for the attributes {sorted(given)} or {typed!r}."
        )


def install() -> None:
    """Wrap moto's CreateUserPool / UpdateUserPool, and its password check for SignUp."""
    create_user_pool = CognitoIdpBackend.create_user_pool
    update_user_pool = CognitoIdpBackend.update_user_pool
    validate_password = CognitoIdpBackend._validate_password

    def validate_password_hook(self: Any, user_pool_id: str, password: Any) -> None:
        if password or request_context.operation() != "SignUp":
            return validate_password(self, user_pool_id, password)
        check_passwordless_sign_up(self.describe_user_pool(user_pool_id))
        return None

    def create_user_pool_hook(self: Any, name: str, extended_config: dict[str, Any]) -> Any:
        check_pool_settings(extended_config or {})
        pool = create_user_pool(self, name, extended_config)
        settle_pool(pool)
        return pool

    def update_user_pool_hook(self: Any, user_pool_id: str, extended_config: dict[str, Any]) -> None:
        pool = self.describe_user_pool(user_pool_id)
        check_pool_settings(extended_config or {})
        kept = {key: pool.extended_config[key] for key in NOT_UPDATABLE if key in pool.extended_config}
        update_user_pool(self, user_pool_id, extended_config)
        for key in NOT_UPDATABLE:
            pool.extended_config.pop(key, None)
        pool.extended_config.update(kept)
        settle_pool(pool)

    CognitoIdpBackend.create_user_pool = create_user_pool_hook
    CognitoIdpBackend.update_user_pool = update_user_pool_hook
    CognitoIdpBackend._validate_password = validate_password_hook

