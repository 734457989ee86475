"""Sign-in with a password, ForgotPassword and ConfirmForgotPassword, as AWS answers them on the
pool's own shape: the typed name goes through `pool_shapes.find_user`, an unknown user may be
migrated (`migration`), and what an unknown user is told follows the app client
(`user_existence`).

Hooks moto's `CognitoIdpBackend.initiate_auth` (USER_PASSWORD_AUTH), `admin_initiate_auth`
(ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH), `forgot_password` and `confirm_forgot_password`;
USER_SRP_AUTH is verified by `srp` (which never migrates: developer guide "Importing users with a
user migration Lambda trigger": "your app must not use the default USER_SRP_AUTH flow since the
SDK does not send the password to the server in the SRP authentication flow"); refresh flows stay
moto's. Reset codes are issued and checked by `codes` (only the code sent, once).

Rules (sentences in `user_existence`, `migration` and README.md):
* unknown user, no migration → `UserNotFoundException`, or `NotAuthorizedException` "Incorrect
  username or password." with PreventUserExistenceErrors ENABLED;
* wrong password → `NotAuthorizedException` "Incorrect username or password." (moto says the name);
* RESET_REQUIRED (imported, or migrated without CONFIRMED) → `PasswordResetRequiredException`
  ("Migrate user Lambda trigger", finalUserStatus), `NotAuthorizedException` when ENABLED;
* UNCONFIRMED → `UserNotConfirmedException` on the admin flow too (moto gives tokens);
* ForgotPassword needs a verified e-mail or phone ("In order for users to reset their passwords in
  the forgot-password flow, they must have either a verified email or a verified phone number.");
  ENABLED clients get a simulated `CodeDeliveryDetails` for unknown, disabled or unreachable users,
  its medium from the typed name's format and the pool's verification settings
  (`simulated_delivery`);
* ConfirmForgotPassword accepts only the code the last ForgotPassword sent that user, once
  (`codes`);
* ConfirmForgotPassword ends RESET_REQUIRED (API reference ConfirmForgotPassword: it "allows a user
  to enter a confirmation code to reset a forgotten password") with the user CONFIRMED, checks the
  pool's password policy, and answers unknown users per `user_existence`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

from . import codes, migration, pool_shapes, user_existence
from .wire import CognitoError, pool_and_client

PASSWORD_FLOWS = ("USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")


def password_sign_in(
    pool: Any, client: Any, parameters: dict[str, Any], proceed: Callable[[dict[str, Any]], Any]
) -> Any:
    """Check the typed name and password the way Cognito does, migrating an unknown user first,
    then let moto continue (tokens, MFA or new-password challenge)."""
    parameters = dict(parameters or {})
    typed = parameters.get("USERNAME")
    password = parameters.get("PASSWORD")
    user = pool_shapes.find_user(pool, typed)
    if user is None:
        user = migration.migrate_at_sign_in(pool, client, typed, password)
        if user is None:
            raise user_existence.unknown_user_at_sign_in(client)
    if not user.enabled:
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    if user.status == UserStatus.RESET_REQUIRED:
        raise user_existence.reset_required(client)
    if user.password is None or user.password != password:
        raise user_existence.wrong_password()
    if user.status == UserStatus.UNCONFIRMED:
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")
    if pool_shapes.find_user(pool, typed) is not user:
        parameters["USERNAME"] = user.username
    return proceed(parameters)


LEGACY_RECOVERY = [
    {"Name": "verified_phone_number", "Priority": 1},
    {"Name": "verified_email", "Priority": 2},
]


def recovery_order(recovery_settings: Any) -> list[str]:
    """The pool's recovery mechanisms by priority (`email`, `phone_number`); `admin_only` refuses.
    API reference, CreateUserPool `AccountRecoverySetting`: "In the absence of this setting, Amazon
    Cognito uses the legacy behavior to determine the recovery method where SMS is preferred over
    email." """
    mechanisms = (recovery_settings or {}).get("RecoveryMechanisms") or LEGACY_RECOVERY
    order = []
    for mechanism in sorted(mechanisms, key=lambda m: m.get("Priority", 0)):
        if mechanism.get("Name") == "admin_only":
            raise CognitoError("NotAuthorizedException", "Contact administrator to reset password.")
        order.append("email" if mechanism.get("Name") == "verified_email" else "phone_number")
    return order


def masked_email(local: str, domain: str) -> dict[str, str]:
    """An e-mail destination as Cognito shows it (first letters only)."""
    shown = f"{local[:1]}***@{domain[:1]}***"
    return {"Destination": shown, "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def masked_phone(last_four: str) -> dict[str, str]:
    """A phone destination as Cognito shows it (last four digits only)."""
    return {
        "Destination": f"+*******{last_four}",
        "DeliveryMedium": "SMS",
        "AttributeName": "phone_number",
    }


def code_delivery(recovery_settings: Any, user: Any) -> dict[str, str] | None:
    """Where the reset code goes: the first recovery mechanism, by priority, that the user has
    verified (moto picks the first mechanism whether or not the user has it)."""
    for name in recovery_order(recovery_settings):
        value = user.attribute_lookup.get(name)
        if value and pool_shapes.is_verified(user.attribute_lookup, name):
            if name == "email":
                local, _, domain = value.partition("@")
                return masked_email(local, domain)
            return masked_phone(value[-4:])
    return None


def simulated_delivery(pool: Any, typed: str) -> dict[str, str]:
    """The `CodeDeliveryDetails` ForgotPassword answers, with PreventUserExistenceErrors ENABLED,
    for a user it sends nothing to (unknown, disabled, or without a verified contact).

    Developer guide, "Managing user existence error responses" (ForgotPassword,
    https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
    "When a user isn't found, is deactivated, or doesn't have a verified delivery mechanism to
    recover their password, Amazon Cognito returns CodeDeliveryDetails with a simulated delivery
    medium for a user. The simulated delivery medium is determined by the input username format and
    verification settings of the user pool."

    So: a typed e-mail address gets EMAIL to that address (masked), a typed phone number SMS to
    it; any other name gets the medium of the pool's verification settings
    (`AutoVerifiedAttributes`), the pool's recovery priority choosing between e-mail and phone when
    it verifies both (as a real user with both verified is answered). A pool verifying neither
    answers its first recovery mechanism, and the destination shown for a name that is no address
    is derived from the name so that asking twice answers the same (both ours: AWS does not say).
    moto answered SMS to "+*******9934" whatever the pool, while real users got e-mail.
    """
    recovery = pool.extended_config.get("AccountRecoverySetting")
    order = recovery_order(recovery)
    typed = typed if isinstance(typed, str) else ""
    if pool_shapes.EMAIL_FORMAT.fullmatch(typed):
        local, _, domain = typed.partition("@")
        return masked_email(local, domain)
    if pool_shapes.PHONE_FORMAT.fullmatch(typed):
        return masked_phone(typed[-4:])
    verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    medium = next((name for name in order if name in verified), order[0] if order else "email")
    digest = hashlib.sha256(f"{pool.id}\0{typed.lower()}".encode()).hexdigest()
    if medium == "email":
        return masked_email(typed, "abcdefghijklmnopqrstuvwxyz"[int(digest[:8], 16) % 26])
    return masked_phone(f"{int(digest[:8], 16) % 10_000:04d}")


def install() -> None:
    """Wrap moto's backend operations listed in the module docstring."""
    initiate_auth = CognitoIdpBackend.initiate_auth
    admin_initiate_auth = CognitoIdpBackend.admin_initiate_auth
    forgot_password = CognitoIdpBackend.forgot_password
    confirm_forgot_password = CognitoIdpBackend.confirm_forgot_password

    def initiate_auth_hook(self: Any, client_id: str, auth_flow: str, auth_parameters: dict) -> Any:
        pool, client = pool_and_client(self, client_id)
        if pool is None or auth_flow not in PASSWORD_FLOWS:
            return initiate_auth(self, client_id, auth_flow, auth_parameters)
        return password_sign_in(
            pool,
            client,
            auth_parameters,
            lambda parameters: initiate_auth(self, client_id, auth_flow, parameters),
        )

    def admin_initiate_auth_hook(
        self: Any, user_pool_id: str, client_id: str, auth_flow: str, auth_parameters: dict
    ) -> Any:
        pool = self.user_pools.get(user_pool_id)
        client = pool.clients.get(client_id) if pool is not None else None
        if client is None or auth_flow not in PASSWORD_FLOWS:
            return admin_initiate_auth(self, user_pool_id, client_id, auth_flow, auth_parameters)
        return password_sign_in(
            pool,
            client,
            auth_parameters,
            lambda parameters: admin_initiate_auth(
                self, user_pool_id, client_id, auth_flow, parameters
            ),
        )

    def forgot_password_hook(self: Any, client_id: str, username: str) -> Any:
        pool, client = pool_and_client(self, client_id)
        if pool is None:
            return forgot_password(self, client_id, username)
        user = pool_shapes.find_user(pool, username)
        if user is None:
            user = migration.migrate_at_forgot_password(pool, client, username)
        recovery = pool.extended_config.get("AccountRecoverySetting")
        details = code_delivery(recovery, user) if user is not None and user.enabled else None
        if details is not None:
            code = codes.issue(pool.id, user.username, codes.FORGOT_PASSWORD)
            return code, {"CodeDeliveryDetails": details}
        if not user_existence.prevents_errors(client):
            if user is None:
                raise user_existence.unknown_user_at_forgot_password()
            if not user.enabled:
                raise CognitoError("NotAuthorizedException", "User is disabled.")
            raise CognitoError(
                "InvalidParameterException",
                "Cannot reset password for the user as there is no registered/verified email or "
                "phone_number",
            )
        return None, {"CodeDeliveryDetails": simulated_delivery(pool, username)}

    def confirm_forgot_password_hook(
        self: Any, client_id: str, username: str, password: str, confirmation_code: str
    ) -> None:
        pool, client = pool_and_client(self, client_id)
        if pool is None:
            return confirm_forgot_password(self, client_id, username, password, confirmation_code)
        user = pool_shapes.find_user(pool, username)
        if user is None or (not user.enabled and user_existence.prevents_errors(client)):
            raise user_existence.unknown_user_at_confirm_forgot_password(client)
        self._validate_password(pool.id, password)
        codes.redeem(pool.id, user.username, codes.FORGOT_PASSWORD, confirmation_code)
        confirm_forgot_password(self, client_id, user.username, password, confirmation_code)
        if user.status == UserStatus.RESET_REQUIRED:
            user.status = UserStatus.CONFIRMED
        return None

    CognitoIdpBackend.initiate_auth = initiate_auth_hook
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth_hook
    CognitoIdpBackend.forgot_password = forgot_password_hook
    CognitoIdpBackend.confirm_forgot_password = confirm_forgot_password_hook
