"""Import jobs into pools of every shape (imports.py with pool_shapes.py)."""

import time
import unittest
import urllib.request

from support import cognito, confirmed_user, create_pool, logs, servers

DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
ROLE = "arn:aws:iam::123456789012:role/CognitoImport"


def run_import(c, pool, rows):
    """Upload rows (dicts over GetCSVHeader's columns) and wait for the job; (job, log lines)."""
    header = c.get_csv_header(UserPoolId=pool)["CSVHeader"]
    lines = [",".join(header)]
    for row in rows:
        values = {"cognito:mfa_enabled": "false", "email_verified": "true", **row}
        lines.append(",".join(values.get(column, "") for column in header))
    job = c.create_user_import_job(JobName="t", UserPoolId=pool, CloudWatchLogsRoleArn=ROLE)[
        "UserImportJob"
    ]
    request = urllib.request.Request(
        job["PreSignedUrl"],
        data=("\n".join(lines) + "\n").encode(),
        method="PUT",
        headers={"x-amz-server-side-encryption": "aws:kms"},
    )
    DIRECT.open(request).read()
    c.start_user_import_job(UserPoolId=pool, JobId=job["JobId"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        job = c.describe_user_import_job(UserPoolId=pool, JobId=job["JobId"])["UserImportJob"]
        if job["Status"] in ("Succeeded", "Failed", "Stopped"):
            break
        time.sleep(0.05)
    with DIRECT.open(f"{servers()['moto_url']}/_testbed/import-logs/{job['JobId']}") as answer:
        return job, answer.read().decode().splitlines()


class ImportShapes(unittest.TestCase):
    def setUp(self):
        self.c = cognito()

    def test_email_pool_wants_an_email_as_cognito_username(self):
        pool = create_pool(self.c, UsernameAttributes=["email"])
        job, log = run_import(
            self.c,
            pool,
            [
                {"cognito:username": "amy@example.com", "email": "amy@example.com"},
                {"cognito:username": "amy", "email": "amy2@example.com"},
            ],
        )
        self.assertEqual(
            (job["Status"], job["ImportedUsers"], job["FailedUsers"]), ("Succeeded", 1, 1)
        )
        self.assertIn("must be an email address", log[1])
        user = self.c.admin_get_user(UserPoolId=pool, Username="amy@example.com")
        self.assertNotEqual(user["Username"], "amy@example.com")
        self.assertEqual(user["UserStatus"], "RESET_REQUIRED")

    def test_alias_pool_refuses_alias_shaped_names_and_taken_aliases(self):
        pool = create_pool(self.c, AliasAttributes=["email"])
        confirmed_user(
            self.c, pool, "held", {"email": "held@example.com", "email_verified": "true"}
        )
        job, log = run_import(
            self.c,
            pool,
            [
                {"cognito:username": "bea@example.com", "email": "bea@example.com"},
                {"cognito:username": "bea", "email": "held@example.com"},
                {"cognito:username": "cy", "email": "cy@example.com"},
            ],
        )
        self.assertEqual((job["ImportedUsers"], job["FailedUsers"]), (1, 2))
        self.assertIn("email format", log[0])
        self.assertIn("already exists", log[1])
        self.assertEqual(
            self.c.admin_get_user(UserPoolId=pool, Username="cy@example.com")["Username"], "cy"
        )

    def test_case_insensitive_pool_skips_a_name_differing_only_in_case(self):
        pool = create_pool(self.c, UsernameConfiguration={"CaseSensitive": False})
        confirmed_user(self.c, pool, "dan")
        job, log = run_import(self.c, pool, [{"cognito:username": "DAN", "email": "d@example.com"}])
        self.assertEqual(job["SkippedUsers"], 1)
        self.assertTrue(log[0].startswith("[SKIPPED] Line Number 2"), log)

    def test_too_many_rejected_lines_fail_the_job(self):
        pool = create_pool(self.c)  # the test servers allow 3 rejected lines
        rows = [{"cognito:username": f"u{i}", "email_verified": "false"} for i in range(5)]
        job, log = run_import(self.c, pool, rows)
        self.assertEqual(job["Status"], "Failed")
        self.assertEqual(
            job["CompletionMessage"],
            "Too many users have failed or been skipped during the import.",
        )
        self.assertEqual(job["FailedUsers"], 4)

    def test_result_lines_are_in_cloudwatch_logs_where_aws_puts_them(self):
        pool = create_pool(self.c)
        name = self.c.describe_user_pool(UserPoolId=pool)["UserPool"]["Name"]
        job, log = run_import(
            self.c,
            pool,
            [
                {"cognito:username": "ann", "email": "ann@example.com"},
                {"cognito:username": "ben", "email_verified": "false"},
            ],
        )
        events = logs().filter_log_events(
            logGroupName=f"/aws/cognito/userpools/{pool}/{name}",
            logStreamNames=[f"{job['JobId']}/t"],
        )["events"]
        self.assertEqual(
            [event["message"] for event in events],
            [
                "[SUCCEEDED] Line Number 2 - The import succeeded.",
                "[FAILED] Line Number 3 - The User Record does not set any of the auto verified "
                "attributes to true. (Example: email_verified to true).",
            ],
        )
        self.assertEqual(log, [event["message"] for event in events])
        self.assertNotIn("ann", "".join(log), "no user data is written to the log")


if __name__ == "__main__":
    unittest.main()
