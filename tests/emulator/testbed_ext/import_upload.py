"""S3's and CloudWatch's parts of an import job: the `PreSignedUrl` upload target and the
job's result lines.

Developer guide, "Creating and running the Amazon Cognito user pool import job": the CSV is
uploaded with `curl -T file -H "x-amz-server-side-encryption:aws:kms" URL`, and the URL "is valid
for 15 minutes"; "Viewing the user pool import results in the CloudWatch console" for the lines.
"""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs

from werkzeug.wrappers import Request

from .import_jobs import JOBS, url_ttl_seconds
from .wire import text_response


def job_log(start_response: Any, job_id: str) -> list[bytes]:
    """`GET /_testbed/import-logs/<JobId>`: the job's CloudWatch lines as text (no user data)."""
    job = JOBS.get(job_id)
    if job is None:
        return text_response(start_response, "404 Not Found", "no such job\n", "text/plain")
    with JOBS.lock:
        text = "".join(line + "\n" for line in job.log_lines)
    return text_response(start_response, "200 OK", text, "text/plain; charset=utf-8")


def s3_error(start_response: Any, code: str, message: str) -> list[bytes]:
    """S3's XML error shape, as a PUT to a real pre-signed S3 URL would get it."""
    request_id = uuid.uuid4().hex[:16].upper()
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>testbed</HostId></Error>"
    )
    return text_response(start_response, "403 Forbidden", xml, "application/xml")


def upload_csv(environ: dict[str, Any], start_response: Any, job_id: str) -> list[bytes]:
    """The PreSignedUrl target (developer guide, "Creating and running the Amazon Cognito user
    pool import job": `curl -T file -H "x-amz-server-side-encryption:aws:kms" URL`, valid for
    15 minutes)."""
    request = Request(environ)
    job = JOBS.get(job_id)
    if job is None:
        return s3_error(start_response, "AccessDenied", "Access Denied")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if query.get("X-Amz-Signature", [""])[0] != job.signature:
        return s3_error(
            start_response,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )
    if time.time() > job.creation_date + url_ttl_seconds():
        return s3_error(start_response, "AccessDenied", "Request has expired")
    if request.headers.get("x-amz-server-side-encryption") != "aws:kms":
        return s3_error(
            start_response,
            "AccessDenied",
            "Access Denied: the upload must send x-amz-server-side-encryption: aws:kms",
        )
    data = request.get_data(cache=False)
    with JOBS.lock:
        if job.status != "Created":
            return s3_error(
                start_response, "AccessDenied", "Access Denied: the import job is not Created"
            )
        job.csv = data
    start_response(
        "200 OK",
        [
            ("Content-Length", "0"),
            ("ETag", f'"{uuid.uuid4().hex}"'),
            ("x-amz-server-side-encryption", "aws:kms"),
        ],
    )
    return [b""]
