"""Pool shapes: user names, aliases, e-mail/phone as user name, case rules (pool_shapes.py)."""

import unittest

from support import (
    PASSWORD,
    claims,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    sign_in,
)


class CaseSensitivity(unittest.TestCase):
    def test_case_insensitive_pool_finds_alice_for_ALICE_everywhere(self):
        c = cognito()
        pool = create_pool(c, UsernameConfiguration={"CaseSensitive": False})
        client = create_client(c, pool)
        confirmed_user(c, pool, "alice", {"email": "alice@example.com", "email_verified": "true"})
        self.assertEqual(c.admin_get_user(UserPoolId=pool, Username="ALICE")["Username"], "alice")
        tokens = sign_in(c, client, "ALICE")["AuthenticationResult"]
        self.assertEqual(claims(tokens["IdToken"])["cognito:username"], "alice")
        code, _ = error_of(lambda: c.admin_create_user(UserPoolId=pool, Username="Alice"))
        self.assertEqual(code, "UsernameExistsException")

    def test_case_sensitive_pool_is_the_default_and_matches_exactly(self):
        c = cognito()
        pool = create_pool(c)
        client = create_client(c, pool)
        confirmed_user(c, pool, "alice")
        code, _ = error_of(lambda: c.admin_get_user(UserPoolId=pool, Username="ALICE"))
        self.assertEqual(code, "UserNotFoundException")
        code, _ = error_of(lambda: sign_in(c, client, "ALICE"))
        self.assertEqual(code, "UserNotFoundException")
        confirmed_user(c, pool, "ALICE")  # another user
        self.assertEqual(c.admin_get_user(UserPoolId=pool, Username="ALICE")["Username"], "ALICE")


class Aliases(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c, AliasAttributes=["email", "preferred_username"])
        self.client = create_client(self.c, self.pool)

    def test_verified_email_alias_signs_in_and_finds_the_user(self):
        confirmed_user(
            self.c, self.pool, "bob", {"email": "bob@example.com", "email_verified": "true"}
        )
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="bob@example.com")["Username"],
            "bob",
        )
        tokens = sign_in(self.c, self.client, "bob@example.com")["AuthenticationResult"]
        self.assertEqual(claims(tokens["AccessToken"])["username"], "bob")

    def test_unverified_email_alias_does_not_sign_in(self):
        confirmed_user(self.c, self.pool, "carl", {"email": "carl@example.com"})
        code, _ = error_of(lambda: sign_in(self.c, self.client, "carl@example.com"))
        self.assertEqual(code, "UserNotFoundException")
        code, _ = error_of(
            lambda: self.c.admin_get_user(UserPoolId=self.pool, Username="carl@example.com")
        )
        self.assertEqual(code, "UserNotFoundException")

    def test_preferred_username_alias_signs_in(self):
        confirmed_user(self.c, self.pool, "dora", {"preferred_username": "dee"})
        sign_in(self.c, self.client, "dee")

    def test_a_user_name_in_email_format_is_refused_on_an_email_alias_pool(self):
        code, message = error_of(
            lambda: self.c.admin_create_user(UserPoolId=self.pool, Username="x@example.com")
        )
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("email format", message)

    def test_a_verified_alias_belongs_to_one_user_unless_forced_over(self):
        confirmed_user(
            self.c, self.pool, "erin", {"email": "e@example.com", "email_verified": "true"}
        )
        attributes = [
            {"Name": "email", "Value": "e@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ]
        code, _ = error_of(
            lambda: self.c.admin_create_user(
                UserPoolId=self.pool, Username="erin2", UserAttributes=attributes
            )
        )
        self.assertEqual(code, "AliasExistsException")
        self.c.admin_create_user(
            UserPoolId=self.pool,
            Username="erin2",
            UserAttributes=attributes,
            ForceAliasCreation=True,
            MessageAction="SUPPRESS",
        )
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="e@example.com")["Username"],
            "erin2",
        )
        previous = self.c.admin_get_user(UserPoolId=self.pool, Username="erin")["UserAttributes"]
        self.assertIn({"Name": "email_verified", "Value": "false"}, previous)

    def test_verifying_a_taken_email_alias_is_refused(self):
        confirmed_user(
            self.c, self.pool, "fay", {"email": "f@example.com", "email_verified": "true"}
        )
        confirmed_user(self.c, self.pool, "fred", {"email": "f@example.com"})
        code, _ = error_of(
            lambda: self.c.admin_update_user_attributes(
                UserPoolId=self.pool,
                Username="fred",
                UserAttributes=[{"Name": "email_verified", "Value": "true"}],
            )
        )
        self.assertEqual(code, "AliasExistsException")

    def test_confirm_sign_up_with_a_taken_email_alias_fails_unless_forced(self):
        confirmed_user(
            self.c, self.pool, "gus", {"email": "g@example.com", "email_verified": "true"}
        )
        self.c.sign_up(
            ClientId=self.client,
            Username="gil",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "g@example.com"}],
        )
        code, _ = error_of(
            lambda: self.c.confirm_sign_up(
                ClientId=self.client, Username="gil", ConfirmationCode="123456"
            )
        )
        self.assertEqual(code, "AliasExistsException")
        self.c.confirm_sign_up(
            ClientId=self.client, Username="gil", ConfirmationCode="123456", ForceAliasCreation=True
        )
        sign_in(self.c, self.client, "g@example.com")  # the alias is gil's now
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="g@example.com")["Username"], "gil"
        )


class EmailOrPhoneAsUserName(unittest.TestCase):
    def test_email_pool_signs_in_by_email_with_a_generated_user_name(self):
        c = cognito()
        pool = create_pool(
            c, UsernameAttributes=["email"], UsernameConfiguration={"CaseSensitive": False}
        )
        client = create_client(c, pool)
        user = confirmed_user(c, pool, "hana@example.com")
        self.assertNotEqual(user["Username"], "hana@example.com")  # Cognito's own (the sub)
        got = c.admin_get_user(UserPoolId=pool, Username="HANA@example.com")
        self.assertEqual(got["Username"], user["Username"])
        id_token = claims(sign_in(c, client, "Hana@Example.com")["AuthenticationResult"]["IdToken"])
        self.assertEqual(id_token["cognito:username"], user["Username"])
        self.assertEqual(id_token["email"], "hana@example.com")
        code, _ = error_of(
            lambda: c.admin_create_user(UserPoolId=pool, Username="HANA@example.com")
        )
        self.assertEqual(code, "UsernameExistsException")

    def test_phone_pool_needs_a_phone_number_as_user_name(self):
        c = cognito()
        pool = create_pool(
            c, UsernameAttributes=["phone_number"], AutoVerifiedAttributes=["phone_number"]
        )
        client = create_client(c, pool)
        confirmed_user(c, pool, "+15550100")
        sign_in(c, client, "+15550100")
        code, _ = error_of(lambda: c.admin_create_user(UserPoolId=pool, Username="ivy"))
        self.assertEqual(code, "InvalidParameterException")


if __name__ == "__main__":
    unittest.main()
