"""CloudWatch Logs' part of an import job: each result line is also written to moto's CloudWatch
Logs backend, where AWS puts it, so a client reads it with the Logs API as on AWS.

Developer guide, "Viewing the user pool import results in the CloudWatch console"
(https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-using-import-tool-cloudwatch.html):
"The log group name is in the form /aws/cognito/userpools/USER_POOL_ID/USER_POOL_NAME." /
"The log name is in the form JOB_ID/JOB_NAME. The results in the log refer to your users by line
number. No user data is written to the log." The lines themselves are `import_csv`'s.

The role in `CloudWatchLogsRoleArn` is not assumed (known divergence: AWS fails the job when it
cannot be); the group is created on the job's first line, as a role allowed
`logs:CreateLogGroup` would.
"""

from __future__ import annotations

import time
from typing import Any

from moto.logs.exceptions import ResourceAlreadyExistsException
from moto.logs.models import logs_backends

from .import_jobs import ImportJob


def log_group_name(pool_id: str, pool_name: str) -> str:
    """`/aws/cognito/userpools/USER_POOL_ID/USER_POOL_NAME`."""
    return f"/aws/cognito/userpools/{pool_id}/{pool_name}"


def log_stream_name(job: ImportJob) -> str:
    """`JOB_ID/JOB_NAME`."""
    return f"{job.job_id}/{job.job_name}"


def open_stream(job: ImportJob, pool: Any) -> None:
    """Create the pool's log group (once) and the job's stream."""
    backend = logs_backends[job.account_id][job.region]
    group = log_group_name(job.user_pool_id, pool.name)
    try:
        backend.create_log_group(group, {})
    except ResourceAlreadyExistsException:
        pass
    backend.create_log_stream(group, log_stream_name(job))


def write(job: ImportJob, pool: Any, line: str) -> None:
    """Append one result line to the job's stream."""
    backend = logs_backends[job.account_id][job.region]
    backend.put_log_events(
        log_group_name(job.user_pool_id, pool.name),
        log_stream_name(job),
        [{"timestamp": int(time.time() * 1000), "message": line}],
    )
