#!/usr/bin/env python3
"""A synthetic Cognito for benchmarks: an old and a new user pool of up to millions of users each,
generated from their index rather than stored, answering every page in constant time.

moto answers a ListUsers page in time that grows with the pool (about 290 ms at 20,000 users), so
nothing larger can be measured against it. This server speaks the same wire protocol as Cognito
(JSON 1.1, `X-Amz-Target: AWSCognitoIdentityProviderService.<Operation>`), so the real binaries
run against it unchanged. It is not an emulator of Cognito's rules (the test bed is): it plays two
fixed pools fast, with the faults a long run meets. Standard library only; binds 127.0.0.1.

    synthetic_pool.py [--old-users N] [--new-users M] [--latency-ms 50] [--quota 30] ...

Prints `listening on http://127.0.0.1:PORT` once ready. See tests/bench/README.md.
"""

import argparse
import base64
import bisect
import json
import random
import socket
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# SO_TIMESTAMPNS (Linux): the kernel stamps each received packet; Python names it from 3.x on
# some platforms only.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
OLD_POOL = "us-east-1_SynthOld"
NEW_POOL = "us-east-1_SynthNew"
ACCOUNT = "123456789012"
CREATED = 1_700_000_000.0
GROUPS = 8
# Cognito's UserRead quota category (per account, 120/s by default): the per-user look-ups.
# <https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html>: "Each Amazon Cognito
# quota represents a maximum volume of requests in one AWS Region in one AWS account", and the
# page's table of user pool operation categories puts AdminGetUser and AdminGetUserAuthFactors
# in UserRead (default 120 requests per second); beyond it AWS answers TooManyRequestsException.
USER_READ = ("AdminGetUser", "AdminGetUserAuthFactors")
# One user in MEMBERSHIP_STRIDE is in a group: user i is in group g{i % STRIDE} when that is < GROUPS.
MEMBERSHIP_STRIDE = 80
# `sub` starts with 8 hex digits that grow with the user's index, so `sub ^= "a3"` is one
# contiguous range of indices, found by arithmetic.
SUB_HEAD_SPAN = 16**8
STANDARD_ATTRIBUTES = [
    ("sub", "String", False, True),
    ("name", "String", True, False),
    ("given_name", "String", True, False),
    ("family_name", "String", True, False),
    ("middle_name", "String", True, False),
    ("nickname", "String", True, False),
    ("preferred_username", "String", True, False),
    ("profile", "String", True, False),
    ("picture", "String", True, False),
    ("website", "String", True, False),
    ("email", "String", True, False),
    ("email_verified", "Boolean", True, False),
    ("gender", "String", True, False),
    ("birthdate", "String", True, False),
    ("zoneinfo", "String", True, False),
    ("locale", "String", True, False),
    ("phone_number", "String", True, False),
    ("phone_number_verified", "Boolean", True, False),
    ("address", "String", True, False),
    ("updated_at", "Number", True, False),
]
CSV_HEADER = [name for name, *_ in STANDARD_ATTRIBUTES if name != "sub"] + [
    "cognito:mfa_enabled",
    "cognito:username",
]


class CognitoError(Exception):
    """An error answer in Cognito's JSON shape."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class Pool:
    """One generated pool: `size` users, user `i` named `user{i:07d}`.

    The new pool holds the old pool's first `size` users as an import would leave them: the same
    user names, attributes and group memberships, a `sub` of its own and the old one in
    `custom:legacy_sub`.
    """

    def __init__(self, pool_id, size, is_new):
        self.id, self.size, self.is_new = pool_id, size, is_new
        self.custom = ["custom:tenant"] + (["custom:legacy_sub"] if is_new else [])
        self.created_groups = {}
        self.added_members = set()
        self.disabled = set()
        # `--capitalised-old`: names `User{i:07d}`, e-mails `User{i:07d}@Example.com`, and the
        # pool compares user names exactly: every sign-in value needs the case index.
        self.capitalised = False
        # `--old-mfa`: OFF, OPTIONAL or ON (the export looks each user's MFA up unless OFF).
        self.mfa = "OFF"

    def name_of(self, index):
        return f"{'User' if self.capitalised else 'user'}{index:07d}"

    def sub_head(self, index):
        return index * SUB_HEAD_SPAN // max(self.size, 1)

    def sub(self, index):
        salt = 0x5EED if self.is_new else 0x01D
        return old_or_new_sub(self.sub_head(index), index, salt)

    def first_index_with_head_at_least(self, head):
        # The smallest i with floor(i * SPAN / size) >= head, i.e. i * SPAN >= head * size.
        return min(self.size, -(-head * self.size // SUB_HEAD_SPAN))

    def sub_prefix_range(self, prefix):
        """Indices whose `sub` starts with `prefix` (hex digits of the head only)."""
        if not prefix or len(prefix) > 8 or any(c not in "0123456789abcdef" for c in prefix):
            return (0, 0) if prefix else (0, self.size)
        shift = 16 ** (8 - len(prefix))
        low = int(prefix, 16) * shift
        return (
            self.first_index_with_head_at_least(low),
            self.first_index_with_head_at_least(low + shift),
        )

    def index_of(self, username):
        prefix = "User" if self.capitalised else "user"
        if len(username) == 11 and username.startswith(prefix) and username[4:].isdigit():
            index = int(username[4:])
            if index < self.size:
                return index
        return None

    def status(self, index):
        return {0: "FORCE_CHANGE_PASSWORD", 1: "RESET_REQUIRED", 2: "UNCONFIRMED"}.get(
            index % 20, "CONFIRMED"
        )

    def attributes(self, index):
        name = self.name_of(index)
        domain = "Example.com" if self.capitalised else "example.com"
        attributes = [
            {"Name": "sub", "Value": self.sub(index)},
            {"Name": "email", "Value": f"{name}@{domain}"},
            {"Name": "email_verified", "Value": "false" if index % 20 == 2 else "true"},
            {"Name": "name", "Value": f"User {index}, the {index % 7}th"},
            {"Name": "custom:tenant", "Value": f"t{index % 3}"},
        ]
        if self.is_new:
            attributes.append({"Name": "custom:legacy_sub", "Value": OLD.sub(index)})
        return attributes

    def user(self, index, attributes_key="Attributes"):
        return {
            "Username": self.name_of(index),
            attributes_key: self.attributes(index),
            "UserCreateDate": CREATED,
            "UserLastModifiedDate": CREATED,
            "Enabled": index % 100 != 3 and index not in self.disabled,
            "UserStatus": self.status(index),
        }

    def describe(self):
        schema = [
            {
                "Name": name,
                "AttributeDataType": kind,
                "DeveloperOnlyAttribute": False,
                "Mutable": mutable,
                "Required": required,
                **({"StringAttributeConstraints": {"MinLength": "0", "MaxLength": "2048"}}
                   if kind == "String" else {}),
            }
            for name, kind, mutable, required in STANDARD_ATTRIBUTES
        ] + [
            {
                "Name": name,
                "AttributeDataType": "String",
                "DeveloperOnlyAttribute": False,
                "Mutable": True,
                "Required": False,
                "StringAttributeConstraints": {},
            }
            for name in self.custom
        ]
        return {
            "UserPool": {
                "Id": self.id,
                "Name": "synthetic-new" if self.is_new else "synthetic-old",
                "Arn": f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/{self.id}",
                "Policies": {
                    "PasswordPolicy": {
                        "MinimumLength": 8,
                        "RequireUppercase": True,
                        "RequireLowercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                        "TemporaryPasswordValidityDays": 7,
                    }
                },
                "LambdaConfig": {},
                "LastModifiedDate": CREATED,
                "CreationDate": CREATED,
                "SchemaAttributes": schema,
                "AutoVerifiedAttributes": ["email"],
                "UsernameConfiguration": {"CaseSensitive": self.capitalised},
                "MfaConfiguration": self.mfa,
                "EstimatedNumberOfUsers": self.size,
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            }
        }

    def group(self, name):
        if name in self.created_groups:
            return self.created_groups[name]
        if name.startswith("g") and name[1:].isdigit() and int(name[1:]) < GROUPS:
            return {
                "GroupName": name,
                "UserPoolId": self.id,
                "Description": f"synthetic group {name}",
                "Precedence": int(name[1:]),
                "CreationDate": CREATED,
                "LastModifiedDate": CREATED,
            }
        return None


def old_or_new_sub(head, index, salt):
    tail = (index * 0x9E3779B1 + salt) & 0xFFFFFFFFFFFF
    return str(uuid.UUID(f"{head:08x}{salt & 0xFFFF:04x}4{index % 4096:03x}8{(index >> 12) % 4096:03x}{tail:012x}"))


OLD = Pool(OLD_POOL, 0, False)
NEW = Pool(NEW_POOL, 0, True)


def parse_filter(text):
    """`attr = "v"` or `attr ^= "v"` (the ListUsers filter grammar the tools use)."""
    for operator in ("^=", "="):
        if operator in text:
            name, _, value = text.partition(operator)
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                return name.strip(), operator, value[1:-1]
    raise CognitoError("InvalidParameterException", f"Error while parsing filter: {text}")


def filter_range(pool, text):
    """The contiguous index range a filter selects, or a short explicit list."""
    if not text:
        return range(0, pool.size)
    name, operator, value = parse_filter(text)
    if name == "sub" and operator == "^=":
        low, high = pool.sub_prefix_range(value[:8]) if len(value) <= 8 else (0, 0)
        return range(low, high)
    if name in ("username", "email", "sub") and operator == "=":
        candidate = value.split("@")[0] if name == "email" else value
        index = pool.index_of(candidate) if name != "sub" else None
        if name == "sub":
            low, high = pool.sub_prefix_range(value[:8])
            index = next((i for i in range(low, min(high, low + 4)) if pool.sub(i) == value), None)
        return range(index, index + 1) if index is not None else range(0)
    raise CognitoError("InvalidParameterException", f"Filter not supported by the synthetic pool: {text}")


class Server:
    """Configuration, faults, the arrival log and the pools' small mutable state."""

    def __init__(self, config, seed=1):
        self.lock = threading.Lock()
        self.config = config
        self.started = time.monotonic()
        self.tokens_refused_before = 0.0
        self.random = random.Random(seed)
        self.reset()

    def reset(self):
        with self.lock:
            self.origin = time.time()
            self.arrivals = []
            self.throttled_at = []
            self.accepted = []
            self.user_read_accepted = []
            self.spans = {}
            self.by_operation = {}
            self.throttled = 0
            self.refused_tokens = 0
            self.other_requests = 0
            self.other_throttled = 0

    def within_quota(self, arrived, operation="ListUsers"):
        """Whether the account's quota has room for a request arriving at `arrived` (wall clock):
        fewer than `quota` requests, ours and the other consumer's, accepted in the second before.
        An accepted request takes its place; a refused one does not (Cognito answers it at once).
        The UserRead operations (`AdminGetUser`, `AdminGetUserAuthFactors`) count against their
        own category's `user_read_quota` instead."""
        user_read = operation in USER_READ
        quota = self.config["user_read_quota" if user_read else "quota"]
        if not quota:
            return True
        accepted = self.user_read_accepted if user_read else self.accepted
        recent = len(accepted) - bisect.bisect_right(accepted, arrived - 1.0)
        if recent >= quota:
            return False
        bisect.insort(accepted, arrived)
        return True

    def other_arrives(self, arrived):
        """A request of the other consumer sharing the account's quota."""
        with self.lock:
            self.other_requests += 1
            if not self.within_quota(arrived):
                self.other_throttled += 1

    def arrive(self, operation, arrived):
        """Records an arrival (`arrived`: the kernel's receive time, wall clock); answers whether
        the quota or a throttle window refuses it."""
        with self.lock:
            bisect.insort(self.arrivals, arrived)
            self.by_operation[operation] = self.by_operation.get(operation, 0) + 1
            first, last = self.spans.get(operation, (arrived, arrived))
            self.spans[operation] = (min(first, arrived), max(last, arrived))
            elapsed = time.monotonic() - self.started
            in_window = any(start <= elapsed < end for start, end in self.config["throttle_windows"])
            at_random = self.random.random() < self.config["throttle_share"]
            if in_window or at_random or not self.within_quota(arrived, operation):
                self.throttled += 1
                self.throttled_at.append(arrived)
                return True
            return False

    def stats(self):
        with self.lock:
            times = list(self.arrivals)
            result = {
                "requests": len(times),
                "by_operation": dict(self.by_operation),
                # Per operation: requests per second between its first and last arrival.
                "operation_rate": {op: (self.by_operation[op] - 1) / (last - first) if last > first else 0.0
                                   for op, (first, last) in self.spans.items()},
                "throttled": self.throttled,
                "refused_tokens": self.refused_tokens,
                "other_requests": self.other_requests,
                "other_throttled": self.other_throttled,
                "per_second": per_second(times, self.origin),
                "throttled_per_second": per_second(sorted(self.throttled_at), self.origin),
            }
        result["max_in_any_second"] = max_in_window(times, 1.0)
        span = times[-1] - times[0] if len(times) > 1 else 0.0
        result["mean_rate"] = (len(times) - 1) / span if span > 0 else 0.0
        result["seconds"] = span
        return result

    def token(self, pool, filter_text, next_index):
        state = {"p": pool.id, "f": filter_text or "", "n": next_index, "t": time.monotonic()}
        return base64.b64encode(json.dumps(state).encode()).decode()

    def read_token(self, pool, filter_text, token, request_id):
        refused = CognitoError(
            "InvalidParameterException", f"Paging marker {token} is invalid for request {request_id}"
        )
        try:
            state = json.loads(base64.b64decode(token, validate=True))
            issued, next_index = float(state["t"]), int(state["n"])
            same = state["p"] == pool.id and state["f"] == (filter_text or "")
        except (ValueError, KeyError, TypeError):
            raise refused from None
        ttl = self.config["token_ttl"]
        stale = (ttl and time.monotonic() - issued > ttl) or issued < self.tokens_refused_before
        if not same or stale:
            with self.lock:
                self.refused_tokens += 1
            raise refused
        return next_index


def per_second(times, origin):
    """How many of `times` fall in each whole second after `origin` (the server's start)."""
    counts = [0] * (int(times[-1] - origin) + 1 if times else 0)
    for moment in times:
        counts[int(moment - origin)] += 1
    return counts


def other_consumer(server, rate, seconds):
    """Another client of the same account: `rate` requests/s, evenly, for `seconds` after the
    server starts (0: until it stops), each counted against the account's quota."""
    started = time.monotonic()
    sent = 0
    while not seconds or sent / rate < seconds:
        delay = started + sent / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        server.other_arrives(time.time())
        sent += 1


def max_in_window(times, width):
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


def pool_of(body):
    pool_id = body.get("UserPoolId")
    if pool_id == OLD.id:
        return OLD
    if pool_id == NEW.id:
        return NEW
    raise CognitoError("ResourceNotFoundException", f"User pool {pool_id} does not exist.")


def limit_of(body):
    limit = body.get("Limit", 60)
    if not isinstance(limit, int) or not 0 <= limit <= 60:
        raise CognitoError(
            "InvalidParameterException",
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
            "Member must have value less than or equal to 60",
        )
    return limit or 60


def list_users(server, body, request_id):
    pool = pool_of(body)
    filter_text = body.get("Filter") or ""
    selected = filter_range(pool, filter_text)
    token = body.get("PaginationToken")
    start = server.read_token(pool, filter_text, token, request_id) if token else selected.start
    end = min(start + limit_of(body), selected.stop)
    answer = {"Users": [pool.user(i) for i in range(start, end)]}
    if end < selected.stop:
        answer["PaginationToken"] = server.token(pool, filter_text, end)
    return answer


def group_members(pool, group):
    """Group `gK` holds users K, K + STRIDE, K + 2 * STRIDE, … (one user in ten is in one
    group), plus those added by AdminAddUserToGroup (kept apart, listed after)."""
    number = int(group[1:]) if group.startswith("g") and group[1:].isdigit() else GROUPS
    return (range(number, pool.size, MEMBERSHIP_STRIDE) if number < GROUPS else range(0)), sorted(
        u for g, u in pool.added_members if g == group
    )


def list_users_in_group(server, body, request_id):
    pool = pool_of(body)
    group = body.get("GroupName", "")
    if pool.group(group) is None:
        raise CognitoError("ResourceNotFoundException", "Group not found.")
    generated, added = group_members(pool, group)
    token = body.get("NextToken")
    position = server.read_token(pool, group, token, request_id) if token else 0
    end = min(position + limit_of(body), len(generated) + len(added))
    users = []
    for k in range(position, end):
        if k < len(generated):
            users.append(pool.user(generated[k]))
        else:
            users.append(pool.user(pool.index_of(added[k - len(generated)])))
    answer = {"Users": users}
    if end < len(generated) + len(added):
        answer["NextToken"] = server.token(pool, group, end)
    return answer


def list_groups(server, body, request_id):
    pool = pool_of(body)
    names = [f"g{k}" for k in range(GROUPS)] + sorted(
        n for n in pool.created_groups if pool.group(n) and not (n[1:].isdigit() and int(n[1:]) < GROUPS)
    )
    token = body.get("NextToken")
    position = server.read_token(pool, "groups", token, request_id) if token else 0
    end = min(position + limit_of(body), len(names))
    answer = {"Groups": [pool.group(n) for n in names[position:end]]}
    if end < len(names):
        answer["NextToken"] = server.token(pool, "groups", end)
    return answer


def user_index(pool, body):
    name = body.get("Username", "")
    index = pool.index_of(name.split("@")[0] if "@" in name else name)
    if index is None:
        raise CognitoError("UserNotFoundException", "User does not exist.")
    return index


def admin_get_user(server, body, request_id):
    pool = pool_of(body)
    user = pool.user(user_index(pool, body), "UserAttributes")
    user["UserMFASettingList"] = []
    return user


def admin_list_groups_for_user(server, body, request_id):
    pool = pool_of(body)
    index = user_index(pool, body)
    name = f"user{index:07d}"
    own = [pool.group(f"g{index % MEMBERSHIP_STRIDE}")] if index % MEMBERSHIP_STRIDE < GROUPS else []
    groups = own + [
        pool.group(g) for g, u in sorted(pool.added_members) if u == name
    ]
    return {"Groups": groups}


def get_group(server, body, request_id):
    group = pool_of(body).group(body.get("GroupName", ""))
    if group is None:
        raise CognitoError("ResourceNotFoundException", "Group not found.")
    return {"Group": group}


def create_group(server, body, request_id):
    pool = pool_of(body)
    name = body.get("GroupName", "")
    with server.lock:
        if pool.group(name) is not None:
            raise CognitoError("GroupExistsException", "A group with the name already exists.")
        pool.created_groups[name] = {
            "GroupName": name,
            "UserPoolId": pool.id,
            "Description": body.get("Description"),
            "Precedence": body.get("Precedence"),
            "RoleArn": body.get("RoleArn"),
            "CreationDate": time.time(),
            "LastModifiedDate": time.time(),
        }
        return {"Group": pool.created_groups[name]}


def admin_add_user_to_group(server, body, request_id):
    pool = pool_of(body)
    index = user_index(pool, body)
    group = body.get("GroupName", "")
    if pool.group(group) is None:
        raise CognitoError("ResourceNotFoundException", "Group not found.")
    if index % MEMBERSHIP_STRIDE != (int(group[1:]) if group[1:].isdigit() else -1):
        with server.lock:
            pool.added_members.add((group, f"user{index:07d}"))
    return {}


def admin_disable_user(server, body, request_id):
    pool = pool_of(body)
    index = user_index(pool, body)
    with server.lock:
        pool.disabled.add(index)
    return {}


OPERATIONS = {
    "DescribeUserPool": lambda server, body, _: pool_of(body).describe(),
    "GetCSVHeader": lambda server, body, _: {
        "UserPoolId": pool_of(body).id,
        "CSVHeader": CSV_HEADER + pool_of(body).custom,
    },
    "GetUserPoolMfaConfig": lambda server, body, _: {"MfaConfiguration": pool_of(body).mfa},
    "ListUsers": list_users,
    "ListUsersInGroup": list_users_in_group,
    "ListGroups": list_groups,
    "AdminGetUser": admin_get_user,
    "AdminListGroupsForUser": admin_list_groups_for_user,
    "GetGroup": get_group,
    "CreateGroup": create_group,
    "AdminAddUserToGroup": admin_add_user_to_group,
    "AdminDisableUser": admin_disable_user,
}


def kernel_arrival(connection):
    """When the next request's first bytes reached the socket, by the kernel's clock: a server
    thread that was not scheduled for a while would otherwise stamp queued requests together."""
    try:
        _, ancillary, _, _ = connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
    except OSError:
        return time.time()
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return time.time()


def make_handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            super().setup()
            self.connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)

        def handle_one_request(self):
            self.arrived = kernel_arrival(self.connection)
            super().handle_one_request()

        def log_message(self, *args):
            pass

        def answer(self, status, payload, error_type=None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_GET(self):
            self.body()
            if self.path == "/_pool/stats":
                return self.answer(200, server.stats())
            self.answer(404, {"message": "unknown path"})

        def do_PUT(self):
            raw = self.body()
            if self.path == "/_pool/config":
                changes = json.loads(raw or b"{}")
                unknown = set(changes) - set(server.config)
                if unknown:
                    return self.answer(400, {"message": f"unknown options {sorted(unknown)}"})
                with server.lock:
                    server.config.update(changes)
                    if "throttle_windows" in changes:
                        server.started = time.monotonic()
                return self.answer(200, server.config)
            self.answer(404, {"message": "unknown path"})

        def do_POST(self):
            raw = self.body()
            if self.path == "/_pool/reset":
                server.reset()
                return self.answer(200, {})
            if self.path == "/_pool/refuse-tokens":
                server.tokens_refused_before = time.monotonic()
                return self.answer(200, {})
            target = self.headers.get("X-Amz-Target", "")
            operation = target.rpartition(".")[2]
            handler = OPERATIONS.get(operation)
            request_id = str(uuid.uuid4())
            if handler is None:
                return self.answer(
                    400, {"__type": "UnknownOperationException", "message": operation}, "UnknownOperationException"
                )
            throttled = server.arrive(operation, self.arrived)
            latency = server.config["latency_ms"] / 1000
            if latency:
                time.sleep(latency)
            if throttled:
                return self.answer(
                    400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}, "TooManyRequestsException"
                )
            try:
                payload = handler(server, json.loads(raw or b"{}"), request_id)
            except CognitoError as err:
                return self.answer(err.status, {"__type": err.code, "message": err.message}, err.code)
            self.answer(200, payload)

    return Handler


def parse_windows(text):
    windows = []
    for part in filter(None, (text or "").split(",")):
        start, _, end = part.partition("-")
        windows.append((float(start), float(end)))
    return windows


def main():
    global GROUPS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--old-users", type=int, default=100_000)
    parser.add_argument("--new-users", type=int, default=0, help="the old pool's first M users, imported")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--quota", type=int, default=0,
                        help="the account's quota: requests accepted in any second, the other consumer's included, "
                             "before TooManyRequestsException (0: none)")
    parser.add_argument("--other-rps", type=float, default=0,
                        help="another consumer of the account's quota, at this many requests/s (0: none)")
    parser.add_argument("--other-for", type=float, default=0,
                        help="seconds after the start the other consumer stops (0: never)")
    parser.add_argument("--throttle-share", type=float, default=0,
                        help="share of requests throttled at random, whatever the rate (e.g. 0.1)")
    parser.add_argument("--seed", type=int, default=1, help="of the random throttling")
    parser.add_argument("--throttle-windows", default="", help="e.g. 10-20,40-45: seconds after start when every request is throttled")
    parser.add_argument("--token-ttl", type=float, default=0, help="seconds a pagination token is honoured (0: for ever)")
    parser.add_argument("--groups", type=int, default=GROUPS, help=f"groups g0.. of the old pool (default {GROUPS}; 0: none)")
    parser.add_argument("--old-mfa", default="OFF", choices=["OFF", "OPTIONAL", "ON"],
                        help="the old pool's MfaConfiguration (the export looks each user's MFA up unless OFF)")
    parser.add_argument("--user-read-quota", type=int, default=0,
                        help="the account's UserRead quota (AdminGetUser...): requests accepted in any second (0: none)")
    parser.add_argument("--capitalised-old", action="store_true",
                        help="old users named User{i:07d} with capitalised e-mails, in a case-sensitive pool")
    args = parser.parse_args()
    GROUPS = args.groups
    OLD.capitalised = args.capitalised_old
    OLD.mfa = args.old_mfa
    OLD.size, NEW.size = args.old_users, min(args.new_users, args.old_users)
    server = Server({
        "latency_ms": args.latency_ms,
        "quota": args.quota,
        "user_read_quota": args.user_read_quota,
        "throttle_windows": parse_windows(args.throttle_windows),
        "token_ttl": args.token_ttl,
        "throttle_share": args.throttle_share,
    }, args.seed)
    if args.other_rps:
        threading.Thread(target=other_consumer, args=(server, args.other_rps, args.other_for), daemon=True).start()
    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(server))
    httpd.daemon_threads = True
    print(f"listening on http://127.0.0.1:{httpd.server_port}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
