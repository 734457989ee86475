"""What unknown, wrong-password and reset-required users are told (user_existence.py, sign_in.py)."""

import unittest

from support import PASSWORD, cognito, confirmed_user, create_client, create_pool, error_of, sign_in


class UserExistenceErrors(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c)
        self.legacy = create_client(self.c, self.pool, "LEGACY")
        self.hiding = create_client(self.c, self.pool, "ENABLED")
        confirmed_user(
            self.c, self.pool, "ana", {"email": "ana@example.com", "email_verified": "true"}
        )

    def test_unknown_user_and_wrong_password_look_alike_when_enabled(self):
        unknown = error_of(lambda: sign_in(self.c, self.hiding, "ghost"))
        wrong = error_of(lambda: sign_in(self.c, self.hiding, "ana", "wrong-password"))
        self.assertEqual(unknown, ("NotAuthorizedException", "Incorrect username or password."))
        self.assertEqual(wrong, unknown)
        admin = error_of(
            lambda: self.c.admin_initiate_auth(
                UserPoolId=self.pool,
                ClientId=self.hiding,
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "ghost", "PASSWORD": PASSWORD},
            )
        )
        self.assertEqual(admin, unknown)

    def test_legacy_says_the_user_does_not_exist(self):
        code, _ = error_of(lambda: sign_in(self.c, self.legacy, "ghost"))
        self.assertEqual(code, "UserNotFoundException")
        self.assertEqual(
            error_of(lambda: sign_in(self.c, self.legacy, "ana", "nope")),
            ("NotAuthorizedException", "Incorrect username or password."),
        )

    def test_reset_required_user_gets_password_reset_required_or_the_generic_answer(self):
        self.c.admin_reset_user_password(UserPoolId=self.pool, Username="ana")
        code, _ = error_of(lambda: sign_in(self.c, self.legacy, "ana"))
        self.assertEqual(code, "PasswordResetRequiredException")
        code, _ = error_of(lambda: sign_in(self.c, self.hiding, "ana"))
        self.assertEqual(code, "NotAuthorizedException")

    def test_forgot_and_confirm_forgot_password_for_unknown_users(self):
        simulated = self.c.forgot_password(ClientId=self.hiding, Username="ghost")
        self.assertIn("CodeDeliveryDetails", simulated)
        code, _ = error_of(lambda: self.c.forgot_password(ClientId=self.legacy, Username="ghost"))
        self.assertEqual(code, "UserNotFoundException")
        code, _ = error_of(
            lambda: self.c.confirm_forgot_password(
                ClientId=self.hiding, Username="ghost", ConfirmationCode="123456", Password=PASSWORD
            )
        )
        self.assertEqual(code, "CodeMismatchException")

    def test_simulated_delivery_follows_the_typed_name_and_the_pools_verification(self):
        # This pool auto-verifies e-mail and recovers by SMS first (the legacy default); ana, who
        # has a verified e-mail, gets EMAIL, and so does everyone the pool knows nothing about.
        real = self.c.forgot_password(ClientId=self.hiding, Username="ana")["CodeDeliveryDetails"]
        self.assertEqual(
            real, {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
        )
        ghost = self.c.forgot_password(ClientId=self.hiding, Username="ghost")
        details = ghost["CodeDeliveryDetails"]
        self.assertEqual((details["DeliveryMedium"], details["AttributeName"]), ("EMAIL", "email"))
        self.assertRegex(details["Destination"], r"^g\*\*\*@[a-z]\*\*\*$")
        again = self.c.forgot_password(ClientId=self.hiding, Username="ghost")
        self.assertEqual(again["CodeDeliveryDetails"], details)
        # A typed address decides the medium, whatever the pool verifies.
        self.assertEqual(
            self.c.forgot_password(ClientId=self.hiding, Username="gus@example.org")[
                "CodeDeliveryDetails"
            ],
            {"Destination": "g***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"},
        )
        self.assertEqual(
            self.c.forgot_password(ClientId=self.hiding, Username="+15550104567")[
                "CodeDeliveryDetails"
            ],
            {
                "Destination": "+*******4567",
                "DeliveryMedium": "SMS",
                "AttributeName": "phone_number",
            },
        )
        # Users it sends nothing to (disabled, no verified contact) look the same.
        confirmed_user(self.c, self.pool, "bea", {"email": "bea@example.com"})
        bea = self.c.forgot_password(ClientId=self.hiding, Username="bea")["CodeDeliveryDetails"]
        self.assertEqual(bea["DeliveryMedium"], "EMAIL")
        self.assertRegex(bea["Destination"], r"^b\*\*\*@[a-z]\*\*\*$")

    def test_simulated_delivery_on_a_pool_that_verifies_phone_numbers_is_sms(self):
        pool = create_pool(self.c, AutoVerifiedAttributes=["phone_number"])
        hiding = create_client(self.c, pool, "ENABLED")
        details = self.c.forgot_password(ClientId=hiding, Username="ghost")["CodeDeliveryDetails"]
        medium = (details["DeliveryMedium"], details["AttributeName"])
        self.assertEqual(medium, ("SMS", "phone_number"))
        self.assertRegex(details["Destination"], r"^\+\*{7}\d{4}$")
        # Both verified: the recovery priority chooses, as for a real user with both.
        both = create_pool(
            self.c,
            AutoVerifiedAttributes=["email", "phone_number"],
            AccountRecoverySetting={
                "RecoveryMechanisms": [
                    {"Name": "verified_email", "Priority": 1},
                    {"Name": "verified_phone_number", "Priority": 2},
                ]
            },
        )
        hiding = create_client(self.c, both, "ENABLED")
        details = self.c.forgot_password(ClientId=hiding, Username="ghost")["CodeDeliveryDetails"]
        self.assertEqual(details["DeliveryMedium"], "EMAIL")

    def test_forgot_password_needs_a_verified_contact(self):
        confirmed_user(self.c, self.pool, "ben", {"email": "ben@example.com"})
        code, _ = error_of(lambda: self.c.forgot_password(ClientId=self.legacy, Username="ben"))
        self.assertEqual(code, "InvalidParameterException")
        answer = self.c.forgot_password(ClientId=self.legacy, Username="ana")
        self.assertEqual(answer["CodeDeliveryDetails"]["AttributeName"], "email")


if __name__ == "__main__":
    unittest.main()
