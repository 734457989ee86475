#!/usr/bin/env node
// Baseline for scripts/bench-trigger: a minimal Node.js UserMigration handler making the same two
// old-pool calls (AWS SDK for JavaScript v3) as cognito-migrate-trigger, behind the same Lambda
// host. It is a yardstick, not a product: no mapping, no alias lookup, no error sorting.
//
// It speaks the Lambda Runtime API itself (fetch next, answer), as a custom runtime would, so the
// test bed's host can run it like the Rust binary. Each invocation logs one JSON line with
// duration_us and old_pool_us, measured the same way as the Rust trigger.
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";

const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const client = new CognitoIdentityProviderClient({ maxAttempts: 2 });
const poolId = process.env.OLD_USER_POOL_ID;
const clientId = process.env.OLD_CLIENT_ID;

const micros = (from) => Number((process.hrtime.bigint() - from) / 1000n);

async function handler(event) {
  const started = process.hrtime.bigint();
  let oldPool = 0n;
  const ask = async (command) => {
    const at = process.hrtime.bigint();
    try {
      return await client.send(command);
    } finally {
      oldPool += process.hrtime.bigint() - at;
    }
  };
  let outcome = "unknown-user";
  try {
    await ask(new AdminInitiateAuthCommand({
      UserPoolId: poolId,
      ClientId: clientId,
      AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: event.userName, PASSWORD: event.request.password },
    }));
    const user = await ask(new AdminGetUserCommand({ UserPoolId: poolId, Username: event.userName }));
    const attributes = {};
    for (const { Name, Value } of user.UserAttributes ?? []) {
      if (Name !== "sub") attributes[Name] = Value;
    }
    attributes.username = user.Username;
    event.response = { userAttributes: attributes, finalUserStatus: "CONFIRMED", messageAction: "SUPPRESS" };
    outcome = "migrated-confirmed";
  } catch (error) {
    if (!["NotAuthorizedException", "UserNotFoundException"].includes(error.name)) throw error;
  }
  console.log(JSON.stringify({
    outcome,
    duration_us: micros(started),
    old_pool_us: Number(oldPool / 1000n),
  }));
  return event;
}

for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  if (next.status !== 200) process.exit(0);
  const id = next.headers.get("lambda-runtime-aws-request-id");
  const event = await next.json();
  try {
    const result = await handler(event);
    await fetch(`${api}/invocation/${id}/response`, { method: "POST", body: JSON.stringify(result) });
  } catch (error) {
    await fetch(`${api}/invocation/${id}/error`, {
      method: "POST",
      body: JSON.stringify({ errorType: error.name, errorMessage: error.message }),
    });
  }
}
