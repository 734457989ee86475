"""The tokens moto issues, built once per request and passed through the pool's
PreTokenGeneration trigger.

Developer guide, "Pre token generation Lambda trigger"
(https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html):

* "Because Amazon Cognito invokes this trigger before token generation, you can customize the
  claims in user pool tokens. With the Basic features of the version one or V1_0 pre token
  generation trigger event, you can customize the identity (ID) token." "A V2_0 or V3_0 event is a
  single request with the data that Amazon Cognito would write to both the identity and access
  tokens."
* Configuration: `LambdaConfig.PreTokenGeneration` (version 1) or `PreTokenGenerationConfig
  {LambdaVersion: V1_0 | V2_0, LambdaArn}` (API reference, LambdaConfigType).
* Sources: `TokenGeneration_Authentication` (sign-in), `TokenGeneration_NewPasswordChallenge`,
  `TokenGeneration_RefreshTokens`, `TokenGeneration_HostedAuth` (the test-only federated sign-in of
  `federation`, which plays managed login after an IdP answered).
* Request: `userAttributes`, `groupConfiguration {groupsToOverride, iamRolesToOverride,
  preferredRole}` (the user's current groups), `clientMetadata`; version 2 adds `scopes`.
* Response version 1: `claimsOverrideDetails {claimsToAddOrOverride, claimsToSuppress,
  groupOverrideDetails}`: the claims to the ID token only, the group override to both tokens.
  Version 2: `claimsAndScopeOverrideDetails {idTokenGeneration, accessTokenGeneration {..,
  scopesToAdd, scopesToSuppress}, groupOverrideDetails}`, the group override applied to both
  tokens. Same page, response parameters, `groupOverrideDetails`: "Amazon Cognito ID and access
  tokens both contain the `cognito:groups` claim. Your groupOverrideDetails object will replace
  the `cognito:groups` claim in access tokens as well as ID tokens." (the newer wording adds
  "Group overrides are the only changes to the access token that version 1 events can make.").
* A group override changes the `cognito:groups` claim of both tokens, and `cognito:roles`,
  `cognito:preferred_role` of the ID token (the claims AWS's version-two example sets: "Sets their
  ID token `cognito:roles` claim", "Sets their ID and access token `cognito:groups` claim"); not
  the user's membership.

Claims Cognito sets itself (iss, sub, aud, client_id, token_use, iat, auth_time, exp, jti,
origin_jti, cognito:username, username) are kept whatever the function answers (ours: AWS refuses
to change them; it does not say how). A failing function refuses the sign-in:
`UserLambdaValidationException` "PreTokenGeneration failed with error <message>.".

moto's own `create_id_token`/`create_access_token` are replaced by equivalents that also name the
user by its real user name (moto used the typed one, and put it in `email` on e-mail pools).
"""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from moto.cognitoidp.models import CognitoIdpUserPool
from moto.moto_api._internal import mock_random as random

from . import federation, request_context, triggers

EXPIRES_IN = 60 * 60
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
PROTECTED_CLAIMS = frozenset(
    {
        "iss",
        "sub",
        "aud",
        "client_id",
        "token_use",
        "iat",
        "auth_time",
        "exp",
        "jti",
        "origin_jti",
        "cognito:username",
        "username",
    }
)


def trigger_source() -> str:
    """The PreTokenGeneration source of the running operation."""
    operation = request_context.operation()
    body = request_context.body()
    if operation == "FederatedSignIn":
        # Sign-in through an IdP (the test-only federated sign-in, `federation`): the trigger
        # sources table: "TokenGeneration_HostedAuth | Called during authentication from the
        # Amazon Cognito managed login sign-in page."
        return "TokenGeneration_HostedAuth"
    if operation in ("InitiateAuth", "AdminInitiateAuth") and body.get("AuthFlow") in (
        "REFRESH_TOKEN_AUTH",
        "REFRESH_TOKEN",
    ):
        return "TokenGeneration_RefreshTokens"
    if operation in ("RespondToAuthChallenge", "AdminRespondToAuthChallenge") and (
        body.get("ChallengeName") == "NEW_PASSWORD_REQUIRED"
    ):
        return "TokenGeneration_NewPasswordChallenge"
    return "TokenGeneration_Authentication"


def trigger_config(pool: Any) -> tuple[str, str] | None:
    """(ARN, version "V1_0"/"V2_0") of the pool's PreTokenGeneration function, or None."""
    config = triggers.lambda_config(pool)
    versioned = config.get("PreTokenGenerationConfig") or {}
    arn = versioned.get("LambdaArn") or config.get("PreTokenGeneration")
    if not arn:
        return None
    return arn, versioned.get("LambdaVersion") or "V1_0"


def group_configuration(user: Any) -> dict[str, Any]:
    """The user's groups as the trigger sees them, by precedence (lowest first)."""
    groups = sorted(
        user.groups,
        key=lambda g: (g.precedence is None, g.precedence or 0, g.group_name),
    )
    roles = [g.role_arn for g in groups if g.role_arn]
    return {
        "groupsToOverride": [g.group_name for g in groups],
        "iamRolesToOverride": roles,
        "preferredRole": roles[0] if roles else None,
    }


def overrides(pool: Any, client_id: str, user: Any) -> tuple[str, dict[str, Any]] | None:
    """The function's answer for this request (one invocation for the ID and access token)."""
    config = trigger_config(pool)
    if config is None:
        return None
    arn, version = config
    key = ("PreTokenGeneration", pool.id, client_id, user.username)
    memory = request_context.cache()
    if key not in memory:
        request = {
            "userAttributes": triggers.user_attributes(user),
            "groupConfiguration": group_configuration(user),
            "clientMetadata": request_context.client_metadata(),
        }
        if version == "V2_0":
            request["scopes"] = [ADMIN_SCOPE]
            template: dict[str, Any] = {"claimsAndScopeOverrideDetails": None}
        else:
            template = {"claimsOverrideDetails": None}
        answer = triggers.fire(
            pool,
            "PreTokenGeneration",
            arn,
            trigger_source(),
            user.username,
            client_id,
            request,
            template,
            version="2" if version == "V2_0" else "1",
        )
        memory[key] = (version, answer)
    return memory[key]


def apply_claims(claims: dict[str, Any], details: dict[str, Any]) -> None:
    """claimsToAddOrOverride, then claimsToSuppress, sparing the claims Cognito owns."""
    for name, value in (details.get("claimsToAddOrOverride") or {}).items():
        if name not in PROTECTED_CLAIMS:
            claims[name] = value
    for name in details.get("claimsToSuppress") or []:
        if name not in PROTECTED_CLAIMS:
            claims.pop(name, None)


def apply_groups(claims: dict[str, Any], details: dict[str, Any] | None, token_use: str) -> None:
    """groupOverrideDetails, either version: replace `cognito:groups` in the ID and the access
    token ("Your groupOverrideDetails object will replace the `cognito:groups` claim in access
    tokens as well as ID tokens."), the role claims in the ID token only; the membership is
    untouched."""
    if not details:
        return
    fields = [("groupsToOverride", "cognito:groups")]
    if token_use == "id":
        fields.append(("iamRolesToOverride", "cognito:roles"))
    for field, claim in fields:
        if field in details and details[field] is not None:
            if details[field]:
                claims[claim] = list(details[field])
            else:
                claims.pop(claim, None)
    if token_use == "id" and details.get("preferredRole"):
        claims["cognito:preferred_role"] = details["preferredRole"]


def apply_scopes(claims: dict[str, Any], details: dict[str, Any]) -> None:
    """Version 2 access token: scopesToAdd / scopesToSuppress on the `scope` claim."""
    scopes = claims.get("scope", "").split()
    scopes += [s for s in details.get("scopesToAdd") or [] if s not in scopes]
    scopes = [s for s in scopes if s not in (details.get("scopesToSuppress") or [])]
    claims["scope"] = " ".join(scopes)


def customised(
    pool: Any, client_id: str, user: Any, token_use: str, claims: dict[str, Any]
) -> None:
    """Apply the trigger's answer to one token's claims."""
    answered = overrides(pool, client_id, user)
    if answered is None:
        return
    version, answer = answered
    if version == "V2_0":
        details = answer.get("claimsAndScopeOverrideDetails") or {}
        part = (
            details.get("idTokenGeneration" if token_use == "id" else "accessTokenGeneration") or {}
        )
        apply_claims(claims, part)
        if token_use == "access":
            apply_scopes(claims, part)
        apply_groups(claims, details.get("groupOverrideDetails"), token_use)
    else:
        # Version 1: claimsToAddOrOverride/claimsToSuppress reach the ID token only ("Amazon
        # Cognito sends a V1_0 event as a request to your function with data that it would write
        # to the ID token."); groupOverrideDetails reaches both tokens (see apply_groups).
        details = answer.get("claimsOverrideDetails") or {}
        if token_use == "id":
            apply_claims(claims, details)
        apply_groups(claims, details.get("groupOverrideDetails"), token_use)


def signed(pool: Any, client_id: str, user: Any, token_use: str, extra: dict[str, Any]) -> str:
    """moto's `create_jwt` payload, with our changes, signed with the pool's key."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://cognito-idp.{pool.region}.amazonaws.com/{pool.id}",
        "sub": user.id,
        "client_id" if token_use == "access" else "aud": client_id,
        "token_use": token_use,
        "iat": now,
        "auth_time": now,
        "exp": now + EXPIRES_IN,
        "jti": str(random.uuid4()),
    }
    if token_use == "access":
        claims["username"] = user.username
    else:
        claims["cognito:username"] = user.username
    claims.update(extra)
    customised(pool, client_id, user, token_use, claims)
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, claims, pool.json_web_key)


def create_id_token(self: Any, client_id: str, username: str, origin_jti: str) -> tuple[str, int]:
    """moto's ID token (readable attributes, custom attributes, groups) + PreTokenGeneration."""
    user = self._get_user(username)
    extra = self.get_user_extra_data_by_client_id(client_id, username)
    extra["origin_jti"] = origin_jti
    for attribute in user.attributes:
        if attribute["Name"].startswith("custom:"):
            extra[attribute["Name"]] = attribute["Value"]
    if "email" in self.extended_config.get("UsernameAttributes", []) and user.attribute_lookup.get(
        "email"
    ):
        extra["email"] = user.attribute_lookup["email"]
    if user.groups:
        extra["cognito:groups"] = [group.group_name for group in user.groups]
    identities = federation.identities_claim(user)
    if identities:
        # "Your user's ID token contains all of their associated providers in the identities
        # claim." (developer guide, "Linking federated users to an existing user profile")
        extra["identities"] = identities
    token = signed(self, client_id, user, "id", extra)
    self.id_tokens[token] = (client_id, username)
    return token, EXPIRES_IN


def create_access_token(
    self: Any, client_id: str, username: str, origin_jti: str
) -> tuple[str, int]:
    """moto's access token (scope, groups) + PreTokenGeneration (version 2; version 1: groups)."""
    user = self._get_user(username)
    extra: dict[str, Any] = {"origin_jti": origin_jti, "scope": ADMIN_SCOPE}
    if user.groups:
        extra["cognito:groups"] = [group.group_name for group in user.groups]
    token = signed(self, client_id, user, "access", extra)
    self.access_tokens[token] = (client_id, username)
    return token, EXPIRES_IN


def install() -> None:
    """Replace moto's two token builders."""
    CognitoIdpUserPool.create_id_token = create_id_token
    CognitoIdpUserPool.create_access_token = create_access_token
