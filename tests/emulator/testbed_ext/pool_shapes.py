"""The pool shapes AWS documents, in one place: who a typed name is, and which names and
aliases a new or changed user may have.

`find_user` replaces moto's `CognitoIdpUserPool._get_user`, so AdminGetUser, sign-in,
SignUp/AdminCreateUser's duplicate check, ForgotPassword, ConfirmForgotPassword, group
operations and the import's duplicate check all resolve a typed name the same way.

AWS pages and sentences followed (quoted in README.md's table):

* Aliases (developer guide, "Working with user attributes", section Aliases,
  https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html):
  "If you mark an attribute as an alias, users can sign in using that attribute in place of the
  username." "Phone numbers and email addresses only become active aliases for a user after the
  phone numbers and email addresses are verified." "Alias values must be unique in a user pool.
  If an alias is configured for an email address or phone number, the value provided can be in a
  verified state in only one account." "If email is selected as an alias, a username can't match a
  valid email format. Similarly, if phone number is selected as an alias, a username that matches a
  valid phone number pattern is not accepted by the service for that user pool."
* Sign-in with e-mail or phone as user name (same page, Option 2): "The email or phone number must
  be unique, and it must not already be in use by another user. It does not have to be verified."
  "You can use an email address or phone number as an alias in place of the username in all APIs
  except the ListUsers API."
* Case (API reference, UsernameConfigurationType,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html):
  True: "users must sign in using the exact capitalization of their given username ... This is the
  default value." False: "users can sign in using username, USERNAME, or UserName. This option also
  enables both preferred_username and email alias to be case insensitive, in addition to the
  username attribute."
* Forced alias moves (API reference, AdminCreateUser `ForceAliasCreation`,
  https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html):
  "If this parameter is set to True and the phone number or email address specified in the
  UserAttributes parameter already exists as an alias with a different user, this request migrates
  the alias from the previous user to the newly-created user. The previous user will no longer be
  able to log in using that alias. If this parameter is set to False, the API throws an
  AliasExistsException error if the alias already exists."
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from moto.cognitoidp.models import CognitoIdpUserPool

from .wire import CognitoError, invalid_parameter

# Only these two attributes can be verified ("Only the email and phone_number attributes can be
# verified."); preferred_username is an alias without a verified state.
VERIFIABLE = ("email", "phone_number")
# Formats as moto's own validate_username_format uses them.
EMAIL_FORMAT = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE_FORMAT = re.compile(r"\+\d{1,15}")


def username_attributes(pool: Any) -> list[str]:
    """`UsernameAttributes` at CreateUserPool: email and/or phone_number instead of a user name."""
    return list(pool.extended_config.get("UsernameAttributes") or [])


def alias_attributes(pool: Any) -> list[str]:
    """`AliasAttributes` at CreateUserPool: email, phone_number, preferred_username."""
    return list(pool.extended_config.get("AliasAttributes") or [])


def case_sensitive(pool: Any) -> bool:
    """`UsernameConfiguration.CaseSensitive`; true when not given (the API's default)."""
    config = pool.extended_config.get("UsernameConfiguration") or {}
    return config.get("CaseSensitive", True) is not False


def folded(pool: Any, value: str) -> str:
    """The form two names are compared in: as typed, or lower-cased on case-insensitive pools."""
    return value if case_sensitive(pool) else value.lower()


def is_verified(attributes: dict[str, str], name: str) -> bool:
    """Whether e-mail or phone carries `<name>_verified` = true."""
    return str(attributes.get(f"{name}_verified", "")).lower() == "true"


def active_alias(pool: Any, attributes: dict[str, str], name: str) -> str | None:
    """The value that signs a user in through alias `name`, or None while it is not active
    (an e-mail or phone alias is active only once verified)."""
    value = attributes.get(name)
    if not value:
        return None
    if name in VERIFIABLE and not is_verified(attributes, name):
        return None
    return value


def users_now(pool: Any) -> list[Any]:
    """A snapshot of the pool's users: other request threads may add users while we scan."""
    return list(pool.users.values())


def find_user(pool: Any, typed: Any) -> Any:
    """The user a typed name means in this pool, or None: the user name itself, then (on
    e-mail/phone-as-user-name pools) the e-mail or phone, then an active alias; compared exactly,
    or regardless of case when the pool is case-insensitive."""
    if not isinstance(typed, str) or not typed:
        return None
    exact = pool.users.get(typed)
    if exact is not None:
        return exact
    by_attribute = username_attributes(pool)
    aliases = alias_attributes(pool)
    insensitive = not case_sensitive(pool)
    if not (by_attribute or aliases or insensitive):
        return None
    key = folded(pool, typed)
    if insensitive:
        for user in users_now(pool):
            if user.username.lower() == key:
                return user
    for user in users_now(pool):
        attributes = user.attribute_lookup
        for name in by_attribute:
            value = attributes.get(name)
            if value and folded(pool, value) == key:
                return user
        for name in aliases:
            value = active_alias(pool, attributes, name)
            if value and folded(pool, value) == key:
                return user
    return None


def check_new_username(pool: Any, username: str) -> None:
    """Refuse a user name an alias pool cannot hold: e-mail format with an e-mail alias, phone
    format with a phone alias. The e-mail message is the one Cognito answers; the phone one is
    worded the same way by us."""
    aliases = alias_attributes(pool)
    if "email" in aliases and EMAIL_FORMAT.fullmatch(username):
        raise invalid_parameter(
            "Username cannot be of email format, since user pool is configured for email alias."
        )
    if "phone_number" in aliases and PHONE_FORMAT.fullmatch(username):
        raise invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for "
            "phone number alias."
        )


def alias_holder(pool: Any, name: str, value: str, excluding: Any = None) -> Any:
    """Another user for whom `value` is already the active alias `name` (or, on
    e-mail/phone-as-user-name pools, the e-mail/phone), or None."""
    key = folded(pool, value)
    for user in users_now(pool):
        if user is excluding:
            continue
        attributes = user.attribute_lookup
        held = (
            attributes.get(name)
            if name in username_attributes(pool)
            else active_alias(pool, attributes, name)
        )
        if held and folded(pool, held) == key:
            return user
    return None


def alias_exists(name: str) -> CognitoError:
    """`AliasExistsException`, as AdminCreateUser, ConfirmSignUp and AdminUpdateUserAttributes list it."""
    what = "email" if name == "email" else ("phone number" if name == "phone_number" else name)
    return CognitoError("AliasExistsException", f"An account with the given {what} already exists.")


def claim_aliases(
    pool: Any, attributes: dict[str, str], owner: Any, force: bool
) -> list[tuple[Any, str]]:
    """Check that the aliases `attributes` would make active are free in the pool. Raises
    `AliasExistsException` unless `force`, in which case it returns the (previous user,
    attribute) pairs to take over with `move_aliases` once the new user exists."""
    moves: list[tuple[Any, str]] = []
    for name in aliases_to_check(pool):
        value = (
            active_alias(pool, attributes, name)
            if name in alias_attributes(pool)
            else attributes.get(name)
        )
        if not value:
            continue
        holder = alias_holder(pool, name, value, excluding=owner)
        if holder is None:
            continue
        if not force or name not in VERIFIABLE or name in username_attributes(pool):
            raise alias_exists(name)
        moves.append((holder, name))
    return moves


def aliases_to_check(pool: Any) -> Iterable[str]:
    """Every attribute that must be unique among the pool's users."""
    seen = []
    for name in alias_attributes(pool) + username_attributes(pool):
        if name not in seen:
            seen.append(name)
    return seen


def move_aliases(moves: list[tuple[Any, str]]) -> None:
    """Take aliases over: "it also marks the attribute unverified in the previous account"
    (developer guide, Aliases)."""
    for previous, name in moves:
        previous.update_attributes([{"Name": f"{name}_verified", "Value": "false"}])


def install() -> None:
    """Make moto's own lookup follow the rules above, for every operation at once."""
    CognitoIdpUserPool._get_user = find_user
