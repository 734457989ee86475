"""Triggers fired per pool from its own LambdaConfig: UserMigration, PreSignUp,
PreTokenGeneration (migration.py, user_creation.py, tokens.py, lambda_invoke.py)."""

import unittest

from support import (
    ACCOUNT,
    PASSWORD,
    Function,
    claims,
    cognito,
    confirmed_user,
    create_client,
    create_pool,
    error_of,
    function_arn,
    sent_code,
    sign_in,
    srp_challenge,
)

MIGRATED = {"email": "old@example.com", "email_verified": "true", "custom:tier": "gold"}
SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Mutable": True},
    {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
]


def migrating(final_status=None, **extra):
    response = {"userAttributes": dict(MIGRATED), "messageAction": "SUPPRESS", **extra}
    if final_status:
        response["finalUserStatus"] = final_status
    return Function(
        {
            "UserMigration_Authentication": {"response": response},
            "UserMigration_ForgotPassword": {
                "response": {"userAttributes": dict(MIGRATED), "messageAction": "SUPPRESS"}
            },
        }
    )


class UserMigration(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def pool(self, function, prevent="LEGACY", **config):
        pool = create_pool(
            self.c, LambdaConfig={"UserMigration": function.arn}, Schema=SCHEMA, **config
        )
        return pool, create_client(self.c, pool, prevent)

    def test_sign_in_migrates_the_user_under_the_typed_name_and_issues_tokens(self):
        function = migrating("CONFIRMED")
        pool, client = self.pool(function)
        tokens = sign_in(self.c, client, "olga", ClientMetadata={"k": "v"})["AuthenticationResult"]
        self.assertEqual(claims(tokens["IdToken"])["cognito:username"], "olga")
        user = self.c.admin_get_user(UserPoolId=pool, Username="olga")
        self.assertEqual(user["UserStatus"], "CONFIRMED")
        self.assertIn({"Name": "custom:tier", "Value": "gold"}, user["UserAttributes"])
        sign_in(self.c, client, "olga")  # the typed password was kept
        [event] = function.events()  # the second sign-in found the user
        self.assertEqual(event["triggerSource"], "UserMigration_Authentication")
        self.assertEqual(event["userName"], "olga")
        self.assertEqual(event["userPoolId"], pool)
        self.assertEqual(event["callerContext"]["clientId"], client)
        self.assertEqual(event["request"]["password"], PASSWORD)
        self.assertEqual(event["request"]["validationData"], {"k": "v"})
        self.assertEqual(event["region"], "us-east-1")

    def test_without_confirmed_the_migrated_user_must_reset_its_password(self):
        pool, client = self.pool(migrating())
        code, _ = error_of(lambda: sign_in(self.c, client, "pete"))
        self.assertEqual(code, "PasswordResetRequiredException")
        user = self.c.admin_get_user(UserPoolId=pool, Username="pete")
        self.assertEqual(user["UserStatus"], "RESET_REQUIRED")

    def test_email_pool_gets_a_generated_user_name_and_the_typed_email(self):
        function = migrating("CONFIRMED")
        pool, client = self.pool(function, UsernameAttributes=["email"])
        tokens = sign_in(self.c, client, "old@example.com")["AuthenticationResult"]
        user = self.c.admin_get_user(UserPoolId=pool, Username="old@example.com")
        self.assertNotEqual(user["Username"], "old@example.com")
        self.assertEqual(claims(tokens["AccessToken"])["username"], user["Username"])

    def test_alias_pool_takes_the_answered_username_when_the_typed_name_is_an_alias(self):
        response = {
            "userAttributes": {
                "username": "legacy7",
                "email": "leg@example.com",
                "email_verified": "true",
            },
            "finalUserStatus": "CONFIRMED",
        }
        pool, client = self.pool(
            Function({"UserMigration_Authentication": {"response": response}}),
            AliasAttributes=["email"],
        )
        tokens = sign_in(self.c, client, "leg@example.com")["AuthenticationResult"]
        self.assertEqual(claims(tokens["IdToken"])["cognito:username"], "legacy7")
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=pool, Username="legacy7")["UserStatus"], "CONFIRMED"
        )

    def test_an_answered_username_is_refused_when_the_typed_name_is_no_alias(self):
        response = {"userAttributes": {"username": "other", "email": "o2@example.com"}}
        _, client = self.pool(
            Function({"UserMigration_Authentication": {"response": response}}),
            AliasAttributes=["email"],
        )
        code, _ = error_of(lambda: sign_in(self.c, client, "someone"))
        self.assertEqual(code, "InvalidLambdaResponseException")

    def test_admin_sign_in_migrates_too(self):
        pool, client = self.pool(migrating("CONFIRMED"))
        answer = self.c.admin_initiate_auth(
            UserPoolId=pool,
            ClientId=client,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "quin", "PASSWORD": PASSWORD},
        )
        self.assertIn("AuthenticationResult", answer)

    def test_sms_mfa_from_the_answer_leads_to_the_mfa_challenge(self):
        response = {
            "userAttributes": {
                **MIGRATED,
                "phone_number": "+15550111",
                "phone_number_verified": "true",
            },
            "finalUserStatus": "CONFIRMED",
            "enableSMSMFA": True,
        }
        function = Function({"UserMigration_Authentication": {"response": response}})
        pool, client = self.pool(function)
        self.assertEqual(sign_in(self.c, client, "rita")["ChallengeName"], "SMS_MFA")

    def test_an_empty_answer_is_an_unknown_user_as_the_client_says(self):
        empty = Function({})
        _, legacy = self.pool(empty)
        code, _ = error_of(lambda: sign_in(self.c, legacy, "nobody"))
        self.assertEqual(code, "UserNotFoundException")
        _, hiding = self.pool(empty, prevent="ENABLED")
        self.assertEqual(
            error_of(lambda: sign_in(self.c, hiding, "nobody")),
            ("NotAuthorizedException", "Incorrect username or password."),
        )
        answer = self.c.forgot_password(ClientId=hiding, Username="nobody")
        self.assertIn("CodeDeliveryDetails", answer)
        code, _ = error_of(lambda: self.c.forgot_password(ClientId=legacy, Username="nobody"))
        self.assertEqual(code, "UserNotFoundException")

    def test_a_failing_function_refuses_with_UserLambdaValidationException(self):
        function = Function({"UserMigration_Authentication": {"error": "old pool said no"}})
        pool, client = self.pool(function)
        self.assertEqual(
            error_of(lambda: sign_in(self.c, client, "sam")),
            ("UserLambdaValidationException", "UserMigration failed with error old pool said no."),
        )
        code, _ = error_of(lambda: self.c.admin_get_user(UserPoolId=pool, Username="sam"))
        self.assertEqual(code, "UserNotFoundException")

    def test_forgot_password_migrates_reset_required_and_the_code_confirms_it(self):
        function = migrating()
        pool, client = self.pool(function)
        answer = self.c.forgot_password(ClientId=client, Username="tess", ClientMetadata={"a": "b"})
        self.assertEqual(answer["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL")
        [event] = function.events()
        self.assertEqual(event["triggerSource"], "UserMigration_ForgotPassword")
        self.assertNotIn("password", event["request"])
        self.assertEqual(event["request"]["clientMetadata"], {"a": "b"})
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=pool, Username="tess")["UserStatus"], "RESET_REQUIRED"
        )
        self.c.confirm_forgot_password(
            ClientId=client,
            Username="tess",
            ConfirmationCode=sent_code(answer),
            Password="N3wPassw0rd!",
        )
        sign_in(self.c, client, "tess", "N3wPassw0rd!")

    def test_only_the_pool_that_has_the_trigger_fires_it(self):
        function = migrating("CONFIRMED")
        self.pool(function)
        plain = create_pool(self.c)
        plain_client = create_client(self.c, plain)
        code, _ = error_of(lambda: sign_in(self.c, plain_client, "uma"))
        self.assertEqual(code, "UserNotFoundException")
        self.assertEqual(function.events(), [])

    def test_a_function_the_lambda_host_lacks_is_an_unexpected_lambda_exception(self):
        pool = create_pool(self.c, LambdaConfig={"UserMigration": function_arn("no-such-fn")})
        client = create_client(self.c, pool)
        code, _ = error_of(lambda: sign_in(self.c, client, "wes"))
        self.assertEqual(code, "UnexpectedLambdaException")

    def test_srp_sign_in_never_migrates(self):
        function = migrating("CONFIRMED")
        pool, client = self.pool(function)
        code, _ = error_of(lambda: srp_challenge(self.c, pool, client, "vic"))
        self.assertEqual(code, "UserNotFoundException")
        hiding = create_client(self.c, pool, "ENABLED")
        _, answer = srp_challenge(self.c, pool, hiding, "vic")
        self.assertEqual(answer["ChallengeName"], "PASSWORD_VERIFIER")
        self.assertEqual(function.events(), [])


class PreSignUp(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def test_a_failing_function_refuses_sign_up_and_creates_nobody(self):
        function = Function({"PreSignUp_SignUp": {"error": "invite only"}})
        pool = create_pool(self.c, LambdaConfig={"PreSignUp": function.arn})
        client = create_client(self.c, pool)
        self.assertEqual(
            error_of(lambda: self.c.sign_up(ClientId=client, Username="walt", Password=PASSWORD)),
            ("UserLambdaValidationException", "PreSignUp failed with error invite only."),
        )
        code, _ = error_of(lambda: self.c.admin_get_user(UserPoolId=pool, Username="walt"))
        self.assertEqual(code, "UserNotFoundException")

    def test_auto_confirm_and_auto_verify_are_honoured(self):
        function = Function(
            {"PreSignUp_SignUp": {"response": {"autoConfirmUser": True, "autoVerifyEmail": True}}}
        )
        pool = create_pool(self.c, LambdaConfig={"PreSignUp": function.arn})
        client = create_client(self.c, pool)
        answer = self.c.sign_up(
            ClientId=client,
            Username="xena",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "x@example.com"}],
            ValidationData=[{"Name": "captcha", "Value": "ok"}],
            ClientMetadata={"m": "1"},
        )
        self.assertTrue(answer["UserConfirmed"])
        user = self.c.admin_get_user(UserPoolId=pool, Username="xena")
        self.assertIn({"Name": "email_verified", "Value": "true"}, user["UserAttributes"])
        [event] = function.events()
        self.assertEqual(event["request"]["userAttributes"], {"email": "x@example.com"})
        self.assertEqual(event["request"]["validationData"], {"captcha": "ok"})
        self.assertEqual(event["request"]["clientMetadata"], {"m": "1"})
        sign_in(self.c, client, "xena")

    def test_auto_verified_email_takes_the_alias_over(self):
        function = Function({"PreSignUp_SignUp": {"response": {"autoVerifyEmail": True}}})
        pool = create_pool(
            self.c, AliasAttributes=["email"], LambdaConfig={"PreSignUp": function.arn}
        )
        client = create_client(self.c, pool)
        confirmed_user(self.c, pool, "old", {"email": "same@example.com", "email_verified": "true"})
        self.c.sign_up(
            ClientId=client,
            Username="new",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "same@example.com"}],
        )
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=pool, Username="same@example.com")["Username"], "new"
        )
        previous = self.c.admin_get_user(UserPoolId=pool, Username="old")["UserAttributes"]
        self.assertIn({"Name": "email_verified", "Value": "false"}, previous)

    def test_auto_verifying_an_email_the_user_lacks_is_refused(self):
        function = Function({"PreSignUp_SignUp": {"response": {"autoVerifyEmail": True}}})
        pool = create_pool(self.c, LambdaConfig={"PreSignUp": function.arn})
        client = create_client(self.c, pool)
        code, _ = error_of(
            lambda: self.c.sign_up(ClientId=client, Username="nomail", Password=PASSWORD)
        )
        self.assertEqual(code, "InvalidLambdaResponseException")
        code, _ = error_of(lambda: self.c.admin_get_user(UserPoolId=pool, Username="nomail"))
        self.assertEqual(code, "UserNotFoundException")

    def test_admin_create_user_fires_its_own_source(self):
        function = Function({"PreSignUp_AdminCreateUser": {"error": "no admins today"}})
        pool = create_pool(self.c, LambdaConfig={"PreSignUp": function.arn})
        code, message = error_of(lambda: self.c.admin_create_user(UserPoolId=pool, Username="yuri"))
        self.assertEqual(
            (code, message),
            ("UserLambdaValidationException", "PreSignUp failed with error no admins today."),
        )


class PreTokenGeneration(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def member(self, pool):
        confirmed_user(self.c, pool, "zoe", {"email": "z@example.com", "email_verified": "true"})
        self.c.create_group(UserPoolId=pool, GroupName="staff", Precedence=1)
        self.c.admin_add_user_to_group(UserPoolId=pool, Username="zoe", GroupName="staff")

    def test_version_1_overrides_the_groups_of_both_tokens_not_the_membership(self):
        function = Function(
            {
                "TokenGeneration_Authentication": {
                    "response": {
                        "claimsOverrideDetails": {
                            "claimsToAddOrOverride": {"tenant": "acme"},
                            "claimsToSuppress": ["email"],
                            "groupOverrideDetails": {"groupsToOverride": ["admins"]},
                        }
                    }
                }
            }
        )
        pool = create_pool(self.c, LambdaConfig={"PreTokenGeneration": function.arn})
        client = create_client(self.c, pool, ReadAttributes=["email"])
        self.member(pool)
        tokens = sign_in(self.c, client, "zoe")["AuthenticationResult"]
        id_token, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
        self.assertNotIn("email", id_token)  # suppressed; the client could read it
        self.assertEqual(id_token["cognito:groups"], ["admins"])
        self.assertEqual(id_token["tenant"], "acme")
        # "Your groupOverrideDetails object will replace the `cognito:groups` claim in access
        # tokens as well as ID tokens."; the claims of a version 1 answer stay in the ID token.
        self.assertEqual(access["cognito:groups"], ["admins"])
        self.assertNotIn("tenant", access)
        groups = self.c.admin_list_groups_for_user(UserPoolId=pool, Username="zoe")["Groups"]
        self.assertEqual([g["GroupName"] for g in groups], ["staff"])
        [event] = function.events()
        self.assertEqual(event["version"], "1")
        self.assertEqual(event["request"]["groupConfiguration"]["groupsToOverride"], ["staff"])
        self.assertEqual(event["request"]["userAttributes"]["email"], "z@example.com")

    def test_version_1_group_override_reaches_the_access_token_of_a_user_without_groups(self):
        # The migration window's case: the new pool's user has no membership yet, the function
        # answers the old pool's groups; the roles stay ID-token claims.
        function = Function(
            {
                "TokenGeneration_Authentication": {
                    "response": {
                        "claimsOverrideDetails": {
                            "groupOverrideDetails": {
                                "groupsToOverride": ["admins", "staff"],
                                "iamRolesToOverride": [f"arn:aws:iam::{ACCOUNT}:role/admin"],
                                "preferredRole": f"arn:aws:iam::{ACCOUNT}:role/admin",
                            }
                        }
                    }
                }
            }
        )
        pool = create_pool(
            self.c,
            LambdaConfig={
                "PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": function.arn}
            },
        )
        client = create_client(self.c, pool)
        confirmed_user(self.c, pool, "ivy", {"email": "i@example.com", "email_verified": "true"})
        tokens = sign_in(self.c, client, "ivy")["AuthenticationResult"]
        id_token, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
        self.assertEqual(access["cognito:groups"], ["admins", "staff"])
        self.assertEqual(id_token["cognito:groups"], ["admins", "staff"])
        self.assertEqual(id_token["cognito:roles"], [f"arn:aws:iam::{ACCOUNT}:role/admin"])
        self.assertEqual(id_token["cognito:preferred_role"], f"arn:aws:iam::{ACCOUNT}:role/admin")
        self.assertNotIn("cognito:roles", access)
        self.assertNotIn("cognito:preferred_role", access)
        memberships = self.c.admin_list_groups_for_user(UserPoolId=pool, Username="ivy")
        self.assertEqual(memberships["Groups"], [])
        self.assertEqual(len(function.events()), 1)  # one invocation for both tokens

    def test_version_1_empty_group_override_suppresses_the_groups_of_both_tokens(self):
        function = Function(
            {
                "TokenGeneration_Authentication": {
                    "response": {
                        "claimsOverrideDetails": {"groupOverrideDetails": {"groupsToOverride": []}}
                    }
                }
            }
        )
        pool = create_pool(self.c, LambdaConfig={"PreTokenGeneration": function.arn})
        client = create_client(self.c, pool)
        self.member(pool)
        tokens = sign_in(self.c, client, "zoe")["AuthenticationResult"]
        self.assertNotIn("cognito:groups", claims(tokens["IdToken"]))
        self.assertNotIn("cognito:groups", claims(tokens["AccessToken"]))

    def test_version_2_overrides_both_tokens_and_refresh_fires_its_source(self):
        function = Function(
            {
                source: {
                    "response": {
                        "claimsAndScopeOverrideDetails": {
                            "accessTokenGeneration": {
                                "claimsToAddOrOverride": {"plan": "pro"},
                                "scopesToAdd": ["api/read"],
                            },
                            "groupOverrideDetails": {"groupsToOverride": ["admins"]},
                        }
                    }
                }
                for source in ("TokenGeneration_Authentication", "TokenGeneration_RefreshTokens")
            }
        )
        pool = create_pool(
            self.c,
            LambdaConfig={
                "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": function.arn}
            },
        )
        client = create_client(self.c, pool)
        self.member(pool)
        tokens = sign_in(self.c, client, "zoe")["AuthenticationResult"]
        access = claims(tokens["AccessToken"])
        self.assertEqual(claims(tokens["IdToken"])["cognito:groups"], ["admins"])
        self.assertEqual(access["cognito:groups"], ["admins"])
        self.assertEqual(access["plan"], "pro")
        self.assertIn("api/read", access["scope"].split())
        self.c.initiate_auth(
            ClientId=client,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
        sources = [(e["triggerSource"], e["version"]) for e in function.events()]
        self.assertEqual(
            sources,
            [("TokenGeneration_Authentication", "2"), ("TokenGeneration_RefreshTokens", "2")],
        )

    def test_new_password_challenge_fires_its_source(self):
        function = Function({})
        pool = create_pool(self.c, LambdaConfig={"PreTokenGeneration": function.arn})
        client = create_client(self.c, pool)
        self.c.admin_create_user(
            UserPoolId=pool,
            Username="ann",
            TemporaryPassword="Temp0rary!",
            MessageAction="SUPPRESS",
        )
        challenge = sign_in(self.c, client, "ann", "Temp0rary!")
        self.assertEqual(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED")
        self.c.respond_to_auth_challenge(
            ClientId=client,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": "ann", "NEW_PASSWORD": PASSWORD},
        )
        self.assertEqual(
            [e["triggerSource"] for e in function.events()],
            ["TokenGeneration_NewPasswordChallenge"],
        )

    def test_a_failing_function_refuses_the_tokens(self):
        function = Function({"TokenGeneration_Authentication": {"error": "blocked"}})
        pool = create_pool(self.c, LambdaConfig={"PreTokenGeneration": function.arn})
        client = create_client(self.c, pool)
        self.member(pool)
        self.assertEqual(
            error_of(lambda: sign_in(self.c, client, "zoe")),
            ("UserLambdaValidationException", "PreTokenGeneration failed with error blocked."),
        )


if __name__ == "__main__":
    unittest.main()
