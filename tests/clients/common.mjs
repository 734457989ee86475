// What every script here shares: its settings (from --flags, else environment variables), the
// claims of a JWT, and the one JSON line it prints on stdout.
//
// Settings: --pool-id / COGNITO_POOL_ID, --client-id / COGNITO_CLIENT_ID, --endpoint /
// COGNITO_ENDPOINT (the test bed's moto, e.g. $TESTBED_MOTO_URL), --username / COGNITO_USERNAME,
// --password / COGNITO_PASSWORD, --flow / COGNITO_FLOW (USER_PASSWORD_AUTH, or the library's
// default SRP flow when USER_SRP_AUTH), for the Authenticator --method / COGNITO_METHOD (its
// sign-in choice: PASSWORD, the default, or EMAIL_OTP), and for forgot-password --code /
// COGNITO_CODE and --new-password / COGNITO_NEW_PASSWORD. Passwords are better passed in the environment: argv is
// visible to other processes.

const FLAGS = {
  'pool-id': 'COGNITO_POOL_ID',
  'client-id': 'COGNITO_CLIENT_ID',
  endpoint: 'COGNITO_ENDPOINT',
  username: 'COGNITO_USERNAME',
  password: 'COGNITO_PASSWORD',
  flow: 'COGNITO_FLOW',
  method: 'COGNITO_METHOD',
  code: 'COGNITO_CODE',
  'new-password': 'COGNITO_NEW_PASSWORD',
};

/** The settings named in `required` (flag names) and any others given; exits 2 naming a missing one. */
export function settings(required) {
  const given = {};
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i].replace(/^--/, '');
    if (!(flag in FLAGS) || i + 1 >= args.length) {
      fail(`unknown flag or missing value: ${args[i]} (flags: ${Object.keys(FLAGS).join(', ')})`);
    }
    given[flag] = args[i + 1];
    i += 1;
  }
  const out = {};
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const value = given[flag] ?? process.env[variable];
    if (value !== undefined && value !== '') out[flag] = value;
  }
  for (const flag of required) {
    if (out[flag] === undefined) fail(`missing --${flag} (or ${FLAGS[flag]})`);
  }
  out.flow = out.flow ?? 'USER_PASSWORD_AUTH';
  if (!['USER_PASSWORD_AUTH', 'USER_SRP_AUTH'].includes(out.flow)) {
    fail(`--flow must be USER_PASSWORD_AUTH or USER_SRP_AUTH, not ${out.flow}`);
  }
  out.method = out.method ?? 'PASSWORD';
  if (!['PASSWORD', 'EMAIL_OTP'].includes(out.method)) {
    fail(`--method must be PASSWORD or EMAIL_OTP, not ${out.method}`);
  }
  return out;
}

/** The payload of a JWT as an object. */
export function claims(jwt) {
  const payload = jwt.split('.')[1];
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

/** Prints `result` as one JSON line and exits 0: the caller reads the outcome from the JSON. */
export function report(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

/** A library error as `{name, message}` (the Cognito error type, e.g. NotAuthorizedException). */
export function errorOf(error) {
  return {
    name: error?.name ?? error?.code ?? 'Error',
    code: error?.code,
    message: error?.message ?? String(error),
  };
}

/** A usage error: a message on stderr, exit 2. */
export function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

/**
 * Test bed only: remembers the reset code moto returns in its test-only response header
 * `x-moto-forgot-password-confirmation-code` (AWS sends the code by e-mail or SMS instead), by
 * wrapping the global `fetch` both libraries call. Returns a function giving the last code seen.
 */
export function captureTestbedCode() {
  let code = null;
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (...args) => {
    const response = await realFetch(...args);
    const seen = response.headers.get('x-moto-forgot-password-confirmation-code');
    if (seen) code = seen;
    return response;
  };
  return () => code;
}
