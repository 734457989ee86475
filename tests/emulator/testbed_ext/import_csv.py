"""The import CSV: its header, its dialect, and ingesting it line by line into moto's backend,
so every other operation sees the users it creates.

Operations: `GetCSVHeader`, `CreateUserImportJob`, `StartUserImportJob`, `DescribeUserImportJob`,
`ListUserImportJobs`, `StopUserImportJob`; the job's `PreSignedUrl` target (S3's part) and its
CloudWatch-style result lines. Each function names the AWS page it implements.

Pool shapes at import (the same rules as every other operation, from `pool_shapes`):
a `cognito:username` that names an existing user, in the pool's case rules, is SKIPPED; on a pool
that signs in with e-mail/phone (`UsernameAttributes`) `cognito:username` must be an e-mail
address or phone number (Cognito then generates the internal user name, as for SignUp: developer
guide "Working with user attributes", Option 2: "If the username string format is not in email or
phone number format, the SignUp API returns an exception"); on an alias pool it must not look like
the alias ("If email is selected as an alias, a username can't match a valid email format."); an
active alias another user already holds fails the line ("Alias values must be unique in a user
pool."). These line reasons are worded by us; AWS does not print its own.

A job that rejects too many lines ends `Failed` with "Too many users have failed or been skipped
during the import." (AWS's message; the threshold is not documented: ours is more than
`TESTBED_IMPORT_MAX_REJECTED_LINES` failed or skipped lines, default 1,000, and the job stops
there).
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

from moto.cognitoidp.exceptions import UsernameExistsException
from moto.cognitoidp.models import UserStatus
from moto.core.exceptions import JsonRESTError

from . import import_logs, pool_shapes
from .import_jobs import JOBS, TOO_MANY_REJECTED, ImportJob, max_rejected_lines, step_seconds
from .wire import CognitoError, moto_backend

STANDARD_CSV_COLUMNS = (
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "cognito:mfa_enabled",
    "cognito:username",
)
BOOLEAN_ATTRIBUTES = ("email_verified", "phone_number_verified")
# Columns that are user settings, not attributes stored on the user.
NON_ATTRIBUTE_COLUMNS = ("cognito:username", "cognito:mfa_enabled")

# Limits from "Creating the user import CSV file".
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 500_000
MAX_ROW_CHARS = 16_000
UTF8_BOM = b"\xef\xbb\xbf"


def csv_header_of(pool: Any) -> list[str]:
    """Standard columns, then the pool's `custom:` attributes in schema order."""
    custom = [name for name in pool.schema_attributes if name.startswith("custom:")]
    return list(STANDARD_CSV_COLUMNS) + custom


def split_csv_line(line: str) -> list[str]:
    """Split one line of Cognito's import CSV into trimmed values.

    Developer guide, "Creating the user import CSV file": values are not quoted, a comma
    inside a value is written as a backslash before the comma, and surrounding whitespace is
    not part of the value. So: split on commas not preceded by a backslash, turn `\\,` into
    `,`; any other backslash is an ordinary character.
    """
    values: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line) and line[i + 1] == ",":
            current.append(",")
            i += 2
            continue
        if char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    values.append("".join(current))
    return [value.strip() for value in values]


def parse_bool(value: str) -> bool | None:
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return None


class RowRejected(Exception):
    """A line that is FAILED or SKIPPED, with the reason logged for it (no user data)."""

    def __init__(self, outcome: str, reason: str):
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


def fail(reason: str) -> RowRejected:
    return RowRejected("FAILED", reason)


def validated_attributes(row: dict[str, str], pool: Any) -> tuple[list[dict[str, str]], bool]:
    """Apply the per-user rules of the developer guide's "Creating the user import CSV file"
    (required columns, cognito:mfa_enabled against the pool's MFA setting, verified attributes,
    auto-verified attributes, required attributes, birthdate mm/dd/yyyy, updated_at in epoch
    seconds); return the attributes to store and whether MFA is enabled. Raises RowRejected."""
    username = row["cognito:username"]
    if not username:
        raise fail("The cognito:username value is missing.")
    if " " in username or "\t" in username:
        raise fail("The cognito:username value must not contain spaces or tabs.")

    mfa_raw = row["cognito:mfa_enabled"]
    if not mfa_raw:
        raise fail("The cognito:mfa_enabled value is missing.")
    mfa_enabled = parse_bool(mfa_raw)
    if mfa_enabled is None:
        raise fail("The cognito:mfa_enabled value must be true or false.")
    pool_mfa = pool.mfa_config
    if pool_mfa == "ON" and not mfa_enabled:
        raise fail("The user pool requires MFA, so cognito:mfa_enabled must be true.")
    if pool_mfa == "OFF" and mfa_enabled:
        raise fail("The user pool has MFA off, so cognito:mfa_enabled must be false.")

    verified: dict[str, bool] = {}
    for name in BOOLEAN_ATTRIBUTES:
        raw = row[name]
        if not raw:
            verified[name] = False
            continue
        parsed = parse_bool(raw)
        if parsed is None:
            raise fail(f"The {name} value must be true or false.")
        verified[name] = parsed
    if verified["email_verified"] and not row["email"]:
        raise fail("email_verified is true but the email value is missing.")
    if verified["phone_number_verified"] and not row["phone_number"]:
        raise fail("phone_number_verified is true but the phone_number value is missing.")

    auto_verified = pool.extended_config.get("AutoVerifiedAttributes") or []
    if not any(verified.get(f"{name}_verified") for name in auto_verified):
        raise fail(
            "The User Record does not set any of the auto verified attributes to true. "
            "(Example: email_verified to true)."
        )

    for name, schema in pool.schema_attributes.items():
        if schema.required and name in row and not row[name]:
            raise fail(f"The User Record does not set the required attribute {name}.")

    birthdate = row["birthdate"]
    if birthdate:
        bad_birthdate = fail("The birthdate value must be a date in the format mm/dd/yyyy.")
        if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", birthdate):
            raise bad_birthdate
        try:
            birthdate = datetime.datetime.strptime(birthdate, "%m/%d/%Y").date().isoformat()
        except ValueError as not_a_date:
            raise bad_birthdate from not_a_date

    if row["updated_at"] and not re.fullmatch(r"\d+", row["updated_at"]):
        raise fail("The updated_at value must be a number of seconds since the epoch.")

    attributes: list[dict[str, str]] = []
    for name, value in row.items():
        if name in NON_ATTRIBUTE_COLUMNS or not value:
            continue
        if name in BOOLEAN_ATTRIBUTES:
            value = "true" if verified[name] else "false"
        elif name == "birthdate":
            value = birthdate
        attributes.append({"Name": name, "Value": value})
    return attributes, mfa_enabled


def import_row(job: ImportJob, pool: Any, row: dict[str, str]) -> None:
    """Create one user in moto's backend as AdminCreateUser would, then mark it the way an
    import leaves it (developer guide, "Importing users into a user pool": imported users are
    RESET_REQUIRED; "Viewing the user pool import results...": an existing user is SKIPPED).
    The pool's shape decides which names and aliases the user may have (module docstring)."""
    attributes, mfa_enabled = validated_attributes(row, pool)
    username = row["cognito:username"]
    check_username_shape(pool, username)
    if pool_shapes.find_user(pool, username):
        raise RowRejected("SKIPPED", "The user already exists.")
    values = {item["Name"]: item["Value"] for item in attributes}
    try:
        pool_shapes.claim_aliases(pool, values, None, force=False)
    except CognitoError as taken:
        raise fail(f"{taken.message} (alias values must be unique in a user pool)") from taken
    backend = moto_backend(job.account_id, job.region)
    try:
        user = backend.admin_create_user(pool.id, username, "SUPPRESS", None, attributes)
    except UsernameExistsException as exists:
        raise RowRejected("SKIPPED", "The user already exists.") from exists
    except JsonRESTError as refused:
        raise fail(f"The user could not be created: {refused.error_type}.") from refused
    user.status = UserStatus.RESET_REQUIRED
    user.enabled = True
    user.sms_mfa_enabled = mfa_enabled


def check_username_shape(pool: Any, username: str) -> None:
    """`cognito:username` as the pool's sign-in shape requires (module docstring)."""
    by_attribute = pool_shapes.username_attributes(pool)
    if by_attribute:
        formats = {"email": pool_shapes.EMAIL_FORMAT, "phone_number": pool_shapes.PHONE_FORMAT}
        if not any(formats[name].fullmatch(username) for name in by_attribute if name in formats):
            wanted = " or ".join(
                "an email address" if n == "email" else "a phone number" for n in by_attribute
            )
            raise fail(
                f"The cognito:username must be {wanted}: the user pool signs users in with it."
            )
        return
    try:
        pool_shapes.check_new_username(pool, username)
    except CognitoError as refused:
        raise fail(refused.message) from refused


def whole_file_error(data: bytes, header_line: str | None, pool: Any) -> str | None:
    """The reasons a whole import job fails rather than single lines (developer guide,
    "Creating the user import CSV file": all GetCSVHeader columns present, UTF-8 without BOM,
    at most 100 MB; "Viewing the user pool import results in the CloudWatch console": the job
    fails when the file cannot be parsed)."""
    if len(data) > MAX_FILE_BYTES:
        return "The CSV file is larger than 100 MB."
    if data.startswith(UTF8_BOM):
        return "The CSV file must be UTF-8 without a byte order mark (BOM)."
    if header_line is None:
        return "The CSV file has no header row."
    header = split_csv_line(header_line)
    expected = csv_header_of(pool)
    missing = [name for name in expected if name not in header]
    if missing:
        return f"The CSV header is missing {len(missing)} column(s) of GetCSVHeader, e.g. {missing[0]}."
    unknown = [name for name in header if name not in expected]
    if unknown:
        return f"The CSV header has a column the user pool does not have: {unknown[0]}."
    if len(set(header)) != len(header):
        return "The CSV header names a column more than once."
    return None


def run_import_job(job: ImportJob) -> None:
    """Move a started job Pending -> InProgress -> Succeeded/Failed/Stopped, processing the CSV
    line by line (developer guide: "Creating the user import CSV file" and "Viewing the user
    pool import results in the CloudWatch console" for the log lines)."""
    delay = step_seconds()
    time.sleep(delay)
    with JOBS.lock:
        if job.stop_requested:
            job.finish("Stopped", "The import job was stopped.")
            return
        job.status = "InProgress"
    try:
        process_csv(job)
    except Exception as crash:  # a bug here must end the job, not hang it InProgress
        with JOBS.lock:
            job.finish("Failed", f"Internal error of the test bed: {type(crash).__name__}.")
        raise


def process_csv(job: ImportJob) -> None:
    """Ingest the uploaded file line by line; one `[SUCCEEDED|SKIPPED|FAILED] Line Number N - ...`
    log line per data line, numbered as lines of the file (the header is line 1), kept for
    `/_testbed/import-logs/<JobId>` and written to CloudWatch Logs (`import_logs`). Developer
    guide: "Creating the user import CSV file", "Viewing the user pool import results in the
    CloudWatch console" (a failed user does not stop the job; a deleted pool does)."""
    data = job.csv or b""
    backend = moto_backend(job.account_id, job.region)
    pool = backend.user_pools.get(job.user_pool_id)
    if pool is None:
        with JOBS.lock:
            job.finish("Failed", "The user pool has been deleted.")
        return
    text: str | None = None
    if not data.startswith(UTF8_BOM) and len(data) <= MAX_FILE_BYTES:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            with JOBS.lock:
                job.finish("Failed", "The CSV file is not valid UTF-8.")
            return
    lines = text.split("\n") if text is not None else []
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    while lines and lines[-1] == "":
        lines.pop()
    error = whole_file_error(data, lines[0] if lines else None, pool)
    if error is None and len(lines) - 1 > MAX_ROWS:
        error = "The CSV file has more than 500,000 rows."
    if error is not None:
        with JOBS.lock:
            job.finish("Failed", error)
        return

    header = split_csv_line(lines[0])
    import_logs.open_stream(job, pool)
    for index, line in enumerate(lines[1:], start=2):
        with JOBS.lock:
            if job.stop_requested:
                job.finish("Stopped", "The import job was stopped.")
                return
        if job.user_pool_id not in backend.user_pools:
            with JOBS.lock:
                job.finish("Failed", "The user pool has been deleted.")
            return
        outcome, reason = "SUCCEEDED", "The import succeeded."
        try:
            if len(line) > MAX_ROW_CHARS:
                raise fail("The line is longer than 16,000 characters.")
            values = split_csv_line(line)
            if len(values) != len(header):
                raise fail(
                    f"The line has {len(values)} values but the header has {len(header)} columns."
                )
            import_row(job, pool, dict(zip(header, values)))
        except RowRejected as rejected:
            outcome, reason = rejected.outcome, rejected.reason
        log_line = f"[{outcome}] Line Number {index} - {reason}"
        import_logs.write(job, pool, log_line)
        with JOBS.lock:
            job.log_lines.append(log_line)
            if outcome == "SUCCEEDED":
                job.imported += 1
            elif outcome == "SKIPPED":
                job.skipped += 1
            else:
                job.failed += 1
            if job.failed + job.skipped > max_rejected_lines():
                job.finish("Failed", TOO_MANY_REJECTED)
                return

    time.sleep(step_seconds())
    with JOBS.lock:
        if job.stop_requested:
            job.finish("Stopped", "The import job was stopped.")
        else:
            job.finish("Succeeded", "Import Job Completed Successfully.")
