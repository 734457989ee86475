"""A signed-in user's own attribute changes (testbed_ext/attribute_updates.py) and the closed
sign-up (testbed_ext/user_creation.py): the app client's WriteAttributes, the alias rules,
AttributesRequireVerificationBeforeUpdate and VerifyUserAttribute, AllowAdminCreateUserOnly.
"""

from __future__ import annotations

import unittest
from typing import Any

from support import PASSWORD, cognito, confirmed_user, create_client, create_pool, error_of, sign_in


def token_of(c: Any, client_id: str, username: str) -> str:
    return sign_in(c, client_id, username)["AuthenticationResult"]["AccessToken"]


def update(c: Any, token: str, **attributes: str) -> None:
    c.update_user_attributes(
        AccessToken=token,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )


def attributes_of(c: Any, pool: str, username: str) -> dict[str, str]:
    user = c.admin_get_user(UserPoolId=pool, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


class WriteAttributes(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c, AliasAttributes=["preferred_username"])
        confirmed_user(self.c, self.pool, "mallory")

    def test_a_listed_attribute_is_written(self):
        client = create_client(self.c, self.pool, WriteAttributes=["name", "preferred_username"])
        update(self.c, token_of(self.c, client, "mallory"), name="Mal")
        self.assertEqual(attributes_of(self.c, self.pool, "mallory")["name"], "Mal")

    def test_an_attribute_outside_the_list_is_refused(self):
        client = create_client(self.c, self.pool, WriteAttributes=["name"])
        token = token_of(self.c, client, "mallory")
        code, message = error_of(lambda: update(self.c, token, preferred_username="admin"))
        self.assertEqual(
            (code, message),
            ("NotAuthorizedException", "A client attempted to write unauthorized attribute"),
        )
        self.assertNotIn("preferred_username", attributes_of(self.c, self.pool, "mallory"))

    def test_an_unset_list_writes_standard_attributes_but_not_custom_ones(self):
        self.c.add_custom_attributes(
            UserPoolId=self.pool,
            CustomAttributes=[{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
        )
        client = create_client(self.c, self.pool)
        token = token_of(self.c, client, "mallory")
        update(self.c, token, preferred_username="admin")
        code, _ = error_of(lambda: update(self.c, token, **{"custom:tenant": "acme"}))
        self.assertEqual(code, "NotAuthorizedException")
        # The alias the attacker chose now signs in as the attacker.
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="admin")["Username"], "mallory"
        )


class Aliases(unittest.TestCase):
    def test_a_taken_preferred_username_is_refused(self):
        c = cognito()
        pool = create_pool(c, AliasAttributes=["preferred_username"])
        client = create_client(c, pool)
        confirmed_user(c, pool, "root", {"preferred_username": "admin"})
        confirmed_user(c, pool, "mallory")
        code, _ = error_of(
            lambda: update(c, token_of(c, client, "mallory"), preferred_username="admin")
        )
        self.assertEqual(code, "AliasExistsException")

    def test_a_taken_email_is_refused_on_an_email_user_name_pool(self):
        c = cognito()
        pool = create_pool(c, UsernameAttributes=["email"])
        client = create_client(c, pool)
        confirmed_user(c, pool, "victim@example.com")
        confirmed_user(c, pool, "mallory@example.com")
        token = token_of(c, client, "mallory@example.com")
        code, _ = error_of(lambda: update(c, token, email="victim@example.com"))
        self.assertEqual(code, "AliasExistsException")

    def test_without_the_setting_a_new_email_takes_over_at_once_unverified(self):
        # The attack of the window: the victim is not in the new pool yet, so the e-mail is free,
        # and on an e-mail-as-user-name pool it signs in unverified.
        c = cognito()
        pool = create_pool(c, UsernameAttributes=["email"])
        client = create_client(c, pool)
        confirmed_user(c, pool, "mallory@example.com", {"email_verified": "true"})
        update(c, token_of(c, client, "mallory@example.com"), email="victim@example.com")
        sign_in(c, client, "victim@example.com")
        user = c.admin_get_user(UserPoolId=pool, Username="victim@example.com")
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        self.assertEqual(attributes["email"], "victim@example.com")
        self.assertEqual(attributes["email_verified"], "false")


class VerificationBeforeUpdate(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(
            self.c,
            AliasAttributes=["email"],
            UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
        )
        self.client = create_client(self.c, self.pool)
        confirmed_user(
            self.c, self.pool, "mallory", {"email": "m@example.com", "email_verified": "true"}
        )
        self.token = token_of(self.c, self.client, "mallory")

    def test_the_old_email_stays_in_effect_until_the_new_one_is_verified(self):
        update(self.c, self.token, email="victim@example.com")
        attributes = attributes_of(self.c, self.pool, "mallory")
        self.assertEqual((attributes["email"], attributes["email_verified"]), ("m@example.com", "true"))
        sign_in(self.c, self.client, "m@example.com")
        code, _ = error_of(lambda: sign_in(self.c, self.client, "victim@example.com"))
        self.assertEqual(code, "UserNotFoundException")  # a LEGACY client says so

        self.c.verify_user_attribute(
            AccessToken=self.token, AttributeName="email", Code="123456"
        )
        attributes = attributes_of(self.c, self.pool, "mallory")
        self.assertEqual(
            (attributes["email"], attributes["email_verified"]), ("victim@example.com", "true")
        )
        sign_in(self.c, self.client, "victim@example.com")

    def test_verifying_a_pending_email_another_user_holds_is_refused(self):
        update(self.c, self.token, email="v@example.com")
        confirmed_user(
            self.c, self.pool, "victim", {"email": "v@example.com", "email_verified": "true"}
        )
        code, _ = error_of(
            lambda: self.c.verify_user_attribute(
                AccessToken=self.token, AttributeName="email", Code="123456"
            )
        )
        self.assertEqual(code, "AliasExistsException")
        self.assertEqual(attributes_of(self.c, self.pool, "mallory")["email"], "m@example.com")

    def test_an_administrator_who_marks_it_verified_updates_at_once(self):
        self.c.admin_update_user_attributes(
            UserPoolId=self.pool,
            Username="mallory",
            UserAttributes=[
                {"Name": "email", "Value": "new@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        self.assertEqual(attributes_of(self.c, self.pool, "mallory")["email"], "new@example.com")

    def test_the_setting_is_described(self):
        pool = self.c.describe_user_pool(UserPoolId=self.pool)["UserPool"]
        self.assertEqual(
            pool["UserAttributeUpdateSettings"],
            {"AttributesRequireVerificationBeforeUpdate": ["email"]},
        )


class ClosedSignUp(unittest.TestCase):
    def test_sign_up_is_refused_when_only_administrators_create_users(self):
        c = cognito()
        pool = create_pool(c, AdminCreateUserConfig={"AllowAdminCreateUserOnly": True})
        client = create_client(c, pool)
        code, message = error_of(
            lambda: c.sign_up(ClientId=client, Username="mallory", Password=PASSWORD)
        )
        self.assertEqual(
            (code, message), ("NotAuthorizedException", "SignUp is not permitted for this user pool")
        )
        confirmed_user(c, pool, "admin-made")  # AdminCreateUser still works

    def test_sign_up_works_on_an_open_pool(self):
        c = cognito()
        pool = create_pool(c, AdminCreateUserConfig={"AllowAdminCreateUserOnly": False})
        client = create_client(c, pool)
        c.sign_up(ClientId=client, Username="newcomer", Password=PASSWORD)


if __name__ == "__main__":
    unittest.main()
