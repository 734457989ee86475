"""The import-job operations moto lacks, answered by the middleware: GetCSVHeader,
CreateUserImportJob, StartUserImportJob, DescribeUserImportJob, ListUserImportJobs,
StopUserImportJob. Each function names the API reference page it follows.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import string
import threading
import time
from typing import Any, Callable

from .import_csv import csv_header_of, run_import_job
from .import_jobs import JOBS, ImportJob, url_ttl_seconds
from .wire import (
    CallContext,
    CognitoError,
    invalid_parameter,
    require_string,
    user_pool,
    validation_error,
)

# API reference shapes (the botocore model of cognito-idp): patterns and lengths that AWS
# validates before the operation runs.
USER_POOL_ID_PATTERN = re.compile(r"[\w-]+_[0-9a-zA-Z]+")
JOB_ID_PATTERN = re.compile(r"import-[0-9a-zA-Z-]+")
JOB_NAME_PATTERN = re.compile(r"[\w\s+=,.@-]+")
ROLE_ARN_PATTERN = re.compile(
    r"arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+"
    r"(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?"
)


def get_csv_header(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: GetCSVHeader (API_GetCSVHeader); developer guide: "Creating the
    user import CSV file" for the column list and order."""
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    return {"UserPoolId": pool_id, "CSVHeader": csv_header_of(user_pool(ctx, pool_id))}


def create_user_import_job(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: CreateUserImportJob (API_CreateUserImportJob); developer guide:
    "Creating and running the Amazon Cognito user pool import job" (PreSignedUrl valid for
    15 minutes, upload with `x-amz-server-side-encryption: aws:kms`)."""
    job_name = require_string(body, "JobName", JOB_NAME_PATTERN, 1, 128)
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    role_arn = require_string(body, "CloudWatchLogsRoleArn", ROLE_ARN_PATTERN, 20, 2048)
    if body.get("PasswordHashingAlgorithm") is not None:
        raise invalid_parameter(
            "PasswordHashingAlgorithm (password hash import) is not emulated by the test bed."
        )
    user_pool(ctx, pool_id)
    alphabet = string.ascii_letters + string.digits
    job_id = "import-" + "".join(secrets.choice(alphabet) for _ in range(10))
    signature = secrets.token_hex(32)
    url = (
        f"http://{ctx.host}/_testbed/import-upload/{job_id}"
        f"?X-Amz-Expires={url_ttl_seconds()}&X-Amz-Signature={signature}"
    )
    job = ImportJob(
        account_id=ctx.account_id,
        region=ctx.region,
        job_id=job_id,
        job_name=job_name,
        user_pool_id=pool_id,
        role_arn=role_arn,
        pre_signed_url=url,
        signature=signature,
        creation_date=time.time(),
    )
    JOBS.add(job)
    return {"UserImportJob": job.to_json()}


def describe_user_import_job(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: DescribeUserImportJob (API_DescribeUserImportJob)."""
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    job_id = require_string(body, "JobId", JOB_ID_PATTERN, 1, 55)
    user_pool(ctx, pool_id)
    job = JOBS.find(ctx.account_id, pool_id, job_id)
    with JOBS.lock:
        return {"UserImportJob": job.to_json()}


def list_user_import_jobs(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: ListUserImportJobs (API_ListUserImportJobs): MaxResults 1-60 is
    required; PaginationToken continues a previous page."""
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    max_results = body.get("MaxResults")
    if max_results is None:
        raise validation_error(None, "maxResults", "Member must not be null")
    if not isinstance(max_results, int) or isinstance(max_results, bool):
        raise invalid_parameter("MaxResults must be an integer.")
    if max_results < 1:
        raise validation_error(
            max_results, "maxResults", "Member must have value greater than or equal to 1"
        )
    if max_results > 60:
        raise validation_error(
            max_results, "maxResults", "Member must have value less than or equal to 60"
        )
    user_pool(ctx, pool_id)
    jobs = JOBS.of_pool(ctx.account_id, pool_id)
    start = 0
    token = body.get("PaginationToken")
    if token is not None:
        start = decode_page_token(token, pool_id)
    page = jobs[start : start + max_results]
    with JOBS.lock:
        answer: dict[str, Any] = {"UserImportJobs": [job.to_json() for job in page]}
    if start + max_results < len(jobs):
        answer["PaginationToken"] = encode_page_token(pool_id, start + max_results)
    return answer


def encode_page_token(pool_id: str, offset: int) -> str:
    raw = json.dumps({"pool": pool_id, "offset": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_page_token(token: Any, pool_id: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        if data["pool"] != pool_id or not isinstance(data["offset"], int):
            raise ValueError("token of another pool")
        return int(data["offset"])
    except (ValueError, KeyError, TypeError, binascii.Error) as bad:
        raise invalid_parameter("Invalid PaginationToken.") from bad


def start_user_import_job(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: StartUserImportJob (API_StartUserImportJob); developer guide:
    "Importing users into a user pool" (one active import job per account; a pool without
    auto-verified attributes cannot run an import) and "Creating the user import CSV file"."""
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    job_id = require_string(body, "JobId", JOB_ID_PATTERN, 1, 55)
    pool = user_pool(ctx, pool_id)
    job = JOBS.find(ctx.account_id, pool_id, job_id)
    with JOBS.lock:
        if job.status != "Created":
            raise invalid_parameter(
                f"Import job {job_id} is {job.status}; only a Created job can be started."
            )
        if job.csv is None:
            raise CognitoError("PreconditionNotMetException", "No csv file was uploaded.")
        active = JOBS.active_in_account(ctx.account_id)
        if active is not None:
            raise CognitoError(
                "LimitExceededException",
                "Only one import job can be active at a time per account.",
            )
        job.start_date = time.time()
        if not pool.extended_config.get("AutoVerifiedAttributes"):
            job.finish(
                "Failed",
                "The user pool must have at least one auto-verified attribute to import users.",
            )
            return {"UserImportJob": job.to_json()}
        job.status = "Pending"
        answer = {"UserImportJob": job.to_json()}
    threading.Thread(target=run_import_job, args=(job,), daemon=True).start()
    return answer


def stop_user_import_job(ctx: CallContext, body: dict[str, Any]) -> dict[str, Any]:
    """AWS API reference: StopUserImportJob (API_StopUserImportJob): a Pending or InProgress
    job goes to Stopping, then Stopped; a stopped job cannot be restarted."""
    pool_id = require_string(body, "UserPoolId", USER_POOL_ID_PATTERN, 1, 55)
    job_id = require_string(body, "JobId", JOB_ID_PATTERN, 1, 55)
    user_pool(ctx, pool_id)
    job = JOBS.find(ctx.account_id, pool_id, job_id)
    with JOBS.lock:
        if job.status not in ("Pending", "InProgress"):
            raise invalid_parameter(
                f"Import job {job_id} is {job.status}; only a Pending or InProgress job can be stopped."
            )
        job.status = "Stopping"
        job.stop_requested = True
        return {"UserImportJob": job.to_json()}


OPERATIONS: dict[str, Callable[[CallContext, dict[str, Any]], dict[str, Any]]] = {
    "GetCSVHeader": get_csv_header,
    "CreateUserImportJob": create_user_import_job,
    "DescribeUserImportJob": describe_user_import_job,
    "ListUserImportJobs": list_user_import_jobs,
    "StartUserImportJob": start_user_import_job,
    "StopUserImportJob": stop_user_import_job,
}
