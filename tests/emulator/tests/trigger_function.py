#!/usr/bin/env python3
"""A tiny Lambda function for the emulator's own tests: the Lambda Runtime API loop, stdlib only.

It answers each event by its `triggerSource`, from the JSON map in env `PLAN`:
`{"<triggerSource>": {"response": {...}}}` merges that into the event's `response`,
`{"<triggerSource>": {"error": "message"}}` fails the invocation with that message, a source not in
the plan is answered unchanged (an empty response); `{"<triggerSource>": {"link": {...}}}` first
calls AdminLinkProviderForUser on env `MOTO_URL` with that body and the event's `userPoolId` (as a
pre sign-up function that links a federated user does). Every event is appended as one JSON line to
env `EVENTS_FILE`, so the tests can check what Cognito's side sent.
"""

import json
import os
import urllib.request

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
API = f"http://{os.environ['AWS_LAMBDA_RUNTIME_API']}/2018-06-01/runtime/invocation"


def post(url: str, payload: dict) -> None:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    OPENER.open(request).read()


def link(body: dict) -> None:
    request = urllib.request.Request(
        os.environ["MOTO_URL"],
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminLinkProviderForUser",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    OPENER.open(request).read()


def main() -> None:
    plan = json.loads(os.environ.get("PLAN", "{}"))
    while True:
        with OPENER.open(f"{API}/next") as answer:
            request_id = answer.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.load(answer)
        with open(os.environ["EVENTS_FILE"], "a", encoding="utf-8") as events:
            events.write(json.dumps(event) + "\n")
        step = plan.get(event.get("triggerSource"), {})
        if "link" in step:
            link(dict(step["link"], UserPoolId=event["userPoolId"]))
        if "error" in step:
            post(f"{API}/{request_id}/error", {"errorType": "Error", "errorMessage": step["error"]})
            continue
        event["response"] = {**(event.get("response") or {}), **step.get("response", {})}
        post(f"{API}/{request_id}/response", event)


if __name__ == "__main__":
    main()
