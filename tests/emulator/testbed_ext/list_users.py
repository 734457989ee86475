"""ListUsers' documented limits, which moto does not check.

API reference, ListUsers
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_ListUsers.html):

* `AttributesToGet`: "Use AttributesToGet with required attributes in your user pool, or in
  conjunction with Filter. Amazon Cognito returns an error if not all users in the results have set
  a value for the attribute you request. Attributes that you can't filter on, including custom
  attributes, must have a value set in every user profile before an AttributesToGet parameter
  returns results." The error code is not documented; ListUsers lists InvalidParameterException,
  ResourceNotFoundException, TooManyRequestsException, NotAuthorizedException,
  OperationNotEnabledException and InternalErrorException, and only InvalidParameterException fits
  a request the pool's users cannot answer, so that is ours (message ours).
* `Limit`: "Maximum value of 60." (the API model: 0..60).
"""

from __future__ import annotations

from typing import Any

from moto.cognitoidp.responses import CognitoIdpResponse
from moto.core.responses import ActionResult

from .wire import invalid_parameter, validation_error

MAX_LIMIT = 60


def check_attributes_to_get(users: list[Any], attributes_to_get: list[str] | None) -> None:
    """Every user of the page must have a value for every attribute asked for."""
    for name in attributes_to_get or []:
        if name == "sub":
            continue
        if any(not user.attribute_lookup.get(name) for user in users):
            raise invalid_parameter(
                f"AttributesToGet asks for {name}, but not every user in the results has a value "
                f"for it; ask only for attributes every user has, or Filter the users first."
            )


def list_users(self: Any) -> ActionResult:
    """moto's ListUsers answer, after the checks above."""
    user_pool_id = self._get_param("UserPoolId")
    limit = self._get_param("Limit")
    if isinstance(limit, int) and limit > MAX_LIMIT:
        raise validation_error(limit, "limit", "Member must have value less than or equal to 60")
    token = self._get_param("PaginationToken")
    attributes_to_get = self._get_param("AttributesToGet")
    users, token = self.backend.list_users(
        user_pool_id, self._get_param("Filter"), limit=limit, pagination_token=token
    )
    check_attributes_to_get(users, attributes_to_get)
    response: dict[str, Any] = {
        "Users": [
            user.to_json(extended=True, attributes_to_get=attributes_to_get) for user in users
        ]
    }
    if token:
        response["PaginationToken"] = str(token)
    return ActionResult(response)


def install() -> None:
    """Replace moto's ListUsers answer."""
    CognitoIdpResponse.list_users = list_users
