"""The UserMigration trigger: a user the pool lacks signs in with a password, or asks for a
password reset, and the pool's own function may bring the user in.

Developer guide, "Migrate user Lambda trigger"
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-migrate-user.html):

* "When a user doesn't exist in the user pool at sign-in with a password, or in the forgot-password
  flow, Amazon Cognito invokes this trigger. After the Lambda function returns successfully, Amazon
  Cognito creates the user in the user pool." Sources `UserMigration_Authentication` and
  `UserMigration_ForgotPassword`.
* Request: `userName` "The username entered by the user"; `password` "It is not set in the
  forgot-password flow"; `validationData` "You can pass this data to your Lambda function by using the
  ClientMetadata parameter in the InitiateAuth and AdminInitiateAuth API actions"; `clientMetadata`
  from ForgotPassword (and the sign-in request's ClientMetadata).
* Response: `userAttributes` "This field is required."; `finalUserStatus` "If you don't set this
  attribute to CONFIRMED, it's set to RESET_REQUIRED" (older text: "If this attribute is set to
  RESET_REQUIRED, the user is required to change his or her password"); `messageAction` "SUPPRESS";
  `forceAliasCreation` "If this attribute is set to "false" and the alias exists, the user will not
  be migrated, and an error is returned to the client app."; `enableSMSMFA` "Your user's attributes
  ... must include a phone number, or else the migration of that user will fail."
* User name: developer guide "Importing users with a user migration Lambda trigger": "You can return
  a username parameter only if the submitted user name matches an alias attribute." On pools that
  sign in with e-mail/phone, Cognito generates the user name (as for SignUp) and the typed e-mail or
  phone becomes that attribute.
* An empty response (no `userAttributes`) creates nobody; the caller then answers as for an unknown
  user ("Managing user existence error responses", see `user_existence`).

A failing function: `lambda_invoke` (`UserLambdaValidationException` "UserMigration failed with
error <message>."). Messages are never sent by the test bed, so `messageAction` and
`desiredDeliveryMediums` change nothing here.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cognitoidp.models import UserStatus

from . import pool_shapes, request_context, triggers
from .wire import CognitoError

# Two sign-ins of one unknown user at once must not both create it.
_CREATE_LOCK = threading.Lock()


def migrate_at_sign_in(pool: Any, client: Any, typed: str, password: str | None) -> Any:
    """Fire `UserMigration_Authentication` if the pool has the trigger; the created user or None."""
    request = {
        "password": password,
        "validationData": request_context.client_metadata(),
        "clientMetadata": request_context.client_metadata(),
    }
    return migrate(pool, client, typed, "UserMigration_Authentication", request, password)


def migrate_at_forgot_password(pool: Any, client: Any, typed: str) -> Any:
    """Fire `UserMigration_ForgotPassword` if the pool has the trigger; the created user or None."""
    request = {"clientMetadata": request_context.client_metadata()}
    return migrate(pool, client, typed, "UserMigration_ForgotPassword", request, None)


def migrate(
    pool: Any, client: Any, typed: str, source: str, request: dict[str, Any], password: str | None
) -> Any:
    arn = triggers.function_arn(pool, "UserMigration")
    if arn is None or not typed:
        return None
    template = {
        "userAttributes": None,
        "finalUserStatus": None,
        "messageAction": None,
        "desiredDeliveryMediums": None,
        "forceAliasCreation": None,
        "enableSMSMFA": None,
    }
    answer = triggers.fire(pool, "UserMigration", arn, source, typed, client.id, request, template)
    returned = answer.get("userAttributes")
    if not isinstance(returned, dict) or not returned:
        return None
    attributes = {str(name): str(value) for name, value in returned.items()}
    with _CREATE_LOCK:
        existing = pool_shapes.find_user(pool, typed)
        if existing is not None:
            return existing
        return create_user(pool, typed, attributes, answer, source, password)


def create_user(
    pool: Any,
    typed: str,
    attributes: dict[str, str],
    answer: dict[str, Any],
    source: str,
    password: str | None,
) -> Any:
    """Create the migrated user in the pool's shape, with the status the answer asks for."""
    returned_name = attributes.pop("username", None)
    attributes.pop("sub", None)  # Cognito generates every user's sub
    name = user_name_for(pool, typed, returned_name, attributes)
    if answer.get("enableSMSMFA") is True and not attributes.get("phone_number"):
        raise CognitoError(
            "InvalidLambdaResponseException",
            "UserMigration answered enableSMSMFA without a phone_number attribute; "
            "the user is not migrated.",
        )
    moves = pool_shapes.claim_aliases(
        pool, attributes, None, force=answer.get("forceAliasCreation") is True
    )
    listed = [{"Name": key, "Value": value} for key, value in attributes.items()]
    user = pool.backend.admin_create_user(pool.id, name, "SUPPRESS", None, listed)
    pool_shapes.move_aliases(moves)
    keeps_password = (
        source == "UserMigration_Authentication" and answer.get("finalUserStatus") == "CONFIRMED"
    )
    user.status = UserStatus.CONFIRMED if keeps_password else UserStatus.RESET_REQUIRED
    user.password = password if keeps_password else None
    user.enabled = True
    if answer.get("enableSMSMFA") is True:
        user.sms_mfa_enabled = True
        user.preferred_mfa_setting = "SMS_MFA"
    return user


def user_name_for(
    pool: Any, typed: str, returned_name: str | None, attributes: dict[str, str]
) -> str:
    """The migrated user's name: the typed one; Cognito's own on e-mail/phone pools (moto: the
    sub; we pass the typed e-mail/phone, which moto stores as the attribute); or the answered
    `username` when the typed name is one of the returned aliases."""
    if pool_shapes.username_attributes(pool):
        return typed
    if returned_name:
        typed_key = pool_shapes.folded(pool, typed)
        aliases = [attributes.get(name) for name in pool_shapes.alias_attributes(pool)]
        if not any(value and pool_shapes.folded(pool, value) == typed_key for value in aliases):
            raise CognitoError(
                "InvalidLambdaResponseException",
                "UserMigration answered a username, but the name signed in with is not one of the "
                "user's alias attributes.",
            )
        pool_shapes.check_new_username(pool, returned_name)
        return returned_name
    pool_shapes.check_new_username(pool, typed)
    return typed
