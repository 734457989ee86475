"""Reset codes (codes.py, sign_in.py): only the code ForgotPassword sent to that user is accepted,
and only once, with AWS's errors where moto accepted any code without its own prefix."""

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

NEW_PASSWORD = "N3wPassw0rd!"


def other_than(code: str) -> str:
    """A six-digit code that is not `code`."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


class ResetCodes(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c)
        self.app = create_client(self.c, self.pool)
        confirmed_user(
            self.c, self.pool, "cora", {"email": "cora@example.com", "email_verified": "true"}
        )

    def confirm(self, code: str, password: str = NEW_PASSWORD, username: str = "cora"):
        return self.c.confirm_forgot_password(
            ClientId=self.app, Username=username, ConfirmationCode=code, Password=password
        )

    def test_the_code_sent_is_six_digits_in_the_test_only_header(self):
        code = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        self.assertRegex(code, r"^\d{6}$")

    def test_a_wrong_code_is_a_code_mismatch_and_changes_nothing(self):
        code = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        for wrong in (other_than(code), "123456" if code != "123456" else "654321", "moto"):
            self.assertEqual(
                error_of(lambda: self.confirm(wrong)),
                ("CodeMismatchException", "Invalid verification code provided, please try again."),
            )
        self.assertIn("AuthenticationResult", sign_in(self.c, self.app, "cora", PASSWORD))
        # The code sent still works after the wrong tries.
        self.confirm(code)
        self.assertIn("AuthenticationResult", sign_in(self.c, self.app, "cora", NEW_PASSWORD))

    def test_a_used_code_is_expired(self):
        code = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        self.confirm(code)
        self.assertEqual(
            error_of(lambda: self.confirm(code, "An0therPassw0rd!")),
            ("ExpiredCodeException", "Invalid code provided, please request a code again."),
        )
        self.assertIn("AuthenticationResult", sign_in(self.c, self.app, "cora", NEW_PASSWORD))

    def test_a_newer_code_supersedes_the_older(self):
        first = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        second = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        self.assertNotEqual(first, second)
        code, _ = error_of(lambda: self.confirm(first))
        self.assertEqual(code, "ExpiredCodeException")
        self.confirm(second)

    def test_no_code_requested_is_expired(self):
        code, _ = error_of(lambda: self.confirm("123456"))
        self.assertEqual(code, "ExpiredCodeException")

    def test_a_code_belongs_to_the_user_it_was_sent_to(self):
        confirmed_user(
            self.c, self.pool, "dov", {"email": "dov@example.com", "email_verified": "true"}
        )
        cora_code = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        dov_code = sent_code(self.c.forgot_password(ClientId=self.app, Username="dov"))
        if cora_code != dov_code:
            code, _ = error_of(lambda: self.confirm(cora_code, username="dov"))
            self.assertEqual(code, "CodeMismatchException")
        self.confirm(dov_code, username="dov")
        self.confirm(cora_code)

    def test_a_refused_password_leaves_the_code_outstanding(self):
        code = sent_code(self.c.forgot_password(ClientId=self.app, Username="cora"))
        refused, _ = error_of(lambda: self.confirm(code, "short"))
        self.assertEqual(refused, "InvalidPasswordException")
        self.confirm(code)

    def test_an_unknown_user_gets_no_code_and_a_code_mismatch(self):
        hiding = create_client(self.c, self.pool, "ENABLED")
        answer = self.c.forgot_password(ClientId=hiding, Username="ghost")
        self.assertNotRegex(
            answer["ResponseMetadata"]["HTTPHeaders"].get(
                "x-moto-forgot-password-confirmation-code", ""
            ),
            r"^\d{6}$",
        )
        code, _ = error_of(
            lambda: self.c.confirm_forgot_password(
                ClientId=hiding, Username="ghost", ConfirmationCode="123456", Password=PASSWORD
            )
        )
        self.assertEqual(code, "CodeMismatchException")


if __name__ == "__main__":
    unittest.main()
