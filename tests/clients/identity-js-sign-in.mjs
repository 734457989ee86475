// Signs a user in through amazon-cognito-identity-js and prints the outcome as JSON:
//   {"library":"amazon-cognito-identity-js","flow":...,"signedIn":true,"idToken":{claims},"accessToken":{claims}}
//   {"library":...,"signedIn":false,"error":{"name":"NotAuthorizedException",...}}
//   {"library":...,"signedIn":false,"challenge":"NEW_PASSWORD_REQUIRED"}
// Settings: common.mjs. The flow is USER_PASSWORD_AUTH (the one a UserMigration trigger sees
// the password in) unless --flow USER_SRP_AUTH asks for the library's default.
import identity from 'amazon-cognito-identity-js';

import { claims, errorOf, report, settings } from './common.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;
const s = settings(['pool-id', 'client-id', 'endpoint', 'username', 'password']);
const base = { library: 'amazon-cognito-identity-js', flow: s.flow };

// --- the guidance (docs/clients.md) starts here ---
const userPool = new CognitoUserPool({
  UserPoolId: s['pool-id'],
  ClientId: s['client-id'],
  endpoint: s.endpoint, // only for the test bed; leave it out against AWS
});
const cognitoUser = new CognitoUser({ Username: s.username, Pool: userPool });
if (s.flow === 'USER_PASSWORD_AUTH') {
  // The password reaches Cognito, and so the UserMigration trigger; SRP never sends it.
  cognitoUser.setAuthenticationFlowType('USER_PASSWORD_AUTH');
}
const details = new AuthenticationDetails({ Username: s.username, Password: s.password });
cognitoUser.authenticateUser(details, {
  onSuccess: (session) =>
    report({
      ...base,
      signedIn: true,
      idToken: claims(session.getIdToken().getJwtToken()),
      accessToken: claims(session.getAccessToken().getJwtToken()),
    }),
  onFailure: (error) => report({ ...base, signedIn: false, error: errorOf(error) }),
  newPasswordRequired: () => report({ ...base, signedIn: false, challenge: 'NEW_PASSWORD_REQUIRED' }),
  mfaRequired: (name) => report({ ...base, signedIn: false, challenge: name }),
  totpRequired: (name) => report({ ...base, signedIn: false, challenge: name }),
  selectMFAType: (name) => report({ ...base, signedIn: false, challenge: name }),
  mfaSetup: (name) => report({ ...base, signedIn: false, challenge: name }),
  customChallenge: () => report({ ...base, signedIn: false, challenge: 'CUSTOM_CHALLENGE' }),
});
// --- the guidance ends here ---
