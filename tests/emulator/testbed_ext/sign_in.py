"""Sign-in with a password, ForgotPassword and ConfirmForgotPassword, as AWS answers them on the
pool's own shape: the typed name goes through `pool_shapes.find_user`, an unknown user may be
migrated (`migration`), and what an unknown user is told follows the app client
(`user_existence`).

Hooks moto's `CognitoIdpBackend.initiate_auth` (USER_PASSWORD_AUTH), `admin_initiate_auth`
(ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH), `forgot_password` and `confirm_forgot_password`;
SRP and refresh flows stay moto's ("Migrate user Lambda trigger" is not invoked for SRP: developer
guide "Importing users with a user migration Lambda trigger": "An SRP obscures your user's
password").

Rules (sentences in `user_existence`, `migration` and README.md):
* unknown user, no migration → `UserNotFoundException`, or `NotAuthorizedException` "Incorrect
  username or password." with PreventUserExistenceErrors ENABLED;
* wrong password → `NotAuthorizedException` "Incorrect username or password." (moto says the name);
* RESET_REQUIRED (imported, or migrated without CONFIRMED) → `PasswordResetRequiredException`
  ("Migrate user Lambda trigger", finalUserStatus), `NotAuthorizedException` when ENABLED;
* UNCONFIRMED → `UserNotConfirmedException` on the admin flow too (moto gives tokens);
* ForgotPassword needs a verified e-mail or phone ("In order for users to reset their passwords in
  the forgot-password flow, they must have either a verified email or a verified phone number.");
  ENABLED clients get a simulated `CodeDeliveryDetails` for unknown, disabled or unreachable users;
* ConfirmForgotPassword ends RESET_REQUIRED (API reference ConfirmForgotPassword: it "allows a user
  to enter a confirmation code to reset a forgotten password") with the user CONFIRMED, checks the
  pool's password policy, and answers unknown users per `user_existence`.
"""

from __future__ import annotations

from typing import Any, Callable

from moto.cognitoidp.models import CognitoIdpBackend, UserStatus

from . import migration, pool_shapes, user_existence
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


def code_delivery(recovery_settings: Any, user: Any) -> dict[str, str] | None:
    """Where the reset code goes: the first recovery mechanism, by priority, that the user has
    verified. API reference, CreateUserPool `AccountRecoverySetting`: "In the absence of this
    setting, Amazon Cognito uses the legacy behavior to determine the recovery method where SMS is
    preferred over email." (moto picks the first mechanism whether or not the user has it.)"""
    mechanisms = (recovery_settings or {}).get("RecoveryMechanisms") or [
        {"Name": "verified_phone_number", "Priority": 1},
        {"Name": "verified_email", "Priority": 2},
    ]
    for mechanism in sorted(mechanisms, key=lambda m: m.get("Priority", 0)):
        if mechanism.get("Name") == "admin_only":
            raise CognitoError("NotAuthorizedException", "Contact administrator to reset password.")
        name = "email" if mechanism.get("Name") == "verified_email" else "phone_number"
        value = user.attribute_lookup.get(name)
        if value and pool_shapes.is_verified(user.attribute_lookup, name):
            if name == "email":
                local, _, domain = value.partition("@")
                shown = f"{local[:1]}***@{domain[:1]}***"
                return {"Destination": shown, "DeliveryMedium": "EMAIL", "AttributeName": "email"}
            return {
                "Destination": f"+*******{value[-4:]}",
                "DeliveryMedium": "SMS",
                "AttributeName": "phone_number",
            }
    return None


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
            code, _moto_details = forgot_password(self, client_id, user.username)
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
        simulated = self._get_code_delivery_details(recovery, None, username)
        return None, {"CodeDeliveryDetails": simulated}

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
        confirm_forgot_password(self, client_id, user.username, password, confirmation_code)
        if user.status == UserStatus.RESET_REQUIRED:
            user.status = UserStatus.CONFIRMED
        return None

    CognitoIdpBackend.initiate_auth = initiate_auth_hook
    CognitoIdpBackend.admin_initiate_auth = admin_initiate_auth_hook
    CognitoIdpBackend.forgot_password = forgot_password_hook
    CognitoIdpBackend.confirm_forgot_password = confirm_forgot_password_hook
