// Signs a user in through the Amplify UI Authenticator's own state machine (@aws-amplify/ui's
// createAuthenticatorMachine, which @aws-amplify/ui-react's <Authenticator> renders), headless in
// Node.js, and prints the outcome as JSON:
//   {"library":"@aws-amplify/ui","flow":...,"authFlowsSent":["USER_PASSWORD_AUTH"],"signedIn":true,
//    "route":"authenticated","idToken":{claims},"accessToken":{claims}}
//   {"library":...,"authFlowsSent":["USER_SRP_AUTH"],"signedIn":false,"route":"signIn",
//    "error":{"name":"NotAuthorizedException","message":"Incorrect username or password."}}
// The machine keeps only an error's message (the text the form shows): `error.name` is the
// Cognito error type of the last refused request, read from the wire.
// Settings: common.mjs. --flow USER_PASSWORD_AUTH (the default) passes the `services` override of
// authenticator-services.mjs, as the app of docs/clients.md does; --flow USER_SRP_AUTH passes none,
// as an app left on the Authenticator's defaults does. --method EMAIL_OTP is an app whose
// Authenticator offers e-mail codes first (<Authenticator passwordless={{ preferredAuthMethod:
// 'EMAIL_OTP' }}>): no password is typed, and the code is the one the test bed "e-mails" in its
// test-only response header `x-moto-otp-code`.
//
// What <Authenticator services={services}> does, done here with the same calls: interpret the
// machine, send INIT with the props once it leaves `idle` (useAuthenticatorInitMachine), and, on
// the sign-in form, CHANGE for each field typed then SUBMIT with the form's values (SignIn's form;
// the code form likewise). The screens themselves are not rendered.
import { Amplify } from 'aws-amplify';
import { fetchAuthSession } from 'aws-amplify/auth';
import { createAuthenticatorMachine, getServiceFacade } from '@aws-amplify/ui';
import { interpret } from 'xstate';

import { services } from './authenticator-services.mjs';
import { claims, fail, report, settings } from './common.mjs';

const s = settings(['pool-id', 'client-id', 'endpoint', 'username']);
const byCode = s.method === 'EMAIL_OTP';
if (!byCode && s.password === undefined) fail('missing --password (or COGNITO_PASSWORD)');
const wire = watchCognito();
const base = { library: '@aws-amplify/ui', flow: s.flow, method: s.method };

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: s['pool-id'],
      userPoolClientId: s['client-id'],
      userPoolEndpoint: s.endpoint, // only for the test bed; leave it out against AWS
    },
  },
});

const authenticator = interpret(createAuthenticatorMachine()).start();
const facade = () => getServiceFacade({ send: authenticator.send, state: authenticator.getSnapshot() });

await until((f) => f.route !== 'idle', 'the machine to leave idle');
const props = {
  ...(s.flow === 'USER_PASSWORD_AUTH' ? { services } : {}),
  ...(byCode ? { passwordless: { preferredAuthMethod: 'EMAIL_OTP' } } : {}),
};
facade().initializeMachine(props);
await until((f) => f.route === 'signIn' && !f.isPending, 'the sign-in form');
const form = byCode ? { username: s.username } : { username: s.username, password: s.password };
submit(form);
const ended = (f) => f.route === 'authenticated' || (!f.isPending && f.error);
let done = await until((f) => ended(f) || (byCode && f.route === 'confirmSignIn'), 'the sign-in');
if (!ended(done)) {
  if (!wire.code) fail('the test bed sent no code (no x-moto-otp-code header)');
  submit({ confirmation_code: wire.code });
  done = await until(ended, 'the code to be accepted');
}
authenticator.stop();

const outcome = { ...base, authFlowsSent: wire.authFlows, route: done.route };
if (done.route !== 'authenticated') {
  report({ ...outcome, signedIn: false, error: { name: wire.lastError, message: done.error } });
}
const { tokens } = await fetchAuthSession();
report({
  ...outcome,
  signedIn: true,
  username: done.user?.username,
  idToken: claims(tokens.idToken.toString()),
  accessToken: claims(tokens.accessToken.toString()),
});

/** Types each field of `form` (CHANGE), then submits the form (SUBMIT), as a person would. */
function submit(form) {
  for (const [name, value] of Object.entries(form)) facade().updateForm({ name, value });
  facade().submitForm(form);
}

/** The facade once `reached(facade)` holds; exits 2 naming `what` after 20 s. */
function until(reached, what) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      const f = facade();
      fail(`the Authenticator never reached ${what}: route ${f.route}, error ${f.error ?? 'none'}`);
    }, 20_000);
    const check = () => {
      const f = facade();
      if (!reached(f)) return;
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve(f);
    };
    const subscription = authenticator.subscribe(check);
    check();
  });
}

/**
 * What the Authenticator sends to Cognito, read from the global `fetch` Amplify calls: the
 * `AuthFlow` of every InitiateAuth (which flow the machine asked for, whatever the test bed
 * answers), the error type (`__type`) of the last refused request, and the last sign-in code the
 * test bed "sent" (its test-only header `x-moto-otp-code`; AWS e-mails the code instead).
 */
function watchCognito() {
  const seen = { authFlows: [], lastError: null, code: null };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const target = new Headers(init?.headers).get('x-amz-target') ?? '';
    if (target.endsWith('.InitiateAuth')) seen.authFlows.push(JSON.parse(init.body).AuthFlow);
    const response = await realFetch(url, init);
    seen.code = response.headers.get('x-moto-otp-code') ?? seen.code;
    if (!response.ok) {
      const body = await response.clone().json().catch(() => ({}));
      seen.lastError = (body.__type ?? 'unknown').split('#').pop();
    }
    return response;
  };
  return seen;
}
