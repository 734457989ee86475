// Signs a user in through Amplify JS v6 (aws-amplify/auth) and prints the outcome as JSON:
//   {"library":"aws-amplify","flow":...,"signedIn":true,"idToken":{claims},"accessToken":{claims}}
//   {"library":...,"signedIn":false,"error":{"name":"NotAuthorizedException",...}}
//   {"library":...,"signedIn":false,"nextStep":"CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"}
// Settings: common.mjs. The flow is USER_PASSWORD_AUTH unless --flow USER_SRP_AUTH asks for
// Amplify's default (no authFlowType).
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn } from 'aws-amplify/auth';

import { claims, errorOf, report, settings } from './common.mjs';

const s = settings(['pool-id', 'client-id', 'endpoint', 'username', 'password']);
const base = { library: 'aws-amplify', flow: s.flow };

// --- the guidance (docs/clients.md) starts here ---
Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: s['pool-id'],
      userPoolClientId: s['client-id'],
      userPoolEndpoint: s.endpoint, // only for the test bed; leave it out against AWS
    },
  },
});
const options = s.flow === 'USER_PASSWORD_AUTH' ? { authFlowType: 'USER_PASSWORD_AUTH' } : {};
try {
  const { isSignedIn, nextStep } = await signIn({
    username: s.username,
    password: s.password,
    options,
  });
  if (!isSignedIn) report({ ...base, signedIn: false, nextStep: nextStep.signInStep });
  const { tokens } = await fetchAuthSession();
  report({
    ...base,
    signedIn: true,
    idToken: claims(tokens.idToken.toString()),
    accessToken: claims(tokens.accessToken.toString()),
  });
} catch (error) {
  report({ ...base, signedIn: false, error: errorOf(error) });
}
// --- the guidance ends here ---
