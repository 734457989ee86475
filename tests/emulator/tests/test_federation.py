"""Federated users and their links (testbed_ext/federation.py): AdminLinkProviderForUser with
each documented failure, AdminDisableProviderForUser, the `identities` attribute and claim, and
the test-only federated sign-in (`POST /_testbed/federated-sign-in`)."""

import json
import unittest

from support import (
    PASSWORD,
    Function,
    claims,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    federated_sign_in,
    sign_in,
)

SAML_METADATA = (
    '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="http://auth.example.com"></EntityDescriptor>'
)


def add_providers(c, pool):
    c.create_identity_provider(
        UserPoolId=pool,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "id", "client_secret": "s", "authorize_scopes": "email"},
        AttributeMapping={"email": "email", "username": "sub", "given_name": "given_name"},
    )
    c.create_identity_provider(
        UserPoolId=pool,
        ProviderName="ADFS1",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": SAML_METADATA},
        AttributeMapping={"email": "http://schemas/emailaddress"},
    )


def federated_client(c, pool):
    return create_client(c, pool, SupportedIdentityProviders=["COGNITO", "Google", "ADFS1"])


def link(c, pool, username, provider="Google", value="g-1", attribute="Cognito_Subject"):
    return c.admin_link_provider_for_user(
        UserPoolId=pool,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": username},
        SourceUser={
            "ProviderName": provider,
            "ProviderAttributeName": attribute,
            "ProviderAttributeValue": value,
        },
    )


def identities(c, pool, username):
    attributes = c.admin_get_user(UserPoolId=pool, Username=username)["UserAttributes"]
    value = {a["Name"]: a["Value"] for a in attributes}.get("identities")
    return json.loads(value) if value is not None else None


class Linking(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c)
        add_providers(self.c, self.pool)
        self.client = federated_client(self.c, self.pool)
        confirmed_user(self.c, self.pool, "diego", {"email": "diego@example.com"})

    def test_link_shows_identities_as_aws_formats_them_in_admin_get_user_and_list_users(self):
        link(self.c, self.pool, "diego", "Google", "g-1")
        link(self.c, self.pool, "diego", "ADFS1", "diego@example.com", attribute="email")
        shown = identities(self.c, self.pool, "diego")
        self.assertEqual(
            [{k: v for k, v in i.items() if k != "dateCreated"} for i in shown],
            [
                {
                    "userId": "g-1",
                    "providerName": "Google",
                    "providerType": "Google",
                    "issuer": None,
                    "primary": False,
                },
                {
                    "userId": "diego@example.com",
                    "providerName": "ADFS1",
                    "providerType": "SAML",
                    "issuer": "http://auth.example.com",
                    "primary": False,
                },
            ],
        )
        self.assertTrue(all(isinstance(i["dateCreated"], int) for i in shown))
        listed = self.c.list_users(UserPoolId=self.pool)["Users"]
        diego = next(u for u in listed if u["Username"] == "diego")
        self.assertIn("identities", {a["Name"] for a in diego["Attributes"]})

    def test_linking_the_same_identity_to_the_same_user_again_changes_nothing(self):
        link(self.c, self.pool, "diego")
        link(self.c, self.pool, "diego")
        self.assertEqual(len(identities(self.c, self.pool, "diego")), 1)

    def test_an_identity_linked_to_another_user_is_alias_exists(self):
        confirmed_user(self.c, self.pool, "erin")
        link(self.c, self.pool, "diego")
        code, _ = error_of(lambda: link(self.c, self.pool, "erin"))
        self.assertEqual(code, "AliasExistsException")
        self.assertIsNone(identities(self.c, self.pool, "erin"))

    def test_unknown_destination_is_user_not_found(self):
        code, _ = error_of(lambda: link(self.c, self.pool, "nobody"))
        self.assertEqual(code, "UserNotFoundException")

    def test_unknown_pool_is_resource_not_found(self):
        code, _ = error_of(lambda: link(self.c, "us-east-1_nothere", "diego"))
        self.assertEqual(code, "ResourceNotFoundException")

    def test_provider_the_pool_lacks_is_refused(self):
        code, message = error_of(lambda: link(self.c, self.pool, "diego", "Facebook"))
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("Facebook", message)

    def test_a_native_user_cannot_be_the_source(self):
        code, message = error_of(lambda: link(self.c, self.pool, "diego", "Cognito", "erin"))
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("may not be passed in as a SourceUser", message)

    def test_social_providers_link_on_cognito_subject_only(self):
        code, _ = error_of(
            lambda: link(self.c, self.pool, "diego", "Google", "d@x.com", attribute="email")
        )
        self.assertEqual(code, "InvalidParameterException")

    def test_saml_links_on_a_mapped_attribute_only(self):
        code, _ = error_of(
            lambda: link(self.c, self.pool, "diego", "ADFS1", "x", attribute="given_name")
        )
        self.assertEqual(code, "InvalidParameterException")

    def test_a_source_that_already_signed_in_cannot_be_linked(self):
        status, _ = federated_sign_in(self.pool, self.client, "Google", "g-9")
        self.assertEqual(status, 200)
        code, message = error_of(lambda: link(self.c, self.pool, "diego", "Google", "g-9"))
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("Merging is not currently supported", message)

    def test_five_links_per_user_then_limit_exceeded(self):
        for n in range(5):
            link(self.c, self.pool, "diego", "Google", f"g-{n}")
        code, _ = error_of(lambda: link(self.c, self.pool, "diego", "Google", "g-5"))
        self.assertEqual(code, "LimitExceededException")
        self.assertEqual(len(identities(self.c, self.pool, "diego")), 5)

    def test_destination_with_an_immutable_custom_attribute_is_refused(self):
        pool = create_pool(
            self.c,
            Schema=[{"Name": "legacy", "AttributeDataType": "String", "Mutable": False}],
        )
        add_providers(self.c, pool)
        confirmed_user(self.c, pool, "fixed", {"custom:legacy": "1"})
        code, _ = error_of(lambda: link(self.c, pool, "fixed"))
        self.assertEqual(code, "InvalidParameterException")

    def test_a_federated_user_can_be_the_destination(self):
        federated_sign_in(self.pool, self.client, "Google", "g-7")
        self.c.admin_link_provider_for_user(
            UserPoolId=self.pool,
            DestinationUser={"ProviderName": "Google", "ProviderAttributeValue": "g-7"},
            SourceUser={
                "ProviderName": "ADFS1",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "carlos",
            },
        )
        shown = identities(self.c, self.pool, "Google_g-7")
        self.assertEqual([(i["providerName"], i["primary"]) for i in shown],
                         [("Google", True), ("ADFS1", False)])

    def test_disable_provider_removes_the_link(self):
        link(self.c, self.pool, "diego")
        self.c.admin_disable_provider_for_user(
            UserPoolId=self.pool,
            User={
                "ProviderName": "Google",
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "g-1",
            },
        )
        self.assertIsNone(identities(self.c, self.pool, "diego"))
        status, answer = federated_sign_in(self.pool, self.client, "Google", "g-1")
        self.assertEqual(status, 200)
        self.assertEqual(answer["x_testbed"]["username"], "Google_g-1")

    def test_disable_provider_of_an_unknown_identity_is_user_not_found(self):
        code, _ = error_of(
            lambda: self.c.admin_disable_provider_for_user(
                UserPoolId=self.pool,
                User={
                    "ProviderName": "Google",
                    "ProviderAttributeName": "Cognito_Subject",
                    "ProviderAttributeValue": "nobody",
                },
            )
        )
        self.assertEqual(code, "UserNotFoundException")


class FederatedSignIn(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def pool(self, **config):
        pool = create_pool(self.c, **config)
        add_providers(self.c, pool)
        return pool, federated_client(self.c, pool)

    def test_first_sign_in_creates_provider_subject_with_pre_sign_up_external_provider(self):
        function = Function({})
        pool, client = self.pool(LambdaConfig={"PreSignUp": function.arn})
        status, answer = federated_sign_in(
            pool, client, "Google", "1234", {"email": "g@example.com", "given_name": "Gia"}
        )
        self.assertEqual(status, 200, answer)
        self.assertEqual(set(answer) - {"x_testbed"},
                         {"id_token", "access_token", "refresh_token", "expires_in", "token_type"})
        self.assertEqual(claims(answer["id_token"])["cognito:username"], "Google_1234")
        [event] = function.events()
        self.assertEqual(event["triggerSource"], "PreSignUp_ExternalProvider")
        self.assertEqual(event["userName"], "Google_1234")
        self.assertEqual(event["callerContext"]["clientId"], client)
        self.assertEqual(
            event["request"]["userAttributes"], {"email": "g@example.com", "given_name": "Gia"}
        )
        user = self.c.admin_get_user(UserPoolId=pool, Username="Google_1234")
        self.assertEqual(user["UserStatus"], "EXTERNAL_PROVIDER")
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        self.assertEqual(attributes["email"], "g@example.com")
        [identity] = json.loads(attributes["identities"])
        self.assertEqual(
            (identity["userId"], identity["providerName"], identity["primary"]),
            ("1234", "Google", True),
        )

    def test_second_sign_in_reuses_the_user_updates_mapped_attributes_no_pre_sign_up(self):
        function = Function({})
        pool, client = self.pool(LambdaConfig={"PreSignUp": function.arn})
        federated_sign_in(pool, client, "Google", "1", {"email": "a@example.com"})
        status, answer = federated_sign_in(pool, client, "Google", "1", {"email": "b@example.com"})
        self.assertEqual(status, 200)
        self.assertFalse(answer["x_testbed"]["created"])
        self.assertEqual(len(function.events()), 1)
        user = self.c.admin_get_user(UserPoolId=pool, Username="Google_1")
        self.assertIn({"Name": "email", "Value": "b@example.com"}, user["UserAttributes"])

    def test_a_linked_identity_signs_in_as_the_linked_user(self):
        pool, client = self.pool()
        confirmed_user(self.c, pool, "diego", {"custom:legacy_id": "L-7"})
        self.c.create_group(UserPoolId=pool, GroupName="staff")
        self.c.admin_add_user_to_group(UserPoolId=pool, Username="diego", GroupName="staff")
        link(self.c, pool, "diego", "Google", "g-1")
        status, answer = federated_sign_in(pool, client, "Google", "g-1", {"email": "d@x.com"})
        self.assertEqual(status, 200, answer)
        id_claims = claims(answer["id_token"])
        self.assertEqual(id_claims["cognito:username"], "diego")
        self.assertEqual(id_claims["cognito:groups"], ["staff"])
        self.assertEqual(claims(answer["access_token"])["username"], "diego")
        self.assertEqual([i["providerName"] for i in id_claims["identities"]], ["Google"])
        names = [u["Username"] for u in self.c.list_users(UserPoolId=pool)["Users"]]
        self.assertEqual(names, ["diego"])
        # The native profile still signs in with its password.
        self.assertIn("AuthenticationResult", sign_in(self.c, client, "diego", PASSWORD))

    def test_a_saml_link_on_an_attribute_is_keyed_by_the_subject_once_used(self):
        pool, client = self.pool()
        confirmed_user(self.c, pool, "carlos")
        link(self.c, pool, "carlos", "ADFS1", "c@example.com", attribute="email")
        status, answer = federated_sign_in(
            pool, client, "ADFS1", "name-id-9", {"http://schemas/emailaddress": "c@example.com"}
        )
        self.assertEqual(status, 200, answer)
        self.assertEqual(claims(answer["id_token"])["cognito:username"], "carlos")
        [identity] = identities(self.c, pool, "carlos")
        self.assertEqual(identity["userId"], "name-id-9")
        status, again = federated_sign_in(pool, client, "ADFS1", "name-id-9", {})
        self.assertEqual(claims(again["id_token"])["cognito:username"], "carlos")

    def test_pre_sign_up_that_links_lands_the_first_sign_in_on_the_linked_user(self):
        function = Function(
            {
                "PreSignUp_ExternalProvider": {
                    "link": {
                        "DestinationUser": {
                            "ProviderName": "Cognito",
                            "ProviderAttributeValue": "diego",
                        },
                        "SourceUser": {
                            "ProviderName": "Google",
                            "ProviderAttributeName": "Cognito_Subject",
                            "ProviderAttributeValue": "g-42",
                        },
                    }
                }
            }
        )
        pool, client = self.pool(LambdaConfig={"PreSignUp": function.arn})
        confirmed_user(self.c, pool, "diego")
        status, answer = federated_sign_in(pool, client, "Google", "g-42")
        self.assertEqual(status, 200, answer)
        self.assertEqual(claims(answer["id_token"])["cognito:username"], "diego")
        names = [u["Username"] for u in self.c.list_users(UserPoolId=pool)["Users"]]
        self.assertNotIn("Google_g-42", names)

    def test_pre_sign_up_failure_refuses_the_first_sign_in(self):
        function = Function({"PreSignUp_ExternalProvider": {"error": "no strangers"}})
        pool, client = self.pool(LambdaConfig={"PreSignUp": function.arn})
        status, answer = federated_sign_in(pool, client, "Google", "g-1")
        self.assertEqual(status, 400)
        self.assertEqual(answer["__type"], "UserLambdaValidationException")
        self.assertEqual(self.c.list_users(UserPoolId=pool)["Users"], [])

    def test_pre_token_generation_fires_with_hosted_auth_source(self):
        function = Function(
            {
                "TokenGeneration_HostedAuth": {
                    "response": {
                        "claimsOverrideDetails": {"claimsToAddOrOverride": {"tier": "gold"}}
                    }
                }
            }
        )
        pool, client = self.pool(LambdaConfig={"PreTokenGeneration": function.arn})
        status, answer = federated_sign_in(pool, client, "Google", "g-1")
        self.assertEqual(status, 200, answer)
        self.assertEqual(claims(answer["id_token"])["tier"], "gold")
        [event] = function.events()
        self.assertEqual(
            event["request"]["userAttributes"]["cognito:user_status"], "EXTERNAL_PROVIDER"
        )

    def test_federated_user_cannot_sign_in_with_a_password_but_get_user_answers(self):
        pool, client = self.pool()
        _status, answer = federated_sign_in(pool, client, "Google", "g-1")
        code, _ = error_of(lambda: sign_in(self.c, client, "Google_g-1", PASSWORD))
        self.assertEqual(code, "NotAuthorizedException")
        me = self.c.get_user(AccessToken=answer["access_token"])
        self.assertEqual(me["Username"], "Google_g-1")

    def test_client_without_the_provider_is_refused(self):
        pool, _client = self.pool()
        plain = create_client(self.c, pool)
        status, answer = federated_sign_in(pool, plain, "Google", "g-1")
        self.assertEqual((status, answer["__type"]), (400, "InvalidParameterException"))

    def test_disabled_federated_user_is_refused(self):
        pool, client = self.pool()
        federated_sign_in(pool, client, "Google", "g-1")
        self.c.admin_disable_user(UserPoolId=pool, Username="Google_g-1")
        status, answer = federated_sign_in(pool, client, "Google", "g-1")
        self.assertEqual((status, answer["__type"]), (400, "NotAuthorizedException"))


if __name__ == "__main__":
    unittest.main()
