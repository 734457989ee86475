"""Password sign-in and password reset of existing users (sign_in.py): the answers AWS documents
where moto differs, each failure included."""

import unittest

from support import (
    PASSWORD,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    sent_code,
    sign_in,
)


class SignIn(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c)
        self.app = create_client(self.c, self.pool)

    def test_an_unconfirmed_user_is_refused_on_both_password_flows(self):
        self.c.sign_up(
            ClientId=self.app,
            Username="una",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "una@example.com"}],
        )
        code, _ = error_of(lambda: sign_in(self.c, self.app, "una"))
        self.assertEqual(code, "UserNotConfirmedException")
        code, _ = error_of(
            lambda: self.c.admin_initiate_auth(
                UserPoolId=self.pool,
                ClientId=self.app,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "una", "PASSWORD": PASSWORD},
            )
        )
        self.assertEqual(code, "UserNotConfirmedException")

    def test_confirm_forgot_password_checks_the_policy_and_ends_reset_required(self):
        confirmed_user(
            self.c, self.pool, "rita", {"email": "rita@example.com", "email_verified": "true"}
        )
        self.c.admin_reset_user_password(UserPoolId=self.pool, Username="rita")
        sent = sent_code(self.c.forgot_password(ClientId=self.app, Username="rita"))
        code, _ = error_of(
            lambda: self.c.confirm_forgot_password(
                ClientId=self.app, Username="rita", ConfirmationCode=sent, Password="short"
            )
        )
        self.assertEqual(code, "InvalidPasswordException")
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="rita")["UserStatus"],
            "RESET_REQUIRED",
        )
        self.c.confirm_forgot_password(
            ClientId=self.app, Username="rita", ConfirmationCode=sent, Password="N3wPassw0rd!"
        )
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="rita")["UserStatus"], "CONFIRMED"
        )
        self.assertIn("AuthenticationResult", sign_in(self.c, self.app, "rita", "N3wPassw0rd!"))


class AdminOnlyRecovery(unittest.TestCase):
    def test_forgot_password_is_refused_when_only_an_administrator_may_reset(self):
        c = cognito()
        admin_only = {"RecoveryMechanisms": [{"Name": "admin_only", "Priority": 1}]}
        pool = create_pool(c, AccountRecoverySetting=admin_only)
        app = create_client(c, pool)
        confirmed_user(c, pool, "ada", {"email": "ada@example.com", "email_verified": "true"})
        code, _ = error_of(lambda: c.forgot_password(ClientId=app, Username="ada"))
        self.assertEqual(code, "NotAuthorizedException")


if __name__ == "__main__":
    unittest.main()
