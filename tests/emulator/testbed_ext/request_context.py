"""Which Cognito operation the current thread serves, and its request body.

moto's server runs each request on its own thread. The middleware records the operation
(`X-Amz-Target` without the service prefix) and the parsed JSON body before handing the
request to moto, so hooks deep inside moto (token building, user creation) know which AWS
operation is running: PreSignUp fires for `AdminCreateUser` but not for an import or a
migration, PreTokenGeneration's `triggerSource` depends on the flow, and `ClientMetadata` /
`ValidationData` / `ForceAliasCreation` reach the triggers and rules that read them.
Import jobs run on their own threads, where no operation is recorded.
"""

from __future__ import annotations

import threading
from typing import Any

_CURRENT = threading.local()


def begin(operation: str, body: dict[str, Any]) -> None:
    """Record the operation this thread now serves."""
    _CURRENT.operation = operation
    _CURRENT.body = body
    _CURRENT.cache = {}


def end() -> None:
    """Forget it once the answer is built."""
    _CURRENT.operation = ""
    _CURRENT.body = {}
    _CURRENT.cache = {}


def operation() -> str:
    """The running operation's name, e.g. `InitiateAuth`; empty outside a Cognito request."""
    return getattr(_CURRENT, "operation", "")


def body() -> dict[str, Any]:
    """The running operation's JSON body (empty outside a Cognito request)."""
    return getattr(_CURRENT, "body", {}) or {}


def cache() -> dict[Any, Any]:
    """Per-request memory, e.g. the one PreTokenGeneration answer shared by ID and access token."""
    if not hasattr(_CURRENT, "cache"):
        _CURRENT.cache = {}
    return _CURRENT.cache


def client_metadata() -> dict[str, str] | None:
    """The request's `ClientMetadata` (triggers' `clientMetadata`); None (JSON null, as Cognito
    sends it) when the request has none."""
    value = body().get("ClientMetadata")
    return dict(value) if isinstance(value, dict) and value else None


def validation_data() -> dict[str, str] | None:
    """The request's `ValidationData` list as a map (triggers' `validationData`), or None."""
    value = body().get("ValidationData")
    if not isinstance(value, list):
        return None
    data = {
        item["Name"]: item.get("Value", "")
        for item in value
        if isinstance(item, dict) and "Name" in item
    }
    return data or None


def force_alias_creation() -> bool:
    """The request's `ForceAliasCreation` (AdminCreateUser, ConfirmSignUp, AdminConfirmSignUp...)."""
    return body().get("ForceAliasCreation") is True
