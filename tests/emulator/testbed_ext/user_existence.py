"""The app client's `PreventUserExistenceErrors`: what an unknown user is told.

Developer guide, "Managing user existence error responses"
(https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):

* "In the authentication flows for ADMIN_USER_PASSWORD_AUTH and USER_PASSWORD_AUTH ... Amazon
  Cognito returns a generic NotAuthorizedException error indicating either the user name or
  password is incorrect."
* ForgotPassword: "When a user isn't found, is deactivated, or doesn't have a verified delivery
  mechanism to recover their password, Amazon Cognito returns CodeDeliveryDetails with a simulated
  delivery medium for a user."
* ConfirmForgotPassword: "Amazon Cognito returns the CodeMismatchException error for users that
  don't exist or are disabled."
* Imported users: "If PreventUserExistenceErrors is enabled, during authentication of imported users
  a generic NotAuthorizedException error is returned indicating either the user name or password was
  incorrect instead of returning PasswordResetRequiredException."
* Migrate user Lambda trigger: "Amazon Cognito returns a simulated response for users that don't
  exist when an empty response was set in the original event context by the Lambda trigger."

With `LEGACY` (moto's behaviour, and the API default for clients created through the API) the
user-existence errors stay: `UserNotFoundException`.
"""

from __future__ import annotations

from typing import Any

from .wire import CognitoError

INCORRECT = "Incorrect username or password."


def prevents_errors(client: Any) -> bool:
    """Whether the app client was created with `PreventUserExistenceErrors: ENABLED`."""
    return (
        client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"
    )


def unknown_user_at_sign_in(client: Any) -> CognitoError:
    """InitiateAuth/AdminInitiateAuth for a user the pool does not have."""
    if prevents_errors(client):
        return CognitoError("NotAuthorizedException", INCORRECT)
    return CognitoError("UserNotFoundException", "User does not exist.")


def wrong_password() -> CognitoError:
    """What a wrong password gets, on every client (moto says the user name instead)."""
    return CognitoError("NotAuthorizedException", INCORRECT)


def reset_required(client: Any) -> CognitoError:
    """A RESET_REQUIRED user (imported, or migrated without finalUserStatus CONFIRMED) signing in
    with a password. "Migrate user Lambda trigger", finalUserStatus: "your client app needs to handle
    the PasswordResetRequiredException during the authentication flow"."""
    if prevents_errors(client):
        return CognitoError("NotAuthorizedException", INCORRECT)
    return CognitoError("PasswordResetRequiredException", "Password reset required for the user")


def unknown_user_at_forgot_password() -> CognitoError:
    """ForgotPassword for a user the pool lacks, on a LEGACY client (an ENABLED client answers a
    simulated delivery instead)."""
    return CognitoError("UserNotFoundException", "Username/client id combination not found.")


def unknown_user_at_confirm_forgot_password(client: Any) -> CognitoError:
    """ConfirmForgotPassword for a user the pool lacks."""
    if prevents_errors(client):
        return CognitoError(
            "CodeMismatchException", "Invalid verification code provided, please try again."
        )
    return CognitoError("UserNotFoundException", "Username/client id combination not found.")
