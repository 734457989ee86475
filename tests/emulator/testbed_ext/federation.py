"""Federated users and their links: `AdminLinkProviderForUser`, `AdminDisableProviderForUser`,
the `identities` attribute, and a test-only federated sign-in that plays what Cognito does once
an IdP has answered (`POST /_testbed/federated-sign-in`).

moto 5.2.5 stores identity providers (`CreateIdentityProvider`) but has no links, no
`EXTERNAL_PROVIDER` users and no federated sign-in. AWS pages and sentences followed (quoted in
README.md's table):

* API reference, AdminLinkProviderForUser
  (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminLinkProviderForUser.html):
  "The maximum number of federated identities linked to a user is five." (a sixth:
  `LimitExceededException`, listed). DestinationUser: "If the user doesn't exist, Amazon Cognito
  generates an exception." (`UserNotFoundException`, listed) "For a native username + password
  user, the ProviderAttributeValue for the DestinationUser should be the username in the user
  pool. For a federated user, it should be the provider-specific user_id. The
  ProviderAttributeName of the DestinationUser is ignored. The ProviderName should be set to
  Cognito for users in Cognito user pools." SourceUser: "An external IdP account for a user who
  doesn't exist yet in the user pool. This user must be a federated user (for example, a SAML or
  Facebook user), not another native user." "If the SourceUser is using a federated social IdP,
  such as Facebook, Google, or Login with Amazon, you must set the ProviderAttributeName to
  Cognito_Subject." "For OIDC, the ProviderAttributeName can be any mapped value from a claim in
  the ID token ... For SAML, the ProviderAttributeName can be any mapped value from a claim in the
  SAML assertion." "You must map the claim to a user pool attribute in your IdP configuration, and
  set the user pool attribute name as the value of ProviderAttributeName".
  Messages AWS answers (not on a documentation page): a native SourceUser "Invalid SourceUser:
  Cognito users with a username/password may not be passed in as a SourceUser, only as a
  DestinationUser" (aws-amplify/amplify-js#13334, boto/boto3#4163); a SourceUser that already
  signed in "Merging is not currently supported, provide a SourceUser that has not been signed up
  in order to link" (aws/aws-sdk-net#1000), both `InvalidParameterException`.
* Developer guide, "Linking federated users to an existing user profile"
  (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-identity-federation-consolidate-users.html):
  the `identities` attribute after three links, a JSON array of `{"userId", "providerName",
  "providerType", "issuer", "primary": false, "dateCreated": <number>}`; "You can link up to five
  federated users to each user profile." "You can link federated users to either an existing
  federated user profile, or to a native user." "Your user's ID token contains all of their
  associated providers in the identities claim." "You must set ProviderAttributeName to
  Cognito_Subject when you link an OIDC or social IdP to a user profile." (this older sentence
  contradicts the API reference on OIDC; we follow the API reference).
* API reference, AdminDisableProviderForUser: "If the user to deactivate is a linked external IdP
  user, any link between that user and an existing user is removed." "If the linked identity has
  not yet been used to sign in, the ProviderAttributeName and ProviderAttributeValue must be the
  same values that were used for the SourceUser ... If the user has already signed in, the
  ProviderAttributeName must be Cognito_Subject and ProviderAttributeValue must be the NameID from
  their SAML assertion." (so a link made on an attribute is keyed by the subject once used).
* Federated sign-in. Pre sign-up (developer guide, "Pre sign-up Lambda trigger"): "Your user pool
  invokes this trigger on self-service sign-up with SignUp or first sign-in with a trusted
  identity provider, and on user creation with AdminCreateUser." "The userAttributes in the request
  object sent to this function contain attributes that have been provided by local user sign-up or
  that have successfully been mapped from provider attributes for a federated user." Source
  `PreSignUp_ExternalProvider` ("Pre sign-up for external identity providers.", trigger sources
  table of "Customizing user pool workflows with Lambda triggers"); PreTokenGeneration's source for
  managed-login sign-in is `TokenGeneration_HostedAuth` (same table). Attribute mapping ("Mapping
  IdP attributes to profiles and tokens"): "When a user signs in through an identity provider,
  Amazon Cognito updates the mapped attributes with the latest information from the identity
  provider." "Amazon Cognito will map incoming claims to user pool attributes only if the claims
  exist in the incoming token." "By default, mapped email addresses are unverified." Linked users:
  the API reference's "Amazon Cognito returns this user when the new user (with the linked IdP
  attribute) signs in." First sign-in without a link creates `<ProviderName>_<subject>` with
  status `EXTERNAL_PROVIDER` ("When a federated user signs in to a user pool, Amazon Cognito
  creates a user profile that it prefixes with the name of your IdP.").

Ours (AWS does not say): linking an identity already linked to the same user again succeeds and
changes nothing; linked to another user it is `AliasExistsException`; the `issuer` of a SAML
identity is the `entityID` of its `MetadataFile` (null when absent), of an OIDC one its
`oidc_issuer`, of a social one null; `dateCreated` is epoch milliseconds; in the ID token the
`identities` claim is the same array as objects. Links and identity records live on moto's pool and
user objects, so `POST /moto-api/reset` and `AdminDeleteUser` forget them.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser

from . import pool_shapes, request_context, user_creation
from .wire import (
    CallContext,
    CognitoError,
    error_response,
    invalid_parameter,
    json_response,
    moto_backend,
    user_pool,
)

SUBJECT = "Cognito_Subject"
COGNITO = "Cognito"
EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
MAX_LINKS = 5
SOCIAL_TYPES = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
OPERATION = "FederatedSignIn"  # request_context's name for the test-only sign-in
ENTITY_ID = re.compile(r"""entityID\s*=\s*["']([^"']+)["']""")
NOT_MAPPED = ("username", "sub", "identities")


# --- links and identity records, kept on moto's objects -----------------------------------


def links(pool: Any) -> dict[tuple[str, str, str], str]:
    """(provider, attribute name, value) -> destination user name, for the pool."""
    return pool.__dict__.setdefault("testbed_links", {})


def records(user: Any) -> list[dict[str, Any]]:
    """The user's identity records (the `identities` attribute, parsed)."""
    return user.__dict__.setdefault("testbed_identities", [])


def shown(user: Any) -> list[dict[str, Any]]:
    """The identity records as AWS shows them (our bookkeeping field left out)."""
    return [{k: v for k, v in item.items() if k != "testbed_key"} for item in records(user)]


def render(user: Any) -> None:
    """Write the records into the `identities` attribute (a JSON string, as AWS shows it)."""
    if records(user):
        value = json.dumps(shown(user), separators=(",", ":"))
        user.update_attributes([{"Name": "identities", "Value": value}])
    elif "identities" in user.attribute_lookup:
        user.delete_attributes(["identities"])


def identities_claim(user: Any) -> list[dict[str, Any]] | None:
    """The ID token's `identities` claim, or None for a user without identities."""
    return shown(user) or None


def provider_type(provider: Any) -> str:
    return str(provider.extended_config.get("ProviderType") or "")


def issuer(provider: Any) -> str | None:
    """SAML: the metadata's entityID; OIDC: `oidc_issuer`; social: null (ours, see docstring)."""
    details = provider.extended_config.get("ProviderDetails") or {}
    kind = provider_type(provider)
    if kind == "OIDC":
        return details.get("oidc_issuer") or None
    if kind == "SAML":
        match = ENTITY_ID.search(details.get("MetadataFile") or "")
        return match.group(1) if match else None
    return None


def record(provider: Any, user_id: str, primary: bool) -> dict[str, Any]:
    return {
        "userId": user_id,
        "providerName": provider.name,
        "providerType": provider_type(provider),
        "issuer": issuer(provider),
        "primary": primary,
        "dateCreated": int(time.time() * 1000),
    }


def is_external(user: Any) -> bool:
    return str(getattr(user.status, "value", user.status)) == EXTERNAL_PROVIDER


def linked_count(user: Any) -> int:
    """Identities linked to the user (its own primary identity, if federated, not counted)."""
    return sum(1 for item in records(user) if not item.get("primary"))


def live_link(pool: Any, key: tuple[str, str, str]) -> Any:
    """The user a link points to, or None (dropping a link whose user is gone)."""
    index = links(pool)
    username = index.get(key)
    if username is None:
        return None
    user = pool.users.get(username)
    if user is None or not any(tuple(r.get("testbed_key") or ()) == key for r in records(user)):
        del index[key]  # the user was deleted (a namesake created later has no such link)
        return None
    return user


def federated_user(pool: Any, provider_name: str, name: str, value: str) -> Any:
    """The EXTERNAL_PROVIDER user that already signed in with this source identity, if any."""
    if name == SUBJECT:
        user = pool.users.get(f"{provider_name}_{value}")
        return user if user is not None and is_external(user) else None
    for user in pool.users.values():
        if not is_external(user) or user.attribute_lookup.get(name) != value:
            continue
        if any(r["providerName"] == provider_name and r["primary"] for r in records(user)):
            return user
    return None


# --- AdminLinkProviderForUser / AdminDisableProviderForUser -------------------------------


def identifier(body: dict[str, Any], member: str) -> tuple[str, str, str]:
    """(ProviderName, ProviderAttributeName, ProviderAttributeValue) of a ProviderUserIdentifierType."""
    value = body.get(member)
    if not isinstance(value, dict):
        raise invalid_parameter(f"{member} is required.")
    name = value.get("ProviderName")
    attribute = value.get("ProviderAttributeName") or ""
    attribute_value = value.get("ProviderAttributeValue")
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise invalid_parameter(f"{member}.ProviderName must be 1 to 32 characters.")
    if not isinstance(attribute_value, str) or not attribute_value:
        raise invalid_parameter(f"{member}.ProviderAttributeValue is required.")
    return name, str(attribute), attribute_value


def identity_provider(pool: Any, name: str, member: str) -> Any:
    provider = pool.identity_providers.get(name)
    if provider is None:
        raise invalid_parameter(
            f"{member}.ProviderName {name} is not an identity provider of user pool {pool.id}."
        )
    return provider


def destination_user(pool: Any, name: str, value: str) -> Any:
    """DestinationUser: `Cognito` + user name, or a provider + that provider's user id."""
    if name == COGNITO:
        user = pool_shapes.find_user(pool, value)
        if user is not None and pool_shapes.folded(pool, user.username) == pool_shapes.folded(
            pool, value
        ):
            return user
        raise CognitoError("UserNotFoundException", "User does not exist.")
    identity_provider(pool, name, "DestinationUser")
    user = live_link(pool, (name, SUBJECT, value)) or federated_user(pool, name, SUBJECT, value)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return user


def check_source_attribute(provider: Any, attribute: str) -> None:
    """Social IdPs link on Cognito_Subject; SAML/OIDC on Cognito_Subject or a mapped attribute."""
    if attribute == SUBJECT:
        return
    if provider_type(provider) in SOCIAL_TYPES:
        raise invalid_parameter(
            f"Invalid SourceUser: ProviderAttributeName must be {SUBJECT} for the social "
            f"identity provider {provider.name}."
        )
    mapping = provider.extended_config.get("AttributeMapping") or {}
    if attribute not in mapping or attribute in NOT_MAPPED:
        raise invalid_parameter(
            f"Invalid SourceUser: {attribute} is not a user pool attribute mapped by the "
            f"identity provider {provider.name}."
        )


def check_mutable(pool: Any, user: Any) -> None:
    """"All attributes in the DestinationUser profile must be mutable. If you have assigned the
    user any immutable custom attributes, the operation won't succeed." (API reference, older
    wording of DestinationUser)."""
    for name, attribute in pool.schema_attributes.items():
        if name.startswith("custom:") and not attribute.mutable and name in user.attribute_lookup:
            raise invalid_parameter(
                f"DestinationUser has the immutable attribute {name}; linking needs every "
                f"attribute of the destination to be mutable."
            )


def admin_link_provider_for_user(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    pool = user_pool(ctx, str(body.get("UserPoolId") or ""))
    dest_name, _ignored, dest_value = identifier(body, "DestinationUser")
    source_name, source_attribute, source_value = identifier(body, "SourceUser")
    if source_name == COGNITO:
        raise invalid_parameter(
            "Invalid SourceUser: Cognito users with a username/password may not be passed in as "
            "a SourceUser, only as a DestinationUser"
        )
    provider = identity_provider(pool, source_name, "SourceUser")
    check_source_attribute(provider, source_attribute)
    destination = destination_user(pool, dest_name, dest_value)
    key = (source_name, source_attribute, source_value)
    holder = live_link(pool, key)
    if holder is destination:
        return {}
    if holder is not None:
        raise CognitoError(
            "AliasExistsException",
            f"The SourceUser {source_name}/{source_value} is already linked to another user.",
        )
    if federated_user(pool, source_name, source_attribute, source_value) is not None:
        raise invalid_parameter(
            "Merging is not currently supported, provide a SourceUser that has not been signed "
            "up in order to link"
        )
    if linked_count(destination) >= MAX_LINKS:
        raise CognitoError(
            "LimitExceededException",
            f"The maximum number of federated identities linked to a user is {MAX_LINKS}.",
        )
    check_mutable(pool, destination)
    entry = record(provider, source_value, primary=False)
    entry["testbed_key"] = list(key)
    records(destination).append(entry)
    links(pool)[key] = destination.username
    render(destination)
    return {}


def unlink(pool: Any, key: tuple[str, str, str]) -> bool:
    """Remove one link; whether there was one."""
    user = live_link(pool, key)
    if user is None:
        return False
    del links(pool)[key]
    records(user)[:] = [r for r in records(user) if tuple(r.get("testbed_key") or ()) != key]
    render(user)
    return True


def admin_disable_provider_for_user(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """Removes a link (the documented unlink), or stops an EXTERNAL_PROVIDER user from signing in
    with its IdP (disabled, ours). Native users (`Cognito`) are refused (not done, README)."""
    pool = user_pool(ctx, str(body.get("UserPoolId") or ""))
    name, attribute, value = identifier(body, "User")
    if name == COGNITO:
        raise invalid_parameter(
            "The test bed does not deactivate the password of native users "
            "(AdminDisableProviderForUser with ProviderName Cognito); see tests/emulator/README.md."
        )
    identity_provider(pool, name, "User")
    if unlink(pool, (name, attribute or SUBJECT, value)):
        return {}
    user = federated_user(pool, name, attribute or SUBJECT, value)
    if user is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    user.enabled = False
    return {}


OPERATIONS = {
    "AdminLinkProviderForUser": admin_link_provider_for_user,
    "AdminDisableProviderForUser": admin_disable_provider_for_user,
}


# --- the test-only federated sign-in -----------------------------------------------------


def mapped_attributes(provider: Any, claims: dict[str, Any]) -> dict[str, str]:
    """The pool attributes the IdP's claims map to (`AttributeMapping`: pool attribute -> claim);
    only claims present are mapped."""
    mapping = provider.extended_config.get("AttributeMapping") or {}
    result = {}
    for pool_attribute, claim in mapping.items():
        if pool_attribute in NOT_MAPPED or claim not in claims or claims[claim] is None:
            continue
        value = claims[claim]
        result[pool_attribute] = value if isinstance(value, str) else json.dumps(value)
    return result


def find_link(pool: Any, provider_name: str, subject: str, mapped: dict[str, str]) -> Any:
    """The user linked to this sign-in: by subject, else by a mapped attribute (that link is then
    re-keyed to the subject, the identity's userId becoming the subject)."""
    user = live_link(pool, (provider_name, SUBJECT, subject))
    if user is not None:
        return user
    for key in list(links(pool)):
        name, attribute, value = key
        if name != provider_name or attribute == SUBJECT or mapped.get(attribute) != value:
            continue
        user = live_link(pool, key)
        if user is None:
            continue
        new_key = (provider_name, SUBJECT, subject)
        del links(pool)[key]
        links(pool)[new_key] = user.username
        for item in records(user):
            if tuple(item.get("testbed_key") or ()) == key:
                item["testbed_key"] = list(new_key)
                item["userId"] = subject
        render(user)
        return user
    return None


def update_mapped(user: Any, mapped: dict[str, str]) -> None:
    if mapped:
        user.update_attributes([{"Name": k, "Value": v} for k, v in mapped.items()])


def federated_sign_in(ctx: CallContext, body: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """The sign-in after the IdP answered: (token answer, the user signed in)."""
    backend = moto_backend(ctx.account_id, ctx.region)
    pool = user_pool(ctx, str(body.get("UserPoolId") or ""))
    client_id = str(body.get("ClientId") or "")
    client = pool.clients.get(client_id)
    if client is None:
        raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    provider_name = str(body.get("ProviderName") or "")
    provider = identity_provider(pool, provider_name, "ProviderName")
    supported = client.extended_config.get("SupportedIdentityProviders") or []
    if provider_name not in supported:
        raise invalid_parameter(
            f"App client {client_id} does not list {provider_name} in its "
            f"SupportedIdentityProviders ({supported})."
        )
    subject = body.get("Subject")
    if not isinstance(subject, str) or not subject:
        raise invalid_parameter("Subject (the IdP's user id) is required.")
    claims = body.get("Attributes") or {}
    if not isinstance(claims, dict):
        raise invalid_parameter("Attributes must be an object of the IdP's claims.")
    mapped = mapped_attributes(provider, claims)

    user = find_link(pool, provider_name, subject, mapped)
    created = False
    if user is None:
        username = f"{provider_name}_{subject}"
        user = pool.users.get(username)
        if user is None:
            answer = user_creation.pre_sign_up(
                pool, "PreSignUp_ExternalProvider", username, client_id, dict(mapped)
            )
            # The function may have linked this identity (AWS's documented place to link).
            user = find_link(pool, provider_name, subject, mapped)
            if user is None:
                attributes = user_creation.verified_by(answer, mapped)
                user = CognitoIdpUser(
                    pool.id,
                    username,
                    None,
                    EXTERNAL_PROVIDER,
                    [{"Name": k, "Value": v} for k, v in attributes.items()],
                )
                records(user).append(record(provider, subject, primary=True))
                render(user)
                pool.users[username] = user
                created = True
    if not created:
        update_mapped(user, mapped)
    if not user.enabled:
        raise CognitoError("NotAuthorizedException", "User is disabled.")
    result = backend._log_user_in(pool, client, user.username)["AuthenticationResult"]
    answer = {
        "id_token": result["IdToken"],
        "access_token": result["AccessToken"],
        "refresh_token": result["RefreshToken"],
        "expires_in": result["ExpiresIn"],
        "token_type": result["TokenType"],
        "x_testbed": {"username": user.username, "created": created},
    }
    return answer, user


def federated_sign_in_route(environ: dict[str, Any], start_response: Any, ctx: CallContext) -> Any:
    """`POST /_testbed/federated-sign-in`: JSON in, the token endpoint's JSON out (200), or a
    Cognito-shaped error (400)."""
    from werkzeug.wrappers import Request

    try:
        try:
            body = json.loads(Request(environ).get_data(cache=False) or b"{}")
        except ValueError:
            raise invalid_parameter("The request body is not JSON.")
        if not isinstance(body, dict):
            raise invalid_parameter("The request body is not a JSON object.")
        request_context.begin(OPERATION, {})
        try:
            answer, _user = federated_sign_in(ctx, body)
        finally:
            request_context.end()
        return json_response(start_response, "200 OK", answer)
    except CognitoError as error:
        return error_response(start_response, error)


def install() -> None:
    """GetUser answers EXTERNAL_PROVIDER users too (moto requires CONFIRMED)."""
    get_user = CognitoIdpBackend.get_user

    def get_user_hook(self: Any, access_token: str) -> Any:
        for pool in self.user_pools.values():
            if access_token in pool.access_tokens:
                _client, username = pool.access_tokens[access_token]
                user = pool.users.get(username)
                if user is not None and user.enabled and is_external(user):
                    return user
        return get_user(self, access_token)

    CognitoIdpBackend.get_user = get_user_hook
