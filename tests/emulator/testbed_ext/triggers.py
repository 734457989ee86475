"""A pool's own triggers: which function its `LambdaConfig` names, and the event Cognito sends.

Common parameters (developer guide, "Customizing user pool workflows with Lambda triggers",
https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html):
every event carries `version`, `triggerSource`, `region`, `userPoolId`, `userName`,
`callerContext {awsSdkVersion, clientId}`, `request` and `response`; the function answers with the
event, its `response` filled in.

Which function: `LambdaConfig` of CreateUserPool (API reference, LambdaConfigType,
https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_LambdaConfigType.html),
e.g. `UserMigration`, `PreSignUp`, `PreTokenGeneration` (version 1) or `PreTokenGenerationConfig
{LambdaVersion, LambdaArn}`; only the pool that has the trigger fires it.
"""

from __future__ import annotations

from typing import Any

from . import lambda_invoke

# callerContext.awsSdkVersion: Cognito names the SDK of the request; ours is fixed.
AWS_SDK_VERSION = "aws-sdk-unknown-unknown"


def lambda_config(pool: Any) -> dict[str, Any]:
    """The pool's `LambdaConfig` as given at CreateUserPool/UpdateUserPool."""
    return pool.extended_config.get("LambdaConfig") or {}


def function_arn(pool: Any, trigger: str) -> str | None:
    """The ARN configured for `trigger` (e.g. `UserMigration`), or None."""
    value = lambda_config(pool).get(trigger)
    return value if isinstance(value, str) and value else None


def user_attributes(user: Any) -> dict[str, str]:
    """A user's attributes as triggers receive them, with `cognito:user_status`."""
    attributes = {item["Name"]: item["Value"] for item in user.attributes}
    attributes["cognito:user_status"] = str(getattr(user.status, "value", user.status))
    return attributes


def fire(
    pool: Any,
    trigger: str,
    arn: str,
    trigger_source: str,
    user_name: str,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any],
    version: str = "1",
) -> dict[str, Any]:
    """Invoke the function with one event and return the `response` it answered (a dict)."""
    event = {
        "version": version,
        "triggerSource": trigger_source,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user_name,
        "callerContext": {
            "awsSdkVersion": AWS_SDK_VERSION,
            "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE",
        },
        "request": request,
        "response": response,
    }
    answered = lambda_invoke.invoke(trigger, arn, event)
    result = answered.get("response")
    return result if isinstance(result, dict) else {}
