"""The test bed's additions to moto 5.2.5, one module per job.

`moto_ext.py` (the entry point `scripts/testbed` runs) wires them together:

* `wire`: Cognito's error shape, the caller's account/region, JSON answers (shared by all);
* `request_context`: which Cognito operation the current thread is serving, and its body;
* `pool_shapes`: the one sign-in lookup (user names, `UsernameAttributes`, `AliasAttributes`,
  `UsernameConfiguration.CaseSensitive`) and the alias/username rules, installed into moto's
  `CognitoIdpUserPool._get_user` so every operation follows them;
* `user_existence`: the app client's `PreventUserExistenceErrors` answers;
* `lambda_invoke` + `triggers`: calling a pool's own `LambdaConfig` functions on the Lambda host;
* `migration`: the UserMigration trigger; `user_creation`: SignUp/AdminCreateUser (PreSignUp,
  alias uniqueness, `AllowAdminCreateUserOnly`); `attribute_updates`: UpdateUserAttributes
  (the client's `WriteAttributes`, aliases, pending e-mail/phone changes) and VerifyUserAttribute;
  `sign_in`: InitiateAuth/AdminInitiateAuth/ForgotPassword/ConfirmForgotPassword; `codes`: the
  reset codes "sent" (only the code sent, once); `srp`: USER_SRP_AUTH with the password verified;
  `tokens`: the PreTokenGeneration trigger applied to the tokens moto builds;
* `list_users`: ListUsers' documented limits (`Limit` <= 60, `AttributesToGet`);
* `federation`: AdminLinkProviderForUser/AdminDisableProviderForUser, the `identities` attribute,
  EXTERNAL_PROVIDER users and the test-only federated sign-in `POST /_testbed/federated-sign-in`;
* `import_operations`: GetCSVHeader and the import-job operations; `import_jobs`: the jobs and
  their store; `import_csv`: the CSV and its ingestion into moto (pool shapes included);
  `import_upload`: the PreSignedUrl target and the job's result lines; `import_logs`: those lines
  in moto's CloudWatch Logs, where AWS writes them.

Every rule names the AWS page and sentence it follows; the table is in tests/emulator/README.md.
"""
