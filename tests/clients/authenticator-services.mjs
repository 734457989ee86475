// tested: tests/tests/client_libraries.rs::authenticator_services_override_migrates
import { signIn } from 'aws-amplify/auth';

// <Authenticator services={services}>: its password sign-in now sends the password to Cognito.
// Its passwordless choices (USER_AUTH, no password) are passed on as they are.
export const services = {
  async handleSignIn(input) {
    if (input.password === undefined) return signIn(input);
    return signIn({ ...input, options: { ...input.options, authFlowType: 'USER_PASSWORD_AUTH' } });
  },
};
