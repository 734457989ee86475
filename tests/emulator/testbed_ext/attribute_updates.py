"""A user's own attribute changes (`UpdateUserAttributes`, `VerifyUserAttribute`) and the pool's
`UserAttributeUpdateSettings`, so the test bed shows what an attacker who signed up can do to
the names other users sign in with.

moto 5.2.5 applies `UpdateUserAttributes` as given: no app-client permission, no alias rule, the
new e-mail/phone keeps the old `*_verified` flag, and it has no `VerifyUserAttribute`. AWS pages
and sentences followed (quoted in README.md's table):

* The app client's write permission (API reference, `CreateUserPoolClient`, `WriteAttributes`,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html):
  "After your user authenticates in your app, their access token authorizes them to set or modify
  their own attribute value for any attribute in this list." "When you don't specify the
  WriteAttributes for your app client, your app can write the values of the Standard attributes
  of your user pool." The refusal is the `NotAuthorizedException` the API reference of
  `UpdateUserAttributes` lists ("This exception is thrown when a user isn't authorized."); its
  message "A client attempted to write unauthorized attribute" is the one AWS answers (not on a
  documentation page; amazon-cognito-identity-js issue #397).
* Aliases: the same rules as `AdminUpdateUserAttributes` (`pool_shapes.claim_aliases`): "Alias
  values must be unique in a user pool." and, on e-mail/phone-as-user-name pools, "The email or
  phone number must be unique, and it must not already be in use by another user."
* Pending changes (API reference, `UserAttributeUpdateSettingsType`,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserAttributeUpdateSettingsType.html):
  "Amazon Cognito doesn't change the value of the attribute until your user responds to the
  verification message and confirms the new value." "You can verify an updated email address or
  phone number with a VerifyUserAttribute API request. You can also call the
  AdminUpdateUserAttributes API and set email_verified or phone_number_verified to true." "In a
  user pool where AttributesRequireVerificationBeforeUpdate is false, API operations that change
  attribute values can immediately update a user's email or phone_number attribute." Until then
  the old value stays the user's verified e-mail/phone (and its alias). Without the setting a new
  e-mail/phone replaces the old one unverified (our reading of "Only the email and phone_number
  attributes can be verified": a new address has not been), so it is no active alias until
  verified ("Phone numbers and email addresses only become active aliases for a user after the
  phone numbers and email addresses are verified.").
* `VerifyUserAttribute` (API reference,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_VerifyUserAttribute.html):
  "Verifies the specified user attributes in the user pool." It takes the access token,
  `AttributeName` and `Code`; a pending value takes effect verified, subject to the alias rules
  (`AliasExistsException`). Any non-empty code is accepted, as moto's ConfirmSignUp does (the test
  bed sends no messages).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from moto.cognitoidp.models import CognitoIdpBackend, cognitoidp_backends

from . import pool_shapes
from .wire import CallContext, CognitoError, invalid_parameter, require_string

# API reference shapes of VerifyUserAttribute (the botocore model of cognito-idp).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9-_=.]+")
ATTRIBUTE_NAME_PATTERN = re.compile(r"\S+")
CODE_PATTERN = re.compile(r"\S+")

# Pending e-mail/phone changes: (pool id, user name) -> {attribute: new value}.
PENDING: dict[tuple[str, str], dict[str, str]] = {}


def as_map(attributes: list[dict[str, Any]] | None) -> dict[str, str]:
    """`[{"Name", "Value"}]` as a map."""
    return {item["Name"]: item.get("Value", "") for item in attributes or [] if "Name" in item}


def token_owner(access_token: str) -> tuple[Any, Any, Any]:
    """The pool, app client and user an access token was issued to, or `NotAuthorizedException`."""
    for regions in list(cognitoidp_backends.values()):
        for backend in list(regions.values()):
            for pool in list(backend.user_pools.values()):
                if access_token in pool.access_tokens:
                    client_id, username = pool.access_tokens[access_token]
                    user = pool_shapes.find_user(pool, username)
                    if user is None:
                        raise CognitoError("NotAuthorizedException", "User does not exist.")
                    return pool, pool.clients.get(client_id), user
    raise CognitoError("NotAuthorizedException", "Invalid Access Token")


def client_may_write(client: Any, name: str) -> bool:
    """Whether the app client's `WriteAttributes` lets its users write `name`: the listed
    attributes, or every standard attribute when the list is not set."""
    listed = (client.extended_config.get("WriteAttributes") if client is not None else None) or []
    if listed:
        return name in listed
    return not name.startswith(("custom:", "dev:")) and not name.endswith("_verified")


def requiring_verification(pool: Any) -> list[str]:
    """`UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate` at CreateUserPool."""
    settings = pool.extended_config.get("UserAttributeUpdateSettings") or {}
    return list(settings.get("AttributesRequireVerificationBeforeUpdate") or [])


def split_update(pool: Any, user: Any, given: dict[str, str], admin: bool) -> dict[str, str]:
    """What takes effect now; changes the pool keeps pending are recorded in `PENDING`. A new
    e-mail/phone that takes effect now is unverified unless the call says otherwise."""
    now = dict(given)
    current = user.attribute_lookup
    pending: dict[str, str] = {}
    for name in pool_shapes.VERIFIABLE:
        if name not in given or given[name] == current.get(name):
            continue
        verified_here = admin and pool_shapes.is_verified(given, name)
        if name in requiring_verification(pool) and not verified_here:
            pending[name] = now.pop(name)
            now.pop(f"{name}_verified", None)
        elif f"{name}_verified" not in given:
            now[f"{name}_verified"] = "false"
    if pending:
        PENDING.setdefault((pool.id, user.username), {}).update(pending)
    return now


def apply(pool: Any, user: Any, now: dict[str, str]) -> None:
    """Check the aliases `now` makes active, then change the user."""
    final = dict(user.attribute_lookup, **now)
    pool_shapes.claim_aliases(pool, final, user, force=False)
    if now:
        user.update_attributes([{"Name": k, "Value": v} for k, v in now.items()])


def verify_user_attribute(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """`VerifyUserAttribute`: a pending e-mail/phone takes effect, verified; otherwise the
    current value becomes verified."""
    del ctx  # the access token names the pool, whatever the signature's region
    token = require_string(body, "AccessToken", TOKEN_PATTERN, 1, 100_000)
    name = require_string(body, "AttributeName", ATTRIBUTE_NAME_PATTERN, 1, 32)
    require_string(body, "Code", CODE_PATTERN, 1, 2048)
    pool, _client, user = token_owner(token)
    if name not in pool_shapes.VERIFIABLE:
        raise invalid_parameter("Only the email and phone_number attributes can be verified.")
    waiting = PENDING.get((pool.id, user.username), {})
    value = waiting.get(name, user.attribute_lookup.get(name))
    if not value:
        raise invalid_parameter(f"The user has no {name} to verify.")
    apply(pool, user, {name: value, f"{name}_verified": "true"})
    waiting.pop(name, None)
    return {}


OPERATIONS: dict[str, Callable[[CallContext, dict[str, Any]], dict[str, Any]]] = {
    "VerifyUserAttribute": verify_user_attribute,
}


def install() -> None:
    """Replace moto's update_user_attributes; wrap admin_update_user_attributes (which
    `user_creation` already checks aliases for) with the pending rule."""
    admin_update = CognitoIdpBackend.admin_update_user_attributes

    def update_user_attributes_hook(self: Any, access_token: str, attributes: list) -> None:
        pool, client, user = token_owner(access_token)
        given = as_map(attributes)
        if any(not client_may_write(client, name) for name in given):
            raise CognitoError(
                "NotAuthorizedException", "A client attempted to write unauthorized attribute"
            )
        apply(pool, user, split_update(pool, user, given, admin=False))

    def admin_update_user_attributes_hook(
        self: Any, user_pool_id: str, username: str, attributes: list
    ) -> None:
        pool = self.describe_user_pool(user_pool_id)
        user = pool_shapes.find_user(pool, username)
        if user is None:
            return admin_update(self, user_pool_id, username, attributes)
        now = split_update(pool, user, as_map(attributes), admin=True)
        return admin_update(
            self, user_pool_id, username, [{"Name": k, "Value": v} for k, v in now.items()]
        )

    CognitoIdpBackend.update_user_attributes = update_user_attributes_hook
    CognitoIdpBackend.admin_update_user_attributes = admin_update_user_attributes_hook
