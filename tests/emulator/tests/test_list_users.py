"""ListUsers' documented limits (list_users.py)."""

import unittest

from support import cognito, create_pool, error_of

SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Mutable": True},
    {"Name": "legacy_sub", "AttributeDataType": "String", "Mutable": True},
]


class AttributesToGet(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c, Schema=SCHEMA)
        for name, attributes in (
            ("old1", {"custom:legacy_sub": "a"}),
            ("old2", {"custom:legacy_sub": "b"}),
        ):
            self.c.admin_create_user(
                UserPoolId=self.pool,
                Username=name,
                MessageAction="SUPPRESS",
                UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
            )

    def test_returns_the_attribute_when_every_user_has_it(self):
        users = self.c.list_users(UserPoolId=self.pool, AttributesToGet=["custom:legacy_sub"])[
            "Users"
        ]
        self.assertEqual(sorted(u["Attributes"][0]["Value"] for u in users), ["a", "b"])

    def test_fails_when_one_user_in_the_results_lacks_it(self):
        self.c.admin_create_user(UserPoolId=self.pool, Username="native", MessageAction="SUPPRESS")
        code, message = error_of(
            lambda: self.c.list_users(UserPoolId=self.pool, AttributesToGet=["custom:legacy_sub"])
        )
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("custom:legacy_sub", message)
        filtered = self.c.list_users(
            UserPoolId=self.pool, Filter='username = "old1"', AttributesToGet=["custom:legacy_sub"]
        )["Users"]
        self.assertEqual(len(filtered), 1)  # "in conjunction with Filter"

    def test_limit_above_60_is_refused(self):
        code, _ = error_of(lambda: self.c.list_users(UserPoolId=self.pool, Limit=61))
        self.assertEqual(code, "InvalidParameterException")


if __name__ == "__main__":
    unittest.main()
