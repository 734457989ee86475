// Forgot-password through amazon-cognito-identity-js, as an app's "forgot password" screen does:
// without --code it asks for a reset code (ForgotPassword) and prints where it went; with --code
// and --new-password it sets the new password (ConfirmForgotPassword). Prints one JSON line:
//   {"library":"amazon-cognito-identity-js","step":"request","codeSent":true,"delivery":{...},"testbedCode":"..."}
//   {"library":...,"step":"confirm","confirmed":true}
//   {"library":...,"step":...,"error":{"name":"LimitExceededException",...}}
// `testbedCode` is the code the test bed returned in its test-only header (AWS e-mails it instead).
// Settings: common.mjs.
import identity from 'amazon-cognito-identity-js';

import { captureTestbedCode, errorOf, report, settings } from './common.mjs';

const { CognitoUser, CognitoUserPool } = identity;
const s = settings(['pool-id', 'client-id', 'endpoint', 'username']);
const step = s.code === undefined ? 'request' : 'confirm';
const testbedCode = captureTestbedCode();
const base = { library: 'amazon-cognito-identity-js', step };

const userPool = new CognitoUserPool({
  UserPoolId: s['pool-id'],
  ClientId: s['client-id'],
  endpoint: s.endpoint,
});
const cognitoUser = new CognitoUser({ Username: s.username, Pool: userPool });
const onFailure = (error) => report({ ...base, error: errorOf(error) });
if (step === 'request') {
  // The new pool's UserMigration trigger runs here for a user it does not have yet.
  cognitoUser.forgotPassword({
    inputVerificationCode: (data) =>
      report({
        ...base,
        codeSent: true,
        delivery: data?.CodeDeliveryDetails ?? null,
        testbedCode: testbedCode(),
      }),
    onSuccess: (data) =>
      report({
        ...base,
        codeSent: true,
        delivery: data?.CodeDeliveryDetails ?? null,
        testbedCode: testbedCode(),
      }),
    onFailure,
  });
} else {
  if (s['new-password'] === undefined) {
    report({ ...base, error: { name: 'Usage', message: '--code needs --new-password' } });
  }
  cognitoUser.confirmPassword(s.code, s['new-password'], {
    onSuccess: () => report({ ...base, confirmed: true }),
    onFailure,
  });
}
