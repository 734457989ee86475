// Forgot-password through Amplify JS v6 (resetPassword / confirmResetPassword): without --code it
// asks for a reset code and prints where it went; with --code and --new-password it sets the new
// password. Prints one JSON line:
//   {"library":"aws-amplify","step":"request","codeSent":true,"delivery":{...},"testbedCode":"..."}
//   {"library":...,"step":"confirm","confirmed":true}
//   {"library":...,"step":...,"error":{"name":"CodeMismatchException",...}}
// `testbedCode` is the code the test bed returned in its test-only header (AWS e-mails it instead).
// Settings: common.mjs.
import { Amplify } from 'aws-amplify';
import { confirmResetPassword, resetPassword } from 'aws-amplify/auth';

import { captureTestbedCode, errorOf, report, settings } from './common.mjs';

const s = settings(['pool-id', 'client-id', 'endpoint', 'username']);
const step = s.code === undefined ? 'request' : 'confirm';
const testbedCode = captureTestbedCode();
const base = { library: 'aws-amplify', step };

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: s['pool-id'],
      userPoolClientId: s['client-id'],
      userPoolEndpoint: s.endpoint,
    },
  },
});
try {
  if (step === 'request') {
    // The new pool's UserMigration trigger runs here for a user it does not have yet.
    const { nextStep } = await resetPassword({ username: s.username });
    report({
      ...base,
      codeSent: nextStep.resetPasswordStep === 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      delivery: nextStep.codeDeliveryDetails ?? null,
      testbedCode: testbedCode(),
    });
  } else {
    await confirmResetPassword({
      username: s.username,
      confirmationCode: s.code,
      newPassword: s['new-password'] ?? '',
    });
    report({ ...base, confirmed: true });
  }
} catch (error) {
  report({ ...base, error: errorOf(error) });
}
