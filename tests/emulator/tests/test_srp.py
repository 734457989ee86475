"""USER_SRP_AUTH verified for real (srp.py): the right password gets tokens, a wrong one never
does, an unknown user gets AWS's answer (simulated challenge with ENABLED, UserNotFoundException
with LEGACY). moto issued tokens for any PASSWORD_CLAIM_SIGNATURE."""

import unittest

from support import (
    PASSWORD,
    SRP_N,
    SrpClient,
    claims,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    srp_challenge,
    srp_sign_in,
)

INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


class SrpSignIn(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c)
        self.legacy = create_client(self.c, self.pool, "LEGACY")
        self.hiding = create_client(self.c, self.pool, "ENABLED")
        confirmed_user(
            self.c, self.pool, "sara", {"email": "sara@example.com", "email_verified": "true"}
        )

    def test_the_right_password_gets_tokens_for_the_user(self):
        for client in (self.legacy, self.hiding):
            answer = srp_sign_in(self.c, self.pool, client, "sara")
            token = answer["AuthenticationResult"]["IdToken"]
            self.assertEqual(claims(token)["cognito:username"], "sara")

    def test_a_wrong_password_never_gets_tokens(self):
        for client in (self.legacy, self.hiding):
            for password in ("wrong-password", PASSWORD + "x", PASSWORD.lower(), ""):
                self.assertEqual(
                    error_of(lambda: srp_sign_in(self.c, self.pool, client, "sara", password)),
                    INCORRECT,
                )

    def test_a_forged_signature_never_gets_tokens(self):
        srp, answer = srp_challenge(self.c, self.pool, self.legacy, "sara")
        responses = srp.answer(answer["ChallengeParameters"], PASSWORD)
        responses["PASSWORD_CLAIM_SIGNATURE"] = "AAAA" + responses["PASSWORD_CLAIM_SIGNATURE"][4:]
        self.assertEqual(
            error_of(
                lambda: self.c.respond_to_auth_challenge(
                    ClientId=self.legacy,
                    ChallengeName="PASSWORD_VERIFIER",
                    ChallengeResponses=responses,
                )
            ),
            INCORRECT,
        )

    def test_each_challenge_answers_once(self):
        srp, answer = srp_challenge(self.c, self.pool, self.legacy, "sara")
        responses = srp.answer(answer["ChallengeParameters"], PASSWORD)
        respond = lambda: self.c.respond_to_auth_challenge(  # noqa: E731
            ClientId=self.legacy, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
        )
        self.assertIn("AuthenticationResult", respond())
        code, _ = error_of(respond)
        self.assertEqual(code, "NotAuthorizedException")

    def test_an_unknown_user_is_answered_as_aws_does(self):
        code, _ = error_of(lambda: srp_challenge(self.c, self.pool, self.legacy, "ghost"))
        self.assertEqual(code, "UserNotFoundException")
        # ENABLED: a simulated first step, the same salt and UUID user id for the same name...
        _, first = srp_challenge(self.c, self.pool, self.hiding, "ghost")
        _, again = srp_challenge(self.c, self.pool, self.hiding, "ghost")
        _, other = srp_challenge(self.c, self.pool, self.hiding, "spook")
        self.assertEqual(first["ChallengeName"], "PASSWORD_VERIFIER")
        for name in ("SALT", "USER_ID_FOR_SRP"):
            self.assertEqual(first["ChallengeParameters"][name], again["ChallengeParameters"][name])
            self.assertNotEqual(
                first["ChallengeParameters"][name], other["ChallengeParameters"][name]
            )
        self.assertRegex(
            first["ChallengeParameters"]["USER_ID_FOR_SRP"],
            r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        # ...and the proof of any password is the wrong-password answer.
        self.assertEqual(
            error_of(lambda: srp_sign_in(self.c, self.pool, self.hiding, "ghost")), INCORRECT
        )

    def test_an_existing_user_has_a_stable_salt_per_password(self):
        _, first = srp_challenge(self.c, self.pool, self.hiding, "sara")
        _, again = srp_challenge(self.c, self.pool, self.hiding, "sara")
        self.assertEqual(first["ChallengeParameters"]["SALT"], again["ChallengeParameters"]["SALT"])
        self.assertNotEqual(
            first["ChallengeParameters"]["SRP_B"], again["ChallengeParameters"]["SRP_B"]
        )
        self.assertEqual(first["ChallengeParameters"]["USER_ID_FOR_SRP"], "sara")

    def test_a_reset_required_user_cannot_sign_in_with_srp(self):
        self.c.admin_reset_user_password(UserPoolId=self.pool, Username="sara")
        code, _ = error_of(lambda: srp_challenge(self.c, self.pool, self.legacy, "sara"))
        self.assertEqual(code, "PasswordResetRequiredException")
        self.assertEqual(
            error_of(lambda: srp_sign_in(self.c, self.pool, self.hiding, "sara")), INCORRECT
        )

    def test_an_unconfirmed_user_is_told_only_after_the_proof(self):
        self.c.sign_up(ClientId=self.legacy, Username="ulla", Password=PASSWORD)
        self.assertEqual(
            error_of(lambda: srp_sign_in(self.c, self.pool, self.legacy, "ulla", "nope")),
            INCORRECT,
        )
        code, _ = error_of(lambda: srp_sign_in(self.c, self.pool, self.legacy, "ulla"))
        self.assertEqual(code, "UserNotConfirmedException")

    def test_a_disabled_user_never_gets_tokens(self):
        self.c.admin_disable_user(UserPoolId=self.pool, Username="sara")
        code, _ = error_of(lambda: srp_sign_in(self.c, self.pool, self.legacy, "sara"))
        self.assertEqual(code, "NotAuthorizedException")

    def test_a_temporary_password_leads_to_new_password_required(self):
        self.c.admin_create_user(
            UserPoolId=self.pool,
            Username="tom",
            TemporaryPassword="Temp0rary!",
            MessageAction="SUPPRESS",
        )
        self.assertEqual(
            error_of(lambda: srp_sign_in(self.c, self.pool, self.legacy, "tom", "Temp0rary")),
            INCORRECT,
        )
        answer = srp_sign_in(self.c, self.pool, self.legacy, "tom", "Temp0rary!")
        self.assertEqual(answer["ChallengeName"], "NEW_PASSWORD_REQUIRED")

    def test_an_alias_signs_in_as_its_user(self):
        pool = create_pool(self.c, AliasAttributes=["email"])
        client = create_client(self.c, pool)
        confirmed_user(
            self.c, pool, "alba", {"email": "alba@example.com", "email_verified": "true"}
        )
        srp, answer = srp_challenge(self.c, pool, client, "alba@example.com")
        self.assertEqual(answer["ChallengeParameters"]["USER_ID_FOR_SRP"], "alba")
        result = self.c.respond_to_auth_challenge(
            ClientId=client,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.answer(answer["ChallengeParameters"], PASSWORD),
        )
        token = result["AuthenticationResult"]["IdToken"]
        self.assertEqual(claims(token)["cognito:username"], "alba")

    def test_admin_initiate_auth_runs_the_same_check(self):
        for password, expected in ((PASSWORD, None), ("wrong-password", INCORRECT)):
            srp = SrpClient(self.pool)
            answer = self.c.admin_initiate_auth(
                UserPoolId=self.pool,
                ClientId=self.legacy,
                AuthFlow="USER_SRP_AUTH",
                AuthParameters={"USERNAME": "sara", "SRP_A": srp.srp_a()},
            )
            respond = lambda: self.c.admin_respond_to_auth_challenge(  # noqa: E731
                UserPoolId=self.pool,
                ClientId=self.legacy,
                ChallengeName="PASSWORD_VERIFIER",
                ChallengeResponses=srp.answer(answer["ChallengeParameters"], password),
            )
            if expected is None:
                self.assertIn("AuthenticationResult", respond())
            else:
                self.assertEqual(error_of(respond), expected)

    def test_a_malformed_srp_a_is_refused(self):
        for value in ("not-hex", "0", f"{SRP_N:x}"):
            code, _ = error_of(
                lambda: self.c.initiate_auth(
                    ClientId=self.legacy,
                    AuthFlow="USER_SRP_AUTH",
                    AuthParameters={"USERNAME": "sara", "SRP_A": value},
                )
            )
            self.assertEqual(code, "InvalidParameterException")


if __name__ == "__main__":
    unittest.main()
