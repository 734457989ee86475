"""E-mail MFA: the pool's `EmailMfaConfiguration`, each user's `EmailMfaSettings`, and
`EMAIL_OTP` in `UserMFASettingList`.

moto 5.2.5 ignores `EmailMfaConfiguration` (and refuses `SetUserPoolMfaConfig` with only it:
"At least one of [SmsMfaConfiguration] or [SoftwareTokenMfaConfiguration] must be provided.") and
`EmailMfaSettings`. Here `SetUserPoolMfaConfig` / `GetUserPoolMfaConfig` are answered whole (moto's
own checks kept) and the MFA-preference operations are wrapped.

AWS pages and sentences followed:

* Tier. API reference, SetUserPoolMfaConfig `EmailMfaConfiguration`
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_SetUserPoolMfaConfig.html):
  "Sets configuration for user pool email message MFA and sign-in with one-time passwords (OTPs).
  … To activate this setting, your user pool must be in the Essentials tier or higher." The
  operation lists `FeatureUnavailableInTierException` ("…when a feature that you attempted to use
  or configure isn't included in your user pool's current feature plan"): a LITE pool is refused
  with it (message ours).
* Amazon SES. Developer guide, "Email MFA"
  (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-advanced-security-email-mfa.html):
  "To enable email-based MFA, the user pool must be configured to use the Amazon SES
  email-sending configuration instead of the default email configuration." So the pool's
  `EmailConfiguration.EmailSendingAccount` must be `DEVELOPER`; else `InvalidParameterException`
  (code and wording ours: AWS does not say which error). The SES identity in `SourceArn` is not
  checked (the test bed sends no e-mail).
* The template. API reference, EmailMfaConfigType `Message`: "The message must contain the {####}
  placeholder." Length 6–20,000. Else the API model's validation error.
* The user. API reference, AdminSetUserMFAPreference `EmailMfaSettings`: "User preferences for
  email message MFA. Activates or deactivates email MFA and sets it as the preferred MFA method
  when multiple methods are available. To activate this setting, your user pool must be in the
  Essentials tier or higher." The operation's error list has no
  `FeatureUnavailableInTierException`: a LITE pool answers `InvalidParameterException` (ours).
  Enabling e-mail MFA needs the pool's e-mail MFA configured (`InvalidParameterException`, ours:
  AWS does not say) — enabling it on a pool without it could never be used.
* A user whose password must be reset. API reference, AdminSetUserMFAPreference, Errors
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminSetUserMFAPreference.html):
  "PasswordResetRequiredException — This exception is thrown when a password reset is required."
  The only user whose password must be reset is a `RESET_REQUIRED` one (imported, or reset by an
  administrator), so the operation refuses it, whatever the settings, before anything changes
  (message ours: AWS gives none). AWS does not say whether every `RESET_REQUIRED` user is refused;
  the test bed takes the error list at its word, so a caller that must work on AWS handles it.
* `UserMFASettingList`: API reference, AdminGetUser: "The MFA options that are activated for the
  user. The possible values in this list are SMS_MFA, EMAIL_OTP, and SOFTWARE_TOKEN_MFA." and
  `PreferredMfaSetting` "Users can prefer SMS message, email message, or TOTP MFA." — shown by
  AdminGetUser, GetUser, ListUsers and the auth-factor operations.

The challenge at sign-in (`EMAIL_OTP`, the code "sent") is in `user_auth`.
"""

from __future__ import annotations

import re
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, UserStatus

from . import factors, request_context
from .wire import CognitoError, invalid_parameter, require_string, user_pool, validation_error

EMAIL_OTP = "EMAIL_OTP"
MESSAGE = re.compile(r".*\{####\}.*", re.DOTALL)


def pool_config(pool: Any) -> dict[str, Any] | None:
    """The pool's `EmailMfaConfiguration` (a dict, possibly empty), or None when not set."""
    return getattr(pool, "testbed_email_mfa_config", None)


def user_enabled(user: Any) -> bool:
    return bool(getattr(user, "testbed_email_mfa_enabled", False))


def applies_at_sign_in(pool: Any, user: Any) -> bool:
    """Whether a right password is followed by the `EMAIL_OTP` challenge: the pool has MFA on or
    optional with e-mail MFA configured, the user has it enabled, and it is the user's preferred
    factor or the user's only one (a preferred SMS or TOTP factor stays moto's)."""
    if pool.mfa_config not in ("ON", "OPTIONAL") or pool_config(pool) is None:
        return False
    if not user_enabled(user) or not user.attribute_lookup.get("email"):
        return False
    preferred = user.preferred_mfa_setting or ""
    if preferred == EMAIL_OTP:
        return True
    others = user.sms_mfa_enabled or user.software_token_mfa_enabled
    return not preferred and not others


def set_user_pool_mfa_config(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    pool_id = require_string(body, "UserPoolId", factors.POOL_ID, 1, 55)
    pool = user_pool(ctx, pool_id)
    mfa = body.get("MfaConfiguration")
    sms = body.get("SmsMfaConfiguration")
    token = body.get("SoftwareTokenMfaConfiguration")
    email = body.get("EmailMfaConfiguration")
    # moto's own checks (responses.CognitoIdpResponse.set_user_pool_mfa_config), e-mail added.
    if mfa not in ("ON", "OFF", "OPTIONAL"):
        raise invalid_parameter("[MfaConfiguration] must be one of 'ON', 'OFF', or 'OPTIONAL'.")
    if mfa in ("ON", "OPTIONAL") and sms is None and token is None and email is None:
        raise invalid_parameter(
            "At least one of [SmsMfaConfiguration], [SoftwareTokenMfaConfiguration] or "
            "[EmailMfaConfiguration] must be provided."
        )
    if sms is not None and "SmsConfiguration" not in sms:
        raise invalid_parameter(
            "[SmsConfiguration] is a required member of [SoftwareTokenMfaConfiguration]."
        )
    if email is not None:
        factors.require_essentials(pool, "Email MFA and email OTP sign-in (EmailMfaConfiguration)")
        message = email.get("Message")
        if message is not None and (
            not isinstance(message, str)
            or not 6 <= len(message) <= 20000
            or not MESSAGE.fullmatch(message)
        ):
            raise validation_error(
                message,
                "emailMfaConfiguration.message",
                "Member must satisfy regular expression pattern: "
                r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*",
            )
        sending = (pool.extended_config.get("EmailConfiguration") or {}).get("EmailSendingAccount")
        if sending != "DEVELOPER":
            raise invalid_parameter(
                "Email MFA requires the user pool to send e-mail with Amazon SES: set "
                "EmailConfiguration.EmailSendingAccount to DEVELOPER."
            )
    pool.mfa_config = mfa
    pool.sms_mfa_config = sms
    pool.token_mfa_config = token
    pool.testbed_email_mfa_config = dict(email) if email is not None else None
    if body.get("WebAuthnConfiguration") is not None:
        pool.testbed_webauthn_config = dict(body["WebAuthnConfiguration"])
    return get_user_pool_mfa_config(ctx, {"UserPoolId": pool_id})


def get_user_pool_mfa_config(ctx: Any, body: dict[str, Any]) -> dict[str, Any]:
    pool = user_pool(ctx, require_string(body, "UserPoolId", factors.POOL_ID, 1, 55))
    answer: dict[str, Any] = {"MfaConfiguration": pool.mfa_config}
    if pool.sms_mfa_config is not None:
        answer["SmsMfaConfiguration"] = pool.sms_mfa_config
    if pool.token_mfa_config is not None:
        answer["SoftwareTokenMfaConfiguration"] = pool.token_mfa_config
    if pool_config(pool) is not None:
        answer["EmailMfaConfiguration"] = pool_config(pool)
    if getattr(pool, "testbed_webauthn_config", None) is not None:
        answer["WebAuthnConfiguration"] = pool.testbed_webauthn_config
    return answer


OPERATIONS = {
    "SetUserPoolMfaConfig": set_user_pool_mfa_config,
    "GetUserPoolMfaConfig": get_user_pool_mfa_config,
}


def apply_email_settings(pool: Any, user: Any, settings: Any, before: str) -> None:
    """`EmailMfaSettings` of the running request, after moto applied the SMS/TOTP ones (which
    clear any preference they do not name, e-mail included: restored unless replaced)."""
    preferred_by_others = user.preferred_mfa_setting in ("SMS_MFA", "SOFTWARE_TOKEN_MFA") and (
        user.preferred_mfa_setting != before
    )
    if before == EMAIL_OTP and not preferred_by_others:
        user.preferred_mfa_setting = EMAIL_OTP
    if not isinstance(settings, dict):
        return
    if settings.get("Enabled"):
        factors.require_essentials_or(
            pool, invalid_parameter("Email MFA needs the Essentials or Plus feature plan.")
        )
        if pool_config(pool) is None:
            raise invalid_parameter("Email MFA is not configured for this user pool.")
        user.testbed_email_mfa_enabled = True
    elif "Enabled" in settings:
        user.testbed_email_mfa_enabled = False
        if user.preferred_mfa_setting == EMAIL_OTP:
            user.preferred_mfa_setting = ""
    if settings.get("PreferredMfa"):
        user.preferred_mfa_setting = EMAIL_OTP
    elif "PreferredMfa" in settings and user.preferred_mfa_setting == EMAIL_OTP:
        user.preferred_mfa_setting = ""


def install() -> None:
    """Wrap moto's AdminSetUserMFAPreference (SetUserMFAPreference reaches it too) and the user
    JSON (AdminGetUser, GetUser, ListUsers)."""
    admin_set_user_mfa_preference = CognitoIdpBackend.admin_set_user_mfa_preference
    to_json = CognitoIdpUser.to_json

    def admin_set_user_mfa_preference_hook(
        self: Any,
        user_pool_id: str,
        username: str,
        software_token_mfa_settings: Any,
        sms_mfa_settings: Any,
    ) -> None:
        settings = request_context.body().get("EmailMfaSettings")
        pool = self.describe_user_pool(user_pool_id)
        user = self.admin_get_user(user_pool_id, username)
        if user.status == UserStatus.RESET_REQUIRED:
            raise CognitoError(
                "PasswordResetRequiredException", "Password reset required for the user"
            )
        if isinstance(settings, dict) and settings.get("Enabled"):
            # Refuse before anything changes.
            factors.require_essentials_or(
                pool, invalid_parameter("Email MFA needs the Essentials or Plus feature plan.")
            )
            if pool_config(pool) is None:
                raise invalid_parameter("Email MFA is not configured for this user pool.")
        before = user.preferred_mfa_setting or ""
        admin_set_user_mfa_preference(
            self, user_pool_id, username, software_token_mfa_settings, sms_mfa_settings
        )
        apply_email_settings(pool, user, settings, before)

    def to_json_hook(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        shown = to_json(self, *args, **kwargs)
        if "UserMFASettingList" in shown and user_enabled(self):
            if EMAIL_OTP not in shown["UserMFASettingList"]:
                shown["UserMFASettingList"] = [*shown["UserMFASettingList"], EMAIL_OTP]
        return shown

    CognitoIdpBackend.admin_set_user_mfa_preference = admin_set_user_mfa_preference_hook
    CognitoIdpUser.to_json = to_json_hook

