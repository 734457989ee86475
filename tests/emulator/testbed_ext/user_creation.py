"""SignUp and AdminCreateUser on the pool's own shape, with its PreSignUp trigger; ConfirmSignUp
and AdminUpdateUserAttributes keep aliases unique.

Self sign-up closed (API reference, `AdminCreateUserConfigType`,
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUserConfigType.html):
`AllowAdminCreateUserOnly` "Set to True if only the administrator is allowed to create user
profiles. Set to False if users can sign themselves up via an app." SignUp on such a pool answers
the `NotAuthorizedException` the SignUp API reference lists, with the message AWS gives, "SignUp
is not permitted for this user pool" (seen in awslabs/media-analysis-solution issue #8; not on a
documentation page), before any other check or trigger.

Pre sign-up (developer guide, "Pre sign-up Lambda trigger",
https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html):
"Your user pool invokes this trigger on self-service sign-up with SignUp ... and on user creation
with AdminCreateUser." Sources `PreSignUp_SignUp` and `PreSignUp_AdminCreateUser`; request
`userAttributes`, `validationData`, `clientMetadata`; response `autoConfirmUser` ("Set to true to
auto-confirm the user"), `autoVerifyEmail`/`autoVerifyPhone` ("Set to true to set as verified the
email address of a user who is signing up" / phone), and "If autoVerifyEmail is set to true, the
email attribute must have a valid, non-null value. Otherwise an error will occur and the user will
not be able to complete sign-up." "If the email attribute is selected as an alias, an alias will be
created for the user's email when autoVerifyEmail is set. If an alias with that email already
exists, the alias will be moved to the new user and the previous user's email will be marked as
unverified." (phone alike). A failing function refuses the user:
`UserLambdaValidationException` "PreSignUp failed with error <message>." (`lambda_invoke`).
`autoConfirmUser` applies to SignUp; an administrator-created user stays FORCE_CHANGE_PASSWORD
(our reading: it must still set a password).

Names and aliases: `pool_shapes` (an alias pool refuses a user name in the alias's format; an
active alias belongs to one user; `ForceAliasCreation` moves it). ConfirmSignUp verifies the
contact the code went to (API reference ConfirmSignUp: "After your user enters their code, they
confirm ownership of the email address or phone number that they provided") and so may claim an
alias: developer guide Aliases: "when a user tries to confirm the account with this email (or phone
number) and enters the valid code, an AliasExistsException error is returned ... your app should
call the ConfirmSignUp API with the forceAliasCreation option. This moves the alias from the
previous account to the newly created account".

Only requests to `SignUp`/`AdminCreateUser` fire PreSignUp: users an import or a migration creates
go through moto's `admin_create_user` without it, as on AWS.
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

from . import pool_shapes, request_context, triggers
from .wire import CognitoError, pool_and_client


def as_map(attributes: list[dict[str, Any]] | None) -> dict[str, str]:
    """`[{"Name", "Value"}]` as a map."""
    return {item["Name"]: item.get("Value", "") for item in attributes or [] if "Name" in item}


def check_sign_up_allowed(pool: Any) -> None:
    """Refuse SignUp on a pool where only administrators create users."""
    config = pool.extended_config.get("AdminCreateUserConfig") or {}
    if config.get("AllowAdminCreateUserOnly") is True:
        raise CognitoError("NotAuthorizedException", "SignUp is not permitted for this user pool")


def check_name_is_free(pool: Any, username: str, taken_message: str) -> None:
    """The shape rules for a new user name, and the duplicate check in the pool's case rules
    (Cognito says "User already exists" to SignUp, "User account already exists" to
    AdminCreateUser)."""
    if not pool_shapes.username_attributes(pool):
        pool_shapes.check_new_username(pool, username)
    if pool_shapes.find_user(pool, username) is not None:
        raise CognitoError("UsernameExistsException", taken_message)


def pre_sign_up(
    pool: Any, source: str, username: str, client_id: str | None, attributes: dict[str, str]
) -> dict[str, Any]:
    """Fire the pool's PreSignUp function, if any, and check its answer."""
    arn = triggers.function_arn(pool, "PreSignUp")
    if arn is None:
        return {}
    request = {
        "userAttributes": attributes,
        "validationData": request_context.validation_data(),
        "clientMetadata": request_context.client_metadata(),
    }
    template = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    answer = triggers.fire(pool, "PreSignUp", arn, source, username, client_id, request, template)
    for flag, name in (("autoVerifyEmail", "email"), ("autoVerifyPhone", "phone_number")):
        if answer.get(flag) is True and not attributes.get(name):
            raise CognitoError(
                "InvalidLambdaResponseException",
                f"PreSignUp answered {flag} but the user has no {name}.",
            )
    return answer


def verified_by(answer: dict[str, Any], attributes: dict[str, str]) -> dict[str, str]:
    """The attributes with what PreSignUp verified."""
    result = dict(attributes)
    if answer.get("autoVerifyEmail") is True:
        result["email_verified"] = "true"
    if answer.get("autoVerifyPhone") is True:
        result["phone_number_verified"] = "true"
    return result


def confirmed_contact(pool: Any, user: Any) -> str | None:
    """The attribute a sign-up code went to: an auto-verified e-mail, else phone."""
    auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    for name in ("email", "phone_number"):
        if name in auto_verified and user.attribute_lookup.get(name):
            return name
    return None


def install() -> None:
    """Wrap moto's sign_up, admin_create_user, confirm_sign_up, admin_update_user_attributes."""
    sign_up = CognitoIdpBackend.sign_up
    admin_create_user = CognitoIdpBackend.admin_create_user
    confirm_sign_up = CognitoIdpBackend.confirm_sign_up
    admin_update_user_attributes = CognitoIdpBackend.admin_update_user_attributes

    def sign_up_hook(
        self: Any, client_id: str, username: str, password: str, attributes: list
    ) -> Any:
        pool, _client = pool_and_client(self, client_id)
        if pool is None:
            return sign_up(self, client_id, username, password, attributes)
        check_sign_up_allowed(pool)
        check_name_is_free(pool, username, "User already exists")
        self._validate_password(pool.id, password)
        given = as_map(attributes)
        answer = pre_sign_up(pool, "PreSignUp_SignUp", username, client_id, given)
        final = verified_by(answer, given)
        moves = pool_shapes.claim_aliases(pool, final, None, force=True) if final != given else []
        user, details = sign_up(self, client_id, username, password, attributes)
        if final != given:
            user.update_attributes([{"Name": k, "Value": v} for k, v in final.items()])
            pool_shapes.move_aliases(moves)
        if answer.get("autoConfirmUser") is True:
            user.status = UserStatus.CONFIRMED
            details = None
        return user, details

    def admin_create_user_hook(
        self: Any,
        user_pool_id: str,
        username: str,
        message_action: str,
        temporary_password: str,
        attributes: list,
    ) -> Any:
        if request_context.operation() != "AdminCreateUser" or message_action == "RESEND":
            return admin_create_user(
                self, user_pool_id, username, message_action, temporary_password, attributes
            )
        pool = self.describe_user_pool(user_pool_id)
        check_name_is_free(pool, username, "User account already exists")
        given = as_map(attributes)
        answer = pre_sign_up(pool, "PreSignUp_AdminCreateUser", username, None, given)
        final = verified_by(answer, given)
        auto_verified = (
            answer.get("autoVerifyEmail") is True or answer.get("autoVerifyPhone") is True
        )
        moves = pool_shapes.claim_aliases(
            pool, final, None, force=request_context.force_alias_creation() or auto_verified
        )
        listed = [{"Name": k, "Value": v} for k, v in final.items()]
        user = admin_create_user(
            self, user_pool_id, username, message_action, temporary_password, listed
        )
        pool_shapes.move_aliases(moves)
        return user

    def confirm_sign_up_hook(self: Any, client_id: str, username: str) -> str:
        pool, _client = pool_and_client(self, client_id)
        user = pool_shapes.find_user(pool, username) if pool is not None else None
        if user is None:
            return confirm_sign_up(self, client_id, username)
        contact = confirmed_contact(pool, user)
        moves: list = []
        if contact is not None:
            final = dict(user.attribute_lookup, **{f"{contact}_verified": "true"})
            moves = pool_shapes.claim_aliases(
                pool, final, user, force=request_context.force_alias_creation()
            )
        result = confirm_sign_up(self, client_id, user.username)
        if contact is not None:
            user.update_attributes([{"Name": f"{contact}_verified", "Value": "true"}])
            pool_shapes.move_aliases(moves)
        return result

    def admin_update_user_attributes_hook(
        self: Any, user_pool_id: str, username: str, attributes: list
    ) -> None:
        pool = self.describe_user_pool(user_pool_id)
        user = pool_shapes.find_user(pool, username)
        if user is not None:
            final = dict(user.attribute_lookup, **as_map(attributes))
            pool_shapes.claim_aliases(pool, final, user, force=False)
        return admin_update_user_attributes(self, user_pool_id, username, attributes)

    CognitoIdpBackend.sign_up = sign_up_hook
    CognitoIdpBackend.admin_create_user = admin_create_user_hook
    CognitoIdpBackend.confirm_sign_up = confirm_sign_up_hook
    CognitoIdpBackend.admin_update_user_attributes = admin_update_user_attributes_hook
