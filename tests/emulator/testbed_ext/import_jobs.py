"""The user import jobs themselves: their record, the store of every job, their timing knobs.

API reference, UserImportJobType
(https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserImportJobType.html):
JobName, JobId, UserPoolId, PreSignedUrl, CreationDate, StartDate, CompletionDate, Status,
CloudWatchLogsRoleArn, ImportedUsers, SkippedUsers, FailedUsers, CompletionMessage. Status values:
Created, Pending, InProgress, Stopping, Stopped, Succeeded, Failed, Expired.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from .wire import CognitoError

ACTIVE_STATUSES = ("Pending", "InProgress", "Stopping")


def step_seconds() -> float:
    """Delay between two job states, so tests can watch Pending and InProgress go by."""
    return float(os.environ.get("TESTBED_IMPORT_STEP_SECONDS", "0.2"))


def max_rejected_lines() -> int:
    """Failed + skipped lines a job may have before it ends Failed (ours; AWS does not say)."""
    return int(os.environ.get("TESTBED_IMPORT_MAX_REJECTED_LINES", "1000"))


TOO_MANY_REJECTED = "Too many users have failed or been skipped during the import."


def url_ttl_seconds() -> int:
    """How long a PreSignedUrl stays valid: 15 minutes on AWS, shorter for expiry tests."""
    return int(os.environ.get("TESTBED_IMPORT_URL_TTL_SECONDS", "900"))


@dataclass
class ImportJob:
    """One user import job (API reference: UserImportJobType)."""

    account_id: str
    region: str
    job_id: str
    job_name: str
    user_pool_id: str
    role_arn: str
    pre_signed_url: str
    signature: str
    creation_date: float
    status: str = "Created"
    start_date: float | None = None
    completion_date: float | None = None
    completion_message: str | None = None
    imported: int = 0
    skipped: int = 0
    failed: int = 0
    csv: bytes | None = None
    log_lines: list[str] = field(default_factory=list)
    stop_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        job: dict[str, Any] = {
            "JobName": self.job_name,
            "JobId": self.job_id,
            "UserPoolId": self.user_pool_id,
            "PreSignedUrl": self.pre_signed_url,
            "CreationDate": self.creation_date,
            "Status": self.status,
            "CloudWatchLogsRoleArn": self.role_arn,
            "ImportedUsers": self.imported,
            "SkippedUsers": self.skipped,
            "FailedUsers": self.failed,
        }
        if self.start_date is not None:
            job["StartDate"] = self.start_date
        if self.completion_date is not None:
            job["CompletionDate"] = self.completion_date
        if self.completion_message is not None:
            job["CompletionMessage"] = self.completion_message
        return job

    def finish(self, status: str, message: str) -> None:
        self.status = status
        self.completion_message = message
        self.completion_date = time.time()


class JobStore:
    """Every import job of this server, keyed by job id (ids are unique across accounts)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.jobs: OrderedDict[str, ImportJob] = OrderedDict()

    def add(self, job: ImportJob) -> None:
        with self.lock:
            self.jobs[job.job_id] = job

    def get(self, job_id: str) -> ImportJob | None:
        with self.lock:
            return self.jobs.get(job_id)

    def find(self, account_id: str, user_pool_id: str, job_id: str) -> ImportJob:
        with self.lock:
            job = self.jobs.get(job_id)
        if job is None or job.account_id != account_id or job.user_pool_id != user_pool_id:
            raise CognitoError("ResourceNotFoundException", f"Job {job_id} does not exist.")
        return job

    def of_pool(self, account_id: str, user_pool_id: str) -> list[ImportJob]:
        with self.lock:
            return [
                job
                for job in self.jobs.values()
                if job.account_id == account_id and job.user_pool_id == user_pool_id
            ]

    def active_in_account(self, account_id: str) -> ImportJob | None:
        with self.lock:
            for job in self.jobs.values():
                if job.account_id == account_id and job.status in ACTIVE_STATUSES:
                    return job
        return None

    def reset(self) -> None:
        with self.lock:
            for job in self.jobs.values():
                job.stop_requested = True
            self.jobs.clear()


JOBS = JobStore()
