"""Feature plans, the sign-in policy, each user's sign-in factors, USER_AUTH with passwords and
one-time passwords, passkeys and e-mail MFA (factors.py, email_mfa.py, user_auth.py): each rule
as AWS documents it, and each documented refusal."""

import json
import unittest
import urllib.error
import urllib.request

from support import (
    PASSWORD,
    Function,
    _DIRECT,
    claims,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    servers,
    sign_in,
)

SES = {
    "EmailSendingAccount": "DEVELOPER",
    "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/example.com",
    "From": "no-reply@example.com",
}
ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]


def otp_header(answer):
    """The code an InitiateAuth / RespondToAuthChallenge answer "sent" (test-only header)."""
    return answer["ResponseMetadata"]["HTTPHeaders"]["x-moto-otp-code"]


def testbed(method, path, body=None):
    """(status, JSON) of a test-only route."""
    request = urllib.request.Request(
        servers()["moto_url"] + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
    )
    try:
        with _DIRECT.open(request) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def user_auth_client(c, pool, **config):
    return c.create_user_pool_client(
        UserPoolId=pool,
        ClientName="choice",
        ExplicitAuthFlows=["ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **config,
    )["UserPoolClient"]["ClientId"]


def other_than(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


class FeaturePlans(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def test_tier_defaults_to_essentials(self):
        pool = create_pool(self.c)
        described = self.c.describe_user_pool(UserPoolId=pool)["UserPool"]
        self.assertEqual(described["UserPoolTier"], "ESSENTIALS")

    def test_tier_round_trips_on_create_and_update(self):
        pool = self.c.create_user_pool(PoolName="p", UserPoolTier="PLUS")["UserPool"]
        self.assertEqual(pool["UserPoolTier"], "PLUS")
        self.c.update_user_pool(UserPoolId=pool["Id"], UserPoolTier="LITE")
        described = self.c.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        self.assertEqual(described["UserPoolTier"], "LITE")

    def test_an_unknown_tier_is_refused(self):
        code, message = error_of(
            lambda: self.c.create_user_pool(PoolName="p", UserPoolTier="GOLD")
        )
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("userPoolTier", message)

    def test_update_keeps_the_sign_in_shape_it_cannot_change(self):
        pool = create_pool(self.c, UsernameAttributes=["email"])
        self.c.update_user_pool(UserPoolId=pool, UserPoolTier="PLUS")
        described = self.c.describe_user_pool(UserPoolId=pool)["UserPool"]
        self.assertEqual(described["UsernameAttributes"], ["email"])


class SignInPolicy(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def test_first_factors_default_to_password(self):
        pool = create_pool(self.c)
        policies = self.c.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]
        self.assertEqual(policies["SignInPolicy"]["AllowedFirstAuthFactors"], ["PASSWORD"])
        self.assertEqual(policies["PasswordPolicy"]["MinimumLength"], 8)

    def test_first_factors_round_trip(self):
        pool = create_pool(
            self.c,
            Policies={
                "PasswordPolicy": {"MinimumLength": 8},
                "SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS},
            },
        )
        policies = self.c.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]
        self.assertEqual(policies["SignInPolicy"]["AllowedFirstAuthFactors"], ALL_FACTORS)

    def test_software_token_is_not_a_first_factor(self):
        code, _ = error_of(
            lambda: create_pool(
                self.c,
                Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "SOFTWARE_TOKEN"]}},
            )
        )
        self.assertEqual(code, "InvalidParameterException")

    def test_passwordless_first_factors_need_essentials_on_create_and_update(self):
        policies = {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}}
        code, _ = error_of(
            lambda: create_pool(self.c, UserPoolTier="LITE", Policies=policies)
        )
        self.assertEqual(code, "FeatureUnavailableInTierException")
        pool = create_pool(self.c, UserPoolTier="LITE")
        code, _ = error_of(
            lambda: self.c.update_user_pool(UserPoolId=pool, UserPoolTier="LITE", Policies=policies)
        )
        self.assertEqual(code, "FeatureUnavailableInTierException")
        # Password only is fine on Lite.
        create_pool(
            self.c,
            UserPoolTier="LITE",
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]}},
        )

    def test_a_lite_pool_with_a_v2_token_trigger_is_created(self):
        # AWS names no refusal of V2_0 at CreateUserPool (README, open questions); the preflight
        # test relies on such a pool.
        pool = create_pool(
            self.c,
            UserPoolTier="LITE",
            LambdaConfig={
                "PreTokenGenerationConfig": {
                    "LambdaVersion": "V2_0",
                    "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:x",
                }
            },
        )
        self.assertEqual(
            self.c.describe_user_pool(UserPoolId=pool)["UserPool"]["UserPoolTier"], "LITE"
        )


class AuthFactors(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(
            self.c, Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS}}
        )

    def factors(self, username):
        return self.c.admin_get_user_auth_factors(UserPoolId=self.pool, Username=username)

    def test_a_password_user_has_password(self):
        confirmed_user(self.c, self.pool, "pat")
        answer = self.factors("pat")
        self.assertEqual(answer["Username"], "pat")
        self.assertEqual(answer["ConfiguredUserAuthFactors"], ["PASSWORD"])
        self.assertEqual(answer["UserMFASettingList"], [])

    def test_verified_email_and_phone_are_otp_factors_unverified_are_not(self):
        confirmed_user(
            self.c,
            self.pool,
            "vera",
            {
                "email": "vera@example.com",
                "email_verified": "true",
                "phone_number": "+15550100",
                "phone_number_verified": "true",
            },
        )
        confirmed_user(self.c, self.pool, "una", {"email": "una@example.com"})
        self.assertEqual(
            self.factors("vera")["ConfiguredUserAuthFactors"], ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
        )
        self.assertEqual(self.factors("una")["ConfiguredUserAuthFactors"], ["PASSWORD"])

    def test_only_what_the_pool_allows_first(self):
        pool = create_pool(self.c)
        confirmed_user(self.c, pool, "vera", {"email": "v@example.com", "email_verified": "true"})
        answer = self.c.admin_get_user_auth_factors(UserPoolId=pool, Username="vera")
        self.assertEqual(answer["ConfiguredUserAuthFactors"], ["PASSWORD"])

    def test_a_user_without_password_has_only_the_otp_factor(self):
        self.c.admin_create_user(
            UserPoolId=self.pool,
            Username="otto",
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": "otto@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="otto")
        self.assertIn("UserStatus", user)
        factors = self.factors("otto")["ConfiguredUserAuthFactors"]
        self.assertIn("EMAIL_OTP", factors)

    def test_passkey_given_by_the_test_route_is_web_authn(self):
        confirmed_user(self.c, self.pool, "kim")
        status, answer = testbed(
            "POST", "/_testbed/passkeys", {"UserPoolId": self.pool, "Username": "kim"}
        )
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["x_testbed"], {"username": "kim", "passkeys": 1})
        self.assertEqual(self.factors("kim")["ConfiguredUserAuthFactors"], ["PASSWORD", "WEB_AUTHN"])
        # Only the user's own token lists passkeys.
        app = create_client(self.c, self.pool)
        token = sign_in(self.c, app, "kim")["AuthenticationResult"]["AccessToken"]
        listed = self.c.list_web_authn_credentials(AccessToken=token)["Credentials"]
        self.assertEqual([p["CredentialId"] for p in listed], [answer["CredentialId"]])

    def test_passkey_route_of_an_unknown_user_is_user_not_found(self):
        status, answer = testbed(
            "POST", "/_testbed/passkeys", {"UserPoolId": self.pool, "Username": "ghost"}
        )
        self.assertEqual((status, answer["__type"]), (400, "UserNotFoundException"))

    def test_unknown_user_is_user_not_found(self):
        self.assertEqual(
            error_of(lambda: self.factors("ghost")),
            ("UserNotFoundException", "User does not exist."),
        )

    def test_sign_up_without_a_password_where_an_email_code_signs_in_first(self):
        app = create_client(self.c, self.pool)
        self.c.sign_up(
            ClientId=app,
            Username="pia",
            UserAttributes=[{"Name": "email", "Value": "pia@example.com"}],
        )
        self.c.admin_confirm_sign_up(UserPoolId=self.pool, Username="pia")
        self.c.admin_update_user_attributes(
            UserPoolId=self.pool,
            Username="pia",
            UserAttributes=[{"Name": "email_verified", "Value": "true"}],
        )
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="pia")
        self.assertEqual(user["UserStatus"], "CONFIRMED")
        self.assertEqual(self.factors("pia")["ConfiguredUserAuthFactors"], ["EMAIL_OTP"])

    def test_sign_up_without_a_password_is_refused_where_no_code_signs_in_first(self):
        pool = create_pool(self.c)
        app = create_client(self.c, pool)
        code, _ = error_of(
            lambda: self.c.sign_up(
                ClientId=app,
                Username="pia",
                UserAttributes=[{"Name": "email", "Value": "pia@example.com"}],
            )
        )
        self.assertEqual(code, "InvalidParameterException")
        code, _ = error_of(lambda: self.c.sign_up(ClientId=self.client_of_this_pool(), Username="nia"))
        self.assertEqual(code, "InvalidParameterException", "no e-mail or phone to send codes to")

    def client_of_this_pool(self):
        return create_client(self.c, self.pool)

    def test_get_user_auth_factors_with_the_users_token(self):
        confirmed_user(self.c, self.pool, "pat")
        app = create_client(self.c, self.pool)
        token = sign_in(self.c, app, "pat")["AuthenticationResult"]["AccessToken"]
        answer = self.c.get_user_auth_factors(AccessToken=token)
        self.assertEqual(answer["ConfiguredUserAuthFactors"], ["PASSWORD"])


class UserAuth(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.function = Function({"UserMigration_Authentication": {"finalUserStatus": "CONFIRMED"}})
        self.pool = create_pool(
            self.c,
            Policies={"SignInPolicy": {"AllowedFirstAuthFactors": ALL_FACTORS}},
            LambdaConfig={"UserMigration": self.function.arn},
        )
        self.app = user_auth_client(self.c, self.pool)
        confirmed_user(
            self.c,
            self.pool,
            "vera",
            {
                "email": "vera@example.com",
                "email_verified": "true",
                "phone_number": "+15550100",
                "phone_number_verified": "true",
            },
        )

    def initiate(self, username="vera", client=None, **parameters):
        return self.c.initiate_auth(
            ClientId=client or self.app,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": username, **parameters},
        )

    def respond(self, answer, name, **responses):
        return self.c.respond_to_auth_challenge(
            ClientId=self.app,
            ChallengeName=name,
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": "vera", **responses},
        )

    def test_without_preference_the_available_challenges(self):
        answer = self.initiate()
        self.assertEqual(answer["ChallengeName"], "SELECT_CHALLENGE")
        self.assertEqual(answer["AvailableChallenges"], ["PASSWORD", "EMAIL_OTP", "SMS_OTP"])

    def test_email_otp_sends_a_code_answered_for_tokens(self):
        answer = self.initiate(PREFERRED_CHALLENGE="EMAIL_OTP")
        self.assertEqual(answer["ChallengeName"], "EMAIL_OTP")
        self.assertEqual(
            answer["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"], "EMAIL"
        )
        code = otp_header(answer)
        self.assertRegex(code, r"^\d{6}$")
        status, read = testbed(
            "GET", f"/_testbed/sign-in-code?UserPoolId={self.pool}&Username=vera&ChallengeName=EMAIL_OTP"
        )
        self.assertEqual((status, read), (200, {"Code": code}))
        tokens = self.respond(answer, "EMAIL_OTP", EMAIL_OTP_CODE=code)["AuthenticationResult"]
        self.assertEqual(claims(tokens["IdToken"])["cognito:username"], "vera")
        status, _ = testbed(
            "GET", f"/_testbed/sign-in-code?UserPoolId={self.pool}&Username=vera&ChallengeName=EMAIL_OTP"
        )
        self.assertEqual(status, 404)

    def test_a_wrong_code_is_a_mismatch_then_the_right_one_works_once(self):
        answer = self.initiate(PREFERRED_CHALLENGE="SMS_OTP")
        self.assertEqual(answer["ChallengeName"], "SMS_OTP")
        code = otp_header(answer)
        self.assertEqual(
            error_of(lambda: self.respond(answer, "SMS_OTP", SMS_OTP_CODE=other_than(code)))[0],
            "CodeMismatchException",
        )
        self.assertIn("AuthenticationResult", self.respond(answer, "SMS_OTP", SMS_OTP_CODE=code))
        # The session is spent.
        self.assertNotIn("AuthenticationResult", self._try(answer, code))

    def _try(self, answer, code):
        try:
            return self.respond(answer, "SMS_OTP", SMS_OTP_CODE=code)
        except Exception:  # noqa: BLE001 - any refusal is fine here
            return {}

    def test_password_preferred_with_the_password_signs_in(self):
        answer = self.initiate(PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
        self.assertIn("AuthenticationResult", answer)

    def test_password_preferred_with_a_wrong_password_is_refused(self):
        self.assertEqual(
            error_of(lambda: self.initiate(PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wr0ng!pass")),
            ("NotAuthorizedException", "Incorrect username or password."),
        )

    def test_select_challenge_then_password(self):
        answer = self.initiate()
        tokens = self.respond(answer, "SELECT_CHALLENGE", ANSWER="PASSWORD", PASSWORD=PASSWORD)
        self.assertIn("AuthenticationResult", tokens)

    def test_select_challenge_then_email_otp(self):
        answer = self.initiate()
        challenge = self.respond(answer, "SELECT_CHALLENGE", ANSWER="EMAIL_OTP")
        self.assertEqual(challenge["ChallengeName"], "EMAIL_OTP")
        code = otp_header(challenge)
        self.assertIn(
            "AuthenticationResult", self.respond(challenge, "EMAIL_OTP", EMAIL_OTP_CODE=code)
        )

    def test_select_an_unavailable_challenge_is_refused(self):
        answer = self.initiate()
        code, _ = error_of(lambda: self.respond(answer, "SELECT_CHALLENGE", ANSWER="WEB_AUTHN"))
        self.assertEqual(code, "InvalidParameterException")

    def test_the_client_must_allow_user_auth(self):
        other = create_client(self.c, self.pool)
        self.assertEqual(
            error_of(lambda: self.initiate(client=other)),
            ("InvalidParameterException", "USER_AUTH flow not enabled for this client"),
        )

    def test_user_auth_needs_essentials(self):
        pool = create_pool(self.c, UserPoolTier="LITE")
        app = user_auth_client(self.c, pool)
        confirmed_user(self.c, pool, "vera")
        code, _ = error_of(
            lambda: self.c.admin_initiate_auth(
                UserPoolId=pool,
                ClientId=app,
                AuthFlow="USER_AUTH",
                AuthParameters={"USERNAME": "vera"},
            )
        )
        self.assertEqual(code, "FeatureUnavailableInTierException")

    def test_admin_initiate_auth_user_auth(self):
        answer = self.c.admin_initiate_auth(
            UserPoolId=self.pool,
            ClientId=self.app,
            AuthFlow="USER_AUTH",
            AuthParameters={"USERNAME": "vera", "PREFERRED_CHALLENGE": "EMAIL_OTP"},
        )
        code = otp_header(answer)
        tokens = self.c.admin_respond_to_auth_challenge(
            UserPoolId=self.pool,
            ClientId=self.app,
            ChallengeName="EMAIL_OTP",
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": "vera", "EMAIL_OTP_CODE": code},
        )
        self.assertIn("AuthenticationResult", tokens)

    def test_reset_required_user_signs_in_with_a_code_not_a_password(self):
        self.c.admin_reset_user_password(UserPoolId=self.pool, Username="vera")
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=self.pool, Username="vera")["UserStatus"],
            "RESET_REQUIRED",
        )
        code, _ = error_of(
            lambda: self.initiate(PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
        )
        self.assertEqual(code, "PasswordResetRequiredException")
        answer = self.initiate(PREFERRED_CHALLENGE="EMAIL_OTP")
        tokens = self.respond(answer, "EMAIL_OTP", EMAIL_OTP_CODE=otp_header(answer))
        self.assertIn("AuthenticationResult", tokens)

    def test_no_migration_under_user_auth_neither_otp_nor_password(self):
        for parameters in ({"PREFERRED_CHALLENGE": "EMAIL_OTP"}, {"PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}):
            code, _ = error_of(lambda: self.initiate("newcomer", **parameters))
            self.assertEqual(code, "UserNotFoundException")
        self.assertEqual(self.function.events(), [])

    def test_web_authn_is_offered_to_a_passkey_user_but_not_verified(self):
        testbed("POST", "/_testbed/passkeys", {"UserPoolId": self.pool, "Username": "vera"})
        answer = self.initiate(PREFERRED_CHALLENGE="WEB_AUTHN")
        self.assertEqual(answer["ChallengeName"], "WEB_AUTHN")
        self.assertIn("CREDENTIAL_REQUEST_OPTIONS", answer["ChallengeParameters"])
        code, _ = error_of(lambda: self.respond(answer, "WEB_AUTHN", CREDENTIAL="{}"))
        self.assertEqual(code, "NotAuthorizedException")


class EmailMfa(unittest.TestCase):
    def setUp(self):
        self.c = cognito()
        self.pool = create_pool(self.c, EmailConfiguration=SES)
        self.app = create_client(self.c, self.pool)
        confirmed_user(self.c, self.pool, "emma", {"email": "emma@example.com"})

    def configure(self, pool=None, **extra):
        return self.c.set_user_pool_mfa_config(
            UserPoolId=pool or self.pool,
            MfaConfiguration="OPTIONAL",
            EmailMfaConfiguration={"Message": "Your code is {####}", "Subject": "Sign-in code"},
            **extra,
        )

    def enable(self, username="emma"):
        self.c.admin_set_user_mfa_preference(
            UserPoolId=self.pool,
            Username=username,
            EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
        )

    def test_pool_email_mfa_round_trips(self):
        answer = self.configure()
        self.assertEqual(answer["EmailMfaConfiguration"]["Subject"], "Sign-in code")
        got = self.c.get_user_pool_mfa_config(UserPoolId=self.pool)
        self.assertEqual(got["MfaConfiguration"], "OPTIONAL")
        self.assertEqual(got["EmailMfaConfiguration"]["Message"], "Your code is {####}")

    def test_email_mfa_needs_essentials(self):
        pool = create_pool(self.c, EmailConfiguration=SES, UserPoolTier="LITE")
        code, _ = error_of(lambda: self.configure(pool))
        self.assertEqual(code, "FeatureUnavailableInTierException")

    def test_email_mfa_needs_ses(self):
        pool = create_pool(self.c)
        code, message = error_of(lambda: self.configure(pool))
        self.assertEqual(code, "InvalidParameterException")
        self.assertIn("DEVELOPER", message)

    def test_the_message_needs_the_placeholder(self):
        code, _ = error_of(
            lambda: self.c.set_user_pool_mfa_config(
                UserPoolId=self.pool,
                MfaConfiguration="OPTIONAL",
                EmailMfaConfiguration={"Message": "no placeholder here"},
            )
        )
        self.assertEqual(code, "InvalidParameterException")

    def test_user_preference_shows_email_otp(self):
        self.configure()
        self.enable()
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="emma")
        self.assertEqual(user["UserMFASettingList"], ["EMAIL_OTP"])
        self.assertEqual(user["PreferredMfaSetting"], "EMAIL_OTP")
        factors = self.c.admin_get_user_auth_factors(UserPoolId=self.pool, Username="emma")
        self.assertEqual(factors["UserMFASettingList"], ["EMAIL_OTP"])
        self.assertEqual(factors["PreferredMfaSetting"], "EMAIL_OTP")
        self.c.admin_set_user_mfa_preference(
            UserPoolId=self.pool, Username="emma", EmailMfaSettings={"Enabled": False}
        )
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="emma")
        self.assertEqual(user["UserMFASettingList"], [])
        self.assertEqual(user.get("PreferredMfaSetting", ""), "")

    def test_set_user_mfa_preference_with_the_users_token(self):
        self.configure()
        token = sign_in(self.c, self.app, "emma")["AuthenticationResult"]["AccessToken"]
        self.c.set_user_mfa_preference(
            AccessToken=token, EmailMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="emma")
        self.assertEqual(user["UserMFASettingList"], ["EMAIL_OTP"])

    def test_a_user_whose_password_must_be_reset_is_refused_until_the_reset(self):
        self.configure()
        confirmed_user(
            self.c, self.pool, "rita", {"email": "rita@example.com", "email_verified": "true"}
        )
        self.c.admin_reset_user_password(UserPoolId=self.pool, Username="rita")
        code, _ = error_of(lambda: self.enable("rita"))
        self.assertEqual(code, "PasswordResetRequiredException")
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="rita")
        self.assertEqual(user["UserMFASettingList"], [], "nothing changed")
        self.c.admin_set_user_password(
            UserPoolId=self.pool, Username="rita", Password="N3w-Passw0rd!", Permanent=True
        )
        self.enable("rita")
        user = self.c.admin_get_user(UserPoolId=self.pool, Username="rita")
        self.assertEqual(user["UserMFASettingList"], ["EMAIL_OTP"])

    def test_enabling_without_the_pool_configured_is_refused(self):
        code, _ = error_of(self.enable)
        self.assertEqual(code, "InvalidParameterException")

    def test_enabling_on_a_lite_pool_is_refused(self):
        pool = create_pool(self.c, UserPoolTier="LITE", EmailConfiguration=SES)
        confirmed_user(self.c, pool, "lou", {"email": "lou@example.com"})
        code, _ = error_of(
            lambda: self.c.admin_set_user_mfa_preference(
                UserPoolId=pool, Username="lou", EmailMfaSettings={"Enabled": True}
            )
        )
        self.assertEqual(code, "InvalidParameterException")

    def test_sign_in_asks_for_the_emailed_code_then_verifies_the_email(self):
        self.configure()
        self.enable()
        answer = sign_in(self.c, self.app, "emma")
        self.assertEqual(answer["ChallengeName"], "EMAIL_OTP")
        self.assertEqual(
            answer["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"], "e***@e***"
        )
        code = otp_header(answer)
        self.assertEqual(
            error_of(
                lambda: self.c.respond_to_auth_challenge(
                    ClientId=self.app,
                    ChallengeName="EMAIL_OTP",
                    Session=answer["Session"],
                    ChallengeResponses={"USERNAME": "emma", "EMAIL_OTP_CODE": other_than(code)},
                )
            )[0],
            "CodeMismatchException",
        )
        tokens = self.c.respond_to_auth_challenge(
            ClientId=self.app,
            ChallengeName="EMAIL_OTP",
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": "emma", "EMAIL_OTP_CODE": code},
        )
        self.assertIn("AuthenticationResult", tokens)
        attributes = {
            a["Name"]: a["Value"]
            for a in self.c.admin_get_user(UserPoolId=self.pool, Username="emma")["UserAttributes"]
        }
        self.assertEqual(attributes.get("email_verified"), "true")

    def test_a_wrong_password_never_sends_a_code(self):
        self.configure()
        self.enable()
        self.assertEqual(
            error_of(lambda: sign_in(self.c, self.app, "emma", "Wr0ng!pass")),
            ("NotAuthorizedException", "Incorrect username or password."),
        )

    def test_admin_flow_asks_for_the_code_too(self):
        self.configure()
        self.enable()
        answer = self.c.admin_initiate_auth(
            UserPoolId=self.pool,
            ClientId=self.app,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "emma", "PASSWORD": PASSWORD},
        )
        self.assertEqual(answer["ChallengeName"], "EMAIL_OTP")

    def test_mfa_off_pool_signs_in_without_code(self):
        self.configure()
        self.enable()
        self.c.set_user_pool_mfa_config(
            UserPoolId=self.pool,
            MfaConfiguration="OFF",
            EmailMfaConfiguration={"Message": "Your code is {####}"},
        )
        self.assertIn("AuthenticationResult", sign_in(self.c, self.app, "emma"))


if __name__ == "__main__":
    unittest.main()
